// Chapter 0's claims: the seed's statements about its data generator and about C(r), each a test of
// named measurements (lab/measurements.hpp) judged by the verdict rule, each graded source claim
// gated by controls of its own statistic and criterion (lab/gate.hpp): a negative control, where the
// criterion must fail by construction, and a positive one, where it must pass.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <string>
#include <utility>
#include <vector>

#include "ising/correlation_length.hpp"
#include "lab/intervals.hpp"
#include "lab/measurements.hpp"
#include "lab/report.hpp"

#include "ising_chain_steps.hpp"

namespace spinformer {

namespace {
// "tau_int" as this chapter measures it: 1 + 2 sum_t rho(t) (twice Sokal's 1/2 + sum rho), so
// independent samples have tau_int = 1 and the threshold 2 means "the variance of a mean is at most
// twice that of independent samples".
constexpr const char* kTauConvention =
    "tau_int = 1 + 2 sum_t rho(t) in samples (twice Sokal's convention; 1 for independent samples), Sokal's "
    "automatic window c = 5";

// The grid of the tau criterion (0.2, 0.2a and their controls 0.7, 0.8): per label, the replicates'
// tau_int of the energy and of the magnetisation.
struct TauGrid : lab::MeasurementGrid {
  TauGrid() {
    statistic("tau_energy", "tau_int of the energy (samples)")
        .statistic("tau_magnetization", "tau_int of the magnetisation (samples)");
  }
  void add(const std::string& label, std::vector<double> energy, std::vector<double> magnetization) {
    replicates(label, "tau_energy", std::move(energy));
    replicates(label, "tau_magnetization", std::move(magnetization));
  }
};
}  // namespace

lab::Claims chapter_claims(const Config& cfg, const SamplerStudy& samplers, const EquilibrationStudy& eq,
                           const DecorrelationStudy& dec) {
  const std::string source = "000_700600b7864feadb.txt";
  const std::size_t nT = cfg.temperatures.size();
  auto T_label = [&](std::size_t t) { return "T = " + lab::format_key(cfg.temperatures[t]); };
  auto column = [](const std::vector<MetropolisBias>& v, double MetropolisBias::*field) {
    std::vector<double> out;
    for (const auto& b : v) out.push_back(b.*field);
    return out;
  };
  auto taus = [](const std::vector<TauPair>& v, double TauPair::*field) {
    std::vector<double> out;
    for (const auto& x : v) out.push_back(x.*field);
    return out;
  };
  const std::string chains = lab::format_thousands(cfg.chains_per_replicate());
  const std::string tmin = T_label(0);
  lab::Claims claims("00-ising-chain", "The Ising chain, exactly");

  // ---- 0.1: equilibrium after 500 sweeps, with the doubling check, and its two controls ------------
  lab::Claim equilibrium{"0.1", "source", "Metropolis from a random start is in equilibrium after 500-1000 sweeps",
                         source + ", Algorithm, step 3"};
  {
    const double level = equilibrium.simultaneous(2 * nT);
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& b = eq.bias[t];
      const lab::Interval e = lab::t_interval(column(b, &MetropolisBias::energy), level);
      const lab::Interval m = lab::t_interval(column(b, &MetropolisBias::m2), level);
      const auto e2 = column(b, &MetropolisBias::energy_2x), m2 = column(b, &MetropolisBias::m2_2x);
      const double e2_mean = lab::mean_and_error(e2).value, m2_mean = lab::mean_and_error(m2).value;
      equilibrium
          .condition(T_label(t), "energy per spin after 500 sweeps minus exact", e, lab::Direction::within,
                     -cfg.energy_band, cfg.energy_band)
          .convergence(lab::doubling_check(e, e2_mean))
          .replicates(b.size());
      equilibrium
          .condition(T_label(t), "mean m^2 after 500 sweeps minus exact", m, lab::Direction::within, -cfg.m2_band,
                     cfg.m2_band)
          .convergence(lab::doubling_check(m, m2_mean))
          .replicates(b.size());
    }
    equilibrium.criterion(fmt::format(
        "at every T ({}): energy per spin after {} sweeps minus exact within [-{:g}, {:g}] and mean m^2 minus exact "
        "within [-{:g}, {:g}]; the seed's Metropolis (random sites, min(1, e^(-beta dE)), single chains from random "
        "starts, m = M / L), each replicate a seed of {} independent chains; equilibration shown by the doubling check: "
        "the same chains continued to {} sweeps must give a mean inside each interval; Student-t intervals over {} "
        "replicates, each at level {:.4f} (Bonferroni over {} conditions, family alpha 0.05); controls 0.5 "
        "(negative) and 0.6 (positive)",
        fmt::join(cfg.temperatures, ", "), cfg.equilibration_sweeps, cfg.energy_band, cfg.energy_band, cfg.m2_band,
        cfg.m2_band, chains, 2 * cfg.equilibration_sweeps, cfg.replicates, level, 2 * nT));
  }
  // The controls are listed among the prerequisites too: "requires" is what the claims table shows.
  equilibrium.prerequisites({"0.5", "0.6"}).controls({"0.5"}, {"0.6"}).short_form(
      "Metropolis equilibrates in 500-1000 sweeps");
  {
    std::vector<std::string> needed;
    for (std::size_t t = 0; t < nT; ++t) {
      const auto [lo, hi] = std::minmax_element(eq.sweeps_needed[t].begin(), eq.sweeps_needed[t].end());
      const std::string range =
          *lo < 0 ? "never" : (*lo == *hi ? std::to_string(*lo) : fmt::format("{}-{}", *lo, *hi));
      needed.push_back(fmt::format("{} at {}", range, T_label(t)));
    }
    equilibrium.measured(fmt::format(
        "for comparison (not graded): the production sampler, the sequential heat bath (not the seed's algorithm), "
        "passes both chi-square tests on independent chains for good (p > {:g}) after, range over the {} seeds: {}",
        cfg.alpha, cfg.replicates, fmt::join(needed, "; ")));
  }
  claims.add(equilibrium);

