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
#include <array>
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
#include "lab/chapter.hpp"
#include "lab/gate.hpp"
#include "lab/intervals.hpp"
#include "lab/progress.hpp"
#include "lab/report.hpp"
#include "lab/rng.hpp"
#include "lab/run_metadata.hpp"
#include "lab/statistics.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"
#include "lab/verdict.hpp"

#include "attention_claims.hpp"
#include "attention_vs_correlation.hpp"
#include "../01-boltzmann-recovery/claims.hpp"

using namespace spinformer;
using lab::format_key;
namespace fs = std::filesystem;

// ---- configuration ------------------------------------------------------------------------------
struct Config {
  std::size_t n_eval = 2000;   // exact samples per temperature on which attention is measured
  int blocks = 40;             // the samples in blocks: block standard errors
  int shuffled_temperatures = 2;    // shuffled-position null: lowest and highest T of the grid
  std::size_t shuffled_n = 10'000;  // its training samples
  long shuffled_steps = 300;        // its (short) training
  int shuffled_batch = 256;
  int threads = 1;  // small batches: a second thread gains little and stalls on a busy machine
  std::uint64_t seed = 20261202;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, n_eval, blocks, shuffled_temperatures, shuffled_n, shuffled_steps,
                                   shuffled_batch, threads, seed)

