// Chapter 1: the values its text quotes ({{key}} in text.md) and the figure scripts' variables.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lab/convergence.hpp"
#include "lab/report.hpp"

#include "boltzmann_recovery_steps.hpp"

namespace spinformer {

using lab::format_key;

void text_values(lab::Chapter& ch, const Config& cfg, const Trainings& t, const Tempered& tempered, const Summaries& sums,
                 const GradedClaims& graded) {
  nlohmann::json& results = ch.results();
  const auto& chains = t.chains;
  const std::size_t nT = t.nT, nS = t.nS;
  results["L"] = cfg.L;
  results["n_train"] = lab::format_thousands(cfg.n_train);
  results["n_val"] = lab::format_thousands(cfg.n_val);
  results["n_test"] = lab::format_thousands(cfg.n_test);
  results["n_model_samples"] = lab::format_thousands(cfg.n_model_samples);
  results["equilibration_sweeps"] = cfg.equilibration_sweeps;
  results["steps"] = lab::format_thousands(static_cast<std::size_t>(cfg.train.steps));
  results["batch"] = cfg.train.batch;
  results["lr"] = fmt::format("{:g}", cfg.train.lr);
  results["pct_start"] = fmt::format("{:g}", cfg.train.pct_start);
  results["epochs"] = fmt::format("{:.1f}", static_cast<double>(cfg.train.steps) * cfg.train.batch / cfg.n_train);
  results["kl_goal"] = fmt::format("{:g}", cfg.kl_goal);
  results["alpha"] = fmt::format("{:g}", cfg.alpha);
  results["temperatures"] = fmt::format("{}", fmt::join(cfg.temperatures, ", "));
  results["field_T"] = format_key(cfg.field_T);
  results["field_h"] = format_key(cfg.field_h);
  results["parameter_count"] = gpt::Model(cfg.model, 1).parameter_count();
  // the negative control's numbers (claims 1.2, 1.4, 1.5)
  auto total_p = [](const ControlResult& c) { return c.enumerated.total_probability; };
  auto enum_kl = [](const ControlResult& c) { return c.enumerated.kl_per_spin; };
  auto train_loss = [](const ControlResult& c) { return c.final_train_loss; };
  const auto lit_p = claims::seed_interval(t.control_values(1, total_p)), lit_kl = claims::seed_interval(t.control_values(1, enum_kl));
  const auto lit_loss = claims::seed_interval(t.control_values(1, train_loss));
  const auto causal_p = claims::seed_interval(t.control_values(0, total_p)), causal_kl = claims::seed_interval(t.control_values(0, enum_kl));
  auto p_text = [](double p) { return std::isfinite(p) ? fmt::format("{:.2g}", p) : std::string("–"); };
  auto min_over = [&](std::size_t k, const std::function<double(const Run&)>& g) {
    double m = INFINITY;
    for (std::size_t s = 0; s < nS; ++s) m = std::min(m, g(t.at(k, s)));
    return m;
  };
  auto max_over = [&](std::size_t k, const std::function<double(const Run&)>& g) { return -min_over(k, [&](const Run& r) { return -g(r); }); };
  std::string table = fmt::format(
      "| T | h | KL per spin (nats), {} seeds [95% simultaneous] | smallest and largest seed | counting model, same data "
      "| excess loss, last spin | smallest p energy (model) | smallest p magn. (model) | largest abs z of C(r) |\n"
      "|---|---|---|---|---|---|---|---|---|\n",
      nS);
  for (std::size_t k = 0; k < chains.size(); ++k) {
    const auto& I = sums.kl_interval[k];
    const bool above = !(I.upper < cfg.kl_goal);
    std::vector<double> last;
    for (std::size_t s = 0; s < nS; ++s) last.push_back(t.at(k, s).last_excess.value);
    const auto LI = claims::seed_interval(last);
    table += fmt::format("| {} | {} | {}{:.2g} [{:.2g}, {:.2g}]{} | {:.2g} … {:.2g} | {:.2g} | {:.1e} [{:.1e}, {:.1e}] | {} | {} | {:.1f} |\n",
                         format_key(chains[k].T), format_key(chains[k].h), above ? "**" : "", I.mean, I.lower, I.upper,
                         above ? "**" : "", I.min, I.max, t.mean_of(k, [](const Run& r) { return r.kl_counting.value; }),
                         LI.mean, LI.lower, LI.upper, p_text(min_over(k, [](const Run& r) { return r.p_model_energy; })),
                         p_text(min_over(k, [](const Run& r) { return r.p_model_magnetization; })),
                         max_over(k, [](const Run& r) { return std::abs(r.max_corr_z); }));
  }
  results["results_table"] = table;
  std::string data_table = "| T | h | smallest p energy (data) | smallest p magn. (data) |\n|---|---|---|---|\n";
  for (std::size_t k = 0; k < chains.size(); ++k)
    data_table += fmt::format("| {} | {} | {} | {} |\n", format_key(chains[k].T), format_key(chains[k].h),
                              p_text(min_over(k, [](const Run& r) { return r.p_data_energy; })),
                              p_text(min_over(k, [](const Run& r) { return r.p_data_magnetization; })));
  results["data_table"] = data_table;
  std::string ablation_table = fmt::format("| training | KL per spin (nats), mean [95% t-interval] | seeds |\n|---|---|---|\n");
  const char* ablation_words[] = {"this chapter: one-cycle, peak 1e-3, no dropout", "dropout 0.1",
                                  "constant learning rate 3e-4", "the seed's: dropout 0.1 and constant 3e-4"};
  for (std::size_t i = 0; i < sums.ablation_rows.size(); ++i) {
    const auto& I = sums.ablation_rows[i].second;
    ablation_table += fmt::format("| {} | {:.2g} [{:.2g}, {:.2g}] | {} |\n", ablation_words[i], I.mean, I.lower, I.upper, I.n);
    results["ablation_" + sums.ablation_rows[i].first] = fmt::format("{:.2g} [{:.2g}, {:.2g}]", I.mean, I.lower, I.upper);
  }
  results["ablation_table"] = ablation_table;
  std::string n_table = "| training samples n | KL per spin (nats), mean [95% t-interval] | seeds | counting model | 1/(2nL) |\n|---|---|---|---|---|\n";
  for (const auto& row : sums.learning_n.rows)
    n_table += fmt::format("| {} | {:.2g} [{:.2g}, {:.2g}] | {} | {:.2g} | {:.2g} |\n", lab::format_thousands(std::size_t(row[0])),
                           row[1], row[2], row[3], row[8], row[6], row[7]);
  results["learning_n_table"] = n_table;
  results["ablation_T"] = format_key(cfg.temperatures[t.ablation_k]);
  results["ablation_seeds"] = cfg.ablation_seeds;
  results["curve_seeds"] = cfg.curve_seeds;
  results["curve_n"] = fmt::format("{}", fmt::join(cfg.curve_n, ", "));
  results["seeds"] = cfg.seeds;
  results["control_seeds"] = cfg.control_seeds;
  results["n_temperatures"] = nT;
  for (std::size_t k = 0; k < chains.size(); ++k) {
    const std::string key = chains[k].h == 0.0 ? format_key(chains[k].T) : "field";
    const auto& I = sums.kl_interval[k];
    results["kl_T" + key] = fmt::format("{:.2g} [{:.2g}, {:.2g}]", I.mean, I.lower, I.upper);
    results["kl_upper_T" + key] = fmt::format("{:.2g}", I.upper);
    results["kl_counting_T" + key] = fmt::format("{:.2g}", t.mean_of(k, [](const Run& r) { return r.kl_counting.value; }));
    results["entropy_T" + key] = fmt::format("{:.4f}", t.at(k, 0).exact_entropy_per_spin);
  }
  for (const auto& [name, k] : {std::pair<std::string, std::size_t>{"Tmin", 0}, {"Tmax", nT - 1}}) {
    const auto& I = sums.kl_interval[k];
    results["kl_" + name] = fmt::format("{:.2g} [{:.2g}, {:.2g}]", I.mean, I.lower, I.upper);
    const double last = t.mean_of(k, [](const Run& r) { return r.last_excess.value; });
    results["last_excess_" + name] = fmt::format("{:.1e}", last);
    results["last_share_" + name] = fmt::format("{:.0f}%", 100 * last / (I.mean * cfg.L));
  }
  std::size_t below = 0, above = 0;
  double worst_upper = 0;
  std::string worst_T;
  for (std::size_t k = 0; k < nT; ++k) {
    below += sums.kl_interval[k].upper < cfg.kl_goal, above += sums.kl_interval[k].lower > cfg.kl_goal;
    if (sums.kl_interval[k].upper > worst_upper) worst_upper = sums.kl_interval[k].upper, worst_T = format_key(chains[k].T);
  }
  results["kl_supported"] = fmt::format("{}/{}", below, nT);
  results["kl_refuted"] = fmt::format("{}/{}", above, nT);
  results["worst_kl_upper"] = fmt::format("{:.2g}", worst_upper);
  results["worst_kl_T"] = worst_T;
  results["verdict_11"] = graded.json["claims"][0]["verdict"];
  results["verdict_13"] = graded.json["claims"][2]["verdict"];
  results["tmin"] = format_key(cfg.temperatures.front());
  results["tmax"] = format_key(cfg.temperatures.back());
  results["control_L"] = cfg.control_L;
  results["control_T"] = format_key(cfg.control_T);
  results["control_states"] = lab::format_thousands(std::size_t{1} << cfg.control_L);
  results["control_steps"] = cfg.control_steps;
  results["literal_loss"] = fmt::format("{:.2g}", lit_loss.mean);
  results["causal_loss"] = fmt::format("{:.4f}", claims::seed_interval(t.control_values(0, train_loss)).mean);
  results["control_entropy"] = fmt::format("{:.4f}", t.control(0, 0).enumerated.exact_entropy_per_spin);
  results["literal_total_probability"] = fmt::format("{:.3g} [{:.3g}, {:.3g}]", lit_p.mean, lit_p.lower, lit_p.upper);
  results["literal_kl"] = fmt::format("{:.3g}", lit_kl.mean);
  results["causal_total_probability"] = fmt::format("{:.6f}", causal_p.mean);
  results["causal_kl"] = fmt::format("{:.2g}", causal_kl.mean);
  double train_total = 0, eval_total = 0;
  long steps_total = 0;
  for (const auto* group : {&t.runs, &t.variant_runs, &t.doubled})
    for (const auto& r : *group)
      train_total += r.train_s, eval_total += r.eval_s, steps_total += cfg.train.steps * (group == &t.doubled ? 2 : 1);
  results["trainings"] = t.runs.size() + t.variant_runs.size() + t.doubled.size();
  // the plan's arithmetic: 2.7 worker-minutes per 1,500-step training (the previous paper run), two workers
  results["budget_minutes"] =
      fmt::format("{:.0f}", (t.runs.size() + t.variant_runs.size() + 2 * t.doubled.size()) * 2.7 / 2);
  results["train_minutes"] = fmt::format("{:.1f}", train_total / 60);
  results["eval_minutes"] = fmt::format("{:.1f}", eval_total / 60);
  results["step_ms"] = fmt::format("{:.0f}", 1000 * train_total / steps_total);
  results["claims_table"] = lab::claims_markdown({graded.json});
  // where the transformer lands against the counting model (the text's sentence comes from here)
  {
    std::vector<std::string> below_counting, above_counting;
    for (std::size_t k = 0; k < chains.size(); ++k) {
      const double counting = t.mean_of(k, [](const Run& r) { return r.kl_counting.value; });
      const std::string where = chains[k].h == 0.0 ? fmt::format("T = {}", format_key(chains[k].T))
                                                   : fmt::format("T = {}, h = {}", format_key(chains[k].T), format_key(chains[k].h));
      (sums.kl_interval[k].mean < counting ? below_counting : above_counting).push_back(where);
    }
    auto words = [](const std::vector<std::string>& w) { return w.empty() ? std::string("none") : fmt::format("{}", fmt::join(w, "; ")); };
    results["below_counting_count"] = fmt::format("{} of {}", below_counting.size(), chains.size());
    results["below_counting"] = words(below_counting);
    results["above_counting"] = words(above_counting);
  }
  // convergence: the doubling check, in words per condition
  {
    std::string rows = "| T | h | KL, seed 0 | KL, seed 0 at twice the steps | condition's interval | shifted estimate | converged |\n"
                       "|---|---|---|---|---|---|---|\n";
    std::size_t converged = 0;
    for (std::size_t k = 0; k < chains.size(); ++k) {
      const claims::Condition& c = graded.kl_conditions[k];
      const bool ok = lab::converged(*c.convergence);
      converged += ok;
      rows += fmt::format("| {} | {} | {:.2g} | {:.2g} | [{:.2g}, {:.2g}] | {:.2g} | {} |\n", format_key(chains[k].T),
                          format_key(chains[k].h), t.at(k, 0).kl.value, t.doubled[k].kl.value, c.lower, c.upper,
                          c.convergence->value, ok ? "yes" : "**no**");
    }
    results["doubling_table"] = rows;
    results["doubling_converged"] = fmt::format("{} of {}", converged, chains.size());
    results["doubled_steps"] = lab::format_thousands(static_cast<std::size_t>(2 * cfg.train.steps));
  }
  results["corr_blocks"] = cfg.corr_blocks;
  results["verdict_15"] = graded.json["claims"][4]["verdict"];
  results["verdict_16"] = graded.json["claims"][5]["verdict"];
  results["verdict_17"] = graded.json["claims"][6]["verdict"];
  results["tempered_pass_T_prime"] = fmt::format("{:.4g}", tempered.models[0][0][0].T_prime);
  results["tempered_fail_T_prime"] = fmt::format("{:.4g}", tempered.models[0][1][0].T_prime);
  results["few_n"] = lab::format_thousands(cfg.curve_n.front());
  results["floor_n_train"] = fmt::format("{:.1g}", 1.0 / (2.0 * cfg.n_train * cfg.L));
  results["counting_floor"] = fmt::format("{:.1g}", 4.0 * cfg.L / (2.0 * cfg.n_train * cfg.L));
}

void plot_variables(lab::Chapter& ch, const Config& cfg, const Trainings& t) {
  std::string entropies;
  for (std::size_t k = 0; k < t.nT; ++k)
    entropies += (entropies.empty() ? "" : " ") + fmt::format("{:.6g}", t.at(k, 0).exact_entropy_per_spin);
  ch.plot_var("temps", lab::format_keys(cfg.temperatures));
  ch.plot_var("L", cfg.L);
  ch.plot_var("kl_goal", cfg.kl_goal);
  ch.plot_var("field_tag", fmt::format("T{}_h{}", format_key(cfg.field_T), format_key(cfg.field_h)));
  ch.plot_var("field_h", cfg.field_h);
  ch.plot_var("field_T", cfg.field_T);
  ch.plot_var("control_L", cfg.control_L);
  ch.plot_var("control_entropy", t.control(0, 0).enumerated.exact_entropy_per_spin);  // {:g}: 6 digits
  ch.plot_var("entropies", entropies);
  ch.plot_var("n_images", cfg.n_images);
  ch.plot_var("seeds", t.nS);
  ch.plot_var("ablation_T", format_key(cfg.temperatures[t.ablation_k]));
  ch.plot_var("n_temps", t.nT);
}

}  // namespace spinformer
