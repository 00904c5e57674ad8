#include "ising2d/lattice.hpp"

#include <fmt/format.h>

#include "lab/usage_error.hpp"

namespace spinformer::ising2d {

void validate(const Lattice& lattice) {
  if (lattice.L < 2 || lattice.L > 65536)
    throw lab::UsageError("--L", fmt::format("linear size must lie in [2, 65536], got {}", lattice.L));
  lab::require_positive("--J", lattice.J);
  lab::require_positive("--T", lattice.T);
  if (lattice.J / lattice.T > 300)
    throw lab::UsageError("--T", fmt::format("beta J = {} is above 300 (T too low for J = {})", lattice.J / lattice.T,
                                             lattice.J));
}

long unsatisfied_bonds(int L, const Spin* s) {
  long u = 0;
  for (int y = 0; y < L; ++y) {
    const Spin* row = s + static_cast<std::size_t>(y) * L;
    const Spin* below = s + static_cast<std::size_t>((y + 1) % L) * L;
    for (int x = 0; x < L; ++x) {
      u += row[x] != row[(x + 1) % L];
      u += row[x] != below[x];
    }
  }
  return u;
}

double energy(const Lattice& lattice, const Spin* s) {
  const double bonds = 2.0 * lattice.L * lattice.L;
  return -lattice.J * (bonds - 2.0 * static_cast<double>(unsatisfied_bonds(lattice.L, s)));
}

long magnetization(int L, const Spin* s) {
  long m = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(L) * L; ++i) m += s[i];
  return m;
}

}  // namespace spinformer::ising2d
