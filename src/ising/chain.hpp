#pragma once
// The 1D Ising chain H(s) = -J sum_i s_i s_{i+1} - h sum_i s_i, s_i in {-1,+1}, at temperature T (k_B = 1).
// Periodic: the bond (s_L, s_1) is present; open: it is not.
#include <cstdint>
#include <string>
#include <vector>

namespace spinformer::ising {

enum class Boundary { periodic, open };

struct Chain {
  int L = 32;
  double J = 1.0;
  double h = 0.0;
  double T = 1.0;
  Boundary boundary = Boundary::periodic;

  double beta() const { return 1.0 / T; }
  int bonds() const { return boundary == Boundary::periodic ? L : L - 1; }
};

// Throws lab::UsageError naming the parameter (--L, --J, --h, --T) for L < 2, T <= 0, non-finite values.
void validate(const Chain& chain);

Boundary parse_boundary(const std::string& name);  // "periodic" | "open", else UsageError("--boundary")
std::string to_string(Boundary boundary);

using Spin = std::int8_t;  // +1 or -1

// H(s) for one configuration s[0..L-1].
double energy(const Chain& chain, const Spin* s);

// n configurations of L spins, row-major: spins[k * L + i] is spin i of configuration k.
struct SpinSamples {
  int L = 0;
  std::vector<Spin> spins;

  std::size_t size() const { return L == 0 ? 0 : spins.size() / static_cast<std::size_t>(L); }
  const Spin* row(std::size_t k) const { return spins.data() + k * static_cast<std::size_t>(L); }
  Spin* row(std::size_t k) { return spins.data() + k * static_cast<std::size_t>(L); }
};

}  // namespace spinformer::ising
