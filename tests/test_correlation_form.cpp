// The ring's C(r): its length is the transfer matrix's xi, its form is not a single exponential
// (ising/correlation_form.hpp). Reference: ../shared/reference/ising-chain.md, "Correlations".
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "ising/correlation_form.hpp"
#include "ising/correlation_length.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"

using namespace spinformer::ising;

namespace {

Chain chain_of(int L, double T, Boundary boundary) {
  Chain c;
  c.L = L;
  c.T = T;
  c.boundary = boundary;
  return c;
}

double formula_xi(double T) { return -1 / std::log(std::tanh(1 / T)); }

}  // namespace

// The referee's number: the ring's own form over r = 1..8 of the L = 32 ring at T = 0.5 returns
// 27.296, the eigenvalue ratio's xi, where the single exponential returns an effective 68.5.
TEST(CorrelationForm, RingFormOfTheExactRingReturnsTheTransferMatrixXi) {
  const ExactChain exact(chain_of(32, 0.5, Boundary::periodic));
  const std::vector<double> c = exact.connected_correlation();
  EXPECT_NEAR(ring_correlation_length(c), 27.296, 1e-3);
  EXPECT_NEAR(ring_correlation_length(c), exact.correlation_length(), 1e-6 * exact.correlation_length());
  // The single exponential on the same C(r) and window, equal weights: the paper's old definition.
  const double single = fit_correlation_form(CorrelationForm::exponential, c).xi;
  EXPECT_NEAR(single, fit_correlation_length(c), 1e-6 * single);
  EXPECT_NEAR(single, 68.5, 0.1);
  // (At xi >> L the ring's C(r) hardly depends on xi: at T = 0.3, xi = 393, the fit is good to 5e-5.)
  for (double T : {0.4, 0.75, 1.0, 2.0, 5.0}) {
    const ExactChain e(chain_of(32, T, Boundary::periodic));
    EXPECT_NEAR(ring_correlation_length(e.connected_correlation()), formula_xi(T), 1e-6 * formula_xi(T)) << "T " << T;
    EXPECT_NEAR(e.correlation_length(), formula_xi(T), 1e-9 * formula_xi(T));
  }
}

TEST(CorrelationForm, ShapesAreTheReferenceSheetFormulas) {
  const double T = 0.8, t = std::tanh(1 / T), xi = formula_xi(T);
  const int L = 20;
  for (int r = 0; r < L; ++r) {
    EXPECT_NEAR(correlation_shape(CorrelationForm::exponential, L, xi, r), std::pow(t, r), 1e-12);
    EXPECT_NEAR(correlation_shape(CorrelationForm::ring, L, xi, r),
                (std::pow(t, r) + std::pow(t, L - r)) / (1 + std::pow(t, L)), 1e-12);
    EXPECT_NEAR(correlation_shape(CorrelationForm::ring, L, xi, r), std::cosh((L / 2.0 - r) / xi) / std::cosh(L / (2 * xi)),
                1e-12);
  }
}

// Each form is exact on its own chain (zero chi-square), and the other form misses it.
TEST(CorrelationForm, EachFormFitsItsOwnChainExactly) {
  const double T = 0.6;
  const ExactChain open(chain_of(32, T, Boundary::open)), ring(chain_of(32, T, Boundary::periodic));
  const FormFit exp_open = fit_correlation_form(CorrelationForm::exponential, open.connected_correlation());
  EXPECT_NEAR(exp_open.xi, formula_xi(T), 1e-6 * formula_xi(T));
  EXPECT_NEAR(exp_open.amplitude, 1.0, 1e-7);  // golden section: xi to ~1e-8
  EXPECT_LT(exp_open.chi_square, 1e-20);
  EXPECT_EQ(exp_open.points, 8);
  EXPECT_EQ(exp_open.dof, 6);
  const FormFit ring_ring = fit_correlation_form(CorrelationForm::ring, ring.connected_correlation());
  EXPECT_NEAR(ring_ring.amplitude, 1.0, 1e-7);
  EXPECT_LT(ring_ring.chi_square, 1e-20);
  EXPECT_GT(fit_correlation_form(CorrelationForm::exponential, ring.connected_correlation()).chi_square, 1e-8);
}

