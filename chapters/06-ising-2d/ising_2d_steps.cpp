// Chapter 6's steps (declared in ising_2d.hpp): each builds its jobs, runs them through lab::Chapter's
// engine, fills the Measurements and writes its tables; the jobs are in ising_2d_measurements.cpp.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "ising2d/exact.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter.hpp"
#include "lab/rng.hpp"
#include "lab/tsv.hpp"

#include "causal_tests.hpp"
#include "ising_2d.hpp"

namespace spinformer {

namespace {

// A job with the seed it has always had. This chapter's seeds predate lab::Chapter's rule
// (lab::job_seed(config.seed, step, coordinates)) and made the committed data: each is the first draw
// of lab::Rng::stream(config.seed + k, index) as before, set after ch.job (each table's sidecar lists
// them under "job_seeds", and no sidecar claims the runner's rule). `physics`: the parameters the job
// body reads, as it always has; they must not reuse a coordinate's name.
lab::Job seeded_job(const lab::Chapter& ch, const std::string& step, std::string label, const lab::Coordinates& at,
                    const nlohmann::json& physics, std::uint64_t stream, std::uint64_t index) {
  lab::Job job = ch.job(step, std::move(label), at);
  for (const auto& [key, value] : physics.items()) {
    if (job.parameters.contains(key))
      throw std::logic_error(fmt::format("ch06: job parameter '{}' is also a coordinate", key));
    job.parameters[key] = value;
  }
  job.seed = lab::Rng::stream(stream, index).next();
  return job;
}

// Sampler job parameters: Metropolis records every record_every sweeps to keep Sokal's window affordable.
nlohmann::json sampler_parameters(const std::string& sampler, int L, double T, long sweeps, long equilibration, int chains) {
  return {{"sampler", sampler}, {"L", L}, {"T", T}, {"sweeps", sweeps}, {"equilibration", equilibration},
          {"chains", sampler == "wolff" ? chains : 64},
          {"record_every", sampler == "wolff" ? 1L : std::max(1L, sweeps / 20000)}};
}

// exact.tsv's sizes: the validation sizes and both transformer lattices, in order
std::vector<int> exact_sizes(const Config& cfg) {
  std::vector<int> sizes = cfg.validation_sizes;
  for (int L : {cfg.L, cfg.large_L})
    if (std::find(sizes.begin(), sizes.end(), L) == sizes.end()) sizes.push_back(L);
  std::sort(sizes.begin(), sizes.end());
  return sizes;
}

}  // namespace

void exact_curves(lab::Chapter& ch, const Config& cfg) {
  const std::vector<int> sizes = exact_sizes(cfg);
  lab::Table t{{"T"}, {}};
  for (int L : sizes) t.columns.push_back(fmt::format("energy_L{}", L));
  for (int L : sizes) t.columns.push_back(fmt::format("heat_L{}", L));
  for (int k = 0; k <= 200; ++k) {
    const double T = 1.5 + 2.0 * k / 200;
    std::vector<double> row{T};
    for (int L : sizes) row.push_back(ising2d::kaufman_thermodynamics(L, L, 1.0, T).energy_per_spin);
    for (int L : sizes) row.push_back(ising2d::kaufman_thermodynamics(L, L, 1.0, T).specific_heat_per_spin);
    t.add(row);
  }
  ch.table("exact.tsv", t, "", {},
           {{"table", "exact energy and specific heat per spin of the L x L torus (Kaufman), J = 1"}, {"sizes", sizes},
            {"T_min", 1.5}, {"T_max", 3.5}});
}

void samplers(lab::Chapter& ch, const Config& cfg, Measurements& ms) {
  const double Tc = ising2d::critical_temperature(1.0);
  const std::vector<std::string> kinds{"metropolis", "wolff"};
  std::vector<lab::Job> jobs;
  std::uint64_t k = 0;  // the seed stream's index runs on over both studies
  for (std::uint64_t si = 0; si < kinds.size(); ++si)
    for (std::uint64_t li = 0; li < cfg.validation_sizes.size(); ++li)
      for (std::uint64_t ti = 0; ti < cfg.validation_T.size(); ++ti) {
        const std::string& s = kinds[si];
        const int L = cfg.validation_sizes[li];
        const double T = cfg.validation_T[ti];
        jobs.push_back(seeded_job(ch, "sampler", fmt::format("{} L = {}, T = {}", s, L, tkey(T)),
                                  {{"study", 0}, {"sampler_index", si}, {"size_index", li}, {"temperature_index", ti}},
                                  sampler_parameters(s, L, T, s == "wolff" ? cfg.wolff_sweeps : cfg.metropolis_sweeps,
                                                     s == "wolff" ? 100 : 1000, cfg.wolff_chains),
                                  cfg.seed + 1, k++));
        ms.validation.push_back({s, L, T, {}});
      }
  const std::size_t n_validation = jobs.size();
  for (std::uint64_t si = 0; si < kinds.size(); ++si)
    for (std::uint64_t li = 0; li < cfg.tau_sizes.size(); ++li) {
      const std::string& s = kinds[si];
      const int L = cfg.tau_sizes[li];
      const long sweeps = s == "wolff" ? cfg.tau_wolff_sweeps
                                       : std::max(1000L, long(double(cfg.tau_metropolis_sweeps) * (L / 8.0) * (L / 8.0)));
      jobs.push_back(seeded_job(ch, "sampler", fmt::format("tau {} L = {}, T_c", s, L),
                                {{"study", 1}, {"sampler_index", si}, {"size_index", li}, {"temperature_index", 0}},
                                sampler_parameters(s, L, Tc, sweeps, s == "wolff" ? 100 : std::max(1000L, sweeps / 20), 32),
                                cfg.seed + 2, k++));
      ms.tau.push_back({s, L, Tc, {}});
    }
  const auto res = ch.run_jobs("sampler", jobs);
  for (std::size_t i = 0; i < n_validation; ++i) ms.validation[i].value = res[i].value;
  for (std::size_t i = 0; i < ms.tau.size(); ++i) ms.tau[i].value = res[n_validation + i].value;

  lab::Table v{{"sampler", "L", "T", "energy", "energy_err", "exact_energy", "heat", "heat_err", "exact_heat",
                "tau_energy", "tau_abs_m"}, {}};
  for (const auto& p : ms.validation) {
    const auto& r = p.value;
    v.add({p.sampler == "wolff" ? 1.0 : 0.0, double(p.L), p.T, r["energy"][0], r["energy"][1], r["exact_energy"],
           r["heat"][0], r["heat"][1], r["exact_heat"], r["tau_energy"][0], r["tau_abs_m"][0]});
  }
  ch.table("validation.tsv", v, "sampler", {{"study", 0}},
           {{"table", "samplers against Kaufman's exact torus: energy and specific heat per spin"},
            {"metropolis_chains", 64},
            {"columns", "sampler: 0 checkerboard Metropolis, 1 Wolff; errors: one standard error from the scatter "
                        "between chains"}});
  lab::Table t{{"L", "metropolis_tau_energy", "err", "metropolis_tau_abs_m", "err", "wolff_tau_energy", "err",
                "wolff_tau_abs_m", "err", "wolff_mean_cluster_over_N"}, {}};
  const std::size_t n = cfg.tau_sizes.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto &a = ms.tau[i].value, &b = ms.tau[n + i].value;
    const double L = cfg.tau_sizes[i];
    t.add({L, a["tau_energy"][0], a["tau_energy"][1], a["tau_abs_m"][0], a["tau_abs_m"][1], b["tau_energy"][0],
           b["tau_energy"][1], b["tau_abs_m"][0], b["tau_abs_m"][1], b["mean_cluster_size"].get<double>() / (L * L)});
  }
  ch.table("tau.tsv", t, "sampler", {{"study", 1}},
           {{"table", "integrated autocorrelation times (sweeps) at T_c against L"}, {"wolff_chains", 32}});
}

