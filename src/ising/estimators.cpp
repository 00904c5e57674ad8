#include "ising/estimators.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "ising/correlation_length.hpp"
#include "ising/exact.hpp"
#include "ising/magnetization_distribution.hpp"

namespace spinformer::ising {

namespace {

constexpr int kJackknifeBlocks = 20;

void require_samples(const Chain& chain, const SpinSamples& samples) {
  if (samples.L != chain.L) throw std::invalid_argument("estimators: sample length differs from chain L");
  if (samples.size() == 0) throw std::invalid_argument("estimators: no samples");
}

// Sum of s_i s_{i+1} over the chain's bonds (an integer, so that energies map to levels exactly).
long bond_sum(const Chain& chain, const Spin* s) {
  long b = 0;
  for (int i = 0; i + 1 < chain.L; ++i) b += s[i] * s[i + 1];
  if (chain.boundary == Boundary::periodic) b += s[chain.L - 1] * s[0];
  return b;
}

// Prefix sums over samples make every jackknife partial statistic O(1) (or O(L)) to evaluate.
struct PrefixSums {
  std::vector<double> sum;  // sum[k] = x_0 + ... + x_{k-1}
  explicit PrefixSums(const std::vector<double>& x) : sum(x.size() + 1, 0.0) {
    for (std::size_t k = 0; k < x.size(); ++k) sum[k + 1] = sum[k] + x[k];
  }
  // Sum over all items except [b, e).
  double without(std::size_t b, std::size_t e) const { return sum.back() - (sum[e] - sum[b]); }
};

}  // namespace

std::vector<double> sample_energies(const Chain& chain, const SpinSamples& samples) {
  std::vector<double> e(samples.size());
  for (std::size_t k = 0; k < e.size(); ++k) e[k] = energy(chain, samples.row(k));
  return e;
}

namespace {

// Per-block sums of s_i (per site) and of the pair products averaged over the pairs at distance r,
// from which C(r) on all samples but one block costs O(L): the jackknife of C(r) and of fits to it.
class CorrelationBlocks {
 public:
  CorrelationBlocks(const Chain& chain, const SpinSamples& samples, int blocks = kJackknifeBlocks)
      : L_(chain.L), ring_(chain.boundary == Boundary::periodic), n_(samples.size()),
        B_(std::min<std::size_t>(static_cast<std::size_t>(blocks), n_)), site_sum_(B_ * L_, 0.0), pair_sum_(B_ * L_, 0.0),
        site_total_(L_, 0.0), pair_total_(L_, 0.0), mean_(L_) {
    for (std::size_t b = 0; b < B_; ++b)
      for (std::size_t k = begin(b); k < begin(b + 1); ++k) {
        const Spin* s = samples.row(k);
        for (int i = 0; i < L_; ++i) site_sum_[b * L_ + i] += s[i];
        for (int r = 0; r < L_; ++r) {
          long acc = 0;
          if (ring_) {
            for (int i = 0; i < L_; ++i) acc += s[i] * s[(i + r) % L_];
          } else {
            for (int i = 0; i + r < L_; ++i) acc += s[i] * s[i + r];
          }
          pair_sum_[b * L_ + r] += static_cast<double>(acc) / pairs(r);
        }
      }
    for (std::size_t b = 0; b < B_; ++b)
      for (int i = 0; i < L_; ++i) {
        site_total_[i] += site_sum_[b * L_ + i];
        pair_total_[i] += pair_sum_[b * L_ + i];
      }
  }
  std::size_t blocks() const { return B_; }
  std::size_t begin(std::size_t b) const { return b * n_ / B_; }
  std::size_t block_of(std::size_t first) const {  // block starting at sample `first`
    for (std::size_t b = 0; b < B_; ++b)
      if (begin(b) == first) return b;
    throw std::logic_error("jackknife block boundaries disagree");
  }
  // C(r) = <s_i s_{i+r}> - <s_i><s_{i+r}> on all blocks but `excluded` (excluded >= blocks(): all).
  double correlation(int r, std::size_t excluded) const {
    double count = static_cast<double>(n_);
    double pair = pair_total_[r];
    for (int i = 0; i < L_; ++i) mean_[i] = site_total_[i];
    if (excluded < B_) {
      count -= static_cast<double>(begin(excluded + 1) - begin(excluded));
      pair -= pair_sum_[excluded * L_ + r];
      for (int i = 0; i < L_; ++i) mean_[i] -= site_sum_[excluded * L_ + i];
    }
    double mm = 0;
    if (ring_) {
      for (int i = 0; i < L_; ++i) mm += mean_[i] * mean_[(i + r) % L_];
    } else {
      for (int i = 0; i + r < L_; ++i) mm += mean_[i] * mean_[i + r];
    }
    return pair / count - mm / (count * count * pairs(r));
  }

