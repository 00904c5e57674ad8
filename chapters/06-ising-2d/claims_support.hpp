#pragma once
// Chapter 6: the small formatting and extraction helpers shared by claims.cpp and claims_torus.cpp.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ising_2d.hpp"

namespace spinformer {

inline std::string level_words(double level) {
  return fmt::format("each at level {:.4f} (Bonferroni, family alpha 0.05)", level);
}

// One number per seed: element 0 of an {estimate, error} pair, or the plain value.
inline std::vector<double> seed_values(const std::vector<nlohmann::json>& runs, const std::string& key, bool pair = true) {
  std::vector<double> x;
  for (const auto& v : runs) x.push_back(pair ? v[key][0].get<double>() : v[key].get<double>());
  return x;
}

// "value ± error" with the error to two significant digits (the value alone where there is no error).
inline std::string pm(double v, double e) {
  if (!std::isfinite(e) || e <= 0) return fmt::format("{:.4g}", v);
  const int digits = std::max(0, 1 - int(std::floor(std::log10(e))));
  return fmt::format("{:.{}f} ± {:.{}f}", v, digits, e, digits);
}

inline std::string msd(const std::vector<double>& v) { return pm(mean_of(v), sd_of(v)); }

}  // namespace spinformer
