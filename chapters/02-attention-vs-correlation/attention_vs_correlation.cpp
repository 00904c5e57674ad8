// Chapter 2 — Is layer-1 attention the correlation function?
// Reads chapter 1's trained models (<out>/../ch01/models.json), measures their attention on exact
// samples of the ring they were trained on, and holds it against three things: the seed's claim that
// layer-1 attention approximates C(|i - j|), null models (an untrained model, uniform causal attention,
// a model trained on position-shuffled data), and the exact alternative: an ideal autoregressive model
// of the ring needs only the previous spin and the first spin.
//
// Index convention (gpt.hpp): sequence position t holds the start token (t = 0) or spin s_t (1-based),
// and the query at t predicts spin s_{t+1}. In this chapter the distance r of an attention weight is
// counted from the predicted spin: the query predicting s_k attending the key holding s_{k-r} has
// distance r, so r = 1 is the previous spin and the key t = 1 is the first spin s_1. Weights on the
// start token are kept apart (they carry no spin).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <nlohmann/json.hpp>

#include "code_hash.hpp"
#include "gpt/gpt.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter_cli.hpp"
#include "lab/progress.hpp"
#include "lab/report.hpp"
#include "lab/rng.hpp"
#include "lab/run_metadata.hpp"
#include "lab/statistics.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

#include "attention_vs_correlation.hpp"
#include "../01-boltzmann-recovery/claims.hpp"

using namespace spinformer;
using lab::format_key;
namespace fs = std::filesystem;

// ---- configuration ------------------------------------------------------------------------------
struct Config {
  std::size_t n_eval = 2000;   // exact samples per temperature on which attention is measured
  int blocks = 40;             // the samples in blocks: errors and bootstrap resample blocks
  int bootstrap = 2000;        // bootstrap replicates
  int shuffled_temperatures = 2;    // shuffled-position null: lowest and highest T of the grid
  std::size_t shuffled_n = 10'000;  // its training samples
  long shuffled_steps = 300;        // its (short) training
  int shuffled_batch = 256;
  int threads = 1;  // small batches: a second thread gains little and stalls on a busy machine
  std::uint64_t seed = 20261202;
};

Config profile(const std::string& name) {
  Config c;
  if (lab::quick_profile(name)) {
    c.n_eval = 400;
    c.blocks = 20;
    c.bootstrap = 400;
    c.shuffled_temperatures = 1;
    c.shuffled_n = 2000;
    c.shuffled_steps = 40;
    c.shuffled_batch = 128;
  }
  return c;
}

// ---- criteria, fixed before any model was looked at (issue 10) ----------------------------------
constexpr double kShapeCorrelation = 0.5;   // 2.1: corr(ln A_1 - ln A_uniform, ln C) over r = 1..L/2 above this
                                            //      (uniform attention: 0; constant A: negative; see text)
constexpr double kDecayFactor = 2.0;        // 2.2a: decay rate of A_1 / A_uniform within a factor 2 of C's
constexpr double kTrackAlpha = 0.05;        // 2.3: permutation p-value of D_1 across temperatures below this
constexpr int kPermutations = 20000;        // 2.3: label permutations
constexpr double kFlipLow = 0.8, kFlipHigh = 1.25;  // 2.4: response of log p_model(s_L | s_<L) to flipping s_1,
                                                    //      as a fraction of the exact response

// Everything measured on one trained model (one temperature, one training seed).
struct ModelStats {
  double T = 0;
  int seed = 0;
  std::vector<double> A1, A2;  // [r]
  double cos1 = NAN, rho1 = NAN, kappa1 = NAN;
  double cos_untrained = NAN, rho_untrained = NAN, kappa_untrained = NAN;
  double prev1 = NAN, prev2 = NAN, start1 = NAN, start2 = NAN, D1 = NAN, D2 = NAN, D_untrained = NAN;
  double first_best = NAN;  // largest single-head weight on s_1 at the last query, layer 1 or 2
  double flip_slope = NAN;  // sum dm de / sum de^2 at the last spin
  std::vector<double> flip_abs;  // [i]: mean |change of log p_model(s_i | s_<i)| when s_1 flips (i = 1..L-1)
  lab::Estimate last_excess{NAN, NAN};
};

