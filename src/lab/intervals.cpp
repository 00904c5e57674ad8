#include "lab/intervals.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace spinformer::lab {

namespace {

void require_level(double level) {
  if (!(level > 0 && level < 1)) throw std::invalid_argument("confidence level must lie in (0, 1)");
}

}  // namespace

double bonferroni_level(std::size_t k, double alpha) {
  if (k == 0) throw std::invalid_argument("bonferroni_level: no conditions");
  if (!(alpha > 0 && alpha < 1)) throw std::invalid_argument("bonferroni_level: alpha must lie in (0, 1)");
  return 1 - alpha / static_cast<double>(k);
}

double normal_quantile(double p) { return boost::math::quantile(boost::math::normal_distribution<double>(), p); }

double student_t_quantile(double p, double dof) {
  return boost::math::quantile(boost::math::students_t_distribution<double>(dof), p);
}

Interval normal_interval(const Estimate& e, double level) {
  require_level(level);
  if (!std::isfinite(e.value) || !std::isfinite(e.error) || e.error < 0)
    throw std::invalid_argument("normal_interval: estimate and error must be finite, error >= 0");
  const double half = normal_quantile(0.5 + level / 2) * e.error;
  return {e.value, e.value - half, e.value + half};
}

Interval t_interval(const std::vector<double>& replicates, double level) {
  require_level(level);
  if (replicates.size() < 2) throw std::invalid_argument("t_interval: needs at least two replicates");
  for (double x : replicates)
    if (!std::isfinite(x)) throw std::invalid_argument("t_interval: a replicate is not finite");
  const Estimate m = mean_and_error(replicates);
  const double half = student_t_quantile(0.5 + level / 2, static_cast<double>(replicates.size() - 1)) * m.error;
  return {m.value, m.value - half, m.value + half};
}

Interval finite_t_interval(const std::vector<double>& replicates, double level) {
  std::vector<double> finite;
  for (double x : replicates)
    if (std::isfinite(x)) finite.push_back(x);
  if (finite.size() < 2) return {finite.empty() ? 0.0 : finite[0], -1e6, 1e6};
  return t_interval(finite, level);
}

Interval welch_interval(const std::vector<double>& a, const std::vector<double>& b, double level) {
  require_level(level);
  if (a.size() < 2 || b.size() < 2) throw std::invalid_argument("welch_interval: needs at least two replicates in each set");
  for (const auto* set : {&a, &b})
    for (double x : *set)
      if (!std::isfinite(x)) throw std::invalid_argument("welch_interval: a replicate is not finite");
  const Estimate ma = mean_and_error(a), mb = mean_and_error(b);
  const double va = ma.error * ma.error, vb = mb.error * mb.error;  // s^2 / n of each set
  const double d = ma.value - mb.value, se = std::sqrt(va + vb);
  if (se == 0) return {d, d, d};
  const double dof = (va + vb) * (va + vb) /
                     (va * va / static_cast<double>(a.size() - 1) + vb * vb / static_cast<double>(b.size() - 1));
  const double half = student_t_quantile(0.5 + level / 2, dof) * se;
  return {d, d - half, d + half};
}

std::vector<bool> holm_reject(const std::vector<double>& p_values, double alpha) {
  const std::vector<double> adjusted = holm_adjusted(p_values);
  std::vector<bool> reject(adjusted.size());
  for (std::size_t i = 0; i < adjusted.size(); ++i) reject[i] = adjusted[i] <= alpha;
  return reject;
}

std::vector<double> holm_adjusted(const std::vector<double>& p_values) {
  const std::size_t k = p_values.size();
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(k);
  double running = 0;  // step-down: an adjusted p-value is never below the one before it
  for (std::size_t j = 0; j < k; ++j) {
    const double p = p_values[order[j]];
    if (!(p >= 0 && p <= 1)) throw std::invalid_argument("holm_adjusted: a p-value outside [0, 1]");
    running = std::max(running, std::min(1.0, static_cast<double>(k - j) * p));
    adjusted[order[j]] = running;
  }
  return adjusted;
}

