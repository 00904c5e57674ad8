// Chapter 7's claim statistics: the plateau grids, slopes, decay windows and interval helpers that
// chapter_claims (claims.cpp) grades. Outside the code hash like claims.cpp (CMakeLists.txt).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "lab/intervals.hpp"
#include "lab/verdict.hpp"

#include "claims_statistics.hpp"
#include "learning_rate_temperature.hpp"

namespace spinformer {

namespace claims_statistics {

const Setting& need(const Measurements& m, const std::string& name, double eta, int batch, double T) {
  const Setting* s = m.find(name, eta, batch, T);
  if (!s) throw std::logic_error(fmt::format("ch07: no setting {} eta {} B {} T {}", name, eta, batch, T));
  return *s;
}

// t-interval of log(a_k / b_k) across seeds, returned on the ratio scale.
lab::Interval ratio_interval(const std::vector<double>& a, const std::vector<double>& b, double level) {
  std::vector<double> lr;
  for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k)
    if (a[k] > 0 && b[k] > 0 && std::isfinite(a[k] / b[k])) lr.push_back(std::log(a[k] / b[k]));
  if (lr.size() < 2) return {1, 1e-6, 1e6};
  const auto i = lab::t_interval(lr, level);
  return {std::exp(i.estimate), std::exp(i.lower), std::exp(i.upper)};
}

lab::Interval exact(double v) { return {v, v, v}; }

bool diverged(const nlohmann::json& well_run) { return well_run.value("diverged_at", -1L) >= 0; }

std::string level_words(double level) { return fmt::format("each at level {:.4f} (Bonferroni, family alpha 0.05)", level); }

// mean of the last `fraction` of a curve's KL points
double tail_mean(const std::vector<double>& kl, double fraction) {
  const std::size_t n = kl.size(), first = n - std::max<std::size_t>(1, std::size_t(fraction * double(n)));
  double s = 0;
  for (std::size_t i = first; i < n; ++i) s += kl[i];
  return s / double(n - first);
}
}  // namespace claims_statistics

using claims_statistics::need;
using claims_statistics::tail_mean;

std::vector<double> seed_slopes(const Measurements& m, int batch, double T) {
  std::vector<const Setting*> grid;
  for (const auto& s : m.settings)
    if (s.name == "sgd" && s.batch == batch && s.T == T) grid.push_back(&s);
  std::vector<double> out;
  if (grid.size() < 2) return out;
  for (std::size_t k = 0; k < grid[0]->plateaus.size(); ++k) {
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
    for (const auto* s : grid) {
      const double x = std::log(s->eta), y = std::log(s->plateaus[k]);
      sx += x, sy += y, sxx += x * x, sxy += x * y, n += 1;
    }
    out.push_back((n * sxy - sx * sy) / (n * sxx - sx * sx));
  }
  return out;
}

double interpolated_plateau(const Measurements& m, std::size_t seed, double eta, int batch, double T) {
  std::vector<const Setting*> grid;
  for (const auto& s : m.settings)
    if (s.name == "sgd" && s.batch == batch && s.T == T) grid.push_back(&s);
  std::sort(grid.begin(), grid.end(), [](auto* a, auto* b) { return a->eta < b->eta; });
  for (std::size_t i = 0; i + 1 < grid.size(); ++i)
    if (eta >= grid[i]->eta * (1 - 1e-9) && eta <= grid[i + 1]->eta * (1 + 1e-9)) {
      const double x = std::log(eta / grid[i]->eta) / std::log(grid[i + 1]->eta / grid[i]->eta);
      return std::exp((1 - x) * std::log(grid[i]->plateaus[seed]) + x * std::log(grid[i + 1]->plateaus[seed]));
    }
  return NAN;
}

std::pair<double, double> decay_window(const Config& cfg, int w, int windows) {
  const double span = double(cfg.decay_steps - cfg.warmup_steps) / windows;
  const double lo = cfg.warmup_steps + w * span;
  return {lo, lo + span};
}