  {  // 0.5: the criterion fails on configurations whose bias is known: exact samples of a hotter or colder ring.
    lab::MeasurementGrid g;
    g.statistic("e", fmt::format("energy per spin minus exact at T, exact samples at the T' where it is {:g} J higher",
                                 cfg.control_effect * cfg.energy_band))
        .statistic("m2", fmt::format("mean m^2 minus exact at T, exact samples at the T'' where it is {:g} higher",
                                     cfg.control_effect * cfg.m2_band));
    for (std::size_t t = 0; t < nT; ++t) {
      g.replicates(T_label(t), "e", column(eq.bias[t], &MetropolisBias::shifted_energy));
      g.replicates(T_label(t), "m2", column(eq.bias[t], &MetropolisBias::shifted_m2));
    }
    lab::Claim c{"0.5", "validation",
                 "Negative control of 0.1: its criterion rejects samples whose energy or m^2 is off by twice its band",
                 "this chapter; the exact E(T) and <m^2>(T) of the ring fix T' > T and T'' < T"};
    lab::judge(c, g, {{"e", lab::above(cfg.energy_band)}, {"m2", lab::above(cfg.m2_band)}},
               fmt::format("each replicate {} exact configurations, as many as 0.1's chains; the known offsets are {:g} "
                           "and {:g}, so 0.1's band conditions must be refuted",
                           chains, cfg.control_effect * cfg.energy_band, cfg.control_effect * cfg.m2_band));
    c.short_form("control: 0.1's test rejects a known bias");
    claims.add(c);
  }
  {  // 0.6: the criterion passes on exact samples at T.
    lab::MeasurementGrid g;
    g.statistic("e", "energy per spin minus exact, exact samples").statistic("m2", "mean m^2 minus exact, exact samples");
    for (std::size_t t = 0; t < nT; ++t) {
      g.replicates(T_label(t), "e", column(eq.bias[t], &MetropolisBias::exact_energy));
      g.replicates(T_label(t), "m2", column(eq.bias[t], &MetropolisBias::exact_m2));
    }
    lab::Claim c{"0.6", "validation", "Positive control of 0.1: exact samples pass its criterion",
                 "this chapter; exact samples are in equilibrium by construction"};
    lab::judge(c, g,
               {{"e", lab::within(-cfg.energy_band, cfg.energy_band)}, {"m2", lab::within(-cfg.m2_band, cfg.m2_band)}},
               fmt::format("each replicate {} exact configurations", chains));
    c.short_form("control: exact samples pass 0.1's test");
    claims.add(c);
  }

