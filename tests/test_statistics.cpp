// Tests of the statistics toolbox on cases with known answers.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lab/rng.hpp"
#include "lab/statistics.hpp"

namespace lab = spinformer::lab;

namespace {

// Standard normal by Box-Muller (test-only; enough for AR(1) noise).
double gaussian(lab::Rng& rng) {
  const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

}  // namespace

TEST(StatisticsMean, KnownValues) {
  const lab::Estimate e = lab::mean_and_error({1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(e.value, 2.5);
  // sample std = sqrt(5/3), error = std / 2
  EXPECT_NEAR(e.error, std::sqrt(5.0 / 3.0) / 2.0, 1e-14);
}

TEST(StatisticsJackknife, DeleteOneJackknifeOfMeanIsStandardError) {
  lab::Rng rng(7);
  std::vector<double> x(200);
  for (double& v : x) v = rng.uniform();
  double total = 0;
  for (double v : x) total += v;
  const std::size_t n = x.size();
  // Delete-one jackknife of the mean reproduces the textbook standard error exactly.
  const lab::Estimate jk = lab::jackknife(n, static_cast<int>(n), [&](std::size_t b, std::size_t e) {
    double s = total;
    for (std::size_t k = b; k < e; ++k) s -= x[k];
    return s / static_cast<double>(n - (e - b));
  });
  const lab::Estimate direct = lab::mean_and_error(x);
  EXPECT_NEAR(jk.value, direct.value, 1e-14);
  EXPECT_NEAR(jk.error, direct.error, 1e-12);
}

TEST(StatisticsChiSquare, MendelPeasTextbookValue) {
  // Mendel's dihybrid cross: 315, 108, 101, 32 against 9:3:3:1. chi2 = 0.470, dof 3, p = 0.925.
  const lab::ChiSquareResult r = lab::chi_square_test({315, 108, 101, 32}, {9 / 16.0, 3 / 16.0, 3 / 16.0, 1 / 16.0});
  EXPECT_NEAR(r.chi2, 0.470, 1e-3);
  EXPECT_EQ(r.dof, 3);
  EXPECT_NEAR(r.p_value, 0.9254, 1e-3);
}

TEST(StatisticsChiSquare, OneDofCriticalValue) {
  // Two bins, 50/50 expected, N = 100; observed 60/40 gives chi2 = 4, p = P(chi2_1 > 4) = 0.0455.
  const lab::ChiSquareResult r = lab::chi_square_test({60, 40}, {0.5, 0.5});
  EXPECT_NEAR(r.chi2, 4.0, 1e-12);
  EXPECT_EQ(r.dof, 1);
  EXPECT_NEAR(r.p_value, 0.0455003, 1e-6);
}

TEST(StatisticsChiSquare, MergesSparseBinsInOrder) {
  // Expected counts 1, 1, 3, 995 with min 5: the first three merge into one bin (5), so two bins, dof 1.
  const lab::ChiSquareResult r = lab::chi_square_test({2, 0, 3, 995}, {0.001, 0.001, 0.003, 0.995});
  EXPECT_EQ(r.dof, 1);
  EXPECT_NEAR(r.chi2, 0.0, 1e-9);
  // A short tail joins the last full bin.
  const lab::ChiSquareResult t = lab::chi_square_test({500, 497, 3}, {0.5, 0.498, 0.002});
  EXPECT_EQ(t.dof, 1);
}

TEST(StatisticsChiSquare, UniformSamplePassesWrongDistributionFails) {
  lab::Rng rng(12345);
  std::vector<double> counts(10, 0.0);
  for (int k = 0; k < 100000; ++k) counts[rng.below(10)] += 1;
  const std::vector<double> uniform(10, 0.1);
  EXPECT_GT(lab::chi_square_test(counts, uniform).p_value, 1e-3);
  // The same counts against a mildly tilted distribution (p_k proportional to 1 + 0.05 k) must fail.
  std::vector<double> tilted(10);
  double z = 0;
  for (int k = 0; k < 10; ++k) z += tilted[k] = 1 + 0.05 * k;
  for (double& p : tilted) p /= z;
  EXPECT_LT(lab::chi_square_test(counts, tilted).p_value, 1e-6);
}

TEST(StatisticsAutocorrelation, IidGivesTauOne) {
  lab::Rng rng(99);
  std::vector<double> x(100000);
  for (double& v : x) v = gaussian(rng);
  const lab::Autocorrelation a = lab::integrated_autocorrelation(x);
  EXPECT_NEAR(a.tau_int, 1.0, 0.1);
  EXPECT_NEAR(a.effective_sample_size, static_cast<double>(x.size()), 0.1 * static_cast<double>(x.size()));
}

TEST(StatisticsAutocorrelation, Ar1MatchesExactTau) {
  // x_t = phi x_{t-1} + noise: rho(t) = phi^t, tau_int = (1 + phi) / (1 - phi) = 19 for phi = 0.9.
  const double phi = 0.9;
  lab::Rng rng(2024);
  std::vector<double> x(400000);
  double v = gaussian(rng) / std::sqrt(1 - phi * phi);  // start in the stationary distribution
  for (double& xt : x) xt = v = phi * v + gaussian(rng);
  const lab::Autocorrelation a = lab::integrated_autocorrelation(x);
  const double exact = (1 + phi) / (1 - phi);
  EXPECT_NEAR(a.tau_int, exact, 0.15 * exact);
  EXPECT_GE(a.window, 5.0 * a.tau_int - 1);  // Sokal's criterion W >= c tau
  EXPECT_NEAR(a.effective_sample_size, static_cast<double>(x.size()) / a.tau_int, 1e-6);
}

TEST(StatisticsAutocorrelation, ConstantSeriesIsHarmless) {
  const lab::Autocorrelation a = lab::integrated_autocorrelation(std::vector<double>(100, 3.0));
  EXPECT_EQ(a.tau_int, 1.0);
}
