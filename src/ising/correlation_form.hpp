#pragma once
// The form and the length of the ring's C(r), each testable on its own.
//
// On the periodic chain at h = 0, with t = tanh(beta J) = lambda_- / lambda_+ and xi = -1 / ln t,
//   C(r) = (t^r + t^(L-r)) / (1 + t^L) = cosh((L/2 - r) / xi) / cosh(L / (2 xi)),
// a cosh about r = L/2, not a single exponential. Its length is the transfer matrix's xi, the same as
// the infinite chain's; what differs is the form. So a fit of A e^{-r/xi} to the ring's C(r) answers
// neither question cleanly: once xi is comparable with L its "xi" is an effective decay length of
// the window that depends on the fit's weights (ising/correlation_length.hpp: 64 with the samples'
// error bars, 68.5 with equal weights, at T = 0.5 on the L = 32 ring, against xi = 27.296).
// This file separates the two questions:
//   - the form: a goodness-of-fit test of a form to sampled C(r), with the jackknife covariance of
//     the C(r) over the window (they are strongly correlated at low T: the whole curve moves with the
//     sample's magnetisation);
//   - the length: the ring's own form fitted to C(r), whose xi is the transfer matrix's.
// Both use the paper's fixed window r = 1 .. max(2, floor(L/4)) (correlation_window) and two free
// parameters (amplitude and xi), so the two forms are compared on the same footing.
#include <cstddef>
#include <vector>

#include "ising/chain.hpp"
#include "lab/statistics.hpp"

namespace spinformer::ising {

enum class CorrelationForm {
  exponential,  // A e^{-r/xi}: the infinite chain's form (exact on the open chain at h = 0)
  ring,         // A cosh((L/2 - r)/xi) / cosh(L/(2 xi)): the periodic chain's exact form at h = 0
};

// The form's shape at r, amplitude 1 (ring: L is the ring's length).
double correlation_shape(CorrelationForm form, int L, double xi, double r);

struct FormFit {
  double amplitude = 0, xi = 0;  // xi = +infinity when the best fit does not decay
  double chi_square = 0;         // the minimised (C - model)^T W (C - model)
  int points = 0, dof = 0;       // window size, and window size minus the two parameters
};

// Generalised least squares of a form to C(r), r = 0..L-1 (L = c.size() >= 3), over the window:
// minimises (C - model)^T W (C - model), with W the inverse covariance of the window's C(r)
// (points x points, row-major) or, when W is empty, the identity (equal weights). The amplitude is
// solved for at each xi, and xi is found by a scan of 1/xi followed by golden-section refinement.
// Throws std::invalid_argument for L < 3, a W of the wrong size, or a non-finite C(r) in the window.
FormFit fit_correlation_form(CorrelationForm form, const std::vector<double>& c,
                             const std::vector<double>& inverse_covariance = {});

// The ring's correlation length: its own form fitted to C(r) with equal weights. On the ring's exact
// C(r) it is -1 / ln tanh(beta J) = 1 / ln(lambda_+ / lambda_-) (27.296 at T = 0.5, L = 32).
double ring_correlation_length(const std::vector<double>& c);

// A form tested on samples: C(r) and its delete-one-block jackknife covariance over the window
// (blocks contiguous blocks; blocks must be long compared with tau_int for a Markov chain, and may be
// many for independent samples), the correlated fit, its p-value and the jackknife error of its xi
// (each replica refitted with the same W).
// p-value: the fit's chi-square with a covariance estimated from B blocks is not chi-square
// distributed; with d = points - 2 degrees of freedom it is referred to Hotelling's form,
// chi2 (B - 1 - d + 1) / ((B - 1) d) ~ F(d, B - d), which tends to the chi-square test as B grows.
struct FormTest {
  FormFit fit;
  lab::Estimate xi;           // fit.xi with its jackknife error (NaN when a replica admits no fit)
  double p_value = 0;
  std::size_t blocks = 0;
  std::vector<double> correlation;         // C(r), r = 0..L-1, from all samples
  std::vector<double> inverse_covariance;  // W over the window, row-major
};
FormTest test_correlation_form(CorrelationForm form, const Chain& chain, const SpinSamples& samples, int blocks);

// The same test applied to a given C(r) (e.g. a chain's exact C(r)) with the W and block count of a
// test on samples: what the test says of a C(r) that is known exactly, at that noise level.
double form_p_value(CorrelationForm form, const std::vector<double>& c, const FormTest& noise);

}  // namespace spinformer::ising
