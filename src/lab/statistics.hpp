#pragma once
// Small statistics toolbox: means with errors, jackknife, integrated autocorrelation time,
// chi-square goodness of fit (p-value from Boost.Math's regularized incomplete gamma function).
#include <functional>
#include <vector>

namespace spinformer::lab {

struct Estimate {
  double value = 0;
  double error = 0;  // one standard error
};

Estimate mean_and_error(const std::vector<double>& x);  // error = sample std / sqrt(n)

// Delete-one-block jackknife of a statistic f over n items split into `blocks` contiguous blocks.
// f(begin, end_excluded_begin, end_excluded_end) must compute the statistic on all items except
// those in [excluded_begin, excluded_end); with excluded_begin == excluded_end it uses all items.
Estimate jackknife(std::size_t n, int blocks,
                   const std::function<double(std::size_t excluded_begin, std::size_t excluded_end)>& f);

// Integrated autocorrelation time tau_int = 1 + 2 sum_{t>=1} rho(t) with Sokal's automatic window
// (the smallest W with W >= c tau_int(W)); effective sample size n / tau_int.
// For i.i.d. data tau_int ~ 1 and ess ~ n.
struct Autocorrelation {
  double tau_int = 1;
  int window = 0;
  double effective_sample_size = 0;
};
Autocorrelation integrated_autocorrelation(const std::vector<double>& x, double c = 5.0);

// Pearson chi-square test of observed counts against expected probabilities (summing to ~1).
// Adjacent bins are merged (in order) until each merged bin expects at least min_expected counts.
// dof = merged bins - 1; p_value = Q(dof/2, chi2/2).
struct ChiSquareResult {
  double chi2 = 0;
  int dof = 0;
  double p_value = 1;
};
ChiSquareResult chi_square_test(const std::vector<double>& observed, const std::vector<double>& expected_probability,
                                double min_expected = 5.0);

}  // namespace spinformer::lab