int main(int argc, char** argv) {
  lab::install_signal_cleanup();
  lab::ChapterOptions opt;  // the models are measured one after another: --workers changes nothing here
  std::string ch01_dir;
  CLI::App app{"Chapter 2: is layer-1 attention the correlation function?"};
  lab::add_chapter_options(app, opt, SPINFORMER_CODE_HASH);
  app.add_option("--models", ch01_dir, "chapter 1's output directory (default: <out>/../ch01)");
  if (const int status = lab::parse_chapter_args(app, argc, argv, "ch02"); status >= 0) return status;
  return lab::run_chapter("ch02", [&] {
    opt.check();
    const std::string &profile_name = opt.profile, &out_dir = opt.out;
    Config cfg = profile(profile_name);
    cfg.threads = opt.threads_or(cfg.threads);
    lab::require_writable(out_dir + "/results.json", "--out");
    if (ch01_dir.empty()) ch01_dir = (fs::path(out_dir) / ".." / "ch01").lexically_normal().string();
    auto path = [&](const std::string& name) { return out_dir + "/" + name; };
    gpt::set_threads(cfg.threads);
    const auto clock_start = std::chrono::steady_clock::now();

    // ---- 1. the models chapter 1 trained: every temperature, every training seed -------------------
    const auto entries = read_models(ch01_dir);
    const int L = entries.front().chain.L;
    const int R = L / 2;  // distances compared with C(r): r = 1..L/2, where the ring's C(r) decreases
    std::vector<double> temps;
    for (const auto& e : entries)
      if (temps.empty() || e.chain.T != temps.back()) temps.push_back(e.chain.T);
    const std::size_t nT = temps.size();
    auto t_index = [&](double T) { return static_cast<std::size_t>(std::find(temps.begin(), temps.end(), T) - temps.begin()); };
    std::vector<std::size_t> seeds_at(nT, 0);
    for (const auto& e : entries) ++seeds_at[t_index(e.chain.T)];
    const std::size_t nS = *std::min_element(seeds_at.begin(), seeds_at.end());
    std::vector<std::size_t> shuffled_at{0};
    if (cfg.shuffled_temperatures > 1 && nT > 1) shuffled_at.push_back(nT - 1);
    std::size_t mid = 0;
    for (std::size_t t = 0; t < nT; ++t)
      if (std::abs(std::log(temps[t])) < std::abs(std::log(temps[mid]))) mid = t;
    const std::vector<std::pair<std::string, std::size_t>> shown{{"low", 0}, {"mid", mid}, {"high", nT - 1}};

    nlohmann::json results;
    results["profile"] = profile_name;
    results["L"] = L;
    results["R"] = R;
    results["temperatures"] = fmt::format("{}", fmt::join(temps, ", "));
    results["n_eval"] = cfg.n_eval;
    results["blocks"] = cfg.blocks;
    results["threads"] = cfg.threads;
    results["seeds"] = nS;
    results["models"] = entries.size();

    lab::RunMetadata meta("ch02 attention vs correlation");
    int n_layers = 0, n_heads = 0;
    std::vector<ModelStats> stats;
    // per temperature: exact C, nulls, the shuffled null (seed 0 only)
    struct Nulls {
      double xi = 0, kappa_C = 0, cos_uniform = 0, cos_constant = 0, rho_constant = 0, kappa_uniform = 0,
             kappa_constant = 0, cos_shuffled = NAN, rho_shuffled = NAN, shuffled_val_nll = NAN;
      std::vector<double> C, A_uniform, A_shuffled, exact_flip_abs;
    };
    std::vector<Nulls> nulls(nT);
    lab::Progress progress("ch02 models", static_cast<long>(entries.size() + shuffled_at.size()));
    for (const auto& e : entries) {
      const std::size_t t = t_index(e.chain.T);
      const double T = e.chain.T;
      const gpt::Model model = gpt::Model::load(e.path, "--models");
      if (model.L() != L) throw lab::UsageError("--models", fmt::format("{}: L = {}, expected {}", e.path, model.L(), L));
      n_layers = model.config().n_layers, n_heads = model.config().n_heads;
      if (n_layers < 2) throw lab::UsageError("--models", fmt::format("{}: needs two layers", e.path));
      const ising::ExactChain exact(e.chain);
      const std::uint64_t s0 = cfg.seed + 1000 * t;  // the same exact samples for every seed of a temperature
      const auto samples = ising::ExactSampler(e.chain).draw(cfg.n_eval, s0);
      Nulls& nu = nulls[t];
      const Features uniform = features(uniform_maps(n_layers, n_heads, L));
      // statistics of a layer-1 profile A(r): shape correlation and decay rate relative to uniform attention
      auto log_ratio = [&](const std::vector<double>& A) {
        std::vector<double> y(L, 0.0);
        for (int r = 1; r < L; ++r) y[r] = std::log(std::max(A[r], 1e-300)) - std::log(uniform.A[0][r]);
        return y;
      };
      auto rho_of = [&](const std::vector<double>& A) {
        std::vector<double> lC;
        for (int r = 1; r <= R; ++r) lC.push_back(std::log(nu.C[r]));
        return pearson(range_of(log_ratio(A), R), lC);
      };
      auto kappa_of = [&](const std::vector<double>& A) { return decay_rate(log_ratio(A), R); };
      if (nu.C.empty()) {
        nu.C = exact.connected_correlation();
        nu.xi = exact.correlation_length();
        std::vector<double> lC(L, 0.0);
        for (int r = 1; r < L; ++r) lC[r] = std::log(nu.C[r]);
        nu.kappa_C = decay_rate(lC, R);
        nu.A_uniform = uniform.A[0];
        const std::vector<double> constant(L, 1.0);
        nu.cos_uniform = cosine(range_of(uniform.A[0], R), range_of(nu.C, R));
        nu.cos_constant = cosine(range_of(constant, R), range_of(nu.C, R));
        nu.rho_constant = rho_of(constant);
        nu.kappa_uniform = kappa_of(uniform.A[0]);
        nu.kappa_constant = kappa_of(constant);
      }
      const Measured trained = measure(model, samples, cfg.blocks);
      const gpt::Model fresh(model.config(), s0 + 1 + 100 * e.seed_index);
      const Measured untrained = measure(fresh, samples, cfg.blocks);
      ModelStats m;
      m.T = T, m.seed = e.seed_index;
      m.A1 = trained.f.A[0], m.A2 = trained.f.A[1];
      m.cos1 = cosine(range_of(m.A1, R), range_of(nu.C, R));
      m.rho1 = rho_of(m.A1), m.kappa1 = kappa_of(m.A1);
      m.cos_untrained = cosine(range_of(untrained.f.A[0], R), range_of(nu.C, R));
      m.rho_untrained = rho_of(untrained.f.A[0]), m.kappa_untrained = kappa_of(untrained.f.A[0]);
      m.prev1 = trained.f.prev[0], m.prev2 = trained.f.prev[1], m.start1 = trained.f.start[0], m.start2 = trained.f.start[1];
      m.D1 = trained.f.distance[0], m.D2 = trained.f.distance[1], m.D_untrained = untrained.f.distance[0];
      m.first_best = 0;
      for (int l = 0; l < 2; ++l)
        for (double w : trained.f.first_head[l]) m.first_best = std::max(m.first_best, w);
      m.last_excess = last_excess(ch01_dir, e.tag, L);
      // causal test: flip s_1 and compare the change of every log-conditional with the exact change
      {
        ising::SpinSamples flipped = samples;
        for (std::size_t k = 0; k < flipped.size(); ++k) flipped.row(k)[0] = static_cast<ising::Spin>(-flipped.row(k)[0]);
        const auto before = model.log_conditionals(samples), after = model.log_conditionals(flipped);
        m.flip_abs.assign(L, 0.0);
        std::vector<double> exact_abs(L, 0.0);
        double dmde = 0, dede = 0;
        for (std::size_t k = 0; k < samples.size(); ++k)
          for (int i = 1; i < L; ++i) {
            const double dm = after[k * L + i] - before[k * L + i];
            const double de = exact.log_conditional(flipped.row(k), i) - exact.log_conditional(samples.row(k), i);
            m.flip_abs[i] += std::abs(dm) / samples.size(), exact_abs[i] += std::abs(de) / samples.size();
            if (i == L - 1) dmde += dm * de, dede += de * de;
          }
        m.flip_slope = dede > 0 ? dmde / dede : NAN;
        if (nu.exact_flip_abs.empty()) nu.exact_flip_abs = exact_abs;
      }
      if (e.seed_index == 0) {
        // per query (seed 0): weight on the first spin and on the previous spin, and what the exact conditional needs
        const auto need_first = first_spin_dependence(exact, false), need_prev = first_spin_dependence(exact, true);
        lab::Table per_query{{"query", "predicted_spin", "exact_first_dependence", "exact_prev_dependence",
                              "first_L1_mean", "first_L1_best", "first_L2_mean", "first_L2_best", "prev_L1_mean",
                              "prev_L2_mean", "start_L1_mean", "start_L2_mean", "uniform", "first_untrained_L1_mean"},
                             {}};
        for (int q = 1; q < L; ++q) {
          std::vector<double> v{double(q), double(q + 1), need_first[q], need_prev[q]};
          for (int l = 0; l < 2; ++l) {
            double mean = 0, best = 0;
            for (int h = 0; h < n_heads; ++h)
              mean += trained.total.at(l, h, q, 1) / n_heads, best = std::max(best, trained.total.at(l, h, q, 1));
            v.push_back(mean), v.push_back(best);
          }
          for (int l = 0; l < 2; ++l) {
            double mean = 0;
            for (int h = 0; h < n_heads; ++h) mean += trained.total.at(l, h, q, q) / n_heads;
            v.push_back(mean);
          }
          for (int l = 0; l < 2; ++l) {
            double mean = 0;
            for (int h = 0; h < n_heads; ++h) mean += trained.total.at(l, h, q, 0) / n_heads;
            v.push_back(mean);
          }
          double umean = 0;
          for (int h = 0; h < n_heads; ++h) umean += untrained.total.at(0, h, q, 1) / n_heads;
          v.push_back(1.0 / (q + 1));
          v.push_back(umean);
          per_query.add(v);
        }
        meta.parameters() = {{"L", L}, {"T", T}, {"J", e.chain.J}, {"h", e.chain.h}, {"boundary", "periodic"},
                             {"model", e.path}, {"n_eval", cfg.n_eval}, {"blocks", cfg.blocks}, {"training_seed", 0}};
        meta.set_seed(s0);
        lab::write_table(path(fmt::format("query_T{}.tsv", format_key(T))), per_query);
        meta.write_sidecar(path(fmt::format("query_T{}.tsv", format_key(T))));
        for (const auto& [name, index] : shown)
          if (index == t) {
            write_maps(path(fmt::format("maps_{}.tsv", name)), trained.total);
            meta.write_sidecar(path(fmt::format("maps_{}.tsv", name)), {{"heads", n_heads}, {"layers", n_layers},
                                                                         {"training_seed", 0}});
          }
        // shuffled-position null at this temperature (short training, one seed)
        if (std::find(shuffled_at.begin(), shuffled_at.end(), t) != shuffled_at.end()) {
          const auto data = shuffle_positions(ising::ExactSampler(e.chain).draw(cfg.shuffled_n, s0 + 2), s0 + 3);
          gpt::TrainOptions opt;
          opt.config.steps = cfg.shuffled_steps;
          opt.config.batch = cfg.shuffled_batch;
          opt.config.lr = 1e-3;
          opt.config.schedule = "onecycle";
          opt.config.eval_every = std::max<long>(10, cfg.shuffled_steps / 4);
          opt.config.checkpoint_every = 0;
          opt.config.seed = s0 + 4;
          opt.threads = cfg.threads;
          opt.progress = false;
          gpt::TrainResult tr;
          const gpt::Model shuffled_model = gpt::train(model.config(), opt, data, ising::SpinSamples{}, &tr);
          const Measured shuffled = measure(shuffled_model, shuffle_positions(samples, s0 + 5), cfg.blocks);
          nu.shuffled_val_nll = tr.best_val_nll;
          nu.A_shuffled = shuffled.f.A[0];
          nu.cos_shuffled = cosine(range_of(shuffled.f.A[0], R), range_of(nu.C, R));
          nu.rho_shuffled = rho_of(shuffled.f.A[0]);
          progress.advance();
        }
      }
      stats.push_back(std::move(m));
      progress.advance();
    }
    progress.finish();
    auto values = [&](std::size_t t, const std::function<double(const ModelStats&)>& g) {
      std::vector<double> x;
      for (const auto& m : stats)
        if (m.T == temps[t]) x.push_back(g(m));
      return x;
    };
    auto mean = [&](std::size_t t, const std::function<double(const ModelStats&)>& g) {
      return claims::seed_interval(values(t, g)).mean;
    };

    // ---- 2. tables: per model, per temperature (means and seed spread), profiles, flip test ------------
    lab::Table per_model{{"T", "seed", "cos1", "rho1", "kappa1", "cos_untrained", "rho_untrained", "kappa_untrained",
                          "prev1", "prev2", "start1", "start2", "D1", "D2", "D_untrained", "first_best", "flip_slope",
                          "last_excess", "last_excess_err"},
                         {}};
    for (const auto& m : stats)
      per_model.add({m.T, double(m.seed), m.cos1, m.rho1, m.kappa1, m.cos_untrained, m.rho_untrained, m.kappa_untrained,
                     m.prev1, m.prev2, m.start1, m.start2, m.D1, m.D2, m.D_untrained, m.first_best, m.flip_slope,
                     m.last_excess.value, m.last_excess.error});
    meta.parameters() = {{"L", L}, {"J", 1.0}, {"h", 0.0}, {"boundary", "periodic"}, {"n_eval", cfg.n_eval},
                         {"blocks", cfg.blocks}, {"R", R}, {"seeds", nS}};
    meta.set_seed(cfg.seed);
    lab::write_table(path("models.tsv"), per_model);
    meta.write_sidecar(path("models.tsv"), {{"columns", "one row per trained model (temperature, chapter 1's training "
                                                        "seed); rho1: corr(ln A_1 - ln A_uniform, ln C), r = 1..R; "
                                                        "kappa1: decay rate of A_1 / A_uniform (1/sites); flip_slope: "
                                                        "response of log p_model(s_L | s_<L) to flipping s_1 over the "
                                                        "exact response"}});
    const int mT = static_cast<int>(nT);
    struct Agg {
      claims::SeedInterval rho, kappa_ratio, flip, cos, prev1, D1, first;
    };
    std::vector<Agg> agg(nT);
    lab::Table summary{{"T", "xi", "kappa_C", "rho1", "rho1_lo", "rho1_hi", "rho1_min", "rho1_max", "rho_untrained",
                        "rho_constant", "rho_shuffled", "kappa_ratio", "kappa_ratio_lo", "kappa_ratio_hi",
                        "kappa_ratio_min", "kappa_ratio_max", "kappa_ratio_untrained", "kappa_ratio_uniform",
                        "kappa_ratio_constant", "flip", "flip_lo", "flip_hi", "flip_min", "flip_max", "cos1", "cos1_min",
                        "cos1_max", "cos_untrained", "cos_uniform", "cos_constant", "cos_shuffled", "prev1", "prev1_min",
                        "prev1_max", "D1", "D1_min", "D1_max", "D_untrained", "first_best", "first_best_min",
                        "first_best_max"},
                       {}};
    for (std::size_t t = 0; t < nT; ++t) {
      const Nulls& nu = nulls[t];
      Agg& g = agg[t];
      g.rho = claims::seed_interval(values(t, [](const ModelStats& m) { return m.rho1; }), mT);
      g.kappa_ratio = claims::seed_interval(values(t, [&](const ModelStats& m) { return m.kappa1 / nu.kappa_C; }), mT);
      g.flip = claims::seed_interval(values(t, [](const ModelStats& m) { return m.flip_slope; }), mT);
      g.cos = claims::seed_interval(values(t, [](const ModelStats& m) { return m.cos1; }));
      g.prev1 = claims::seed_interval(values(t, [](const ModelStats& m) { return m.prev1; }));
      g.D1 = claims::seed_interval(values(t, [](const ModelStats& m) { return m.D1; }));
      g.first = claims::seed_interval(values(t, [](const ModelStats& m) { return m.first_best; }));
      summary.add({temps[t], nu.xi, nu.kappa_C, g.rho.mean, g.rho.lower, g.rho.upper, g.rho.min, g.rho.max,
                   mean(t, [](const ModelStats& m) { return m.rho_untrained; }), nu.rho_constant, nu.rho_shuffled,
                   g.kappa_ratio.mean, g.kappa_ratio.lower, g.kappa_ratio.upper, g.kappa_ratio.min, g.kappa_ratio.max,
                   mean(t, [&](const ModelStats& m) { return m.kappa_untrained / nu.kappa_C; }),
                   nu.kappa_uniform / nu.kappa_C, nu.kappa_constant / nu.kappa_C, g.flip.mean, g.flip.lower,
                   g.flip.upper, g.flip.min, g.flip.max, g.cos.mean, g.cos.min, g.cos.max,
                   mean(t, [](const ModelStats& m) { return m.cos_untrained; }), nu.cos_uniform, nu.cos_constant,
                   nu.cos_shuffled, g.prev1.mean, g.prev1.min, g.prev1.max, g.D1.mean, g.D1.min, g.D1.max,
                   mean(t, [](const ModelStats& m) { return m.D_untrained; }), g.first.mean, g.first.min, g.first.max});
      // A(r) beside C(r): mean over seeds and the seed range; nulls
      lab::Table profile{{"r", "C_exact", "A1", "A1_min", "A1_max", "A2", "A2_min", "A2_max", "A_uniform", "A1_shuffled",
                          "C_over_C1", "A1_over_A1_1", "ratio_A1_uniform"},
                         {}};
      for (int r = 1; r < L; ++r) {
        const auto a1 = claims::seed_interval(values(t, [r](const ModelStats& m) { return m.A1[r]; }));
        const auto a2 = claims::seed_interval(values(t, [r](const ModelStats& m) { return m.A2[r]; }));
        const auto a11 = claims::seed_interval(values(t, [](const ModelStats& m) { return m.A1[1]; }));
        profile.add({double(r), nu.C[r], a1.mean, a1.min, a1.max, a2.mean, a2.min, a2.max, nu.A_uniform[r],
                     nu.A_shuffled.empty() ? NAN : nu.A_shuffled[r], nu.C[r] / nu.C[1], a1.mean / a11.mean,
                     a1.mean / nu.A_uniform[r]});
      }
      lab::write_table(path(fmt::format("profile_T{}.tsv", format_key(temps[t]))), profile);
      meta.write_sidecar(path(fmt::format("profile_T{}.tsv", format_key(temps[t]))),
                         {{"columns", "A1, A2: mean over training seeds; _min, _max: the seed range"}});
      lab::Table flip{{"predicted_spin", "exact", "model", "model_min", "model_max"}, {}};
      for (int i = 1; i < L; ++i) {
        const auto f = claims::seed_interval(values(t, [i](const ModelStats& m) { return m.flip_abs[i]; }));
        flip.add({double(i + 1), nu.exact_flip_abs[i], f.mean, f.min, f.max});
      }
      lab::write_table(path(fmt::format("flip_T{}.tsv", format_key(temps[t]))), flip);
      meta.write_sidecar(path(fmt::format("flip_T{}.tsv", format_key(temps[t]))),
                         {{"columns", "mean |log p(s_k | s_<k with s_1 flipped) - log p(s_k | s_<k)| on exact samples; "
                                      "model: mean over training seeds, and the seed range"}});
    }
    lab::write_table(path("summary.tsv"), summary);
    meta.write_sidecar(path("summary.tsv"), {{"columns", "rho1_lo/hi, kappa_ratio_lo/hi, flip_lo/hi: Student-t "
                                                         "intervals over training seeds, 95% simultaneous over the "
                                                         "temperatures (Bonferroni)"}});

    // ---- 3. claims --------------------------------------------------------------------------------------
    const std::string source = "000_700600b7864feadb.txt";
    const std::string over = fmt::format("mean over {} training seeds, 95% simultaneous t-interval", nS);
    std::vector<claims::Condition> c21, c22a, c22b, c23, c24;
    std::string list21, list22, list24;
    for (std::size_t t = 0; t < nT; ++t) {
      const std::string label = fmt::format("T = {}", format_key(temps[t]));
      c21.push_back(claims::seed_condition(label, fmt::format("corr(ln A_1 - ln A_uniform, ln C) over r = 1..{}, {}", R, over),
                                           values(t, [](const ModelStats& m) { return m.rho1; }), mT, "above",
                                           kShapeCorrelation));
      c22a.push_back(claims::seed_condition(label, "decay rate of A_1 / A_uniform over that of C, r = 1.." +
                                                       std::to_string(R) + ", " + over,
                                            values(t, [&](const ModelStats& m) { return m.kappa1 / nulls[t].kappa_C; }), mT,
                                            "within", 1 / kDecayFactor, kDecayFactor));
      c24.push_back(claims::seed_condition(label, "change of log p_model(s_L | s_<L) when s_1 flips, over the exact "
                                                  "change (regression slope), " + over,
                                           values(t, [](const ModelStats& m) { return m.flip_slope; }), mT, "within",
                                           kFlipLow, kFlipHigh));
      const auto& g = agg[t];
      list21 += fmt::format("{}{}: {:.2f} [{:.2f}, {:.2f}] (untrained {:.2f}, uniform 0, constant {:.2f})", t ? "; " : "",
                            label, g.rho.mean, g.rho.lower, g.rho.upper,
                            mean(t, [](const ModelStats& m) { return m.rho_untrained; }), nulls[t].rho_constant);
      list22 += fmt::format("{}{}: {:.2f} [{:.2f}, {:.2f}]", t ? "; " : "", label, g.kappa_ratio.mean, g.kappa_ratio.lower,
                            g.kappa_ratio.upper);
      list24 += fmt::format("{}{}: {:.2f} [{:.2f}, {:.2f}] (best head's weight on s_1 {:.2f})", t ? "; " : "", label,
                            g.flip.mean, g.flip.lower, g.flip.upper, g.first.mean);
    }
    // 2.2b, the other reading: neighbours at low T, diffuse at high T (layer 1)
    const auto prev_low = values(0, [](const ModelStats& m) { return m.prev1; }),
               prev_high = values(nT - 1, [](const ModelStats& m) { return m.prev1; });
    const auto D_low = values(0, [](const ModelStats& m) { return m.D1; }),
               D_high = values(nT - 1, [](const ModelStats& m) { return m.D1; });
    c22b.push_back(claims::difference_condition(
        "previous spin", fmt::format("layer-1 weight on the previous spin, T = {} minus T = {}, over training seeds",
                                     format_key(temps.front()), format_key(temps.back())),
        prev_low, prev_high, 2, "above", 0.0));
    c22b.push_back(claims::difference_condition(
        "distance", fmt::format("layer-1 mean attention distance D_1 (sites), T = {} minus T = {}, over training seeds",
                                format_key(temps.back()), format_key(temps.front())),
        D_high, D_low, 2, "above", 0.0));
    // 2.3: one pre-declared statistic (D_1), a permutation test of the temperature labels over all models
    std::vector<double> D_all;
    std::vector<int> group;
    for (const auto& m : stats) D_all.push_back(m.D1), group.push_back(static_cast<int>(t_index(m.T)));
    const double p_track = permutation_p(D_all, group, mT, kPermutations, cfg.seed + 77);
    const double p_se = std::sqrt(p_track * (1 - p_track) / kPermutations);
    c23.push_back(claims::interval_condition("all temperatures",
                                             fmt::format("permutation p-value of D_1 across the {} temperatures "
                                                         "({} models; {} permutations, interval: 3 Monte Carlo s.e.)",
                                                         nT, stats.size(), kPermutations),
                                             p_track, std::max(0.0, p_track - 3 * p_se), std::min(1.0, p_track + 3 * p_se),
                                             "below", kTrackAlpha));
    auto claim = [&](const char* id, const char* kind, const std::string& text, const std::string& src,
                     const std::string& measured, const std::string& criterion, const std::vector<claims::Condition>& c) {
      return nlohmann::json{{"id", id}, {"kind", kind}, {"claim", text}, {"source", src}, {"measured", measured},
                            {"criterion", criterion}, {"conditions", claims::to_json(c)}, {"verdict", claims::verdict(c)}};
    };
    const auto pl = claims::seed_interval(prev_low), ph = claims::seed_interval(prev_high);
    const auto dl = claims::seed_interval(D_low), dh = claims::seed_interval(D_high);
    nlohmann::json chapter_claims = {
        {"chapter", "02-attention-vs-correlation"},
        {"title", "Is layer-1 attention the correlation function?"},
        {"claims",
         {claim("2.1", "source", "Layer-1 attention weights approximate the correlation function C(|i-j|)",
                source + ", What the Model Learns, 2",
                fmt::format("corr(ln A_1 - ln A_uniform, ln C) over r = 1..{}, {}: {}", R, over, list21),
                fmt::format("at every T the lower bound above {:g} (uniform attention gives 0, a constant A(r) a "
                            "negative value, so the threshold lies above every null)",
                            kShapeCorrelation),
                c21),
          claim("2.2a", "source", "The decay of attention with distance follows the correlation length xi(T)",
                source + ", Connection to Statistical Physics",
                fmt::format("decay rate of A_1 / A_uniform over that of the exact C(r), r = 1..{}: {}", R, list22),
                fmt::format("at every T the interval within [1/{:g}, {:g}]", kDecayFactor, kDecayFactor), c22a),
          claim("2.2b", "source",
                "Low T: attention focuses on nearby spins; high T: attention is diffuse (the same section, the "
                "opposite reading)",
                source + ", Connection to Statistical Physics",
                fmt::format("layer-1 weight on the previous spin {:.3f} at T = {} against {:.3f} at T = {}; mean "
                            "attention distance D_1 {:.2f} against {:.2f} sites",
                            pl.mean, format_key(temps.front()), ph.mean, format_key(temps.back()), dl.mean, dh.mean),
                "both differences (previous-spin weight low T minus high T; D_1 high T minus low T) above 0, 95% "
                "simultaneous intervals over training seeds",
                c22b),
          claim("2.3", "source",
                "Phase-transition tracking: models at different T show systematically different attention",
                source + ", What the Model Learns, 3",
                fmt::format("permutation test of the temperature labels on D_1 over {} models: p = {:.3g}", stats.size(),
                            p_track),
                fmt::format("p below {:g} (pre-declared statistic D_1; the chain has no transition at T > 0, so at "
                            "most temperature tracking can be shown)",
                            kTrackAlpha),
                c23),
          claim("2.4", "reference",
                "An ideal model of the ring needs the previous and the first spin: the prediction of s_L uses s_1 as "
                "the exact conditional does",
                "reference sheet ising-chain.md, The autoregressive view",
                fmt::format("flip s_1 on exact samples; slope of the change of log p_model(s_L | s_<L) against the exact "
                            "change: {}",
                            list24),
                fmt::format("at every T the interval within [{:g}, {:g}] (a causal test through the conditionals; "
                            "attention weights alone do not say what is used)",
                            kFlipLow, kFlipHigh),
                c24)}}};
    claims::write_claims(path("claims.json"), chapter_claims, "--out");

    // ---- 4. values quoted in the text ------------------------------------------------------------------
    auto iv = [](const claims::SeedInterval& I, const char* f) {
      return fmt::format(fmt::runtime(std::string(f) + " [" + f + ", " + f + "]"), I.mean, I.lower, I.upper);
    };
    std::string table = fmt::format(
        "| T | xi | corr(ln A_1/A_unif, ln C), {} seeds | untrained | constant A | shuffled | decay rate A_1/A_unif "
        "over C's | cos(A_1, C) | cos, uniform | cos, constant A |\n|---|---|---|---|---|---|---|---|---|---|\n",
        nS);
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& g = agg[t];
      const auto& nu = nulls[t];
      table += fmt::format("| {} | {:.2f} | {} | {:.2f} | {:.2f} | {} | {} | {:.3f} ({:.3f} … {:.3f}) | {:.3f} | {:.3f} |\n",
                           format_key(temps[t]), nu.xi, iv(g.rho, "{:.2f}"),
                           mean(t, [](const ModelStats& m) { return m.rho_untrained; }), nu.rho_constant,
                           std::isfinite(nu.rho_shuffled) ? fmt::format("{:.2f}", nu.rho_shuffled) : std::string("–"),
                           iv(g.kappa_ratio, "{:.2f}"), g.cos.mean, g.cos.min, g.cos.max, nu.cos_uniform, nu.cos_constant);
    }
    results["similarity_table"] = table;
    std::string mass = "| T | previous spin, L1 | start token, L1 | D_1 (sites) | D_1 untrained | s_1 at last query, best head "
                       "| flip response at s_L (model / exact) | excess loss at s_L (chapter 1) |\n|---|---|---|---|---|---|---|---|\n";
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& g = agg[t];
      const auto ex = claims::seed_interval(values(t, [](const ModelStats& m) { return m.last_excess.value; }));
      mass += fmt::format("| {} | {:.3f} ({:.3f} … {:.3f}) | {:.3f} | {:.2f} ({:.2f} … {:.2f}) | {:.2f} | {:.3f} ({:.3f} … {:.3f}) "
                          "| {} | {} |\n",
                          format_key(temps[t]), g.prev1.mean, g.prev1.min, g.prev1.max,
                          mean(t, [](const ModelStats& m) { return m.start1; }), g.D1.mean, g.D1.min, g.D1.max,
                          mean(t, [](const ModelStats& m) { return m.D_untrained; }), g.first.mean, g.first.min, g.first.max,
                          iv(g.flip, "{:.2f}"),
                          std::isfinite(ex.mean) ? fmt::format("{:.1e} ({:.1e} … {:.1e})", ex.mean, ex.min, ex.max)
                                                 : std::string("–"));
    }
    results["mass_table"] = mass;
    results["claims_table"] = lab::claims_markdown({chapter_claims});
    results["shape_threshold"] = fmt::format("{:g}", kShapeCorrelation);
    results["decay_factor"] = fmt::format("{:g}", kDecayFactor);
    results["track_alpha"] = fmt::format("{:g}", kTrackAlpha);
    results["permutations"] = lab::format_thousands(kPermutations);
    results["flip_low"] = fmt::format("{:g}", kFlipLow);
    results["flip_high"] = fmt::format("{:g}", kFlipHigh);
    results["p_track"] = fmt::format("{:.3g}", p_track);
    results["cos_constant_Tmin"] = fmt::format("{:.4f}", nulls.front().cos_constant);
    results["cos_trained_Tmin"] = fmt::format("{:.4f}", agg.front().cos.mean);
    results["cos_uniform_Tmid"] = fmt::format("{:.3f}", nulls[mid].cos_uniform);
    results["cos_trained_Tmid"] = fmt::format("{:.3f}", agg[mid].cos.mean);
    results["prev_low"] = fmt::format("{:.3f}", pl.mean);
    results["prev_high"] = fmt::format("{:.3f}", ph.mean);
    results["D_low"] = fmt::format("{:.2f}", dl.mean);
    results["D_high"] = fmt::format("{:.2f}", dh.mean);
    std::vector<std::string> shuffled_T, shuffled_nll;
    for (std::size_t t = 0; t < nT; ++t)
      if (std::isfinite(nulls[t].shuffled_val_nll))
        shuffled_T.push_back(format_key(temps[t])), shuffled_nll.push_back(fmt::format("{:.4f}", nulls[t].shuffled_val_nll));
    results["shuffled_temperatures"] = fmt::format("{}", fmt::join(shuffled_T, " and "));
    results["shuffled_val_nll"] = fmt::format("{}", fmt::join(shuffled_nll, " and "));
    results["shuffled_steps"] = cfg.shuffled_steps;
    results["shuffled_batch"] = cfg.shuffled_batch;
    results["shuffled_n"] = cfg.shuffled_n;
    for (const auto& [name, index] : shown) results["map_T_" + name] = format_key(temps[index]);
    results["tmin"] = format_key(temps.front());
    results["tmax"] = format_key(temps.back());
    results["tmid"] = format_key(temps[mid]);
    const char* ids[] = {"21", "22a", "22b", "23", "24"};
    for (std::size_t k = 0; k < 5; ++k) results[std::string("verdict_") + ids[k]] = chapter_claims["claims"][k]["verdict"];
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
    results["wall_s"] = fmt::format("{:.0f}", wall);

    const std::string temp_words = lab::format_keys(temps);
    std::string shuffled_words;
    for (const auto& s : shuffled_T) shuffled_words += (shuffled_words.empty() ? "" : " ") + s;
    lab::write_file_atomically(
        path("plot_vars.gp"),
        fmt::format("temps = \"{}\"\nshuffled_temps = \"{}\"\nL = {}\nR = {}\nheads = {}\nlayers = {}\n"
                    "map_T_low = \"{}\"\nmap_T_mid = \"{}\"\nmap_T_high = \"{}\"\nshape_threshold = {:g}\n"
                    "flip_low = {:g}\nflip_high = {:g}\ndecay_factor = {:g}\nseeds = {}\n",
                    temp_words, shuffled_words, L, R, n_heads, n_layers, format_key(temps[0]), format_key(temps[mid]),
                    format_key(temps[nT - 1]), kShapeCorrelation, kFlipLow, kFlipHigh, kDecayFactor, nS));
    // results.json last: its presence marks a finished run for make.
    lab::write_file_atomically(path("results.json"), results.dump(2) + "\n");
    fmt::print(stderr, "ch02: {} models analysed in {:.1f} s\n", entries.size(), wall);
  }, lab::ChapterErrors::all);
}
