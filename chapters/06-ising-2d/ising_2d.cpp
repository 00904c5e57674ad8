// Chapter 6 — the 2D Ising model, where there is a phase transition to learn.
//
//  1. The samplers (multi-spin checkerboard Metropolis and Wolff, src/ising2d) against Kaufman's exact
//     energy and specific heat of the L x L torus at several L and T across T_c, errors from the
//     scatter between independent chains; tau_int at T_c against L and the dynamic exponents.
//  2. Chapter 1's transformer (learned positions, L^2 tokens in raster order) trained on Wolff samples
//     at each temperature of a grid bracketing T_c, several seeds: KL(p || q) per spin on fresh Wolff
//     configurations with the exact log Z, KL(q || p) per spin = beta (f_q - f) and the effective
//     sample size of p / q from model samples, the specific heat and |M| of model samples, and the
//     attention by raster distance. The same model with a 2D torus attention bias beside its learned
//     positions, trained and measured alike (torus.tsv, claims 6.15-6.17).
//  3. Claims (claims.cpp, by the verdict rule) and the values quoted in text.md.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "code_hash.hpp"
#include "gpt/threads.hpp"
#include "ising2d/exact.hpp"
#include "ising2d/lattice.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter_cli.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/rng.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"

#include "causal_tests.hpp"
#include "ising_2d.hpp"

using namespace spinformer;

namespace {
// Sampler job parameters: Metropolis records every record_every sweeps to keep Sokal's window affordable.
nlohmann::json sampler_parameters(const std::string& sampler, int L, double T, long sweeps, long equilibration, int chains) {
  return {{"sampler", sampler}, {"L", L}, {"T", T}, {"sweeps", sweeps}, {"equilibration", equilibration},
          {"chains", sampler == "wolff" ? chains : 64},
          {"record_every", sampler == "wolff" ? 1L : std::max(1L, sweeps / 20000)}};
}
}  // namespace

