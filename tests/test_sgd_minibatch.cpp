// Minibatches: B distinct indices without replacement, every B-subset equally likely (chi-square over
// all subsets), independent of the previous batch; with replacement, uniform indices.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "lab/statistics.hpp"
#include "sgd/minibatch.hpp"

using namespace spinformer;

TEST(SgdMinibatch, WithoutReplacementDrawsUniformSubsets) {
  const long N = 6, B = 3;  // 20 subsets
  sgd::MinibatchSampler sampler(N, B, sgd::Sampling::without_replacement);
  lab::Rng rng(5);
  std::map<unsigned, double> counts;
  std::map<std::pair<unsigned, unsigned>, double> pairs;  // (previous, next): independence across steps
  unsigned previous = 0;
  const int draws = 200'000;
  for (int k = 0; k < draws; ++k) {
    unsigned mask = 0;
    for (auto i : sampler.draw(rng)) {
      ASSERT_LT(i, static_cast<unsigned>(N));
      ASSERT_FALSE(mask >> i & 1u) << "index drawn twice";
      mask |= 1u << i;
    }
    counts[mask] += 1;
    if (k > 0) pairs[{previous, mask}] += 1;
    previous = mask;
  }
  ASSERT_EQ(counts.size(), 20u);
  std::vector<double> observed, expected;
  for (const auto& [mask, c] : counts) observed.push_back(c), expected.push_back(1.0 / 20);
  EXPECT_GT(lab::chi_square_test(observed, expected).p_value, 1e-4);
  observed.clear(), expected.clear();
  for (const auto& [key, c] : pairs) observed.push_back(c), expected.push_back(1.0 / 400);
  observed.resize(400, 0.0), expected.resize(400, 1.0 / 400);
  EXPECT_GT(lab::chi_square_test(observed, expected).p_value, 1e-4);
}

TEST(SgdMinibatch, WithReplacementDrawsUniformIndices) {
  sgd::MinibatchSampler sampler(7, 4, sgd::Sampling::with_replacement);
  lab::Rng rng(9);
  std::vector<double> counts(7, 0.0);
  bool repeated = false;
  for (int k = 0; k < 50'000; ++k) {
    std::set<unsigned> seen;
    for (auto i : sampler.draw(rng)) {
      counts[i] += 1;
      repeated |= !seen.insert(i).second;
    }
  }
  EXPECT_TRUE(repeated);
  EXPECT_GT(lab::chi_square_test(counts, std::vector<double>(7, 1.0 / 7)).p_value, 1e-4);
}
