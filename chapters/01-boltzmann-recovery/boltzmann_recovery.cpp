// Chapter 1 — Does the transformer recover the Boltzmann distribution?
// IsingGPT (the seed's sizes, with a causal mask and shifted targets) is trained on 50,000 Metropolis
// samples of the L = 32 ring at each temperature, as the seed prescribes, and held against the exact
// answer: KL(p_T || p_model) per spin on exact i.i.d. samples, the per-position excess loss against the
// exact conditionals, energy and magnetisation histograms and C(r) of model samples. One run with a
// field h != 0. The seed's literal setup (no causal mask, unshifted targets) is the negative control,
// on a ring small enough to enumerate. The trained models stay beside the data for chapter 2.
#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "gpt/gpt.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising/estimators.hpp"
#include "ising/exact.hpp"
#include "code_hash.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter_cli.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/run_metadata.hpp"
#include "lab/statistics.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

#include "boltzmann_recovery.hpp"
#include "claims.hpp"

using namespace spinformer;
using lab::format_key;
using ising::Chain;
using ising::SpinSamples;

Config profile(const std::string& name) {
  Config c;
  c.train.batch = 256;
  c.train.lr = 1e-3;
  c.train.schedule = "onecycle";
  c.train.pct_start = 0.3;
  c.train.steps = 1500;
  c.train.eval_every = 150;
  c.train.checkpoint_every = 0;
  if (lab::quick_profile(name)) {
    c.L = 16;
    c.temperatures = {0.5, 2.0};
    c.seeds = 3;  // the machinery of seeds, intervals and verdicts, not their paper-profile power
    c.control_seeds = 3;
    c.ablation_T = 2.0;
    c.ablation_seeds = 2;
    c.curve_n = {1'000};
    c.curve_seeds = 2;
    c.n_train = 4'000;
    c.equilibration_sweeps = 512;
    c.n_val = 1'000;
    c.n_test = 2'000;
    c.n_model_samples = 1'000;
    c.n_images = 32;
    c.train.steps = 120;
    c.train.batch = 64;
    c.train.eval_every = 20;
    c.control_L = 8;
    c.control_n = 4'000;
    c.control_steps = 120;
    c.workers = 1;  // CI runs the quick profiles beside each other
  }
  return c;
}

int main(int argc, char** argv) {
  lab::install_signal_cleanup();
  lab::ChapterOptions opt;
  CLI::App app{"Chapter 1: does the transformer recover the Boltzmann distribution?"};
  lab::add_chapter_options(app, opt, SPINFORMER_CODE_HASH);
  if (const int status = lab::parse_chapter_args(app, argc, argv, "ch01"); status >= 0) return status;
  return lab::run_chapter("ch01", [&] {
    const auto start = Clock::now();
    opt.check();
    const std::string &profile_name = opt.profile, &out_dir = opt.out;
    Config cfg = profile(profile_name);
    cfg.threads = opt.threads_or(cfg.threads);
    cfg.workers = opt.workers_or(cfg.workers);
    cfg.model.L = cfg.L;
    cfg.model.dropout = 0.0;
    const int threads_used = gpt::set_threads(cfg.threads);
    // ---- 0. the jobs: one training run per temperature (and the field run), the two controls --------
    lab::Engine engine(lab::chapter_engine("ch01", profile_name, out_dir, cfg.workers, SPINFORMER_CODE_HASH));
    engine.define("run", [&](const lab::Job& job, const lab::JobContext& ctx) {
      const Config c = with_variant(cfg, variant_from_json(job.parameters.at("variant")));
      return to_json(run_one(c, chain_from_json(job.parameters.at("chain")), job.seed, ctx.dir(),
                             job.parameters.at("tag").get<std::string>()));
    });
    engine.define("control", [&](const lab::Job& job, const lab::JobContext& ctx) {
      return to_json(run_control(cfg, job.parameters.at("variant").get<int>(), job.seed, ctx.dir()));
    });
    if (!engine.root()) return (void)engine.serve();
    lab::require_writable(out_dir + "/results.json", "--out");
    auto path = [&](const std::string& name) { return out_dir + "/" + name; };
    nlohmann::json results;
    results["L"] = cfg.L;
    results["profile"] = profile_name;
    results["threads"] = threads_used;
    results["workers"] = cfg.workers;
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

    // ---- 1. the jobs: every temperature and the field run with cfg.seeds training seeds, the
    //         ablation and the sample-size curve at ablation_T, the two controls with control_seeds seeds
    const std::size_t nT = cfg.temperatures.size(), nS = static_cast<std::size_t>(cfg.seeds);
    std::vector<Chain> chains;
    for (double T : cfg.temperatures) chains.push_back(Chain{cfg.L, 1.0, 0.0, T, ising::Boundary::periodic});
    chains.push_back(Chain{cfg.L, 1.0, cfg.field_h, cfg.field_T, ising::Boundary::periodic});
    auto chain_tag = [](const Chain& c) {
      return c.h == 0.0 ? fmt::format("T{}", format_key(c.T)) : fmt::format("T{}_h{}", format_key(c.T), format_key(c.h));
    };
    // seed 0 keeps the file names of one model per temperature (the figures of a single model use it)
    auto seed_tag = [](std::size_t s) { return s == 0 ? std::string() : fmt::format("_s{}", s); };
    auto run_job = [&](const std::string& label, const Chain& chain, const Variant& v, std::uint64_t seed,
                       const std::string& tag) {
      return lab::Job{label, {{"config", numerics_json(cfg)}, {"chain", chain_json(chain)}, {"variant", to_json(v)},
                              {"tag", tag}}, seed, {}};
    };
    std::vector<lab::Job> run_jobs;  // [k * nS + s]: chain k (the field run last), seed s
    for (std::size_t k = 0; k < chains.size(); ++k)
      for (std::size_t s = 0; s < nS; ++s)
        run_jobs.push_back(run_job(fmt::format("T = {}, h = {}, seed {}", format_key(chains[k].T), format_key(chains[k].h), s),
                                   chains[k], Variant{}, cfg.seed + 1000 * k + 100'000 * s, chain_tag(chains[k]) + seed_tag(s)));
    const std::vector<std::string> ablation_names{"dropout", "constant_lr", "seed_hyperparameters"};
    std::size_t ablation_k = 0;  // the temperature of the ablation and the sample-size curve
    for (std::size_t k = 0; k < nT; ++k)
      if (std::abs(cfg.temperatures[k] - cfg.ablation_T) < std::abs(cfg.temperatures[ablation_k] - cfg.ablation_T)) ablation_k = k;
    const Chain& ablation_chain = chains[ablation_k];
    std::vector<lab::Job> variant_jobs;  // ablation variants, then sample sizes; seeds innermost
    for (std::size_t v = 0; v < ablation_names.size(); ++v)
      for (int s = 0; s < cfg.ablation_seeds; ++s)
        variant_jobs.push_back(run_job(fmt::format("ablation {}, seed {}", ablation_names[v], s), ablation_chain,
                                       Variant{ablation_names[v], 0}, cfg.seed + 7'000'000 + 1000 * v + 100'000 * s,
                                       fmt::format("ablation_{}_s{}", ablation_names[v], s)));
    for (std::size_t i = 0; i < cfg.curve_n.size(); ++i)
      for (int s = 0; s < cfg.curve_seeds; ++s)
        variant_jobs.push_back(run_job(fmt::format("n = {}, seed {}", cfg.curve_n[i], s), ablation_chain,
                                       Variant{"baseline", cfg.curve_n[i]}, cfg.seed + 8'000'000 + 1000 * i + 100'000 * s,
                                       fmt::format("n{}_s{}", cfg.curve_n[i], s)));
    // convergence: seed 0 of every chain again with twice the steps (same seed: same data, test samples
    // and initialisation, so the difference is the training length alone)
    std::vector<lab::Job> doubled_jobs;  // [k]
    for (std::size_t k = 0; k < chains.size(); ++k)
      doubled_jobs.push_back(run_job(fmt::format("T = {}, h = {}, seed 0, twice the steps", format_key(chains[k].T),
                                                 format_key(chains[k].h)),
                                     chains[k], Variant{"doubled", 0}, cfg.seed + 1000 * k, chain_tag(chains[k]) + "_2x"));
    std::vector<lab::Job> control_jobs;  // [v * control_seeds + s]
    for (int v = 0; v < 2; ++v)
      for (int s = 0; s < cfg.control_seeds; ++s)
        control_jobs.push_back({fmt::format("{} control, seed {}", v ? "literal" : "causal", s),
                                {{"config", numerics_json(cfg)}, {"variant", v}}, cfg.seed + 999'000 + 100'000 * s, {}});
    std::vector<Run> runs;
    for (const auto& r : engine.run("run", run_jobs)) {
      runs.push_back(run_from_json(r.value));
      lab::copy_job_files(r, out_dir);
    }
    std::vector<Run> variant_runs;
    for (const auto& r : engine.run("run", variant_jobs)) variant_runs.push_back(run_from_json(r.value));
    std::vector<Run> doubled_runs;
    for (const auto& r : engine.run("run", doubled_jobs)) {
      doubled_runs.push_back(run_from_json(r.value));
      lab::copy_job_files(r, out_dir);
    }
    std::vector<ControlResult> controls;
    const auto control_results = engine.run("control", control_jobs);
    for (const auto& r : control_results) controls.push_back(control_from_json(r.value));
    for (int v = 0; v < 2; ++v) lab::copy_job_files(control_results[v * cfg.control_seeds], out_dir);  // seed 0's curves
    auto run_at = [&](std::size_t k, std::size_t s) -> const Run& { return runs[k * nS + s]; };
    auto kl_seeds = [&](std::size_t k) {
      std::vector<double> x;
      for (std::size_t s = 0; s < nS; ++s) x.push_back(run_at(k, s).kl.value);
      return x;
    };
    auto mean_of = [&](std::size_t k, const std::function<double(const Run&)>& g) {
      double sum = 0;
      for (std::size_t s = 0; s < nS; ++s) sum += g(run_at(k, s));
      return sum / nS;
    };

    // the KL criterion's power: hand-written models of known KL on each seed's own test samples (the
    // test seed of run_one), kl_goal / 2 (must pass) and 2 kl_goal (must fail)
    const std::vector<double> tempered_kl{cfg.kl_goal / 2, 2 * cfg.kl_goal};
    std::vector<std::vector<std::vector<TemperedModel>>> tempered(chains.size());  // [k][which][s]
    for (std::size_t k = 0; k < chains.size(); ++k)
      for (double target : tempered_kl) {
        tempered[k].emplace_back();
        for (std::size_t s = 0; s < nS; ++s)
          tempered[k].back().push_back(tempered_model(chains[k], target, cfg.n_test, cfg.seed + 1000 * k + 100'000 * s + 2));
      }
    auto tempered_seeds = [&](std::size_t k, std::size_t which) {
      std::vector<double> x;
      for (const auto& m : tempered[k][which]) x.push_back(m.estimated_kl.value);
      return x;
    };

    // ---- 2. tables for the figures: every seed, and the intervals over seeds ------------------------
    lab::Table by_seed{{"T", "h", "seed", "kl", "kl_err", "kl_counting", "kl_counting_err", "last_excess",
                        "last_excess_err", "p_data_energy", "p_data_magnetization", "p_model_energy",
                        "p_model_magnetization", "c1_z", "max_corr_z", "final_val_kl", "train_s", "eval_s"},
                       {}};
    for (std::size_t k = 0; k < chains.size(); ++k)
      for (std::size_t s = 0; s < nS; ++s) {
        const Run& r = run_at(k, s);
        by_seed.add({r.chain.T, r.chain.h, double(s), r.kl.value, r.kl.error, r.kl_counting.value, r.kl_counting.error,
                     r.last_excess.value, r.last_excess.error, r.p_data_energy, r.p_data_magnetization, r.p_model_energy,
                     r.p_model_magnetization, r.c1_z, r.max_corr_z, r.final_val_kl, r.train_s, r.eval_s});
      }
    lab::RunMetadata summary_meta("ch01");
    summary_meta.parameters() = {{"L", cfg.L}, {"J", 1.0}, {"boundary", "periodic"}, {"n_train", cfg.n_train},
                                 {"n_test", cfg.n_test}, {"n_model_samples", cfg.n_model_samples}, {"seeds", cfg.seeds},
                                 {"train", gpt::to_json(cfg.train)}, {"model", gpt::to_json(cfg.model)},
                                 {"threads", threads_used}};
    summary_meta.set_seed(cfg.seed);
    lab::write_table(path("summary.tsv"), by_seed);
    summary_meta.write_sidecar(path("summary.tsv"), {{"columns", "one row per temperature and training seed; kl: nats "
                                                                  "per spin on exact test samples; p_*: chi-square "
                                                                  "p-values against the exact distribution (NaN: not "
                                                                  "tested); c1_z: (C_model(1) - C(1)) / s.e."}});
    // KL over seeds with the claim's simultaneous intervals (Bonferroni over the nT temperatures)
    lab::Table kl_summary{{"T", "h", "kl_mean", "kl_lower", "kl_upper", "kl_min", "kl_max", "kl_counting_mean",
                           "seeds"},
                          {}};
    std::vector<claims::SeedInterval> kl_interval(chains.size());
    for (std::size_t k = 0; k < chains.size(); ++k) {
      kl_interval[k] = claims::seed_interval(kl_seeds(k), k < nT ? static_cast<int>(nT) : 1);
      const auto& I = kl_interval[k];
      kl_summary.add({chains[k].T, chains[k].h, I.mean, I.lower, I.upper, I.min, I.max,
                      mean_of(k, [](const Run& r) { return r.kl_counting.value; }), double(nS)});
    }
    lab::write_table(path("kl_summary.tsv"), kl_summary);
    summary_meta.write_sidecar(path("kl_summary.tsv"), {{"columns", "kl_lower, kl_upper: Student-t interval over "
                                                                    "training seeds, 95% simultaneous over the h = 0 "
                                                                    "temperatures (Bonferroni); the field run alone"}});
    // convergence: seed 0 at 1x and 2x steps; the shifted estimate the doubling check holds against
    lab::Table doubling{{"T", "h", "kl_seed0", "kl_seed0_2x", "kl_mean", "kl_mean_shifted", "kl_lower", "kl_upper"}, {}};
    for (std::size_t k = 0; k < chains.size(); ++k) {
      const auto& I = kl_interval[k];
      doubling.add({chains[k].T, chains[k].h, run_at(k, 0).kl.value, doubled_runs[k].kl.value, I.mean,
                    I.mean + doubled_runs[k].kl.value - run_at(k, 0).kl.value, I.lower, I.upper});
    }
    lab::write_table(path("doubling.tsv"), doubling);
    summary_meta.write_sidecar(path("doubling.tsv"), {{"columns", "kl_seed0_2x: seed 0 trained with twice the steps (the "
                                                                  "one-cycle schedule stretched; same data, test samples "
                                                                  "and seed); kl_mean_shifted = kl_mean + (kl_seed0_2x - "
                                                                  "kl_seed0) must lie in [kl_lower, kl_upper]"}});
    lab::Table tempered_table{{"T", "h", "target_kl", "T_prime", "exact_kl", "kl_mean", "kl_lower", "kl_upper"}, {}};
    for (std::size_t k = 0; k < chains.size(); ++k)
      for (std::size_t w = 0; w < tempered_kl.size(); ++w) {
        const auto I = claims::seed_interval(tempered_seeds(k, w), static_cast<int>(2 * chains.size()));
        tempered_table.add({chains[k].T, chains[k].h, tempered_kl[w], tempered[k][w][0].T_prime, tempered[k][w][0].exact_kl,
                            I.mean, I.lower, I.upper});
      }
    lab::write_table(path("tempered_controls.tsv"), tempered_table);
    summary_meta.write_sidecar(path("tempered_controls.tsv"),
                               {{"columns", "the exact chain at T' as a model of the chain at T: exact KL(p_T || p_T') per "
                                            "spin and its estimate on each training seed's exact test samples (t-interval "
                                            "over seeds, Bonferroni over all rows)"}});
    // learning curve against steps: validation KL per spin, mean and range over seeds, per chain
    {
      std::string out = "# step val_kl_mean val_kl_min val_kl_max; one data set per chain (temperatures, then the field run)\n";
      for (std::size_t k = 0; k < chains.size(); ++k) {
        const auto& c0 = run_at(k, 0).val_kl_curve;
        for (std::size_t p = 0; p < c0.size(); ++p) {
          std::vector<double> x;
          for (std::size_t s = 0; s < nS; ++s)
            if (p < run_at(k, s).val_kl_curve.size()) x.push_back(run_at(k, s).val_kl_curve[p].second);
          const auto I = claims::seed_interval(x);
          out += fmt::format("{} {:.6g} {:.6g} {:.6g}\n", c0[p].first, I.mean, I.min, I.max);
        }
        out += "\n\n";
      }
      lab::write_file_atomically(path("learning_steps.tsv"), out);
      summary_meta.write_sidecar(path("learning_steps.tsv"));
    }
    // learning curve against the number of training samples at ablation_T
    std::vector<std::pair<std::size_t, std::vector<const Run*>>> by_n;
    for (std::size_t i = 0; i < cfg.curve_n.size(); ++i) {
      std::vector<const Run*> rs;
      for (int s = 0; s < cfg.curve_seeds; ++s)
        rs.push_back(&variant_runs[ablation_names.size() * cfg.ablation_seeds + i * cfg.curve_seeds + s]);
      by_n.push_back({cfg.curve_n[i], rs});
    }
    {
      std::vector<const Run*> rs;
      for (std::size_t s = 0; s < nS; ++s) rs.push_back(&run_at(ablation_k, s));
      by_n.push_back({cfg.n_train, rs});
    }
    lab::Table learning_n{{"n_train", "kl_mean", "kl_lower", "kl_upper", "kl_min", "kl_max", "kl_counting_mean",
                           "floor_one_parameter", "seeds"},
                          {}};
    for (const auto& [n, rs] : by_n) {
      std::vector<double> x, xc;
      for (const Run* r : rs) x.push_back(r->kl.value), xc.push_back(r->kl_counting.value);
      const auto I = claims::seed_interval(x);
      learning_n.add({double(n), I.mean, I.lower, I.upper, I.min, I.max, claims::seed_interval(xc).mean,
                      1.0 / (2.0 * n * cfg.L), double(rs.size())});
    }
    lab::write_table(path("learning_n.tsv"), learning_n);
    summary_meta.write_sidecar(path("learning_n.tsv"), {{"T", cfg.temperatures[ablation_k]},
                                                        {"columns", "KL per spin over training seeds (95% t-interval); "
                                                                    "floor_one_parameter: 1 / (2 n L), the KL per spin "
                                                                    "of a correctly specified one-parameter model"}});
    // ablation at ablation_T: our setup, the seed's hyperparameters one at a time and together
    lab::Table ablation{{"index", "kl_mean", "kl_lower", "kl_upper", "kl_min", "kl_max", "seeds"}, {}};
    std::vector<std::pair<std::string, claims::SeedInterval>> ablation_rows;
    ablation_rows.push_back({"baseline", claims::seed_interval(kl_seeds(ablation_k))});
    for (std::size_t v = 0; v < ablation_names.size(); ++v) {
      std::vector<double> x;
      for (int s = 0; s < cfg.ablation_seeds; ++s) x.push_back(variant_runs[v * cfg.ablation_seeds + s].kl.value);
      ablation_rows.push_back({ablation_names[v], claims::seed_interval(x)});
    }
    for (std::size_t i = 0; i < ablation_rows.size(); ++i) {
      const auto& I = ablation_rows[i].second;
      ablation.add({double(i), I.mean, I.lower, I.upper, I.min, I.max, double(I.n)});
    }
    lab::write_table(path("ablation.tsv"), ablation);
    summary_meta.write_sidecar(path("ablation.tsv"), {{"T", cfg.temperatures[ablation_k]},
                                                      {"index", {"baseline (one-cycle 1e-3, no dropout)", "dropout 0.1",
                                                                 "constant learning rate 3e-4",
                                                                 "dropout 0.1 and constant 3e-4"}}});

    // the models chapter 2 reads: <out>/models.json, paths relative to this directory, every seed
    nlohmann::json models = nlohmann::json::array();
    for (std::size_t k = 0; k < nT; ++k)
      for (std::size_t s = 0; s < nS; ++s)
        models.push_back({{"T", chains[k].T}, {"h", 0.0}, {"J", 1.0}, {"L", cfg.L}, {"boundary", "periodic"},
                          {"seed_index", s}, {"tag", chain_tag(chains[k]) + seed_tag(s)},
                          {"path", run_at(k, s).model_file}});
    lab::write_file_atomically(path("models.json"), models.dump(2) + "\n");

    // ---- 3. negative control: the seed's literal setup on an enumerable ring, every seed --------------
    const int nC = cfg.control_seeds;
    auto control_at = [&](int v, int s) -> const ControlResult& { return controls[v * nC + s]; };
    lab::Table control{{"setup", "seed", "kl_enumerated", "total_probability", "model_entropy_per_spin",
                        "exact_entropy_per_spin", "final_train_loss"},
                       {}};
    for (int v = 0; v < 2; ++v)
      for (int s = 0; s < nC; ++s) {
        const auto& c = control_at(v, s);
        control.add({double(v), double(s), c.enumerated.kl_per_spin, c.enumerated.total_probability,
                     c.enumerated.model_entropy_per_spin, c.enumerated.exact_entropy_per_spin, c.final_train_loss});
      }
    lab::RunMetadata control_meta("ch01 negative control");
    control_meta.parameters() = {{"L", cfg.control_L}, {"T", cfg.control_T}, {"J", 1.0}, {"h", 0.0},
                                 {"boundary", "periodic"}, {"n_train", cfg.control_n}, {"steps", cfg.control_steps},
                                 {"seeds", nC}};
    control_meta.set_seed(cfg.seed + 999'000);
    lab::write_table(path("control.tsv"), control);
    control_meta.write_sidecar(path("control.tsv"), {{"setup_index", {"causal mask, shifted targets", "seed literal"}}});
    auto control_values = [&](int v, const std::function<double(const ControlResult&)>& g) {
      std::vector<double> x;
      for (int s = 0; s < nC; ++s) x.push_back(g(control_at(v, s)));
      return x;
    };
    auto total_p = [](const ControlResult& c) { return c.enumerated.total_probability; };
    auto enum_kl = [](const ControlResult& c) { return c.enumerated.kl_per_spin; };
    auto train_loss = [](const ControlResult& c) { return c.final_train_loss; };

    // ---- 4. claims: per-condition intervals over training seeds, verdicts by one rule ----------------
    const std::string source = "000_700600b7864feadb.txt";
    const std::string seeds_words = fmt::format("mean over {} training seeds, 95% simultaneous t-interval", nS);
    std::vector<claims::Condition> c11, c12, c13, c14, c15, c16, c17;
    // the doubling check of condition c for chain k: the estimate moved by seed 0's change at 2x steps
    auto doubling_check = [&](const claims::Condition& c, std::size_t k) {
      return lab::doubling_check({c.estimate, c.lower, c.upper}, c.estimate + doubled_runs[k].kl.value - run_at(k, 0).kl.value);
    };
    std::string kl_list;
    for (std::size_t k = 0; k < nT; ++k) {
      c11.push_back(claims::seed_condition(fmt::format("T = {}", format_key(chains[k].T)),
                                           "KL(p_T || p_model) per spin (nats), " + seeds_words, kl_seeds(k),
                                           static_cast<int>(nT), "below", cfg.kl_goal));
      c11.back().convergence = doubling_check(c11.back(), k);
      kl_list += fmt::format("{}T = {}: {:.2g} [{:.2g}, {:.2g}]", k ? "; " : "", format_key(chains[k].T),
                             c11.back().estimate, c11.back().lower, c11.back().upper);
    }
    c12.push_back(claims::seed_condition("sum over states", fmt::format("sum_s p_model(s) over all 2^{} states, mean over {} seeds",
                                                                        cfg.control_L, nC),
                                         control_values(1, total_p), 2, "within", 0.99, 1.01));
    // a density model's cross-entropy cannot fall below the entropy per spin (its KL is >= 0); its final
    // training loss (a minibatch average, on the training samples) scatters about it by ~1e-3 nats, so
    // the criterion allows 0.01 nats per spin below it (issue 30: with 0 no correct model could pass)
    constexpr double kLossMargin = 0.01;
    c12.push_back(claims::seed_condition("loss above the entropy",
                                         fmt::format("final training loss minus the exact entropy per spin (nats), mean "
                                                     "over {} seeds",
                                                     nC),
                                         control_values(1, [](const ControlResult& c) {
                                           return c.final_train_loss - c.enumerated.exact_entropy_per_spin;
                                         }),
                                         2, "above", -kLossMargin));
    c13.push_back(claims::seed_condition(fmt::format("T = {}, h = {}", format_key(cfg.field_T), format_key(cfg.field_h)),
                                         "KL(p_T || p_model) per spin (nats), " + seeds_words, kl_seeds(nT), 1, "below",
                                         cfg.kl_goal));
    c13.back().convergence = doubling_check(c13.back(), nT);
    c14.push_back(claims::seed_condition("sum over states", fmt::format("sum_s p_model(s) over all 2^{} states, mean over {} seeds",
                                                                        cfg.control_L, nC),
                                         control_values(0, total_p), 1, "within", 1 - 1e-4, 1 + 1e-4));
    // 1.5: 1.2's criterion, unchanged, on the corrected setup (must pass)
    c15.push_back(claims::seed_condition("sum over states", fmt::format("sum_s p_model(s) over all 2^{} states, mean over {} seeds",
                                                                        cfg.control_L, nC),
                                         control_values(0, total_p), 2, "within", 0.99, 1.01));
    c15.push_back(claims::seed_condition("loss above the entropy",
                                         fmt::format("final training loss minus the exact entropy per spin (nats), mean "
                                                     "over {} seeds",
                                                     nC),
                                         control_values(0, [](const ControlResult& c) {
                                           return c.final_train_loss - c.enumerated.exact_entropy_per_spin;
                                         }),
                                         2, "above", -kLossMargin));
    // 1.6: the KL criterion on hand-written models of known KL: the first must pass, the second fail
    std::string tempered_words;
    for (std::size_t k = 0; k < chains.size(); ++k)
      for (std::size_t w = 0; w < tempered_kl.size(); ++w) {
        const auto& m = tempered[k][w][0];
        c16.push_back(claims::seed_condition(
            fmt::format("T = {}, h = {}, exact KL {:g}{}", format_key(chains[k].T), format_key(chains[k].h), m.exact_kl,
                        w == 0 ? " (must pass)" : " (must fail)"),
            fmt::format("KL(p_T || p_T') per spin (nats) of the exact chain at T' = {:.6g}, estimated on each training "
                        "seed's {} test samples, mean over {} seeds",
                        m.T_prime, lab::format_thousands(cfg.n_test), nS),
            tempered_seeds(k, w), static_cast<int>(2 * chains.size()), w == 0 ? "below" : "above", cfg.kl_goal));
        tempered_words += fmt::format("{}T = {}, h = {}, exact {:g}: {:.2g} [{:.2g}, {:.2g}]", tempered_words.empty() ? "" : "; ",
                                      format_key(chains[k].T), format_key(chains[k].h), m.exact_kl, c16.back().estimate,
                                      c16.back().lower, c16.back().upper);
      }
    // 1.7: the same architecture and training on too few samples (the sample-size curve's smallest n,
    // data-limited by design) must fail the KL criterion
    std::vector<double> few_kl;
    for (int s = 0; s < cfg.curve_seeds; ++s) few_kl.push_back(variant_runs[ablation_names.size() * cfg.ablation_seeds + s].kl.value);
    c17.push_back(claims::seed_condition(fmt::format("T = {}, n = {}", format_key(cfg.temperatures[ablation_k]),
                                                     lab::format_thousands(cfg.curve_n.front())),
                                         fmt::format("KL(p_T || p_model) per spin (nats), mean over {} training seeds",
                                                     cfg.curve_seeds),
                                         few_kl, 1, "above", cfg.kl_goal));
    const auto field_I = kl_interval[nT];
    const auto lit_p = claims::seed_interval(control_values(1, total_p)), lit_kl = claims::seed_interval(control_values(1, enum_kl));
    const auto lit_loss = claims::seed_interval(control_values(1, train_loss));
    const auto causal_p = claims::seed_interval(control_values(0, total_p)), causal_kl = claims::seed_interval(control_values(0, enum_kl));
    auto claim = [&](const char* id, const char* kind, const std::string& text, const std::string& src,
                     const std::string& measured, const std::string& criterion, const std::vector<claims::Condition>& c) {
      return nlohmann::json{{"id", id}, {"kind", kind}, {"claim", text}, {"source", src}, {"measured", measured},
                            {"criterion", criterion}, {"conditions", claims::to_json(c)}, {"verdict", claims::verdict(c)}};
    };
    nlohmann::json chapter_claims = {
        {"chapter", "01-boltzmann-recovery"},
        {"title", "Does the transformer recover the Boltzmann distribution?"},
        {"claims",
         {claim("1.1", "source", "Accurate Boltzmann distribution: sampled configurations from p_theta match those from Metropolis",
                source + ", What the model learns, 1",
                fmt::format("KL per spin, mean over {} training seeds [95% simultaneous interval]: {}", nS, kl_list),
                fmt::format("upper bound of KL(p_T || p_model) per spin below {:g} nats at every T (KL on {} exact "
                            "samples per seed; intervals over training seeds, Bonferroni over the {} temperatures)",
                            cfg.kl_goal, lab::format_thousands(cfg.n_test), nT),
                c11),
          claim("1.2", "source",
                "The seed's model and training loop (no causal mask, target = input) learn p_T(s) by maximum likelihood",
                source + ", Architecture and training loop",
                fmt::format("L = {}, T = {}, {} seeds: final training loss {:.2g} nats per spin (entropy {:.3f}); sum of "
                            "'p'(s) over all {} states {:.3g} [{:.3g}, {:.3g}]; 'KL' per spin {:.3g} (correct model: sum "
                            "{:.6f}, KL {:.2g})",
                            cfg.control_L, format_key(cfg.control_T), nC, lit_loss.mean,
                            control_at(1, 0).enumerated.exact_entropy_per_spin, 1L << cfg.control_L, lit_p.mean, lit_p.lower,
                            lit_p.upper, lit_kl.mean, causal_p.mean, causal_kl.mean),
                "by enumeration, over training seeds: sum_s p_model(s) within [0.99, 1.01], and the training loss "
                "at most 0.01 nats per spin below the entropy (no density model can beat it beyond sampling noise)",
                c12),
          claim("1.3", "source",
                "Without seeing the Hamiltonian (J, h) the model learns the Boltzmann distribution from samples, field h included",
                source + ", ML narrative, key insight",
                fmt::format("T = {}, h = {}: KL per spin {:.2g} [{:.2g}, {:.2g}] over {} training seeds", format_key(cfg.field_T),
                            format_key(cfg.field_h), field_I.mean, field_I.lower, field_I.upper, nS),
                fmt::format("upper bound of KL per spin below {:g} nats (95% t-interval over training seeds)", cfg.kl_goal),
                c13),
          claim("1.4", "validation",
                "The corrected setup (causal mask, shifted targets) defines a normalised distribution",
                "this chapter, A transformer as a density model",
                fmt::format("L = {}: sum of p_model(s) over all {} states {:.8f} (mean over {} seeds)", cfg.control_L,
                            1L << cfg.control_L, causal_p.mean, nC),
                "sum_s p_model(s) within 1 ± 1e-4 over training seeds (95% t-interval)", c14),
          claim("1.5", "validation", "Positive control of 1.2: the corrected setup passes 1.2's criterion",
                "this chapter, A transformer as a density model",
                fmt::format("L = {}, {} seeds: sum {:.6f}; final training loss minus entropy {:.3g}", cfg.control_L, nC,
                            causal_p.mean, c15.back().estimate),
                "1.2's criterion unchanged: sum_s p_model(s) within [0.99, 1.01], and the training loss at most 0.01 "
                "nats per spin below the entropy",
                c15),
          claim("1.6", "validation",
                "The KL criterion of 1.1 and 1.3 can pass and can fail: it passes a hand-written model with exact KL "
                "half the threshold and fails one with twice the threshold",
                "this chapter, How the KL is measured",
                tempered_words,
                fmt::format("each interval on the claimed side of {:g} (the first of each pair below, the second above), "
                            "intervals over training seeds' test samples, Bonferroni over the {} conditions",
                            cfg.kl_goal, c16.size()),
                c16),
          claim("1.7", "validation",
                "Negative control of 1.1 and 1.3: the same transformer and training on too few samples fails the KL criterion",
                "this chapter, How many samples",
                fmt::format("n = {}: KL per spin {:.2g} [{:.2g}, {:.2g}] over {} seeds", lab::format_thousands(cfg.curve_n.front()),
                            c17.back().estimate, c17.back().lower, c17.back().upper, cfg.curve_seeds),
                fmt::format("lower bound of KL per spin above {:g} nats (95% t-interval over training seeds)", cfg.kl_goal),
                c17)}}};
    claims::write_claims(path("claims.json"), chapter_claims, "--out");

    // ---- 5. values quoted in the chapter text --------------------------------------------------------
    auto p_text = [](double p) { return std::isfinite(p) ? fmt::format("{:.2g}", p) : std::string("–"); };
    auto min_over = [&](std::size_t k, const std::function<double(const Run&)>& g) {
      double m = INFINITY;
      for (std::size_t s = 0; s < nS; ++s) m = std::min(m, g(run_at(k, s)));
      return m;
    };
    auto max_over = [&](std::size_t k, const std::function<double(const Run&)>& g) { return -min_over(k, [&](const Run& r) { return -g(r); }); };
    std::string table = fmt::format(
        "| T | h | KL per spin (nats), {} seeds [95% simultaneous] | smallest and largest seed | counting model, same data "
        "| excess loss, last spin | smallest p energy (model) | smallest p magn. (model) | largest abs z of C(r) |\n"
        "|---|---|---|---|---|---|---|---|---|\n",
        nS);
    for (std::size_t k = 0; k < chains.size(); ++k) {
      const auto& I = kl_interval[k];
      const bool above = !(I.upper < cfg.kl_goal);
      std::vector<double> last;
      for (std::size_t s = 0; s < nS; ++s) last.push_back(run_at(k, s).last_excess.value);
      const auto LI = claims::seed_interval(last);
      table += fmt::format("| {} | {} | {}{:.2g} [{:.2g}, {:.2g}]{} | {:.2g} … {:.2g} | {:.2g} | {:.1e} [{:.1e}, {:.1e}] | {} | {} | {:.1f} |\n",
                           format_key(chains[k].T), format_key(chains[k].h), above ? "**" : "", I.mean, I.lower, I.upper,
                           above ? "**" : "", I.min, I.max, mean_of(k, [](const Run& r) { return r.kl_counting.value; }),
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
    for (std::size_t i = 0; i < ablation_rows.size(); ++i) {
      const auto& I = ablation_rows[i].second;
      ablation_table += fmt::format("| {} | {:.2g} [{:.2g}, {:.2g}] | {} |\n", ablation_words[i], I.mean, I.lower, I.upper, I.n);
      results["ablation_" + ablation_rows[i].first] = fmt::format("{:.2g} [{:.2g}, {:.2g}]", I.mean, I.lower, I.upper);
    }
    results["ablation_table"] = ablation_table;
    std::string n_table = "| training samples n | KL per spin (nats), mean [95% t-interval] | seeds | counting model | 1/(2nL) |\n|---|---|---|---|---|\n";
    for (const auto& row : learning_n.rows)
      n_table += fmt::format("| {} | {:.2g} [{:.2g}, {:.2g}] | {} | {:.2g} | {:.2g} |\n", lab::format_thousands(std::size_t(row[0])),
                             row[1], row[2], row[3], row[8], row[6], row[7]);
    results["learning_n_table"] = n_table;
    results["ablation_T"] = format_key(cfg.temperatures[ablation_k]);
    results["ablation_seeds"] = cfg.ablation_seeds;
    results["curve_seeds"] = cfg.curve_seeds;
    results["curve_n"] = fmt::format("{}", fmt::join(cfg.curve_n, ", "));
    results["seeds"] = cfg.seeds;
    results["control_seeds"] = cfg.control_seeds;
    results["n_temperatures"] = nT;
    for (std::size_t k = 0; k < chains.size(); ++k) {
      const std::string key = chains[k].h == 0.0 ? format_key(chains[k].T) : "field";
      const auto& I = kl_interval[k];
      results["kl_T" + key] = fmt::format("{:.2g} [{:.2g}, {:.2g}]", I.mean, I.lower, I.upper);
      results["kl_upper_T" + key] = fmt::format("{:.2g}", I.upper);
      results["kl_counting_T" + key] = fmt::format("{:.2g}", mean_of(k, [](const Run& r) { return r.kl_counting.value; }));
      results["entropy_T" + key] = fmt::format("{:.4f}", run_at(k, 0).exact_entropy_per_spin);
    }
    for (const auto& [name, k] : {std::pair<std::string, std::size_t>{"Tmin", 0}, {"Tmax", nT - 1}}) {
      const auto& I = kl_interval[k];
      results["kl_" + name] = fmt::format("{:.2g} [{:.2g}, {:.2g}]", I.mean, I.lower, I.upper);
      const double last = mean_of(k, [](const Run& r) { return r.last_excess.value; });
      results["last_excess_" + name] = fmt::format("{:.1e}", last);
      results["last_share_" + name] = fmt::format("{:.0f}%", 100 * last / (I.mean * cfg.L));
    }
    std::size_t below = 0, above = 0;
    double worst_upper = 0;
    std::string worst_T;
    for (std::size_t k = 0; k < nT; ++k) {
      below += kl_interval[k].upper < cfg.kl_goal, above += kl_interval[k].lower > cfg.kl_goal;
      if (kl_interval[k].upper > worst_upper) worst_upper = kl_interval[k].upper, worst_T = format_key(chains[k].T);
    }
    results["kl_supported"] = fmt::format("{}/{}", below, nT);
    results["kl_refuted"] = fmt::format("{}/{}", above, nT);
    results["worst_kl_upper"] = fmt::format("{:.2g}", worst_upper);
    results["worst_kl_T"] = worst_T;
    results["verdict_11"] = chapter_claims["claims"][0]["verdict"];
    results["verdict_13"] = chapter_claims["claims"][2]["verdict"];
    results["tmin"] = format_key(cfg.temperatures.front());
    results["tmax"] = format_key(cfg.temperatures.back());
    results["control_L"] = cfg.control_L;
    results["control_T"] = format_key(cfg.control_T);
    results["control_states"] = lab::format_thousands(std::size_t{1} << cfg.control_L);
    results["control_steps"] = cfg.control_steps;
    results["literal_loss"] = fmt::format("{:.2g}", lit_loss.mean);
    results["causal_loss"] = fmt::format("{:.4f}", claims::seed_interval(control_values(0, train_loss)).mean);
    results["control_entropy"] = fmt::format("{:.4f}", control_at(0, 0).enumerated.exact_entropy_per_spin);
    results["literal_total_probability"] = fmt::format("{:.3g} [{:.3g}, {:.3g}]", lit_p.mean, lit_p.lower, lit_p.upper);
    results["literal_kl"] = fmt::format("{:.3g}", lit_kl.mean);
    results["causal_total_probability"] = fmt::format("{:.6f}", causal_p.mean);
    results["causal_kl"] = fmt::format("{:.2g}", causal_kl.mean);
    double train_total = 0, eval_total = 0;
    long steps_total = 0;
    for (const auto* group : {&runs, &variant_runs, &doubled_runs})
      for (const auto& r : *group)
        train_total += r.train_s, eval_total += r.eval_s, steps_total += cfg.train.steps * (group == &doubled_runs ? 2 : 1);
    results["trainings"] = runs.size() + variant_runs.size() + doubled_runs.size();
    // the plan's arithmetic: 2.7 worker-minutes per 1,500-step training (the previous paper run), two workers
    results["budget_minutes"] =
        fmt::format("{:.0f}", (runs.size() + variant_runs.size() + 2 * doubled_runs.size()) * 2.7 / 2);
    results["train_minutes"] = fmt::format("{:.1f}", train_total / 60);
    results["eval_minutes"] = fmt::format("{:.1f}", eval_total / 60);
    results["wall_minutes"] = fmt::format("{:.1f}", seconds_since(start) / 60);
    results["step_ms"] = fmt::format("{:.0f}", 1000 * train_total / steps_total);
    results["claims_table"] = lab::claims_markdown({chapter_claims});
    // where the transformer lands against the counting model (the text's sentence comes from here)
    {
      std::vector<std::string> below_counting, above_counting;
      for (std::size_t k = 0; k < chains.size(); ++k) {
        const double counting = mean_of(k, [](const Run& r) { return r.kl_counting.value; });
        const std::string where = chains[k].h == 0.0 ? fmt::format("T = {}", format_key(chains[k].T))
                                                     : fmt::format("T = {}, h = {}", format_key(chains[k].T), format_key(chains[k].h));
        (kl_interval[k].mean < counting ? below_counting : above_counting).push_back(where);
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
        const claims::Condition& c = k < nT ? c11[k] : c13[0];
        const bool ok = lab::converged(*c.convergence);
        converged += ok;
        rows += fmt::format("| {} | {} | {:.2g} | {:.2g} | [{:.2g}, {:.2g}] | {:.2g} | {} |\n", format_key(chains[k].T),
                            format_key(chains[k].h), run_at(k, 0).kl.value, doubled_runs[k].kl.value, c.lower, c.upper,
                            c.convergence->value, ok ? "yes" : "**no**");
      }
      results["doubling_table"] = rows;
      results["doubling_converged"] = fmt::format("{} of {}", converged, chains.size());
      results["doubled_steps"] = lab::format_thousands(static_cast<std::size_t>(2 * cfg.train.steps));
    }
    results["corr_blocks"] = cfg.corr_blocks;
    results["verdict_15"] = chapter_claims["claims"][4]["verdict"];
    results["verdict_16"] = chapter_claims["claims"][5]["verdict"];
    results["verdict_17"] = chapter_claims["claims"][6]["verdict"];
    results["tempered_pass_T_prime"] = fmt::format("{:.4g}", tempered[0][0][0].T_prime);
    results["tempered_fail_T_prime"] = fmt::format("{:.4g}", tempered[0][1][0].T_prime);
    results["few_n"] = lab::format_thousands(cfg.curve_n.front());
    results["floor_n_train"] = fmt::format("{:.1g}", 1.0 / (2.0 * cfg.n_train * cfg.L));
    results["counting_floor"] = fmt::format("{:.1g}", 4.0 * cfg.L / (2.0 * cfg.n_train * cfg.L));

    const std::string temps = lab::format_keys(cfg.temperatures);
    std::string entropies;
    for (std::size_t t = 0; t < nT; ++t)
      entropies += (entropies.empty() ? "" : " ") + fmt::format("{:.6g}", run_at(t, 0).exact_entropy_per_spin);
    lab::write_file_atomically(
        path("plot_vars.gp"),
        fmt::format("temps = \"{}\"\nL = {}\nkl_goal = {:g}\nfield_tag = \"T{}_h{}\"\nfield_h = {:g}\nfield_T = {:g}\n"
                    "control_L = {}\ncontrol_entropy = {:.6g}\nentropies = \"{}\"\nn_images = {}\nseeds = {}\n"
                    "ablation_T = \"{}\"\nn_temps = {}\n",
                    temps, cfg.L, cfg.kl_goal, format_key(cfg.field_T), format_key(cfg.field_h), cfg.field_h, cfg.field_T,
                    cfg.control_L, control_at(0, 0).enumerated.exact_entropy_per_spin, entropies, cfg.n_images, nS,
                    format_key(cfg.temperatures[ablation_k]), nT));
    // results.json last: its presence marks a finished run for make.
    lab::write_file_atomically(path("results.json"), results.dump(2) + "\n");
    fmt::print(stderr, "[ch01] done in {:.1f} min\n", seconds_since(start) / 60);
  });
}