void transformers(lab::Chapter& ch, const Config& cfg, Measurements& ms) {
  const double Tc = ising2d::critical_temperature(1.0);
  // the L = 16 runs first: they are the longest, so the two workers finish together
  std::vector<lab::Job> jobs;
  for (std::size_t i = 0; i < cfg.large_temperatures.size(); ++i) {
    const double T = cfg.large_temperatures[i];
    // T_c keeps the seed streams of the first L = 16 runs (T_c only), so that those rerun bit for bit
    const bool at_tc = std::abs(T - Tc) < 1e-9;
    if (at_tc) ms.large_tc = i;
    for (int s = 0; s < cfg.large_seeds; ++s)
      jobs.push_back(seeded_job(ch, "transformer", fmt::format("transformer L = {}, T = {}, seed {}", cfg.large_L, tkey(T), s + 1),
                                {{"large", 1}, {"torus_bias", 0}, {"temperature_index", i}, {"replicate", std::uint64_t(s)}},
                                {{"L", cfg.large_L}, {"T", T}, {"model", gpt::to_json(cfg.large_model)},
                                 {"train", gpt::to_json(cfg.large_train)}, {"n_train", cfg.large_n_train},
                                 {"n_val", cfg.large_n_val}, {"train_spacing", cfg.train_spacing},
                                 {"n_test", cfg.large_n_test}, {"test_spacing", cfg.test_spacing},
                                 {"n_model_samples", cfg.large_n_model_samples}, {"n_attention", cfg.large_n_attention}},
                                cfg.seed + 5, (at_tc ? 0 : 100 * (i + 1)) + std::size_t(s)));
  }
  const std::size_t n_large = jobs.size();
  // the L x L models, then the torus-bias model: the same jobs with its own model and seed stream
  for (int bias : {0, 1})
    for (std::size_t i = 0; i < cfg.temperatures.size(); ++i)
      for (int s = 0; s < cfg.seeds; ++s)
        jobs.push_back(seeded_job(
            ch, "transformer",
            fmt::format("transformer{} L = {}, T = {}, seed {}", bias ? " + torus bias" : "", cfg.L, tkey(cfg.temperatures[i]),
                        s + 1),
            {{"large", 0}, {"torus_bias", std::uint64_t(bias)}, {"temperature_index", i}, {"replicate", std::uint64_t(s)}},
            {{"L", cfg.L}, {"T", cfg.temperatures[i]}, {"model", gpt::to_json(bias ? cfg.torus_model : cfg.model)},
             {"train", gpt::to_json(cfg.train)}, {"n_train", cfg.n_train}, {"n_val", cfg.n_val},
             {"train_spacing", cfg.train_spacing}, {"n_test", cfg.n_test}, {"test_spacing", cfg.test_spacing},
             {"n_model_samples", cfg.n_model_samples}, {"n_attention", cfg.n_attention}, {"n_causal", cfg.n_causal}},
            cfg.seed + (bias ? 6 : 3), i * 100 + std::size_t(s)));
  const std::size_t n_small = (jobs.size() - n_large) / 2;
  const auto res_all = ch.run_jobs("transformer", jobs);
  for (std::size_t k = 0; k < n_large; ++k) {
    const auto& v = res_all[k].value;
    if (k % std::size_t(cfg.large_seeds) == 0) ms.large.emplace_back();
    ms.large.back().push_back(v);
    ms.large_step_seconds += v["train_s"].get<double>() / v["steps"].get<double>() / double(n_large);
  }
  const std::vector<lab::JobResult> res(res_all.begin() + std::ptrdiff_t(n_large),
                                        res_all.begin() + std::ptrdiff_t(n_large + n_small));
  for (std::size_t k = n_large + n_small; k < res_all.size(); ++k) {
    const auto& v = res_all[k].value;
    if ((k - n_large - n_small) % std::size_t(cfg.seeds) == 0) ms.torus.emplace_back();
    ms.torus.back().push_back(v);
    ms.torus_step_seconds += v["train_s"].get<double>() / v["steps"].get<double>() / double(n_small);
  }
  double step_s = 0;
  for (std::size_t i = 0; i < cfg.temperatures.size(); ++i) {
    ms.runs.emplace_back();
    for (int s = 0; s < cfg.seeds; ++s) {
      const auto& v = res[i * std::size_t(cfg.seeds) + std::size_t(s)].value;
      ms.runs.back().push_back(v);
      ms.parameter_count = v["parameter_count"].get<long>();
      step_s += v["train_s"].get<double>() / v["steps"].get<double>();
    }
  }
  ms.step_seconds = step_s / double(res.size());

  // per temperature: mean and sd over seeds (the same row for the torus-bias model's torus.tsv)
  const std::vector<std::string> columns{"T", "kl_forward", "kl_forward_sd", "kl_reverse", "kl_reverse_sd", "ess",
                                         "ess_sd", "heat_model", "heat_model_sd", "exact_heat", "energy_model",
                                         "energy_model_sd", "exact_energy", "abs_m_model", "abs_m_model_sd",
                                         "abs_m_wolff", "p_positive", "neighbour_attention", "neighbour_attention_sd"};
  auto summary_row = [&](double T, const std::vector<nlohmann::json>& runs) {
    std::vector<double> kf, kr, ess, hm, em, am, aw, pp, na;
    for (const auto& v : runs) {
      kf.push_back(v["kl_forward"][0]), kr.push_back(v["kl_reverse"][0]), ess.push_back(v["ess_per_sample"]);
      hm.push_back(v["heat_model"][0]), em.push_back(v["energy_model"][0]), am.push_back(v["abs_m_model"][0]);
      aw.push_back(v["abs_m_wolff"][0]), pp.push_back(v["p_positive"]);
      const auto a = v["attention_by_distance"].get<std::vector<double>>();
      na.push_back(a[0] + a[std::size_t(cfg.L - 1)]);  // layer 1: left neighbour (r = 0) + the one above (r = L - 1)
    }
    const auto& v0 = runs[0];
    return std::vector<double>{T, mean_of(kf), sd_of(kf), mean_of(kr), sd_of(kr), mean_of(ess), sd_of(ess),
                               mean_of(hm), sd_of(hm), v0["exact_heat"], mean_of(em), sd_of(em), v0["exact_energy"],
                               mean_of(am), sd_of(am), mean_of(aw), mean_of(pp), mean_of(na), sd_of(na)};
  };
  const lab::Coordinates plain{{"large", 0}, {"torus_bias", 0}};
  lab::Table t{columns, {}};
  for (std::size_t i = 0; i < cfg.temperatures.size(); ++i) t.add(summary_row(cfg.temperatures[i], ms.runs[i]));
  ch.table("transformer.tsv", t, "transformer", plain,
           {{"table", fmt::format("transformer on the {0} x {0} torus (raster order) trained on Wolff samples: exact KL "
                                  "both ways, ESS, model-sample thermodynamics (mean and sd over seeds)", cfg.L)},
            {"columns", "KL per spin (nats); ess: effective sample size of p/q per model sample; "
                        "neighbour_attention: layer-1 attention on the left and upper neighbours"}});

  // the torus-bias model: transformer.tsv's columns and the intervention error ratios of claim 6.8
  lab::Table tt{columns, {}};
  for (const char* c : {"error_ratio_left", "error_ratio_left_sd", "error_ratio_up", "error_ratio_up_sd"})
    tt.columns.push_back(c);
  for (std::size_t i = 0; i < cfg.temperatures.size(); ++i) {
    std::vector<double> row = summary_row(cfg.temperatures[i], ms.torus[i]);
    for (std::size_t r : {std::size_t(0), std::size_t(1)}) {  // relation_names(): left, up
      std::vector<double> x;
      for (const auto& v : ms.torus[i])
        if (v.contains("relation_error_ratio")) x.push_back(v["relation_error_ratio"][r]);
      row.push_back(mean_of(x)), row.push_back(sd_of(x));
    }
    tt.add(row);
  }
  ch.table("torus.tsv", tt, "transformer", {{"large", 0}, {"torus_bias", 1}},
           {{"table", fmt::format("the same transformer with a 2D torus attention bias (learned positions kept) on the "
                                  "{0} x {0} torus: as transformer.tsv (mean and sd over seeds)", cfg.L)},
            {"columns", "as transformer.tsv; error_ratio_left/up: claim 6.8's mean |Delta_q - Delta_p| / "
                        "mean |Delta_p| with the left (up) neighbour flipped, mean and sd over seeds"}});

  // |M| histograms (mean over seeds) and attention by raster distance, one column per temperature
  lab::Table h{{"abs_M"}, {}}, a{{"r"}, {}};
  for (double T : cfg.temperatures) h.columns.push_back("model_T" + tkey(T)), a.columns.push_back("layer1_T" + tkey(T));
  for (double T : cfg.temperatures) h.columns.push_back("wolff_T" + tkey(T)), a.columns.push_back("last_T" + tkey(T));
  const std::size_t bins = std::size_t(cfg.L * cfg.L) / 2 + 1, R = std::size_t(cfg.L * cfg.L);
  for (std::size_t b = 0; b < bins; ++b) {
    std::vector<double> row{double(2 * b)};
    for (const char* key : {"hist_abs_m_model", "hist_abs_m_wolff"})
      for (const auto& runs : ms.runs) {
        std::vector<double> x;
        for (const auto& v : runs) x.push_back(v[key][b]);
        row.push_back(mean_of(x));
      }
    h.add(row);
  }
  for (std::size_t r = 0; r < R; ++r) {
    std::vector<double> row{double(r)};
    for (int last : {0, 1})
      for (const auto& runs : ms.runs) {
        std::vector<double> x;
        for (const auto& v : runs) {
          const std::size_t layer = last ? v["attention_layers"].get<std::size_t>() - 1 : 0;
          x.push_back(v["attention_by_distance"][layer * R + r]);
        }
        row.push_back(mean_of(x));
      }
    a.add(row);
  }
  ch.table("abs_m_histogram.tsv", h, "transformer", plain,
           {{"columns", "P(|M|) of model samples and of fresh Wolff samples, mean over seeds"}});
  ch.table("attention.tsv", a, "transformer", plain,
           {{"columns", "A(r): attention of a query on the key r raster steps before the spin it predicts' left "
                        "neighbour (r = 0: left, r = L - 1: above), mean over heads, queries and seeds"}});
}

