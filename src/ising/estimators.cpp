#include "ising/estimators.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "ising/exact.hpp"

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

CorrelationEstimate sample_connected_correlation(const Chain& chain, const SpinSamples& samples) {
  require_samples(chain, samples);
  const int L = chain.L;
  const bool ring = chain.boundary == Boundary::periodic;
  const std::size_t n = samples.size();
  const std::size_t B = std::min<std::size_t>(kJackknifeBlocks, n);
  auto block_begin = [&](std::size_t b) { return b * n / B; };
  // Per-block sums of s_i (per site) and of the pair products averaged over the pairs at distance r.
  std::vector<double> site_sum(B * L, 0.0), pair_sum(B * L, 0.0);
  auto pairs = [&](int r) { return ring ? L : L - r; };
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t k = block_begin(b); k < block_begin(b + 1); ++k) {
      const Spin* s = samples.row(k);
      for (int i = 0; i < L; ++i) site_sum[b * L + i] += s[i];
      for (int r = 0; r < L; ++r) {
        long acc = 0;
        if (ring) {
          for (int i = 0; i < L; ++i) acc += s[i] * s[(i + r) % L];
        } else {
          for (int i = 0; i + r < L; ++i) acc += s[i] * s[i + r];
        }
        pair_sum[b * L + r] += static_cast<double>(acc) / pairs(r);
      }
    }
  std::vector<double> site_total(L, 0.0), pair_total(L, 0.0);
  for (std::size_t b = 0; b < B; ++b)
    for (int i = 0; i < L; ++i) {
      site_total[i] += site_sum[b * L + i];
      pair_total[i] += pair_sum[b * L + i];
    }
  // C(r) on all blocks but block `excluded` (excluded = B: use all): <s_i s_{i+r}> - <s_i><s_{i+r}>.
  std::vector<double> mean(L);
  auto correlation = [&](int r, std::size_t excluded) {
    double count = static_cast<double>(n);
    double pair = pair_total[r];
    for (int i = 0; i < L; ++i) mean[i] = site_total[i];
    if (excluded < B) {
      count -= static_cast<double>(block_begin(excluded + 1) - block_begin(excluded));
      pair -= pair_sum[excluded * L + r];
      for (int i = 0; i < L; ++i) mean[i] -= site_sum[excluded * L + i];
    }
    double mm = 0;
    if (ring) {
      for (int i = 0; i < L; ++i) mm += mean[i] * mean[(i + r) % L];
    } else {
      for (int i = 0; i + r < L; ++i) mm += mean[i] * mean[i + r];
    }
    return pair / count - mm / (count * count * pairs(r));
  };
  CorrelationEstimate out;
  out.value.resize(L);
  out.error.resize(L);
  for (int r = 0; r < L; ++r) {
    const lab::Estimate e = lab::jackknife(n, static_cast<int>(B), [&](std::size_t eb, std::size_t ee) {
      if (eb == ee) return correlation(r, B);
      for (std::size_t b = 0; b < B; ++b)
        if (block_begin(b) == eb) return correlation(r, b);
      throw std::logic_error("jackknife block boundaries disagree");
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

lab::Estimate sample_correlation_length(const CorrelationEstimate& corr) {
  const int L = static_cast<int>(corr.value.size());
  // r_max: the last r of the run r = 1, 2, ... where C(r) > 3 error, kept below L/4 so that the
  // periodic image t^{L-r} (and finite-size curvature) stays small.
  int r_max = 0;
  for (int r = 1; 4 * r < L; ++r) {
    if (!(corr.value[r] > 3 * corr.error[r])) break;
    r_max = r;
  }
  // Weighted least squares for ln C(r) = a - r / xi; Var(ln C) ~ (error / C)^2. With only r = 1
  // usable, fall back to r = 0 as the second point (xi = 1 / ln(C(0) / C(1))).
  const int r_min = r_max >= 2 ? 1 : 0;
  if (r_max < 1 || !(corr.value[0] > 0)) return {std::numeric_limits<double>::quiet_NaN(),
                                                 std::numeric_limits<double>::quiet_NaN()};
  double S = 0, Sx = 0, Sy = 0, Sxx = 0, Sxy = 0;
  for (int r = r_min; r <= r_max; ++r) {
    const double c = corr.value[r];
    const double rel = corr.error[r] > 0 ? corr.error[r] / c : 1e-12;  // exact C(0) = 1 - m^2 may have ~0 error
    const double w = 1 / (rel * rel);
    const double y = std::log(c);
    S += w;
    Sx += w * r;
    Sy += w * y;
    Sxx += w * r * r;
    Sxy += w * r * y;
  }
  const double det = S * Sxx - Sx * Sx;
  const double slope = (S * Sxy - Sx * Sy) / det;
  const double slope_error = std::sqrt(S / det);
  if (!(slope < 0)) return {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()};
  return {-1 / slope, slope_error / (slope * slope)};
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

}  // namespace spinformer::ising
