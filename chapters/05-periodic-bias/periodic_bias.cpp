// Chapter 5 — Does a periodic attention bias remove boundary effects?
// The note (004_*, remark 7 and sections 9.1-9.2) adds P_ij = f(d(i, j)), d = min(|i - j|, L - |i - j|),
// to attention logits that sum over all keys, and claims it (5.1) mitigates edge effects, (5.2) extends
// the effective correlation length, (5.3) may harm data without periodic structure; section 3.1 claims
// (5.4) that a "critical" softmax scale speeds training. We test these on a bidirectional masked-spin
// model (gpt/masked_model.hpp) whose target, p(s_i | rest), is known exactly on the ring and on an open
// chain with edge fields (ising/ring_conditional.hpp): every model is held against that yardstick.
//
//  1. Trainings (engine jobs, one LibTorch thread each): ring data at several T, four variants (no
//     position, distance bias, periodic bias, learned positions), many seeds; open chain with edge
//     fields; a softmax-scale sweep with the learning rate tuned per scale.
//  2. Tables: excess loss per position, at several training lengths; influence curves; the sweep.
//  3. Claims (claims.cpp) by the verdict rule, and the values the text quotes.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <thread>

#include "code_hash.hpp"
#include "gpt/threads.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter_cli.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"

#include "periodic_bias.hpp"

using namespace spinformer;
using lab::format_key;

