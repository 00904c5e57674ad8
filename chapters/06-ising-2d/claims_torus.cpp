// Chapter 6's claims on the L = 8 model with a 2D torus attention bias beside its learned positions
// (claims 6.15-6.17, declared before any run of that model) and the values text.md quotes about it.
// The learned-position model is `Measurements::runs`, the torus-bias model `Measurements::torus`: same
// network, data sizes, schedule, temperatures and number of seeds, independent seed streams.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "ising2d/exact.hpp"
#include "lab/intervals.hpp"
#include "lab/report.hpp"
#include "lab/verdict.hpp"

#include "causal_tests.hpp"
#include "claims_support.hpp"
#include "ising_2d.hpp"

namespace spinformer {

namespace {
using lab::Direction;
using lab::finite_t_interval;

// Per seed, element r of an array-valued key (the causal tests' per-relation statistics); runs without it
// (no causal tests) contribute nothing.
std::vector<double> relation_values(const std::vector<nlohmann::json>& runs, const std::string& key, std::size_t r) {
  std::vector<double> x;
  for (const auto& v : runs)
    if (v.contains(key)) x.push_back(v[key][r].get<double>());
  return x;
}

// Welch's interval of mean(a) - mean(b); with fewer than two replicates on a side, one that decides nothing.
lab::Interval welch_or_undecided(const std::vector<double>& a, const std::vector<double>& b, double level) {
  if (a.size() < 2 || b.size() < 2) return {mean_of(a) - mean_of(b), -1e6, 1e6};
  return lab::welch_interval(a, b, level);
}

constexpr std::size_t kLeft = 0, kUp = 1;  // relation_names(): left, up, ...
}  // namespace

void add_torus_claims(lab::Claims& claims, const Config& cfg, const Measurements& m) {
  const std::size_t nT = cfg.temperatures.size();
  {
    lab::Claim c{"6.15", "source",
                 fmt::format("A transformer with a 2D torus attention bias beside its learned positions learns the 2D "
                             "Ising distribution across the phase transition ({0} x {0} torus, raster order)",
                             cfg.L),
                 "seed 000_700600b7864feadb.txt, title; issue 14 (a 2D attention bias); claim 6.4 for this model"};
    const double level = c.simultaneous(2 * nT);
    for (std::size_t i = 0; i < nT; ++i) {
      const auto& runs = m.torus[i];
      const std::string label = fmt::format("torus bias, T = {}", tkey(cfg.temperatures[i]));
      add_learning_conditions(c, cfg, label, runs, level);
    }
    c.short_form("torus-bias model learns the 2D distribution")
        .criterion(fmt::format("declared before the torus-bias runs: claim 6.4's statistics and thresholds for the model "
                               "with the torus bias (linear in the Manhattan torus distance, slope learned per layer and "
                               "head): at every temperature, Student-t intervals across {} seeds of KL(p || q) per spin "
                               "below {} nats and C_model / C_exact - 1 within ±{}; {}",
                               cfg.seeds, cfg.kl_goal, cfg.model_heat_band, level_words(level)));
    c.prerequisites({"6.1", "6.2", "6.7"});  // as claim 6.4: the test configurations must match Kaufman (6.1, 6.2, 6.7)
    claims.add(c);
  }
  {
    lab::Claim c{"6.16", "reference",
                 "A 2D attention bias helps: with the torus bias added to its learned positions the model's KL(p || q) "
                 "is lower than with learned positions alone, at every temperature",
                 "issue 14 (a 2D attention bias: chapter 5's periodic bias on the torus)"};
    const double level = c.simultaneous(nT);
    for (std::size_t i = 0; i < nT; ++i)
      c.condition(fmt::format("T = {}", tkey(cfg.temperatures[i])),
                  "KL(p || q) per spin, torus bias minus learned positions only (nats)",
                  welch_or_undecided(seed_values(m.torus[i], "kl_forward"), seed_values(m.runs[i], "kl_forward"), level),
                  Direction::below, 0.0);
    c.short_form("the 2D bias lowers KL(p || q)")
        .criterion(fmt::format("declared before the torus-bias runs: at every temperature, the difference of the mean "
                               "KL(p || q) per spin over {} seeds of the torus-bias model and over {} seeds of the "
                               "learned-position model (claim 6.4's runs; the seeds of the two models are independent, not "
                               "paired), Welch interval (unequal variances, Welch-Satterthwaite degrees of freedom) below "
                               "0; {}",
                               cfg.seeds, cfg.seeds, level_words(level)));
    c.prerequisites({"6.7"});  // both KLs are measured on the Wolff test configurations (6.7)
    claims.add(c);
  }
  {
    lab::Claim c{"6.17", "source",
                 "With the torus bias the model uses its lattice neighbours as the physics does: flipping the left or "
                 "the upper neighbour of a spin changes the model's conditional as it changes the exact one",
                 "seed 000_700600b7864feadb.txt, \"Attention as locality\"; claim 6.8 for the torus-bias model"};
    const double level = c.simultaneous(2 * nT);
    for (std::size_t i = 0; i < nT; ++i)
      for (std::size_t r : {kLeft, kUp})
        c.condition(fmt::format("torus bias, T = {}, {} neighbour", tkey(cfg.temperatures[i]), relation_names()[r]),
                    "mean |Delta_q - Delta_p| / mean |Delta_p|",
                    finite_t_interval(relation_values(m.torus[i], "relation_error_ratio", r), level), Direction::below,
                    cfg.causal_goal);
    c.short_form("torus-bias model: interventions match exact conditionals")
        .criterion(fmt::format("declared before the torus-bias runs: claim 6.8's statistic for the torus-bias model, on {} "
                               "test configurations per model, left and upper neighbour flipped; the ratio mean |Delta_q - "
                               "Delta_p| / mean |Delta_p| per seed, Student-t interval across {} seeds below {} at every "
                               "temperature and for both neighbours; {}",
                               cfg.n_causal, cfg.seeds, cfg.causal_goal, level_words(level)));
    claims.add(c);
  }
}

void add_torus_text_values(nlohmann::json& v, const Config& cfg, const Measurements& m) {
  const std::size_t nT = cfg.temperatures.size();
  v["torus_bias_shape"] = gpt::to_string(cfg.torus_model.bias_shape);
  v["torus_slope_init"] = fmt::format("{:g}", cfg.torus_model.bias_slope);
  v["torus_slopes"] = cfg.torus_model.n_layers * cfg.torus_model.n_heads;  // the parameters the bias adds
  v["torus_step_ms"] = fmt::format("{:.0f}", 1000 * m.torus_step_seconds);
  double core_s = 0;
  std::size_t runs_n = 0;
  for (const auto& runs : m.torus)
    for (const auto& r : runs) core_s += r["wall_s"].get<double>(), ++runs_n;
  v["torus_runs"] = runs_n;
  v["torus_core_min"] = fmt::format("{:.0f}", core_s / 60);

  // both models side by side at every temperature
  std::string t = "| T | positions | KL(p‖q)/N | KL(q‖p)/N | C model | C exact | error ratio, left | error ratio, up | "
                  "layer-1 attention on the upper neighbour | uniform |\n|---|---|---|---|---|---|---|---|---|---|\n";
  auto row = [&](double T, const char* name, const std::vector<nlohmann::json>& runs) {
    t += fmt::format("| {} | {} | {} | {} | {} | {:.4f} | {} | {} | {} | {:.3f} |\n", tkey(T), name,
                     msd(seed_values(runs, "kl_forward")), msd(seed_values(runs, "kl_reverse")),
                     msd(seed_values(runs, "heat_model")), runs[0]["exact_heat"].get<double>(),
                     msd(relation_values(runs, "relation_error_ratio", kLeft)),
                     msd(relation_values(runs, "relation_error_ratio", kUp)),
                     msd(relation_values(runs, "relation_attention", kUp)),
                     mean_of(relation_values(runs, "relation_attention_uniform", kUp)));
  };
  double ratio_min = 1e300, ratio_max = 0, worst = 0, best = 1e300;
  for (std::size_t i = 0; i < nT; ++i) {
    row(cfg.temperatures[i], "learned", m.runs[i]);
    row(cfg.temperatures[i], "learned + torus bias", m.torus[i]);
    const double q = mean_of(seed_values(m.torus[i], "kl_forward")) / mean_of(seed_values(m.runs[i], "kl_forward"));
    ratio_min = std::min(ratio_min, q), ratio_max = std::max(ratio_max, q);
    for (std::size_t r : {kLeft, kUp}) {
      const double e = mean_of(relation_values(m.torus[i], "relation_error_ratio", r));
      if (std::isfinite(e)) worst = std::max(worst, e), best = std::min(best, e);
    }
  }
  v["torus_table"] = t;
  v["torus_kl_ratio_min"] = fmt::format("{:.2g}", ratio_min);
  v["torus_kl_ratio_max"] = fmt::format("{:.2g}", ratio_max);
  v["torus_causal_worst"] = fmt::format("{:.2f}", worst);
  v["torus_causal_best"] = fmt::format("{:.2f}", best);
  std::size_t ic = 0;
  for (std::size_t i = 0; i < nT; ++i)
    if (std::abs(cfg.temperatures[i] - ising2d::critical_temperature()) < 1e-6) ic = i;
  v["torus_kl_forward_tc"] = msd(seed_values(m.torus[ic], "kl_forward"));

  // Claim 6.16's intervals read both ways: where the bias resolves a lower KL, where a higher one (the same
  // Welch intervals at the claim's simultaneous level), and the upper-neighbour error ratio of both models
  // at the temperature of the largest reduction.
  const double level = lab::bonferroni_level(nT, lab::kFamilyAlpha);
  std::string lower, higher;
  std::size_t best_i = 0;
  for (std::size_t i = 0; i < nT; ++i) {
    const auto d = welch_or_undecided(seed_values(m.torus[i], "kl_forward"), seed_values(m.runs[i], "kl_forward"), level);
    const std::string item = fmt::format("$T = {}$ ({:+.2g} [{:+.2g}, {:+.2g}])", tkey(cfg.temperatures[i]), d.estimate,
                                         d.lower, d.upper);
    if (d.upper < 0) lower += (lower.empty() ? "" : ", ") + item;
    if (d.lower > 0) higher += (higher.empty() ? "" : ", ") + item;
    if (mean_of(seed_values(m.torus[i], "kl_forward")) / mean_of(seed_values(m.runs[i], "kl_forward")) <
        mean_of(seed_values(m.torus[best_i], "kl_forward")) / mean_of(seed_values(m.runs[best_i], "kl_forward")))
      best_i = i;
  }
  v["torus_kl_lower_at"] = lower.empty() ? "no temperature" : lower;
  v["torus_kl_higher_at"] = higher.empty() ? "no temperature" : higher;
  v["torus_best_T"] = tkey(cfg.temperatures[best_i]);
  v["torus_best_up_learned"] = msd(relation_values(m.runs[best_i], "relation_error_ratio", kUp));
  v["torus_best_up_torus"] = msd(relation_values(m.torus[best_i], "relation_error_ratio", kUp));
  v["torus_best_attention_learned"] = msd(relation_values(m.runs[best_i], "relation_attention", kUp));
  v["torus_best_attention_torus"] = msd(relation_values(m.torus[best_i], "relation_attention", kUp));
}

}  // namespace spinformer
