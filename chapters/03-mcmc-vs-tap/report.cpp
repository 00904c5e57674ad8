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
  r["tight_tolerance"] = fmt::format("{:g}", cfg.tight_tolerance);
  r["tight_max_inner"] = cfg.tight_max_inner;
  r["tight_damping"] = fmt::format("{:g}", cfg.tight_damping);
  r["proposals"] = fmt::format("{:.2g}", double(cfg.proposals));
  r["thin"] = cfg.thin;
  r["sigma_thesis"] = fmt::format("{:.4g}", glass::thesis_proposal_width(cfg.N, cfg.D));
  r["n_fine"] = F.x.size();
  r["n_mcmc"] = M.x.size();
  r["ising_N"] = cfg.ising_N;
  r["ising_steps"] = cfg.ising_steps;
  r["ising_runs"] = lab::format_thousands(std::size_t(cfg.ising_runs));
  r["ising_draws"] = cfg.ising_draws;

  std::string t = "| beta | exact A | nMF | TAP, tight | TAP, thesis's solve | TAP, symmetric J | std TAP, thesis's | "
                  "std TAP, tight | failed solves, thesis's / tight | MSE nMF | MSE TAP |\n"
                  "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t b = 0; b < F.x.size(); ++b)
    t += fmt::format("| {} | {} | {:.3f} | {:.3f} | {:.3f} | {:.3f} | {:.2f} | {:.2f} | {:.2f} / {:.2f} | {:.2g} | {:.2g} |\n",
                     bkey(F.x[b]), pm(F, "A_exact", b), F.mean("A_nmf", b), F.mean("A_tap", b),
                     F.mean("A_tap_thesis", b), F.mean("A_tap_sym", b), F.mean("std_tap_thesis", b),
                     F.mean("std_tap", b), F.mean("fail_tap_thesis", b), F.mean("fail_tap", b), F.mean("mse_nmf", b),
                     F.mean("mse_tap", b));
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

  t = "| beta / beta_c | eps_m naive | eps_m TAP | eps_m Gaussian | eps_m pairwise | pairwise - best other: eps_m | "
      "eps_C | eps_D |\n|---|---|---|---|---|---|---|---|\n";
  for (std::size_t b = 0; b < I.x.size(); ++b)
    t += fmt::format("| {} | {:.2e} | {:.2e} | {:.2e} | {:.2e} | {} | {} | {} |\n", bkey(I.x[b]), I.mean("m_naive", b),
                     I.mean("m_tap", b), I.mean("m_gaussian", b), I.mean("m_pairwise", b),
                     pm(I, "dm", b, "{:.1e} +- {:.1e}"), pm(I, "dC", b, "{:.1e} +- {:.1e}"),
                     pm(I, "dD", b, "{:.1e} +- {:.1e}"));
  r["ising_table"] = t;

  // Scalars quoted in the running text.
  double exact_hot_min = 1, thesis_hot_max = 0, cold_dnmf_max = 0, cold_std_min = 1e9, cold_std_thesis_min = 1e9,
         cold_fail_min = 1;
  for (std::size_t b = 0; b < F.x.size(); ++b) {
    if (F.x[b] < 0.999) exact_hot_min = std::min(exact_hot_min, F.mean("A_exact", b));
    if (F.x[b] > 10.001) {
      cold_dnmf_max = std::max(cold_dnmf_max, F.mean("d_exact_nmf", b));
      cold_std_min = std::min(cold_std_min, F.mean("std_tap", b));
      cold_std_thesis_min = std::min(cold_std_thesis_min, F.mean("std_tap_thesis", b));
      cold_fail_min = std::min(cold_fail_min, F.mean("fail_tap", b));
    }
  }
  for (std::size_t b = 0; b < M.x.size(); ++b)
    if (M.x[b] < 0.999) thesis_hot_max = std::max(thesis_hot_max, std::abs(M.mean("A_thesis", b)));
  r["exact_hot_min"] = fmt::format("{:.3f}", exact_hot_min);
  r["thesis_hot_max"] = fmt::format("{:.3f}", thesis_hot_max);
  r["cold_dnmf_max"] = fmt::format("{:.3f}", cold_dnmf_max);
  r["cold_std_min"] = fmt::format("{:.2f}", cold_std_min);
  r["cold_std_thesis_min"] = fmt::format("{:.2f}", cold_std_thesis_min);
  r["cold_fail_min"] = fmt::format("{:.2f}", cold_fail_min);
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