namespace spinformer {
Config profile(const std::string& name) {
  Config c;
  if (lab::quick_profile(name)) {
    c.L = 16;
    c.seeds = 2;
    c.temperatures = {1.0, 2.0};
    c.open_temperatures = {1.0};
    c.steps = 100;
    c.batch = 32;
    c.n_test = 128;
    c.n_influence = 64;
    c.curve_points = 3;
    c.scale_L = 16;
    c.scales = {1, 4, 16};
    c.scale_lrs = {3e-3, 1e-2};
    c.scale_steps = 60;
    c.scale_seeds = 2;
  }
  c.workers = std::max(1, std::min<int>(c.workers, static_cast<int>(std::thread::hardware_concurrency())));
  return c;
}

std::vector<Training> make_trainings(const Config& cfg) {
  std::vector<Training> out;
  auto doubled = [](const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  for (double T : cfg.temperatures)
    for (const auto& v : cfg.variants)
      for (int s = 1; s <= cfg.seeds; ++s) {
        out.push_back({"main", "ring", T, v, 1.0, cfg.lr, cfg.steps, cfg.L, s});
        if (doubled(cfg.doubled_variants, v)) out.push_back({"main2x", "ring", T, v, 1.0, cfg.lr, 2 * cfg.steps, cfg.L, s});
      }
  for (double T : cfg.nnn_temperatures)
    for (const auto& v : cfg.nnn_variants)
      for (int s = 1; s <= cfg.seeds; ++s) {
        out.push_back({"nnn", "nnn", T, v, 1.0, cfg.lr, cfg.steps, cfg.L, s});
        out.push_back({"nnn2x", "nnn", T, v, 1.0, cfg.lr, 2 * cfg.steps, cfg.L, s});
      }
  for (double T : cfg.open_temperatures)
    for (const auto& v : cfg.open_variants)
      for (int s = 1; s <= cfg.seeds; ++s) out.push_back({"open", "open", T, v, 1.0, cfg.lr, cfg.steps, cfg.L, s});
  for (double a : cfg.scales)
    for (double lr : cfg.scale_lrs)
      for (int s = 1; s <= cfg.scale_seeds; ++s)
        out.push_back({"scale", "ring", cfg.scale_T, "learned", a, lr, cfg.scale_steps, cfg.scale_L, s});
  return out;
}

std::vector<double> best_scale_lrs(const Config& cfg, const Runs& runs) {
  std::vector<double> best;
  for (double a : cfg.scales) {
    auto area = [&](double lr) {
      return interval(per_seed(select(runs, "scale", "ring", cfg.scale_T, "learned", a, lr), curve_area), 0.95).estimate;
    };
    double b = cfg.scale_lrs[0];
    for (double lr : cfg.scale_lrs)
      if (area(lr) < area(b)) b = lr;
    best.push_back(b);
  }
  return best;
}

std::vector<Training> make_doubled_scale_trainings(const Config& cfg, const std::vector<double>& best_lr) {
  std::vector<Training> out;
  for (std::size_t k = 0; k < cfg.scales.size(); ++k)
    for (int s = 1; s <= cfg.scale_seeds; ++s)
      out.push_back({"scale2x", "ring", cfg.scale_T, "learned", cfg.scales[k], best_lr[k], 2 * cfg.scale_steps, cfg.scale_L, s});
  return out;
}

nlohmann::json training_parameters(const Training& t) {
  return {{"group", t.group}, {"data", t.data}, {"T", t.T}, {"variant", t.variant}, {"scale", t.scale},
          {"lr", t.lr}, {"steps", t.steps}, {"L", t.L}};
}

Training training_from(const nlohmann::json& p, std::uint64_t seed) {
  return {p.at("group"), p.at("data"), p.at("T"), p.at("variant"), p.at("scale"), p.at("lr"), p.at("steps"), p.at("L"),
          static_cast<int>(seed)};
}

std::string training_label(const Training& t) {
  return fmt::format("{} {} T = {} {} scale {:g} lr {:g}, seed {}", t.group, t.data, format_key(t.T), t.variant, t.scale,
                     t.lr, t.seed);
}
}  // namespace spinformer

namespace {
// The configuration that every job's numbers depend on besides its own parameters (part of the key).
nlohmann::json shared_parameters(const Config& c) {
  return {{"mask_spacing", c.mask_spacing}, {"h_edge", c.h_edge}, {"d_model", c.d_model}, {"n_heads", c.n_heads},
          {"n_layers", c.n_layers}, {"d_ff", c.d_ff}, {"batch", c.batch}, {"checkpoints", c.checkpoints},
          {"curve_points", c.curve_points}, {"n_test", c.n_test}, {"n_influence", c.n_influence}, {"J2", c.J2}, {"seed", c.seed}};
}

// Columns "<name>" and "<name>_hw" (95% t half-width over seeds) of a statistic per variant.
void add_mean_hw(std::vector<double>& row, const std::vector<double>& x) {
  const auto iv = interval(x, 0.95);
  row.push_back(iv.estimate);
  row.push_back(x.size() >= 2 ? iv.upper - iv.estimate : NAN);
}
}  // namespace

int main(int argc, char** argv) {
  lab::install_signal_cleanup();
  lab::ChapterOptions opt;
  CLI::App app{"Chapter 5: does a periodic attention bias remove boundary effects? (masked-spin model)"};
  lab::add_chapter_options(app, opt, SPINFORMER_CODE_HASH);
  if (const int status = lab::parse_chapter_args(app, argc, argv, "ch05"); status >= 0) return status;
  return lab::run_chapter("ch05", [&] {
    opt.check();
    const std::string &profile_name = opt.profile, &out_dir = opt.out;
    Config cfg = profile(profile_name);
    cfg.workers = opt.workers_or(cfg.workers);
    gpt::set_threads(opt.threads_or(1));  // torch's thread count is global: one intra-op thread per training
    lab::Engine engine(lab::chapter_engine("ch05", profile_name, out_dir, cfg.workers, SPINFORMER_CODE_HASH));
    engine.define("training", [&](const lab::Job& job, const lab::JobContext& ctx) {
      return run_training(cfg, training_from(job.parameters, job.seed), [&](double f) { ctx.progress(f); });
    });
    if (!engine.root()) return (void)engine.serve();
    lab::require_writable(out_dir + "/results.json", "--out");
    auto path = [&](const std::string& name) { return out_dir + "/" + name; };
    const auto wall_start = std::chrono::steady_clock::now();

    lab::RunMetadata meta("ch05 masked-spin model against the exact conditional p(s_i | rest)");
    meta.set_seed(cfg.seed);
    meta.parameters() = shared_parameters(cfg);
    meta.parameters()["L"] = cfg.L;
    meta.parameters()["steps"] = cfg.steps;
    meta.parameters()["lr"] = cfg.lr;
    meta.parameters()["seeds"] = cfg.seeds;
    meta.parameters()["data"] = "fresh exact samples every step (ring: h = 0; open: field h_edge on both end spins; nnn: ring with next-nearest J2)";
    meta.parameters()["variants"] = cfg.variants;
    meta.parameters()["doubled_variants"] = cfg.doubled_variants;
    meta.parameters()["nnn"] = {{"J2", cfg.J2}, {"T", cfg.nnn_temperatures}, {"variants", cfg.nnn_variants}};
    meta.parameters()["scale_sweep"] = {{"L", cfg.scale_L}, {"T", cfg.scale_T}, {"scales", cfg.scales},
                                        {"lrs", cfg.scale_lrs}, {"steps", cfg.scale_steps}, {"seeds", cfg.scale_seeds}};

    // ---- 1. every training, one JSON result each -------------------------------------------------------
    Runs runs;
    std::size_t n_jobs = 0;
    auto run_all = [&](const std::vector<Training>& trainings) {
      std::vector<lab::Job> jobs;
      for (const auto& t : trainings) {
        auto p = training_parameters(t);
        p["shared"] = shared_parameters(cfg);
        jobs.push_back({training_label(t), p, static_cast<std::uint64_t>(t.seed), {}});
      }
      const auto results_of_jobs = engine.run("training", jobs);
      for (std::size_t j = 0; j < jobs.size(); ++j) {
        auto r = results_of_jobs[j].value;
        r["training"] = training_parameters(trainings[j]);
        runs.push_back(std::move(r));
      }
      n_jobs += jobs.size();
    };
    run_all(make_trainings(cfg));
    // The doubling runs of the scale sweep need its best learning rates: a second round.
    const auto best_lr = best_scale_lrs(cfg, runs);
    run_all(make_doubled_scale_trainings(cfg, best_lr));

    // ---- 2. tables ----------------------------------------------------------------------------------------
    struct Set {
      std::string group, data;
      double T;
      std::vector<std::string> variants;
    };
    std::vector<Set> sets;
    for (double T : cfg.temperatures) sets.push_back({"main", "ring", T, cfg.variants});
    for (double T : cfg.open_temperatures) sets.push_back({"open", "open", T, cfg.open_variants});
    lab::Table lengths{{"data", "T", "variant", "step", "edge", "edge_hw", "bulk", "bulk_hw"}, {}};
    for (const auto& set : sets) {
      std::vector<std::string> cols{"position"};
      std::vector<std::string> ccols{"step"};
      for (const auto& v : set.variants)
        cols.push_back(v), cols.push_back(v + "_hw"), ccols.push_back(v), ccols.push_back(v + "_hw");
      lab::Table profile_table{cols, {}}, curve_table{ccols, {}};
      for (int i = 0; i < cfg.L; ++i) {
        std::vector<double> row{double(i + 1)};
        for (const auto& v : set.variants)
          add_mean_hw(row, per_seed(select(runs, set.group, set.data, set.T, v),
                                    [&](const nlohmann::json& r) { return r["profiles"].back()[std::size_t(i)].get<double>(); }));
        profile_table.add(row);
      }
      const auto first = select(runs, set.group, set.data, set.T, set.variants[0]);
      for (std::size_t c = 0; c < first[0]["curve"].size(); ++c) {
        std::vector<double> row{first[0]["curve_steps"][c].get<double>()};
        for (const auto& v : set.variants)
          add_mean_hw(row, per_seed(select(runs, set.group, set.data, set.T, v),
                                    [&](const nlohmann::json& r) { return r["curve"][c].get<double>(); }));
        curve_table.add(row);
      }
      for (std::size_t vi = 0; vi < set.variants.size(); ++vi)
        for (const std::string group : {set.group, set.group + "2x"}) {
        const auto sel = select(runs, group, set.data, set.T, set.variants[vi]);
        if (sel.empty()) continue;  // no doubling run of this variant
        for (std::size_t c = 0; c < sel[0]["profiles"].size(); ++c) {
          auto at = [&](std::size_t begin, std::size_t end) {
            return per_seed(sel, [&](const nlohmann::json& r) {
              double s = 0;
              for (std::size_t i = begin; i < end; ++i) s += r["profiles"][c][i].get<double>();
              return s / double(end - begin);
            });
          };
          std::vector<double> row{set.data == "ring" ? 0.0 : 1.0, set.T, double(vi), sel[0]["checkpoint_steps"][c].get<double>()};
          std::vector<double> edge;
          for (const auto& r : sel) edge.push_back(0.5 * (r["profiles"][c].front().get<double>() + r["profiles"][c].back().get<double>()));
          add_mean_hw(row, edge);
          add_mean_hw(row, at(std::size_t(cfg.L) / 4, 3 * std::size_t(cfg.L) / 4));
          lengths.add(row);
        }
        }
      const std::string tag = set.data + "_T" + format_key(set.T);
      lab::write_table(path("excess_" + tag + ".tsv"), profile_table);
      meta.write_sidecar(path("excess_" + tag + ".tsv"), {{"table", "excess loss per position (nats), mean and 95% t half-width over seeds"}});
      lab::write_table(path("curve_" + tag + ".tsv"), curve_table);
      meta.write_sidecar(path("curve_" + tag + ".tsv"), {{"table", "mean excess loss against training step"}});
    }
    lab::write_table(path("training_lengths.tsv"), lengths);
    meta.write_sidecar(path("training_lengths.tsv"), {{"table", "edge and bulk excess per checkpoint of the runs of steps and (doubled variants) 2 steps; data 0 ring 1 open; variant index in cfg order"}});

    for (double T : cfg.temperatures) {
      std::vector<std::string> cols{"r", "exact"};
      for (const auto& v : cfg.variants) cols.push_back(v), cols.push_back(v + "_hw");
      lab::Table t{cols, {}};
      for (int r = 1; r <= cfg.L / 2; ++r) {
        if (r % cfg.mask_spacing == 0) continue;  // s_j is masked as well: not measured
        std::vector<double> row{double(r), r == 1 ? 4.0 / T : 0.0};
        for (const auto& v : cfg.variants)
          add_mean_hw(row, per_seed(select(runs, "main", "ring", T, v), [&](const nlohmann::json& x) {
                        const auto& e = x["influence"][std::size_t(r - 1)];
                        return e.is_number() ? e.get<double>() : NAN;
                      }));
        t.add(row);
      }
      lab::write_table(path("influence_T" + format_key(T) + ".tsv"), t);
      meta.write_sidecar(path("influence_T" + format_key(T) + ".tsv"), {{"table", "mean |change of log-odds of s_i| when s_j at ring distance r flips"}});
    }

    for (double T : cfg.nnn_temperatures) {
      std::vector<std::string> cols{"r", "exact", "nearest_only"};
      for (const auto& v : cfg.nnn_variants) cols.push_back(v), cols.push_back(v + "_hw");
      lab::Table t{cols, {}};
      const auto first = select(runs, "nnn", "nnn", T, cfg.nnn_variants[0]);
      for (int r = 1; r <= cfg.L / 2; ++r) {
        if (r % cfg.mask_spacing == 0) continue;
        auto column = [&](const char* key) {
          return [&, key](const nlohmann::json& x) {
            const auto& e = x[key][std::size_t(r - 1)];
            return e.is_number() ? e.get<double>() : NAN;
          };
        };
        std::vector<double> row{double(r), column("influence_exact")(first[0]), column("influence_nearest_only")(first[0])};
        for (const auto& v : cfg.nnn_variants) add_mean_hw(row, per_seed(select(runs, "nnn", "nnn", T, v), column("influence")));
        t.add(row);
      }
      lab::write_table(path("influence_nnn_T" + format_key(T) + ".tsv"), t);
      meta.write_sidecar(path("influence_nnn_T" + format_key(T) + ".tsv"),
                         {{"table", "ring with next-nearest coupling J2: mean |change of log-odds of s_i| when s_j at ring distance r "
                                    "flips; exact and nearest_only are the hand-written models (5.2's controls)"}});
    }

    lab::Table sweep{{"scale", "lr", "area", "area_hw", "sigma_logit", "sigma_logit_hw", "participation", "ratio_to_freezing",
                      "steps", "ratio_hw", "initial_ratio"}, {}};
    const double freeze = std::sqrt(2 * std::log(double(cfg.scale_L)));
    for (double a : cfg.scales)
      for (double lr : cfg.scale_lrs) {
        const auto sel = select(runs, "scale", "ring", cfg.scale_T, "learned", a, lr);
        std::vector<double> row{a, lr};
        add_mean_hw(row, per_seed(sel, curve_area));
        add_mean_hw(row, per_seed(sel, sigma_logit));
        row.push_back(interval(per_seed(sel, participation), 0.95).estimate);
        row.push_back(row[4] / freeze);
        row.push_back(double(cfg.scale_steps));
        row.push_back(row[5] / freeze);
        row.push_back(interval(per_seed(sel, sigma_logit_initial), 0.95).estimate / freeze);
        sweep.add(row);
      }
    for (std::size_t k = 0; k < cfg.scales.size(); ++k) {  // the doubling runs, each scale at its best lr
      const auto sel = select(runs, "scale2x", "ring", cfg.scale_T, "learned", cfg.scales[k], best_lr[k]);
      std::vector<double> row{cfg.scales[k], best_lr[k]};
      add_mean_hw(row, per_seed(sel, curve_area));
      add_mean_hw(row, per_seed(sel, sigma_logit));
      row.push_back(interval(per_seed(sel, participation), 0.95).estimate);
      row.push_back(row[4] / freeze);
      row.push_back(2.0 * double(cfg.scale_steps));
      row.push_back(row[5] / freeze);
      row.push_back(interval(per_seed(sel, sigma_logit_initial), 0.95).estimate / freeze);
      sweep.add(row);
    }
    lab::write_table(path("scale_sweep.tsv"), sweep);
    meta.write_sidecar(path("scale_sweep.tsv"), {{"table", "softmax scale sweep: learning-curve mean excess, REM statistics (trained and initial); rows with steps = 2 scale_steps are the doubling runs at each scale's best lr"}});

    // ---- 3. claims and the values quoted in the text --------------------------------------------------------
    nlohmann::json results = chapter_claims(cfg, runs);
    lab::write_claims(path("claims.json"), results["claims_json"], "--out");
    results["claims_table"] = lab::claim_details_markdown(results["claims_json"]);
    results.erase("claims_json");
    results["profile"] = profile_name;
    results["n_runs"] = n_jobs;
    results["workers"] = cfg.workers;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    results["wall_time_s"] = fmt::format("{:.0f}", wall);
    lab::write_file_atomically(
        path("plot_vars.gp"),
        fmt::format("L = {}\ntemps = \"{}\"\nopen_temps = \"{}\"\nnnn_temps = \"{}\"\nJ2 = {}\nscale_L = {}\nscale_lrs = \"{}\"\n"
                    "scale_steps = {}\nfreeze = {}\nspacing = {}\n",
                    cfg.L, lab::format_keys(cfg.temperatures), lab::format_keys(cfg.open_temperatures),
                    lab::format_keys(cfg.nnn_temperatures), cfg.J2, cfg.scale_L, lab::format_keys(cfg.scale_lrs),
                    cfg.scale_steps, freeze, cfg.mask_spacing));
    // results.json last: its presence marks a finished run for make.
    lab::write_file_atomically(path("results.json"), results.dump(2) + "\n");
    fmt::print(stderr, "ch05: done in {:.0f} s\n", wall);
  });
}
