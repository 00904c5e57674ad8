// The exact single-spin conditional and the exact sampler of ising/ring_conditional against brute-force
// enumeration of small chains (ring and open chain with edge fields).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ising/ring_conditional.hpp"
#include "lab/usage_error.hpp"
#include "spin_states.hpp"

namespace spinformer::ising {
namespace {

using test_support::state;

// p(s_i = +1 | rest) from the joint weights of the two states that differ at i.
double brute_conditional(const LocalChain& c, std::vector<Spin> s, int i) {
  s[static_cast<std::size_t>(i)] = +1;
  const double up = std::exp(log_weight(c, s.data()));
  s[static_cast<std::size_t>(i)] = -1;
  const double down = std::exp(log_weight(c, s.data()));
  return up / (up + down);
}

void expect_conditionals_match(const LocalChain& c) {
  for (unsigned k = 0; k < (1u << c.L); ++k) {
    const auto s = state(c.L, k);
    for (int i = 0; i < c.L; ++i) {
      EXPECT_NEAR(conditional_up(c, s.data(), i), brute_conditional(c, s, i), 1e-12) << "state " << k << ", i " << i;
      const double p = brute_conditional(c, s, i);
      EXPECT_NEAR(log_conditional(c, s.data(), i), std::log(s[static_cast<std::size_t>(i)] > 0 ? p : 1 - p), 1e-12);
    }
  }
}

TEST(RingConditional, MatchesEnumerationOnTheRingIncludingTheWrappedEnds) {
  expect_conditionals_match(ring_chain(7, 1.0, 0.3, 0.8));
  expect_conditionals_match(ring_chain(5, -0.7, 0.0, 1.5));
}

TEST(RingConditional, MatchesEnumerationOnTheOpenChainWithEdgeFields) {
  expect_conditionals_match(open_chain_with_edge_fields(6, 1.0, 1.5, 1.0));
}

TEST(RingConditional, EndSpinsOfTheRingSeeTheirWrappedNeighbour) {
  const auto c = ring_chain(6, 1.0, 0.0, 1.0);
  std::vector<Spin> s{+1, -1, -1, -1, -1, +1};  // s_1 has neighbours s_6 = +1 and s_2 = -1: field 0
  EXPECT_NEAR(conditional_up(c, s.data(), 0), 0.5, 1e-15);
  const auto open = open_chain_with_edge_fields(6, 1.0, 0.0, 1.0);
  EXPECT_NEAR(conditional_up(open, s.data(), 0), 1.0 / (1.0 + std::exp(2.0)), 1e-15);
}

// Every state's frequency in exact samples within 5 standard errors of its enumerated probability.
void expect_sampler_matches(const LocalChain& c, std::size_t n) {
  const unsigned states = 1u << c.L;
  std::vector<double> w(states);
  double z = 0;
  for (unsigned k = 0; k < states; ++k) z += w[k] = std::exp(log_weight(c, state(c.L, k).data()));
  std::vector<double> count(states, 0);
  const auto samples = sample_exact(c, n, 7);
  for (std::size_t r = 0; r < n; ++r) {
    unsigned k = 0;
    for (int i = 0; i < c.L; ++i) k |= (samples.row(r)[i] < 0 ? 1u : 0u) << i;
    count[k] += 1;
  }
  for (unsigned k = 0; k < states; ++k) {
    const double p = w[k] / z, se = std::sqrt(p * (1 - p) / double(n));
    EXPECT_NEAR(count[k] / double(n), p, 5 * se + 1e-12) << "state " << k;
  }
}

TEST(RingConditional, ExactSamplerMatchesEnumeration) {
  expect_sampler_matches(ring_chain(5, 1.0, 0.4, 1.0), 200000);
  expect_sampler_matches(open_chain_with_edge_fields(5, 1.0, 2.0, 1.0), 200000);
}

TEST(RingConditional, SameSeedSameSamples) {
  const auto c = ring_chain(12, 1.0, 0.0, 1.0);
  EXPECT_EQ(sample_exact(c, 50, 3).spins, sample_exact(c, 50, 3).spins);
  EXPECT_NE(sample_exact(c, 50, 3).spins, sample_exact(c, 50, 4).spins);
}

TEST(RingConditional, SpacedMaskLeavesBothNeighboursOfEveryMaskedSpinVisible) {
  for (int L : {9, 10, 11, 64})
    for (int spacing : {3, 4})
      for (int offset = 0; offset < spacing; ++offset)
        for (bool periodic : {true, false}) {
          const auto m = spaced_mask(L, spacing, offset, periodic);
          int masked = 0;
          for (int i = 0; i < L; ++i) {
            if (!m[static_cast<std::size_t>(i)]) continue;
            ++masked;
            if (i > 0 || periodic) {
              EXPECT_FALSE(m[static_cast<std::size_t>((i + L - 1) % L)]);
            }
            if (i < L - 1 || periodic) {
              EXPECT_FALSE(m[static_cast<std::size_t>((i + 1) % L)]);
            }
          }
          EXPECT_GE(masked, L / spacing - 1);
        }
  // When spacing divides L, the offsets 0..spacing-1 mask every site exactly once.
  for (int spacing : {3, 4}) {
    std::vector<int> covered(12, 0);
    for (int o = 0; o < spacing; ++o) {
      const auto m = spaced_mask(12, spacing, o, true);
      for (int i = 0; i < 12; ++i) covered[static_cast<std::size_t>(i)] += m[static_cast<std::size_t>(i)];
    }
    for (int c : covered) EXPECT_EQ(c, 1);
  }
  EXPECT_THROW(spaced_mask(10, 2, 0, true), lab::UsageError);
}

}  // namespace
}  // namespace spinformer::ising
