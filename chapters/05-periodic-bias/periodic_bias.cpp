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
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <thread>

#include "code_hash.hpp"
#include "gpt/threads.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter.hpp"
#include "lab/report.hpp"
#include "lab/tsv.hpp"

#include "periodic_bias.hpp"

using namespace spinformer;
using lab::format_key;

namespace spinformer {
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
// Columns "<name>" and "<name>_hw" (95% t half-width over seeds) of a statistic per variant.
void add_mean_hw(std::vector<double>& row, const std::vector<double>& x) {
  const auto iv = interval(x, 0.95);
  row.push_back(iv.estimate);
  row.push_back(x.size() >= 2 ? iv.upper - iv.estimate : NAN);
}
// Runs one round of trainings as engine jobs and appends their results, "training" attached, to runs.
void train(lab::Chapter& ch, const std::vector<Training>& trainings, Runs& runs) {
  std::vector<lab::Job> jobs;
  for (const auto& t : trainings) {
    lab::Job job = ch.job("training", training_label(t), {});
    job.parameters.update(training_parameters(t));
    // The seed is the training's own seed number (1, 2, ...), as when the committed data were made, not
    // lab::job_seed: the data are re-stamped, not rerun, so every number must stay the same.
    job.seed = static_cast<std::uint64_t>(t.seed);
    jobs.push_back(std::move(job));
  }
  const auto results = ch.run_jobs("training", jobs);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    auto r = results[j].value;
    r["training"] = training_parameters(trainings[j]);
    runs.push_back(std::move(r));
  }
}

// Excess loss per position and learning curves of the ring and open sets, and the edge and bulk excess
// at every checkpoint (training_lengths.tsv).
void excess_tables(lab::Chapter& ch, const Config& cfg, const Runs& runs) {
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
    const nlohmann::json slice = {{"data", set.data}, {"T", set.T}};
    ch.table("excess_" + tag + ".tsv", profile_table, "training", {},
             {{"slice", slice}, {"table", "excess loss per position (nats), mean and 95% t half-width over seeds"}});
    ch.table("curve_" + tag + ".tsv", curve_table, "training", {},
             {{"slice", slice}, {"table", "mean excess loss against training step"}});
  }
  ch.table("training_lengths.tsv", lengths, "training", {},
           {{"table", "edge and bulk excess per checkpoint of the runs of steps and (doubled variants) 2 steps; data 0 ring 1 "
                      "open; variant index in cfg order"}});
}

// Influence curves: mean |change of log-odds of s_i| when s_j at ring distance r flips, on the ring and
// on the ring with next-nearest coupling (with the hand-written exact and nearest-only models).
void influence_tables(lab::Chapter& ch, const Config& cfg, const Runs& runs) {
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
    ch.table("influence_T" + format_key(T) + ".tsv", t, "training", {},
             {{"T", T}, {"table", "mean |change of log-odds of s_i| when s_j at ring distance r flips"}});
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
    ch.table("influence_nnn_T" + format_key(T) + ".tsv", t, "training", {},
             {{"T", T},
              {"table", "ring with next-nearest coupling J2: mean |change of log-odds of s_i| when s_j at ring distance r "
                        "flips; exact and nearest_only are the hand-written models (5.2's controls)"}});
  }
}

// The softmax-scale sweep: one row per (scale, lr), then the doubling runs, each scale at its best lr.
void scale_table(lab::Chapter& ch, const Config& cfg, const Runs& runs, const std::vector<double>& best_lr, double freeze) {
  lab::Table sweep{{"scale", "lr", "area", "area_hw", "sigma_logit", "sigma_logit_hw", "participation", "ratio_to_freezing",
                    "steps", "ratio_hw", "initial_ratio"}, {}};
  auto add = [&](const std::string& group, double a, double lr, long steps) {
    const auto sel = select(runs, group, "ring", cfg.scale_T, "learned", a, lr);
    std::vector<double> row{a, lr};
    add_mean_hw(row, per_seed(sel, curve_area));
    add_mean_hw(row, per_seed(sel, sigma_logit));
    row.push_back(interval(per_seed(sel, participation), 0.95).estimate);
    row.push_back(row[4] / freeze);
    row.push_back(double(steps));
    row.push_back(row[5] / freeze);
    row.push_back(interval(per_seed(sel, sigma_logit_initial), 0.95).estimate / freeze);
    sweep.add(row);
  };
  for (double a : cfg.scales)
    for (double lr : cfg.scale_lrs) add("scale", a, lr, cfg.scale_steps);
  for (std::size_t k = 0; k < cfg.scales.size(); ++k) add("scale2x", cfg.scales[k], best_lr[k], 2 * cfg.scale_steps);
  ch.table("scale_sweep.tsv", sweep, "training", {},
           {{"table", "softmax scale sweep: learning-curve mean excess, REM statistics (trained and initial); rows with steps "
                      "= 2 scale_steps are the doubling runs at each scale's best lr"}});
}
}  // namespace

