#pragma once
// The 2D Ising model H(s) = -J sum_<ij> s_i s_j on an L x L square lattice, periodic in both
// directions, h = 0, temperature T (k_B = 1). Site (x, y) has raster index y * L + x; its bonds are
// to (x + 1, y) and (x, y + 1) mod L, so the torus has 2 L^2 bonds (on L = 2 each neighbour pair is
// joined twice, as the torus formula counts it).
// Reference: ../shared/reference/ising-2d.md.
#include <cmath>
#include <cstdint>
#include <vector>

namespace spinformer::ising2d {

// T_c = 2 J / ln(1 + sqrt 2) (Onsager), K_c = ln(1 + sqrt 2) / 2.
inline double critical_temperature(double J = 1.0) { return 2.0 * J / std::log1p(std::sqrt(2.0)); }

struct Lattice {
  int L = 16;
  double J = 1.0;
  double T = 2.269185314213022;  // critical_temperature(1)

  double beta() const { return 1.0 / T; }
  int sites() const { return L * L; }
};

// Throws lab::UsageError naming --L (L < 2 or L > 65536), --J (J <= 0 or non-finite: the exact
// solution here is the ferromagnet's) or --T (T <= 0, non-finite, or beta J > 300, past which
// exp(2 beta J) overflows).
void validate(const Lattice& lattice);

using Spin = std::int8_t;  // +1 or -1

// Number of unsatisfied (antiparallel) bonds u; H = -J (2 L^2 - 2 u).
long unsatisfied_bonds(int L, const Spin* s);
double energy(const Lattice& lattice, const Spin* s);
long magnetization(int L, const Spin* s);  // sum_i s_i

// n configurations of L * L spins in raster order, row-major: spins[k * L * L + y * L + x].
struct LatticeSamples {
  int L = 0;
  std::vector<Spin> spins;

  std::size_t sites() const { return static_cast<std::size_t>(L) * static_cast<std::size_t>(L); }
  std::size_t size() const { return L == 0 ? 0 : spins.size() / sites(); }
  const Spin* row(std::size_t k) const { return spins.data() + k * sites(); }
  Spin* row(std::size_t k) { return spins.data() + k * sites(); }
};

}  // namespace spinformer::ising2d
