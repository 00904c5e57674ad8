// nMF and TAP: the nMF fixed point satisfies its equation; TAP reduces to nMF as J -> 0; the exact
// Bessel readout against the large-D form (large D) and against direct quadrature (small D).
#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/bessel.hpp>
#include <cmath>

#include "glass/mean_field.hpp"
#include "glass/vector_spin.hpp"
#include "lab/usage_error.hpp"

using namespace spinformer::glass;
namespace lab = spinformer::lab;

TEST(MeanField, NmfFixedPointSatisfiesItsEquation) {
  const auto model = VectorSpinModel::random(32, 16, 1.0, 5);
  for (double beta : {0.1, 1.0, 5.0}) {
    MeanFieldOptions o;
    o.beta = beta;
    o.tolerance = 1e-11;
    const auto r = solve_nmf_fixed_point(model, o);
    const State rhs = readout(model.targets(r.m), beta, model.R);
    EXPECT_LT((rhs - r.m).lpNorm<Eigen::Infinity>(), 1e-10) << "beta " << beta;
    EXPECT_EQ(r.inner_failures, 0);
    for (int i = 0; i < model.N; ++i) EXPECT_LT(r.m.row(i).norm(), model.R);
  }
}

TEST(MeanField, ReadoutAndInverse) {
  const auto model = VectorSpinModel::random(8, 10, 1.0, 6);
  const State theta = 3.0 * model.x;
  const State m = readout(theta, 2.5, model.R);
  EXPECT_LT((readout_inverse(m, 2.5, model.R) - theta).lpNorm<Eigen::Infinity>(), 1e-10);
  // beta -> 0: phi(theta) ~ beta theta / 2
  const State small = readout(theta, 1e-6, model.R);
  EXPECT_LT((small / 1e-6 - theta / 2).lpNorm<Eigen::Infinity>(), 1e-5);
}

TEST(MeanField, TapReducesToNmfAsCouplingsVanish) {
  auto model = VectorSpinModel::random(16, 8, 1.0, 8);
  const Couplings J0 = model.J;
  MeanFieldOptions o;
  o.beta = 2.0;
  o.steps = 20;
  o.tolerance = 1e-12;
  double previous = 0;
  for (double eps : {1e-1, 1e-2, 1e-3}) {
    model.J = eps * J0;
    const auto tap = run_tap(model, o);
    const auto nmf = run_nmf(model, o);
    const double diff = (tap.final_state - nmf.final_state).lpNorm<Eigen::Infinity>();
    if (previous > 0) {
      EXPECT_LT(diff, 0.2 * previous) << "eps " << eps;  // vanishes (as eps^2)
    }
    previous = diff;
  }
  EXPECT_LT(previous, 1e-5);
  // J = 0 exactly: the TAP field at m1 = phi(x) is x itself.
  model.J.setZero();
  const State m1 = readout(model.x, o.beta, model.R);
  for (auto conv : {TapConvention::code, TapConvention::derived})
    EXPECT_LT((tap_field(model, m1, model.initial_state(), o.beta, conv) - model.x).lpNorm<Eigen::Infinity>(), 1e-12);
}

TEST(MeanField, TapConventionsDifferOnlyThroughG0) {
  const auto model = VectorSpinModel::random(16, 8, 1.0, 9);
  MeanFieldOptions o;
  o.beta = 1.0;
  o.steps = 10;
  const auto a = run_tap(model, o);
  o.convention = TapConvention::derived;
  const auto b = run_tap(model, o);
  EXPECT_TRUE(a.m.allFinite());
  EXPECT_TRUE(b.m.allFinite());
  // With all m0 equal (the first step from m_0) g0 is the same at every site: identical fields.
  const State m0 = model.initial_state();
  const State m1 = readout(model.targets(m0), o.beta, model.R);
  EXPECT_LT((tap_field(model, m1, m0, o.beta, TapConvention::code) -
             tap_field(model, m1, m0, o.beta, TapConvention::derived)).lpNorm<Eigen::Infinity>(), 1e-12);
}

namespace {

// <cos> on the unit sphere in D dimensions under exp(kappa cos): the exact readout / R.
double quadrature_ratio(int D, double kappa) {
  using boost::math::quadrature::gauss_kronrod;
  const auto w = [&](double t) { return std::exp(kappa * (t - 1.0)) * std::pow(1.0 - t * t, (D - 3) / 2.0); };
  const double num = gauss_kronrod<double, 61>::integrate([&](double t) { return t * w(t); }, -1.0, 1.0, 15, 1e-13);
  const double den = gauss_kronrod<double, 61>::integrate(w, -1.0, 1.0, 15, 1e-13);
  return num / den;
}

}  // namespace

TEST(Bessel, RatioAgainstQuadratureAndBoost) {
  for (int D : {3, 4, 5, 8})
    for (double kappa : {0.01, 0.5, 2.0, 10.0, 60.0}) {
      const double r = bessel_ratio(D / 2.0, kappa);
      EXPECT_NEAR(r, quadrature_ratio(D, kappa), 1e-9) << "D " << D << " kappa " << kappa;
    }
  for (double nu : {1.5, 16.0, 40.0})
    for (double x : {0.1, 3.0, 50.0, 300.0}) {
      const double ref = boost::math::cyl_bessel_i(nu, x) / boost::math::cyl_bessel_i(nu - 1, x);
      EXPECT_NEAR(bessel_ratio(nu, x), ref, 1e-12 * ref) << nu << " " << x;
    }
  // No overflow far beyond where I_nu itself overflows; continuous across the asymptotic switch.
  for (double x : {1e3, 1e5, 1e7, 1e9}) {
    const double r = bessel_ratio(16.0, x);
    EXPECT_TRUE(std::isfinite(r));
    EXPECT_LT(r, 1.0);
    EXPECT_NEAR(r, 1.0 - 31.0 / (2.0 * x), 2e3 / (x * x));  // 1 - (2 nu - 1) / (2x) + O(1/x^2)
  }
  EXPECT_NEAR(bessel_ratio(16.0, 40.0 * 256 * (1 - 1e-12)), bessel_ratio(16.0, 40.0 * 256 * (1 + 1e-12)), 1e-13);
}

TEST(Bessel, ReadoutApproachesLargeDForm) {
  // The large-D form is the exact readout with nu - 1 = R^2 to leading order: error O(1/D).
  double previous = 1;
  for (int D : {32, 320, 3200}) {
    auto model = VectorSpinModel::random(4, D, 1.0, 10);
    const State theta = 0.7 * model.x;
    const State a = readout(theta, 1.5, model.R, Readout::bessel), b = readout(theta, 1.5, model.R);
    const double rel = (a - b).norm() / b.norm();
    EXPECT_LT(rel, 3.0 / D) << "D " << D;
    EXPECT_LT(rel, previous);
    previous = rel;
  }
}

TEST(MeanField, BadInputs) {
  const auto model = VectorSpinModel::random(4, 4, 1.0, 1);
  MeanFieldOptions o;
  o.beta = 0;
  EXPECT_THROW(run_nmf(model, o), lab::UsageError);
  o.beta = 1;
  o.steps = 0;
  EXPECT_THROW(run_tap(model, o), lab::UsageError);
}
