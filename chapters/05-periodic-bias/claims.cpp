// Chapter 5's claims by the verdict rule (lab/verdict.hpp): every condition is a mean over training
// seeds (paired: the variants of one seed see the same data) with a Student-t interval at the claim's
// Bonferroni level; "no effect" and "no help" are equivalence tests with a stated margin. Since the
// referee's issue 31 (2026-12-07) every graded condition on a trained model carries a doubling check (the
// same seeds trained twice as long; an unconverged condition is undecided), and every graded claim has
// controls run by the same code and criterion where the answer is known (5.5-5.11).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "lab/report.hpp"
#include "lab/verdict.hpp"

#include "periodic_bias.hpp"

namespace spinformer {
namespace {
using lab::Direction;
using lab::format_key;

// 5.2: the smallest lengthening of the influence length that counts as "extends" (sites).
constexpr double kMinimalLengthening = 0.05;

std::string pm(const lab::Interval& iv, const char* spec = "{:.2e}") {
  return fmt::format(fmt::runtime(std::string(spec) + " [" + spec + ", " + spec + "]"), iv.estimate, iv.lower, iv.upper);
}
double mean(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  return x.empty() ? NAN : s / double(x.size());
}
// A hand-written model's statistic: the same on every seed's configurations up to nothing random in it
// (the influence of an exact conditional does not depend on the configuration), so a point interval.
lab::Interval exact_value(const std::vector<double>& x) {
  const double v = mean(x);
  return {v, v, v};
}
}  // namespace

nlohmann::json chapter_claims(const Config& cfg, const Runs& runs) {
  nlohmann::json out;
  lab::Claims claims("05-periodic-bias", "Does a periodic attention bias remove boundary effects?");
  auto ring = [&](double T, const std::string& v) { return select(runs, "main", "ring", T, v); };
  auto ring2x = [&](double T, const std::string& v) { return select(runs, "main2x", "ring", T, v); };
  auto nnn = [&](double T, const std::string& v) { return select(runs, "nnn", "nnn", T, v); };
  auto nnn2x = [&](double T, const std::string& v) { return select(runs, "nnn2x", "nnn", T, v); };
  auto open = [&](double T, const std::string& v) { return select(runs, "open", "open", T, v); };
  auto margin = [&](double T) { return cfg.margin_fraction * neighbour_information(T); };
  const std::size_t nT = cfg.temperatures.size(), nO = cfg.open_temperatures.size(), nN = cfg.nnn_temperatures.size();
  auto tag = [](const std::string& v) {  // "distance+learned" -> "distance_learned" in text keys
    std::string t = v;
    std::replace(t.begin(), t.end(), '+', '_');
    return t;
  };

  // Text values: edge and bulk excess, edge effect, influence, per T and variant (95% intervals).
  for (double T : cfg.temperatures) {
    const std::string t = format_key(T);
    out["margin_T" + t] = fmt::format("{:.2e}", margin(T));
    out["info_T" + t] = fmt::format("{:.3f}", neighbour_information(T));
    for (const auto& v : cfg.variants) {
      const auto r = ring(T, v);
      const std::string k = tag(v);
      out[fmt::format("edge_{}_T{}", k, t)] = pm(interval(per_seed(r, edge_excess), 0.95));
      out[fmt::format("bulk_{}_T{}", k, t)] = pm(interval(per_seed(r, bulk_excess), 0.95));
      out[fmt::format("effect_{}_T{}", k, t)] = pm(interval(per_seed(r, edge_effect), 0.95));
      out[fmt::format("mean_{}_T{}", k, t)] = pm(interval(per_seed(r, mean_excess), 0.95));
      out[fmt::format("len_{}_T{}", k, t)] = pm(interval(per_seed(r, influence_length), 0.95), "{:.2f}");
      out[fmt::format("far_{}_T{}", k, t)] = pm(interval(per_seed(r, far_influence), 0.95), "{:.3f}");
      out[fmt::format("wrap_{}_T{}", k, t)] = pm(
          interval(per_seed(r, [](const nlohmann::json& x) { return x["wrap_influence"].get<double>(); }), 0.95), "{:.2f}");
      const auto r2 = ring2x(T, v);
      if (!r2.empty()) {
        out[fmt::format("effect2x_{}_T{}", k, t)] = pm(interval(per_seed(r2, edge_effect), 0.95));
        out[fmt::format("mean2x_{}_T{}", k, t)] = pm(interval(per_seed(r2, mean_excess), 0.95));
      }
    }
  }
  for (double T : cfg.open_temperatures)
    for (const auto& v : cfg.open_variants) {
      const auto r = open(T, v);
      const std::string t = format_key(T);
      out[fmt::format("open_edge_{}_T{}", tag(v), t)] = pm(interval(per_seed(r, edge_excess), 0.95));
      out[fmt::format("open_bulk_{}_T{}", tag(v), t)] = pm(interval(per_seed(r, bulk_excess), 0.95));
      out[fmt::format("open_mean_{}_T{}", tag(v), t)] = pm(interval(per_seed(r, mean_excess), 0.95));
    }
  auto exact_length = [](const nlohmann::json& x) { return influence_length_of(x["influence_exact"]); };
  auto nearest_length = [](const nlohmann::json& x) { return influence_length_of(x["influence_nearest_only"]); };
  for (double T : cfg.nnn_temperatures) {
    const std::string t = format_key(T);
    const auto first = nnn(T, cfg.nnn_variants[0]);
    out["nnn_exact_len_T" + t] = fmt::format("{:.3f}", mean(per_seed(first, exact_length)));
    out["nnn_nearest_len_T" + t] = fmt::format("{:.3f}", mean(per_seed(first, nearest_length)));
    for (const auto& v : cfg.nnn_variants) {
      auto ratio21 = [](const nlohmann::json& x) { return x["influence"][1].get<double>() / x["influence"][0].get<double>(); };
      out[fmt::format("nnn_len_{}_T{}", v, t)] = pm(interval(per_seed(nnn(T, v), influence_length), 0.95), "{:.3f}");
      out[fmt::format("nnn_len2x_{}_T{}", v, t)] = pm(interval(per_seed(nnn2x(T, v), influence_length), 0.95), "{:.3f}");
      out[fmt::format("nnn_ratio21_{}_T{}", v, t)] = pm(interval(per_seed(nnn(T, v), ratio21), 0.95), "{:.3f}");
      out[fmt::format("nnn_mean_{}_T{}", v, t)] = pm(interval(per_seed(nnn(T, v), mean_excess), 0.95));
    }
  }

  // ---- 5.5-5.7: the edge-effect theorem and 5.1's controls --------------------------------------------------
  {
    lab::Claim c{"5.5", "validation",
                 "Theorem check: the periodic model (no positions, bias a function of ring distance) is equivariant under "
                 "rotations of the ring, so on rotation-invariant data its edge effect is zero whatever it learns",
                 "this chapter (symmetry of gpt/masked_model's periodic variant)"};
    const double level = c.simultaneous(nT);
    for (double T : cfg.temperatures)
      c.condition("ring, T = " + format_key(T), "edge effect of the periodic bias (nats)",
                  interval(per_seed(ring(T, "periodic"), edge_effect), level), Direction::within, -margin(T), margin(T))
          .replicates(std::size_t(cfg.seeds));
    c.short_form("theorem: periodic model has no edge effect")
        .criterion(fmt::format("per T, the periodic model's edge effect within +-{} of the neighbours' information; a check "
                               "of the implementation, not evidence for 5.1. Student-t over {} seeds, Bonferroni over {}.",
                               cfg.margin_fraction, cfg.seeds, nT));
    claims.add(c);
  }
  auto edge_reduction = [&](lab::Claim& c, const std::string& baseline, bool negative, std::size_t k, bool converge) {
    const double level = c.simultaneous(k);
    for (double T : cfg.temperatures) {
      const auto iv = interval(paired(ring(T, baseline), ring(T, "periodic"), edge_effect), level);
      c.condition("ring, T = " + format_key(T),
                  fmt::format("edge effect, {} minus periodic bias (nats)", baseline), iv,
                  negative ? Direction::below : Direction::above, margin(T))
          .replicates(std::size_t(cfg.seeds));
      if (converge)
        c.convergence(lab::doubling_check(iv, mean(paired(ring2x(T, baseline), ring2x(T, "periodic"), edge_effect))));
    }
  };
  {
    lab::Claim c{"5.6", "validation",
                 "Positive control of 5.1: against the distance bias without positions, which cannot see the wrapped "
                 "neighbour of an end spin, 5.1's criterion passes",
                 "this chapter"};
    edge_reduction(c, "distance", false, nT, false);
    c.short_form("positive control of 5.1: distance bias alone has an edge effect")
        .criterion("5.1's statistic and threshold unchanged, baseline: distance bias without positions (it sees one neighbour "
                   "of spins 1 and L by construction)");
    claims.add(c);
  }
  {
    lab::Claim c{"5.7", "validation",
                 "Negative control of 5.1: against the model with no positions, equivariant like the periodic one and so "
                 "without edge effect by symmetry, 5.1's criterion fails",
                 "this chapter"};
    edge_reduction(c, "none", true, nT, false);
    c.short_form("negative control of 5.1: no-position model has no edge effect")
        .criterion("5.1's statistic, baseline: no positions at all (permutation-equivariant); the reduction lies below the "
                   "margin (so 5.1's criterion is refuted)");
    claims.add(c);
  }
  // ---- 5.1 edge effects against the baselines people use ------------------------------------------------
  {
    lab::Claim c{"5.1", "source",
                 "A periodic attention bias treats the sequence as a circle and mitigates edge effects",
                 "004_56317060b12b3543.txt, remark 7 and section 9.1"};
    const std::vector<std::string> baselines{"learned", "distance+learned"};
    const double level = c.simultaneous(baselines.size() * nT);
    for (double T : cfg.temperatures)
      for (const auto& b : baselines) {
        const auto iv = interval(paired(ring(T, b), ring(T, "periodic"), edge_effect), level);
        c.condition("ring, T = " + format_key(T), fmt::format("edge effect, {} minus periodic bias (nats)", b), iv,
                    Direction::above, margin(T))
            .replicates(std::size_t(cfg.seeds))
            .convergence(lab::doubling_check(iv, mean(paired(ring2x(T, b), ring2x(T, "periodic"), edge_effect))));
      }
    c.prerequisites({"5.5", "5.6", "5.7"}).controls({"5.7"}, {"5.6"});
    c.short_form("periodic bias mitigates edge effects (vs learned positions)");
    c.criterion(fmt::format(
        "Masked-spin model on ring data (L = {}), excess loss against the exact p(s_i | rest); edge effect = mean excess at "
        "positions 1 and L minus the mean over positions L/4+1..3L/4. The periodic model's edge effect is zero by symmetry "
        "(5.5), so the graded question is whether the baselines people use have one for it to remove: per T and per "
        "baseline (learned positions; distance bias plus learned positions), the baseline's edge effect exceeds the "
        "periodic model's by more than the margin ({} of the neighbours' information), paired over {} seeds. Each condition "
        "carries a doubling check ({} and {} steps, same seeds): unconverged is undecided. Student-t intervals, Bonferroni "
        "over {}, family-wise 0.05.",
        cfg.L, cfg.margin_fraction, cfg.seeds, cfg.steps, 2 * cfg.steps, baselines.size() * nT));
    claims.add(c);
    out["verdict_5_1"] = c.verdict();
  }
  // ---- 5.8, 5.9: 5.2's controls (hand-written models on the next-nearest data) -----------------------------------
  // The criterion of 5.2 on a pair (model A in the periodic model's place, model B in the distance model's).
  auto length_criterion = [&](lab::Claim& c, const std::function<double(const nlohmann::json&)>& a,
                              const std::function<double(const nlohmann::json&)>& b, bool negative, bool hand_written) {
    const double level = c.simultaneous(2 * nN);
    for (double T : cfg.nnn_temperatures) {
      const std::string label = fmt::format("ring J2 = {}, T = {}", format_key(cfg.J2), format_key(T));
      const auto runs1 = nnn(T, "periodic"), runs2 = nnn(T, "distance");
      std::vector<double> dev, diff;
      for (std::size_t i = 0; i < std::min(runs1.size(), runs2.size()); ++i) {
        dev.push_back(a(runs1[i]) - exact_length(runs1[i]));
        diff.push_back(a(runs1[i]) - b(runs2[i]));
      }
      auto iv = [&](const std::vector<double>& x) { return hand_written ? exact_value(x) : interval(x, level); };
      if (negative)
        c.condition(label, "influence length minus the exact one (sites)", iv(dev), Direction::below, -cfg.length_margin);
      else
        c.condition(label, "influence length minus the exact one (sites)", iv(dev), Direction::within, -cfg.length_margin,
                    cfg.length_margin);
      c.replicates(std::size_t(cfg.seeds));
      if (!hand_written) {
        const auto r1 = nnn2x(T, "periodic"), r2 = nnn2x(T, "distance");
        double dev2 = 0, diff2 = 0;
        for (std::size_t i = 0; i < std::min(r1.size(), r2.size()); ++i)
          dev2 += a(r1[i]) - exact_length(r1[i]), diff2 += a(r1[i]) - b(r2[i]);
        c.convergence(lab::doubling_check(iv(dev), dev2 / double(r1.size())));
        c.condition(label, "influence length, periodic minus distance bias (sites)", iv(diff), Direction::above,
                    kMinimalLengthening)
            .replicates(std::size_t(cfg.seeds))
            .convergence(lab::doubling_check(iv(diff), diff2 / double(r1.size())));
      } else {
        c.condition(label, "influence length, model A minus model B (sites)", iv(diff),
                    negative ? Direction::below : Direction::above, kMinimalLengthening);
      }
    }
  };
  {
    lab::Claim c{"5.8", "validation",
                 "Positive control of 5.2: the exact conditional (influence to r = 2) in the periodic model's place and the "
                 "nearest-neighbour-only conditional in the distance model's pass 5.2's criterion",
                 "this chapter; ising/ring_conditional (exact conditional of the ring with next-nearest coupling)"};
    length_criterion(c, exact_length, nearest_length, false, true);
    c.short_form("positive control of 5.2: exact conditional passes")
        .criterion("5.2's criterion unchanged, on the hand-written models' influence curves measured by the same code on "
                   "the same configurations (exact values, zero-width intervals)");
    claims.add(c);
  }
  {
    lab::Claim c{"5.9", "validation",
                 "Negative control of 5.2: the nearest-neighbour-only conditional (influence length 1) in the periodic "
                 "model's place, against the exact one, fails 5.2's criterion",
                 "this chapter; ising/ring_conditional"};
    length_criterion(c, nearest_length, exact_length, true, true);
    c.short_form("negative control of 5.2: nearest-neighbour model fails")
        .criterion("5.2's statistics on the hand-written models: length minus exact below -margin and the lengthening below "
                   "its threshold (both conditions of 5.2 refuted); exact values");
    claims.add(c);
  }
  // ---- 5.2 correlation length as influence length, on data that need a longer one ---------------------------
  {
    lab::Claim c{"5.2", "source", "A periodic bias extends the model's effective correlation length",
                 "004_56317060b12b3543.txt, section 9.1"};
    length_criterion(c, [](const nlohmann::json& x) { return influence_length(x); },
                     [](const nlohmann::json& x) { return influence_length(x); }, false, false);
    c.prerequisites({"5.8", "5.9"}).controls({"5.9"}, {"5.8"});
    c.short_form("periodic bias reaches and lengthens the influence range");
    c.criterion(fmt::format(
        "Ring with nearest J1 = 1 and next-nearest J2 = {} couplings: the exact conditional's influence I(r) (mean |change "
        "of the log-odds of s_i| when the visible s_j at ring distance r flips) is 4K1 at r = 1 and 4K2 at r = 2, so its "
        "influence length sum r I(r) / sum I(r) is {} rather than 1. Per T: the periodic model's length lies within +-{} "
        "sites of the exact one, and exceeds the distance model's by more than {} sites (paired over {} seeds). Each "
        "condition carries a doubling check ({} and {} steps); Student-t, Bonferroni over {}.",
        format_key(cfg.J2), "(1 + 2 J2) / (1 + J2)", cfg.length_margin, kMinimalLengthening, cfg.seeds, cfg.steps,
        2 * cfg.steps, 2 * nN));
    claims.add(c);
    out["verdict_5_2"] = c.verdict();
  }
  // ---- 5.10: 5.3's negative control, then 5.3 ----------------------------------------------------------------------
  {
    lab::Claim c{"5.10", "validation",
                 "Negative control of 5.3: where the comparison model cannot locate its neighbours (no positions), the "
                 "periodic bias helps on the open chain and 5.3's criterion fails",
                 "this chapter"};
    const double level = c.simultaneous(nO);
    for (double T : cfg.open_temperatures)
      c.condition(fmt::format("open chain, h_edge = {}, T = {}", format_key(cfg.h_edge), format_key(T)),
                  "mean excess loss, periodic bias minus no positions (nats)",
                  interval(paired(open(T, "periodic"), open(T, "none"), mean_excess), level), Direction::below, -margin(T))
          .replicates(std::size_t(cfg.seeds));
    c.short_form("negative control of 5.3: periodic helps against no positions")
        .criterion("5.3's statistic against the model with no positions: below -margin (5.3's criterion refuted)");
    claims.add(c);
  }
  {
    lab::Claim c{"5.3", "source",
                 "On data without periodic structure a periodic bias is no help: neutral or harmful",
                 "004_56317060b12b3543.txt, sections 9.2-9.3"};
    const double level = c.simultaneous(2 * nO);
    for (double T : cfg.open_temperatures) {
      const std::string label = fmt::format("open chain, h_edge = {}, T = {}", format_key(cfg.h_edge), format_key(T));
      c.condition(label, "mean excess loss, periodic minus distance bias (nats)",
                  interval(paired(open(T, "periodic"), open(T, "distance"), mean_excess), level), Direction::above, -margin(T))
          .replicates(std::size_t(cfg.seeds));
      c.condition(label, "mean excess loss, periodic bias minus learned positions (nats)",
                  interval(paired(open(T, "periodic"), open(T, "learned"), mean_excess), level), Direction::above, -margin(T))
          .replicates(std::size_t(cfg.seeds));
    }
    c.prerequisites({"5.10"}).controls({"5.10"}, {});
    c.short_form("periodic bias no help without periodicity");
    c.criterion(fmt::format(
        "Open chain with a field h_edge = {} J on its two end spins (ends differ from the bulk; nothing wraps), L = {}. "
        "The periodic model's mean excess loss is not below the distance model's or the learned-position model's by "
        "more than the margin ({} of the neighbours' information at that T): lower bound above -margin. Paired over "
        "{} seeds, Bonferroni over {}.",
        format_key(cfg.h_edge), cfg.L, cfg.margin_fraction, cfg.seeds, 2 * nO));
    claims.add(c);
    out["verdict_5_3"] = c.verdict();
  }
  // ---- 5.4 critical softmax scale ------------------------------------------------------------------------
  {
    auto runs_at = [&](double a, double lr) { return select(runs, "scale", "ring", cfg.scale_T, "learned", a, lr); };
    auto mean_area = [&](double a, double lr) { return interval(per_seed(runs_at(a, lr), curve_area), 0.95).estimate; };
    const auto best_lr = best_scale_lrs(cfg, runs);
    std::size_t star = 0;
    for (std::size_t k = 0; k < cfg.scales.size(); ++k)
      if (mean_area(cfg.scales[k], best_lr[k]) < mean_area(cfg.scales[star], best_lr[star])) star = k;
    const double a_star = cfg.scales[star], lr_star = best_lr[star];
    const auto best = runs_at(a_star, lr_star);
    const auto best2x = select(runs, "scale2x", "ring", cfg.scale_T, "learned", a_star, lr_star);
    // the lr next to the best on the grid (the lower one where there is one): is sigma set by the scale or the step?
    const auto at = std::find(cfg.scale_lrs.begin(), cfg.scale_lrs.end(), lr_star) - cfg.scale_lrs.begin();
    const double lr_next = at > 0 ? cfg.scale_lrs[std::size_t(at - 1)] : cfg.scale_lrs[std::size_t(at + 1)];
    const auto next = runs_at(a_star, lr_next);
    const double freeze = std::sqrt(2 * std::log(double(cfg.scale_L)));
    auto ratio = [&](const nlohmann::json& r) { return sigma_logit(r) / freeze; };
    auto initial_ratio = [&](const nlohmann::json& r) { return sigma_logit_initial(r) / freeze; };
    // labels name no data-chosen value, so that the criterion is fixed before the run (the values are in the text)
    const std::string where = "fastest scale, at its best lr";
    {
      lab::Claim c{"5.11", "validation",
                   "Negative control of 5.4: heads that are not frozen (the fastest scale's model before training) fail "
                   "5.4's band",
                   "this chapter"};
      const double level = c.simultaneous(1);
      c.condition(where + ", untrained", "sigma of initial logits / sqrt(2 ln n)", interval(per_seed(best, initial_ratio), level),
                  Direction::below, 0.5)
          .replicates(std::size_t(cfg.scale_seeds));
      c.short_form("negative control of 5.4: untrained heads fail the band")
          .criterion("5.4's statistic on the same models at initialisation: below the band's lower end 0.5");
      claims.add(c);
    }
    lab::Claim c{"5.4", "source",
                 "The softmax scaling should sit at the critical temperature, where training is fastest",
                 "004_56317060b12b3543.txt, section 3.1"};
    const double level = c.simultaneous(2);
    const auto iv = interval(per_seed(best, ratio), level);
    const double at_2x = mean(per_seed(best2x, ratio));
    // The band condition's doubling check is carried by the prerequisite 5.12 (below), not by a
    // convergence field as well: an unconverged band gates 5.4 to inconclusive, and 5.4's ungated verdict
    // is then what its intervals would say were the prerequisite met.
    c.condition(where, "sigma of trained logits / sqrt(2 ln n) (REM freezing at 1)", iv, Direction::within, 0.5, 2.0)
        .replicates(std::size_t(cfg.scale_seeds));
    {
      // The doubling check of 5.4's band condition as a claim of its own, so that the claims table (and a
      // reader recomputing verdicts from intervals alone) sees why 5.4 is gated. Same rule as
      // lab::doubling_check: the value at twice the steps inside the 1x interval; the interval is symmetric
      // (Student-t), so that is |shift| / half-width <= 1, a threshold fixed before the run.
      lab::Claim v{"5.12", "validation",
                   "Convergence of 5.4: doubling the fastest scale's training moves sigma / sqrt(2 ln n) by less than "
                   "its interval's half-width",
                   "this chapter"};
      v.simultaneous(1);
      const double half_width = 0.5 * (iv.upper - iv.lower);
      const double shift = (at_2x - iv.estimate) / half_width;
      v.condition(where + ", doubled", "shift of sigma / sqrt(2 ln n) from 1x to 2x steps, in units of 5.4's half-width",
                  lab::Interval{shift, shift, shift}, Direction::within, -1.0, 1.0)
          .replicates(std::size_t(cfg.scale_seeds));
      v.short_form("5.4's band statistic converged under doubling")
          .criterion(fmt::format("The same seeds at the same lr trained {} and {} steps: (mean at {} steps - mean at {} "
                                 "steps) / (half-width of 5.4's interval at {} steps) within [-1, 1].",
                                 cfg.scale_steps, 2 * cfg.scale_steps, 2 * cfg.scale_steps, cfg.scale_steps,
                                 cfg.scale_steps));
      claims.add(v);
    }
    c.condition(where, "log(sigma of trained logits at the best lr / at the neighbouring lr of the grid) (set by the scale, not the step)",
                interval(paired(best, next, [](const nlohmann::json& r) { return std::log(sigma_logit(r)); }), level),
                Direction::within, -std::log(2.0), std::log(2.0))
        .replicates(std::size_t(cfg.scale_seeds));
    c.prerequisites({"5.11", "5.12"}).controls({"5.11"}, {});
    c.short_form("critical softmax scale trains fastest");
    c.criterion(fmt::format(
        "Softmax scale a (multiplying 1/sqrt(d_head)) over {} on ring data at T = {}, L = {} (n = {} keys), learned "
        "positions, each scale at its own best learning rate over {} (speed = mean excess loss over the learning curve "
        "of {} steps). At the fastest scale the trained heads sit near the random-energy-model freezing point, this "
        "chapter's reading of the note's critical temperature (an n -> infinity result used at n = {}): sigma_logit / "
        "sqrt(2 ln n) within [0.5, 2], with a doubling check ({} steps at the same lr); and sigma is set by the scale, "
        "not the step: log(sigma at the best lr / sigma at the neighbouring lr of the grid) within +-ln 2 (paired). "
        "Student-t over {} seeds, Bonferroni over 2. The sweep's grid-end comparisons were dropped: any U-shaped "
        "sweep passes them.",
        lab::format_keys(cfg.scales), format_key(cfg.scale_T), cfg.scale_L, cfg.scale_L, lab::format_keys(cfg.scale_lrs),
        cfg.scale_steps, cfg.scale_L, 2 * cfg.scale_steps, cfg.scale_seeds));
    claims.add(c);
    out["verdict_5_4"] = c.verdict();
    out["best_scale"] = format_key(a_star);
    out["best_scale_lr"] = fmt::format("{:g}", lr_star);
    out["next_lr"] = fmt::format("{:g}", lr_next);
    std::vector<double> at_edge;  // scales whose best learning rate is an end of the grid: tuning may be incomplete
    for (std::size_t k = 0; k < cfg.scales.size(); ++k)
      if (best_lr[k] == cfg.scale_lrs.front() || best_lr[k] == cfg.scale_lrs.back()) at_edge.push_back(cfg.scales[k]);
    out["lr_at_grid_end"] = at_edge.empty() ? std::string("none") : lab::format_keys(at_edge);
    std::string per_scale, sigma_by_lr;
    for (std::size_t k = 0; k < cfg.scales.size(); ++k)
      per_scale += fmt::format("{}{} (lr {:g}): {:.2e}", k ? "; " : "", format_key(cfg.scales[k]), best_lr[k],
                               mean_area(cfg.scales[k], best_lr[k]));
    for (std::size_t m = 0; m < cfg.scale_lrs.size(); ++m)
      sigma_by_lr += fmt::format("{}lr {:g}: {:.2f}", m ? "; " : "", cfg.scale_lrs[m],
                                 mean(per_seed(runs_at(a_star, cfg.scale_lrs[m]), ratio)));
    out["area_by_scale"] = per_scale;
    out["ratio_by_lr"] = sigma_by_lr;
    out["freeze"] = fmt::format("{:.2f}", freeze);
    out["best_ratio"] = pm(interval(per_seed(best, ratio), 0.95), "{:.2f}");
    out["best_ratio_2x"] = pm(interval(per_seed(best2x, ratio), 0.95), "{:.2f}");
    out["best_initial_ratio"] = pm(interval(per_seed(best, initial_ratio), 0.95), "{:.3f}");
    out["best_participation"] = pm(interval(per_seed(best, participation), 0.95), "{:.2f}");
    out["best_area"] = pm(interval(per_seed(best, curve_area), 0.95));
  }
  out["claims_json"] = claims.to_json();
  // The text quotes the verdicts after the gate (a claim whose control is undecided is inconclusive,
  // whatever its own conditions say); c.verdict() above is the claim's own, before the gate.
  for (const auto& claim : out["claims_json"]["claims"]) {
    std::string key = "verdict_" + claim["id"].get<std::string>();
    std::replace(key.begin(), key.end(), '.', '_');
    if (!out.contains(key)) continue;
    out[key] = claim["verdict"];
    out["ungated_" + key] = claim.value("ungated_verdict", claim["verdict"].get<std::string>());
  }
  out["L"] = cfg.L;
  out["seeds"] = cfg.seeds;
  out["steps"] = cfg.steps;
  out["steps2x"] = 2 * cfg.steps;
  out["batch"] = cfg.batch;
  out["lr"] = fmt::format("{:g}", cfg.lr);
  out["d_model"] = cfg.d_model;
  out["n_heads"] = cfg.n_heads;
  out["n_layers"] = cfg.n_layers;
  out["mask_spacing"] = cfg.mask_spacing;
  out["n_test"] = cfg.n_test;
  out["h_edge"] = format_key(cfg.h_edge);
  out["J2"] = format_key(cfg.J2);
  out["length_margin"] = fmt::format("{:g}", cfg.length_margin);
  out["min_lengthening"] = fmt::format("{:g}", kMinimalLengthening);
  out["temperatures"] = lab::format_keys(cfg.temperatures);
  out["open_temperatures"] = lab::format_keys(cfg.open_temperatures);
  out["nnn_temperatures"] = lab::format_keys(cfg.nnn_temperatures);
  out["scale_L"] = cfg.scale_L;
  out["scale_T"] = format_key(cfg.scale_T);
  out["scale_steps"] = cfg.scale_steps;
  out["scale_steps2x"] = 2 * cfg.scale_steps;
  out["scale_seeds"] = cfg.scale_seeds;
  out["scales"] = lab::format_keys(cfg.scales);
  out["scale_lrs"] = lab::format_keys(cfg.scale_lrs);
  out["margin_fraction"] = fmt::format("{:g}", cfg.margin_fraction);
  return out;
}

}  // namespace spinformer
