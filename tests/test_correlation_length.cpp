// The paper's correlation length (ising/correlation_length.hpp): exact on a pure exponential, the
// least-squares minimum on the ring's bent C(r), independent of the error scale, defined where
// sampled C(r) is negative, and, on exact samples, consistent with the same fit to the exact C(r).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "ising/correlation_length.hpp"
#include "ising/estimators.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"

using namespace spinformer::ising;

namespace {

Chain ring(int L, double T) {
  Chain c;
  c.L = L;
  c.T = T;
  c.boundary = Boundary::periodic;
  return c;
}

std::vector<double> infinite_chain_correlation(int L, double t) {
  std::vector<double> c(L);
  for (int r = 0; r < L; ++r) c[r] = std::pow(t, r);
  return c;
}

std::vector<double> ring_correlation(int L, double t) {
  std::vector<double> c(L);
  for (int r = 0; r < L; ++r) c[r] = (std::pow(t, r) + std::pow(t, L - r)) / (1 + std::pow(t, L));
  return c;
}

// Independent of the fit's algorithm: the weighted sum of squares over the window, minimised over the
// amplitude in closed form and over the decay rate b by golden-section search.
double profile_minimum_xi(const std::vector<double>& c, const std::vector<double>& error) {
  const CorrelationWindow win = correlation_window(static_cast<int>(c.size()));
  auto profile = [&](double b) {
    double cf = 0, ff = 0;
    for (int r = win.first; r <= win.last; ++r) {
      const double w = error.empty() ? 1 : 1 / (error[r] * error[r]), f = std::exp(b * r);
      cf += w * c[r] * f, ff += w * f * f;
    }
    const double A = cf / ff;
    double s = 0;
    for (int r = win.first; r <= win.last; ++r) {
      const double w = error.empty() ? 1 : 1 / (error[r] * error[r]), d = c[r] - A * std::exp(b * r);
      s += w * d * d;
    }
    return s;
  };
  double lo = -5, hi = -1e-4;
  const double g = (std::sqrt(5.0) - 1) / 2;
  for (int k = 0; k < 200; ++k) {
    const double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
    (profile(x1) < profile(x2) ? hi : lo) = profile(x1) < profile(x2) ? x2 : x1;
  }
  return -2 / (lo + hi);
}

}  // namespace

TEST(CorrelationLength, WindowIsFixedByL) {
  EXPECT_EQ(correlation_window(32).first, 1);
  EXPECT_EQ(correlation_window(32).last, 8);
  EXPECT_EQ(correlation_window(64).last, 16);
  EXPECT_EQ(correlation_window(8).last, 2);
  EXPECT_EQ(correlation_window(3).last, 2);
  EXPECT_THROW(correlation_window(2), std::invalid_argument);
  EXPECT_THROW(fit_correlation_length({1.0, 0.5, 0.25, 0.1}, {1.0, 0.1, 0.0, 0.1}), std::invalid_argument);
  EXPECT_THROW(fit_correlation_length({1.0, 0.5, 0.25, 0.1}, {0.1, 0.1}), std::invalid_argument);
}

TEST(CorrelationLength, InfiniteChainExponentialGivesMinusOneOverLnT) {
  for (int L : {8, 32, 100})
    for (double T : {0.5, 1.0, 2.0, 5.0}) {
      const double t = std::tanh(1 / T), xi = -1 / std::log(t);
      const std::vector<double> c = infinite_chain_correlation(L, t);
      EXPECT_NEAR(fit_correlation_length(c), xi, 1e-10) << "L=" << L << " T=" << T;
      std::vector<double> error(L);  // any weights: the exponential fits exactly
      for (int r = 0; r < L; ++r) error[r] = 1e-3 * (1 + 0.7 * std::sin(3.0 * r) * std::sin(3.0 * r));
      EXPECT_NEAR(fit_correlation_length(c, error), xi, 1e-10) << "L=" << L << " T=" << T;
    }
}

TEST(CorrelationLength, RingGivesTheLeastSquaresRingValue) {
  const int L = 32;
  std::vector<double> error(L);
  for (int r = 0; r < L; ++r) error[r] = 1e-3 * (1 + 0.1 * r);
  for (double T : {0.5, 0.75, 1.0, 2.0, 5.0}) {
    const double t = std::tanh(1 / T), xi_bulk = -1 / std::log(t);
    const std::vector<double> c = ring_correlation(L, t);
    // The library's exact C(r) and the closed form give the same xi (to the fit's convergence: its
    // minimum is flat at T = 0.5, where the window's 8 points bend only slightly).
    const double xi = fit_correlation_length(c, error);
    EXPECT_NEAR(exact_fitted_correlation_length(ring(L, T), error), xi, 1e-8 * xi);
    // The fit is the least-squares minimum, found independently.
    EXPECT_NEAR(fit_correlation_length(c, error), profile_minimum_xi(c, error), 1e-6 * xi_bulk) << "T=" << T;
    EXPECT_NEAR(fit_correlation_length(c), profile_minimum_xi(c, {}), 1e-6 * xi_bulk) << "T=" << T;
    // Scaling all errors leaves the fit unchanged.
    std::vector<double> scaled(error);
    for (double& e : scaled) e *= 7;
    EXPECT_NEAR(fit_correlation_length(c, scaled), xi, 1e-8 * xi);
  }
  // Where xi << L the ring is the infinite chain; at T = 0.5 (xi = 27 ~ L) the second path flattens C(r).
  EXPECT_NEAR(exact_fitted_correlation_length(ring(L, 5.0)), -1 / std::log(std::tanh(0.2)), 1e-9);
  EXPECT_GT(exact_fitted_correlation_length(ring(L, 0.5)), 1.5 * -1 / std::log(std::tanh(2.0)));
}

TEST(CorrelationLength, NegativeNoisyValuesInTheWindowAreKept) {
  // T = 5: C(r) at the end of the window is far below the noise; a sample may be negative there.
  std::vector<double> c = infinite_chain_correlation(32, std::tanh(0.2)), error(32, 1e-3);
  c[6] = -1.5e-3, c[7] = 1e-3, c[8] = -0.5e-3;
  const double xi = fit_correlation_length(c, error);
  EXPECT_NEAR(xi, -1 / std::log(std::tanh(0.2)), 0.02);
  EXPECT_NEAR(xi, profile_minimum_xi(c, error), 1e-6);
  EXPECT_TRUE(std::isnan(fit_correlation_length({1.0, -0.1, -0.2, 0.1}, {1.0, 0.1, 0.1, 0.1})));
}

TEST(CorrelationLength, ExactSamplesAgreeWithTheExactFitAndTellTemperaturesApart) {
  for (double T : {0.5, 1.0, 5.0}) {
    const Chain chain = ring(32, T);
    const SpinSamples samples = ExactSampler(chain).draw(40000, 17);
    const CorrelationLengthFit fit = fitted_correlation_length(chain, samples);
    ASSERT_TRUE(fit.samples.error > 0) << "T=" << T;
    EXPECT_LT(fit.samples.error, 0.05 * fit.exact) << "T=" << T;
    EXPECT_NEAR(fit.samples.value, fit.exact, 4 * fit.samples.error) << "T=" << T;
    // Power: 10% hotter gives an exact xi many errors away.
    const CorrelationLengthFit hotter = fitted_correlation_length(ring(32, 1.1 * T), samples);
    EXPECT_GT(std::abs(fit.samples.value - hotter.exact), 4 * fit.samples.error) << "T=" << T;
  }
}
