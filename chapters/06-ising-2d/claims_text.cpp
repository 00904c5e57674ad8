// Chapter 6's values quoted in text.md (beside the claims in claims.cpp): the tables and sentences of
// the chapter as numbers, each formatted once, from the same measurements the claims judge.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "ising2d/exact.hpp"
#include "ising2d/lattice.hpp"
#include "ising2d/measurements.hpp"
#include "lab/intervals.hpp"
#include "lab/report.hpp"

#include "causal_tests.hpp"
#include "claims_support.hpp"
#include "ising_2d.hpp"

namespace spinformer {

nlohmann::json chapter_text_values(const Config& cfg, const Measurements& m) {
  nlohmann::json v;
  v["L"] = cfg.L;
  v["N"] = cfg.L * cfg.L;
  v["Tc"] = fmt::format("{:.6f}", ising2d::critical_temperature());
  v["validation_sizes"] = [&] {
    std::string s;
    for (int L : cfg.validation_sizes) s += (s.empty() ? "" : ", ") + std::to_string(L);
    return s;
  }();
  v["validation_T"] = [&] {
    std::string s;
    for (double T : cfg.validation_T) s += (s.empty() ? "" : ", ") + tkey(T);
    return s;
  }();
  v["temperatures"] = [&] {
    std::string s;
    for (double T : cfg.temperatures) s += (s.empty() ? "" : ", ") + tkey(T);
    return s;
  }();
  v["metropolis_sweeps"] = lab::format_thousands(std::size_t(cfg.metropolis_sweeps));
  v["wolff_sweeps"] = lab::format_thousands(std::size_t(cfg.wolff_sweeps));
  v["wolff_chains"] = cfg.wolff_chains;
  v["tau_sizes"] = [&] {
    std::string s;
    for (int L : cfg.tau_sizes) s += (s.empty() ? "" : ", ") + std::to_string(L);
    return s;
  }();
  v["fit_from"] = cfg.fit_from;
  v["seeds"] = cfg.seeds;
  v["d_model"] = cfg.model.d_model;
  v["n_heads"] = cfg.model.n_heads;
  v["n_layers"] = cfg.model.n_layers;
  v["d_ff"] = cfg.model.d_ff;
  v["parameter_count"] = lab::format_thousands(std::size_t(m.parameter_count));
  v["steps"] = lab::format_thousands(std::size_t(cfg.train.steps));
  v["batch"] = cfg.train.batch;
  v["lr"] = fmt::format("{:g}", cfg.train.lr);
  v["n_train"] = lab::format_thousands(cfg.n_train);
  v["n_val"] = lab::format_thousands(cfg.n_val);
  v["n_test"] = lab::format_thousands(cfg.n_test);
  v["n_model_samples"] = lab::format_thousands(cfg.n_model_samples);
  v["train_spacing"] = cfg.train_spacing;
  v["test_spacing"] = cfg.test_spacing;
  v["step_ms"] = fmt::format("{:.0f}", 1000 * m.step_seconds);
  v["kl_goal"] = fmt::format("{:g}", cfg.kl_goal);
  v["n_attention"] = lab::format_thousands(cfg.n_attention);
  v["model_heat_pct"] = fmt::format("{:g}", 100 * cfg.model_heat_band);

  // samplers: worst |z| and the validation table
  {
    std::string t = "| sampler | L | T | u (sampler) | u (exact) | C (sampler) | C (exact) | tau_E (sweeps) |\n|---|---|---|---|---|---|---|---|\n";
    double worst_u = 0, worst_c = 0;
    for (const auto& p : m.validation) {
      const auto& r = p.value;
      const double zu = (r["energy"][0].get<double>() - r["exact_energy"].get<double>()) / r["energy"][1].get<double>();
      const double zc = (r["heat"][0].get<double>() - r["exact_heat"].get<double>()) / r["heat"][1].get<double>();
      worst_u = std::max(worst_u, std::abs(zu)), worst_c = std::max(worst_c, std::abs(zc));
      t += fmt::format("| {} | {} | {} | {} | {:.6f} | {} | {:.5f} | {:.3g} |\n", p.sampler == "wolff" ? "Wolff" : "Metropolis",
                       p.L, tkey(p.T), pm(r["energy"][0], r["energy"][1]), r["exact_energy"].get<double>(),
                       pm(r["heat"][0], r["heat"][1]), r["exact_heat"].get<double>(), r["tau_energy"][0].get<double>());
    }
    v["validation_table"] = t;
    v["worst_energy_z"] = fmt::format("{:.2f}", worst_u);
    v["worst_heat_z"] = fmt::format("{:.2f}", worst_c);
  }
  {
    std::string t = "| L | Metropolis tau_E | Metropolis tau_abs(m) | Wolff tau_E | Wolff tau_abs(m) |\n|---|---|---|---|---|\n";
    const std::size_t n = cfg.tau_sizes.size();
    for (std::size_t i = 0; i < n; ++i) {
      const auto &a = m.tau[i].value, &b = m.tau[n + i].value;
      t += fmt::format("| {} | {} | {} | {} | {} |\n", cfg.tau_sizes[i], pm(a["tau_energy"][0], a["tau_energy"][1]),
                       pm(a["tau_abs_m"][0], a["tau_abs_m"][1]), pm(b["tau_energy"][0], b["tau_energy"][1]),
                       pm(b["tau_abs_m"][0], b["tau_abs_m"][1]));
    }
    v["tau_table"] = t;
    for (const auto& [name, s, k] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"z_local_m", "metropolis", "tau_abs_m"}, {"z_local_e", "metropolis", "tau_energy"},
             {"z_wolff_e", "wolff", "tau_energy"}, {"z_wolff_m", "wolff", "tau_abs_m"}}) {
      const ZFit z = dynamic_exponent(cfg, m, s, k);
      v[name] = pm(z.value, z.error);
    }
  }
  {
    std::string t = "| T | KL(p‖q)/N | KL(q‖p)/N | ESS / n | C model | C exact | ⟨\\|m\\|⟩ model | ⟨\\|m\\|⟩ Wolff | P(M > 0) | neighbour attention |\n"
                    "|---|---|---|---|---|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < cfg.temperatures.size(); ++i) {
      const auto& runs = m.runs[i];
      std::vector<double> na;
      for (const auto& r : runs) na.push_back(neighbour_attention(r));
      t += fmt::format("| {} | {} | {} | {} | {} | {:.4f} | {} | {} | {} | {} |\n", tkey(cfg.temperatures[i]),
                       msd(seed_values(runs, "kl_forward")), msd(seed_values(runs, "kl_reverse")),
                       msd(seed_values(runs, "ess_per_sample", false)), msd(seed_values(runs, "heat_model")),
                       runs[0]["exact_heat"].get<double>(), msd(seed_values(runs, "abs_m_model")),
                       msd(seed_values(runs, "abs_m_wolff")), msd(seed_values(runs, "p_positive", false)),
                       msd(na));
    }
    v["transformer_table"] = t;
    std::size_t ic = 0;
    for (std::size_t i = 0; i < cfg.temperatures.size(); ++i)
      if (std::abs(cfg.temperatures[i] - ising2d::critical_temperature()) < 1e-6) ic = i;
    const auto& runs = m.runs[ic];
    v["kl_forward_tc"] = msd(seed_values(runs, "kl_forward"));
    v["kl_reverse_tc"] = msd(seed_values(runs, "kl_reverse"));
    v["ess_tc"] = msd(seed_values(runs, "ess_per_sample", false));
    double worst = 0;
    for (const auto& rs : m.runs) worst = std::max(worst, mean_of(seed_values(rs, "kl_forward")));
    v["kl_forward_worst"] = fmt::format("{:.3g}", worst);
    double ess_min = 1;
    for (const auto& rs : m.runs) ess_min = std::min(ess_min, mean_of(seed_values(rs, "ess_per_sample", false)));
    v["ess_min"] = fmt::format("{:.2g}", ess_min);
  }
  {
    std::string t = "| T | objective | KL(p‖q)/N | KL(q‖p)/N | ESS / n | C model | C exact | P(M > 0) |\n|---|---|---|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < cfg.variational_T.size(); ++i) {
      const auto& runs = m.variational[i];
      for (std::size_t j = 0; j < cfg.temperatures.size(); ++j)
        if (std::abs(cfg.temperatures[j] - cfg.variational_T[i]) < 1e-9) {
          const auto& ml = m.runs[j];
          t += fmt::format("| {} | samples (forward KL) | {} | {} | {} | {} | {:.4f} | {} |\n", tkey(cfg.temperatures[j]),
                           msd(seed_values(ml, "kl_forward")), msd(seed_values(ml, "kl_reverse")),
                           msd(seed_values(ml, "ess_per_sample", false)), msd(seed_values(ml, "heat_model")),
                           ml[0]["exact_heat"].get<double>(), msd(seed_values(ml, "p_positive", false)));
        }
      std::string pp;
      for (const auto& r : runs) pp += (pp.empty() ? "" : ", ") + fmt::format("{:.3f}", r["p_positive"].get<double>());
      t += fmt::format("| {} | Hamiltonian (reverse KL) | {} | {} | {} | {} | {:.4f} | {} |\n", tkey(cfg.variational_T[i]),
                       msd(seed_values(runs, "kl_forward")), msd(seed_values(runs, "kl_reverse")),
                       msd(seed_values(runs, "ess_per_sample", false)), msd(seed_values(runs, "heat_model")),
                       runs[0]["exact_heat"].get<double>(), pp);
    }
    v["variational_table"] = t;
    v["variational_T"] = [&] {
      std::string s;
      for (double T : cfg.variational_T) s += (s.empty() ? "" : ", ") + tkey(T);
      return s;
    }();
    v["variational_steps"] = lab::format_thousands(std::size_t(cfg.variational.steps));
    v["variational_batch"] = cfg.variational.batch;
    v["collapse_threshold"] = fmt::format("{:g}", cfg.collapse_threshold);
  }
  // ---- L = 16, causal tests, attention against C ----
  {
    v["large_L"] = cfg.large_L;
    v["large_N"] = cfg.large_L * cfg.large_L;
    v["large_seeds"] = cfg.large_seeds;
    v["large_steps"] = lab::format_thousands(std::size_t(cfg.large_train.steps));
    v["large_batch"] = cfg.large_train.batch;
    v["large_n_train"] = lab::format_thousands(cfg.large_n_train);
    v["large_n_test"] = lab::format_thousands(cfg.large_n_test);
    v["large_n_model_samples"] = lab::format_thousands(cfg.large_n_model_samples);
    v["large_step_ms"] = fmt::format("{:.0f}", 1000 * m.large_step_seconds);
    v["large_temperatures"] = [&] {
      std::string s;
      for (double T : cfg.large_temperatures) s += (s.empty() ? "" : ", ") + tkey(T);
      return s;
    }();
    const double runs_n = double(cfg.large_seeds * cfg.large_temperatures.size());
    const double train_core_s = runs_n * cfg.large_train.steps * m.large_step_seconds;
    double wall = 0;
    for (const auto& runs : m.large)
      for (const auto& r : runs) wall += r["wall_s"].get<double>();
    v["large_runs"] = int(runs_n);
    v["large_train_core_min"] = fmt::format("{:.0f}", train_core_s / 60);
    v["large_core_min"] = fmt::format("{:.0f}", wall / 60);
    v["large_wall_min"] = fmt::format("{:.0f}", wall / 120);
    v["large_wall_min_per_T"] = fmt::format("{:.1f}", wall / 120 / double(cfg.large_temperatures.size()));
    // both sizes side by side at every temperature both grids have
    std::string t = "| T | L | KL(p‖q)/N | KL(q‖p)/N | ESS / n | C model | C exact | ⟨\\|m\\|⟩ model | ⟨\\|m\\|⟩ Wolff | neighbour attention |\n"
                    "|---|---|---|---|---|---|---|---|---|---|\n";
    auto row = [&](double T, int L, const std::vector<nlohmann::json>& runs) {
      std::vector<double> na;
      for (const auto& r : runs) na.push_back(neighbour_attention(r));
      t += fmt::format("| {} | {} | {} | {} | {} | {} | {:.4f} | {} | {} | {} |\n", tkey(T), L,
                       msd(seed_values(runs, "kl_forward")), msd(seed_values(runs, "kl_reverse")),
                       msd(seed_values(runs, "ess_per_sample", false)), msd(seed_values(runs, "heat_model")),
                       runs[0]["exact_heat"].get<double>(), msd(seed_values(runs, "abs_m_model")),
                       msd(seed_values(runs, "abs_m_wolff")), msd(na));
    };
    for (std::size_t i = 0; i < cfg.large_temperatures.size(); ++i) {
      const double T = cfg.large_temperatures[i];
      for (std::size_t j = 0; j < cfg.temperatures.size(); ++j)
        if (std::abs(cfg.temperatures[j] - T) < 1e-9) row(T, cfg.L, m.runs[j]);
      row(T, cfg.large_L, m.large[i]);
    }
    v["large_table"] = t;
    std::size_t ic = 0;
    for (std::size_t i = 0; i < cfg.temperatures.size(); ++i)
      if (std::abs(cfg.temperatures[i] - ising2d::critical_temperature()) < 1e-6) ic = i;
    const auto& large_tc = m.large[m.large_tc];
    v["kl_forward_tc_large"] = msd(seed_values(large_tc, "kl_forward"));
    v["kl_reverse_tc_large"] = msd(seed_values(large_tc, "kl_reverse"));
    v["ess_tc_large"] = msd(seed_values(large_tc, "ess_per_sample", false));
    v["kl_ratio_large"] = fmt::format("{:.2g}", mean_of(seed_values(large_tc, "kl_forward")) /
                                                    mean_of(seed_values(m.runs[ic], "kl_forward")));
    // the ratio of forward KL per spin between the sizes, smallest and largest over the shared temperatures
    double ratio_min = 1e300, ratio_max = 0;
    for (std::size_t i = 0; i < cfg.large_temperatures.size(); ++i)
      for (std::size_t j = 0; j < cfg.temperatures.size(); ++j)
        if (std::abs(cfg.temperatures[j] - cfg.large_temperatures[i]) < 1e-9) {
          const double q = mean_of(seed_values(m.large[i], "kl_forward")) / mean_of(seed_values(m.runs[j], "kl_forward"));
          ratio_min = std::min(ratio_min, q), ratio_max = std::max(ratio_max, q);
        }
    v["kl_ratio_large_min"] = fmt::format("{:.2g}", ratio_min);
    v["kl_ratio_large_max"] = fmt::format("{:.2g}", ratio_max);
    // the exact finite-size specific-heat peaks (Kaufman; a scan in steps of 1e-4 in T)
    for (int L : {cfg.L, cfg.large_L}) {
      double best_T = 0, best_c = -1;
      for (int k = 0; k <= 6000; ++k) {
        const double T = 2.0 + 1e-4 * k;
        const double c = ising2d::kaufman_thermodynamics(L, L, 1.0, T).specific_heat_per_spin;
        if (c > best_c) best_c = c, best_T = T;
      }
      const std::string key = L == cfg.L ? "" : "_large";
      v["peak_T" + key] = fmt::format("{:.4f}", best_T);
      v["peak_C" + key] = fmt::format("{:.3f}", best_c);
      v["peak_shift" + key] = fmt::format("{:.2f}", L * (best_T - ising2d::critical_temperature()));
    }
  }
  {
    v["n_causal"] = lab::format_thousands(cfg.n_causal);
    v["causal_goal"] = fmt::format("{:g}", cfg.causal_goal);
    v["attention_c_goal"] = fmt::format("{:g}", cfg.attention_c_goal);
    std::string t = "| T | relation | mean Δp | mean Δq | mean \\|Δp\\| | mean \\|Δq − Δp\\| / mean \\|Δp\\| | layer-1 attention | uniform |\n"
                    "|---|---|---|---|---|---|---|---|\n";
    double worst = 0, best = 1e9;
    for (std::size_t i = 0; i < cfg.temperatures.size(); ++i) {
      const auto& runs = m.runs[i];
      if (!runs[0].contains("relation_delta_p")) continue;
      auto per_seed = [&](const char* key, std::size_t r) {
        std::vector<double> x;
        for (const auto& r0 : runs) x.push_back(r0[key][r].get<double>());
        return x;
      };
      for (std::size_t r = 0; r < relation_names().size(); ++r) {
        const auto ratio = per_seed("relation_error_ratio", r);
        if (r < 2) worst = std::max(worst, mean_of(ratio)), best = std::min(best, mean_of(ratio));
        t += fmt::format("| {} | {} | {} | {} | {:.3f} | {} | {} | {:.3f} |\n", tkey(cfg.temperatures[i]),
                         relation_names()[r], msd(per_seed("relation_delta_p", r)), msd(per_seed("relation_delta_q", r)),
                         mean_of(per_seed("relation_abs_delta_p", r)), msd(ratio), msd(per_seed("relation_attention", r)),
                         mean_of(per_seed("relation_attention_uniform", r)));
      }
    }
    v["causal_table"] = t;
    v["causal_worst"] = fmt::format("{:.2f}", worst);
    v["causal_best"] = fmt::format("{:.2f}", best);
    std::string a = "| L | T | r, layer 1 | r, last layer | constant-A null | recency null (layer 1) | classes |\n"
                    "|---|---|---|---|---|---|---|\n";
    auto arow = [&](int L, double T, const std::vector<nlohmann::json>& runs) {
      a += fmt::format("| {} | {} | {} | {} | {:.2f} | {} | {} |\n", L, tkey(T),
                       msd(seed_values(runs, "attention_c_layer1", false)), msd(seed_values(runs, "attention_c_last", false)),
                       mean_of(seed_values(runs, "attention_c_constant_null", false)),
                       msd(seed_values(runs, "attention_c_recency_null", false)), runs[0]["attention_c_classes"].get<int>());
    };
    for (std::size_t i = 0; i < cfg.temperatures.size(); ++i) arow(cfg.L, cfg.temperatures[i], m.runs[i]);
    for (std::size_t i = 0; i < cfg.large_temperatures.size(); ++i) arow(cfg.large_L, cfg.large_temperatures[i], m.large[i]);
    v["attention_c_table"] = a;
    // the recency null: its own r, and the model's excess over it per condition (seed means)
    std::vector<double> nulls, gains;
    auto collect = [&](const std::vector<nlohmann::json>& runs) {
      nulls.push_back(mean_of(seed_values(runs, "attention_c_recency_null", false)));
      gains.push_back(mean_of(seed_values(runs, "attention_c_layer1", false)) - nulls.back());
    };
    for (const auto& runs : m.runs) collect(runs);
    for (const auto& runs : m.large) collect(runs);
    v["recency_null_min"] = fmt::format("{:.2f}", *std::min_element(nulls.begin(), nulls.end()));
    v["recency_null_max"] = fmt::format("{:.2f}", *std::max_element(nulls.begin(), nulls.end()));
    v["recency_conditions"] = gains.size();
    v["recency_gain_positive"] = std::count_if(gains.begin(), gains.end(), [](double g) { return g > 0; });
    std::vector<double> sorted = gains;
    std::sort(sorted.begin(), sorted.end());
    v["recency_gain_median"] = fmt::format("{:.2f}", sorted.size() % 2 ? sorted[sorted.size() / 2]
                                                                      : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]));
    // excess loss: the first row (marginals of a whole torus row) against rows 1..L-1
    std::string x = "| T | first row | rows 1..L−1 | whole lattice = KL(p‖q)/N on these configurations |\n|---|---|---|---|\n";
    const std::size_t L = std::size_t(cfg.L), N = L * L;
    for (std::size_t i = 0; i < cfg.temperatures.size(); ++i) {
      const auto& runs = m.runs[i];
      if (!runs[0].contains("excess_by_site")) continue;
      std::vector<double> first, rest, all;
      for (const auto& r : runs) {
        double f = 0, b = 0;
        for (std::size_t k = 0; k < N; ++k) (k < L ? f : b) += r["excess_by_site"][k].get<double>();
        first.push_back(f / double(L)), rest.push_back(b / double(N - L)), all.push_back((f + b) / double(N));
      }
      x += fmt::format("| {} | {} | {} | {} |\n", tkey(cfg.temperatures[i]), msd(first), msd(rest), msd(all));
    }
    v["excess_table"] = x;
  }
  add_torus_text_values(v, cfg, m);  // the torus-bias model (claims_torus.cpp)
  return v;
}

}  // namespace spinformer
