// Chapter 7's steps (declared in learning_rate_temperature_steps.hpp); the jobs they run are in
// learning_rate_temperature_measurements.cpp.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "lab/rng.hpp"
#include "lab/tsv.hpp"
#include "sgd/double_well.hpp"

#include "learning_rate_temperature_steps.hpp"

namespace spinformer {

namespace {

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? NAN : s / double(v.size());
}
double spread_of(const std::vector<double>& v) {  // sample standard deviation
  if (v.size() < 2) return NAN;
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size() - 1));
}

// A job with the seed it has always had. This chapter's seeds predate lab::Chapter's rule
// (lab::job_seed(config.seed, step, coordinates)) and made the committed data, so each job keeps its own
// (each table's sidecar states it under "job_seeds", and no sidecar claims the runner's rule). `physics`:
// the parameters the job body reads besides the Config; they must not reuse a coordinate's name.
lab::Job seeded_job(const lab::Chapter& ch, const std::string& step, std::string label, const lab::Coordinates& at,
                    const nlohmann::json& physics, std::uint64_t seed) {
  lab::Job job = ch.job(step, std::move(label), at);
  for (const auto& [key, value] : physics.items()) {
    if (job.parameters.contains(key))
      throw std::logic_error(fmt::format("ch07: job parameter '{}' is also a coordinate", key));
    job.parameters[key] = value;
  }
  job.seed = seed;
  return job;
}

}  // namespace

void quadratic_variance(lab::Chapter& ch, const Config& cfg, Measurements& ms) {
  std::vector<lab::Job> jobs;
  std::vector<double> fine;
  for (int k = 1; k <= 39; ++k) fine.push_back(0.05 * k);
  for (bool wo : {false, true}) {
    const std::uint64_t sampling = wo ? 1 : 0;
    for (std::size_t k = 0; k < fine.size(); ++k)
      jobs.push_back(seeded_job(ch, "quadratic", fmt::format("quadratic eta h = {}", ekey(fine[k])),
                                {{"without_replacement_index", sampling}, {"exact_point", k}},
                                {{"eta", fine[k]}, {"B", cfg.quad_B}, {"N", cfg.quad_N}, {"without_replacement", wo},
                                 {"steps", 0}},
                                0));
    for (std::size_t k = 0; k < cfg.quad_eta_h.size(); ++k)
      jobs.push_back(seeded_job(ch, "quadratic", fmt::format("quadratic simulation eta h = {}", ekey(cfg.quad_eta_h[k])),
                                {{"without_replacement_index", sampling}, {"simulated_point", k}},
                                {{"eta", cfg.quad_eta_h[k]}, {"B", cfg.quad_B}, {"N", cfg.quad_N},
                                 {"without_replacement", wo}, {"steps", cfg.quad_steps}},
                                lab::Rng::stream(cfg.seed + 1, k + (wo ? 100 : 0)).next()));
  }
  const auto res = ch.run_jobs("quadratic", jobs);
  lab::Table curve{{"eta_h", "with", "with_small_eta", "without", "without_small_eta"}, {}};
  lab::Table points{{"eta_h", "with", "with_err", "with_exact", "without", "without_err", "without_exact"}, {}};
  const std::size_t per = fine.size() + cfg.quad_eta_h.size();
  for (std::size_t k = 0; k < fine.size(); ++k)
    curve.add({fine[k], res[k].value["variance_exact"], res[k].value["variance_small_eta"],
               res[per + k].value["variance_exact"], res[per + k].value["variance_small_eta"]});
  for (std::size_t k = 0; k < cfg.quad_eta_h.size(); ++k) {
    const auto &a = res[fine.size() + k].value, &b = res[per + fine.size() + k].value;
    points.add({cfg.quad_eta_h[k], a["variance"], a["variance_error"], a["variance_exact"], b["variance"],
                b["variance_error"], b["variance_exact"]});
    ms.exact.quadratic.push_back({{"eta_h", cfg.quad_eta_h[k]}, {"with", a}, {"without", b}});
  }
  const nlohmann::json about = {
      {"description", "SGD on a 1D quadratic: stationary variance (h = 1, sigma2 = 1)"},
      {"B", cfg.quad_B}, {"N", cfg.quad_N}, {"steps", cfg.quad_steps},
      {"job_seeds", "simulation k of quad_eta_h: Rng::stream(seed + 1, k, + 100 without replacement).next(); "
                    "exact: 0 (unused)"}};
  ch.table("quadratic.tsv", curve, "", {}, about);
  ch.table("quadratic_sim.tsv", points, "", {}, about);
}

