#pragma once
// The exact distribution of s_t for small N: P_t over all 2^N states, propagated with the
// 2^N x 2^N transition matrix of parallel Glauber updates (never stored: given s_t-1 the new spins
// are independent, so each column is a product measure built in O(2^N)). Cost 4^N per step.
#include "kinetic/kinetic_ising.hpp"

namespace spinformer::kinetic {

constexpr int kMaxEnumerationSize = 12;

// State k <-> spins s_i = +1 if bit i of k is set, else -1.
struct ExactDistribution {
  Trajectory stats;                       // exact m_t, C_t, D_t
  std::vector<Eigen::VectorXd> p;         // P_t over the 2^N states, t = 0..T
};

// UsageError("--N") when N > kMaxEnumerationSize.
ExactDistribution enumerate(const KineticIsing& model, int steps);

}  // namespace spinformer::kinetic
