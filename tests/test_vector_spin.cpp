// The vector-spin model and its Metropolis-Hastings sampler: O(N D) energy changes equal to full
// recomputation; MH against an exactly known Gaussian target (J = 0), so that a wrong acceptance rule
// (e.g. a missing beta) fails; R-hat; bad inputs. All seeds are fixed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

#include "glass/metropolis.hpp"
#include "glass/vector_spin.hpp"
#include "lab/statistics.hpp"
#include "lab/usage_error.hpp"

using namespace spinformer::glass;
namespace lab = spinformer::lab;

TEST(VectorSpin, ModelDefaults) {
  const auto m = VectorSpinModel::random(64, 32, 1.0, 7);
  EXPECT_NEAR(m.R, std::sqrt(15.0), 1e-12);
  for (int i = 0; i < m.N; ++i) EXPECT_NEAR(m.x.row(i).norm(), m.R, 1e-12);
  // J_ij ~ N(0, 1/N): the sample variance of N^2 entries is 1/N within a few percent.
  const double var = m.J.array().square().mean();
  EXPECT_NEAR(var * m.N, 1.0, 0.06);
  EXPECT_GT((m.J - m.J.transpose()).norm(), 1.0);  // not symmetric
  const auto s = m.symmetrized();
  EXPECT_LT((s.J - s.J.transpose()).norm(), 1e-12);
  EXPECT_NEAR(alignment(m.field_aligned_state(), m.x), 1.0, 1e-12);
  EXPECT_NEAR(alignment(m.initial_state(), m.initial_state()), 1.0, 1e-12);
  EXPECT_NEAR(m.energy(m.initial_state()), VectorSpinModel(m).energy(m.initial_state()), 0.0);
  const auto m2 = VectorSpinModel::random(64, 32, 1.0, 7);
  EXPECT_EQ(m.J, m2.J);  // same seed, same model
}

TEST(VectorSpin, IncrementalEnergyEqualsFullRecomputation) {
  const auto model = VectorSpinModel::random(12, 6, 1.3, 3);
  MetropolisChain inc(model, 2.0, 0.3, model.initial_state(), 11);
  inc.run(20000);  // wander away from the start, through many accepted moves
  ASSERT_GT(inc.accepted(), 1000);
  EXPECT_NEAR(inc.energy(), model.energy(inc.state()), 1e-9 * (1 + std::abs(model.energy(inc.state()))));
  MetropolisChain full(model, 2.0, 0.3, inc.state(), 11, MetropolisChain::EnergyUpdate::full_recompute);
  lab::Rng rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    const int k = static_cast<int>(rng.below(model.N));
    Eigen::VectorXd delta(model.D);
    for (int a = 0; a < model.D; ++a) delta[a] = 0.5 * standard_normal(rng);
    const double a = inc.delta_energy(k, delta), b = full.delta_energy(k, delta);
    ASSERT_NEAR(a, b, 1e-9 * (1 + std::abs(b))) << "site " << k;
  }
  // The same seed gives the same trajectory with either update.
  MetropolisChain c1(model, 1.0, 0.2, model.initial_state(), 9);
  MetropolisChain c2(model, 1.0, 0.2, model.initial_state(), 9, MetropolisChain::EnergyUpdate::full_recompute);
  c1.run(3000);
  c2.run(3000);
  EXPECT_EQ(c1.accepted(), c2.accepted());
  EXPECT_LT((c1.state() - c2.state()).cwiseAbs().maxCoeff(), 1e-9);
}

namespace {

// With J = 0 the targets are u_i = x_i, so H = 1/2 sum_i ||s_i - R x_i/|x_i|||^2 and
// pi(s) = prod_i N(s_i; R x_i/|x_i|, I / beta): exact mean and variance.
struct GaussianCheck {
  double max_mean_z = 0;  // largest |sample mean - exact| / standard error over components
  double variance = 0;    // pooled sample variance per component
  double variance_error = 0;
};

GaussianCheck gaussian_check(double beta, const std::string& rule) {
  auto model = VectorSpinModel::random(2, 3, 1.0, 21);
  model.J.setZero();
  const State mu = model.field_aligned_state();
  MetropolisChain chain(model, beta, 1.2 / std::sqrt(beta), mu, 17);
  lab::Rng rng(99);
  const int n = 40000, thin = 20;
  std::vector<std::vector<double>> series(model.N * model.D);
  for (int t = 0; t < n; ++t) {
    if (rule == "correct") {
      chain.run(thin);
    } else {
      // A wrong rule: accept with min(1, exp(-dH)) (beta forgotten), driven through the public API.
      for (int r = 0; r < thin; ++r) {
        const int k = static_cast<int>(rng.below(model.N));
        Eigen::VectorXd d(model.D);
        for (int a = 0; a < model.D; ++a) d[a] = chain.sigma() * standard_normal(rng);
        const double dh = chain.delta_energy(k, d);
        if (dh <= 0 || rng.uniform() < std::exp(-dh)) {
          State s = chain.state();
          s.row(k) += d.transpose();
          chain = MetropolisChain(model, beta, chain.sigma(), s, rng.next());
        }
      }
    }
    for (int i = 0; i < model.N; ++i)
      for (int a = 0; a < model.D; ++a) series[i * model.D + a].push_back(chain.state()(i, a));
  }
  GaussianCheck c;
  double var_sum = 0, var_err2 = 0;
  for (int i = 0; i < model.N; ++i)
    for (int a = 0; a < model.D; ++a) {
      const auto& x = series[i * model.D + a];
      const auto ac = lab::integrated_autocorrelation(x);
      const auto me = lab::mean_and_error(x);
      const double se = me.error * std::sqrt(ac.tau_int);
      c.max_mean_z = std::max(c.max_mean_z, std::abs(me.value - mu(i, a)) / se);
      std::vector<double> sq(x.size());
      for (std::size_t t = 0; t < x.size(); ++t) sq[t] = (x[t] - mu(i, a)) * (x[t] - mu(i, a));
      const auto ve = lab::mean_and_error(sq);
      const auto vac = lab::integrated_autocorrelation(sq);
      var_sum += ve.value;
      var_err2 += ve.error * ve.error * vac.tau_int;
    }
  const int comps = model.N * model.D;
  c.variance = var_sum / comps;
  c.variance_error = std::sqrt(var_err2) / comps;
  return c;
}

}  // namespace

