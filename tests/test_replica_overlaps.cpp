// Chapter 4's replica measurement: the tensor overlap of vector spins (rotation invariance, its null
// value), the spin-glass susceptibility from replica moments, and the Gaussian-coupling identity
// e_J = -(beta/2)(1 - [<q^2>]) that parallel tempering on binary SK must satisfy in equilibrium.
#include <gtest/gtest.h>

#include <cmath>

#include "glass/replicas.hpp"
#include "glass/sk_monte_carlo.hpp"
#include "glass/vector_replicas.hpp"
#include "lab/statistics.hpp"

using namespace spinformer;

namespace {
glass::State isotropic(int N, int D, std::uint64_t seed) {
  auto rng = lab::Rng::stream(seed, 0);
  glass::State s(N, D);
  for (int i = 0; i < N; ++i)
    for (int d = 0; d < D; ++d) s(i, d) = glass::standard_normal(rng);
  return s;
}
Eigen::MatrixXd random_rotation(int D, std::uint64_t seed) {
  const glass::State g = isotropic(D, D, seed);
  const Eigen::MatrixXd m = g;
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(m);
  return Eigen::MatrixXd(qr.householderQ());
}
}  // namespace

// A global rotation of one replica leaves ||Q_ab||_F unchanged, while the site-wise cosine of a
// state with its own rotated copy falls far from 1: the cosine calls two copies of one frozen state
// unrelated, the tensor overlap does not.
TEST(TensorOverlap, InvariantUnderAGlobalRotationWhereTheCosineIsNot) {
  const int N = 40, D = 6;
  const glass::State a = isotropic(N, D, 1), b = isotropic(N, D, 2);
  const Eigen::MatrixXd O = random_rotation(D, 3);
  ASSERT_NEAR((O.transpose() * O - Eigen::MatrixXd::Identity(D, D)).norm(), 0, 1e-12);
  const glass::State b_rot = b * O, a_rot = a * O;
  EXPECT_NEAR(glass::tensor_overlap(a, b_rot).squaredNorm(), glass::tensor_overlap(a, b).squaredNorm(), 1e-12);
  // a state against its own rotated copy: the tensor overlap is that of identical replicas, 1/D
  // for an isotropic state at large N, and the same as against the unrotated copy
  EXPECT_NEAR(glass::tensor_overlap(a, a_rot).squaredNorm(), glass::tensor_overlap(a, a).squaredNorm(), 1e-12);
  EXPECT_GT(glass::tensor_overlap(a, a).squaredNorm(), 0.5 / D);
  EXPECT_NEAR(glass::alignment(a, a), 1.0, 1e-12);
  EXPECT_LT(std::abs(glass::alignment(a, a_rot)), 0.6);  // the cosine of the same state, rotated
}

// Independent isotropic states: E[N ||Q_ab||_F^2] = 1 exactly (only i = j terms survive).
TEST(TensorOverlap, NullValueIsOneOverN) {
  const int N = 16, D = 4, pairs = 600;
  std::vector<double> x;
  for (int k = 0; k < pairs; ++k)
    x.push_back(N * glass::tensor_overlap(isotropic(N, D, 10 + 2 * k), isotropic(N, D, 11 + 2 * k)).squaredNorm());
  const auto m = lab::mean_and_error(x);
  EXPECT_LT(m.error, 0.05);
  EXPECT_NEAR(m.value, 1.0, 4 * m.error);
}

TEST(SpinGlassSusceptibility, FromReplicaMoments) {
  glass::OverlapSeries series(10, Eigen::MatrixXd::Identity(3, 3));
  for (std::size_t t = 0; t < series.size(); ++t)
    for (int a = 0; a < 3; ++a)
      for (int b = a + 1; b < 3; ++b) series[t](a, b) = series[t](b, a) = t % 2 ? 0.5 : 0.1;
  const auto m = glass::binary_moments(series);
  EXPECT_NEAR(m.q2, (0.25 + 0.01) / 2, 1e-12);
  EXPECT_NEAR(m.mean_norm2, 0.09, 1e-12);
  EXPECT_NEAR(glass::spin_glass_susceptibility(100, m, true), 100 * (0.13 - 0.09), 1e-9);
  EXPECT_NEAR(glass::spin_glass_susceptibility(100, m, false), 100 * 0.13, 1e-9);  // h = 0: the mean is zero by symmetry
}

// Integration by parts over Gaussian J_ij of variance 1/N gives, at every N and h, the disorder average
// e_J = -(beta/2)(1 - [<q^2>]). A sampler with a wrong acceptance or swap rule, or one that has not
// equilibrated, misses it (a wrong beta or field term by 0.2 or more); the tolerance is four standard
// errors of the disorder mean (itself < 0.05).
TEST(SkEnergyIdentity, HoldsInEquilibratedParallelTempering) {
  const int N = 24, samples = 48;
  const std::vector<double> temps{0.45, 0.55, 0.67, 0.8, 0.97, 1.18, 1.43};
  glass::sk::ReplicaRunOptions o;
  o.replicas = 2, o.burn_in_sweeps = 500, o.sweeps = 1500, o.thin = 3;
  std::vector<std::vector<double>> diff(temps.size());
  for (int s = 0; s < samples; ++s) {
    o.seed = 1000 + s;
    const auto run = glass::sk::run_replicas(glass::sk::Instance::random(N, 0.3, 77 + s), temps, o);
    for (std::size_t k = 0; k < temps.size(); ++k)
      diff[k].push_back(run.coupling_energy_per_spin[k] + 0.5 / temps[k] * (1 - glass::binary_moments(run.overlaps[k]).q2));
  }
  for (std::size_t k : {std::size_t(0), temps.size() / 2, temps.size() - 1}) {
    const auto m = lab::mean_and_error(diff[k]);
    EXPECT_LT(m.error, 0.05) << "T " << temps[k];  // the sample-to-sample spread of q^2 is large at low T
    EXPECT_NEAR(m.value, 0.0, 4 * m.error) << "T " << temps[k];
  }
}
