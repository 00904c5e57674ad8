#include "ising/chain.hpp"

#include <cmath>
#include <fmt/format.h>

#include "lab/usage_error.hpp"

namespace spinformer::ising {

void validate(const Chain& chain) {
  if (chain.L < 2) throw lab::UsageError("--L", fmt::format("chain length must be >= 2, got {}", chain.L));
  lab::require_finite("--J", chain.J);
  lab::require_finite("--h", chain.h);
  lab::require_positive("--T", chain.T);
}

Boundary parse_boundary(const std::string& name) {
  if (name == "periodic") return Boundary::periodic;
  if (name == "open") return Boundary::open;
  throw lab::UsageError("--boundary", fmt::format("must be 'periodic' or 'open', got '{}'", name));
}

std::string to_string(Boundary boundary) { return boundary == Boundary::periodic ? "periodic" : "open"; }

double energy(const Chain& chain, const Spin* s) {
  long bond_sum = 0, spin_sum = 0;
  for (int i = 0; i + 1 < chain.L; ++i) bond_sum += s[i] * s[i + 1];
  if (chain.boundary == Boundary::periodic) bond_sum += s[chain.L - 1] * s[0];
  for (int i = 0; i < chain.L; ++i) spin_sum += s[i];
  return -chain.J * static_cast<double>(bond_sum) - chain.h * static_cast<double>(spin_sum);
}

}  // namespace spinformer::ising