namespace {
// The windows of the decay schedule over the runs of `runs` (the decay's own, or the constant peak run's):
// the eta of a window is always the decay schedule's.
std::vector<DecayWindow> windows_of(const Config& cfg, const Measurements& m, const Setting& runs, int windows) {
  const auto& d = need(m, "decay", cfg.eta_peak, cfg.small_batch, cfg.T);
  std::vector<DecayWindow> out;
  for (int w = 0; w < windows; ++w) {
    const auto [lo, hi] = decay_window(cfg, w, windows);
    DecayWindow win;
    double log_eta = 0, count = 0;
    for (std::size_t p = 0; p < d.runs[0].step.size(); ++p)
      if (d.runs[0].step[p] > lo && d.runs[0].step[p] <= hi) log_eta += std::log(d.runs[0].eta[p]), count += 1;
    for (const auto& r : runs.runs) {
      double s = 0, n = 0;
      for (std::size_t p = 0; p < r.step.size(); ++p)
        if (r.step[p] > lo && r.step[p] <= hi) s += r.kl[p], n += 1;
      win.kl.push_back(n > 0 ? s / n : NAN);
    }
    win.eta = std::exp(log_eta / std::max(1.0, count));
    for (std::size_t k = 0; k < runs.runs.size(); ++k)
      win.plateau.push_back(interpolated_plateau(m, k, win.eta, cfg.small_batch, cfg.T));
    out.push_back(win);
  }
  return out;
}
}  // namespace

std::vector<DecayWindow> decay_windows(const Config& cfg, const Measurements& m, int windows) {
  return windows_of(cfg, m, need(m, "decay", cfg.eta_peak, cfg.small_batch, cfg.T), windows);
}

std::vector<DecayWindow> constant_peak_windows(const Config& cfg, const Measurements& m, int windows) {
  return windows_of(cfg, m, need(m, "sgd", cfg.eta_peak, cfg.small_batch, cfg.T), windows);
}

namespace claims_statistics {
// The plateau check of a setting (lab/convergence.hpp): the mean over seeds of the last-quarter means must
// lie inside the t-interval (at the condition's level) of the third-quarter means.
lab::Convergence plateau_convergence(const Setting& s, double level) {
  double fourth = 0;
  for (double x : s.fourth) fourth += x;
  return lab::plateau_check(lab::t_interval(s.third, level), fourth / double(s.fourth.size()));
}

// A condition resting on several plateaus carries the check of the first that fails, else the first's.
lab::Convergence plateaus_convergence(const std::vector<const Setting*>& settings, double level) {
  for (const auto* s : settings)
    if (!lab::converged(plateau_convergence(*s, level))) return plateau_convergence(*s, level);
  return plateau_convergence(*settings.front(), level);
}

std::vector<const Setting*> grid_of(const Measurements& m, int batch, double T) {
  std::vector<const Setting*> grid;
  for (const auto& s : m.settings)
    if (s.name == "sgd" && s.batch == batch && s.T == T) grid.push_back(&s);
  std::sort(grid.begin(), grid.end(), [](auto* a, auto* b) { return a->eta < b->eta; });
  return grid;
}

// The grid settings whose plateaus the log-log interpolation at eta uses.
std::vector<const Setting*> bracketing(const Measurements& m, double eta, int batch, double T) {
  const auto grid = grid_of(m, batch, T);
  for (std::size_t i = 0; i + 1 < grid.size(); ++i)
    if (eta >= grid[i]->eta * (1 - 1e-9) && eta <= grid[i + 1]->eta * (1 + 1e-9)) return {grid[i], grid[i + 1]};
  return {};
}

// Least-squares slope of log y against log x.
double log_slope(const std::vector<std::pair<double, double>>& xy) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
  for (const auto& [x0, y0] : xy) {
    const double x = std::log(x0), y = std::log(y0);
    sx += x, sy += y, sxx += x * x, sxy += x * y, n += 1;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

double value_at(const std::vector<std::pair<double, double>>& grid, double eta) {
  for (const auto& [e, v] : grid)
    if (std::abs(e - eta) <= 1e-12 * eta) return v;
  throw std::logic_error(fmt::format("ch07: no control value at eta {}", eta));
}

// Log-log interpolation of a grid of (eta, value) pairs at eta; NaN outside it.
double interpolate(std::vector<std::pair<double, double>> grid, double eta) {
  std::sort(grid.begin(), grid.end());
  for (std::size_t i = 0; i + 1 < grid.size(); ++i)
    if (eta >= grid[i].first * (1 - 1e-9) && eta <= grid[i + 1].first * (1 + 1e-9)) {
      const double x = std::log(eta / grid[i].first) / std::log(grid[i + 1].first / grid[i].first);
      return std::exp((1 - x) * std::log(grid[i].second) + x * std::log(grid[i + 1].second));
    }
  return NAN;
}
}  // namespace claims_statistics

}  // namespace spinformer
