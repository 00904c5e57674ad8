// The exact raster-order conditionals of the torus (ising2d/conditionals.hpp) against brute force:
// at L = 3 and 4 every p(s_i | s_<i) equals the ratio of prefix marginals summed over all 2^(L^2)
// configurations; at L = 5..8 the conditionals multiply up to the Boltzmann weight over Kaufman's Z.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "ising2d/conditionals.hpp"
#include "ising2d/exact.hpp"

namespace spinformer::ising2d {
namespace {

// sum over bonds of s s' on the L x L torus (each site's right and lower bond)
int bond_sum(const std::vector<std::int8_t>& s, int L) {
  int b = 0;
  for (int r = 0; r < L; ++r)
    for (int c = 0; c < L; ++c)
      b += s[r * L + c] * (s[r * L + (c + 1) % L] + s[((r + 1) % L) * L + c]);
  return b;
}

std::vector<std::int8_t> random_configuration(int L, std::mt19937_64& rng) {
  std::vector<std::int8_t> s(L * L);
  for (auto& x : s) x = (rng() & 1u) ? 1 : -1;
  return s;
}

// log p(s_i | s_<i) by enumeration: the Boltzmann weight of every configuration goes to the bucket
// of its common prefix length with `target`; P(k) = weight of configurations agreeing on s_0..s_{k-1}.
std::vector<double> enumerated_conditionals(const std::vector<std::int8_t>& target, int L, double beta) {
  const int N = L * L;
  std::vector<double> bucket(N + 1, 0.0);
  std::vector<std::int8_t> s(N);
  for (std::uint64_t code = 0; code < (std::uint64_t{1} << N); ++code) {
    for (int i = 0; i < N; ++i) s[i] = (code >> i) & 1u ? 1 : -1;
    int k = 0;
    while (k < N && s[k] == target[k]) ++k;
    bucket[k] += std::exp(beta * bond_sum(s, L));
  }
  std::vector<double> prefix(N + 1, 0.0);  // prefix[k] = sum of bucket[k..N]
  for (int k = N; k >= 0; --k) prefix[k] = bucket[k] + (k < N ? prefix[k + 1] : 0.0);
  std::vector<double> out(N);
  for (int i = 0; i < N; ++i) out[i] = std::log(prefix[i + 1] / prefix[i]);
  return out;
}

TEST(RasterConditionals, EveryConditionalMatchesEnumerationAtL3AndL4) {
  std::mt19937_64 rng(7);
  for (int L : {3, 4})
    for (double beta : {0.2, 1.0 / 2.269185314213022, 0.8}) {
      const RasterConditionals exact(L, beta);
      for (int k = 0; k < 3; ++k) {
        const auto s = random_configuration(L, rng);
        const auto want = enumerated_conditionals(s, L, beta);
        const auto got = exact.log_conditionals(s.data());
        for (int i = 0; i < L * L; ++i)
          EXPECT_NEAR(got[i], want[i], 1e-12) << "L = " << L << " beta = " << beta << " site " << i;
      }
    }
}

TEST(RasterConditionals, LogZIsKaufmansAndConditionalsMultiplyToTheBoltzmannWeight) {
  std::mt19937_64 rng(11);
  for (int L : {5, 6, 8})
    for (double T : {1.5, 2.269185314213022, 3.0}) {
      const double beta = 1.0 / T;
      const RasterConditionals exact(L, beta);
      const double log_z = kaufman_thermodynamics(L, L, 1.0, T).log_z;
      EXPECT_NEAR(exact.log_z(), log_z, 1e-10 * log_z) << "L = " << L << " T = " << T;
      for (int k = 0; k < 3; ++k) {
        auto s = random_configuration(L, rng);
        if (k == 0) std::fill(s.begin(), s.end(), std::int8_t{1});  // a ground state
        double sum = 0;
        for (double v : exact.log_conditionals(s.data())) {
          EXPECT_LE(v, 0.0);
          sum += v;
        }
        EXPECT_NEAR(sum, beta * bond_sum(s, L) - log_z, 1e-9) << "L = " << L << " T = " << T;
      }
    }
}

TEST(RasterConditionals, AboveTheFirstRowLimitOnlyTheFirstRowIsUnknown) {
  const int L = RasterConditionals::kMaxFirstRowL + 1;
  const RasterConditionals exact(L, 0.4);
  std::mt19937_64 rng(3);
  const auto s = random_configuration(L, rng);
  const auto v = exact.log_conditionals(s.data());
  for (int i = 0; i < L * L; ++i) {
    if (i < L)
      EXPECT_TRUE(std::isnan(v[i])) << i;
    else
      EXPECT_TRUE(std::isfinite(v[i]) && v[i] < 0) << i;
  }
  EXPECT_NEAR(exact.log_z(), kaufman_thermodynamics(L, L, 1.0, 2.5).log_z, 1e-9 * exact.log_z());
}

TEST(RasterConditionals, RejectsBadInput) {
  EXPECT_THROW(RasterConditionals(2, 0.4), std::invalid_argument);
  EXPECT_THROW(RasterConditionals(RasterConditionals::kMaxL + 1, 0.4), std::invalid_argument);
  EXPECT_THROW(RasterConditionals(4, 0.0), std::invalid_argument);
  EXPECT_THROW(RasterConditionals(4, std::nan("")), std::invalid_argument);
  const RasterConditionals exact(3, 0.4);
  std::vector<std::int8_t> s(9, 1);
  s[4] = 0;
  EXPECT_THROW(exact.log_conditionals(s.data()), std::invalid_argument);
}

}  // namespace
}  // namespace spinformer::ising2d
