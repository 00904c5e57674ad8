#pragma once
// Exact forward simulation of the kinetic Ising model: many independent trajectories of parallel
// Glauber updates from s_0 = all +1, averaged. Run r draws its uniforms from lab::Rng::stream(seed, r)
// (N per step, in site order), so the answer depends on (seed, runs) only, not on threads or blocks.
//
// Runs are advanced in blocks of 64 as an N x 64 matrix of +-1, so the fields of a block are one
// dense product J S (for real-valued couplings this beats bit-packing the spins, which pays only
// for integer couplings). Sums of +-1 products are integers, exact in double, so the thread
// partition cannot change a bit of the result.
#include <cstdint>

#include "kinetic/kinetic_ising.hpp"

namespace spinformer::kinetic {

struct SimulationOptions {
  int steps = 1;
  long runs = 10000;
  std::uint64_t seed = 1;
  int threads = 1;
  bool correlations = true;   // record C_t and D_t (N x N per step)
  bool progress = false;      // a progress line on stderr
};

struct Simulation {
  Trajectory stats;                   // sample means / covariances over the runs
  std::vector<Eigen::VectorXd> m_err; // standard error of m_t: sqrt((1 - m^2) / (runs - 1))
  long runs = 0;
};

// UsageError("--runs" / "--threads" / "--steps" / "--beta").
Simulation simulate(const KineticIsing& model, const SimulationOptions& options);

}  // namespace spinformer::kinetic