int main(int argc, char** argv) {
  // the models are measured one after another: one worker; --workers changes nothing here
  lab::Chapter chapter{"ch02", "Chapter 2: is layer-1 attention the correlation function?", SPINFORMER_CODE_HASH, 1};
  std::string ch01_dir;
  chapter.option("--models", ch01_dir, "chapter 1's output directory (default: <out>/../ch01)");
  const lab::Profiles profiles{{"paper", {}},
                               {"quick",
                                {{"n_eval", 400},
                                 {"blocks", 20},
                                 {"shuffled_temperatures", 1},
                                 {"shuffled_n", 2000},
                                 {"shuffled_steps", 40},
                                 {"shuffled_batch", 128}}}};
  return chapter.run<Config>(argc, argv, profiles, [&](lab::Chapter& ch, const Config& declared) {
    Config cfg = declared;
    cfg.threads = ch.threads_or(cfg.threads);
    if (ch01_dir.empty()) ch01_dir = (fs::path(ch.path("")) / ".." / "ch01").lexically_normal().string();
    auto path = [&](const std::string& name) { return ch.path(name); };
    gpt::set_threads(cfg.threads);
    const auto clock_start = std::chrono::steady_clock::now();

    // ---- 1. the models chapter 1 trained: every temperature, every training seed -------------------
    const auto entries = read_models(ch01_dir);
    for (const auto& e : entries)  // a missing model is named before anything else is judged
      if (!fs::exists(e.path)) throw lab::UsageError("--models", fmt::format("{}: no such model file", e.path));
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
    if (nT < 2) throw lab::UsageError("--models", "chapter 1's models cover one temperature; chapter 2 needs two or more");
    std::vector<std::size_t> shuffled_at{0};
    if (cfg.shuffled_temperatures > 1 && nT > 1) shuffled_at.push_back(nT - 1);
    std::size_t mid = 0;
    for (std::size_t t = 0; t < nT; ++t)
      if (std::abs(std::log(temps[t])) < std::abs(std::log(temps[mid]))) mid = t;
    const std::vector<std::pair<std::string, std::size_t>> shown{{"low", 0}, {"mid", mid}, {"high", nT - 1}};

    nlohmann::json& results = ch.results();
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
      double xi = 0, kappa_C = 0, cos_uniform = 0, cos_constant = 0, cos_shuffled = NAN, rho_shuffled = NAN,
             shuffled_val_nll = NAN;
      double flip_exact = NAN, flip_open = NAN;  // 2.4's controls: the exact and the open chain's conditionals
      std::vector<double> C, A_uniform, P_uniform, A_shuffled, P_shuffled, exact_flip_abs;
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
      if (nu.C.empty()) {
        nu.C = exact.connected_correlation();
        nu.xi = exact.correlation_length();
        nu.A_uniform = uniform.A[0];
        nu.P_uniform = spin_summary(head_mean(uniform_maps(1, 1, L), 0), L).profile;
        const std::vector<double> constant(L, 1.0);
        nu.cos_uniform = cosine(range_of(uniform.A[0], R), range_of(nu.C, R));
        nu.cos_constant = cosine(range_of(constant, R), range_of(nu.C, R));
      }
      // the layer's weights averaged over heads, and what the sink-free statistics read off them
      auto shape_of = [&](const Maps& maps, int layer) { return shape_against(head_mean(maps, layer), L, nu.C, R); };
      const Measured trained = measure(model, samples, cfg.blocks);
      const gpt::Model fresh(model.config(), s0 + 1 + 100 * e.seed_index);
      const Measured untrained = measure(fresh, samples, cfg.blocks);
      ModelStats m;
      m.T = T, m.seed = e.seed_index;
      m.A1 = trained.f.A[0], m.A2 = trained.f.A[1];
      m.cos1 = cosine(range_of(m.A1, R), range_of(nu.C, R));
      const std::vector<double> w1 = head_mean(trained.total, 0), w2 = head_mean(trained.total, 1);
      read_attention(m, w1, w2, nu.C, L, R, e.chain.J);
      nu.kappa_C = shape_against(w1, L, nu.C, R).rate_C;  // C's decay rate on the pairs the statistic reads
      m.cos_untrained = cosine(range_of(untrained.f.A[0], R), range_of(nu.C, R));
      const Shape shape_untrained = shape_of(untrained.total, 0);
      m.rho_untrained = shape_untrained.rho, m.kappa_untrained = shape_untrained.rate_ratio;
      m.D_untrained = spin_summary(head_mean(untrained.total, 0), L).distance;
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
        // 2.4's controls, through the same slope: conditionals that are the exact ones (positive: slope 1),
        // and those of the open chain of the same J and T, which has no closing bond and so does not
        // depend on s_1 at all (negative: slope 0)
        if (!std::isfinite(nu.flip_exact)) {
          auto log_conditionals_of = [&](const ising::ExactChain& chain, const ising::SpinSamples& s) {
            std::vector<double> out(s.size() * L, 0.0);
            for (std::size_t k = 0; k < s.size(); ++k)
              for (int i = 1; i < L; ++i) out[k * L + i] = chain.log_conditional(s.row(k), i);
            return out;
          };
          auto last_spin_slope = [&](const std::vector<double>& b, const std::vector<double>& a) {
            double xy = 0, yy = 0;
            for (std::size_t k = 0; k < samples.size(); ++k) {
              const double dm = a[k * L + L - 1] - b[k * L + L - 1];
              const double de = exact.log_conditional(flipped.row(k), L - 1) - exact.log_conditional(samples.row(k), L - 1);
              xy += dm * de, yy += de * de;
            }
            return yy > 0 ? xy / yy : NAN;
          };
          ising::Chain open_chain = e.chain;
          open_chain.boundary = ising::Boundary::open;
          const ising::ExactChain open(open_chain);
          nu.flip_exact = last_spin_slope(log_conditionals_of(exact, samples), log_conditionals_of(exact, flipped));
          nu.flip_open = last_spin_slope(log_conditionals_of(open, samples), log_conditionals_of(open, flipped));
        }
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
        const nlohmann::json slice{{"L", L},           {"T", T},           {"J", e.chain.J},   {"h", e.chain.h},
                                   {"boundary", "periodic"}, {"model", e.path}, {"training_seed", 0},
                                   {"samples_seed", s0}};
        ch.table(fmt::format("query_T{}.tsv", format_key(T)), per_query, "", {}, slice);
        meta.parameters() = slice;
        meta.parameters()["config"] = ch.config();
        meta.set_seed(s0);
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
          nu.P_shuffled = spin_summary(head_mean(shuffled.total, 0), L).profile;
          nu.cos_shuffled = cosine(range_of(shuffled.f.A[0], R), range_of(nu.C, R));
          nu.rho_shuffled = shape_of(shuffled.total, 0).rho;
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
    lab::Table per_model{{"T", "seed", "cos1", "rho1", "kappa1", "rho1_sink", "cos_untrained", "rho_untrained",
                          "kappa_untrained", "prev1", "prev2", "start1", "start2", "sink1", "sink2", "D1", "D2",
                          "D_untrained", "first_best", "flip_slope", "last_excess", "last_excess_err", "ctrl_C_rho",
                          "ctrl_C_kappa", "ctrl_C_rho_sink", "ctrl_uniform_rho", "ctrl_uniform_kappa", "ctrl_C_prev",
                          "ctrl_C_D", "ctrl_widening_prev", "ctrl_widening_D", "ctrl_uniform_D"},
                         {}};
    for (const auto& m : stats)
      per_model.add({m.T, double(m.seed), m.cos1, m.rho1, m.kappa1, m.rho1_sink, m.cos_untrained, m.rho_untrained,
                     m.kappa_untrained, m.prev1, m.prev2, m.start1, m.start2, m.sink1, m.sink2, m.D1, m.D2,
                     m.D_untrained, m.first_best, m.flip_slope, m.last_excess.value, m.last_excess.error,
                     m.ctrl_C.rho, m.ctrl_C.rate_ratio, m.ctrl_C_rho_sink, m.ctrl_uniform.rho, m.ctrl_uniform.rate_ratio,
                     m.ctrl_C_spins.prev, m.ctrl_C_spins.distance, m.ctrl_widening_spins.prev,
                     m.ctrl_widening_spins.distance, m.ctrl_uniform_spins.distance});
    const nlohmann::json design{{"L", L}, {"J", 1.0}, {"h", 0.0}, {"boundary", "periodic"}, {"R", R}, {"seeds", nS}};
    auto with_columns = [&](const std::string& columns) {
      nlohmann::json p = design;
      p["columns"] = columns;
      return p;
    };
    ch.table("models.tsv", per_model, "", {},
                       with_columns( "one row per trained model (temperature, chapter 1's training seed). Layer 1, head "
                                    "mean, spin keys 2..t of each query (s_1 and the start token left out): rho1 = "
                                    "within-query corr(ln w, ln C), r = 1..R; kappa1 = within-query decay rate of ln w "
                                    "over that of ln C; prev, D: weight on the previous spin and mean distance, "
                                    "renormalised over the spin keys; start, sink: weight on the start token and on "
                                    "s_1 (queries 2..L-1). rho1_sink: the former statistic with s_1 kept. ctrl_*: "
                                    "attention written by hand (proportional to C, uniform, widening with T) with this "
                                    "model's start-token and s_1 weights. flip_slope: response of log p_model(s_L | "
                                    "s_<L) to flipping s_1 over the exact response"));
    struct Agg {
      claims::SeedInterval rho, kappa_ratio, flip, cos, prev1, D1, first, sink1;
    };
    std::vector<Agg> agg(nT);
    lab::Table summary{{"T", "xi", "kappa_C", "rho1", "rho1_lo", "rho1_hi", "rho1_min", "rho1_max", "rho_untrained",
                        "rho_shuffled", "rho1_sink", "ctrl_C_rho", "ctrl_C_rho_sink", "kappa_ratio", "kappa_ratio_lo",
                        "kappa_ratio_hi", "kappa_ratio_min", "kappa_ratio_max", "kappa_ratio_untrained", "flip",
                        "flip_lo", "flip_hi", "flip_min", "flip_max", "cos1", "cos1_min", "cos1_max", "cos_untrained",
                        "cos_uniform", "cos_constant", "cos_shuffled", "prev1", "prev1_min", "prev1_max", "D1",
                        "D1_min", "D1_max", "D_untrained", "first_best", "first_best_min", "first_best_max", "sink1",
                        "sink1_min", "sink1_max", "start1"},
                       {}};
    const int mT = static_cast<int>(nT);
    // intervals over training seeds, simultaneous over the temperatures of a claim (Bonferroni)
    const double level_T = lab::bonferroni_level(nT);
    std::vector<lab::Interval> rho_ci(nT);
    for (std::size_t t = 0; t < nT; ++t) {
      const Nulls& nu = nulls[t];
      Agg& g = agg[t];
      g.rho = claims::seed_interval(values(t, [](const ModelStats& m) { return m.rho1; }), mT);
      rho_ci[t] = correlation_interval(values(t, [](const ModelStats& m) { return m.rho1; }), level_T);
      g.kappa_ratio = claims::seed_interval(values(t, [](const ModelStats& m) { return m.kappa1; }), mT);
      g.flip = claims::seed_interval(values(t, [](const ModelStats& m) { return m.flip_slope; }), mT);
      g.cos = claims::seed_interval(values(t, [](const ModelStats& m) { return m.cos1; }));
      g.prev1 = claims::seed_interval(values(t, [](const ModelStats& m) { return m.prev1; }));
      g.D1 = claims::seed_interval(values(t, [](const ModelStats& m) { return m.D1; }));
      g.first = claims::seed_interval(values(t, [](const ModelStats& m) { return m.first_best; }));
      g.sink1 = claims::seed_interval(values(t, [](const ModelStats& m) { return m.sink1; }));
      summary.add({temps[t], nu.xi, nu.kappa_C, rho_ci[t].estimate, rho_ci[t].lower, rho_ci[t].upper, g.rho.min,
                   g.rho.max, mean(t, [](const ModelStats& m) { return m.rho_untrained; }), nu.rho_shuffled,
                   mean(t, [](const ModelStats& m) { return m.rho1_sink; }),
                   mean(t, [](const ModelStats& m) { return m.ctrl_C.rho; }),
                   mean(t, [](const ModelStats& m) { return m.ctrl_C_rho_sink; }), g.kappa_ratio.mean,
                   g.kappa_ratio.lower, g.kappa_ratio.upper, g.kappa_ratio.min, g.kappa_ratio.max,
                   mean(t, [](const ModelStats& m) { return m.kappa_untrained; }), g.flip.mean, g.flip.lower,
                   g.flip.upper, g.flip.min, g.flip.max, g.cos.mean, g.cos.min, g.cos.max,
                   mean(t, [](const ModelStats& m) { return m.cos_untrained; }), nu.cos_uniform, nu.cos_constant,
                   nu.cos_shuffled, g.prev1.mean, g.prev1.min, g.prev1.max, g.D1.mean, g.D1.min, g.D1.max,
                   mean(t, [](const ModelStats& m) { return m.D_untrained; }), g.first.mean, g.first.min, g.first.max,
                   g.sink1.mean, g.sink1.min, g.sink1.max, mean(t, [](const ModelStats& m) { return m.start1; })});
      // A(r) beside C(r): mean over seeds and the seed range; nulls. P1: the sink-free profile (spin keys
      // 2..t renormalised), and its ratio to uniform attention over the same keys, normalised at r = 1.
      lab::Table profile{{"r", "C_exact", "A1", "A1_min", "A1_max", "A2", "A2_min", "A2_max", "A_uniform", "A1_shuffled",
                          "C_over_C1", "P1", "P1_min", "P1_max", "P_uniform", "P1_over_uniform_at_1",
                          "P1_shuffled_over_uniform_at_1"},
                         {}};
      const auto p11 = claims::seed_interval(values(t, [](const ModelStats& m) { return m.P1[1]; }));
      for (int r = 1; r < L; ++r) {
        const auto a1 = claims::seed_interval(values(t, [r](const ModelStats& m) { return m.A1[r]; }));
        const auto a2 = claims::seed_interval(values(t, [r](const ModelStats& m) { return m.A2[r]; }));
        const auto p1 = claims::seed_interval(values(t, [r](const ModelStats& m) { return m.P1[r]; }));
        const double pu = nu.P_uniform[r], pu1 = nu.P_uniform[1];
        profile.add({double(r), nu.C[r], a1.mean, a1.min, a1.max, a2.mean, a2.min, a2.max, nu.A_uniform[r],
                     nu.A_shuffled.empty() ? NAN : nu.A_shuffled[r], nu.C[r] / nu.C[1], p1.mean, p1.min, p1.max, pu,
                     (p1.mean / pu) / (p11.mean / pu1),
                     nu.P_shuffled.empty() ? NAN : (nu.P_shuffled[r] / pu) / (nu.P_shuffled[1] / pu1)});
      }
      auto at_T = [&](const std::string& columns) {
        nlohmann::json p = with_columns(columns);
        p["T"] = temps[t];
        return p;
      };
      ch.table(fmt::format("profile_T{}.tsv", format_key(temps[t])), profile, "", {},
                         at_T("A1, A2: mean weight at distance r over heads and queries (s_1 kept), mean over "
                                      "training seeds; _min, _max: the seed range. P1: layer 1, spin keys 2..t of each "
                                      "query renormalised (s_1 left out); P_uniform: uniform attention over the same "
                                      "keys; P1_over_uniform_at_1: (P1 / P_uniform) / its value at r = 1"));
      lab::Table flip{{"predicted_spin", "exact", "model", "model_min", "model_max"}, {}};
      for (int i = 1; i < L; ++i) {
        const auto f = claims::seed_interval(values(t, [i](const ModelStats& m) { return m.flip_abs[i]; }));
        flip.add({double(i + 1), nu.exact_flip_abs[i], f.mean, f.min, f.max});
      }
      ch.table(fmt::format("flip_T{}.tsv", format_key(temps[t])), flip, "", {},
               at_T("mean |log p(s_k | s_<k with s_1 flipped) - log p(s_k | s_<k)| on exact samples; "
                    "model: mean over training seeds, and the seed range"));
    }
    ch.table("summary.tsv", summary, "", {},
             with_columns("rho1 with rho1_lo/hi: mean over training seeds on Fisher's z, "
                          "Student-t interval mapped back; kappa_ratio_lo/hi, flip_lo/hi: "
                          "Student-t intervals over training seeds; all 95% simultaneous "
                          "over the temperatures (Bonferroni)"));

    // ---- 3. claims, each with a positive and a negative control run through its statistic and criterion --
    std::vector<nlohmann::json> context;  // chapter 1's claims beside its models, for 2.4's prerequisite 1.4
    if (fs::exists(ch01_dir + "/claims.json"))
      context.push_back(nlohmann::json::parse(lab::read_file(ch01_dir + "/claims.json", "--models")));
    std::vector<double> flip_exact, flip_open;
    for (const auto& nu : nulls) flip_exact.push_back(nu.flip_exact), flip_open.push_back(nu.flip_open);
    const Judged judged = judge_claims(temps, stats, flip_exact, flip_open, cfg.seed, context);
    const nlohmann::json& chapter_claims = judged.claims;
    const lab::Interval &p_track = judged.p_track, &p_track_pos = judged.p_track_pos, &p_track_neg = judged.p_track_neg;
    const auto kappa1 = [](const ModelStats& m) { return m.kappa1; };
    const auto flip = [](const ModelStats& m) { return m.flip_slope; };
    const auto pl = claims::seed_interval(values(0, [](const ModelStats& m) { return m.prev1; })),
               ph = claims::seed_interval(values(nT - 1, [](const ModelStats& m) { return m.prev1; }));
    const auto dl = claims::seed_interval(values(0, [](const ModelStats& m) { return m.D1; })),
               dh = claims::seed_interval(values(nT - 1, [](const ModelStats& m) { return m.D1; }));
    lab::write_claims(path("claims.json"), chapter_claims, "--out");
    auto verdict_of_id = [&](const std::string& id) -> std::string {
      for (const auto& c : chapter_claims["claims"])
        if (c["id"] == id) return c["verdict"];
      return "";
    };

    // ---- 4. values quoted in the text ------------------------------------------------------------------
    auto ci = [](const lab::Interval& I, const char* f) {
      return fmt::format(fmt::runtime(std::string(f) + " [" + f + ", " + f + "]"), I.estimate, I.lower, I.upper);
    };
    std::string table = fmt::format(
        "| T | xi | within-query corr(ln w, ln C), sink left out, {} seeds | seed range | untrained | shuffled | "
        "former statistic (s_1 kept) | attention = C(r) (2.1p) | decay rate over C's | cos(A_1, C) | cos, uniform |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n",
        nS);
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& g = agg[t];
      const auto& nu = nulls[t];
      const auto kr = lab::finite_t_interval(values(t, kappa1), level_T);
      table += fmt::format("| {} | {:.2f} | {} | {:.2f} … {:.2f} | {:.2f} | {} | {:.2f} | {:.2f} | {} | {:.3f} | {:.3f} |\n",
                           format_key(temps[t]), nu.xi, ci(rho_ci[t], "{:.2f}"), g.rho.min, g.rho.max,
                           mean(t, [](const ModelStats& m) { return m.rho_untrained; }),
                           std::isfinite(nu.rho_shuffled) ? fmt::format("{:.2f}", nu.rho_shuffled) : std::string("–"),
                           mean(t, [](const ModelStats& m) { return m.rho1_sink; }),
                           mean(t, [](const ModelStats& m) { return m.ctrl_C.rho; }), ci(kr, "{:.2f}"), g.cos.mean,
                           nu.cos_uniform);
    }
    results["similarity_table"] = table;
    std::string mass = "| T | weight on s_1 (sink), L1 | start token, L1 | previous spin, L1 (spin keys) | D_1 (sites) | "
                       "D_1 untrained | s_1 at last query, best head | flip response at s_L (model / exact) | excess "
                       "loss at s_L (chapter 1) |\n|---|---|---|---|---|---|---|---|---|\n";
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& g = agg[t];
      const auto ex = claims::seed_interval(values(t, [](const ModelStats& m) { return m.last_excess.value; }));
      const auto fl = lab::finite_t_interval(values(t, flip), level_T);
      mass += fmt::format("| {} | {:.3f} ({:.3f} … {:.3f}) | {:.3f} | {:.3f} ({:.3f} … {:.3f}) | {:.2f} ({:.2f} … {:.2f}) "
                          "| {:.2f} | {:.3f} ({:.3f} … {:.3f}) | {} | {} |\n",
                          format_key(temps[t]), g.sink1.mean, g.sink1.min, g.sink1.max,
                          mean(t, [](const ModelStats& m) { return m.start1; }), g.prev1.mean, g.prev1.min,
                          g.prev1.max, g.D1.mean, g.D1.min, g.D1.max,
                          mean(t, [](const ModelStats& m) { return m.D_untrained; }), g.first.mean, g.first.min,
                          g.first.max, ci(fl, "{:.2f}"),
                          std::isfinite(ex.mean) ? fmt::format("{:.1e} ({:.1e} … {:.1e})", ex.mean, ex.min, ex.max)
                                                 : std::string("–"));
    }
    results["mass_table"] = mass;
    // the controls of every graded claim and their verdicts
    std::string controls = "| claim | positive control (must pass) | verdict | negative control (must fail) | verdict |\n"
                           "|---|---|---|---|---|\n";
    const std::vector<std::array<std::string, 5>> control_rows{
        {"2.1", "2.1p", "attention = C(r)", "2.1n", "uniform"},
        {"2.2a", "2.2ap", "attention = C(r)", "2.2an", "uniform"},
        {"2.2b", "2.2bp", "widening with T", "2.2bn", "attention = C(r)"},
        {"2.3", "2.3p", "widening with T", "2.3n", "uniform"},
        {"2.4", "2.4p", "exact conditionals", "2.4n", "open chain's conditionals"}};
    for (const auto& [id, pos, pos_what, neg, neg_what] : control_rows) {
      // a negative control "reproduced" means the claim's criterion rejected it, as it must
      controls += fmt::format("| {} | {}: {} | {} | {}: {} | {} |\n", id, pos, pos_what, verdict_of_id(pos), neg, neg_what,
                              verdict_of_id(neg) == "reproduced" ? "fails, as it must (reproduced)"
                                                                 : verdict_of_id(neg) + ": the criterion let it pass");
    }
    results["controls_table"] = controls;
    results["claims_table"] = lab::claims_markdown({chapter_claims});
    results["shape_threshold"] = fmt::format("{:g}", kShapeCorrelation);
    results["decay_factor"] = fmt::format("{:g}", kDecayFactor);
    results["track_alpha"] = fmt::format("{:g}", kTrackAlpha);
    results["permutations"] = lab::format_thousands(kPermutations);
    results["widening"] = fmt::format("{:g}", kWidening);
    results["flip_low"] = fmt::format("{:g}", kFlipLow);
    results["flip_high"] = fmt::format("{:g}", kFlipHigh);
    results["p_track"] = fmt::format("{:.3g}", p_track.estimate);
    results["p_track_pos"] = fmt::format("{:.3g}", p_track_pos.estimate);
    results["p_track_neg"] = fmt::format("{:.3g}", p_track_neg.estimate);
    results["cos_constant_Tmin"] = fmt::format("{:.4f}", nulls.front().cos_constant);
    results["cos_trained_Tmin"] = fmt::format("{:.4f}", agg.front().cos.mean);
    results["cos_uniform_Tmid"] = fmt::format("{:.3f}", nulls[mid].cos_uniform);
    results["cos_trained_Tmid"] = fmt::format("{:.3f}", agg[mid].cos.mean);
    results["prev_low"] = fmt::format("{:.3f}", pl.mean);
    results["prev_high"] = fmt::format("{:.3f}", ph.mean);
    results["D_low"] = fmt::format("{:.2f}", dl.mean);
    results["D_high"] = fmt::format("{:.2f}", dh.mean);
    // the sink, in numbers: its weight, the former statistic's seed range at the highest T, and what the
    // former statistic makes of attention equal to C(r) once the trained sink is added to it
    // how much shape C(r) has to offer the shape statistic: ln C(1) - ln C(R), lowest and highest T
    results["lnC_range_Tmin"] = fmt::format("{:.2f}", std::log(nulls.front().C[1] / nulls.front().C[R]));
    results["lnC_range_Tmax"] = fmt::format("{:.1f}", std::log(nulls.back().C[1] / nulls.back().C[R]));
    results["sink_low"] = fmt::format("{:.2f}", agg.front().sink1.mean);
    results["sink_high"] = fmt::format("{:.2f}", agg.back().sink1.mean);
    const auto sink_rho_high = claims::seed_interval(values(nT - 1, [](const ModelStats& m) { return m.rho1_sink; }));
    results["rho_sink_high_min"] = fmt::format("{:.2f}", sink_rho_high.min);
    results["rho_sink_high_max"] = fmt::format("{:.2f}", sink_rho_high.max);
    const auto ctrl_sink = claims::seed_interval(values(nT - 1, [](const ModelStats& m) { return m.ctrl_C_rho_sink; }));
    results["ctrl_C_rho_sink_high_min"] = fmt::format("{:.2f}", ctrl_sink.min);
    results["ctrl_C_rho_sink_high_max"] = fmt::format("{:.2f}", ctrl_sink.max);
    results["D_means"] = fmt::format("{}", fmt::join([&] {
                                       std::vector<std::string> v;
                                       for (const auto& g : agg) v.push_back(fmt::format("{:.2f}", g.D1.mean));
                                       return v;
                                     }(), ", "));
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
    for (const auto& c : chapter_claims["claims"]) {
      std::string id = c["id"];
      id.erase(std::remove(id.begin(), id.end(), '.'), id.end());
      results["verdict_" + id] = c["verdict"];
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
    results["wall_s"] = fmt::format("{:.0f}", wall);

    const std::string temp_words = lab::format_keys(temps);
    std::string shuffled_words;
    for (const auto& s : shuffled_T) shuffled_words += (shuffled_words.empty() ? "" : " ") + s;
    ch.plot_var("temps", temp_words);
    ch.plot_var("shuffled_temps", shuffled_words);
    ch.plot_var("L", L);
    ch.plot_var("R", R);
    ch.plot_var("heads", n_heads);
    ch.plot_var("layers", n_layers);
    ch.plot_var("map_T_low", format_key(temps[0]));
    ch.plot_var("map_T_mid", format_key(temps[mid]));
    ch.plot_var("map_T_high", format_key(temps[nT - 1]));
    ch.plot_var("shape_threshold", kShapeCorrelation);
    ch.plot_var("flip_low", kFlipLow);
    ch.plot_var("flip_high", kFlipHigh);
    ch.plot_var("decay_factor", kDecayFactor);
    ch.plot_var("seeds", nS);
    fmt::print(stderr, "ch02: {} models analysed in {:.1f} s\n", entries.size(), wall);
  });
}