TEST(Metropolis, SamplesTheExactGaussianTarget) {
  const double beta = 4.0;
  const auto c = gaussian_check(beta, "correct");
  EXPECT_LT(c.max_mean_z, 4.5);
  EXPECT_NEAR(c.variance, 1.0 / beta, 5 * c.variance_error) << "variance error " << c.variance_error;
  EXPECT_LT(c.variance_error, 0.01 / beta * 5);  // the test has power: the error bar is small
}

TEST(Metropolis, AWrongAcceptanceRuleFailsTheSameTest) {
  const double beta = 4.0;
  const auto c = gaussian_check(beta, "wrong");
  // Without beta the chain samples variance 1 instead of 1/4: far outside the error bar.
  EXPECT_GT(std::abs(c.variance - 1.0 / beta), 20 * c.variance_error);
}

TEST(Metropolis, RunKeepsStatsAndAdaptsWidth) {
  const auto model = VectorSpinModel::random(8, 4, 1.0, 2);
  MetropolisOptions o;
  o.beta = 0.01;
  o.proposals = 200000;
  o.thin = 100;
  o.adapt_sigma = true;
  o.seed = 4;
  const auto run = run_metropolis(model, o, model.initial_state());
  EXPECT_EQ(run.energy.size(), 1500u);
  EXPECT_NEAR(run.acceptance, 0.3, 0.08);
  EXPECT_GT(run.sigma, 100 * thesis_proposal_width(8, 4));  // wide moves at high T
  const auto d = diagnose(run);
  EXPECT_GE(d.energy.tau_int, 0.5);
  EXPECT_GT(d.alignment.effective_sample_size, 10);
  o.proposals = 100;
  EXPECT_THROW(run_metropolis(model, o, model.initial_state()), lab::UsageError);
}

TEST(Metropolis, GelmanRubin) {
  lab::Rng rng(1);
  std::vector<std::vector<double>> same(4), shifted(4);
  for (int c = 0; c < 4; ++c)
    for (int t = 0; t < 2000; ++t) {
      const double z = standard_normal(rng);
      same[c].push_back(z);
      shifted[c].push_back(z + 2.0 * c);
    }
  EXPECT_LT(gelman_rubin(same), 1.01);
  EXPECT_GT(gelman_rubin(shifted), 2.0);
  EXPECT_TRUE(std::isnan(gelman_rubin({same[0]})));
}

TEST(VectorSpin, BadInputs) {
  EXPECT_THROW(VectorSpinModel::random(4, 2, 1.0, 1), lab::UsageError);  // D < 3
  EXPECT_THROW(VectorSpinModel::random(0, 8, 1.0, 1), lab::UsageError);
  EXPECT_THROW(VectorSpinModel::random(4, 8, NAN, 1), lab::UsageError);
  const auto model = VectorSpinModel::random(4, 4, 1.0, 1);
  EXPECT_THROW(MetropolisChain(model, -1.0, 0.1, model.initial_state(), 1), lab::UsageError);
  EXPECT_THROW(MetropolisChain(model, 1.0, 0.0, model.initial_state(), 1), lab::UsageError);
  const std::string jpath = testing::TempDir() + "/j.txt", xpath = testing::TempDir() + "/x.txt";
  std::ofstream(jpath) << "0 0.1 0.2\n0.3 0 0.1\n0.2 0.1 0\n";
  std::ofstream(xpath) << "1 0 0 0\n0 1 0 0\n0 0 1 0\n";
  const auto f = VectorSpinModel::from_files(jpath, xpath, 2.0);
  EXPECT_EQ(f.N, 3);
  EXPECT_EQ(f.D, 4);
  EXPECT_DOUBLE_EQ(f.x(1, 1), 2.0);
  EXPECT_DOUBLE_EQ(f.J(1, 0), 0.3);
  std::ofstream(xpath) << "1 0 0 0\n0 1 0\n0 0 1 0\n";
  try {
    VectorSpinModel::from_files(jpath, xpath, 1.0);
    FAIL();
  } catch (const lab::UsageError& e) {
    EXPECT_EQ(e.parameter(), "--field");
  }
  std::ofstream(jpath) << "0 0.1 zz\n0.3 0 0.1\n0.2 0.1 0\n";
  try {
    VectorSpinModel::from_files(jpath, xpath, 1.0);
    FAIL();
  } catch (const lab::UsageError& e) {
    EXPECT_EQ(e.parameter(), "--couplings");
  }
}
