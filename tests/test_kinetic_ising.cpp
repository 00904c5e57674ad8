// The binary kinetic Ising model: forward simulation against the exact distribution (2^N states),
// the mean-field family's exactness limits and the orders of their errors in the coupling strength.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "kinetic/enumeration.hpp"
#include "kinetic/errors.hpp"
#include "kinetic/mean_field.hpp"
#include "kinetic/simulation.hpp"
#include "lab/rng.hpp"
#include "lab/usage_error.hpp"

using namespace spinformer::kinetic;
namespace lab = spinformer::lab;

namespace {

// Strong, asymmetric couplings and fields on N spins (std of J_ij = scale / sqrt(N)).
KineticIsing strong_model(int N, double scale, std::uint64_t seed, double beta = 1.0) {
  KineticIsing m = KineticIsing::asymmetric_sk(N, beta, seed, 0.0, scale, 0.5);
  return m;
}

struct Z {
  double m = 0, C = 0, D = 0;
};

// Largest |z| of the simulated m_t, C_t (i < k) and D_t against the exact ones, t = 1..T.
// Standard errors: m from 1 - m^2; a covariance from the variance of the +-1 product, 1 - E[s s']^2.
Z largest_z(const Simulation& sim, const Trajectory& exact) {
  Z z;
  const double R = double(sim.runs);
  for (int t = 1; t <= exact.steps(); ++t) {
    const auto& me = exact.m[t];
    const auto& mp = exact.m[t - 1];
    for (Eigen::Index i = 0; i < me.size(); ++i) {
      z.m = std::max(z.m, std::abs(sim.stats.m[t][i] - me[i]) / std::sqrt((1 - me[i] * me[i]) / R));
      for (Eigen::Index k = 0; k < me.size(); ++k) {
        const double ed = exact.D[t](i, k) + me[i] * mp[k];
        z.D = std::max(z.D, std::abs(sim.stats.D[t](i, k) - exact.D[t](i, k)) / std::sqrt((1 - ed * ed) / R));
        if (k <= i) continue;
        const double ec = exact.C[t](i, k) + me[i] * me[k];
        z.C = std::max(z.C, std::abs(sim.stats.C[t](i, k) - exact.C[t](i, k)) / std::sqrt((1 - ec * ec) / R));
      }
    }
  }
  return z;
}

// Slope of log(err) against log(eps) by least squares.
double slope(const std::vector<double>& eps, const std::vector<double>& err) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = eps.size();
  for (std::size_t k = 0; k < eps.size(); ++k) {
    const double x = std::log(eps[k]), y = std::log(err[k]);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

double max_abs_m_error(const Trajectory& a, const Trajectory& b) {
  double e = 0;
  for (int t = 2; t <= a.steps(); ++t) e = std::max(e, (a.m[t] - b.m[t]).lpNorm<Eigen::Infinity>());
  return e;
}

}  // namespace

TEST(KineticEnumeration, IsADistributionAndExactAtJZero) {
  KineticIsing model = strong_model(5, 1.5, 3);
  const auto ex = enumerate(model, 4);
  for (const auto& p : ex.p) {
    EXPECT_NEAR(p.sum(), 1.0, 1e-12);
    EXPECT_GE(p.minCoeff(), 0.0);
  }
  // Step 1 from the deterministic s_0: independent spins with m = tanh(beta (H + J 1)).
  const Eigen::VectorXd m1 = (model.beta * (model.H + model.J * Eigen::VectorXd::Ones(5))).array().tanh();
  EXPECT_LT((ex.stats.m[1] - m1).lpNorm<Eigen::Infinity>(), 1e-12);
  EXPECT_LT((ex.stats.C[1] - Eigen::MatrixXd((1 - m1.array().square()).matrix().asDiagonal())).lpNorm<Eigen::Infinity>(), 1e-12);
  model.J.setZero();
  const auto free = enumerate(model, 3);
  const Eigen::VectorXd mh = (model.beta * model.H).array().tanh();
  for (int t = 1; t <= 3; ++t) {
    EXPECT_LT((free.stats.m[t] - mh).lpNorm<Eigen::Infinity>(), 1e-12);
    EXPECT_LT(free.stats.D[t].lpNorm<Eigen::Infinity>(), 1e-12);
  }
}

TEST(KineticSimulation, MatchesExactEnumeration) {
  const KineticIsing model = strong_model(6, 2.0, 11, 1.2);
  const int T = 5;
  const auto exact = enumerate(model, T).stats;
  SimulationOptions o;
  o.steps = T;
  o.runs = 40000;
  o.seed = 7;
  const auto sim = simulate(model, o);
  const Z z = largest_z(sim, exact);
  // ~6 x 5 m's, 75 C's, 180 D's: |z| > 4.5 has probability < 1e-3 for a correct simulation.
  EXPECT_LT(z.m, 4.5);
  EXPECT_LT(z.C, 4.5);
  EXPECT_LT(z.D, 4.5);
  // The test has power: the exact answer of a 10% different temperature is rejected.
  KineticIsing hotter = model;
  hotter.beta *= 0.9;
  const Z wrong = largest_z(sim, enumerate(hotter, T).stats);
  EXPECT_GT(std::max({wrong.m, wrong.C, wrong.D}), 6.0);
}

TEST(KineticSimulation, SameSeedSameBytesWhateverTheThreads) {
  const KineticIsing model = strong_model(10, 1.0, 2);
  SimulationOptions o;
  o.steps = 6;
  o.runs = 1000;  // not a multiple of the block size
  o.seed = 99;
  const auto a = simulate(model, o);
  o.threads = 3;
  const auto b = simulate(model, o);
  for (int t = 0; t <= o.steps; ++t) {
    EXPECT_EQ(a.stats.m[t], b.stats.m[t]);
    EXPECT_EQ(a.stats.C[t], b.stats.C[t]);
    EXPECT_EQ(a.stats.D[t], b.stats.D[t]);
  }
  o.seed = 100;
  EXPECT_NE(simulate(model, o).stats.m[o.steps], a.stats.m[o.steps]);
  o.runs = 1;
  EXPECT_THROW(simulate(model, o), lab::UsageError);
}

TEST(KineticMeanField, TapRootAndQuadrature) {
  for (double g : {-3.0, -0.2, 0.0, 0.7, 4.0})
    for (double V : {0.0, 0.3, 2.0, 50.0}) {
      const double m = tap_root(g, V);
      EXPECT_NEAR(m, std::tanh(g - m * V), 1e-14) << g << " " << V;
    }
  const auto& q = gauss_hermite(40);
  double s0 = 0, s2 = 0, s4 = 0;
  for (std::size_t k = 0; k < q.z.size(); ++k) {
    s0 += q.w[k];
    s2 += q.w[k] * q.z[k] * q.z[k];
    s4 += q.w[k] * std::pow(q.z[k], 4);
  }
  EXPECT_NEAR(s0, 1, 1e-12);
  EXPECT_NEAR(s2, 1, 1e-12);
  EXPECT_NEAR(s4, 3, 1e-11);
}

TEST(KineticMeanField, ExactWithoutCouplingsAndAtTheFirstStep) {
  KineticIsing model = strong_model(6, 1.5, 4);
  const auto exact = enumerate(model, 1).stats;
  for (Method method : {Method::naive, Method::tap, Method::gaussian, Method::pairwise}) {
    const auto mf = mean_field(model, method, 1);
    const Errors e = squared_errors(mf, exact, 1);
    EXPECT_LT(e.m, 1e-26) << method_name(method);
    EXPECT_LT(e.C, 1e-26) << method_name(method);
    EXPECT_LT(e.D, 1e-26) << method_name(method);
  }
  model.J.setZero();
  const auto free = enumerate(model, 4).stats;
  for (Method method : {Method::naive, Method::tap, Method::gaussian, Method::pairwise}) {
    const Errors e = mean_squared_errors(mean_field(model, method, 4), free);
    EXPECT_LT(e.m + e.C + e.D, 1e-26) << method_name(method);
  }
}

// J -> eps J: naive mean field misses the O(eps^2) variance of the field, TAP, the Gaussian field
// and the pairwise method keep it, so their error in m is O(eps^3). Likewise C: naive sets the
// O(eps^2) off-diagonal covariances to zero; D: the TAP correction 2 m_i J_il m_l makes D exact to
// O(eps^2) (with 1 + m_i J_il m_l the error would stay O(eps^2)).
TEST(KineticMeanField, ErrorOrdersInTheCouplingStrength) {
  const KineticIsing base = strong_model(6, 1.0, 21, 1.0);
  const std::vector<double> eps = {0.025, 0.05, 0.1};
  std::map<Method, std::vector<double>> em, ec, ed;
  for (double e : eps) {
    KineticIsing model = base;
    model.J *= e;
    const auto exact = enumerate(model, 4).stats;
    for (Method method : {Method::naive, Method::tap, Method::gaussian, Method::pairwise}) {
      const auto mf = mean_field(model, method, 4);
      em[method].push_back(max_abs_m_error(mf, exact));
      double c = 0, d = 0;
      for (int t = 2; t <= 4; ++t) {
        Eigen::MatrixXd dc = mf.C[t] - exact.C[t];
        dc.diagonal().setZero();
        c = std::max(c, dc.lpNorm<Eigen::Infinity>());
        d = std::max(d, (mf.D[t] - exact.D[t]).lpNorm<Eigen::Infinity>());
      }
      ec[method].push_back(c);
      ed[method].push_back(d);
    }
  }
  EXPECT_NEAR(slope(eps, em[Method::naive]), 2.0, 0.25);
  EXPECT_NEAR(slope(eps, em[Method::tap]), 3.0, 0.3);
  EXPECT_NEAR(slope(eps, em[Method::gaussian]), 3.0, 0.3);
  EXPECT_GT(slope(eps, em[Method::pairwise]), 2.7);
  EXPECT_NEAR(slope(eps, ec[Method::naive]), 2.0, 0.25);
  EXPECT_GT(slope(eps, ec[Method::tap]), 2.7);
  EXPECT_NEAR(slope(eps, ed[Method::naive]), 2.0, 0.25);
  EXPECT_NEAR(slope(eps, ed[Method::tap]), 3.0, 0.3);
  EXPECT_GT(slope(eps, ed[Method::pairwise]), 2.7);
  EXPECT_NEAR(slope(eps, ed[Method::gaussian]), 2.0, 0.25);  // its D lacks the 2 m J m term
}

TEST(KineticModel, RejectsBadInput) {
  EXPECT_THROW(KineticIsing::asymmetric_sk(0, 1.0, 1), lab::UsageError);
  EXPECT_THROW(KineticIsing::asymmetric_sk(4, -1.0, 1), lab::UsageError);
  EXPECT_THROW(enumerate(strong_model(13, 1.0, 1), 1), lab::UsageError);
  EXPECT_THROW(parse_method("exact"), lab::UsageError);
  EXPECT_EQ(parse_method("tap"), Method::tap);
}
