// SGD on quadratics: the exact stationary variance (1D) and covariance (discrete Lyapunov equation)
// against enumeration, closed forms and simulation (within 4 standard errors that include the
// autocorrelation of the iterates), and the small-eta formula rejected where it is off.
#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "lab/rng.hpp"
#include "lab/usage_error.hpp"
#include "sgd/quadratic.hpp"

using namespace spinformer::sgd;

namespace {

Quadratic1d make(double eta, double h, double sigma2, long B, long N, Sampling s = Sampling::with_replacement) {
  Quadratic1d q;
  q.eta = eta;
  q.h = h;
  q.sigma2 = sigma2;
  q.B = B;
  q.N = N;
  q.sampling = s;
  return q;
}

double z_score(const SimulatedMoment& m, double expected) { return (m.value - expected) / m.error; }

}  // namespace

// Variance of the mean of every B-subset of N values (each subset equally likely), by enumeration.
TEST(SgdQuadratic, WithoutReplacementFactorMatchesEnumeration) {
  const std::vector<double> x = {0.3, -1.2, 2.0, 0.7, -0.4, 1.1, -2.5};
  const long N = static_cast<long>(x.size());
  double mu = 0, pop_var = 0;
  for (double v : x) mu += v / N;
  for (double v : x) pop_var += (v - mu) * (v - mu) / N;
  for (long B = 1; B <= N; ++B) {
    double sum_sq = 0;
    long count = 0;
    for (unsigned mask = 0; mask < (1u << N); ++mask) {
      if (__builtin_popcount(mask) != B) continue;
      double m = 0;
      for (long i = 0; i < N; ++i)
        if (mask >> i & 1u) m += x[static_cast<std::size_t>(i)] / B;
      sum_sq += (m - mu) * (m - mu);
      ++count;
    }
    EXPECT_NEAR(sum_sq / count, pop_var * batch_noise_factor(B, N, Sampling::without_replacement), 1e-12) << B;
  }
  EXPECT_DOUBLE_EQ(batch_noise_factor(4, 10, Sampling::with_replacement), 0.25);
}

// The formula column of the reference sheet's table. It is evaluated at the population variance of the
// sheet's own N = 1000 data set, 0.9727 (all five entries are 0.9727 times the sigma2 = 1 values).
TEST(SgdQuadratic, StationaryVarianceMatchesReferenceTable) {
  const double s2 = 0.9727;
  EXPECT_NEAR(stationary_variance(make(0.1, 1, s2, 4, 1000)), 0.01280, 5e-6);
  EXPECT_NEAR(stationary_variance(make(0.2, 1, s2, 8, 1000)), 0.01351, 5e-6);
  EXPECT_NEAR(stationary_variance(make(0.1, 1, s2, 4, 1000, Sampling::without_replacement)), 0.01276, 5e-6);
  EXPECT_NEAR(stationary_variance(make(0.5, 2, s2, 16, 1000)), 0.06079, 5e-6);
  EXPECT_NEAR(stationary_variance(make(0.05, 4, s2, 4, 1000)), 0.02702, 5e-6);
  // Small-eta limit: exact / small = 2 / (2 - eta h), so off by 2x at eta h = 1.
  const auto q = make(1.0, 1.0, 1.0, 1, 1000);
  EXPECT_NEAR(stationary_variance(q) / stationary_variance_small_eta(q), 2.0, 1e-12);
  EXPECT_NEAR(excess_loss(q), 0.5 * q.h * stationary_variance(q), 1e-15);
  // Scaling eta and B together changes Var by (2 - eta h) / (2 - 2 eta h).
  const double v1 = stationary_variance(make(0.2, 1, 1, 4, 1000)), v2 = stationary_variance(make(0.4, 1, 1, 8, 1000));
  EXPECT_NEAR(v2 / v1, (2 - 0.2) / (2 - 0.4), 1e-12);
}

