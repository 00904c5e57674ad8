// The verdict rule and the seed intervals of claims.hpp (outside the code hash: see claims.hpp).
#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "lab/atomic_file.hpp"
#include "lab/report.hpp"
#include "lab/usage_error.hpp"

#include "claims.hpp"

namespace spinformer::claims {

double t_quantile(double p, double dof) {
  return boost::math::quantile(boost::math::students_t_distribution<double>(dof), p);
}

SeedInterval seed_interval(const std::vector<double>& x, int m) {
  SeedInterval s;
  s.n = x.size();
  if (x.empty()) return s;
  const double n = static_cast<double>(x.size());
  s.mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  s.min = *std::min_element(x.begin(), x.end());
  s.max = *std::max_element(x.begin(), x.end());
  if (x.size() < 2) return s;
  double ss = 0;
  for (double v : x) ss += (v - s.mean) * (v - s.mean);
  const double se = std::sqrt(ss / (n - 1) / n);
  const double half = t_quantile(1 - kFamilyAlpha / (2.0 * std::max(m, 1)), n - 1) * se;
  s.lower = s.mean - half, s.upper = s.mean + half;
  return s;
}

Condition seed_condition(std::string label, std::string statistic, const std::vector<double>& per_seed, int m,
                         std::string direction, double threshold, double threshold_hi) {
  const SeedInterval s = seed_interval(per_seed, m);
  return {std::move(label), std::move(statistic), s.mean, s.lower, s.upper, std::move(direction), threshold, threshold_hi};
}

Condition difference_condition(std::string label, std::string statistic, const std::vector<double>& a,
                               const std::vector<double>& b, int m, std::string direction, double threshold) {
  const SeedInterval sa = seed_interval(a), sb = seed_interval(b);
  auto var = [](const std::vector<double>& x, double mean) {
    double ss = 0;
    for (double v : x) ss += (v - mean) * (v - mean);
    return ss / (x.size() - 1) / x.size();
  };
  Condition c{std::move(label), std::move(statistic), sa.mean - sb.mean, NAN, NAN, std::move(direction), threshold, NAN};
  if (a.size() >= 2 && b.size() >= 2) {
    const double se = std::sqrt(var(a, sa.mean) + var(b, sb.mean));
    const double dof = static_cast<double>(std::min(a.size(), b.size()) - 1);
    const double half = t_quantile(1 - kFamilyAlpha / (2.0 * std::max(m, 1)), dof) * se;
    c.lower = c.estimate - half, c.upper = c.estimate + half;
  }
  return c;
}

Condition interval_condition(std::string label, std::string statistic, double estimate, double lower, double upper,
                             std::string direction, double threshold, double threshold_hi) {
  return {std::move(label), std::move(statistic), estimate, lower, upper, std::move(direction), threshold, threshold_hi};
}

std::string status(const Condition& c) {
  if (!(c.lower <= c.upper)) return "undecided";  // NaN: fewer than two seeds
  if (c.direction == "above") return c.lower > c.threshold ? "supported" : c.upper < c.threshold ? "refuted" : "undecided";
  if (c.direction == "below") return c.upper < c.threshold ? "supported" : c.lower > c.threshold ? "refuted" : "undecided";
  if (c.direction == "within")
    return c.threshold <= c.lower && c.upper <= c.threshold_hi        ? "supported"
           : c.upper < c.threshold || c.lower > c.threshold_hi ? "refuted"
                                                                  : "undecided";
  throw std::logic_error("condition direction " + c.direction);
}

std::string verdict(const std::vector<Condition>& conditions) {
  std::size_t supported = 0, refuted = 0;
  for (const auto& c : conditions) {
    const std::string s = status(c);
    supported += s == "supported", refuted += s == "refuted";
  }
  if (!conditions.empty() && supported == conditions.size()) return "reproduced";
  if (supported == 0 && refuted >= 1) return "not reproduced";
  if (supported >= 1 && refuted >= 1) return "partly";
  return "inconclusive";
}

nlohmann::json to_json(const std::vector<Condition>& conditions) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : conditions) {
    // JSON has no NaN: an interval that could not be formed (one seed) is written as the estimate's
    // own point with status "undecided" kept by widening it to the whole line.
    const bool ok = c.lower <= c.upper;
    out.push_back({{"label", c.label},
                   {"statistic", c.statistic},
                   {"estimate", std::isfinite(c.estimate) ? nlohmann::json(c.estimate) : nlohmann::json(nullptr)},
                   {"lower", ok ? c.lower : -1e300},
                   {"upper", ok ? c.upper : 1e300},
                   {"direction", c.direction},
                   {"threshold", c.direction == "within" ? nlohmann::json::array({c.threshold, c.threshold_hi})
                                                         : nlohmann::json(c.threshold)}});
  }
  return out;
}

void write_claims(const std::string& file, const nlohmann::json& chapter_claims, const std::string& parameter) {
  // lab::validate_claims recomputes every verdict from its conditions by the library's rule and
  // refuses one that does not follow; the kind and a non-empty condition list are checked here first.
  const nlohmann::json& check = chapter_claims;
  for (const auto& c : check.at("claims")) {
    const std::string kind = c.value("kind", "");
    if (kind != "source" && kind != "reference" && kind != "validation")
      throw lab::UsageError(parameter, fmt::format("claim {}: kind '{}'", c.value("id", "?"), kind));
    if (!c.contains("conditions") || c["conditions"].empty())
      throw lab::UsageError(parameter, fmt::format("claim {}: no conditions", c.value("id", "?")));
  }
  lab::validate_claims(check, parameter);
  lab::write_file_atomically(file, chapter_claims.dump(2) + "\n");
}

}  // namespace spinformer::claims
