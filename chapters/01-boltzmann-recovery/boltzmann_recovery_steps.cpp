// Chapter 1's jobs and the steps that run them (declared in boltzmann_recovery_steps.hpp); what one
// job measures is in boltzmann_recovery_measurements.cpp.
#include <cmath>
#include <fmt/format.h>

#include "lab/atomic_file.hpp"
#include "lab/report.hpp"
#include "lab/run_metadata.hpp"

#include "boltzmann_recovery_steps.hpp"

namespace spinformer {

using ising::Chain;
using lab::format_key;

nlohmann::json training_job(const nlohmann::json& p, std::uint64_t seed, const lab::JobContext& context, bool progress) {
  const Config cfg = p.at("config").get<Config>();
  const Chain chain = chapter_chains(cfg).at(p.at("chain").get<std::size_t>());
  return to_json(run_one(with_variant(cfg, variant_from_json(p.at("variant"))), chain, seed, context.dir().string(),
                         p.at("tag").get<std::string>(), {p.at("threads").get<int>(), progress}));
}

nlohmann::json control_job(const nlohmann::json& p, std::uint64_t seed, const lab::JobContext& context, bool progress) {
  return to_json(run_control(p.at("config").get<Config>(), p.at("setup").get<int>(), seed, context.dir().string(),
                             {p.at("threads").get<int>(), progress}));
}

std::vector<double> Trainings::kl_seeds(std::size_t k) const {
  std::vector<double> x;
  for (std::size_t s = 0; s < nS; ++s) x.push_back(at(k, s).kl.value);
  return x;
}

double Trainings::mean_of(std::size_t k, const std::function<double(const Run&)>& g) const {
  double sum = 0;
  for (std::size_t s = 0; s < nS; ++s) sum += g(at(k, s));
  return sum / nS;
}

std::vector<double> Trainings::control_values(int v, const std::function<double(const ControlResult&)>& g) const {
  std::vector<double> x;
  for (int s = 0; s < control_seeds; ++s) x.push_back(g(control(v, s)));
  return x;
}

namespace {
std::string chain_tag(const Chain& c) {
  return c.h == 0.0 ? fmt::format("T{}", format_key(c.T)) : fmt::format("T{}_h{}", format_key(c.T), format_key(c.h));
}
// seed 0 keeps the file names of one model per temperature (the figures of a single model use it)
std::string seed_tag(std::size_t s) { return s == 0 ? std::string() : fmt::format("_s{}", s); }
}  // namespace

// The seeds are the chapter's own rule from before lab::Chapter, not lab::job_seed: every job's seed
// is set after ch.job() to cfg.seed + 1000 k + 100,000 s (+ 7,000,000 for the ablation, + 8,000,000 for
// the sample-size curve, + 999,000 for the controls), so that the committed data, hours of training,
// stay what these jobs compute. A doubled run shares its seed with seed 0 of its chain (same data, test
// samples and initialisation: the difference is the training length alone), and the two control
// setups share theirs (the same data for both).
constexpr const char* kSeedRule =
    "the chapter's own, not lab::job_seed: seed + 1000 chain + 100,000 training_seed (+ 7,000,000 + 1000 variant "
    "for the ablation, + 8,000,000 + 1000 i for the sample-size curve's i-th n, + 999,000 for the controls); "
    "job_seeds lists the seeds used";

Trainings train_models(lab::Chapter& ch, const Config& cfg, int threads) {
  Trainings t;
  t.chains = chapter_chains(cfg);
  t.nT = cfg.temperatures.size();
  t.nS = static_cast<std::size_t>(cfg.seeds);
  t.control_seeds = cfg.control_seeds;
  for (std::size_t k = 0; k < t.nT; ++k)
    if (std::abs(cfg.temperatures[k] - cfg.ablation_T) < std::abs(cfg.temperatures[t.ablation_k] - cfg.ablation_T))
      t.ablation_k = k;
  auto training = [&](const std::string& step, std::string label, const lab::Coordinates& at, std::size_t k,
                      const Variant& v, std::uint64_t seed, const std::string& tag) {
    lab::Job job = ch.job(step, std::move(label), at);
    job.parameters.update({{"chain", k}, {"variant", to_json(v)}, {"tag", tag}, {"threads", threads}});
    job.seed = seed;
    return job;
  };
  std::vector<lab::Job> run_jobs;  // [k * nS + s]: chain k (the field run last), seed s
  for (std::size_t k = 0; k < t.chains.size(); ++k)
    for (std::size_t s = 0; s < t.nS; ++s)
      run_jobs.push_back(training("run", fmt::format("T = {}, h = {}, seed {}", format_key(t.chains[k].T), format_key(t.chains[k].h), s),
                                  {{"chain", k}, {"training_seed", s}}, k, Variant{}, cfg.seed + 1000 * k + 100'000 * s,
                                  chain_tag(t.chains[k]) + seed_tag(s)));
  std::vector<lab::Job> variant_jobs;  // ablation variants, then sample sizes; seeds innermost
  for (std::size_t v = 0; v < kAblations.size(); ++v)
    for (std::size_t s = 0; s < static_cast<std::size_t>(cfg.ablation_seeds); ++s)
      variant_jobs.push_back(training("variant", fmt::format("ablation {}, seed {}", kAblations[v], s),
                                      {{"variant_index", v}, {"training_seed", s}}, t.ablation_k, Variant{kAblations[v], 0},
                                      cfg.seed + 7'000'000 + 1000 * v + 100'000 * s, fmt::format("ablation_{}_s{}", kAblations[v], s)));
  for (std::size_t i = 0; i < cfg.curve_n.size(); ++i)
    for (std::size_t s = 0; s < static_cast<std::size_t>(cfg.curve_seeds); ++s)
      variant_jobs.push_back(training("variant", fmt::format("n = {}, seed {}", cfg.curve_n[i], s),
                                      {{"variant_index", kAblations.size() + i}, {"training_seed", s}}, t.ablation_k,
                                      Variant{"baseline", cfg.curve_n[i]}, cfg.seed + 8'000'000 + 1000 * i + 100'000 * s,
                                      fmt::format("n{}_s{}", cfg.curve_n[i], s)));
  std::vector<lab::Job> doubled_jobs;  // [k]
  for (std::size_t k = 0; k < t.chains.size(); ++k)
    doubled_jobs.push_back(training("doubled", fmt::format("T = {}, h = {}, seed 0, twice the steps", format_key(t.chains[k].T),
                                                           format_key(t.chains[k].h)),
                                    {{"chain", k}}, k, Variant{"doubled", 0}, cfg.seed + 1000 * k, chain_tag(t.chains[k]) + "_2x"));
  std::vector<lab::Job> control_jobs;  // [v * control_seeds + s]
  for (std::size_t v = 0; v < 2; ++v)
    for (std::size_t s = 0; s < static_cast<std::size_t>(cfg.control_seeds); ++s) {
      lab::Job job = ch.job("control", fmt::format("{} control, seed {}", v ? "literal" : "causal", s),
                            {{"setup", v}, {"training_seed", s}});
      job.parameters["threads"] = threads;
      job.seed = cfg.seed + 999'000 + 100'000 * s;
      control_jobs.push_back(job);
    }

  // the files of the runs, the doubled runs and seed 0 of each control setup go into the output folder
  for (const auto& r : ch.run_jobs("run", run_jobs)) {
    t.runs.push_back(run_from_json(r.value));
    lab::copy_job_files(r, ch.path(""));
  }
  for (const auto& r : ch.run_jobs("variant", variant_jobs)) t.variant_runs.push_back(run_from_json(r.value));
  for (const auto& r : ch.run_jobs("doubled", doubled_jobs)) {
    t.doubled.push_back(run_from_json(r.value));
    lab::copy_job_files(r, ch.path(""));
  }
  const auto control_results = ch.run_jobs("control", control_jobs);
  for (const auto& r : control_results) t.controls.push_back(control_from_json(r.value));
  for (int v = 0; v < 2; ++v) lab::copy_job_files(control_results[v * cfg.control_seeds], ch.path(""));  // seed 0's
  return t;
}

std::vector<double> Tempered::estimates(std::size_t k, std::size_t which) const {
  std::vector<double> x;
  for (const auto& m : models[k][which]) x.push_back(m.estimated_kl.value);
  return x;
}

// Each on the test samples of its training seed (run_one draws them with the run's seed + 2).
Tempered tempered_models(const Config& cfg, const Trainings& t) {
  Tempered tempered;
  tempered.target_kl = {cfg.kl_goal / 2, 2 * cfg.kl_goal};
  tempered.models.resize(t.chains.size());
  for (std::size_t k = 0; k < t.chains.size(); ++k)
    for (double target : tempered.target_kl) {
      tempered.models[k].emplace_back();
      for (std::size_t s = 0; s < t.nS; ++s)
        tempered.models[k].back().push_back(
            tempered_model(t.chains[k], target, cfg.n_test, cfg.seed + 1000 * k + 100'000 * s + 2));
    }
  return tempered;
}

Summaries write_tables(lab::Chapter& ch, const Config& cfg, const Trainings& t, const Tempered& tempered, int threads) {
  const std::size_t nT = t.nT, nS = t.nS;
  const auto& chains = t.chains;
  Summaries out;
  // the sidecars' parameters besides the Config; the job_seeds block names lab::job_seed's rule, but
  // this chapter's jobs keep their own (train_models), which the sidecar says too
  auto ring_and = [&](nlohmann::json extra) {
    extra.update({{"J", 1.0}, {"boundary", "periodic"}, {"threads", threads}, {"seed_rule", kSeedRule}});
    return extra;
  };
  // ---- every seed, and the intervals over seeds ----------------------------------------------------
  lab::Table by_seed{{"T", "h", "seed", "kl", "kl_err", "kl_counting", "kl_counting_err", "last_excess",
                      "last_excess_err", "p_data_energy", "p_data_magnetization", "p_model_energy",
                      "p_model_magnetization", "c1_z", "max_corr_z", "final_val_kl", "train_s", "eval_s"},
                     {}};
  for (std::size_t k = 0; k < chains.size(); ++k)
    for (std::size_t s = 0; s < nS; ++s) {
      const Run& r = t.at(k, s);
      by_seed.add({r.chain.T, r.chain.h, double(s), r.kl.value, r.kl.error, r.kl_counting.value, r.kl_counting.error,
                   r.last_excess.value, r.last_excess.error, r.p_data_energy, r.p_data_magnetization, r.p_model_energy,
                   r.p_model_magnetization, r.c1_z, r.max_corr_z, r.final_val_kl, r.train_s, r.eval_s});
    }
  ch.table("summary.tsv", by_seed, "run", {},
           ring_and({{"columns", "one row per temperature and training seed; kl: nats per spin on exact test samples; "
                                 "p_*: chi-square p-values against the exact distribution (NaN: not tested); c1_z: "
                                 "(C_model(1) - C(1)) / s.e."}}));
  // KL over seeds with the claim's simultaneous intervals (Bonferroni over the nT temperatures)
  lab::Table kl_summary{{"T", "h", "kl_mean", "kl_lower", "kl_upper", "kl_min", "kl_max", "kl_counting_mean", "seeds"},
                        {}};
  out.kl_interval.resize(chains.size());
  for (std::size_t k = 0; k < chains.size(); ++k) {
    out.kl_interval[k] = claims::seed_interval(t.kl_seeds(k), k < nT ? static_cast<int>(nT) : 1);
    const auto& I = out.kl_interval[k];
    kl_summary.add({chains[k].T, chains[k].h, I.mean, I.lower, I.upper, I.min, I.max,
                    t.mean_of(k, [](const Run& r) { return r.kl_counting.value; }), double(nS)});
  }
  ch.table("kl_summary.tsv", kl_summary, "run", {},
           ring_and({{"columns", "kl_lower, kl_upper: Student-t interval over training seeds, 95% simultaneous over "
                                 "the h = 0 temperatures (Bonferroni); the field run alone"}}));
  // convergence: seed 0 at 1x and 2x steps; the shifted estimate the doubling check holds against
  lab::Table doubling{{"T", "h", "kl_seed0", "kl_seed0_2x", "kl_mean", "kl_mean_shifted", "kl_lower", "kl_upper"}, {}};
  for (std::size_t k = 0; k < chains.size(); ++k) {
    const auto& I = out.kl_interval[k];
    doubling.add({chains[k].T, chains[k].h, t.at(k, 0).kl.value, t.doubled[k].kl.value, I.mean,
                  I.mean + t.doubled[k].kl.value - t.at(k, 0).kl.value, I.lower, I.upper});
  }
  ch.table("doubling.tsv", doubling, "doubled", {},
           ring_and({{"columns", "kl_seed0_2x: seed 0 trained with twice the steps (the one-cycle schedule stretched; "
                                 "same data, test samples and seed); kl_mean_shifted = kl_mean + (kl_seed0_2x - "
                                 "kl_seed0) must lie in [kl_lower, kl_upper]"}}));
  lab::Table tempered_table{{"T", "h", "target_kl", "T_prime", "exact_kl", "kl_mean", "kl_lower", "kl_upper"}, {}};
  for (std::size_t k = 0; k < chains.size(); ++k)
    for (std::size_t w = 0; w < tempered.target_kl.size(); ++w) {
      const auto I = claims::seed_interval(tempered.estimates(k, w), static_cast<int>(2 * chains.size()));
      const TemperedModel& m = tempered.models[k][w][0];
      tempered_table.add({chains[k].T, chains[k].h, tempered.target_kl[w], m.T_prime, m.exact_kl, I.mean, I.lower, I.upper});
    }
  ch.table("tempered_controls.tsv", tempered_table, "", {},
           ring_and({{"test_seeds", "seed + 1000 k + 100,000 s + 2: the test samples of training seed s of chain k"},
                     {"columns", "the exact chain at T' as a model of the chain at T: exact KL(p_T || p_T') per spin "
                                 "and its estimate on each training seed's exact test samples (t-interval over seeds, "
                                 "Bonferroni over all rows)"}}));
  // learning curve against steps: validation KL per spin, mean and range over seeds, per chain. One
  // gnuplot data set per chain (blank lines between), which lab::Table does not write: written here.
  {
    std::string text = "# step val_kl_mean val_kl_min val_kl_max; one data set per chain (temperatures, then the field run)\n";
    for (std::size_t k = 0; k < chains.size(); ++k) {
      const auto& c0 = t.at(k, 0).val_kl_curve;
      for (std::size_t p = 0; p < c0.size(); ++p) {
        std::vector<double> x;
        for (std::size_t s = 0; s < nS; ++s)
          if (p < t.at(k, s).val_kl_curve.size()) x.push_back(t.at(k, s).val_kl_curve[p].second);
        const auto I = claims::seed_interval(x);
        text += fmt::format("{} {:.6g} {:.6g} {:.6g}\n", c0[p].first, I.mean, I.min, I.max);
      }
      text += "\n\n";
    }
    lab::RunMetadata meta("ch01");
    meta.set_seed(cfg.seed);
    meta.parameters() = ring_and({{"config", ch.config()}});
    lab::write_with_sidecar(ch.path("learning_steps.tsv"), "--out", [&](std::ostream& o) { o << text; }, meta);
  }
  // learning curve against the number of training samples at ablation_T
  std::vector<std::pair<std::size_t, std::vector<const Run*>>> by_n;
  for (std::size_t i = 0; i < cfg.curve_n.size(); ++i) {
    std::vector<const Run*> rs;
    for (int s = 0; s < cfg.curve_seeds; ++s)
      rs.push_back(&t.variant_runs[kAblations.size() * cfg.ablation_seeds + i * cfg.curve_seeds + s]);
    by_n.push_back({cfg.curve_n[i], rs});
  }
  {
    std::vector<const Run*> rs;
    for (std::size_t s = 0; s < nS; ++s) rs.push_back(&t.at(t.ablation_k, s));
    by_n.push_back({cfg.n_train, rs});
  }
  out.learning_n = {{"n_train", "kl_mean", "kl_lower", "kl_upper", "kl_min", "kl_max", "kl_counting_mean",
                     "floor_one_parameter", "seeds"},
                    {}};
  for (const auto& [n, rs] : by_n) {
    std::vector<double> x, xc;
    for (const Run* r : rs) x.push_back(r->kl.value), xc.push_back(r->kl_counting.value);
    const auto I = claims::seed_interval(x);
    out.learning_n.add({double(n), I.mean, I.lower, I.upper, I.min, I.max, claims::seed_interval(xc).mean,
                        1.0 / (2.0 * n * cfg.L), double(rs.size())});
  }
  const double ablation_T = cfg.temperatures[t.ablation_k];
  ch.table("learning_n.tsv", out.learning_n, "variant", {},
           ring_and({{"T", ablation_T},
                     {"columns", "KL per spin over training seeds (95% t-interval); floor_one_parameter: 1 / (2 n L), "
                                 "the KL per spin of a correctly specified one-parameter model; the last row is the "
                                 "main runs at T (step run)"}}));
  // ablation at ablation_T: our setup, the seed's hyperparameters one at a time and together
  lab::Table ablation{{"index", "kl_mean", "kl_lower", "kl_upper", "kl_min", "kl_max", "seeds"}, {}};
  out.ablation_rows.push_back({"baseline", claims::seed_interval(t.kl_seeds(t.ablation_k))});
  for (std::size_t v = 0; v < kAblations.size(); ++v) {
    std::vector<double> x;
    for (int s = 0; s < cfg.ablation_seeds; ++s) x.push_back(t.variant_runs[v * cfg.ablation_seeds + s].kl.value);
    out.ablation_rows.push_back({kAblations[v], claims::seed_interval(x)});
  }
  for (std::size_t i = 0; i < out.ablation_rows.size(); ++i) {
    const auto& I = out.ablation_rows[i].second;
    ablation.add({double(i), I.mean, I.lower, I.upper, I.min, I.max, double(I.n)});
  }
  ch.table("ablation.tsv", ablation, "variant", {},
           ring_and({{"T", ablation_T},
                     {"index", {"baseline (one-cycle 1e-3, no dropout)", "dropout 0.1", "constant learning rate 3e-4",
                                "dropout 0.1 and constant 3e-4"}}}));

  // the models chapter 2 reads: <out>/models.json, paths relative to this directory, every seed
  nlohmann::json models = nlohmann::json::array();
  for (std::size_t k = 0; k < nT; ++k)
    for (std::size_t s = 0; s < nS; ++s)
      models.push_back({{"T", chains[k].T}, {"h", 0.0}, {"J", 1.0}, {"L", cfg.L}, {"boundary", "periodic"},
                        {"seed_index", s}, {"tag", chain_tag(chains[k]) + seed_tag(s)},
                        {"path", t.at(k, s).model_file}});
  lab::write_file_atomically(ch.path("models.json"), models.dump(2) + "\n");

  // negative control: the seed's literal setup on an enumerable ring, every seed
  lab::Table control{{"setup", "seed", "kl_enumerated", "total_probability", "model_entropy_per_spin",
                      "exact_entropy_per_spin", "final_train_loss"},
                     {}};
  for (int v = 0; v < 2; ++v)
    for (int s = 0; s < t.control_seeds; ++s) {
      const auto& c = t.control(v, s);
      control.add({double(v), double(s), c.enumerated.kl_per_spin, c.enumerated.total_probability,
                   c.enumerated.model_entropy_per_spin, c.enumerated.exact_entropy_per_spin, c.final_train_loss});
    }
  ch.table("control.tsv", control, "control", {},
           ring_and({{"L", cfg.control_L}, {"T", cfg.control_T}, {"h", 0.0},
                     {"setup_index", {"causal mask, shifted targets", "seed literal"}}}));
  return out;
}

}  // namespace spinformer
