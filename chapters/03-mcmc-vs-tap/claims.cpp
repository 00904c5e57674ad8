// Chapter 3's claims, judged by the verdict rule (lab/verdict.hpp). Every interval is a Student-t
// interval across disorder draws (J, x), at the Bonferroni level of its claim. The thesis's regime
// claims are graded twice and labelled: on the vector kinetic model (the model nMF and TAP are
// mean-field theories of, simulated exactly) and on what the thesis's loss-model MCMC does.
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lab/intervals.hpp"
#include "lab/report.hpp"
#include "lab/verdict.hpp"

#include "mcmc_vs_tap.hpp"

namespace spinformer {

namespace {
using lab::Direction;
using lab::finite_t_interval;

std::vector<std::size_t> where(const std::vector<double>& x, double lo, double hi) {
  std::vector<std::size_t> out;
  for (std::size_t b = 0; b < x.size(); ++b)
    if (x[b] >= lo * (1 - 1e-9) && x[b] <= hi * (1 + 1e-9)) out.push_back(b);
  return out;
}

std::string blabel(double beta) { return "beta = " + bkey(beta); }

std::string values(const Grid& g, const std::string& name, const std::vector<std::size_t>& idx) {
  std::vector<std::string> parts;
  for (auto b : idx) parts.push_back(fmt::format("{} {:.3f}", bkey(g.x[b]), g.mean(name, b)));
  return fmt::format("{}", fmt::join(parts, ", "));
}
}  // namespace

nlohmann::json chapter_claims(const Config& cfg, const Measurements& m) {
  const std::string thesis = "002_1df8271bdc20b922.txt";
  const auto& F = m.fine;
  const auto& M = m.mcmc;
  const auto hot = where(F.x, 0, 0.999), mid = where(F.x, 1, 10), cold = where(F.x, 10.001, 1e9);
  const auto mhot = where(M.x, 0, 0.999), mmid = where(M.x, 1, 10), mcold = where(M.x, 10.001, 1e9);
  const std::string over = fmt::format("Student-t intervals across {} disorder draws (J, x) at N = {}, D = {}",
                                       m.draws, cfg.N, cfg.D);
  auto level_words = [](double level) { return fmt::format("each at level {:.4f} (Bonferroni, family alpha 0.05)", level); };
  lab::Claims claims("03-mcmc-vs-tap", "The thesis's three regimes, on the exact kinetic model");
  nlohmann::json r;
  // The kinetic model at the other sizes, on the coarse grid cfg.size_betas: (N, grid point) pairs.
  auto at_sizes = [&](double lo, double hi) {
    std::vector<std::pair<int, std::size_t>> out;
    for (int n : cfg.other_sizes)
      for (auto b : where(m.sizes.at(n).x, lo, hi)) out.emplace_back(n, b);
    return out;
  };
  auto nlabel = [](int n, double beta) { return fmt::format("N = {}, beta = {}", n, bkey(beta)); };
  const auto shot = at_sizes(0, 0.999), scold = at_sizes(10.001, 1e9), sall = at_sizes(0, 1e9);
  const std::string sizes_words = fmt::format("; at N = {} also on beta in {{{}}}", fmt::join(cfg.other_sizes, ", "),
                                              fmt::join(cfg.size_betas, ", "));

  // 3.1 on the kinetic model: paramagnet vs aligned mean-field.
  lab::Claim c1{"3.1", "source",
                "High T (beta < 1): the state is paramagnetic, A -> 0, while nMF and TAP align with the field, A -> 1 "
                "(graded on the vector kinetic model)",
                thesis + ", ch. 4, Fig. 4.1, 'High T regime'"};
  double lv = c1.simultaneous(3 * hot.size() + shot.size());
  for (auto b : hot) {
    c1.condition(blabel(F.x[b]), "A(m_30, x), exact kinetic simulation", finite_t_interval(F.at("A_exact", b), lv),
                 Direction::below, 0.1);
    c1.condition(blabel(F.x[b]), "A of nMF", finite_t_interval(F.at("A_nmf", b), lv), Direction::above, 0.9);
    c1.condition(blabel(F.x[b]), "A of TAP (tight inner solve)", finite_t_interval(F.at("A_tap", b), lv),
                 Direction::above, 0.9);
  }
  for (auto [n, b] : shot)
    c1.condition(nlabel(n, m.sizes.at(n).x[b]), "A(m_30, x), exact kinetic simulation",
                 finite_t_interval(m.sizes.at(n).at("A_exact", b), lv), Direction::below, 0.1);
  c1.short_form("high T: paramagnet, nMF/TAP aligned (kinetic truth)")
      .criterion(fmt::format("at every grid point beta < 1: A of the exact kinetic m_30 below 0.1, A of nMF and of TAP "
                             "above 0.9{} (exact A only); {}, {}", sizes_words, over, level_words(lv)))
      .measured("exact A: " + values(F, "A_exact", hot));
  claims.add(c1);

  lab::Claim c1a{"3.1a", "source",
                 "High T (beta < 1): the thesis's MCMC (loss-based energy, sigma = 1/(N sqrt D), from m_0) reports A -> 0",
                 thesis + ", ch. 4, Fig. 4.1, 'High T regime'"};
  lv = c1a.simultaneous(mhot.size());
  for (auto b : mhot)
    c1a.condition(blabel(M.x[b]), "A of the thesis's chain mean (loss model)",
                  finite_t_interval(M.at("A_thesis", b), lv), Direction::within, -0.1, 0.1);
  c1a.short_form("high T: the thesis's sampler reports A = 0 (loss model)")
      .criterion(fmt::format("at every MCMC grid point beta < 1, A of the mean of one chain of {:.2g} proposals from m_0 "
                             "lies in [-0.1, 0.1]; {}, {}", double(cfg.proposals), over, level_words(lv)));
  claims.add(c1a);

  lab::Claim c1b{"3.1b", "source",
                 "High T (beta < 1): the equilibrium state of the thesis's loss-based energy is paramagnetic, A -> 0",
                 thesis + ", ch. 4 'High T regime' ('unaddressed paramagnetic phase')"};
  lv = c1b.simultaneous(mhot.size());
  for (auto b : mhot)
    c1b.condition(blabel(M.x[b]), "noise-corrected A, adapted-width sampler (loss model)",
                  finite_t_interval(M.at("A_adapt", b), lv), Direction::below, 0.1);
  c1b.short_form("high T: loss-model equilibrium is paramagnetic")
      .criterion(fmt::format("at every MCMC grid point beta < 1, the noise-corrected A of two adapted-width chains (from "
                             "m_0 and from the field) is below 0.1; {}, {}", over, level_words(lv)))
      .measured("A: " + values(M, "A_adapt", mhot));
  // The equilibrium is read with the adapted-width sampler: it must mix (3.5) and find the exact A = 1
  // of J = 0 (3.1d, its positive control) before its A -> 0 says anything about the loss model.
  c1b.prerequisites({"3.5"}).controls({}, {"3.1d"});
  claims.add(c1b);

  const auto& C = m.control;
  lab::Claim c1c{"3.1c", "validation",
                 "Validation (J = 0 control): the thesis's sampler from m_0 finds the exact A = 1 of J = 0",
                 "this chapter; at J = 0 pi(s) is a product of Gaussians N(R x_i/|x_i|, I/beta), so A = 1 exactly"};
  lv = c1c.simultaneous(C.x.size());
  for (std::size_t b = 0; b < C.x.size(); ++b)
    c1c.condition(blabel(C.x[b]), "A of the thesis's chain mean, J = 0", finite_t_interval(C.at("A0_thesis", b), lv),
                  Direction::above, 0.9);
  c1c.short_form("J = 0 control: the thesis's sampler finds A = 1")
      .criterion(fmt::format("A above 0.9 at every control beta; {}, {}", over, level_words(lv)))
      .measured("A: " + values(C, "A0_thesis", where(C.x, 0, 1e9)));
  claims.add(c1c);

  lab::Claim c1d{"3.1d", "validation", "Validation (J = 0 control): the adapted-width sampler finds the exact A = 1",
                 "this chapter; exact A = 1 at J = 0"};
  lv = c1d.simultaneous(C.x.size());
  for (std::size_t b = 0; b < C.x.size(); ++b)
    c1d.condition(blabel(C.x[b]), "noise-corrected A, adapted sampler, J = 0",
                  finite_t_interval(C.at("A0_adapt", b), lv), Direction::above, 0.9);
  c1d.short_form("J = 0 control: the adapted sampler finds A = 1")
      .criterion(fmt::format("A above 0.9 at every control beta; {}, {}", over, level_words(lv)))
      .measured("A: " + values(C, "A0_adapt", where(C.x, 0, 1e9)));
  claims.add(c1d);

  // 3.2: the three differ; TAP's bump, with J and with symmetric J.
  lab::Claim c2{"3.2", "source",
                "Intermediate T (1 <= beta <= 10): the truth, nMF and TAP differ; TAP shows a bump that persists with "
                "symmetric couplings (graded on the vector kinetic model)",
                thesis + ", ch. 4 'Intermediate T regime', App. B.3"};
  lv = c2.simultaneous(3 * mid.size() + 2);
  for (auto b : mid) {
    c2.condition(blabel(F.x[b]), "|A_exact - A_nMF|", finite_t_interval(F.at("d_exact_nmf", b), lv), Direction::above,
                 0.05);
    c2.condition(blabel(F.x[b]), "|A_exact - A_TAP|", finite_t_interval(F.at("d_exact_tap", b), lv), Direction::above,
                 0.05);
    c2.condition(blabel(F.x[b]), "|A_nMF - A_TAP|", finite_t_interval(F.at("d_nmf_tap", b), lv), Direction::above,
                 0.05);
  }
  c2.condition("0.1 <= beta <= 30", "TAP bump (rise above running minimum)", finite_t_interval(m.bump_tap, lv),
               Direction::above, 0.02);
  c2.condition("0.1 <= beta <= 30", "TAP bump, symmetric J", finite_t_interval(m.bump_sym, lv), Direction::above, 0.02);
  c2.short_form("intermediate T: all differ, TAP bump (kinetic truth)")
      .criterion(fmt::format("at every grid point 1 <= beta <= 10 each pairwise |dA| among exact, nMF, TAP above 0.05; "
                             "TAP's bump above 0.02 for J and for (J + J^T)/sqrt 2; {}, {}", over, level_words(lv)));
  claims.add(c2);

  lab::Claim c2a{"3.2a", "source",
                 "Intermediate T (1 <= beta <= 10): the thesis's MCMC (loss model) differs from nMF and from TAP",
                 thesis + ", ch. 4 'Intermediate T regime'"};
  lv = c2a.simultaneous(2 * mmid.size());
  for (auto b : mmid) {
    c2a.condition(blabel(M.x[b]), "|A_thesis MCMC - A_nMF|", finite_t_interval(M.at("d_thesis_nmf", b), lv),
                  Direction::above, 0.05);
    c2a.condition(blabel(M.x[b]), "|A_thesis MCMC - A_TAP|", finite_t_interval(M.at("d_thesis_tap", b), lv),
                  Direction::above, 0.05);
  }
  c2a.short_form("intermediate T: the thesis's MCMC differs (loss model)")
      .criterion(fmt::format("at every MCMC grid point 1 <= beta <= 10, |dA| of the thesis's chain from nMF and from "
                             "TAP above 0.05; {}, {}", over, level_words(lv)));
  claims.add(c2a);

  // 3.3: nMF close to the truth; TAP fluctuates (with the tight inner solve).
  lab::Claim c3{"3.3", "source",
                "Low T (beta > 10): nMF agrees closely with the truth; TAP fluctuates strongly (graded on the vector "
                "kinetic model, TAP with a tight inner solve)",
                thesis + ", ch. 4 'Low T regime', Fig. 4.1"};
  lv = c3.simultaneous(2 * cold.size() + scold.size());
  for (auto b : cold) {
    c3.condition(blabel(F.x[b]), "|A_exact - A_nMF|", finite_t_interval(F.at("d_exact_nmf", b), lv), Direction::below,
                 0.05);
    c3.condition(blabel(F.x[b]), "std of A(m_t, x), TAP's last half, tight inner solve",
                 finite_t_interval(F.at("std_tap", b), lv), Direction::above, 0.05);
  }
  for (auto [n, b] : scold)
    c3.condition(nlabel(n, m.sizes.at(n).x[b]), "|A_exact - A_nMF|",
                 finite_t_interval(m.sizes.at(n).at("d_exact_nmf", b), lv), Direction::below, 0.05);
  c3.short_form("low T: nMF = truth, TAP fluctuates (kinetic truth)")
      .criterion(fmt::format("at every grid point beta > 10: |A_exact - A_nMF| below 0.05, and the std of A(m_t, x) over "
                             "the last half of TAP's {} steps (inner solve to {:g}, damping {:g}, at most {} "
                             "iterations) above 0.05{} (|A_exact - A_nMF| only); {}, {}", cfg.tap_steps, cfg.tight_tolerance,
                             cfg.tight_damping, cfg.tight_max_inner, sizes_words, over, level_words(lv)))
      .measured("TAP trajectory std, thesis's solver: " + values(F, "std_tap_thesis", cold) +
                "; tight solver: " + values(F, "std_tap", cold));
  claims.add(c3);

  lab::Claim c3a{"3.3a", "source", "Low T (beta > 10): the thesis's MCMC (loss model) and nMF agree closely",
                 thesis + ", ch. 4 'Low T regime'"};
  lv = c3a.simultaneous(mcold.size());
  for (auto b : mcold)
    c3a.condition(blabel(M.x[b]), "|A_thesis MCMC - A_nMF|", finite_t_interval(M.at("d_thesis_nmf", b), lv),
                  Direction::below, 0.05);
  c3a.short_form("low T: the thesis's MCMC = nMF (loss model)")
      .criterion(fmt::format("|dA| below 0.05 at every MCMC grid point beta > 10; {}, {}", over, level_words(lv)));
  claims.add(c3a);

  // 3.4 / 3.5: mixing of the two samplers.
  lab::Claim c4{"3.4", "source", "The thesis's Metropolis chains have converged (at high T, where it reports A = 0)",
                thesis + ", App. B.3 'Convergence of MCMC'"};
  lv = c4.simultaneous(mhot.size());
  for (auto b : mhot)
    c4.condition(blabel(M.x[b]), "R-hat of A(s_t, x), chains from m_0 and from the field",
                 finite_t_interval(M.at("rhat_thesis", b), lv), Direction::below, 1.1);
  c4.short_form("the thesis's sampler has mixed at high T")
      .criterion(fmt::format("Gelman-Rubin R-hat of A(s_t, x) over a chain from m_0 and one from the field-aligned "
                             "state below 1.1 at every MCMC grid point beta < 1; {}, {}", over, level_words(lv)))
      .measured("R-hat: " + values(M, "rhat_thesis", mhot));
  claims.add(c4);

  lab::Claim c5{"3.5", "validation", "Validation: the adapted-width sampler mixes (dispersed starts agree)",
                "this chapter"};
  lv = c5.simultaneous(M.x.size());
  for (std::size_t b = 0; b < M.x.size(); ++b)
    c5.condition(blabel(M.x[b]), "R-hat of A(s_t, x), adapted chains from m_0 and from the field",
                 finite_t_interval(M.at("rhat_adapt", b), lv), Direction::below, 1.1);
  c5.short_form("the adapted sampler has mixed")
      .criterion(fmt::format("R-hat below 1.1 at every MCMC grid point; {}, {}", over, level_words(lv)))
      .measured("R-hat: " + values(M, "rhat_adapt", where(M.x, 0, 1e9)));
  claims.add(c5);

  // 3.6: TAP's accuracy itself.
  lab::Claim c6{"3.6", "reference",
                "TAP (second order in the Plefka expansion) predicts the vector kinetic model's magnetisation better "
                "than nMF (first order)",
                "reference sheet kinetic-ising.md, 'Vector kinetic model'; spin-transformer.md"};
  lv = c6.simultaneous(F.x.size() + sall.size());
  for (std::size_t b = 0; b < F.x.size(); ++b)
    c6.condition(blabel(F.x[b]), "MSE(TAP) - MSE(nMF) of m_30 per component", finite_t_interval(F.at("d_mse", b), lv),
                 Direction::below, 0);
  for (auto [n, b] : sall)
    c6.condition(nlabel(n, m.sizes.at(n).x[b]), "MSE(TAP) - MSE(nMF) of m_30 per component",
                 finite_t_interval(m.sizes.at(n).at("d_mse", b), lv), Direction::below, 0);
  c6.short_form("TAP beats nMF on the kinetic model's m_t")
      .criterion(fmt::format("at every grid point, the mean squared error per component of TAP's m_30 against the exact "
                             "m_30, minus nMF's, is below 0 (large-D readout for both; {} exact trajectories per draw){}; "
                             "{}, {}", cfg.kinetic_runs, sizes_words, over, level_words(lv)));
  claims.add(c6);

  // 3.7: the binary kinetic Ising near criticality (seed 003's reference [1]).
  const auto& I = m.ising;
  lab::Claim c7{"3.7", "source",
                "Near criticality (beta / beta_c in [0.7, 1.3]) the pairwise Plefka2[t] approximation is the most "
                "accurate mean-field method of the asymmetric kinetic Ising model",
                "003_12d39f712e9a035a.txt, ref. [1] (Aguilera, Moosavi, Shimazaki 2021)"};
  lv = c7.simultaneous(3 * I.x.size());
  for (std::size_t b = 0; b < I.x.size(); ++b) {
    const std::string l = "beta/beta_c = " + bkey(I.x[b]);
    c7.condition(l, "eps_m(pairwise) - min over naive, TAP, Gaussian", finite_t_interval(I.at("dm", b), lv),
                 Direction::below, 0);
    c7.condition(l, "eps_C(pairwise) - min over the others", finite_t_interval(I.at("dC", b), lv), Direction::below, 0);
    c7.condition(l, "eps_D(pairwise) - min over the others", finite_t_interval(I.at("dD", b), lv), Direction::below, 0);
  }
  c7.short_form("kinetic Ising near beta_c: pairwise is most accurate")
      .criterion(fmt::format("at every beta / beta_c, the mean squared errors of m_t, C_t and D_t over t = 1..{} "
                             "against forward simulation ({} runs) are smaller for the pairwise method than for the "
                             "best of the others; asymmetric SK, N = {}, J0 = 1, Js = 0.1, H0 = 0.5, beta_c = 1.1108; "
                             "Student-t intervals across {} draws of (J, H), {}",
                             cfg.ising_steps, cfg.ising_runs, cfg.ising_N, m.ising_draws, level_words(lv)));
  claims.add(c7);

  // 3.8: the epsilon test, orders declared before the run.
  const auto& E = m.eps;
  const std::string eps_over = fmt::format(
      "J -> eps J, eps in {{{}}}, beta = {:g}, N = {}, D = {}; error = root mean squared error per component of m_{} "
      "against the exact model ({} trajectories per draw, conditional-mean estimator with control variate, its "
      "sampling variance subtracted); Bessel readout for nMF and TAP; slope = least-squares slope of log(error) "
      "against log(eps) for each draw; Student-t intervals across {} draws", fmt::join(cfg.eps_values, ", "),
      cfg.eps_beta, cfg.N, cfg.D, cfg.eps_steps, cfg.eps_runs, m.draws);
  lab::Claim c8{"3.8", "reference",
                "In the coupling strength (J -> eps J) nMF's error in the magnetisation of the vector kinetic model is "
                "O(eps^2) (first order in the Plefka expansion) and TAP's O(eps^3) (second order)",
                "Plefka expansion (reference sheet kinetic-ising.md: nMF and TAP are its first and second orders); "
                "expected orders declared before the run"};
  lv = c8.simultaneous(2);
  c8.condition("nMF", "slope of log error vs log eps", finite_t_interval(m.eps_slope.at("nmf"), lv), Direction::within,
               1.75, 2.25);
  c8.condition("TAP", "slope of log error vs log eps", finite_t_interval(m.eps_slope.at("tap"), lv), Direction::within,
               2.75, 3.25);
  c8.short_form("epsilon test: nMF O(eps^2), TAP O(eps^3)")
      .criterion(
          fmt::format("nMF's slope in [1.75, 2.25] and TAP's in [2.75, 3.25]; {}, {}", eps_over, level_words(lv)))
      .measured(fmt::format(
          "slopes: nMF {:.2f}, TAP {:.2f}, consistent second-order theory {:.2f}; TAP's error at eps = 0 "
          "{:.2g}",
          lab::t_interval(m.eps_slope.at("nmf"), 0.95).estimate, lab::t_interval(m.eps_slope.at("tap"), 0.95).estimate,
          finite_t_interval(m.eps_slope.at("second"), 0.95).estimate,
          lab::t_interval(m.eps_zero.at("tap"), 0.95).estimate));
  c8.prerequisites({"3.8a"});  // the errors are measured against a Monte Carlo reference: its noise must be small
  claims.add(c8);

  lab::Claim c8a{"3.8a", "validation",
                 "Validation: at the smallest eps the exact reference's Monte Carlo error is well below the errors of "
                 "nMF and TAP it measures", "this chapter"};
  lv = c8a.simultaneous(2);
  c8a.condition(fmt::format("eps = {:g}", E.x.front()), "rms noise of the exact m_T / nMF's rms error",
                finite_t_interval(E.at("noise_over_nmf", 0), lv), Direction::below, 0.1);
  c8a.condition(fmt::format("eps = {:g}", E.x.front()), "rms noise of the exact m_T / TAP's rms error",
                finite_t_interval(E.at("noise_over_tap", 0), lv), Direction::below, 0.1);
  c8a.short_form("epsilon test: reference noise well below the errors")
      .criterion(fmt::format("ratio below 0.1 for both; {}, {}", eps_over, level_words(lv)));
  claims.add(c8a);

  r["claims_json"] = claims.to_json();
  for (const auto& c : r["claims_json"]["claims"]) {
    std::string id = c["id"];
    r["verdict_" + id] = c["verdict"];
  }
  return r;
}

}  // namespace spinformer
