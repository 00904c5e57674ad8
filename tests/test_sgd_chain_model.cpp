// The one-parameter chain model p_K(s) ∝ exp(K sum s_i s_{i+1}): closed forms against the transfer
// matrix and enumeration, and SGD on exact chain samples against its exact stationary variance of K
// and excess KL (within 4 standard errors), with the small-eta formulas rejected where they are off.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <vector>

#include "ising/exact.hpp"
#include "lab/usage_error.hpp"
#include "sgd/chain_model.hpp"

using namespace spinformer;
using sgd::ChainSgd;
using sgd::CouplingModel;

namespace {

ising::Chain chain_at(int L, double K, ising::Boundary boundary) {
  ising::Chain c;
  c.L = L;
  c.J = K;
  c.h = 0.0;
  c.T = 1.0;
  c.boundary = boundary;
  return c;
}

ChainSgd make(int L, ising::Boundary boundary, double K, double eta, long B) {
  ChainSgd c;
  c.model.L = L;
  c.model.boundary = boundary;
  c.K_true = K;
  c.eta = eta;
  c.B = B;
  return c;
}

}  // namespace

TEST(SgdChainModel, ClosedFormsMatchTransferMatrix) {
  for (auto boundary : {ising::Boundary::periodic, ising::Boundary::open})
    for (int L : {2, 3, 8, 9, 32})
      for (double K : {0.5, -0.7, 2.0, 0.05}) {
        const CouplingModel model{L, boundary};
        const ising::ExactChain exact(chain_at(L, K, boundary));
        double mean = 0, second = 0;
        for (const auto& level : exact.energy_distribution()) {
          const double E = -level.energy / K;  // H = -K E
          mean += level.probability * E;
          second += level.probability * E * E;
        }
        EXPECT_NEAR(model.log_partition(K), exact.log_partition(), 1e-11) << L << " " << K;
        EXPECT_NEAR(model.mean_bond_sum(K), mean, 1e-10) << L << " " << K;
        EXPECT_NEAR(model.bond_sum_variance(K), second - mean * mean, 1e-9) << L << " " << K;
      }
}

TEST(SgdChainModel, DerivativesAreConsistent) {
  const CouplingModel model{12, ising::Boundary::periodic};
  const double d = 1e-5;
  for (double K : {-1.0, 0.3, 1.2}) {
    EXPECT_NEAR((model.log_partition(K + d) - model.log_partition(K - d)) / (2 * d), model.mean_bond_sum(K), 1e-7);
    EXPECT_NEAR((model.mean_bond_sum(K + d) - model.mean_bond_sum(K - d)) / (2 * d), model.bond_sum_variance(K), 1e-6);
  }
}

TEST(SgdChainModel, KlMatchesEnumeration) {
  const int L = 8;
  for (auto boundary : {ising::Boundary::periodic, ising::Boundary::open}) {
    const CouplingModel model{L, boundary};
    const double K_true = 0.6, K = 0.9;
    const ising::ExactChain p(chain_at(L, K_true, boundary)), q(chain_at(L, K, boundary));
    double kl = 0;
    std::vector<ising::Spin> s(L);
    for (int k = 0; k < (1 << L); ++k) {
      for (int i = 0; i < L; ++i) s[i] = ((k >> i) & 1) ? 1 : -1;
      const double lp = p.log_probability(s.data());
      kl += std::exp(lp) * (lp - q.log_probability(s.data()));
    }
    EXPECT_NEAR(model.kl(K_true, K), kl, 1e-12);
    // Near the truth KL = H (K - K_true)^2 / 2 + O(delta^3).
    const double delta = 1e-3;
    EXPECT_NEAR(model.kl(K_true, K_true + delta) / (0.5 * model.bond_sum_variance(K_true) * delta * delta), 1.0, 1e-2);
  }
}

TEST(SgdChainModel, PredictionFormulas) {
  const auto c = make(16, ising::Boundary::periodic, 0.5, 0.02, 4);
  const auto p = sgd::predict(c);
  EXPECT_NEAR(p.variance_small_eta, 0.02 / 8, 1e-15);  // eta / (2 B), whatever L and K
  EXPECT_NEAR(p.variance / p.variance_small_eta, 2.0 / (2.0 - c.eta * p.hessian), 1e-12);
  EXPECT_NEAR(p.excess_kl_small_eta, c.eta * p.hessian / 16, 1e-15);
  EXPECT_NEAR(p.excess_kl_per_spin * 16, p.excess_kl, 1e-15);
  // Fisher = Hessian: the quadratic of quadratic.hpp with h = H and data variance 1 / H.
  sgd::Quadratic1d q;
  q.eta = c.eta;
  q.h = p.hessian;
  q.sigma2 = 1.0 / p.hessian;
  q.B = c.B;
  q.N = 1'000'000'000;
  EXPECT_NEAR(sgd::stationary_variance(q), p.variance, 1e-9 * p.variance);
}

