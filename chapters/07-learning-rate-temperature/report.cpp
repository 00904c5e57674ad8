// Chapter 7: the values and tables quoted in text.md (declared in learning_rate_temperature.hpp).
// Transformer numbers are means over seeds with the half-width of the 95% Student-t interval.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "lab/intervals.hpp"
#include "lab/report.hpp"
#include "sgd/double_well.hpp"

#include "learning_rate_temperature.hpp"

namespace spinformer {

namespace {
std::string pm(const std::vector<double>& v, const char* f = "{:.2e} ± {:.1e}") {
  std::vector<double> x;
  for (double a : v)
    if (std::isfinite(a)) x.push_back(a);
  if (x.size() < 2) return x.empty() ? "n/a" : fmt::format("{:.2e}", x[0]);
  const auto i = lab::t_interval(x, 0.95);
  return fmt::format(f, i.estimate, 0.5 * (i.upper - i.lower));
}
double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / double(v.size());
}
std::string list(const std::vector<double>& v) {
  std::vector<std::string> s;
  for (double x : v) s.push_back(ekey(x));
  return fmt::format("{}", fmt::join(s, ", "));
}
double tail(const std::vector<double>& kl, double fraction) {
  const std::size_t n = kl.size(), first = n - std::max<std::size_t>(1, std::size_t(fraction * double(n)));
  double s = 0;
  for (std::size_t i = first; i < n; ++i) s += kl[i];
  return s / double(n - first);
}
}  // namespace

