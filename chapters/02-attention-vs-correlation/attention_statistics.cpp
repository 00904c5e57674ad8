// Chapter 2: statistics of an attention map (declared in attention_statistics.hpp).
#include "attention_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "lab/rng.hpp"

namespace spinformer {

Maps uniform_maps(int layers, int heads, int L) {
  Maps m{layers, heads, L, std::vector<double>(static_cast<std::size_t>(layers) * heads * L * L, 0.0)};
  for (int l = 0; l < layers; ++l)
    for (int h = 0; h < heads; ++h)
      for (int t = 0; t < L; ++t)
        for (int u = 0; u <= t; ++u) m.w[((static_cast<std::size_t>(l) * heads + h) * L + t) * L + u] = 1.0 / (t + 1);
  return m;
}

std::vector<double> head_mean(const Maps& m, int layer) {
  std::vector<double> w(static_cast<std::size_t>(m.L) * m.L, 0.0);
  for (int h = 0; h < m.heads; ++h)
    for (int t = 0; t < m.L; ++t)
      for (int u = 0; u <= t; ++u) w[static_cast<std::size_t>(t) * m.L + u] += m.at(layer, h, t, u) / m.heads;
  return w;
}

namespace {
double log_weight(double w) { return std::log(std::max(w, 1e-300)); }
}  // namespace

Shape shape_against(const std::vector<double>& w, int L, const std::vector<double>& C, int R) {
  // pooled within-query sums: x = ln w, y = ln C, and r, each centred on its query's mean
  double xx = 0, yy = 0, xy = 0, rr = 0, xr = 0, yr = 0;
  for (int t = 3; t < L; ++t) {
    const int rmax = std::min(t - 1, R);
    if (rmax < 2) continue;
    double mx = 0, my = 0, mr = 0;
    for (int r = 1; r <= rmax; ++r)
      mx += log_weight(w[static_cast<std::size_t>(t) * L + (t + 1 - r)]), my += std::log(C[r]), mr += r;
    mx /= rmax, my /= rmax, mr /= rmax;
    for (int r = 1; r <= rmax; ++r) {
      const double x = log_weight(w[static_cast<std::size_t>(t) * L + (t + 1 - r)]) - mx, y = std::log(C[r]) - my,
                   d = r - mr;
      xx += x * x, yy += y * y, xy += x * y, rr += d * d, xr += x * d, yr += y * d;
    }
  }
  Shape s;
  // a uniform row has no shape (xx = 0): no correlation with anything, rho = 0
  s.rho = xx > 0 && yy > 0 ? xy / std::sqrt(xx * yy) : 0.0;
  s.rate = rr > 0 ? -xr / rr : 0.0;
  s.rate_C = rr > 0 ? -yr / rr : 0.0;
  s.rate_ratio = s.rate_C != 0 ? s.rate / s.rate_C : NAN;
  return s;
}

double rho_with_sink(const std::vector<double>& w, int L, const std::vector<double>& C, int R) {
  std::vector<double> x, y;
  for (int r = 1; r <= R; ++r) {
    double a = 0, u = 0;
    for (int t = r; t < L; ++t) a += w[static_cast<std::size_t>(t) * L + (t + 1 - r)], u += 1.0 / (t + 1);
    x.push_back(log_weight(a) - std::log(u));  // the same number of queries in both: their count cancels
    y.push_back(std::log(C[r]));
  }
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t k = 0; k < x.size(); ++k) mx += x[k] / n, my += y[k] / n;
  double xx = 0, yy = 0, xy = 0;
  for (std::size_t k = 0; k < x.size(); ++k)
    xx += (x[k] - mx) * (x[k] - mx), yy += (y[k] - my) * (y[k] - my), xy += (x[k] - mx) * (y[k] - my);
  return xx > 0 && yy > 0 ? xy / std::sqrt(xx * yy) : 0.0;
}

SpinSummary spin_summary(const std::vector<double>& w, int L) {
  SpinSummary s;
  s.profile.assign(L, 0.0);
  std::vector<double> count(L, 0.0);
  const double queries = L - 2;
  for (int t = 2; t < L; ++t) {
    const double* row = &w[static_cast<std::size_t>(t) * L];
    double spins = 0, moment = 0;
    for (int u = 2; u <= t; ++u) spins += row[u], moment += row[u] * (t + 1 - u);
    s.start += row[0] / queries, s.sink += row[1] / queries;
    if (!(spins > 0)) continue;  // no weight on a spin key: nothing to renormalise (counts as 0)
    s.prev += row[t] / spins / queries, s.distance += moment / spins / queries;
    for (int u = 2; u <= t; ++u) s.profile[t + 1 - u] += row[u] / spins, count[t + 1 - u] += 1;
  }
  for (int r = 1; r < L; ++r) s.profile[r] = count[r] > 0 ? s.profile[r] / count[r] : NAN;
  return s;
}

std::vector<double> hand_attention(const std::vector<double>& like, int L, const std::function<double(int)>& shape) {
  std::vector<double> w(static_cast<std::size_t>(L) * L, 0.0);
  w[0] = 1.0;
  for (int t = 1; t < L; ++t) {
    double* row = &w[static_cast<std::size_t>(t) * L];
    const double* model = &like[static_cast<std::size_t>(t) * L];
    row[0] = model[0], row[1] = model[1];
    if (t == 1) continue;
    double norm = 0;
    for (int u = 2; u <= t; ++u) norm += shape(t + 1 - u);
    const double rest = std::max(0.0, 1.0 - model[0] - model[1]);
    for (int u = 2; u <= t; ++u) row[u] = rest * shape(t + 1 - u) / norm;
  }
  return w;
}

double inside_unit(double rho) { return std::clamp(rho, -1.0 + 1e-9, 1.0 - 1e-9); }

double trend_statistic(const std::vector<double>& x, const std::vector<int>& group) {
  // values equal up to rounding are ties: the same attention renormalised along two paths (a control
  // written by hand, the same at every T) must not get a direction from its last bits
  auto sign = [](double a, double b) {
    const double d = b - a;
    return std::abs(d) <= 1e-9 * std::max(std::abs(a), std::abs(b)) ? 0 : (d > 0) - (d < 0);
  };
  double s = 0;
  for (std::size_t a = 0; a < x.size(); ++a)
    for (std::size_t b = 0; b < x.size(); ++b)
      if (group[a] < group[b]) s += sign(x[a], x[b]);
  return s;
}

double trend_p(const std::vector<double>& x, const std::vector<int>& group, int permutations, std::uint64_t seed) {
  const double observed = std::abs(trend_statistic(x, group));
  lab::Rng rng(seed);
  std::vector<int> g = group;
  long at_least = 0;
  for (int p = 0; p < permutations; ++p) {
    for (std::size_t i = g.size() - 1; i > 0; --i) std::swap(g[i], g[rng.below(static_cast<std::uint32_t>(i + 1))]);
    at_least += std::abs(trend_statistic(x, g)) >= observed;  // integers: no rounding to guard against
  }
  return (1.0 + at_least) / (1.0 + permutations);
}

}  // namespace spinformer