int main(int argc, char** argv) {
  const int default_workers = std::max(1, std::min(2, static_cast<int>(std::thread::hardware_concurrency())));
  lab::Chapter ch{"ch05", "Chapter 5: does a periodic attention bias remove boundary effects? (masked-spin model)",
                  SPINFORMER_CODE_HASH, default_workers};
  // in every process, job-serving MPI ranks included: torch's thread count is global, one intra-op thread
  // per training unless --threads says otherwise
  ch.on_start([](const lab::Chapter& c) { gpt::set_threads(c.threads_or(1)); });
  // one training of the masked-spin model on fresh exact samples, measured against the exact conditionals
  ch.step("training", [](const nlohmann::json& p, std::uint64_t seed, const lab::JobContext& ctx) {
    return run_training(p.at("config").get<Config>(), training_from(p, seed), [&](double f) { ctx.progress(f); });
  });
  const lab::Profiles profiles{
      {"paper", nlohmann::json::object()},
      {"quick", {{"L", 16}, {"seeds", 2}, {"temperatures", {1.0, 2.0}}, {"open_temperatures", {1.0}}, {"steps", 100},
                 {"batch", 32}, {"n_test", 128}, {"n_influence", 64}, {"curve_points", 3}, {"scale_L", 16},
                 {"scales", {1.0, 4.0, 16.0}}, {"scale_lrs", {3e-3, 1e-2}}, {"scale_steps", 60}, {"scale_seeds", 2}}}};

  return ch.run<Config>(argc, argv, profiles, [&](lab::Chapter& ch, const Config& cfg) {
    const auto wall_start = std::chrono::steady_clock::now();
    // 1. Every training; the scale sweep's doubling runs need its best learning rates: a second round.
    Runs runs;
    train(ch, make_trainings(cfg), runs);
    const auto best_lr = best_scale_lrs(cfg, runs);
    train(ch, make_doubled_scale_trainings(cfg, best_lr), runs);

    // 2. Tables.
    const double freeze = std::sqrt(2 * std::log(double(cfg.scale_L)));  // the REM's freezing sigma at scale_L keys
    excess_tables(ch, cfg, runs);
    influence_tables(ch, cfg, runs);
    scale_table(ch, cfg, runs, best_lr, freeze);

    // 3. Claims and the values quoted in the text. chapter_claims grades the claims itself and returns
    // claims.json's content beside its values, so claims.json is written here as ch.claims would write it.
    nlohmann::json& results = ch.results();
    results = chapter_claims(cfg, runs);
    lab::write_claims(ch.path("claims.json"), results["claims_json"], "--out");
    results["claims_table"] = lab::claim_details_markdown(results["claims_json"]);
    results.erase("claims_json");
    results["n_runs"] = runs.size();
    results["workers"] = ch.workers_or(default_workers);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    results["wall_time_s"] = fmt::format("{:.0f}", wall);
    // Written here, not with ch.plot_var, which prints numbers as {:g}: freeze and J2 keep the shortest
    // round-trip digits the figure scripts were made with.
    lab::write_file_atomically(
        ch.path("plot_vars.gp"),
        fmt::format("L = {}\ntemps = \"{}\"\nopen_temps = \"{}\"\nnnn_temps = \"{}\"\nJ2 = {}\nscale_L = {}\nscale_lrs = \"{}\"\n"
                    "scale_steps = {}\nfreeze = {}\nspacing = {}\n",
                    cfg.L, lab::format_keys(cfg.temperatures), lab::format_keys(cfg.open_temperatures),
                    lab::format_keys(cfg.nnn_temperatures), cfg.J2, cfg.scale_L, lab::format_keys(cfg.scale_lrs),
                    cfg.scale_steps, freeze, cfg.mask_spacing));
    fmt::print(stderr, "ch05: done in {:.0f} s\n", wall);
  });
}
