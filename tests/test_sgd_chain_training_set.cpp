// The chain model on a finite training set: the fit, SGD's stationary spread about it with and
// without replacement, the KL from the truth (against simulation, within 4 standard errors), and the
// estimation term 1 / (2N) averaged over training sets.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lab/usage_error.hpp"
#include "sgd/chain_training_set.hpp"

using namespace spinformer;
using sgd::ChainTrainingSet;

namespace {

ChainTrainingSet make(long N, long B, double eta, sgd::Sampling sampling) {
  ChainTrainingSet t;
  t.sgd.model.L = 16;
  t.sgd.model.boundary = ising::Boundary::periodic;
  t.sgd.K_true = 0.5;
  t.sgd.eta = eta;
  t.sgd.B = B;
  t.N = N;
  t.sampling = sampling;
  return t;
}

}  // namespace

TEST(SgdChainTrainingSet, FitSolvesTheMomentEquation) {
  const auto t = make(5000, 4, 0.01, sgd::Sampling::with_replacement);
  const auto data = sgd::draw_training_set(t, 3);
  double mean = 0;
  for (double e : data) mean += e / static_cast<double>(data.size());
  const auto p = sgd::predict(t, data);
  EXPECT_NEAR(t.sgd.model.mean_bond_sum(p.fitted_K), mean, 1e-10);
  // Asymptotic normality of the fit: K_hat - K_true ~ N(0, 1 / (N H)).
  EXPECT_LT(std::abs(p.fitted_K - 0.5), 4.0 / std::sqrt(5000 * p.hessian));
  // The data variance of E estimates the Fisher information H (Fisher = Hessian).
  EXPECT_NEAR(p.data_variance / p.hessian, 1.0, 4 * std::sqrt(2.0 / 5000) + 0.01);
}

TEST(SgdChainTrainingSet, SimulationMatchesPredictionWithAndWithoutReplacement) {
  const auto with = make(40, 10, 0.01, sgd::Sampling::with_replacement);
  auto without = with;
  without.sampling = sgd::Sampling::without_replacement;  // c drops by (N - B)/(N - 1) = 0.77
  const auto data = sgd::draw_training_set(with, 8);
  std::uint64_t seed = 30;
  for (const auto& t : {with, without}) {
    const auto p = sgd::predict(t, data);
    const auto sim = sgd::simulate(t, data, 150'000, seed++);
    SCOPED_TRACE(sgd::to_string(t.sampling));
    EXPECT_LT(std::abs(sim.variance.value - p.variance), 4 * sim.variance.error)
        << sim.variance.value << " +- " << sim.variance.error << " vs " << p.variance;
    EXPECT_LT(std::abs(sim.excess_kl.value - p.excess_kl), 4 * sim.excess_kl.error)
        << sim.excess_kl.value << " +- " << sim.excess_kl.error << " vs " << p.excess_kl;
    EXPECT_LT(sim.variance.error / p.variance, 0.03);
    if (t.sampling == sgd::Sampling::without_replacement) {
      EXPECT_GT(std::abs(sim.variance.value - sgd::predict(with, data).variance), 4 * sim.variance.error);
    }
  }
}

TEST(SgdChainTrainingSet, EstimationKlAveragesToOneOverTwoN) {
  const long N = 200;
  const auto t = make(N, 1, 0.01, sgd::Sampling::with_replacement);
  const int sets = 400;
  double sum = 0, sum_sq = 0;
  for (int k = 0; k < sets; ++k) {
    const double kl = sgd::predict(t, sgd::draw_training_set(t, 1000 + static_cast<std::uint64_t>(k))).estimation_kl;
    sum += kl;
    sum_sq += kl * kl;
  }
  const double mean = sum / sets, error = std::sqrt((sum_sq / sets - mean * mean) / (sets - 1));
  EXPECT_LT(std::abs(mean - 1.0 / (2 * N)), 4 * error) << mean << " +- " << error;
  EXPECT_LT(error, 0.15 / (2 * N));
}

TEST(SgdChainTrainingSet, BadInputNamesTheParameter) {
  const auto data = std::vector<double>(10, 16.0);  // every configuration aligned: K_hat = infinity
  try {
    sgd::predict(make(10, 2, 0.01, sgd::Sampling::with_replacement), data);
    ADD_FAILURE();
  } catch (const lab::UsageError& e) {
    EXPECT_EQ(e.parameter(), "--N");
  }
  EXPECT_THROW(sgd::draw_training_set(make(1, 1, 0.01, sgd::Sampling::with_replacement), 1), lab::UsageError);
  EXPECT_THROW(sgd::draw_training_set(make(10, 11, 0.01, sgd::Sampling::without_replacement), 1), lab::UsageError);
}