 private:
  int pairs(int r) const { return ring_ ? L_ : L_ - r; }
  int L_;
  bool ring_;
  std::size_t n_, B_;
  std::vector<double> site_sum_, pair_sum_, site_total_, pair_total_;
  mutable std::vector<double> mean_;
};

// Fit range r_min..r_max for ln C(r): r_max is the last r of the run r = 1, 2, ... with C(r) > 3 error,
// kept below L/4 so that the periodic image t^{L-r} (and finite-size curvature) stays small. With only
// r = 1 usable, r = 0 is the second point (xi = 1 / ln(C(0) / C(1))). Returns false if no fit is possible.
bool fit_range(const CorrelationEstimate& corr, int& r_min, int& r_max) {
  const int L = static_cast<int>(corr.value.size());
  r_max = 0;
  for (int r = 1; 4 * r < L; ++r) {
    if (!(corr.value[r] > 3 * corr.error[r])) break;
    r_max = r;
  }
  r_min = r_max >= 2 ? 1 : 0;
  return r_max >= 1 && corr.value[0] > 0;
}

// Weighted least-squares slope of ln C(r) on r (weights (C / error)^2, i.e. 1 / Var(ln C)).
void fit_log_correlation(const std::vector<double>& value, const std::vector<double>& error, int r_min, int r_max,
                         double& slope, double& slope_error) {
  double S = 0, Sx = 0, Sy = 0, Sxx = 0, Sxy = 0;
  for (int r = r_min; r <= r_max; ++r) {
    const double rel = error[r] > 0 ? error[r] / value[r] : 1e-12;  // C(0) = 1 - m^2 may have ~0 error
    const double w = 1 / (rel * rel);
    const double y = std::log(value[r]);
    S += w;
    Sx += w * r;
    Sy += w * y;
    Sxx += w * r * r;
    Sxy += w * r * y;
  }
  const double det = S * Sxx - Sx * Sx;
  slope = (S * Sxy - Sx * Sy) / det;
  slope_error = std::sqrt(S / det);
}

}  // namespace

CorrelationEstimate sample_connected_correlation(const Chain& chain, const SpinSamples& samples, int blocks_wanted) {
  require_samples(chain, samples);
  if (blocks_wanted < 2) throw std::invalid_argument("sample_connected_correlation: blocks < 2");
  const CorrelationBlocks blocks(chain, samples, blocks_wanted);
  CorrelationEstimate out;
  out.value.resize(chain.L);
  out.error.resize(chain.L);
  for (int r = 0; r < chain.L; ++r) {
    const lab::Estimate e =
        lab::jackknife(samples.size(), static_cast<int>(blocks.blocks()), [&](std::size_t eb, std::size_t ee) {
          return blocks.correlation(r, eb == ee ? blocks.blocks() : blocks.block_of(eb));
        });
    out.value[r] = e.value;
    out.error[r] = e.error;
  }
  return out;
}

lab::Estimate sample_energy_per_spin(const Chain& chain, const SpinSamples& samples) {
  require_samples(chain, samples);
  std::vector<double> e = sample_energies(chain, samples);
  for (double& v : e) v /= chain.L;
  const PrefixSums s(e);
  const std::size_t n = e.size();
  return lab::jackknife(n, kJackknifeBlocks,
                        [&](std::size_t b, std::size_t x) { return s.without(b, x) / static_cast<double>(n - (x - b)); });
}

lab::Estimate sample_specific_heat_per_spin(const Chain& chain, const SpinSamples& samples) {
  require_samples(chain, samples);
  const std::vector<double> e = sample_energies(chain, samples);
  // Shift by the first energy so that Var(H) is not lost to cancellation in <H^2> - <H>^2.
  std::vector<double> d(e.size()), d2(e.size());
  for (std::size_t k = 0; k < e.size(); ++k) {
    d[k] = e[k] - e[0];
    d2[k] = d[k] * d[k];
  }
  const PrefixSums s1(d), s2(d2);
  const std::size_t n = e.size();
  const double beta = chain.beta();
  return lab::jackknife(n, kJackknifeBlocks, [&](std::size_t b, std::size_t x) {
    const double m = static_cast<double>(n - (x - b));
    const double mean = s1.without(b, x) / m;
    const double var = (s2.without(b, x) / m - mean * mean) * m / std::max(m - 1, 1.0);  // unbiased
    return beta * beta * var / chain.L;
  });
}

double max_correlation_z(const CorrelationEstimate& corr, const std::vector<double>& exact) {
  double z = 0;
  for (std::size_t r = 1; r <= exact.size() / 2; ++r)
    if (corr.error[r] > 0) z = std::max(z, std::abs(corr.value[r] - exact[r]) / corr.error[r]);
  return z;
}

lab::Estimate sample_correlation_length(const CorrelationEstimate& corr) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  int r_min, r_max;
  if (!fit_range(corr, r_min, r_max)) return {nan, nan};
  double slope, slope_error;
  fit_log_correlation(corr.value, corr.error, r_min, r_max, slope, slope_error);
  if (!(slope < 0)) return {std::numeric_limits<double>::infinity(), nan};
  // Formal fit error: it treats the C(r) as independent, but they are positively correlated, so it
  // underestimates the spread (by ~2x at T = 1); the (chain, samples) overload jackknifes the fit.
  return {-1 / slope, slope_error / (slope * slope)};
}