TEST(CorrelationForm, RejectsBadInput) {
  EXPECT_THROW(fit_correlation_form(CorrelationForm::ring, {1.0, 0.5}), std::invalid_argument);
  std::vector<double> c(16, 0.5);
  EXPECT_THROW(fit_correlation_form(CorrelationForm::ring, c, std::vector<double>(3, 1.0)), std::invalid_argument);
  c[2] = NAN;
  EXPECT_THROW(fit_correlation_form(CorrelationForm::ring, c), std::invalid_argument);
  const Chain chain = chain_of(16, 1.0, Boundary::periodic);
  const SpinSamples s = ExactSampler(chain).draw(100, 1);
  EXPECT_THROW(test_correlation_form(CorrelationForm::ring, chain, s, 2), std::invalid_argument);
  EXPECT_THROW(test_correlation_form(CorrelationForm::ring, chain, s, 101), std::invalid_argument);
  EXPECT_THROW(test_correlation_form(CorrelationForm::ring, chain_of(8, 1.0, Boundary::periodic), s, 10),
               std::invalid_argument);
}

// The goodness-of-fit test is calibrated where the form is true: on exact samples of the open chain
// (C(r) = t^r exactly) the p-values of the single exponential are uniform. 60 seeds: the fraction
// below 0.2 is binomial(60, 0.2), 12 +- 3.1; a miscalibrated test (the naive chi-square with a
// 20-block covariance, say) puts far more there.
TEST(CorrelationForm, ExponentialTestIsCalibratedOnTheOpenChain) {
  const Chain open = chain_of(32, 0.75, Boundary::open);
  const ExactSampler sampler(open);
  int below = 0;
  const int seeds = 60;
  for (int s = 0; s < seeds; ++s) {
    const FormTest test = test_correlation_form(CorrelationForm::exponential, open,
                                                sampler.draw(4000, 1000 + static_cast<std::uint64_t>(s)), 100);
    ASSERT_TRUE(std::isfinite(test.p_value));
    below += test.p_value < 0.2;
  }
  EXPECT_GE(below, 3);
  EXPECT_LE(below, 22);
}

// On the ring at T = 0.5 (xi = 27 on L = 32) 50,000 exact samples reject the single exponential and
// accept the ring's form, whose xi agrees with the transfer matrix's within its jackknife error; the
// exact ring C(r) at that noise level is rejected as an exponential and accepted as a ring.
TEST(CorrelationForm, ExactRingSamplesRejectTheExponentialAndRecoverXi) {
  const Chain ring = chain_of(32, 0.5, Boundary::periodic);
  const ExactChain exact(ring);
  const SpinSamples samples = ExactSampler(ring).draw(50'000, 20261207);
  const FormTest as_exp = test_correlation_form(CorrelationForm::exponential, ring, samples, 200);
  const FormTest as_ring = test_correlation_form(CorrelationForm::ring, ring, samples, 200);
  EXPECT_LT(as_exp.p_value, 1e-3);
  EXPECT_GT(as_ring.p_value, 1e-3);
  ASSERT_TRUE(std::isfinite(as_ring.xi.error));
  EXPECT_GT(as_ring.xi.error, 0);
  EXPECT_LT(std::abs(as_ring.xi.value - exact.correlation_length()), 4 * as_ring.xi.error);
  EXPECT_LT(form_p_value(CorrelationForm::exponential, exact.connected_correlation(), as_exp), 1e-3);
  EXPECT_GT(form_p_value(CorrelationForm::ring, exact.connected_correlation(), as_ring), 0.999);
}
