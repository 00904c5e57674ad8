// The ring with a next-nearest coupling (ising/ring_conditional, ring_next_nearest_chain): its exact
// single-spin conditional and its pair transfer-matrix sampler against brute-force enumeration, with an
// energy written here from the Hamiltonian (not the library's log_weight), and the chapter-5 fact that a
// spaced mask leaves a masked spin's conditional equal to p(s_i | visible spins).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ising/ring_conditional.hpp"
#include "lab/usage_error.hpp"
#include "spin_states.hpp"

namespace spinformer::ising {
namespace {

using test_support::state;

// -H / T of H = -J1 sum s_i s_{i+1} - J2 sum s_i s_{i+2} on the ring, from the definition.
double minus_energy(const std::vector<Spin>& s, double K1, double K2) {
  const int L = static_cast<int>(s.size());
  double w = 0;
  for (int i = 0; i < L; ++i)
    w += K1 * s[std::size_t(i)] * s[std::size_t((i + 1) % L)] + K2 * s[std::size_t(i)] * s[std::size_t((i + 2) % L)];
  return w;
}

TEST(RingNextNearest, ConditionalMatchesEnumeration) {
  for (double J2 : {0.5, -0.8}) {
    const auto c = ring_next_nearest_chain(7, 1.0, J2, 0.9);
    for (unsigned k = 0; k < (1u << 7); ++k) {
      auto s = state(7, k);
      for (int i = 0; i < 7; ++i) {
        s[std::size_t(i)] = +1;
        const double up = std::exp(minus_energy(s, c.K, c.K2));
        s[std::size_t(i)] = -1;
        const double down = std::exp(minus_energy(s, c.K, c.K2));
        s = state(7, k);
        EXPECT_NEAR(conditional_up(c, s.data(), i), up / (up + down), 1e-12) << "state " << k << ", i " << i;
        EXPECT_NEAR(log_weight(c, s.data()), minus_energy(s, c.K, c.K2), 1e-12);
      }
    }
  }
}

// The exact influence: flipping s_{i+-2} moves the log-odds of s_i by 4 K2, s_{i+-1} by 4 K1, others by 0.
TEST(RingNextNearest, InfluenceReachesDistanceTwoOnly) {
  const auto c = ring_next_nearest_chain(10, 1.0, 0.5, 1.0);
  const auto s = state(10, 0x2b5u);
  auto logit = [&](const std::vector<Spin>& x) {
    const double q = conditional_up(c, x.data(), 0);
    return std::log(q / (1 - q));
  };
  for (int r = 1; r <= 5; ++r) {
    auto f = s;
    f[std::size_t(r)] = static_cast<Spin>(-f[std::size_t(r)]);
    const double expected = r == 1 ? 4 * c.K : r == 2 ? 4 * c.K2 : 0.0;
    EXPECT_NEAR(std::abs(logit(f) - logit(s)), expected, 1e-9) << "r = " << r;
  }
}

// Every state's frequency within 5 standard errors of its enumerated probability.
TEST(RingNextNearest, PairTransferSamplerMatchesEnumeration) {
  for (double J2 : {0.5, -0.7}) {
    const int L = 6;
    const auto c = ring_next_nearest_chain(L, 1.0, J2, 1.0);
    const unsigned states = 1u << L;
    std::vector<double> w(states);
    double z = 0;
    for (unsigned k = 0; k < states; ++k) z += w[k] = std::exp(minus_energy(state(L, k), c.K, c.K2));
    const std::size_t n = 200000;
    std::vector<double> count(states, 0);
    const auto samples = sample_exact(c, n, 11);
    for (std::size_t r = 0; r < n; ++r) {
      unsigned k = 0;
      for (int i = 0; i < L; ++i) k |= (samples.row(r)[i] < 0 ? 1u : 0u) << i;
      count[k] += 1;
    }
    for (unsigned k = 0; k < states; ++k) {
      const double p = w[k] / z, se = std::sqrt(p * (1 - p) / double(n));
      EXPECT_NEAR(count[k] / double(n), p, 5 * se + 1e-12) << "J2 " << J2 << ", state " << k;
    }
  }
}

// With masks 4 apart the masked spin's four neighbours are visible, so p(s_0 | visible), summed over the
// other masked spin s_4 by enumeration, equals the local conditional.
TEST(RingNextNearest, SpacedMaskGivesTheLocalConditional) {
  const int L = 8;
  const auto c = ring_next_nearest_chain(L, 1.0, 0.5, 1.0);
  const auto m = spaced_mask(L, 4, 0, true);
  ASSERT_TRUE(m[0] && m[4]);
  for (unsigned k = 0; k < (1u << L); ++k) {
    auto s = state(L, k);
    double up = 0, all = 0;
    for (Spin a : {+1, -1})
      for (Spin b : {+1, -1}) {
        auto x = s;
        x[0] = a, x[4] = b;
        const double w = std::exp(minus_energy(x, c.K, c.K2));
        all += w;
        if (a > 0) up += w;
      }
    EXPECT_NEAR(conditional_up(c, s.data(), 0), up / all, 1e-12) << "state " << k;
  }
}

TEST(RingNextNearest, BadInputIsAUsageError) {
  EXPECT_THROW(ring_next_nearest_chain(4, 1.0, 0.5, 1.0), lab::UsageError);
  EXPECT_THROW(ring_next_nearest_chain(8, 1.0, NAN, 1.0), lab::UsageError);
  EXPECT_THROW(ring_next_nearest_chain(8, 1.0, 0.5, 0.0), lab::UsageError);
  auto open = open_chain_with_edge_fields(8, 1.0, 1.0, 1.0);
  open.K2 = 0.3;
  EXPECT_THROW(sample_exact(open, 4, 1), lab::UsageError);
  const auto c = ring_next_nearest_chain(9, 1.0, 0.5, 1.0);
  EXPECT_EQ(sample_exact(c, 40, 3).spins, sample_exact(c, 40, 3).spins);
}

}  // namespace
}  // namespace spinformer::ising
