#pragma once
// Estimators of chain observables from samples, with standard errors, to hold against ExactChain.
#include <vector>

#include "ising/chain.hpp"
#include "ising/correlation_length.hpp"  // the definition behind fitted_correlation_length
#include "lab/statistics.hpp"

namespace spinformer::ising {

std::vector<double> sample_energies(const Chain& chain, const SpinSamples& samples);  // H(s) per sample

// Connected C(r), r = 0..L-1, averaged over pairs (i, i+r) as in ExactChain::connected_correlation,
// with <s> estimated from the same samples; error bars by jackknife over `blocks` blocks of samples.
// Twenty blocks suit a Markov chain's correlated samples; for independent samples (a model's or the
// exact sampler's) use more: a 20-block error is itself uncertain by about 1/sqrt(2 * 19) = 16 %,
// enough to put a largest |z| over 16 distances and several seeds near 5 by chance.
struct CorrelationEstimate {
  std::vector<double> value;
  std::vector<double> error;
};
CorrelationEstimate sample_connected_correlation(const Chain& chain, const SpinSamples& samples, int blocks = 20);

// Largest |z| of a sampled C(r) against the exact C(r) (exact.size() = L values), r = 1..L/2;
// points with a zero error bar are skipped.
double max_correlation_z(const CorrelationEstimate& corr, const std::vector<double>& exact);

// Energy per spin and specific heat per spin beta^2 Var(H) / L with jackknife errors.
lab::Estimate sample_energy_per_spin(const Chain& chain, const SpinSamples& samples);
lab::Estimate sample_specific_heat_per_spin(const Chain& chain, const SpinSamples& samples);

// The paper's correlation length (ising/correlation_length.hpp: a fit over the fixed window
// r = 1..max(2, floor(L/4)), weights 1 / error(r)^2) of the samples' C(r), with its error from a
// jackknife of the whole fit over blocks of samples (same window and weights in every replica), and
// the same fit, with the same weights, to the chain's exact C(r): the reference to hold it against.
struct CorrelationLengthFit {
  lab::Estimate samples;  // NaN / infinite value when the samples' C(r) admits no decaying fit
  double exact = 0;
};
CorrelationLengthFit fitted_correlation_length(const Chain& chain, const SpinSamples& samples);

// Superseded by fitted_correlation_length (its window depends on the data); kept until the chapters
// that still call it (chapter 5) adopt the paper's definition.
// Correlation length from C(r): xi = 1 / ln(C(1) / C(2)) estimated over the first r where C is
// clearly positive (a fit of ln C(r) on r = 1..r_max, r_max = the last r with C(r) > 3 error and r < L/4).
// The error of this overload is the formal weighted-fit error, which ignores the correlations between
// the C(r) and underestimates the spread; prefer the overload below when the samples are at hand.
lab::Estimate sample_correlation_length(const CorrelationEstimate& corr);
// The same fit, with its error from a jackknife of the whole fit over blocks of samples.
lab::Estimate sample_correlation_length(const Chain& chain, const SpinSamples& samples);

// Chi-square test of the sample energy histogram against the exact distribution (h = 0 only).
lab::ChiSquareResult energy_chi_square(const Chain& chain, const SpinSamples& samples);

// Chi-square test of the histogram of M = sum_i s_i against the exact P(M) (any h, both boundaries).
// It catches what the energy histogram cannot: a sampler stuck in one ordered state.
lab::ChiSquareResult magnetization_chi_square(const Chain& chain, const SpinSamples& samples);

}  // namespace spinformer::ising
