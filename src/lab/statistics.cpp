#include "lab/statistics.hpp"

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace spinformer::lab {

Estimate mean_and_error(const std::vector<double>& x) {
  if (x.empty()) throw std::invalid_argument("mean_and_error: no data");
  const double n = static_cast<double>(x.size());
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  if (x.size() < 2) return {mean, std::numeric_limits<double>::quiet_NaN()};  // no spread to measure
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return {mean, std::sqrt(ss / (n - 1) / n)};
}

Estimate jackknife(std::size_t n, int blocks,
                   const std::function<double(std::size_t excluded_begin, std::size_t excluded_end)>& f) {
  if (n == 0) throw std::invalid_argument("jackknife: no data");
  const std::size_t b_count = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(blocks, 2)));
  const double full = f(0, 0);
  if (n < 2) return {full, std::numeric_limits<double>::quiet_NaN()};
  std::vector<double> partial(b_count);
  for (std::size_t b = 0; b < b_count; ++b) partial[b] = f(b * n / b_count, (b + 1) * n / b_count);
  const double mean = std::accumulate(partial.begin(), partial.end(), 0.0) / static_cast<double>(b_count);
  double ss = 0;
  for (double p : partial) ss += (p - mean) * (p - mean);
  // Jackknife variance (B-1)/B sum (theta_b - mean)^2; the value reported is the full-sample estimate.
  return {full, std::sqrt(ss * static_cast<double>(b_count - 1) / static_cast<double>(b_count))};
}

Autocorrelation integrated_autocorrelation(const std::vector<double>& x, double c) {
  Autocorrelation out;
  const std::size_t n = x.size();
  out.effective_sample_size = static_cast<double>(n);
  if (n < 4) return out;
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
  std::vector<double> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = x[i] - mean;
  double c0 = 0;
  for (double v : d) c0 += v * v;
  if (c0 <= 0) return out;  // constant series: nothing to correlate
  // Sokal's window: grow W one lag at a time (direct O(n W) sums) until W >= c tau_int(W).
  // rho(t) uses the 1/n normalisation (biased but positive-definite, smaller variance at large t).
  double tau = 1;
  std::size_t w = 1;
  const std::size_t w_max = n / 2;
  for (; w <= w_max; ++w) {
    double ct = 0;
    for (std::size_t i = 0; i + w < n; ++i) ct += d[i] * d[i + w];
    tau += 2 * ct / c0;
    if (static_cast<double>(w) >= c * tau) break;
  }
  out.tau_int = tau;
  out.window = static_cast<int>(std::min(w, w_max));
  out.effective_sample_size = static_cast<double>(n) / tau;
  return out;
}

ChiSquareResult chi_square_test(const std::vector<double>& observed, const std::vector<double>& expected_probability,
                                double min_expected) {
  if (observed.size() != expected_probability.size() || observed.empty())
    throw std::invalid_argument("chi_square_test: observed and expected must have the same, non-zero size");
  const double total = std::accumulate(observed.begin(), observed.end(), 0.0);
  // Normalise the probabilities so that rounding in a distribution that should sum to 1 cannot bias chi2.
  const double p_sum = std::accumulate(expected_probability.begin(), expected_probability.end(), 0.0);
  if (!(p_sum > 0) || !(total > 0)) throw std::invalid_argument("chi_square_test: empty distribution or sample");

  // Merge adjacent bins (in order) until each expects >= min_expected; a short tail joins the last bin.
  std::vector<double> obs, exp;
  double o_acc = 0, e_acc = 0;
  for (std::size_t k = 0; k < observed.size(); ++k) {
    o_acc += observed[k];
    e_acc += total * expected_probability[k] / p_sum;
    if (e_acc >= min_expected) {
      obs.push_back(o_acc);
      exp.push_back(e_acc);
      o_acc = e_acc = 0;
    }
  }
  if (e_acc > 0 || o_acc > 0) {
    if (exp.empty()) {
      obs.push_back(o_acc);
      exp.push_back(e_acc);
    } else {
      obs.back() += o_acc;
      exp.back() += e_acc;
    }
  }
  ChiSquareResult r;
  for (std::size_t k = 0; k < obs.size(); ++k) {
    if (exp[k] > 0) {
      r.chi2 += (obs[k] - exp[k]) * (obs[k] - exp[k]) / exp[k];
    } else if (obs[k] > 0) {
      r.chi2 = std::numeric_limits<double>::infinity();  // counts where nothing is allowed
    }
  }
  r.dof = static_cast<int>(obs.size()) - 1;
  if (r.dof <= 0) {
    r.p_value = 1;
  } else if (std::isinf(r.chi2)) {
    r.p_value = 0;
  } else {
    r.p_value = boost::math::gamma_q(0.5 * r.dof, 0.5 * r.chi2);
  }
  return r;
}

}  // namespace spinformer::lab