void double_well(lab::Chapter& ch, const Config& cfg, Measurements& ms) {
  std::vector<lab::Job> jobs;
  std::vector<double> fine{0.02, 0.03, 0.05, 0.07, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3};
  // A simulation's steps at eta (the same number of steps per unit of eta-time), and its horizon with the
  // burn-in of well_job (steps / 20).
  const auto well_steps = [&](double eta) { return long(double(cfg.well_steps) * 0.1 / eta); };
  const auto horizon = [&](double eta) { return double(well_steps(eta) + well_steps(eta) / 20); };
  for (const char* noise : {"constant", "curvature"}) {
    const std::uint64_t curvature = noise[1] == 'u' ? 1 : 0;
    for (std::size_t k = 0; k < fine.size(); ++k)
      jobs.push_back(seeded_job(ch, "well", fmt::format("well eta = {}, {} noise", ekey(fine[k]), noise),
                                {{"curvature_noise", curvature}, {"exact_point", k}},
                                {{"eta", fine[k]}, {"T", cfg.well_T}, {"noise", noise}, {"tilt", 0.0}, {"steps", 0}}, 0));
    for (std::size_t k = 0; k < cfg.well_eta.size(); ++k)
      jobs.push_back(seeded_job(ch, "well", fmt::format("well simulation eta = {}, {} noise", ekey(cfg.well_eta[k]), noise),
                                {{"curvature_noise", curvature}, {"simulated_point", k}},
                                {{"eta", cfg.well_eta[k]}, {"T", cfg.well_T}, {"noise", noise}, {"tilt", 0.0},
                                 {"steps", well_steps(cfg.well_eta[k])}},
                                lab::Rng::stream(cfg.seed + 2, k + (noise[1] == 'u' ? 100 : 0)).next()));
  }
  // the negative control of 7.4: the wide well shallower by 2 |tilt|, constant noise
  jobs.push_back(seeded_job(ch, "well",
                            fmt::format("well simulation eta = {}, constant noise, tilt {}", ekey(cfg.well_control_eta),
                                        ekey(cfg.well_tilt)),
                            {{"tilt_control", 0}},
                            {{"eta", cfg.well_control_eta}, {"T", cfg.well_T}, {"noise", "constant"},
                             {"tilt", cfg.well_tilt}, {"steps", well_steps(cfg.well_control_eta)}},
                            lab::Rng::stream(cfg.seed + 2, 200).next()));
  const auto res = ch.run_jobs("well", jobs);
  const std::size_t per = fine.size() + cfg.well_eta.size();
  ms.exact.well_small_eta = res[0].value;
  ms.exact.well_small_eta["eta"] = fine[0];
  ms.exact.well_tilted = res.back().value;
  ms.exact.well_tilted["eta"] = cfg.well_control_eta;
  ms.exact.well_tilted["tilt"] = cfg.well_tilt;
  // The exact chain is drawn only where it stays confined over a simulation's horizon at that eta (else NaN:
  // on this quartic potential SGD diverges; see src/sgd/double_well.hpp).
  const auto chain = [&](const nlohmann::json& v, double eta) {
    return sgd::confined_over(v["chain_escape_per_step"].get<double>(), horizon(eta)) ? v["chain_wide"].get<double>()
                                                                                        : std::nan("");
  };
  lab::Table curve{{"eta", "gibbs", "chain_constant", "small_eta_curvature", "chain_curvature"}, {}};
  for (std::size_t k = 0; k < fine.size(); ++k)
    curve.add({fine[k], res[k].value["gibbs_wide"], chain(res[k].value, fine[k]), res[per + k].value["small_eta_wide"],
               chain(res[per + k].value, fine[k])});
  const auto wide = [](const nlohmann::json& v, const char* key) {  // NaN where the run diverged
    return v.contains(key) ? v[key].get<double>() : std::nan("");
  };
  lab::Table points{{"eta", "constant", "constant_err", "curvature", "curvature_err"}, {}};
  for (std::size_t k = 0; k < cfg.well_eta.size(); ++k) {
    const auto &a = res[fine.size() + k].value, &b = res[per + fine.size() + k].value;
    points.add({cfg.well_eta[k], wide(a, "wide"), wide(a, "wide_error"), wide(b, "wide"), wide(b, "wide_error")});
    ms.exact.well.push_back({{"eta", cfg.well_eta[k]}, {"constant", a}, {"curvature", b}});
  }
  const nlohmann::json about = {
      {"description", "SGD in a double well (narrow and wide minimum, equal depth): P(wide) at fixed T"},
      {"T", cfg.well_T}, {"B", 1}, {"k_narrow", 4.0}, {"k_wide", 1.0}, {"switch_width", 0.25},
      {"steps_at_eta_0.1", cfg.well_steps},
      {"job_seeds", "simulation k of well_eta: Rng::stream(seed + 2, k, + 100 for curvature noise).next(); the tilted "
                "control: Rng::stream(seed + 2, 200).next(); exact: 0 (unused)"}};
  ch.table("well.tsv", curve, "", {}, about);
  ch.table("well_sim.tsv", points, "", {}, about);
}