lab::Estimate sample_correlation_length(const Chain& chain, const SpinSamples& samples) {
  require_samples(chain, samples);
  const CorrelationEstimate corr = sample_connected_correlation(chain, samples);
  const lab::Estimate central = sample_correlation_length(corr);
  if (!std::isfinite(central.value)) return central;
  int r_min, r_max;
  fit_range(corr, r_min, r_max);
  // Same range and weights in every jackknife replica; only the C(r) values change.
  const CorrelationBlocks blocks(chain, samples);
  std::vector<double> value(chain.L);
  return lab::jackknife(samples.size(), static_cast<int>(blocks.blocks()), [&](std::size_t eb, std::size_t ee) {
    const std::size_t excluded = eb == ee ? blocks.blocks() : blocks.block_of(eb);
    for (int r = r_min; r <= r_max; ++r) value[r] = blocks.correlation(r, excluded);
    double slope, slope_error;
    fit_log_correlation(value, corr.error, r_min, r_max, slope, slope_error);
    return -1 / slope;
  });
}

CorrelationLengthFit fitted_correlation_length(const Chain& chain, const SpinSamples& samples) {
  require_samples(chain, samples);
  const CorrelationBlocks blocks(chain, samples);
  const int B = static_cast<int>(blocks.blocks());
  std::vector<double> value(chain.L), error(chain.L, 0.0);
  for (int r = 0; r < chain.L; ++r) {
    value[r] = blocks.correlation(r, blocks.blocks());
    error[r] = lab::jackknife(samples.size(), B, [&](std::size_t eb, std::size_t ee) {
                 return blocks.correlation(r, eb == ee ? blocks.blocks() : blocks.block_of(eb));
               }).error;
  }
  CorrelationLengthFit out;
  const CorrelationWindow win = correlation_window(chain.L);
  for (int r = win.first; r <= win.last; ++r)
    if (!(error[r] > 0)) {  // identical samples (e.g. all ordered): no weights, no sampled xi
      out.exact = exact_fitted_correlation_length(chain);
      out.samples = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
      return out;
    }
  out.exact = exact_fitted_correlation_length(chain, error);
  out.samples.value = fit_correlation_length(value, error);
  out.samples.error = std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(out.samples.value)) return out;
  std::vector<double> replica(value);
  out.samples.error =
      lab::jackknife(samples.size(), B, [&](std::size_t eb, std::size_t ee) {
        const std::size_t excluded = eb == ee ? blocks.blocks() : blocks.block_of(eb);
        for (int r = win.first; r <= win.last; ++r) replica[r] = blocks.correlation(r, excluded);
        return fit_correlation_length(replica, error);
      }).error;
  return out;
}

lab::ChiSquareResult energy_chi_square(const Chain& chain, const SpinSamples& samples) {
  require_samples(chain, samples);
  const ExactChain exact(chain);
  const std::vector<EnergyLevel> levels = exact.energy_distribution();  // throws if h != 0
  std::map<int, std::size_t> level_of_walls;  // domain-wall count k -> index in levels
  std::vector<double> expected(levels.size()), observed(levels.size(), 0.0);
  for (std::size_t j = 0; j < levels.size(); ++j) {
    level_of_walls[levels[j].domain_walls] = j;
    expected[j] = levels[j].probability;
  }
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const long walls = (chain.bonds() - bond_sum(chain, samples.row(k))) / 2;  // bonds - 2 k = bond sum
    const auto it = level_of_walls.find(static_cast<int>(walls));
    if (it == level_of_walls.end()) throw std::logic_error("energy_chi_square: sample outside the energy levels");
    observed[it->second] += 1;
  }
  return lab::chi_square_test(observed, expected);
}

lab::ChiSquareResult magnetization_chi_square(const Chain& chain, const SpinSamples& samples) {
  std::vector<double> counts(static_cast<std::size_t>(chain.L) + 1, 0.0);  // by number of up spins
  for (std::size_t k = 0; k < samples.size(); ++k) {
    int up = 0;
    for (int i = 0; i < chain.L; ++i) up += samples.row(k)[i] > 0;
    counts[static_cast<std::size_t>(up)] += 1;
  }
  return lab::chi_square_test(counts, magnetization_distribution(chain));
}

}  // namespace spinformer::ising
