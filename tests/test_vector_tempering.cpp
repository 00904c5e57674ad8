// Parallel tempering of the vector-spin model (glass/vector_tempering.hpp): the exact Gaussian limit at
// every temperature of the ladder, the pair-overlap R-hat on chains that do and do not agree, the
// replica moments of given records, and the bad options.
#include <gtest/gtest.h>

#include <cmath>

#include "glass/vector_tempering.hpp"
#include "lab/usage_error.hpp"

using namespace spinformer;

namespace {
// Without couplings the targets are the field, u_i = x_i, so H = 1/2 sum_i ||s_i - R x_i / ||x_i||| ||^2:
// every spin is Gaussian around R x_i / ||x_i|| with variance T per component, and <H> / N = D T / 2.
glass::VectorSpinModel uncoupled(int N, int D) {
  auto m = glass::VectorSpinModel::random(N, D, 1.0, 5);
  m.J = Eigen::MatrixXd::Zero(N, N);
  return m;
}
}  // namespace

// Metropolis moves and swaps must both leave each temperature's Boltzmann distribution unchanged: the
// mean energy at every temperature of the ladder matches equipartition within 4% (the statistical error
// is about 1%; a swap accepted with the wrong sign drives the low temperatures' energy up several-fold).
TEST(VectorTempering, EveryTemperatureOfTheLadderMatchesTheExactGaussianLimit) {
  const int N = 6, D = 4;
  const auto model = uncoupled(N, D);
  glass::VectorTemperingOptions o;
  o.temperatures = {0.05, 0.1, 0.2, 0.4, 0.8};
  o.replicas = 2, o.burn_in_sweeps = 4000, o.sweeps = 6000, o.thin = 1, o.seed = 11;  // 24 adaptation steps
  const auto run = glass::run_vector_tempering(model, o);
  ASSERT_EQ(run.energy_per_spin.size(), o.temperatures.size());
  for (std::size_t k = 0; k < o.temperatures.size(); ++k) {
    const double exact = D * o.temperatures[k] / 2;
    EXPECT_NEAR(run.energy_per_spin[k] / exact, 1.0, 0.04) << "T = " << o.temperatures[k];
    EXPECT_NEAR(run.acceptance[k], 0.3, 0.06) << "the width adapts towards 30% acceptance";
  }
  for (double a : run.swap_acceptance) EXPECT_GT(a, 0.05) << "neighbouring temperatures exchange states";
}

// The same with the thesis's fixed width (no adaptation): single-site moves are slow at the high
// temperatures, so swaps carry much of the mixing, and the energies must still be exact.
TEST(VectorTempering, TheThesisWidthWithSwapsStillSamplesEveryTemperature) {
  const int N = 4, D = 4;
  const auto model = uncoupled(N, D);
  glass::VectorTemperingOptions o;
  o.temperatures = {0.02, 0.03, 0.045, 0.07};
  o.replicas = 2, o.burn_in_sweeps = 2000, o.sweeps = 20000, o.thin = 1, o.seed = 3, o.adapt_sigma = false;
  const auto run = glass::run_vector_tempering(model, o);
  for (std::size_t k = 0; k < o.temperatures.size(); ++k)
    EXPECT_NEAR(run.energy_per_spin[k] / (D * o.temperatures[k] / 2), 1.0, 0.06) << "T = " << o.temperatures[k];
}

// The same seed gives the same run.
TEST(VectorTempering, IsReproducible) {
  const auto model = glass::VectorSpinModel::random(8, 4, 0.3, 2);
  glass::VectorTemperingOptions o;
  o.temperatures = {0.1, 0.2};
  o.replicas = 4, o.burn_in_sweeps = 20, o.sweeps = 40, o.thin = 5, o.seed = 9;
  const auto a = glass::run_vector_tempering(model, o), b = glass::run_vector_tempering(model, o);
  ASSERT_EQ(a.tensor_q2[0].size(), 8u);
  EXPECT_EQ(a.tensor_q2[1].back(), b.tensor_q2[1].back());
  EXPECT_EQ(a.energy_per_spin, b.energy_per_spin);
}

// R-hat of the pair overlaps: pairs that fluctuate around one value pass; pairs stuck at different values
// (ladders in different valleys) fail; fewer than two pairs give no answer.
TEST(PairOverlapRhat, TellsAgreeingPairsFromPairsInDifferentValleys) {
  lab::Rng rng(4);
  auto series = [&](double first_pair, double second_pair) {
    glass::OverlapSeries s;
    for (int t = 0; t < 400; ++t) {
      Eigen::MatrixXd q = Eigen::MatrixXd::Identity(4, 4);
      q(0, 1) = q(1, 0) = first_pair + 0.05 * (rng.uniform() - 0.5);
      q(2, 3) = q(3, 2) = second_pair + 0.05 * (rng.uniform() - 0.5);
      s.push_back(q);
    }
    return s;
  };
  EXPECT_LT(glass::pair_overlap_rhat(series(0.5, 0.5), 0, 400), 1.02);
  EXPECT_GT(glass::pair_overlap_rhat(series(0.2, 0.8), 0, 400), 2.0);
  glass::OverlapSeries three(10, Eigen::MatrixXd::Identity(3, 3));
  EXPECT_TRUE(std::isnan(glass::pair_overlap_rhat(three, 0, 10)));
}

// tensor_moments: q2 is the mean over pairs and the chosen records, mean_norm2 the squared norm of the
// mean tensor over those records.
TEST(TensorMoments, AveragesTheChosenRecords) {
  glass::VectorTemperingRun run;
  run.tensor_q2 = {{}};
  run.mean_tensor = {{}};
  for (int t = 0; t < 3; ++t) {
    Eigen::MatrixXd q = Eigen::MatrixXd::Identity(3, 3);
    q(0, 1) = q(1, 0) = 0.1 * (t + 1), q(0, 2) = q(2, 0) = 0.2 * (t + 1), q(1, 2) = q(2, 1) = 0.3 * (t + 1);
    run.tensor_q2[0].push_back(q);
    run.mean_tensor[0].push_back(Eigen::MatrixXd::Identity(2, 2) * (t + 1));
  }
  const auto all = glass::tensor_moments(run, 0, 0, 3);
  EXPECT_NEAR(all.q2, 0.2 * 2, 1e-12);                // mean of 0.2 (t + 1) over t = 0, 1, 2
  EXPECT_NEAR(all.mean_norm2, 2.0 * 2 * 2, 1e-12);    // ||2 I||^2
  const auto last = glass::tensor_moments(run, 0, 2, 3);
  EXPECT_NEAR(last.q2, 0.2 * 3, 1e-12);
  EXPECT_NEAR(last.mean_norm2, 9.0 * 2, 1e-12);
  EXPECT_THROW(glass::tensor_moments(run, 0, 2, 2), std::invalid_argument);
}

TEST(VectorTempering, RefusesBadOptions) {
  const auto model = glass::VectorSpinModel::random(4, 4, 0.0, 1);
  glass::VectorTemperingOptions o;
  o.temperatures = {0.1, 0.2};
  o.replicas = 1;
  EXPECT_THROW(glass::run_vector_tempering(model, o), lab::UsageError);
  o.replicas = 2, o.temperatures = {0.1, -1};
  EXPECT_THROW(glass::run_vector_tempering(model, o), lab::UsageError);
  o.temperatures = {0.1}, o.thin = 0;
  EXPECT_THROW(glass::run_vector_tempering(model, o), lab::UsageError);
}