Interval fisher_z_t_interval(const std::vector<double>& correlations, double level) {
  std::vector<double> z;
  for (double r : correlations) {
    if (!(r > -1 && r < 1)) throw std::invalid_argument("fisher_z_t_interval: a correlation is not inside (-1, 1)");
    z.push_back(std::atanh(r));
  }
  const Interval on_z = t_interval(z, level);
  return {std::tanh(on_z.estimate), std::tanh(on_z.lower), std::tanh(on_z.upper)};
}

Interval fisher_z_interval(double r, std::size_t n, double level) {
  require_level(level);
  if (!(r > -1 && r < 1)) throw std::invalid_argument("fisher_z_interval: r must lie inside (-1, 1)");
  if (n < 4) throw std::invalid_argument("fisher_z_interval: needs at least 4 points");
  const double z = std::atanh(r), half = normal_quantile(0.5 + level / 2) / std::sqrt(static_cast<double>(n - 3));
  return {r, std::tanh(z - half), std::tanh(z + half)};
}

Interval logit_interval(std::size_t k, std::size_t n, double level) {
  require_level(level);
  if (n == 0 || k > n) throw std::invalid_argument("logit_interval: needs 0 <= k <= n, n >= 1");
  const double p = static_cast<double>(k) / static_cast<double>(n);
  const double kk = (k == 0 || k == n) ? static_cast<double>(k) + 0.5 : static_cast<double>(k);
  const double nn = (k == 0 || k == n) ? static_cast<double>(n) + 1 : static_cast<double>(n);
  const double q = kk / nn, logit = std::log(q / (1 - q));
  const double half = normal_quantile(0.5 + level / 2) / std::sqrt(nn * q * (1 - q));
  auto logistic = [](double x) { return 1 / (1 + std::exp(-x)); };
  return {p, std::min(p, logistic(logit - half)), std::max(p, logistic(logit + half))};
}

Interval log_t_interval(const std::vector<double>& ratios, double level) {
  std::vector<double> logs;
  for (double x : ratios) {
    if (!(x > 0) || !std::isfinite(x)) throw std::invalid_argument("log_t_interval: a ratio is not finite and positive");
    logs.push_back(std::log(x));
  }
  const Interval on_log = t_interval(logs, level);
  return {std::exp(on_log.estimate), std::exp(on_log.lower), std::exp(on_log.upper)};
}

std::size_t replicates_to_decide(double half_width, double distance, std::size_t n, double level) {
  require_level(level);
  if (!std::isfinite(half_width) || !std::isfinite(distance) || !(distance > 0) || !(half_width >= 0)) return 0;
  constexpr std::size_t kCap = 1000000000;
  if (n < 2) {  // factor on today's count: half_width / sqrt(m) < distance
    const double m = std::floor(half_width * half_width / (distance * distance)) + 1;
    return m > static_cast<double>(kCap) ? kCap : static_cast<std::size_t>(m);
  }
  const double q = 0.5 + level / 2;
  const double s = half_width * std::sqrt(static_cast<double>(n)) / student_t_quantile(q, static_cast<double>(n - 1));
  auto decides = [&](std::size_t m) {
    return student_t_quantile(q, static_cast<double>(m - 1)) * s / std::sqrt(static_cast<double>(m)) < distance;
  };
  std::size_t lo = 2, hi = 2;
  while (!decides(hi)) {
    if (hi >= kCap) return kCap;
    lo = hi;
    hi = std::min(kCap, hi * 2);
  }
  while (lo < hi) {  // smallest m in (lo, hi] that decides (decides(lo) may hold only when lo == 2)
    const std::size_t mid = lo + (hi - lo) / 2;
    if (decides(mid)) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

}  // namespace spinformer::lab
