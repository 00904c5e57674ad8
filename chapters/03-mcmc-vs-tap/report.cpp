// Chapter 3: the values and tables quoted in text.md (declared in mcmc_vs_tap.hpp). Every number is
// a mean over disorder draws, "+-" the half-width of its 95% Student-t interval across draws.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "glass/metropolis.hpp"
#include "lab/intervals.hpp"
#include "lab/report.hpp"

#include "mcmc_vs_tap.hpp"

namespace spinformer {

namespace {
std::string pm(const Grid& g, const std::string& name, std::size_t b, const char* f = "{:.3f} +- {:.3f}") {
  return fmt::format(f, g.mean(name, b), g.half_width(name, b));
}

std::string pm_of(const std::vector<double>& v) {
  const auto i = lab::t_interval(v, 0.95);
  return fmt::format("{:.3f} +- {:.3f}", i.estimate, 0.5 * (i.upper - i.lower));
}

std::size_t nearest(const std::vector<double>& grid, double beta) {
  std::size_t best = 0;
  for (std::size_t b = 0; b < grid.size(); ++b)
    if (std::abs(std::log(grid[b] / beta)) < std::abs(std::log(grid[best] / beta))) best = b;
  return best;
}
}  // namespace

nlohmann::json chapter_text_values(const Config& cfg, const Measurements& m) {
  const auto& F = m.fine;
  const auto& M = m.mcmc;
  const auto& C = m.control;
  const auto& I = m.ising;
  nlohmann::json r;
  r["N"] = cfg.N;
  r["D"] = cfg.D;
  r["R"] = fmt::format("{:.3f}", glass::sphere_radius(cfg.D));
  r["draws"] = cfg.draws;
  r["kinetic_runs"] = cfg.kinetic_runs;
  r["kinetic_steps"] = cfg.kinetic_steps;
  r["tap_steps"] = cfg.tap_steps;
  r["newton_tolerance"] = fmt::format("{:g}", cfg.newton_tolerance);
  r["newton_max"] = cfg.newton_max;
  r["solved_residual"] = fmt::format("{:g}", cfg.solved_residual);
  r["control_runs"] = cfg.control_runs;
  r["proposals"] = fmt::format("{:.2g}", double(cfg.proposals));
  r["thin"] = cfg.thin;
  r["sigma_thesis"] = fmt::format("{:.4g}", glass::thesis_proposal_width(cfg.N, cfg.D));
  r["n_fine"] = F.x.size();
  r["n_mcmc"] = M.x.size();
  r["ising_N"] = cfg.ising_N;
  r["ising_steps"] = cfg.ising_steps;
  r["ising_runs"] = lab::format_thousands(std::size_t(cfg.ising_runs));
  r["ising_draws"] = cfg.ising_draws;

  std::string t = "| beta | exact A | exact abs(m)/R | nMF | TAP (Newton) | TAP, thesis's solve | TAP, symmetric J | "
                  "std TAP, thesis's | std TAP, Newton | failed solves, thesis's | largest residual, Newton | MSE nMF | "
                  "MSE TAP |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  double res_max = 0;
  for (std::size_t b = 0; b < F.x.size(); ++b) {
    const auto& res = F.at("res_tap", b);
    const double worst = *std::max_element(res.begin(), res.end());
    res_max = std::max(res_max, worst);
    const double sym = F.mean("A_tap_sym", b);  // measured on 0.1 <= beta <= 30 only
    t += fmt::format("| {} | {} | {:.3g} | {:.3f} | {:.3f} | {:.3f} | {} | {:.2f} | {:.2g} | {:.2f} | {:.1e} | {:.2g} | "
                     "{:.2g} |\n",
                     bkey(F.x[b]), pm(F, "A_exact", b), F.mean("mnorm_exact", b), F.mean("A_nmf", b), F.mean("A_tap", b),
                     F.mean("A_tap_thesis", b), std::isfinite(sym) ? fmt::format("{:.3f}", sym) : std::string("-"), F.mean("std_tap_thesis", b),
                     F.mean("std_tap", b), F.mean("fail_tap_thesis", b), worst, F.mean("mse_nmf", b),
                     F.mean("mse_tap", b));
  }
  r["newton_res_max"] = fmt::format("{:.1e}", res_max);
  r["kinetic_table"] = t;

  t = "| beta | thesis's MCMC, from m_0 | the same, from the field | R-hat, thesis's | adapted MCMC (noise-corrected) | "
      "R-hat, adapted | sigma, adapted |\n|---|---|---|---|---|---|---|\n";
  for (std::size_t b = 0; b < M.x.size(); ++b)
    t += fmt::format("| {} | {} | {} | {} | {} | {} | {:.3g} |\n", bkey(M.x[b]), pm(M, "A_thesis", b),
                     pm(M, "A_thesis_field", b), pm(M, "rhat_thesis", b, "{:.2f} +- {:.2f}"), pm(M, "A_adapt", b),
                     pm(M, "rhat_adapt", b, "{:.3f} +- {:.3f}"), M.mean("sigma_adapt", b));
  r["mcmc_table"] = t;

  t = "| beta | thesis's sampler | adapted sampler | exact |\n|---|---|---|---|\n";
  for (std::size_t b = 0; b < C.x.size(); ++b)
    t += fmt::format("| {} | {} | {} | 1 |\n", bkey(C.x[b]), pm(C, "A0_thesis", b), pm(C, "A0_adapt", b));
  r["control_table"] = t;
  {  // the kinetic model at J = 0
    const auto& Z = m.fine0;
    double a_min = 1, d_max = 0, std_max = 0, dmse_max = 0;
    for (std::size_t b = 0; b < Z.x.size(); ++b) {
      a_min = std::min(a_min, Z.mean("A_exact", b));
      for (const char* n : {"d_exact_nmf", "d_exact_tap", "d_nmf_tap"}) d_max = std::max(d_max, Z.mean(n, b));
      std_max = std::max(std_max, Z.mean("std_tap", b));
      dmse_max = std::max(dmse_max, std::abs(Z.mean("d_mse", b)));
    }
    r["zero_A_min"] = fmt::format("{:.4f}", a_min);
    r["zero_d_max"] = fmt::format("{:.1e}", d_max);
    r["zero_std_max"] = fmt::format("{:.1e}", std_max);
    r["zero_dmse_max"] = fmt::format("{:.1e}", dmse_max);
    r["zero_bump"] = pm_of(m.bump_tap0);
  }
  {  // claim 3.8: eps^2 coefficients against D
    const auto& O = m.orders;
    t = "| D | nMF's eps^2 coefficient | TAP's (consistent readout) | TAP / nMF | D x (TAP / nMF) | TAP with half the "
        "Onsager term / nMF | largest inner residual |\n|---|---|---|---|---|---|---|\n";
    std::vector<std::string> ratios;
    for (std::size_t k = 0; k < O.x.size(); ++k) {
      t += fmt::format("| {:g} | {:.3g} | {:.3g} | {} | {:.2f} | {:.3f} | {:.0e} |\n", O.x[k], O.mean("c2_nmf", k),
                       O.mean("c2_tap", k), pm(O, "ratio_tap", k, "{:.4f} +- {:.4f}"), O.x[k] * O.mean("ratio_tap", k),
                       O.mean("ratio_tap_half", k), O.mean("residual", k));
      ratios.push_back(fmt::format("{:.3f}", O.mean("ratio_tap", k)));
    }
    r["order_table"] = t;
    r["order_ratios"] = fmt::format("{}", fmt::join(ratios, ", "));
    r["order_D"] = fmt::format("{}", fmt::join(cfg.order_D, ", "));
    r["order_eps"] = fmt::format("{:g}", cfg.order_eps);
    r["order_slope_tap"] = pm_of(m.order_slope.at("ratio_tap"));
    r["order_slope_half"] = pm_of(m.order_slope.at("ratio_tap_half"));
    r["order_slope_handmade"] = pm_of(m.order_slope.at("ratio_handmade"));
  }
  r["ising_pooled_m"] = pm_of(m.ising_pooled.at("rel_pairwise_m"));
  r["ising_pooled_C"] = pm_of(m.ising_pooled.at("rel_pairwise_C"));
  r["ising_pooled_D"] = pm_of(m.ising_pooled.at("rel_pairwise_D"));
  r["ising_noise_share"] = fmt::format("{:.2f}", I.mean("noise_m", 0) / I.mean("m_pairwise", 0));
  r["ising_ratios"] = fmt::format("{}", fmt::join(cfg.ising_ratios, ", "));

  t = "| beta / beta_c | eps_m naive | eps_m TAP | eps_m Gaussian | eps_m pairwise | simulation noise | pairwise - best "
      "other: eps_m | eps_C | eps_D |\n|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t b = 0; b < I.x.size(); ++b)
    t += fmt::format("| {} | {:.2e} | {:.2e} | {:.2e} | {:.2e} | {:.2e} | {} | {} | {} |\n", bkey(I.x[b]),
                     I.mean("m0_naive", b), I.mean("m0_tap", b), I.mean("m0_gaussian", b), I.mean("m0_pairwise", b),
                     I.mean("noise_m", b),
                     pm(I, "dm", b, "{:.1e} +- {:.1e}"), pm(I, "dC", b, "{:.1e} +- {:.1e}"),
                     pm(I, "dD", b, "{:.1e} +- {:.1e}"));
  r["ising_table"] = t;

  // The other sizes, on the coarse grid.
  t = "| N | beta | exact A | nMF | TAP (m_30) | MSE nMF | MSE TAP | MSE TAP - MSE nMF | noise |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& [n, g] : m.sizes)
    for (std::size_t b = 0; b < g.x.size(); ++b)
      t += fmt::format("| {} | {} | {} | {:.3f} | {:.3f} | {:.2g} | {:.2g} | {} | {:.1g} |\n", n, bkey(g.x[b]),
                       pm(g, "A_exact", b), g.mean("A_nmf", b), g.mean("A_tap30", b), g.mean("mse_nmf", b),
                       g.mean("mse_tap", b), pm(g, "d_mse", b, "{:.2g} +- {:.1g}"), g.mean("mse_noise", b));
  r["size_table"] = t;
  r["other_sizes"] = fmt::format("{}", fmt::join(cfg.other_sizes, " and "));
  r["size_betas"] = fmt::format("{}", fmt::join(cfg.size_betas, ", "));
  auto per_size = [&](const std::string& name, double beta, const char* f) {
    std::vector<std::string> parts;
    for (const auto& [n, g] : m.sizes) {
      const std::size_t b = nearest(g.x, beta);
      parts.push_back(fmt::format("{} at N = {}", fmt::format(fmt::runtime(f), g.mean(name, b)), n));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
  };
  const double beta_cold = cfg.size_betas.back();
  r["size_beta_cold"] = bkey(beta_cold);
  r["size_A_exact_1"] = per_size("A_exact", 1.0, "{:.3f}");
  r["size_dnmf_cold"] = per_size("d_exact_nmf", beta_cold, "{:.3f}");
  r["size_dmse_1"] = per_size("d_mse", 1.0, "{:.1e}");
  r["size_dmse_10"] = per_size("d_mse", 10.0, "{:.1e}");

  // The epsilon test.
  const auto& E = m.eps;
  t = "| eps | nMF | TAP, thesis's hybrid readout | TAP, consistent readout | second-order theory | second-order / nMF | "
      "nMF, large-D readout | TAP, large-D readout | noise of the exact m_T | noise / nMF's error |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  {
    const auto z = [&](const std::string& n) { return lab::t_interval(m.eps_zero.at(n), 0.95).estimate; };
    t += fmt::format("| 0 | {:.1e} | {:.1e} | {:.1e} | {:.1e} | - | {:.1e} | {:.1e} | 0 | - |\n", z("nmf"), z("tap"),
                     z("tap_consistent"), z("second"), z("nmf_large_d"), z("tap_large_d"));
    r["eps_zero_tap_consistent"] = fmt::format("{:.0e}", z("tap_consistent"));
    r["eps_zero_tap"] = fmt::format("{:.1e}", z("tap"));
    r["eps_zero_nmf"] = fmt::format("{:.0e}", z("nmf"));
    r["eps_zero_large_d"] = fmt::format("{:.1e}", z("nmf_large_d"));
  }
  for (std::size_t b = 0; b < E.x.size(); ++b)
    t += fmt::format("| {:g} | {} | {} | {} | {:.1e} | {} | {:.1e} | {:.1e} | {:.1e} | {:.3f} |\n", E.x[b],
                     pm(E, "rms_nmf", b, "{:.2e} +- {:.1e}"), pm(E, "rms_tap", b, "{:.2e} +- {:.1e}"),
                     pm(E, "rms_tap_consistent", b, "{:.2e} +- {:.1e}"), E.mean("rms_second", b),
                     pm(E, "second_over_nmf", b, "{:.2f} +- {:.2f}"), E.mean("rms_nmf_large_d", b),
                     E.mean("rms_tap_large_d", b), E.mean("rms_noise", b), E.mean("noise_over_nmf", b));
  r["eps_table"] = t;
  auto slope = [&](const std::string& n) {
    std::vector<double> finite;
    for (double v : m.eps_slope.at(n))
      if (std::isfinite(v)) finite.push_back(v);
    if (finite.size() < 2) return std::string("undefined");
    const auto i = lab::t_interval(finite, 0.95);
    return fmt::format("{:.2f} +- {:.2f}", i.estimate, 0.5 * (i.upper - i.lower));
  };
  r["eps_slope_nmf"] = slope("nmf");
  r["eps_slope_tap"] = slope("tap");
  r["eps_slope_tap_shift"] = slope("tap_shift");
  r["eps_slope_tap_consistent"] = slope("tap_consistent");
  r["eps_shift_over_nmf"] = fmt::format("{:.2f}", E.mean("rms_tap_shift", 0) / E.mean("rms_nmf", 0));
  r["eps_slope_second"] = slope("second");
  r["eps_values"] = fmt::format("{}", fmt::join(cfg.eps_values, ", "));
  r["eps_min"] = fmt::format("{:g}", cfg.eps_values.front());
  r["eps_beta"] = fmt::format("{:g}", cfg.eps_beta);
  r["eps_steps"] = cfg.eps_steps;
  r["eps_runs"] = lab::format_thousands(std::size_t(cfg.eps_runs));
  r["eps_noise_nmf_min"] = fmt::format("{:.3f}", E.mean("noise_over_nmf", 0));
  r["eps_noise_tap_min"] = fmt::format("{:.3f}", E.mean("noise_over_tap", 0));
  {  // the second-order theory's error in units of the reference's noise, and where TAP beats nMF
    std::vector<std::string> ratio, better;
    int resolved = 0;
    for (std::size_t b = 0; b < E.x.size(); ++b) {
      const double q = E.mean("rms_second", b) / E.mean("rms_noise", b);
      ratio.push_back(fmt::format("{:.2f}", q));
      resolved += q > 3;
      if (E.mean("rms_tap", b) < E.mean("rms_nmf", b)) better.push_back(fmt::format("{:g}", E.x[b]));
    }
    r["eps_second_over_noise"] = fmt::format("{}", fmt::join(ratio, ", "));
    r["eps_second_resolved"] = resolved >= 2 ? fmt::format("resolved at {} of the eps values, so its slope is measured", resolved)
                                             : std::string("too close to that noise for its order to be measured here");
    r["eps_tap_better"] = better.empty() ? std::string("at none of them") : fmt::format("at eps = {}", fmt::join(better, ", "));
  }

  // Scalars quoted in the running text.
  double exact_hot_min = 1, thesis_hot_max = 0, cold_dnmf_max = 0, cold_std_min = 1e9, cold_std_thesis_min = 1e9,
         cold_fail_min = 1;
  for (std::size_t b = 0; b < F.x.size(); ++b) {
    if (F.x[b] < 0.999) exact_hot_min = std::min(exact_hot_min, F.mean("A_exact", b));
    if (F.x[b] > 10.001) {
      cold_dnmf_max = std::max(cold_dnmf_max, F.mean("d_exact_nmf", b));
      cold_std_min = std::min(cold_std_min, F.mean("std_tap", b));
      cold_std_thesis_min = std::min(cold_std_thesis_min, F.mean("std_tap_thesis", b));
      cold_fail_min = std::min(cold_fail_min, F.mean("fail_tap_thesis", b));
    }
  }
  for (std::size_t b = 0; b < M.x.size(); ++b)
    if (M.x[b] < 0.999) thesis_hot_max = std::max(thesis_hot_max, std::abs(M.mean("A_thesis", b)));
  r["exact_hot_min"] = fmt::format("{:.3f}", exact_hot_min);
  r["thesis_hot_max"] = fmt::format("{:.3f}", thesis_hot_max);
  r["cold_dnmf_max"] = fmt::format("{:.3f}", cold_dnmf_max);
  r["cold_std_max"] = [&] {
    double v = 0;
    for (std::size_t b = 0; b < F.x.size(); ++b)
      if (F.x[b] > 10.001) v = std::max(v, F.mean("std_tap", b));
    return fmt::format("{:.1e}", v);
  }();
  {
    std::vector<std::string> parts;
    for (std::size_t b = 0; b < F.x.size(); ++b)
      if (F.x[b] > 9.99) parts.push_back(fmt::format("{:.4f} at beta = {}", F.mean("A_tap", b), bkey(F.x[b])));
    r["cold_A_tap"] = fmt::format("{}", fmt::join(parts, ", "));
    std::vector<std::string> ex;
    for (std::size_t b = 0; b < F.x.size(); ++b)
      if (F.x[b] > 9.99) ex.push_back(fmt::format("{:.3f}", F.mean("A_exact", b)));
    r["cold_A_exact"] = fmt::format("{}", fmt::join(ex, ", "));
  }
  {
    std::vector<std::string> parts;
    for (std::size_t b = 0; b < F.x.size(); ++b)
      if (F.x[b] < 0.999) parts.push_back(fmt::format("{:.2g}", F.mean("mnorm_exact", b)));
    r["hot_mnorm"] = fmt::format("{}", fmt::join(parts, ", "));
    r["hot_betas"] = [&] {
      std::vector<std::string> bs;
      for (std::size_t b = 0; b < F.x.size(); ++b)
        if (F.x[b] < 0.999) bs.push_back(bkey(F.x[b]));
      return fmt::format("{}", fmt::join(bs, ", "));
    }();
  }
  r["cold_std_thesis_min"] = fmt::format("{:.2f}", cold_std_thesis_min);
  r["cold_fail_min"] = fmt::format("{:.2f}", cold_fail_min);
  r["nmf_hot_min"] = [&] {
    double v = 1;
    for (std::size_t b = 0; b < F.x.size(); ++b)
      if (F.x[b] < 0.999) v = std::min({v, F.mean("A_nmf", b), F.mean("A_tap", b)});
    return fmt::format("{:.3f}", v);
  }();
  const std::size_t m01 = nearest(M.x, 0.1), c01 = nearest(C.x, 0.1), f0 = 0, f1 = nearest(F.x, 1.0);
  r["adapt_A_0.1"] = pm(M, "A_adapt", m01);
  r["exact_A_0.1"] = pm(F, "A_exact", nearest(F.x, 0.1));
  r["control_thesis_0.1"] = pm(C, "A0_thesis", c01);
  r["control_adapt_0.1"] = pm(C, "A0_adapt", c01);
  r["bump_tap"] = pm_of(m.bump_tap);
  r["bump_tap_thesis"] = pm_of(m.bump_tap_thesis);
  r["bump_sym"] = pm_of(m.bump_sym);
  r["bump_nmf"] = pm_of(m.bump_nmf);
  {  // the same rise for the exact alignment, draw by draw: does the truth have a bump?
    std::vector<double> rises;
    for (int d = 0; d < m.draws; ++d) {
      double best = 0, running_min = 1e9;
      for (std::size_t b = 0; b < F.x.size(); ++b) {
        if (F.x[b] < 0.1 - 1e-12 || F.x[b] > 30.0 * (1 + 1e-9)) continue;
        const double a = F.at("A_exact", b)[std::size_t(d)];
        running_min = std::min(running_min, a);
        best = std::max(best, a - running_min);
      }
      rises.push_back(best);
    }
    r["bump_exact"] = pm_of(rises);
  }
  r["beta_min"] = bkey(F.x[f0]);
  r["mse_nmf_hot"] = fmt::format("{:.1e}", F.mean("mse_nmf", f0));
  r["mse_nmf_bessel_hot"] = fmt::format("{:.1e}", F.mean("mse_nmf_bessel", f0));
  r["mse_nmf_1"] = fmt::format("{:.1e}", F.mean("mse_nmf", f1));
  r["mse_tap_1"] = fmt::format("{:.1e}", F.mean("mse_tap", f1));
  return r;
}

}  // namespace spinformer