void variational(lab::Chapter& ch, const Config& cfg, Measurements& ms) {
  std::vector<lab::Job> jobs;
  for (std::size_t i = 0; i < cfg.variational_T.size(); ++i)
    for (int s = 0; s < cfg.seeds; ++s)
      jobs.push_back(seeded_job(ch, "variational",
                                fmt::format("variational L = {}, T = {}, seed {}", cfg.L, tkey(cfg.variational_T[i]), s + 1),
                                {{"temperature_index", i}, {"replicate", std::uint64_t(s)}},
                                {{"L", cfg.L}, {"T", cfg.variational_T[i]}, {"model", gpt::to_json(cfg.model)},
                                 {"train", gpt::to_json(cfg.variational)}, {"n_test", cfg.n_test},
                                 {"test_spacing", cfg.test_spacing}, {"n_model_samples", cfg.n_model_samples},
                                 {"n_attention", cfg.n_attention}},
                                cfg.seed + 4, i * 100 + std::size_t(s)));
  const auto res = ch.run_jobs("variational", jobs);
  lab::Table t{{"T", "kl_forward", "kl_forward_sd", "kl_reverse", "kl_reverse_sd", "ess", "ess_sd", "heat_model",
                "heat_model_sd", "exact_heat", "abs_m_model", "abs_m_model_sd", "abs_m_wolff", "p_positive",
                "p_positive_sd"}, {}};
  lab::Table curve{{"step"}, {}};
  for (std::size_t i = 0; i < cfg.variational_T.size(); ++i) {
    ms.variational.emplace_back();
    std::vector<double> kf, kr, ess, hm, am, aw, pp;
    for (int s = 0; s < cfg.seeds; ++s) {
      const auto& v = res[i * std::size_t(cfg.seeds) + std::size_t(s)].value;
      ms.variational.back().push_back(v);
      kf.push_back(v["kl_forward"][0]), kr.push_back(v["kl_reverse"][0]), ess.push_back(v["ess_per_sample"]);
      hm.push_back(v["heat_model"][0]), am.push_back(v["abs_m_model"][0]), aw.push_back(v["abs_m_wolff"][0]);
      pp.push_back(v["p_positive"]);
      curve.columns.push_back(fmt::format("beta_f_q_T{}_seed{}", tkey(cfg.variational_T[i]), s + 1));
    }
    const auto& v0 = ms.variational.back()[0];
    t.add({cfg.variational_T[i], mean_of(kf), sd_of(kf), mean_of(kr), sd_of(kr), mean_of(ess), sd_of(ess),
           mean_of(hm), sd_of(hm), v0["exact_heat"], mean_of(am), sd_of(am), mean_of(aw), mean_of(pp), sd_of(pp)});
  }
  const auto& steps = res[0].value["curve_step"];
  for (std::size_t k = 0; k < steps.size(); ++k) {
    std::vector<double> row{steps[k].get<double>()};
    for (const auto& r : res) row.push_back(r.value["curve_beta_f_q"][k]);
    curve.add(row);
  }
  const std::string about = fmt::format(
      "the same transformer trained by reverse KL from the Hamiltonian alone on the {0} x {0} torus (mean and sd over "
      "seeds)", cfg.L);
  ch.table("variational.tsv", t, "variational", {},
           {{"table", about},
            {"columns", "as transformer.tsv; p_positive: P(M > 0) of model samples (M = 0 counts 1/2)"}});
  ch.table("variational_curve.tsv", curve, "variational", {},
           {{"table", about},
            {"columns", "batch mean of (log q + beta E) / N = beta f_q during training, per run"}});
}

