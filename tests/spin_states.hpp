#pragma once
// Enumeration helper shared by the exact-chain tests: state number c (0 <= c < 2^L) as a configuration,
// bit i set meaning s_i = -1, so that c = 0..2^L - 1 visits every configuration once.
#include <cstddef>
#include <vector>

#include "ising/chain.hpp"

namespace spinformer::ising::test_support {

inline std::vector<Spin> state(int L, unsigned c) {
  std::vector<Spin> s(static_cast<std::size_t>(L));
  for (int i = 0; i < L; ++i) s[static_cast<std::size_t>(i)] = ((c >> i) & 1u) ? -1 : +1;
  return s;
}

}  // namespace spinformer::ising::test_support