  // ---- 0.2 (the sentence: 10 sweeps) and 0.2a (the code: 820 sweeps), their two controls ------------
  {
    TauGrid g;
    for (std::size_t t = 0; t < nT; ++t) {
      g.add(T_label(t), samplers.at[t].replicate_tau_energy, samplers.at[t].replicate_tau_magnetization);
    }
    lab::Claim c{"0.2", "source", "10-20 sweeps between samples decorrelate them", source + ", Algorithm, step 4"};
    lab::judge(c, g, {{"tau_energy", lab::below(cfg.tau_threshold)}, {"tau_magnetization", lab::below(cfg.tau_threshold)}},
               fmt::format("the seed's Metropolis after {} sweeps (equilibrium: 0.1), samples {} sweeps apart, each "
                           "replicate one chain of {} samples; {}",
                           cfg.equilibration_sweeps, cfg.sweeps_between, chains, kTauConvention));
    c.prerequisites({"0.1", "0.7", "0.8"}).controls({"0.7"}, {"0.8"}).short_form("10 sweeps between samples decorrelate them");
    claims.add(c);
  }
  {
    TauGrid g;
    for (std::size_t t = 0; t < nT; ++t) {
      g.add(T_label(t), taus(dec.code[t], &TauPair::energy), taus(dec.code[t], &TauPair::magnetization));
    }
    lab::Claim c{"0.2a", "source",
                 fmt::format("The seed's code as printed gives decorrelated samples: it reruns its {} equilibration "
                             "sweeps before every sample and then L x {} more, {} sweeps between samples",
                             cfg.equilibration_sweeps, cfg.sweeps_between, cfg.seed_code_spacing()),
                 source + ", generate_ising_samples()"};
    lab::judge(c, g, {{"tau_energy", lab::below(cfg.tau_threshold)}, {"tau_magnetization", lab::below(cfg.tau_threshold)}},
               fmt::format("the seed's Metropolis, samples {} sweeps apart (the first after {}), each replicate one "
                           "chain of {} samples; {}",
                           cfg.seed_code_spacing(), cfg.seed_code_spacing(), lab::format_thousands(cfg.code_samples),
                           kTauConvention));
    c.prerequisites({"0.1", "0.7", "0.8"}).controls({"0.7"}, {"0.8"}).short_form(
        fmt::format("the seed's code ({} sweeps apart) decorrelates", cfg.seed_code_spacing()));
    claims.add(c);
  }
  {  // 0.7: the criterion fails on a chain known to be correlated.
    TauGrid g;
    const std::string label = fmt::format("{}, {} sweep(s) apart", tmin, cfg.control_sweeps_between);
    g.add(label, taus(dec.control, &TauPair::energy), taus(dec.control, &TauPair::magnetization));
    lab::Claim c{"0.7", "validation",
                 "Negative control of 0.2 and 0.2a: their criterion rejects Metropolis samples one sweep apart at the "
                 "lowest temperature",
                 "this chapter; at T = 0.5 (xi = 27) a single-site sweep moves a domain wall about one site, so "
                 "consecutive sweeps are strongly correlated"};
    lab::judge(c, g, {{"tau_energy", lab::above(cfg.tau_threshold)}, {"tau_magnetization", lab::above(cfg.tau_threshold)}},
               fmt::format("the seed's Metropolis after {} sweeps, each replicate one chain of {} samples; 0.2's "
                           "condition (below {:g}) must be refuted; {}",
                           cfg.equilibration_sweeps, chains, cfg.tau_threshold, kTauConvention));
    c.short_form("control: correlated samples fail the tau test");
    claims.add(c);
  }
  {  // 0.8: the criterion passes on independent samples.
    TauGrid g;
    for (std::size_t t = 0; t < nT; ++t) {
      g.add(T_label(t), samplers.at[t].exact_tau_energy, samplers.at[t].exact_tau_magnetization);
    }
    lab::Claim c{"0.8", "validation", "Positive control of 0.2 and 0.2a: independent exact samples pass their criterion",
                 "this chapter; exact samples are independent by construction (tau_int = 1)"};
    lab::judge(c, g, {{"tau_energy", lab::below(cfg.tau_threshold)}, {"tau_magnetization", lab::below(cfg.tau_threshold)}},
               fmt::format("each replicate {} exact samples; {}", chains, kTauConvention));
    c.short_form("control: independent samples pass the tau test");
    claims.add(c);
  }