nlohmann::json chapter_text_values(const Config& cfg, const Measurements& m) {
  nlohmann::json r;
  const int Bs = cfg.small_batch, Bl = cfg.large_batch;
  r["L"] = cfg.model.L;
  r["d_model"] = cfg.model.d_model;
  r["n_heads"] = cfg.model.n_heads;
  r["n_layers"] = cfg.model.n_layers;
  r["d_ff"] = cfg.model.d_ff;
  r["parameter_count"] = lab::format_thousands(std::size_t(m.parameter_count));
  r["T"] = ekey(cfg.T);
  r["T_cold"] = ekey(cfg.T_cold);
  r["small_batch"] = Bs;
  r["large_batch"] = Bl;
  r["eta_small_batch"] = list(cfg.eta_small_batch);
  r["eta_large_batch"] = list(cfg.eta_large_batch);
  r["eta_cold"] = list(cfg.eta_cold);
  r["eta_peak"] = ekey(cfg.eta_peak);
  r["eta_final"] = ekey(cfg.eta_peak * cfg.final_ratio);
  r["warmup_steps"] = lab::format_thousands(std::size_t(cfg.warmup_steps));
  r["decay_steps"] = lab::format_thousands(std::size_t(cfg.decay_steps));
  r["eta_ring"] = ekey(cfg.eta_ring);
  r["steps"] = lab::format_thousands(std::size_t(cfg.steps));
  r["steps_large"] = lab::format_thousands(std::size_t(cfg.steps * Bs / Bl));
  r["ring_steps"] = lab::format_thousands(std::size_t(cfg.ring_steps));
  r["time_small"] = ekey(cfg.eta_small_batch.front() * double(cfg.steps));
  r["time_large"] = ekey(cfg.eta_large_batch.front() * double(cfg.steps * Bs / Bl));
  r["eval_points"] = cfg.eval_points;
  r["n_fisher"] = cfg.n_fisher;
  r["n_eval"] = lab::format_thousands(cfg.n_eval);
  r["seeds"] = cfg.seeds;
  r["quad_B"] = cfg.quad_B;
  r["quad_N"] = cfg.quad_N;
  r["well_T"] = ekey(cfg.well_T);
  r["chain_seeds"] = cfg.chain_seeds;
  r["untrained_kl"] = fmt::format("{:.3f}", m.untrained_kl);

  // plateau table: the plateau, its stationarity (last / third quarter), tr C and the prediction eta tr C / (4B)
  std::string t = "| runs | T | B | eta | steps | plateau KL per spin | last / third quarter | tr C | eta tr C / (4B) | "
                  "plateau / prediction |\n|---|---|---|---|---|---|---|---|---|---|\n";
  int passed = 0, checked = 0;
  for (const auto& s : m.settings) {
    if (s.name == "decay") continue;
    const std::string what = s.name == "sgd" ? "SGD" : s.name == "cold" ? "SGD, colder data" : "SGD, periodic ring";
    std::vector<double> q, pred, ratio;
    for (std::size_t k = 0; k < s.runs.size(); ++k) {
      q.push_back(s.fourth[k] / s.third[k]);
      pred.push_back(s.eta * s.gradient_trace[k] / (4.0 * s.batch));
      ratio.push_back(s.plateaus[k] / pred.back());
    }
    if (s.name != "ring") {
      const auto i = lab::t_interval(s.third, 0.95);
      double f = 0;
      for (double x : s.fourth) f += x / double(s.fourth.size());
      checked += 1, passed += (i.lower <= f && f <= i.upper) ? 1 : 0;
    }
    t += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", what, ekey(s.T), s.batch, ekey(s.eta),
                     lab::format_thousands(std::size_t(s.runs[0].step.back())), pm(s.plateaus), pm(q, "{:.3f} ± {:.3f}"),
                     pm(s.gradient_trace, "{:.3g} ± {:.2g}"), pm(pred), pm(ratio, "{:.2f} ± {:.2f}"));
  }
  r["plateau_table"] = t;
  r["plateau_checks"] = fmt::format("{} of {}", passed, checked);
  {
    // plateau / prediction over the constant-eta runs of the open chain: the range of the seed means
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& s : m.settings) {
      if (s.name != "sgd" && s.name != "cold") continue;
      std::vector<double> ratio;
      for (std::size_t k = 0; k < s.runs.size(); ++k) ratio.push_back(s.plateaus[k] * 4.0 * s.batch / (s.eta * s.gradient_trace[k]));
      lo = std::min(lo, mean(ratio)), hi = std::max(hi, mean(ratio));
    }
    r["fd_ratio_range"] = fmt::format("{:.2f} to {:.2f}", lo, hi);
  }
  r["slope_small"] = pm(seed_slopes(m, Bs, cfg.T), "{:.2f} ± {:.2f}");
  r["slope_large"] = pm(seed_slopes(m, Bl, cfg.T), "{:.2f} ± {:.2f}");

  // decay windows
  const auto wins = decay_windows(cfg, m);
  std::string d = "| window eta(t) | KL in the window | constant-eta plateau at eta(t) | ratio |\n|---|---|---|---|\n";
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& w : wins) {
    std::vector<double> ratio;
    for (std::size_t k = 0; k < w.kl.size(); ++k) ratio.push_back(w.kl[k] / w.plateau[k]);
    d += fmt::format("| {:.3g} | {} | {} | {} |\n", w.eta, pm(w.kl), std::isfinite(w.plateau[0]) ? pm(w.plateau) : "off the grid",
                     std::isfinite(w.plateau[0]) ? pm(ratio, "{:.2f} ± {:.2f}") : "");
    const auto lo = *std::min_element(w.kl.begin(), w.kl.end()), hi = *std::max_element(w.kl.begin(), w.kl.end());
    rows.push_back({w.eta, mean(w.kl), lo, hi, std::isfinite(w.plateau[0]) ? mean(w.plateau) : NAN});
  }
  r["decay_table"] = d;
  r["decay_table_rows"] = rows;

  auto find = [&](const std::string& n, double e, int B, double T) -> const Setting& { return *m.find(n, e, B, T); };
  {
    std::vector<double> fin_d;
    for (const auto& run : find("decay", cfg.eta_peak, Bs, cfg.T).runs) fin_d.push_back(tail(run.kl, 0.1));
    r["decay_final"] = pm(fin_d);
    // where the decay run ends: its tr C, and eta tr C / (4B) at its final eta, against the constant run at the
    // grid's smallest eta
    const auto& d = find("decay", cfg.eta_peak, Bs, cfg.T);
    std::vector<double> pred;
    for (double c : d.gradient_trace) pred.push_back(cfg.eta_peak * cfg.final_ratio * c / (4.0 * Bs));
    r["decay_trace"] = pm(d.gradient_trace, "{:.3g} ± {:.2g}");
    r["decay_predicted"] = pm(pred);
    const double e_lo = *std::min_element(cfg.eta_small_batch.begin(), cfg.eta_small_batch.end());
    r["trace_at_eta_min"] = pm(find("sgd", e_lo, Bs, cfg.T).gradient_trace, "{:.3g} ± {:.2g}");
  }
  const double e_min = *std::min_element(cfg.eta_small_batch.begin(), cfg.eta_small_batch.end());
  const double e_max = *std::max_element(cfg.eta_small_batch.begin(), cfg.eta_small_batch.end());
  r["eta_min"] = ekey(e_min);
  r["eta_max"] = ekey(e_max);
  r["plateau_min"] = pm(find("sgd", e_min, Bs, cfg.T).plateaus);
  r["plateau_max"] = pm(find("sgd", e_max, Bs, cfg.T).plateaus);
  r["plateau_peak"] = pm(find("sgd", cfg.eta_peak, Bs, cfg.T).plateaus);
  r["ring_plateau"] = pm(find("ring", cfg.eta_ring, Bs, cfg.T).plateaus);
  r["ring_last"] = pm(find("ring", cfg.eta_ring, Bs, cfg.T).plateaus_last);
  if (const auto* open = m.find("sgd", cfg.eta_ring, Bs, cfg.T)) {
    r["open_plateau_ring_eta"] = pm(open->plateaus);
    r["open_last_ring_eta"] = pm(open->plateaus_last);
  } else {
    r["open_plateau_ring_eta"] = r["open_last_ring_eta"] = "n/a";
  }
  r["closing_bond_information"] = fmt::format("{:.4f}", m.closing_bond_information);
  {
    std::string s;
    for (double e : cfg.eta_cold)
      s += fmt::format("{}eta = {}: {} at T = {} against {} at T = {}", s.empty() ? "" : "; ", ekey(e),
                       pm(find("sgd", e, Bs, cfg.T).plateaus), ekey(cfg.T), pm(find("cold", e, Bs, cfg.T_cold).plateaus),
                       ekey(cfg.T_cold));
    r["equipartition_values"] = s;
    // the measured curvature: tr C at the two temperatures, and the ratio it predicts
    std::string tr;
    for (double e : cfg.eta_cold) {
      const auto &hot = find("sgd", e, Bs, cfg.T), &cold = find("cold", e, Bs, cfg.T_cold);
      std::vector<double> ratio, measured;
      for (std::size_t k = 0; k < hot.runs.size(); ++k) {
        ratio.push_back(hot.gradient_trace[k] / cold.gradient_trace[k]);
        measured.push_back(hot.plateaus[k] / cold.plateaus[k]);
      }
      tr += fmt::format("{}eta = {}: tr C = {} at T = {} against {} at T = {}, a predicted ratio of {} against the "
                        "measured {}",
                        tr.empty() ? "" : "; ", ekey(e), pm(hot.gradient_trace, "{:.3g} ± {:.2g}"), ekey(cfg.T),
                        pm(cold.gradient_trace, "{:.3g} ± {:.2g}"), ekey(cfg.T_cold), pm(ratio, "{:.2f} ± {:.2f}"),
                        pm(measured, "{:.2f} ± {:.2f}"));
    }
    r["trace_values"] = tr;
  }
  // the controls' numbers quoted in the text
  {
    const auto& c = m.controls;
    r["h_hot"] = fmt::format("{:.3f}", c.h_hot);
    r["h_cold"] = fmt::format("{:.4f}", c.h_cold);
    r["hessian_ratio"] = fmt::format("{:.1f}", c.h_hot / c.h_cold);
    std::string iso;
    for (const auto& [e, hot, cold] : c.isotropic) iso += fmt::format("{}{:.3f} at eta = {}", iso.empty() ? "" : ", ", hot / cold, ekey(e));
    r["isotropic_ratios"] = iso;
    std::string fisher;
    for (double e : cfg.eta_cold) {
      double a = NAN, b = NAN;
      for (const auto& x : m.exact.chain_at_transformer)
        if (x["eta"].get<double>() == e) (x["K"].get<double>() == cfg.chain_K[0] ? a : b) = x["excess_exact"].get<double>();
      fisher += fmt::format("{}{:.1f} at eta = {}", fisher.empty() ? "" : ", ", a / b, ekey(e));
    }
    r["fisher_ratios"] = fisher;
    const auto& w = m.exact.well_tilted;
    r["tilt"] = ekey(cfg.well_tilt);
    r["tilted_gibbs"] = fmt::format("{:.3f}", w["gibbs_wide"].get<double>());
    r["tilted_sim"] = w.value("diverged_at", -1L) >= 0 ? std::string("diverged")
                                                      : fmt::format("{:.3f} ± {:.3f}", w["wide"].get<double>(), w["wide_error"].get<double>());
    const auto& z = m.exact.well_small_eta;
    r["well_small_eta"] = ekey(z["eta"].get<double>());
    r["well_small_eta_chain"] = fmt::format("{:.4f}", z["chain_wide"].get<double>());
    r["well_gibbs"] = fmt::format("{:.4f}", z["gibbs_wide"].get<double>());
  }

  // exact cases, quoted values
  for (const auto& q : m.exact.quadratic)
    if (std::abs(q["eta_h"].get<double>() - 1.2) < 1e-9 || &q == &m.exact.quadratic.back()) {
      const auto& a = q["with"];
      r["quad_eta_h"] = ekey(q["eta_h"].get<double>());
      r["quad_exact"] = fmt::format("{:.4f}", a["variance_exact"].get<double>());
      r["quad_small"] = fmt::format("{:.4f}", a["variance_small_eta"].get<double>());
      r["quad_sim"] = fmt::format("{:.4f} ± {:.4f}", a["variance"].get<double>(), a["variance_error"].get<double>());
      r["quad_without_exact"] = fmt::format("{:.4f}", q["without"]["variance_exact"].get<double>());
      r["quad_without_sim"] = fmt::format("{:.4f} ± {:.4f}", q["without"]["variance"].get<double>(),
                                          q["without"]["variance_error"].get<double>());
      break;
    }
  {
    std::string s;
    // The chain's value where it stays confined over the run, else its divergence rate; the
    // simulated value, or the step at which the run diverged.
    const auto chain = [](const nlohmann::json& a) {
      const double r = a["chain_escape_per_step"].get<double>();
      return sgd::confined_over(r, a["steps"].get<double>())
                 ? fmt::format("{:.4f}", a["chain_wide"].get<double>())
                 : fmt::format("none (diverges at {:.2g} per step)", r);
    };
    const auto simulated = [](const nlohmann::json& a) {
      return a.value("diverged_at", -1L) >= 0
                 ? fmt::format("diverged at step {}", a["diverged_at"].get<long>())
                 : fmt::format("{:.4f} ± {:.4f}", a["wide"].get<double>(), a["wide_error"].get<double>());
    };
    for (const auto& w : m.exact.well) {
      const auto &a = w["constant"], &b = w["curvature"];
      s += fmt::format("| {} | {:.4f} | {} | {} | {} | {} |\n", ekey(w["eta"].get<double>()), a["gibbs_wide"].get<double>(),
                       chain(a), simulated(a), chain(b), simulated(b));
    }
    r["well_table"] = "| eta | Gibbs | exact chain, constant noise | simulated | exact chain, curvature noise | simulated |\n"
                      "|---|---|---|---|---|---|\n" + s;
  }
  {
    std::string s = "| K | B | eta | excess KL per spin: exact law | linearised | small eta | simulated (mean of seeds) |\n"
                    "|---|---|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < m.exact.chain.size(); i += std::size_t(cfg.chain_seeds)) {
      double v = 0;
      for (int k = 0; k < cfg.chain_seeds; ++k) v += m.exact.chain[i + std::size_t(k)]["excess"].get<double>();
      const auto& a = m.exact.chain[i];
      const double L = cfg.model.L;
      s += fmt::format("| {} | {} | {} | {:.3e} | {:.3e} | {:.3e} | {:.3e} |\n", ekey(a["K"].get<double>()), a["B"].get<long>(),
                       ekey(a["eta"].get<double>()), a["excess_exact"].get<double>() / L,
                       a["excess_linear"].get<double>() / L, a["excess_small_eta"].get<double>() / L,
                       v / cfg.chain_seeds / L);
    }
    r["chain_table"] = s;
    // the excess at the first K over that at the second, same eta and B = 1 (exact law), smallest eta
    double a = NAN, b = NAN, eta = INFINITY;
    for (const auto& e : m.exact.chain)
      if (e["B"].get<long>() == 1 && e["eta"].get<double>() <= eta) {
        eta = e["eta"].get<double>();
        (e["K"].get<double>() == cfg.chain_K[0] ? a : b) = e["excess_exact"].get<double>();
      }
    r["chain_ratio"] = fmt::format("{:.1f}", a / b);
    r["chain_ratio_eta"] = ekey(eta);
  }
  return r;
}

}  // namespace spinformer