void diagnostics(lab::Chapter& ch, const Config& cfg, const Measurements& ms) {
  const std::size_t R = relation_names().size(), N = std::size_t(cfg.L * cfg.L);
  lab::Table c{{"T", "relation", "delta_p", "delta_p_sd", "delta_q", "delta_q_sd", "abs_delta_p", "abs_error",
                "error_ratio", "error_ratio_sd", "attention", "attention_sd", "attention_uniform"}, {}};
  lab::Table e{{"site"}, {}};
  lab::Table a{{"L", "T", "r_layer1", "r_layer1_sd", "r_last", "r_last_sd", "r_constant_null", "r_recency_null",
                "r_recency_null_sd", "classes"}, {}};
  for (double T : cfg.temperatures) e.columns.push_back("excess_T" + tkey(T));
  for (std::size_t i = 0; i < cfg.temperatures.size(); ++i) {
    const auto& runs = ms.runs[i];
    auto per_seed = [&](const char* key, std::size_t r) {
      std::vector<double> x;
      for (const auto& v : runs)
        if (v.contains(key)) x.push_back(v[key][r]);
      return x;
    };
    for (std::size_t r = 0; r < R && runs[0].contains("relation_delta_p"); ++r) {
      const auto dp = per_seed("relation_delta_p", r), dq = per_seed("relation_delta_q", r);
      const auto ratio = per_seed("relation_error_ratio", r), at = per_seed("relation_attention", r);
      c.add({cfg.temperatures[i], double(r), mean_of(dp), sd_of(dp), mean_of(dq), sd_of(dq),
             mean_of(per_seed("relation_abs_delta_p", r)), mean_of(per_seed("relation_abs_error", r)), mean_of(ratio),
             sd_of(ratio), mean_of(at), sd_of(at), mean_of(per_seed("relation_attention_uniform", r))});
    }
  }
  auto attention_c_row = [&](int L, double T, const std::vector<nlohmann::json>& runs) {
    std::vector<double> r1, rl, r0, rr;
    for (const auto& v : runs)
      r1.push_back(v["attention_c_layer1"]), rl.push_back(v["attention_c_last"]),
          r0.push_back(v["attention_c_constant_null"]), rr.push_back(v["attention_c_recency_null"]);
    a.add({double(L), T, mean_of(r1), sd_of(r1), mean_of(rl), sd_of(rl), mean_of(r0), mean_of(rr), sd_of(rr),
           runs[0]["attention_c_classes"].get<double>()});
  };
  for (std::size_t i = 0; i < cfg.temperatures.size(); ++i) attention_c_row(cfg.L, cfg.temperatures[i], ms.runs[i]);
  for (std::size_t i = 0; i < cfg.large_temperatures.size(); ++i)
    attention_c_row(cfg.large_L, cfg.large_temperatures[i], ms.large[i]);
  for (std::size_t site = 0; site < N && ms.runs[0][0].contains("excess_by_site"); ++site) {
    std::vector<double> row{double(site)};
    for (const auto& runs : ms.runs) {
      std::vector<double> x;
      for (const auto& v : runs) x.push_back(v["excess_by_site"][site]);
      row.push_back(mean_of(x));
    }
    e.add(row);
  }
  const lab::Coordinates plain{{"large", 0}, {"torus_bias", 0}};
  ch.table("causal.tsv", c, "transformer", plain,
           {{"table", fmt::format("interventions on the {0} x {0} models against the exact raster-order conditionals "
                                  "(mean and sd over seeds)", cfg.L)},
            {"relations", relation_names()},
            {"columns", "relation: index into relations; delta: mean over test configurations and queries of log "
                        "c(s_i | prefix with the related spin flipped) - log c(s_i | prefix), p exact, q the model; "
                        "error_ratio: mean |delta_q - delta_p| / mean |delta_p| per seed; attention: layer-1 weight "
                        "on the related key, mean over heads"}});
  ch.table("excess.tsv", e, "transformer", plain,
           {{"columns", "per raster site: mean of log p(s_i | s_<i) - log q(s_i | s_<i) over test configurations "
                        "(nats), mean over seeds"}});
  ch.table("attention_c.tsv", a, "transformer", {{"torus_bias", 0}},
           {{"columns", "Pearson r over torus displacement classes of ln(A / A_uniform) with ln C (C from the Wolff "
                        "test samples), layer 1 and last layer; the constant-A null; the recency null (layer-1 "
                        "profile over raster distance made non-increasing); mean and sd over seeds; L = 16 rows from "
                        "the L = 16 runs"}});

  // L = 16 over the grid: per temperature and seed, and mean and sd over seeds
  lab::Table g{{"T", "seed", "kl_forward", "kl_forward_err", "kl_reverse", "kl_reverse_err", "ess", "heat_model",
                "heat_model_err", "exact_heat", "abs_m_model", "abs_m_wolff", "p_positive", "neighbour_attention",
                "train_s"}, {}};
  lab::Table gm{{"T", "kl_forward", "kl_forward_sd", "kl_reverse", "kl_reverse_sd", "ess", "ess_sd", "heat_model",
                 "heat_model_sd", "exact_heat", "abs_m_model", "abs_m_model_sd", "abs_m_wolff", "neighbour_attention",
                 "neighbour_attention_sd"}, {}};
  const std::size_t NL = std::size_t(cfg.large_L);
  for (std::size_t i = 0; i < cfg.large_temperatures.size(); ++i) {
    const double T = cfg.large_temperatures[i];
    std::vector<double> kf, kr, ess, hm, am, aw, na;
    for (std::size_t s = 0; s < ms.large[i].size(); ++s) {
      const auto& v = ms.large[i][s];
      const auto att = v["attention_by_distance"].get<std::vector<double>>();
      const double neighbours = att[0] + att[NL - 1];  // layer 1: left (r = 0) and upper (r = L - 1) neighbours
      g.add({T, double(s + 1), v["kl_forward"][0], v["kl_forward"][1], v["kl_reverse"][0], v["kl_reverse"][1],
             v["ess_per_sample"], v["heat_model"][0], v["heat_model"][1], v["exact_heat"], v["abs_m_model"][0],
             v["abs_m_wolff"][0], v["p_positive"], neighbours, v["train_s"]});
      kf.push_back(v["kl_forward"][0]), kr.push_back(v["kl_reverse"][0]), ess.push_back(v["ess_per_sample"]);
      hm.push_back(v["heat_model"][0]), am.push_back(v["abs_m_model"][0]), aw.push_back(v["abs_m_wolff"][0]);
      na.push_back(neighbours);
    }
    gm.add({T, mean_of(kf), sd_of(kf), mean_of(kr), sd_of(kr), mean_of(ess), sd_of(ess), mean_of(hm), sd_of(hm),
            ms.large[i][0]["exact_heat"], mean_of(am), sd_of(am), mean_of(aw), mean_of(na), sd_of(na)});
  }
  const std::string about = fmt::format("transformer on the {0} x {0} torus ({1} tokens) over the temperature grid",
                                        cfg.large_L, cfg.large_L * cfg.large_L);
  ch.table("large.tsv", g, "transformer", {{"large", 1}},
           {{"table", about},
            {"columns", "as transformer.tsv, per temperature and seed, errors: one standard error over samples"}});
  ch.table("large_transformer.tsv", gm, "transformer", {{"large", 1}},
           {{"table", about}, {"columns", "as transformer.tsv: mean and sd over seeds"}});
}