  // ---- 0.3a (the form) and 0.3b (the length), their controls ----------------------------------------
  const int last = ising::correlation_window(cfg.L).last;
  const std::string fit_words = fmt::format(
      "fitted to C(r), r = 1..{}, of {} exact samples of the L = {} ring by generalised least squares with the "
      "jackknife covariance of C(r) ({} blocks), amplitude and xi free; exact samples need no equilibration",
      last, lab::format_thousands(cfg.n), cfg.L, cfg.form_blocks);
  {
    lab::MeasurementGrid g;
    g.statistic("p", "p-value of the fit of A e^(-r/xi) (Hotelling-corrected chi-square, 6 dof)");
    for (std::size_t t = 0; t < nT; ++t) g.exact(T_label(t), "p", samplers.at[t].form.p_exponential);
    lab::Claim c{"0.3a", "source", "C(r) decays as a single exponential, C(r) ~ exp(-r/xi)", source + ", Physics background"};
    lab::judge(c, g, {{"p", lab::above(cfg.alpha)}},
               fmt::format("A e^(-r/xi) {}; the form is rejected where p < {:g} (over {} temperatures the family-wise "
                           "error is at most {:g}); p > {:g} means no departure at this resolution, not that there is "
                           "none",
                           fit_words, cfg.alpha, nT, cfg.alpha * nT, cfg.alpha));
    c.prerequisites({"0.4", "0.9", "0.10"}).controls({"0.9"}, {"0.10"}).short_form("C(r) is a single exponential (the form)");
    claims.add(c);
  }
  {  // 0.9: the form test rejects the ring's exact C(r) at the lowest T, at the samples' noise level.
    lab::MeasurementGrid g;
    g.statistic("p", "p-value of A e^(-r/xi) fitted to the ring's exact C(r), with the samples' covariance");
    g.exact(tmin, "p", samplers.at[0].form.p_exponential_exact);
    lab::Claim c{"0.9", "validation",
                 "Negative control of 0.3a: its test rejects the ring's exact C(r), a cosh, where xi ~ L",
                 "this chapter; at T = 0.5 the exact C(r) = cosh((L/2 - r)/xi) / cosh(L/(2 xi)) with xi = 27.3 on L = 32"};
    lab::judge(c, g, {{"p", lab::below(cfg.alpha)}},
               fmt::format("the exact C(r) in place of the sampled one, same window, covariance and correction as 0.3a; "
                           "0.3a's condition (p above {:g}) must be refuted", cfg.alpha));
    c.short_form("control: the form test rejects the exact cosh");
    claims.add(c);
  }
  {  // 0.10: the form test passes exact samples of the open chain, whose C(r) is exactly t^r.
    lab::MeasurementGrid g;
    g.statistic("p", "p-value of A e^(-r/xi), exact samples of the open chain");
    for (std::size_t t = 0; t < nT; ++t) g.exact(T_label(t), "p", samplers.at[t].form.p_exponential_open);
    lab::Claim c{"0.10", "validation", "Positive control of 0.3a: its test accepts the open chain, where C(r) = t^r exactly",
                 "this chapter; ../shared/reference/ising-chain.md: open chain, h = 0, <s_i s_j> = t^|i-j|"};
    lab::judge(c, g, {{"p", lab::above(cfg.alpha)}},
               fmt::format("the same test on {} exact samples of the open L = {} chain", lab::format_thousands(cfg.n),
                           cfg.L));
    c.short_form("control: the form test accepts t^r");
    claims.add(c);
  }
  {
    lab::MeasurementGrid g;
    g.statistic("ratio", "xi of the ring's form fitted to samples / -1/ln tanh(J/T)");
    for (std::size_t t = 0; t < nT; ++t) {
      const double xf = xi_formula(cfg.temperatures[t]);
      const lab::Estimate& x = samplers.at[t].form.xi_ring;
      g.estimate(T_label(t), "ratio", {x.value / xf, x.error / xf});
    }
    lab::Claim c{"0.3b", "source", "The correlation length is xi = -1/ln tanh(J/T)", source + ", Physics background"};
    lab::judge(c, g, {{"ratio", lab::within(1 - cfg.xi_band, 1 + cfg.xi_band)}},
               fmt::format("the ring's exact form A cosh((L/2 - r)/xi) / cosh(L/(2 xi)) {}; its xi is the transfer "
                           "matrix's, so the formula is the reference on the ring too; the error is the jackknife error "
                           "of the whole fit",
                           fit_words));
    c.prerequisites({"0.4", "0.11", "0.12"}).controls({"0.11"}, {"0.12"}).short_form("xi = -1/ln tanh(J/T) (the length)");
    claims.add(c);
  }
  {  // 0.11: the length test rejects samples whose xi is known to be off by twice the band.
    lab::MeasurementGrid g;
    g.statistic("ratio", fmt::format("ring-form xi of exact samples at the T' with xi(T') = {:g} xi(T) / xi(T)",
                                     1 + cfg.control_effect * cfg.xi_band));
    for (std::size_t t = 0; t < nT; ++t) {
      const double xf = xi_formula(cfg.temperatures[t]);
      const lab::Estimate& x = samplers.at[t].form.xi_shifted;
      g.estimate(T_label(t), "ratio", {x.value / xf, x.error / xf});
    }
    lab::Claim c{"0.11", "validation",
                 fmt::format("Negative control of 0.3b: its test rejects samples whose xi is {:g} times the reference",
                             1 + cfg.control_effect * cfg.xi_band),
                 "this chapter; exact samples at the temperature T' = 1 / atanh(exp(-1/xi')) of a known xi'"};
    lab::judge(c, g, {{"ratio", lab::above(1 + cfg.xi_band)}},
               fmt::format("the same fit to {} exact ring samples at T'; 0.3b's condition (within [{:g}, {:g}]) must be "
                           "refuted",
                           lab::format_thousands(cfg.n), 1 - cfg.xi_band, 1 + cfg.xi_band));
    c.short_form("control: the length test rejects a known 20 % error");
    claims.add(c);
  }
  {  // 0.12: the ring-form fit recovers the formula from the ring's exact C(r).
    lab::MeasurementGrid g;
    g.statistic("ratio", "xi of the ring's form fitted to the ring's exact C(r) / -1/ln tanh(J/T)");
    for (std::size_t t = 0; t < nT; ++t) {
      g.exact(T_label(t), "ratio", samplers.at[t].form.xi_ring_exact / xi_formula(cfg.temperatures[t]));
    }
    lab::Claim c{"0.12", "validation", "Positive control of 0.3b: the ring-form fit to the exact C(r) returns the known xi",
                 "this chapter; ../shared/reference/ising-chain.md: the ring's xi is the eigenvalue ratio's"};
    lab::judge(c, g, {{"ratio", lab::within(1 - cfg.xi_band, 1 + cfg.xi_band)}},
               fmt::format("the same fit (equal weights) to the exact C(r), r = 1..{}", last));
    c.short_form("control: the length fit recovers xi from the exact C(r)");
    claims.add(c);
  }

