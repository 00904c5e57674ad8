#pragma once
// Exact distribution of the total magnetisation M = sum_i s_i, by a transfer-matrix recursion that
// also tracks M (O(L^2) work, log space). It tests samplers where the energy histogram cannot:
// a chain stuck in one ordered state has the right energies but the wrong P(M).
#include <vector>

#include "ising/chain.hpp"

namespace spinformer::ising {

// probability[k] = P(M = 2k - L), k = 0..L.
std::vector<double> magnetization_distribution(const Chain& chain);

}  // namespace spinformer::ising
