// Intervals on a scale where the statistic is unbounded, mapped back (lab/intervals.hpp, issue 26),
// and the number of replicates that would decide a condition; expected values computed by hand
// (Python's statistics.NormalDist and the t quantiles quoted).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "lab/intervals.hpp"

namespace lab = spinformer::lab;

TEST(ScaledIntervals, FisherZForOneCorrelation) {
  // r = 0.5 over 28 points: atanh 0.5 = 0.549306, +- 1.959964 / sqrt 25 = 0.391993 -> tanh
  const auto i = lab::fisher_z_interval(0.5, 28, 0.95);
  EXPECT_DOUBLE_EQ(i.estimate, 0.5);
  EXPECT_NEAR(i.lower, 0.156028, 1e-6);
  EXPECT_NEAR(i.upper, 0.735818, 1e-6);
  EXPECT_THROW(lab::fisher_z_interval(1.0, 28, 0.95), std::invalid_argument);
  EXPECT_THROW(lab::fisher_z_interval(0.5, 3, 0.95), std::invalid_argument);
}

TEST(ScaledIntervals, FisherZOverSeedsStaysInsideMinusOneOne) {
  // r = 0.9, 0.95, 0.99 over 3 seeds: a t interval on r itself reaches 1.0587, past 1; on z it is
  // tanh(mean z +- t_{0.975,2} s_z / sqrt 3) with t_{0.975,2} = 4.302653
  const auto i = lab::fisher_z_t_interval({0.9, 0.95, 0.99}, 0.95);
  EXPECT_NEAR(i.estimate, 0.962847, 1e-6);
  EXPECT_NEAR(i.lower, 0.453208, 1e-6);
  EXPECT_NEAR(i.upper, 0.998097, 1e-6);
  EXPECT_GT(lab::t_interval({0.9, 0.95, 0.99}, 0.95).upper, 1.0);  // the defect it removes
  EXPECT_LT(i.upper, 1.0);
  EXPECT_THROW(lab::fisher_z_t_interval({0.5, -1.0}, 0.95), std::invalid_argument);
}

TEST(ScaledIntervals, LogitForProportions) {
  // 8 of 10: logit 0.8 = ln 4, +- 1.959964 / sqrt(10 * 0.8 * 0.2) -> logistic
  const auto i = lab::logit_interval(8, 10, 0.95);
  EXPECT_DOUBLE_EQ(i.estimate, 0.8);
  EXPECT_NEAR(i.lower, 0.459292, 1e-6);
  EXPECT_NEAR(i.upper, 0.949587, 1e-6);
  // 0 of 10: half a count each side (0.5 / 11), the interval still contains the estimate 0
  const auto z = lab::logit_interval(0, 10, 0.95);
  EXPECT_DOUBLE_EQ(z.estimate, 0.0);
  EXPECT_DOUBLE_EQ(z.lower, 0.0);
  EXPECT_NEAR(z.upper, 0.448314, 1e-6);
  EXPECT_GT(lab::logit_interval(10, 10, 0.95).lower, 0.5);
  EXPECT_LE(lab::logit_interval(10, 10, 0.95).upper, 1.0);
  EXPECT_THROW(lab::logit_interval(11, 10, 0.95), std::invalid_argument);
}

TEST(ScaledIntervals, LogForRatios) {
  // ratios 1 and 4: geometric mean 2; ln-scale sd ln(4)/sqrt 2, t_{0.975,1} = 12.706205
  const auto i = lab::log_t_interval({1.0, 4.0}, 0.95);
  EXPECT_NEAR(i.estimate, 2.0, 1e-12);
  EXPECT_NEAR(i.lower, 2.992824e-4, 1e-9);
  EXPECT_NEAR(i.upper / 13365.30, 1.0, 1e-5);
  EXPECT_GT(i.lower, 0.0);  // a ratio interval never reaches 0
  EXPECT_THROW(lab::log_t_interval({1.0, -1.0}, 0.95), std::invalid_argument);
}

TEST(ScaledIntervals, ReplicatesToDecide) {
  // s = 1 at n = 3: half-width t_{0.975,2} / sqrt 3 = 2.484138; distance 1 needs t_{0.975,m-1} / sqrt m < 1:
  // m = 6 gives 2.570582 / 2.449490 = 1.049, m = 7 gives 2.446912 / 2.645751 = 0.925
  EXPECT_EQ(lab::replicates_to_decide(4.302653 / std::sqrt(3.0), 1.0, 3, 0.95), 7u);
  // count unknown: the factor on today's count, (3 / 1)^2 = 9 lands on the threshold, so 10
  EXPECT_EQ(lab::replicates_to_decide(3.0, 1.0, 0, 0.95), 10u);
  EXPECT_EQ(lab::replicates_to_decide(0.5, 1.0, 0, 0.95), 1u);  // already decided at today's count
  EXPECT_EQ(lab::replicates_to_decide(1.0, 0.0, 5, 0.95), 0u);  // on the threshold: no number decides it
  // more seeds are needed the closer the estimate sits to the threshold
  EXPECT_GT(lab::replicates_to_decide(1.0, 0.1, 5, 0.95), lab::replicates_to_decide(1.0, 0.5, 5, 0.95));
}
