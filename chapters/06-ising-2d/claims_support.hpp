#pragma once
// Chapter 6: the small formatting and extraction helpers shared by its claims code (claims.cpp,
// claims_torus.cpp, claims_text.cpp); outside the code hash like them.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lab/intervals.hpp"
#include "lab/verdict.hpp"

#include "ising_2d.hpp"

namespace spinformer {

// Layer-1 attention on the left (raster distance 0) and upper (L - 1) neighbours, L the run's own side.
inline double neighbour_attention(const nlohmann::json& v) {
  const auto& a = v["attention_by_distance"];
  return a[0].get<double>() + a[v["L"].get<std::size_t>() - 1].get<double>();
}

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

// Claim 6.4's two conditions for one (L, T): KL(p || q) per spin below the goal, C_model / C_exact - 1 in
// the band (claims 6.4, 6.10, 6.11 and, for the torus-bias model, 6.15).
inline void add_learning_conditions(lab::Claim& c, const Config& cfg, const std::string& label,
                                    const std::vector<nlohmann::json>& runs, double level) {
  c.condition(label, "KL(p || q) per spin (nats)", lab::finite_t_interval(seed_values(runs, "kl_forward"), level),
              lab::Direction::below, cfg.kl_goal);
  std::vector<double> r;
  for (const auto& v : runs) r.push_back(v["heat_model"][0].get<double>() / v["exact_heat"].get<double>() - 1);
  c.condition(label, "C_model / C_exact - 1", lab::finite_t_interval(r, level), lab::Direction::within,
              -cfg.model_heat_band, cfg.model_heat_band);
}

}  // namespace spinformer
