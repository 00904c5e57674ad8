#pragma once
// The helpers chapter_claims (claims.cpp) grades with: settings by name, paired ratio intervals, the
// plateau checks, the grids of plateaus and their log-log slopes and interpolations
// (claims_statistics.cpp). Outside the code hash, as claims.cpp.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lab/convergence.hpp"
#include "lab/intervals.hpp"

#include "learning_rate_temperature.hpp"

namespace spinformer::claims_statistics {

// The setting (name, eta, B, T) of the measurements; std::logic_error if absent.
const Setting& need(const Measurements& m, const std::string& name, double eta, int batch, double T);
// t-interval of log(a_k / b_k) across seeds, returned on the ratio scale.
lab::Interval ratio_interval(const std::vector<double>& a, const std::vector<double>& b, double level);
// An exact value as a zero-width interval.
lab::Interval exact(double v);
bool diverged(const nlohmann::json& well_run);
std::string level_words(double level);
// Mean of the last `fraction` of a curve's KL points.
double tail_mean(const std::vector<double>& kl, double fraction);

// The plateau check of a setting (lab/convergence.hpp): the mean over seeds of the last-quarter means
// must lie inside the t-interval (at the condition's level) of the third-quarter means.
lab::Convergence plateau_convergence(const Setting& s, double level);
// A condition resting on several plateaus carries the check of the first that fails, else the first's.
lab::Convergence plateaus_convergence(const std::vector<const Setting*>& settings, double level);
// The constant-eta settings at (B, T), by eta.
std::vector<const Setting*> grid_of(const Measurements& m, int batch, double T);
// The grid settings whose plateaus the log-log interpolation at eta uses.
std::vector<const Setting*> bracketing(const Measurements& m, double eta, int batch, double T);
// Least-squares slope of log y against log x.
double log_slope(const std::vector<std::pair<double, double>>& xy);
// The value of a grid of (eta, value) pairs at eta; std::logic_error if absent.
double value_at(const std::vector<std::pair<double, double>>& grid, double eta);
// Log-log interpolation of a grid of (eta, value) pairs at eta; NaN outside it.
double interpolate(std::vector<std::pair<double, double>> grid, double eta);

}  // namespace spinformer::claims_statistics