  // ---- 0.4: the exact sampler and the estimator, against the exact C(r) ----------------------------
  {
    lab::MeasurementGrid g;
    g.statistic("xi_samples_ratio", "xi fitted to exact samples / xi fitted to the exact C(r)");
    for (std::size_t t = 0; t < nT; ++t) {
      const SamplerComparison& c = samplers.at[t];
      const double xi_ring = c.sampler[0].xi_exact;
      g.estimate(T_label(t), "xi_samples_ratio", {c.sampler[0].xi.value / xi_ring, c.sampler[0].xi.error / xi_ring});
    }
    lab::Claim xi_validation{"0.4", "validation", "Exact samples reproduce the ring's fitted correlation length",
                             "this chapter; the ring's exact C(r)"};
    lab::judge(xi_validation, g, {{"xi_samples_ratio", lab::within(1 - cfg.xi_band, 1 + cfg.xi_band)}},
               fmt::format("xi fitted to {} exact samples and to the exact C(r) the same way (window r = 1..{}, same "
                           "weights); the error is the jackknife error of the whole fit",
                           lab::format_thousands(cfg.n), last));
    xi_validation.short_form("sampled xi matches the ring's exact xi");
    claims.add(xi_validation);
  }
  return claims;
}

}  // namespace spinformer