TEST(SgdChainModel, SimulatedSgdMatchesExactStationaryState) {
  struct Case {
    ChainSgd c;
    long steps;
  };
  // eta H = 0.2, 0.5 and 1.0: the discrete-time factor 2 / (2 - eta H) is 1.11, 1.33 and 2. Var(K) (m''/H)^2,
  // the relative size of the neglected nonlinearity of <E>_K, stays below 0.003 (a third of the error bar).
  const std::vector<Case> cases = {
      {make(16, ising::Boundary::periodic, 0.5, 0.0159, 4), 120'000},
      {make(12, ising::Boundary::open, 0.3, 0.05, 4), 120'000},
      {make(16, ising::Boundary::periodic, 0.25, 0.068, 8), 60'000},
  };
  std::uint64_t seed = 100;
  for (const auto& [c, steps] : cases) {
    const auto p = sgd::predict(c);
    const auto sim = sgd::simulate(c, steps, seed++);
    SCOPED_TRACE(::testing::Message() << "L " << c.model.L << " K " << c.K_true << " eta H " << c.eta * p.hessian);
    EXPECT_LT(std::abs(sim.variance.value - p.variance), 4 * sim.variance.error)
        << sim.variance.value << " +- " << sim.variance.error << " vs " << p.variance;
    EXPECT_LT(std::abs(sim.excess_kl.value - p.excess_kl), 4 * sim.excess_kl.error)
        << sim.excess_kl.value << " +- " << sim.excess_kl.error << " vs " << p.excess_kl;
    EXPECT_GT(std::abs(sim.variance.value - p.variance_small_eta), 4 * sim.variance.error);
    EXPECT_GT(std::abs(sim.excess_kl.value - p.excess_kl_small_eta), 4 * sim.excess_kl.error);
    EXPECT_LT(sim.variance.error / p.variance, 0.03);
  }
}

// The full stationary law (transfer operator on the exact law of the batch mean): equal to the
// linearised formulas where the nonlinearity is negligible, and where it is not, simulation follows
// it and rejects the linearised value.
TEST(SgdChainModel, StationaryLawBeyondLinearisation) {
  {
    const auto c = make(16, ising::Boundary::periodic, 0.5, 0.0159, 16);  // Var(K) (m''/H)^2 ~ 5e-4
    const auto p = sgd::predict(c);
    const auto law = sgd::stationary_distribution(c);
    double total = 0;
    for (double q : law.probability) total += q;
    EXPECT_NEAR(total, 1.0, 1e-10);
    EXPECT_NEAR(law.variance / p.variance, 1.0, 0.005);
    EXPECT_NEAR(law.excess_kl / p.excess_kl, 1.0, 0.005);
  }
  {
    // eta H = 0.002: the grid must resolve steps 1/20 of the stationary width; nonlinearity ~0.2%.
    const auto c = make(32, ising::Boundary::periodic, 2.0, 0.001, 1);
    const auto law = sgd::stationary_distribution(c);
    EXPECT_NEAR(law.variance / sgd::predict(c).variance, 1.0, 0.004);
  }
  const auto c = make(12, ising::Boundary::open, 1.0, 0.1, 1);  // eta H = 0.46, Var(K) (m''/H)^2 ~ 0.15
  const auto p = sgd::predict(c);
  const auto law = sgd::stationary_distribution(c);
  const auto sim = sgd::simulate(c, 100'000, 77);
  std::cout << "nonlinear case: simulated Var " << sim.variance.value << " +- " << sim.variance.error << ", exact "
            << law.variance << ", linearised " << p.variance << "; KL " << sim.excess_kl.value << " +- "
            << sim.excess_kl.error << ", exact " << law.excess_kl << ", linearised " << p.excess_kl << "\n";
  EXPECT_LT(std::abs(sim.variance.value - law.variance), 4 * sim.variance.error);
  EXPECT_LT(std::abs(sim.excess_kl.value - law.excess_kl), 4 * sim.excess_kl.error);
  EXPECT_LT(std::abs(sim.mean_K - law.mean_K), 0.01);
  EXPECT_GT(std::abs(sim.variance.value - p.variance), 4 * sim.variance.error);
}

TEST(SgdChainModel, BadInputNamesTheParameter) {
  const auto expect_param = [](const ChainSgd& c, const std::string& param) {
    try {
      sgd::predict(c);
      ADD_FAILURE() << "no error for " << param;
    } catch (const lab::UsageError& e) {
      EXPECT_EQ(e.parameter(), param);
    }
  };
  expect_param(make(1, ising::Boundary::periodic, 0.5, 0.01, 1), "--L");
  expect_param(make(8, ising::Boundary::periodic, NAN, 0.01, 1), "--K");
  expect_param(make(8, ising::Boundary::periodic, 0.5, -0.01, 1), "--eta");
  expect_param(make(8, ising::Boundary::periodic, 0.5, 1.0, 1), "--eta");  // eta H >= 2
  expect_param(make(8, ising::Boundary::periodic, 0.5, 0.01, 0), "--batch");
}