void write_plot_vars(lab::Chapter& ch, const Config& cfg, const Measurements& ms) {
  std::string tlist;
  for (double T : cfg.temperatures) tlist += (tlist.empty() ? "" : " ") + tkey(T);
  std::string sizes, all_sizes;
  for (int L : cfg.validation_sizes) sizes += (sizes.empty() ? "" : " ") + std::to_string(L);
  for (int L : exact_sizes(cfg)) all_sizes += (all_sizes.empty() ? "" : " ") + std::to_string(L);  // exact.tsv's columns
  std::string relations;  // gnuplot words: spaces inside a name become hyphens
  for (std::string r : relation_names()) {
    std::replace(r.begin(), r.end(), ' ', '-');
    relations += (relations.empty() ? "" : " ") + r;
  }
  lab::write_file_atomically(
      ch.path("plot_vars.gp"),
      fmt::format("L = {}\nlarge_L = {}\nTc = {}\ntemperatures = \"{}\"\nvalidation_sizes = \"{}\"\n"
                  "exact_sizes = \"{}\"\nz_local = {}\nz_wolff = {}\nfit_from = {}\nrelations = \"{}\"\n"
                  "causal_goal = {}\n",
                  cfg.L, cfg.large_L, ising2d::critical_temperature(1.0), tlist, sizes, all_sizes,
                  dynamic_exponent(cfg, ms, "metropolis", "tau_abs_m").value,
                  dynamic_exponent(cfg, ms, "wolff", "tau_energy").value, cfg.fit_from, relations, cfg.causal_goal));
}

}  // namespace spinformer