TEST(SgdQuadratic, SimulatedVarianceMatchesExact) {
  struct Case {
    Quadratic1d q;
    long steps;
  };
  const std::vector<Case> cases = {
      {make(0.1, 1, 1, 4, 1000), 200'000},
      {make(0.5, 2, 1, 16, 1000), 100'000},
      {make(0.05, 4, 2.5, 4, 200), 200'000},
      {make(0.3, 1, 1, 5, 10, Sampling::without_replacement), 200'000},
      {make(1.5, 1, 1, 1, 50), 200'000},  // eta h > 1: the iterate oscillates
  };
  std::uint64_t seed = 11;
  for (const auto& c : cases) {
    const auto sim = simulate_stationary_variance(c.q, c.steps, seed++);
    const double exact = stationary_variance(c.q);
    EXPECT_LT(std::abs(z_score(sim, exact)), 4.0)
        << "eta " << c.q.eta << " h " << c.q.h << " B " << c.q.B << ": " << sim.value << " +- " << sim.error
        << " vs " << exact;
    EXPECT_LT(sim.error / exact, 0.03);  // the test has the power it claims
    EXPECT_GT(sim.tau_int, 0.5);
  }
}

// Power: simulation separates the exact formula from the small-eta one and from the with-replacement
// one where they differ by ~10-40%.
TEST(SgdQuadratic, SimulationRejectsWrongFormulas) {
  const auto without = make(0.3, 1, 1, 5, 10, Sampling::without_replacement);
  const auto sim = simulate_stationary_variance(without, 200'000, 5);
  auto with = without;
  with.sampling = Sampling::with_replacement;
  EXPECT_GT(std::abs(z_score(sim, stationary_variance(with))), 4.0);
  EXPECT_GT(std::abs(z_score(sim, stationary_variance_small_eta(without))), 4.0);
  const auto big_step = make(0.8, 1, 1, 2, 1000);
  const auto sim2 = simulate_stationary_variance(big_step, 100'000, 6);
  EXPECT_LT(std::abs(z_score(sim2, stationary_variance(big_step))), 4.0);
  EXPECT_GT(std::abs(z_score(sim2, stationary_variance_small_eta(big_step))), 4.0);
}

// Warmup then decay: the exact recursion against an ensemble of independent SGD runs, and the two
// limits: slow decay ends at the stationary value of the final eta, a quench keeps an excess.
TEST(SgdQuadratic, ScheduleFollowsExactRecursion) {
  const auto q = make(0.1, 1.0, 1.0, 2, 50);
  std::vector<double> etas;
  for (int t = 0; t < 20; ++t) etas.push_back(0.05 + 0.045 * t);   // warmup to 0.905
  for (int t = 0; t < 60; ++t) etas.push_back(0.9 * std::pow(0.95, t));  // decay to ~0.043
  const auto exact = variance_under_schedule(q, etas, 0.0);
  // Ensemble: runs independent, so the standard error is the plain one.
  spinformer::lab::Rng data_rng(1);
  std::vector<double> x(50);
  double m = 0, ss = 0;
  for (auto& v : x) v = static_cast<double>(data_rng.uniform()) - 0.5, m += v / 50;
  for (auto& v : x) v -= m, ss += v * v / 50;
  for (auto& v : x) v /= std::sqrt(ss);
  const int runs = 20000;
  std::vector<double> end(runs), peak(runs);
  spinformer::lab::Rng rng(2);
  for (int r = 0; r < runs; ++r) {
    double theta = 0;
    for (std::size_t t = 0; t < etas.size(); ++t) {
      const double xbar = 0.5 * (x[rng.below(50)] + x[rng.below(50)]);
      theta -= etas[t] * q.h * (theta - xbar);
      if (t == 19) peak[r] = theta * theta;
    }
    end[r] = theta * theta;
  }
  for (const auto& [series, t] : {std::pair{&peak, 19}, std::pair{&end, 79}}) {
    double mean = 0, var = 0;
    for (double v : *series) mean += v / runs;
    for (double v : *series) var += (v - mean) * (v - mean) / (runs - 1);
    EXPECT_LT(std::abs(mean - exact[t]), 4 * std::sqrt(var / runs)) << t << ": " << mean << " vs " << exact[t];
  }
  // A constant schedule converges to the stationary variance.
  const auto flat = variance_under_schedule(q, std::vector<double>(400, 0.1), 0.0);
  EXPECT_NEAR(flat.back(), stationary_variance(q), 1e-12);
  EXPECT_THROW(variance_under_schedule(q, {0.1, 2.5}, 0.0), spinformer::lab::UsageError);
}

TEST(SgdQuadratic, SameSeedSameTrajectory) {
  const auto q = make(0.1, 1, 1, 4, 100, Sampling::without_replacement);
  const auto a = simulate_stationary_variance(q, 1000, 3), b = simulate_stationary_variance(q, 1000, 3);
  EXPECT_EQ(a.value, b.value);
  EXPECT_NE(a.value, simulate_stationary_variance(q, 1000, 4).value);
}

TEST(SgdQuadratic, BadInputNamesTheParameter) {
  const auto expect_param = [](const Quadratic1d& q, const std::string& param) {
    try {
      stationary_variance(q);
      ADD_FAILURE() << "no error for " << param;
    } catch (const spinformer::lab::UsageError& e) {
      EXPECT_EQ(e.parameter(), param);
    }
  };
  expect_param(make(0, 1, 1, 1, 10), "--eta");
  expect_param(make(2.0, 1, 1, 1, 10), "--eta");  // eta h = 2: no stationary state
  expect_param(make(0.1, -1, 1, 1, 10), "--h");
  expect_param(make(0.1, 1, NAN, 1, 10), "--sigma2");
  expect_param(make(0.1, 1, 1, 0, 10), "--batch");
  expect_param(make(0.1, 1, 1, 11, 10, Sampling::without_replacement), "--batch");
  expect_param(make(0.1, 1, 1, 1, 1), "--N");
}

// ---- many dimensions ------------------------------------------------------------------------------

namespace {

QuadraticNd make_nd(double eta, long B, long N, Sampling s = Sampling::with_replacement) {
  QuadraticNd q;
  q.hessian.resize(3, 3);
  q.hessian << 2.0, 0.5, 0.0,  //
      0.5, 1.0, 0.3,           //
      0.0, 0.3, 0.25;
  q.noise_covariance.resize(3, 3);
  q.noise_covariance << 1.0, -0.4, 0.2,  //
      -0.4, 2.0, 0.5,                    //
      0.2, 0.5, 0.8;
  q.eta = eta;
  q.B = B;
  q.N = N;
  q.sampling = s;
  return q;
}

}  // namespace

TEST(SgdQuadratic, LyapunovSolutionsSatisfyTheirEquations) {
  const auto q = make_nd(0.4, 2, 1000);
  const Eigen::MatrixXd S = stationary_covariance(q);
  const Eigen::MatrixXd M = Eigen::MatrixXd::Identity(3, 3) - q.eta * q.hessian;
  const Eigen::MatrixXd Q = q.eta * q.eta / q.B * q.noise_covariance;
  EXPECT_LT((S - M * S * M.transpose() - Q).norm(), 1e-13);
  const Eigen::MatrixXd C = stationary_covariance_small_eta(q);
  EXPECT_LT((q.hessian * C + C * q.hessian - q.eta / q.B * q.noise_covariance).norm(), 1e-13);
  // Independent route for symmetric A: in the eigenbasis S_ij = eta c C_ij / (l_i + l_j - eta l_i l_j).
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(q.hessian);
  const Eigen::MatrixXd U = eig.eigenvectors();
  const Eigen::MatrixXd Ct = U.transpose() * q.noise_covariance * U;
  Eigen::MatrixXd St(3, 3);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const double li = eig.eigenvalues()(i), lj = eig.eigenvalues()(j);
      St(i, j) = q.eta / q.B * Ct(i, j) / (li + lj - q.eta * li * lj);
    }
  EXPECT_LT((U * St * U.transpose() - S).norm(), 1e-13);
  // One dimension reduces to the scalar formula (C = h^2 sigma2).
  QuadraticNd one;
  one.hessian = Eigen::MatrixXd::Constant(1, 1, 2.0);
  one.noise_covariance = Eigen::MatrixXd::Constant(1, 1, 4.0 * 0.7);
  one.eta = 0.3;
  one.B = 3;
  one.N = 20;
  one.sampling = Sampling::without_replacement;
  EXPECT_NEAR(stationary_covariance(one)(0, 0),
              stationary_variance(make(0.3, 2.0, 0.7, 3, 20, Sampling::without_replacement)), 1e-14);
}

TEST(SgdQuadratic, SmallEtaLimitOfTheDiscreteCovariance) {
  // Sigma_discrete / eta -> Sigma_continuous / eta with a relative error O(eta).
  double previous = INFINITY;
  for (double eta : {0.1, 0.01, 0.001}) {
    const auto q = make_nd(eta, 1, 1000);
    const double rel = (stationary_covariance(q) - stationary_covariance_small_eta(q)).norm() /
                       stationary_covariance_small_eta(q).norm();
    EXPECT_LT(rel, 2.0 * eta);
    EXPECT_LT(rel, previous / 5);
    previous = rel;
  }
}

TEST(SgdQuadratic, SimulatedCovarianceMatchesDiscreteLyapunov) {
  for (const auto& q : {make_nd(0.4, 2, 1000), make_nd(0.5, 4, 12, Sampling::without_replacement)}) {
    const auto sim = simulate_stationary_covariance(q, 200'000, 21);
    const Eigen::MatrixXd exact = stationary_covariance(q);
    const Eigen::MatrixXd small = stationary_covariance_small_eta(q);
    double worst_small = 0;
    for (int a = 0; a < 3; ++a)
      for (int b = a; b < 3; ++b) {
        EXPECT_LT(std::abs(sim.value(a, b) - exact(a, b)), 4.0 * sim.error(a, b))
            << a << b << ": " << sim.value(a, b) << " +- " << sim.error(a, b) << " vs " << exact(a, b);
        worst_small = std::max(worst_small, std::abs(sim.value(a, b) - small(a, b)) / sim.error(a, b));
      }
    EXPECT_GT(worst_small, 4.0);  // the small-eta covariance is rejected at eta l_max ~ 1
  }
}

// exp(-L/T) with one scalar T needs Sigma = T A^{-1}: with the continuous equation that is isotropic
// noise C ∝ I (then tr(A Sigma)/2 = d T / 2 whatever A: equipartition); Fisher = Hessian (C = A) gives
// Sigma ∝ I instead, not Gibbs unless A ∝ I, and an excess loss that grows with the curvature.
// In discrete time the Gibbs noise is C ∝ 2 I - eta A.
TEST(SgdQuadratic, WhenAScalarTemperatureExists) {
  auto q = make_nd(0.01, 1, 1000);
  const Eigen::MatrixXd I = Eigen::MatrixXd::Identity(3, 3);
  q.noise_covariance = 0.8 * I;
  const auto isotropic = gibbs_fit(q.hessian, stationary_covariance_small_eta(q));
  EXPECT_LT(isotropic.misfit, 1e-12);
  EXPECT_NEAR(isotropic.temperature, q.eta * 0.8 / 2, 1e-15);
  EXPECT_NEAR(excess_loss(q, stationary_covariance_small_eta(q)), 3 * q.eta * 0.8 / 4, 1e-15);
  EXPECT_GT(gibbs_fit(q.hessian, stationary_covariance(q)).misfit, 1e-4);  // finite eta: not exactly
  q.noise_covariance = 0.8 * (2 * I - q.eta * q.hessian);
  EXPECT_LT(gibbs_fit(q.hessian, stationary_covariance(q)).misfit, 1e-12);

  q.noise_covariance = q.hessian;  // Fisher = Hessian
  const Eigen::MatrixXd S = stationary_covariance_small_eta(q);
  EXPECT_LT((S - q.eta / 2 * I).norm(), 1e-14);
  EXPECT_GT(gibbs_fit(q.hessian, S).misfit, 0.3);
  EXPECT_NEAR(excess_loss(q, S), q.eta * q.hessian.trace() / 4, 1e-15);
}

TEST(SgdQuadratic, BadMatricesNameTheParameter) {
  auto q = make_nd(0.1, 1, 100);
  q.hessian(0, 1) = 3.0;  // not symmetric
  EXPECT_THROW(stationary_covariance(q), spinformer::lab::UsageError);
  q = make_nd(1.5, 1, 100);  // eta l_max > 2
  try {
    stationary_covariance(q);
    ADD_FAILURE();
  } catch (const spinformer::lab::UsageError& e) {
    EXPECT_EQ(e.parameter(), "--eta");
  }
}

// Equipartition, exactly: with per-sample gradient noise of fixed variance the discrete-time excess loss
// is eta g2 / (2 B (2 - eta h)), the same at every curvature up to the (2 - eta h) factor; with the
// well-specified noise (g2 = h, Fisher = Hessian) it grows as h: the two cases chapter 7 grades its
// equipartition criterion against. Simulation confirms the isotropic case at two curvatures 10x apart.
TEST(SgdQuadratic, EquipartitionHoldsForConstantNoiseNotForFisherNoise) {
  Quadratic1d q;
  q.eta = 0.01;
  q.B = 16;
  q.N = 1000;
  std::vector<double> constant, fisher;
  for (double h : {0.07, 0.7}) {
    q.h = h;
    const auto c = with_gradient_variance(q, 1.0);
    EXPECT_NEAR(excess_loss(c), q.eta / (2.0 * q.B * (2.0 - q.eta * h)), 1e-15);
    constant.push_back(excess_loss(c));
    fisher.push_back(excess_loss(with_gradient_variance(q, h)));
    EXPECT_DOUBLE_EQ(c.h, h);
  }
  EXPECT_NEAR(constant[1] / constant[0], (2.0 - 0.01 * 0.07) / (2.0 - 0.01 * 0.7), 1e-12);
  EXPECT_NEAR(constant[1] / constant[0], 1.0, 0.004);
  EXPECT_NEAR(fisher[1] / fisher[0], 10.0 * (2.0 - 0.01 * 0.07) / (2.0 - 0.01 * 0.7), 1e-9);
  // simulation at both curvatures: the excess agrees with the exact value within 4 standard errors
  q.eta = 0.1;  // a relaxation time of 14-143 steps keeps the run short
  for (double h : {0.07, 0.7}) {
    q.h = h;
    const auto c = with_gradient_variance(q, 1.0);
    const auto s = simulate_stationary_variance(c, 400'000, 7);
    EXPECT_NEAR(h / 2 * s.value, excess_loss(c), 4 * h / 2 * s.error) << h;
    EXPECT_LT(s.error / s.value, 0.05) << h;
  }
  q.h = 1.0;
  EXPECT_THROW(with_gradient_variance(q, 0.0), spinformer::lab::UsageError);
  q.h = -1.0;
  EXPECT_THROW(with_gradient_variance(q, 1.0), spinformer::lab::UsageError);
}