int main(int argc, char** argv) {
  lab::install_signal_cleanup();
  lab::ChapterOptions opt;
  CLI::App app{"Chapter 6: the 2D Ising model"};
  lab::add_chapter_options(app, opt, SPINFORMER_CODE_HASH);
  if (const int status = lab::parse_chapter_args(app, argc, argv, "ch06"); status >= 0) return status;
  return lab::run_chapter("ch06", [&] {
    opt.check();
    const std::string &profile_name = opt.profile, &out_dir = opt.out;
    Config cfg = profile(profile_name);
    cfg.workers = opt.workers_or(cfg.workers);
    gpt::set_threads(opt.threads_or(1));  // one LibTorch thread per job: small matrices parallelise badly
    lab::Engine engine(lab::chapter_engine("ch06", profile_name, out_dir, cfg.workers, SPINFORMER_CODE_HASH));
    engine.define("sampler", [](const lab::Job& j, const lab::JobContext&) { return sampler_job(j.parameters, j.seed); });
    engine.define("transformer", [](const lab::Job& j, const lab::JobContext&) { return transformer_job(j.parameters, j.seed); });
    engine.define("variational", [](const lab::Job& j, const lab::JobContext&) { return variational_job(j.parameters, j.seed); });
    if (!engine.root()) return (void)engine.serve();
    lab::require_writable(out_dir + "/results.json", "--out");
    auto path = [&](const std::string& name) { return out_dir + "/" + name; };
    const auto t_start = std::chrono::steady_clock::now();
    const double Tc = ising2d::critical_temperature(1.0);
    Measurements ms;

    // ---- exact curves: Kaufman on a fine grid ---------------------------------------------------------
    {
      std::vector<int> sizes = cfg.validation_sizes;
      for (int L : {cfg.L, cfg.large_L})
        if (std::find(sizes.begin(), sizes.end(), L) == sizes.end()) sizes.push_back(L);
      std::sort(sizes.begin(), sizes.end());
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
      lab::RunMetadata meta("ch06 exact energy and specific heat per spin of the L x L torus (Kaufman), J = 1");
      meta.parameters() = {{"sizes", sizes}, {"T_min", 1.5}, {"T_max", 3.5}};
      lab::write_table(path("exact.tsv"), t);
      meta.write_sidecar(path("exact.tsv"));
    }

    // ---- 1. samplers against the exact torus, and tau_int at T_c ----------------------------------------
    {
      std::vector<lab::Job> jobs;
      std::uint64_t k = 0;
      for (const std::string s : {"metropolis", "wolff"})
        for (int L : cfg.validation_sizes)
          for (double T : cfg.validation_T) {
            jobs.push_back({fmt::format("{} L = {}, T = {}", s, L, tkey(T)),
                            sampler_parameters(s, L, T, s == "wolff" ? cfg.wolff_sweeps : cfg.metropolis_sweeps,
                                               s == "wolff" ? 100 : 1000, cfg.wolff_chains),
                            lab::Rng::stream(cfg.seed + 1, k++).next(), {}});
            ms.validation.push_back({s, L, T, {}});
          }
      const std::size_t n_validation = jobs.size();
      for (const std::string s : {"metropolis", "wolff"})
        for (int L : cfg.tau_sizes) {
          const long sweeps = s == "wolff" ? cfg.tau_wolff_sweeps
                                           : std::max(1000L, long(double(cfg.tau_metropolis_sweeps) * (L / 8.0) * (L / 8.0)));
          jobs.push_back({fmt::format("tau {} L = {}, T_c", s, L),
                          sampler_parameters(s, L, Tc, sweeps, s == "wolff" ? 100 : std::max(1000L, sweeps / 20), 32),
                          lab::Rng::stream(cfg.seed + 2, k++).next(), {}});
          ms.tau.push_back({s, L, Tc, {}});
        }
      const auto res = engine.run("sampler", jobs);
      for (std::size_t i = 0; i < n_validation; ++i) ms.validation[i].value = res[i].value;
      for (std::size_t i = 0; i < ms.tau.size(); ++i) ms.tau[i].value = res[n_validation + i].value;

      lab::Table v{{"sampler", "L", "T", "energy", "energy_err", "exact_energy", "heat", "heat_err", "exact_heat",
                    "tau_energy", "tau_abs_m"}, {}};
      for (const auto& p : ms.validation) {
        const auto& r = p.value;
        v.add({p.sampler == "wolff" ? 1.0 : 0.0, double(p.L), p.T, r["energy"][0], r["energy"][1], r["exact_energy"],
               r["heat"][0], r["heat"][1], r["exact_heat"], r["tau_energy"][0], r["tau_abs_m"][0]});
      }
      lab::RunMetadata meta("ch06 samplers against Kaufman's exact torus: energy and specific heat per spin");
      meta.parameters() = {{"metropolis_sweeps", cfg.metropolis_sweeps}, {"metropolis_chains", 64},
                           {"wolff_sweeps", cfg.wolff_sweeps}, {"wolff_chains", cfg.wolff_chains}};
      meta.set_seed(cfg.seed + 1);
      lab::write_table(path("validation.tsv"), v);
      meta.write_sidecar(path("validation.tsv"), {{"columns", "sampler: 0 checkerboard Metropolis, 1 Wolff; errors: one "
                                                              "standard error from the scatter between chains"}});
      lab::Table t{{"L", "metropolis_tau_energy", "err", "metropolis_tau_abs_m", "err", "wolff_tau_energy", "err",
                    "wolff_tau_abs_m", "err", "wolff_mean_cluster_over_N"}, {}};
      const std::size_t n = cfg.tau_sizes.size();
      for (std::size_t i = 0; i < n; ++i) {
        const auto &a = ms.tau[i].value, &b = ms.tau[n + i].value;
        const double L = cfg.tau_sizes[i];
        t.add({L, a["tau_energy"][0], a["tau_energy"][1], a["tau_abs_m"][0], a["tau_abs_m"][1], b["tau_energy"][0],
               b["tau_energy"][1], b["tau_abs_m"][0], b["tau_abs_m"][1], b["mean_cluster_size"].get<double>() / (L * L)});
      }
      lab::RunMetadata tmeta("ch06 integrated autocorrelation times (sweeps) at T_c against L");
      tmeta.parameters() = {{"metropolis_sweeps_at_L8", cfg.tau_metropolis_sweeps}, {"wolff_sweeps", cfg.tau_wolff_sweeps},
                            {"wolff_chains", 32}, {"fit_from", cfg.fit_from}};
      tmeta.set_seed(cfg.seed + 2);
      lab::write_table(path("tau.tsv"), t);
      tmeta.write_sidecar(path("tau.tsv"));
    }

    // ---- 2. the transformer over temperature ----------------------------------------------------------------
    {
      // the L = 16 runs first: they are the longest, so the two workers finish together
      std::vector<lab::Job> jobs;
      for (std::size_t i = 0; i < cfg.large_temperatures.size(); ++i) {
        const double T = cfg.large_temperatures[i];
        // T_c keeps the seed streams of the first L = 16 runs (T_c only), so that those rerun bit for bit
        const bool at_tc = std::abs(T - Tc) < 1e-9;
        if (at_tc) ms.large_tc = i;
        for (int s = 0; s < cfg.large_seeds; ++s)
          jobs.push_back({fmt::format("transformer L = {}, T = {}, seed {}", cfg.large_L, tkey(T), s + 1),
                          {{"L", cfg.large_L}, {"T", T}, {"model", gpt::to_json(cfg.large_model)},
                           {"train", gpt::to_json(cfg.large_train)}, {"n_train", cfg.large_n_train},
                           {"n_val", cfg.large_n_val}, {"train_spacing", cfg.train_spacing}, {"n_test", cfg.large_n_test},
                           {"test_spacing", cfg.test_spacing}, {"n_model_samples", cfg.large_n_model_samples},
                           {"n_attention", cfg.large_n_attention}},
                          lab::Rng::stream(cfg.seed + 5, (at_tc ? 0 : 100 * (i + 1)) + std::size_t(s)).next(), {}});
      }
      const std::size_t n_large = jobs.size();
      for (std::size_t i = 0; i < cfg.temperatures.size(); ++i)
        for (int s = 0; s < cfg.seeds; ++s)
          jobs.push_back({fmt::format("transformer L = {}, T = {}, seed {}", cfg.L, tkey(cfg.temperatures[i]), s + 1),
                          {{"L", cfg.L}, {"T", cfg.temperatures[i]}, {"model", gpt::to_json(cfg.model)},
                           {"train", gpt::to_json(cfg.train)}, {"n_train", cfg.n_train}, {"n_val", cfg.n_val},
                           {"train_spacing", cfg.train_spacing}, {"n_test", cfg.n_test}, {"test_spacing", cfg.test_spacing},
                           {"n_model_samples", cfg.n_model_samples}, {"n_attention", cfg.n_attention},
                           {"n_causal", cfg.n_causal}},
                          lab::Rng::stream(cfg.seed + 3, i * 100 + std::size_t(s)).next(), {}});
      const std::size_t n_small = jobs.size() - n_large;
      // the torus-bias model: the same jobs with its own model and seed stream (the jobs above keep theirs)
      for (std::size_t i = 0; i < cfg.temperatures.size(); ++i)
        for (int s = 0; s < cfg.seeds; ++s) {
          lab::Job j = jobs[n_large + i * std::size_t(cfg.seeds) + std::size_t(s)];
          j.label = fmt::format("transformer + torus bias L = {}, T = {}, seed {}", cfg.L, tkey(cfg.temperatures[i]), s + 1);
          j.parameters["model"] = gpt::to_json(cfg.torus_model);
          j.seed = lab::Rng::stream(cfg.seed + 6, i * 100 + std::size_t(s)).next();
          jobs.push_back(j);
        }
      const auto res_all = engine.run("transformer", jobs);
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
      lab::Table t{columns, {}};
      for (std::size_t i = 0; i < cfg.temperatures.size(); ++i) t.add(summary_row(cfg.temperatures[i], ms.runs[i]));
      lab::RunMetadata meta(fmt::format("ch06 transformer on the {0} x {0} torus (raster order) trained on Wolff samples: "
                                        "exact KL both ways, ESS, model-sample thermodynamics (mean and sd over seeds)",
                                        cfg.L));
      meta.parameters() = {{"L", cfg.L}, {"model", gpt::to_json(cfg.model)}, {"train", gpt::to_json(cfg.train)},
                           {"n_train", cfg.n_train}, {"n_test", cfg.n_test}, {"n_model_samples", cfg.n_model_samples},
                           {"seeds", cfg.seeds}};
      meta.set_seed(cfg.seed + 3);
      lab::write_table(path("transformer.tsv"), t);
      meta.write_sidecar(path("transformer.tsv"),
                         {{"columns", "KL per spin (nats); ess: effective sample size of p/q per model sample; "
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
      lab::RunMetadata tmeta(fmt::format("ch06 the same transformer with a 2D torus attention bias (learned positions "
                                         "kept) on the {0} x {0} torus: as transformer.tsv (mean and sd over seeds)",
                                         cfg.L));
      tmeta.parameters() = {{"L", cfg.L}, {"model", gpt::to_json(cfg.torus_model)}, {"train", gpt::to_json(cfg.train)},
                            {"n_train", cfg.n_train}, {"n_test", cfg.n_test}, {"n_model_samples", cfg.n_model_samples},
                            {"n_causal", cfg.n_causal}, {"seeds", cfg.seeds}};
      tmeta.set_seed(cfg.seed + 6);
      lab::write_table(path("torus.tsv"), tt);
      tmeta.write_sidecar(path("torus.tsv"),
                          {{"columns", "as transformer.tsv; error_ratio_left/up: claim 6.8's mean |Delta_q - Delta_p| / "
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
      lab::write_table(path("abs_m_histogram.tsv"), h);
      meta.write_sidecar(path("abs_m_histogram.tsv"), {{"columns", "P(|M|) of model samples and of fresh Wolff samples, mean over seeds"}});
      lab::write_table(path("attention.tsv"), a);
      meta.write_sidecar(path("attention.tsv"), {{"columns", "A(r): attention of a query on the key r raster steps before "
                                                             "the spin it predicts' left neighbour (r = 0: left, r = L - 1: "
                                                             "above), mean over heads, queries and seeds"}});
    }

    // ---- 2b. the same network by reverse KL from the Hamiltonian alone ------------------------------------
    {
      std::vector<lab::Job> jobs;
      for (std::size_t i = 0; i < cfg.variational_T.size(); ++i)
        for (int s = 0; s < cfg.seeds; ++s)
          jobs.push_back({fmt::format("variational L = {}, T = {}, seed {}", cfg.L, tkey(cfg.variational_T[i]), s + 1),
                          {{"L", cfg.L}, {"T", cfg.variational_T[i]}, {"model", gpt::to_json(cfg.model)},
                           {"train", gpt::to_json(cfg.variational)}, {"n_test", cfg.n_test},
                           {"test_spacing", cfg.test_spacing}, {"n_model_samples", cfg.n_model_samples},
                           {"n_attention", cfg.n_attention}},
                          lab::Rng::stream(cfg.seed + 4, i * 100 + std::size_t(s)).next(), {}});
      const auto res = engine.run("variational", jobs);
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
               mean_of(hm), sd_of(hm), v0["exact_heat"], mean_of(am), sd_of(am), mean_of(aw), mean_of(pp),
               sd_of(pp)});
      }
      const auto& steps = res[0].value["curve_step"];
      for (std::size_t k = 0; k < steps.size(); ++k) {
        std::vector<double> row{steps[k].get<double>()};
        for (const auto& r : res) row.push_back(r.value["curve_beta_f_q"][k]);
        curve.add(row);
      }
      lab::RunMetadata meta(fmt::format("ch06 the same transformer trained by reverse KL from the Hamiltonian alone on "
                                        "the {0} x {0} torus (mean and sd over seeds)", cfg.L));
      meta.parameters() = {{"L", cfg.L}, {"model", gpt::to_json(cfg.model)}, {"train", gpt::to_json(cfg.variational)},
                           {"n_test", cfg.n_test}, {"n_model_samples", cfg.n_model_samples}, {"seeds", cfg.seeds}};
      meta.set_seed(cfg.seed + 4);
      lab::write_table(path("variational.tsv"), t);
      meta.write_sidecar(path("variational.tsv"), {{"columns", "as transformer.tsv; p_positive: P(M > 0) of model samples (M = 0 counts 1/2)"}});
      lab::write_table(path("variational_curve.tsv"), curve);
      meta.write_sidecar(path("variational_curve.tsv"), {{"columns", "batch mean of (log q + beta E) / N = beta f_q during training, per run"}});
    }

    // ---- 2c. causal tests, attention against C, and L = 16 over the grid (tables of the jobs above) -----------
    {
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
      lab::RunMetadata meta(fmt::format("ch06 interventions on the {0} x {0} models against the exact raster-order "
                                        "conditionals (mean and sd over seeds)", cfg.L));
      meta.parameters() = {{"L", cfg.L}, {"n_causal", cfg.n_causal}, {"relations", relation_names()}, {"seeds", cfg.seeds}};
      meta.set_seed(cfg.seed + 3);
      lab::write_table(path("causal.tsv"), c);
      meta.write_sidecar(path("causal.tsv"), {{"columns", "relation: index into relations; delta: mean over test "
                                                          "configurations and queries of log c(s_i | prefix with the related "
                                                          "spin flipped) - log c(s_i | prefix), p exact, q the model; "
                                                          "error_ratio: mean |delta_q - delta_p| / mean |delta_p| per seed; "
                                                          "attention: layer-1 weight on the related key, mean over heads"}});
      lab::write_table(path("excess.tsv"), e);
      meta.write_sidecar(path("excess.tsv"), {{"columns", "per raster site: mean of log p(s_i | s_<i) - log q(s_i | s_<i) "
                                                          "over test configurations (nats), mean over seeds"}});
      lab::write_table(path("attention_c.tsv"), a);
      meta.write_sidecar(path("attention_c.tsv"), {{"columns", "Pearson r over torus displacement classes of ln(A / "
                                                               "A_uniform) with ln C (C from the Wolff test samples), "
                                                               "layer 1 and last layer; the constant-A null; the recency null "
                                                               "(layer-1 profile over raster distance made non-increasing); mean and sd "
                                                               "over seeds; L = 16 rows from the L = 16 runs"}});
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
      lab::RunMetadata gmeta(fmt::format("ch06 transformer on the {0} x {0} torus ({1} tokens) over the temperature grid",
                                         cfg.large_L, cfg.large_L * cfg.large_L));
      gmeta.parameters() = {{"L", cfg.large_L}, {"temperatures", cfg.large_temperatures},
                            {"model", gpt::to_json(cfg.large_model)}, {"train", gpt::to_json(cfg.large_train)},
                            {"n_train", cfg.large_n_train}, {"n_test", cfg.large_n_test},
                            {"n_model_samples", cfg.large_n_model_samples}, {"seeds", cfg.large_seeds}};
      gmeta.set_seed(cfg.seed + 5);
      lab::write_table(path("large.tsv"), g);
      gmeta.write_sidecar(path("large.tsv"), {{"columns", "as transformer.tsv, per temperature and seed, errors: one "
                                                          "standard error over samples"}});
      lab::write_table(path("large_transformer.tsv"), gm);
      gmeta.write_sidecar(path("large_transformer.tsv"), {{"columns", "as transformer.tsv: mean and sd over seeds"}});
    }

    // ---- 3. claims and the values quoted in the text ---------------------------------------------------------
    nlohmann::json results = chapter_claims(cfg, ms);
    lab::write_claims(path("claims.json"), results["claims_json"], "--out");
    results["claims_table"] = lab::claim_details_markdown(results["claims_json"]);
    results.erase("claims_json");
    const auto text = chapter_text_values(cfg, ms);
    for (auto it = text.begin(); it != text.end(); ++it) results[it.key()] = it.value();
    results["profile"] = profile_name;
    results["threads"] = cfg.workers;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    results["wall_time_s"] = fmt::format("{:.0f}", wall);
    std::string tlist;
    for (double T : cfg.temperatures) tlist += (tlist.empty() ? "" : " ") + tkey(T);
    std::string sizes, exact_sizes;
    for (int L : cfg.validation_sizes) sizes += (sizes.empty() ? "" : " ") + std::to_string(L);
    std::vector<int> all_sizes = cfg.validation_sizes;  // the columns of exact.tsv
    for (int L : {cfg.L, cfg.large_L})
      if (std::find(all_sizes.begin(), all_sizes.end(), L) == all_sizes.end()) all_sizes.push_back(L);
    std::sort(all_sizes.begin(), all_sizes.end());
    for (int L : all_sizes) exact_sizes += (exact_sizes.empty() ? "" : " ") + std::to_string(L);
    std::string relations;  // gnuplot words: spaces inside a name become hyphens
    for (std::string r : relation_names()) {
      std::replace(r.begin(), r.end(), ' ', '-');
      relations += (relations.empty() ? "" : " ") + r;
    }
    lab::write_file_atomically(path("plot_vars.gp"),
                               fmt::format("L = {}\nlarge_L = {}\nTc = {}\ntemperatures = \"{}\"\nvalidation_sizes = \"{}\"\n"
                                           "exact_sizes = \"{}\"\nz_local = {}\nz_wolff = {}\nfit_from = {}\nrelations = \"{}\"\n"
                                           "causal_goal = {}\n",
                                           cfg.L, cfg.large_L, Tc, tlist, sizes, exact_sizes, dynamic_exponent(cfg, ms, "metropolis", "tau_abs_m").value,
                                           dynamic_exponent(cfg, ms, "wolff", "tau_energy").value, cfg.fit_from, relations,
                                           cfg.causal_goal));
    lab::write_file_atomically(path("results.json"), results.dump(2) + "\n");
    fmt::print(stderr, "ch06: done in {:.0f} s\n", wall);
  });
}