void chain_model(lab::Chapter& ch, const Config& cfg, Measurements& ms) {
  std::vector<lab::Job> jobs;
  for (std::size_t a = 0; a < cfg.chain_K.size(); ++a)
    for (std::size_t b = 0; b < cfg.chain_B.size(); ++b)
      for (std::size_t e = 0; e < cfg.chain_eta.size(); ++e)
        for (int s = 0; s < cfg.chain_seeds; ++s) {
          const long B = cfg.chain_B[b];
          jobs.push_back(seeded_job(
              ch, "chain",
              fmt::format("chain model K = {}, B = {}, eta = {}, seed {}", ekey(cfg.chain_K[a]), B, ekey(cfg.chain_eta[e]),
                          s + 1),
              {{"K_index", a}, {"B_index", b}, {"eta_index", e}, {"replicate", std::uint64_t(s)}},
              {{"L", cfg.model.L}, {"K", cfg.chain_K[a]}, {"B", B}, {"eta", cfg.chain_eta[e]}, {"steps", cfg.chain_steps}},
              lab::Rng::stream(cfg.seed + 3, ((a * 10 + std::size_t(B)) * 100 + e) * 100 + std::size_t(s)).next()));
        }
  // the exact law (no simulation) at the transformer's (eta_cold, small_batch): the negative control of 7.3
  const std::size_t simulated = jobs.size();
  for (std::size_t a = 0; a < cfg.chain_K.size(); ++a)
    for (std::size_t e = 0; e < cfg.eta_cold.size(); ++e)
      jobs.push_back(seeded_job(ch, "chain",
                                fmt::format("chain model K = {}, B = {}, eta = {}, exact law", ekey(cfg.chain_K[a]),
                                            cfg.small_batch, ekey(cfg.eta_cold[e])),
                                {{"K_index", a}, {"eta_cold_index", e}},
                                {{"L", cfg.model.L}, {"K", cfg.chain_K[a]}, {"B", cfg.small_batch}, {"eta", cfg.eta_cold[e]},
                                 {"steps", 0}},
                                0));
  auto res = ch.run_jobs("chain", jobs);
  for (std::size_t j = simulated; j < jobs.size(); ++j) {
    auto entry = res[j].value;
    entry["K"] = jobs[j].parameters["K"], entry["B"] = jobs[j].parameters["B"], entry["eta"] = jobs[j].parameters["eta"];
    ms.exact.chain_at_transformer.push_back(entry);
  }
  res.resize(simulated);
  jobs.resize(simulated);
  lab::Table t{{"K", "B", "eta", "eta_over_B", "excess_exact", "excess_linear", "excess_small_eta", "excess",
                "excess_err", "variance_exact", "variance_linear", "variance", "variance_err"}, {}};
  for (std::size_t j = 0; j < jobs.size(); j += std::size_t(cfg.chain_seeds)) {
    std::vector<double> ex, exe, va, vae;
    for (int s = 0; s < cfg.chain_seeds; ++s) {
      const auto& v = res[j + std::size_t(s)].value;
      ex.push_back(v["excess"]), exe.push_back(v["excess_error"]), va.push_back(v["variance"]),
          vae.push_back(v["variance_error"]);
      auto entry = v;
      entry["K"] = jobs[j].parameters["K"], entry["B"] = jobs[j].parameters["B"], entry["eta"] = jobs[j].parameters["eta"];
      entry["seed_index"] = s;
      ms.exact.chain.push_back(entry);
    }
    auto combined = [](const std::vector<double>& e) {
      double s = 0;
      for (double x : e) s += x * x;
      return std::sqrt(s) / double(e.size());
    };
    const auto& p = jobs[j].parameters;
    const auto& v = res[j].value;
    const double L = cfg.model.L;
    t.add({p["K"], double(p["B"].get<long>()), p["eta"], p["eta"].get<double>() / p["B"].get<double>(),
           v["excess_exact"].get<double>() / L, v["excess_linear"].get<double>() / L,
           v["excess_small_eta"].get<double>() / L, mean_of(ex) / L, combined(exe) / L, v["variance_exact"],
           v["variance_linear"], mean_of(va), combined(vae)});
  }
  ch.table("chain.tsv", t, "", {},
           {{"description", "one-parameter chain model p_K fitted by SGD on exact samples (open chain): excess KL per "
                            "spin and Var(K)"},
            {"L", cfg.model.L}, {"boundary", "open"}, {"steps", cfg.chain_steps}, {"seeds", cfg.chain_seeds},
            {"job_seeds", "(K index a, B, eta index e, seed s): Rng::stream(seed + 3, ((10 a + B) 100 + e) 100 + s).next(); "
                          "exact law: 0 (unused)"},
            {"columns", "excess*: KL per spin; simulated columns: mean over seeds, error from each seed's "
                        "autocorrelation-aware error"}});
}

