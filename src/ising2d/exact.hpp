#pragma once
// Exact thermodynamics of the finite m x n torus at h = 0, three independent ways:
//  * kaufman_thermodynamics: Kaufman's closed form (any size), log Z differentiated in beta by
//    second-order forward AD (ising/jet.hpp), so energy and specific heat carry no truncation error;
//  * enumerate_density_of_states: brute force over all 2^(mn) configurations (mn <= 24);
//  * transfer_density_of_states: the row transfer matrix with polynomial entries, i.e. exact counts
//    of configurations per number of unsatisfied bonds, for rows of n <= 6 spins (any m).
// A density of states gives log Z, U and C at every T by exact sums (thermodynamics below).
// Reference: ../shared/reference/ising-2d.md.
#include <vector>

#include "ising2d/lattice.hpp"

namespace spinformer::ising2d {

struct Thermodynamics {
  double log_z = 0;
  double free_energy_per_spin = 0;    // -T log Z / N
  double energy_per_spin = 0;         // <H> / N
  double specific_heat_per_spin = 0;  // beta^2 (<H^2> - <H>^2) / N
};

// Kaufman (1949) on `rows` x `columns` (both >= 2), coupling J > 0, temperature T > 0.
Thermodynamics kaufman_thermodynamics(int rows, int columns, double J, double T);
inline Thermodynamics kaufman_thermodynamics(const Lattice& lattice) {
  return kaufman_thermodynamics(lattice.L, lattice.L, lattice.J, lattice.T);
}

// count[u] = number of configurations with u unsatisfied bonds, u = 0..2 rows columns
// (exact integers in doubles up to 2^53 configurations).
struct DensityOfStates {
  int rows = 0, columns = 0;
  std::vector<double> count;

  int bonds() const { return 2 * rows * columns; }
  double energy(int u, double J) const { return -J * (bonds() - 2.0 * u); }
};

DensityOfStates enumerate_density_of_states(int rows, int columns);  // rows * columns <= 24
DensityOfStates transfer_density_of_states(int rows, int columns);   // columns <= 6, rows >= 2

Thermodynamics thermodynamics(const DensityOfStates& dos, double J, double T);

// P(u) at temperature T: the exact energy distribution (for chi-square tests of samplers).
std::vector<double> energy_distribution(const DensityOfStates& dos, double J, double T);

}  // namespace spinformer::ising2d