void transformer_runs(lab::Chapter& ch, const Config& cfg, Measurements& ms) {
  struct Spec {
    std::string name, boundary = "open", schedule = "constant", optimizer = "sgd";
    double T, eta;
    int batch;
    long steps;
  };
  std::vector<Spec> specs;
  for (double e : cfg.eta_small_batch)
    specs.push_back({"sgd", "open", "constant", "sgd", cfg.T, e, cfg.small_batch, cfg.steps});
  // equal eta x steps with the equal-eta/B partner at small_batch (issue 31)
  const long large_steps = cfg.steps * cfg.small_batch / cfg.large_batch;
  for (double e : cfg.eta_large_batch)
    specs.push_back({"sgd", "open", "constant", "sgd", cfg.T, e, cfg.large_batch, large_steps});
  for (double e : cfg.eta_cold)
    specs.push_back({"cold", "open", "constant", "sgd", cfg.T_cold, e, cfg.small_batch, cfg.steps});
  specs.push_back({"decay", "open", "warmup_decay", "sgd", cfg.T, cfg.eta_peak, cfg.small_batch, cfg.decay_steps});
  specs.push_back({"ring", "periodic", "constant", "sgd", cfg.T, cfg.eta_ring, cfg.small_batch, cfg.ring_steps});
  std::vector<lab::Job> jobs;
  for (std::size_t i = 0; i < specs.size(); ++i)
    for (int k = 0; k < cfg.seeds; ++k) {
      const Spec& s = specs[i];
      jobs.push_back(seeded_job(
          ch, "transformer",
          fmt::format("{} T = {}, eta = {}, B = {}, seed {}", s.name, ekey(s.T), ekey(s.eta), s.batch, k + 1),
          {{"setting", i}, {"seed_index", std::uint64_t(k)}},
          {{"T", s.T}, {"boundary", s.boundary}, {"eta", s.eta}, {"batch", s.batch}, {"schedule", s.schedule},
           {"warmup_steps", s.schedule == "constant" ? 0 : cfg.warmup_steps}, {"final_ratio", cfg.final_ratio},
           {"optimizer", s.optimizer}, {"steps", s.steps}, {"eval_every", std::max(1L, s.steps / cfg.eval_points)},
           {"n_eval", cfg.n_eval}, {"n_fisher", cfg.n_fisher}, {"eval_seed", cfg.seed + 4},
           {"model", gpt::to_json(cfg.model)}},
          // the same seed index shares the initialisation and the data stream across settings
          cfg.seed + 10 + std::uint64_t(k)));
    }
  const auto res = ch.run_jobs("transformer", jobs);
  std::vector<double> untrained;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Setting st{specs[i].name, specs[i].T, specs[i].eta, specs[i].batch, {}, {}, {}, {}, {}, {}};
    for (int k = 0; k < cfg.seeds; ++k) {
      const auto& v = res[i * std::size_t(cfg.seeds) + std::size_t(k)].value;
      ms.parameter_count = v["parameter_count"].get<long>();
      st.runs.push_back(curve_from(v));
      st.plateaus.push_back(plateau(st.runs.back().kl, cfg.plateau_fraction).value);
      st.plateaus_last.push_back(plateau(st.runs.back().kl_last, cfg.plateau_fraction).value);
      st.third.push_back(quarter_mean(st.runs.back().kl, 2));
      st.fourth.push_back(quarter_mean(st.runs.back().kl, 3));
      st.gradient_trace.push_back(v["gradient_trace"].get<double>());
      if (st.name == "sgd" && st.batch == cfg.small_batch) untrained.push_back(st.runs.back().kl.front());
    }
    ms.settings.push_back(std::move(st));
  }
  ms.controls = compute_controls(cfg);
  ms.untrained_kl = mean_of(untrained);
  ms.closing_bond_information = closing_bond_information(cfg.model.L, cfg.T);

  lab::Table t{{"T", "B", "eta", "eta_over_B", "plateau", "plateau_sd", "plateau_min", "plateau_max", "last", "last_sd",
                "third_quarter", "last_quarter", "trace_c", "trace_c_sd", "predicted", "group"}, {}};
  for (const auto& s : ms.settings) {
    if (s.name == "decay") continue;
    const double group = s.name == "sgd" ? (s.batch == cfg.small_batch ? 0 : 0.5) : s.name == "cold" ? 1 : 3;
    // the fluctuation-dissipation prediction eta tr C / (4 B), mean over seeds
    std::vector<double> predicted;
    for (double c : s.gradient_trace) predicted.push_back(s.eta * c / (4.0 * s.batch));
    t.add({s.T, double(s.batch), s.eta, s.eta / s.batch, mean_of(s.plateaus), spread_of(s.plateaus),
           *std::min_element(s.plateaus.begin(), s.plateaus.end()), *std::max_element(s.plateaus.begin(), s.plateaus.end()),
           mean_of(s.plateaus_last), spread_of(s.plateaus_last), mean_of(s.third), mean_of(s.fourth),
           mean_of(s.gradient_trace), spread_of(s.gradient_trace), mean_of(predicted), group});
  }
  nlohmann::json about = {
      {"description", "IsingGPT trained by plain SGD on fresh exact samples: plateau KL per spin (mean over the last "
                      "half of each run; mean and sd over seeds)"},
      {"model", gpt::to_json(cfg.model)}, {"boundary", "open (ring: periodic)"}, {"T", cfg.T}, {"T_cold", cfg.T_cold},
      {"steps", cfg.steps}, {"eval_points", cfg.eval_points}, {"n_eval", cfg.n_eval}, {"n_fisher", cfg.n_fisher},
      {"seeds", cfg.seeds}, {"plateau_fraction", cfg.plateau_fraction},
      {"job_seeds", "seed index k (every setting): seed + 10 + k; evaluation configurations: seed + 4, tr C's: seed + 5"}};
  about["columns"] = "group: 0 SGD B small, 0.5 SGD B large, 1 T_cold, 3 ring; last: KL of the last conditional per "
                     "configuration; third_quarter, last_quarter: mean KL over those quarters of the run (the plateau "
                     "check); trace_c: tr C of the per-sample gradient covariance of the loss per spin at the run's end; "
                     "predicted: eta tr C / (4 B)";
  ch.table("plateau.tsv", t, "", {}, about);
  // mean curves over seeds, one file per setting
  about["columns"] = "KL per spin: mean, min and max over seeds; kl_last per configuration";
  for (const auto& s : ms.settings) {
    lab::Table c{{"step", "eta", "kl", "kl_min", "kl_max", "kl_last"}, {}};
    for (std::size_t p = 0; p < s.runs[0].step.size(); ++p) {
      std::vector<double> v, w;
      for (const auto& r : s.runs) v.push_back(r.kl[p]), w.push_back(r.kl_last[p]);
      c.add({s.runs[0].step[p], s.runs[0].eta[p], mean_of(v), *std::min_element(v.begin(), v.end()),
             *std::max_element(v.begin(), v.end()), mean_of(w)});
    }
    ch.table(fmt::format("curve_{}_T{}_B{}_eta{}.tsv", s.name, ekey(s.T), s.batch, ekey(s.eta)), c, "", {}, about);
  }
}

void decay_table(lab::Chapter& ch, const Config& cfg, const nlohmann::json& rows) {
  lab::Table t{{"eta", "kl", "kl_lo", "kl_hi", "plateau_at_eta"}, {}};
  for (const auto& row : rows) t.add(row.get<std::vector<double>>());
  ch.table("decay.tsv", t, "", {},
           {{"description", "warmup-decay run: KL per spin in windows of the decay against the constant-eta plateau at "
                            "the window's eta (interpolated in log-log from the same seed's grid runs)"},
            {"eta_peak", cfg.eta_peak}, {"final_ratio", cfg.final_ratio}, {"warmup_steps", cfg.warmup_steps},
            {"steps", cfg.decay_steps}, {"job_seeds", "seed index k: seed + 10 + k"}});
}

}  // namespace spinformer
