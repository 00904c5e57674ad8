// Chapter 0's measuring steps (declared in ising_chain_steps.hpp); the jobs they run are in
// ising_chain_measurements.cpp.
#include <cmath>
#include <fmt/format.h>

#include "ising/correlation_form.hpp"
#include "ising/correlation_length.hpp"
#include "ising/exact.hpp"
#include "lab/report.hpp"
#include "lab/summaries.hpp"

#include "ising_chain_steps.hpp"

namespace spinformer {

using lab::format_key;

namespace {
// The sidecars' parameters besides the Config: the ring's couplings (ring() in the measurements) and extra.
nlohmann::json ring_and(nlohmann::json extra = nlohmann::json::object()) {
  extra.update({{"J", 1.0}, {"h", 0.0}, {"boundary", "periodic"}});
  return extra;
}
}  // namespace

void exact_curves(lab::Chapter& ch, const Config& cfg) {
  // xi_ring_fit: the paper's fit (ising/correlation_length.hpp) to the ring's exact C(r), equal weights.
  // xi_ring_form: the ring's own form fitted to its exact C(r) (ising/correlation_form.hpp), the
  // eigenvalue ratio's xi to rounding.
  lab::Table curves{{"T", "energy_per_spin", "specific_heat_per_spin", "xi_ring_bulk", "xi_formula", "xi_ring_fit",
                     "xi_ring_form"},
                    {}};
  for (double T = 0.3; T <= 6.0001; T += 0.02) {
    const ising::ExactChain exact(ring(cfg.L, T));
    const auto th = exact.thermodynamics();
    const auto c = exact.connected_correlation();
    curves.add({T, th.energy_per_spin, th.specific_heat_per_spin, exact.correlation_length(), xi_formula(T),
                ising::fit_correlation_length(c), ising::ring_correlation_length(c)});
  }
  ch.table("exact_curves.tsv", curves, "", {}, ring_and());
}

SamplerStudy compare_samplers(lab::Chapter& ch, const Config& cfg) {
  const std::size_t nT = cfg.temperatures.size();
  std::vector<lab::Job> jobs;
  for (std::size_t t = 0; t < nT; ++t)
    jobs.push_back(ch.job("samplers", "samplers T = " + format_key(cfg.temperatures[t]), {{"t", t}}));
  const auto results = ch.run_jobs("samplers", jobs);

  SamplerStudy study;
  lab::Table observables{{"T", "sampler", "energy", "energy_err", "specific_heat", "specific_heat_err", "xi", "xi_err",
                          "p_energy", "p_magnetization", "max_corr_z", "tau_energy_sweeps", "tau_magnetization_sweeps",
                          "chi_square_samples"},
                         {}};
  lab::Table autocorr{{"T", "tau_energy_samples", "tau_magnetization_samples", "tau_energy_sweeps",
                       "tau_magnetization_sweeps", "ess_fraction_magnetization", "tau_energy_sweeps_err",
                       "tau_magnetization_sweeps_err"},
                      {}};
  for (std::size_t t = 0; t < nT; ++t) {
    const double T = cfg.temperatures[t];
    const ising::ExactChain exact(ring(cfg.L, T));
    const auto exact_corr = exact.connected_correlation();
    const SamplerComparison c = sampler_comparison(results[t].value);
    const SamplerMeasurement* m = c.sampler;
    const lab::Autocorrelation &tau_e = c.tau_energy, &tau_m = c.tau_magnetization;
    // Sokal's error of tau_int: tau sqrt(2 (2W + 1) / n).
    auto tau_error = [&](const lab::Autocorrelation& a) {
      return a.tau_int * std::sqrt(2.0 * (2 * a.window + 1) / static_cast<double>(cfg.n));
    };
    autocorr.add({T, tau_e.tau_int, tau_m.tau_int, in_sweeps(cfg, tau_e.tau_int), in_sweeps(cfg, tau_m.tau_int),
                  tau_m.effective_sample_size / static_cast<double>(cfg.n), in_sweeps(cfg, tau_error(tau_e)),
                  in_sweeps(cfg, tau_error(tau_m))});
    const nlohmann::json at_T = ring_and({{"T", T}, {"seeds_within_job", kSamplersSeeds}});

    lab::Table corr{{"r", "exact", "pure_exponential", "exact_sampler", "exact_sampler_err", "metropolis",
                     "metropolis_err", "multispin", "multispin_err"},
                    {}};
    const double tanh_k = std::tanh(1.0 / T);
    for (int r = 0; r < cfg.L; ++r)
      corr.add({double(r), exact_corr[r], std::pow(tanh_k, r), m[0].corr.value[r], m[0].corr.error[r],
                m[1].corr.value[r], m[1].corr.error[r], m[2].corr.value[r], m[2].corr.error[r]});
    ch.table(fmt::format("corr_T{}.tsv", format_key(T)), corr, "samplers", {{"t", t}}, at_T);

    // Energy histogram: exact probabilities beside the three samplers' frequencies.
    const auto levels = exact.energy_distribution();
    lab::Table hist{{"energy_per_spin", "exact_probability", "exact_sampler", "exact_sampler_err", "metropolis",
                     "metropolis_err", "multispin", "multispin_err"},
                    {}};
    for (std::size_t l = 0; l < levels.size(); ++l) {
      std::vector<double> row{levels[l].energy / cfg.L, levels[l].probability};
      for (int s = 0; s < 3; ++s) {
        // Binomial error with the effective sample size n / tau_int for the seed's correlated chain.
        const double n_eff = static_cast<double>(cfg.n) / (s == 1 ? std::max(tau_e.tau_int, 1.0) : 1.0);
        const double f = m[s].energy_counts.at(l) / static_cast<double>(cfg.n);
        row.push_back(f);
        row.push_back(lab::binomial_frequency_error(f, n_eff));
      }
      hist.add(row);
    }
    ch.table(fmt::format("energy_hist_T{}.tsv", format_key(T)), hist, "samplers", {{"t", t}}, at_T);

    for (int s = 0; s < 3; ++s)
      observables.add({T, double(s), m[s].energy.value, m[s].energy.error, m[s].specific_heat.value,
                       m[s].specific_heat.error, m[s].xi.value, m[s].xi.error, m[s].p_energy, m[s].p_magnetization,
                       m[s].max_corr_z, s == 1 ? in_sweeps(cfg, tau_e.tau_int) : NAN,
                       s == 1 ? in_sweeps(cfg, tau_m.tau_int) : NAN, double(m[s].samples_tested)});
    study.at.push_back(c);
  }
  // The form and the length of C(r) on the exact samples, with their controls (claims 0.3a, 0.3b).
  lab::Table form{{"T", "p_exponential", "p_ring", "xi_ring_form", "xi_ring_form_err", "xi_formula",
                   "p_exponential_exact_C", "p_exponential_open_chain", "T_shifted", "xi_formula_shifted",
                   "xi_ring_form_shifted", "xi_ring_form_shifted_err", "xi_single_exp_exact_C_equal_weights",
                   "xi_single_exp_exact_C_sample_weights", "xi_single_exp_samples", "xi_single_exp_samples_err"},
                  {}};
  for (std::size_t t = 0; t < nT; ++t) {
    const double T = cfg.temperatures[t];
    const FormMeasurement& f = study.at[t].form;
    const SamplerMeasurement& ex = study.at[t].sampler[0];
    form.add({T, f.p_exponential, f.p_ring, f.xi_ring.value, f.xi_ring.error, xi_formula(T), f.p_exponential_exact,
              f.p_exponential_open, f.T_shifted, xi_formula(f.T_shifted), f.xi_shifted.value, f.xi_shifted.error,
              f.xi_single_equal, ex.xi_exact,
              ex.xi.value, ex.xi.error});
  }
  ch.table("correlation_form.tsv", form, "samplers", {},
           ring_and({{"seeds_within_job", kSamplersSeeds}, {"blocks", cfg.form_blocks}}));
  ch.table("observables.tsv", observables, "samplers", {},
           ring_and({{"sampler_index", {"exact", "metropolis", "multispin"}}, {"seeds_within_job", kSamplersSeeds}}));
  ch.table("autocorrelation.tsv", autocorr, "samplers", {}, ring_and({{"seeds_within_job", kSamplersSeeds}}));
  return study;
}

// Each replicate has its own independent chains: multi-spin heat-bath chains for the sweeps-needed
// grid and, for the seed's claim about its own algorithm, scalar Metropolis chains after the seed's 500
// sweeps. Intervals come from the spread between replicates.
EquilibrationStudy equilibration(lab::Chapter& ch, const Config& cfg) {
  const std::size_t nT = cfg.temperatures.size(), nR = static_cast<std::size_t>(cfg.replicates);
  std::vector<lab::Job> equilibration_jobs, bias_jobs;
  for (std::size_t t = 0; t < nT; ++t)
    for (std::size_t r = 0; r < nR; ++r) {
      const std::string label = fmt::format("T = {}, replicate {}", format_key(cfg.temperatures[t]), r);
      equilibration_jobs.push_back(ch.job("equilibration", "equilibration " + label, {{"t", t}, {"replicate", r}}));
      bias_jobs.push_back(
          ch.job("metropolis_bias", "Metropolis after the seed's sweeps " + label, {{"t", t}, {"replicate", r}}));
    }
  const auto equilibration_results = ch.run_jobs("equilibration", equilibration_jobs);
  const auto bias_results = ch.run_jobs("metropolis_bias", bias_jobs);

  EquilibrationStudy study;
  study.sweeps_needed.resize(nT);
  study.bias.resize(nT);
  lab::Table table{{"T", "sweeps", "p_energy", "p_magnetization", "replicate", "energy_bias", "m2_bias"}, {}};
  lab::Table metropolis_500{{"T", "replicate", "energy_bias", "m2_bias", "energy_bias_2x", "m2_bias_2x",
                             "exact_energy_bias", "exact_m2_bias", "T_energy_shifted", "shifted_energy_bias",
                             "T_m2_shifted", "shifted_m2_bias"},
                            {}};
  for (std::size_t t = 0; t < nT; ++t)
    for (std::size_t r = 0; r < nR; ++r) {
      const EquilibrationReplicate rep = equilibration_replicate(equilibration_results[t * nR + r].value);
      for (std::size_t k = 0; k < rep.sweeps.size(); ++k)
        table.add({cfg.temperatures[t], double(rep.sweeps[k]), rep.p_energy[k], rep.p_magnetization[k], double(r),
                   rep.energy_bias[k], rep.m2_bias[k]});
      const MetropolisBias b = metropolis_bias(bias_results[t * nR + r].value);
      metropolis_500.add({cfg.temperatures[t], double(r), b.energy, b.m2, b.energy_2x, b.m2_2x, b.exact_energy,
                          b.exact_m2, b.T_energy, b.shifted_energy, b.T_m2, b.shifted_m2});
      study.bias[t].push_back(b);
      study.sweeps_needed[t].push_back(rep.needed);
    }
  ch.table("equilibration.tsv", table, "equilibration", {}, ring_and({{"seeds_within_job", kEquilibrationSeeds}}));
  ch.table("metropolis_500_sweeps.tsv", metropolis_500, "metropolis_bias", {},
           ring_and({{"seeds_within_job", kMetropolisBiasSeeds}}));
  return study;
}

// The seed's code as printed (samples seed_code_spacing() sweeps apart), each replicate its own chain
// and seed; and the negative control of the decorrelation criterion, each replicate its own chain.
DecorrelationStudy decorrelation(lab::Chapter& ch, const Config& cfg) {
  const std::size_t nT = cfg.temperatures.size(), nR = static_cast<std::size_t>(cfg.replicates);
  std::vector<lab::Job> code_jobs, control_jobs;
  for (std::size_t t = 0; t < nT; ++t)
    for (std::size_t r = 0; r < nR; ++r)
      code_jobs.push_back(ch.job("seed_code",
                                 fmt::format("the seed's code, T = {}, replicate {}", format_key(cfg.temperatures[t]), r),
                                 {{"t", t}, {"replicate", r}}));
  for (std::size_t r = 0; r < nR; ++r)
    control_jobs.push_back(ch.job("tau_control", fmt::format("correlated control, replicate {}", r),
                                  {{"t", 0}, {"replicate", r}}));
  const auto code_results = ch.run_jobs("seed_code", code_jobs);
  const auto control_results = ch.run_jobs("tau_control", control_jobs);

  DecorrelationStudy study;
  study.code.resize(nT);
  lab::Table code{{"T", "replicate", "tau_energy_samples", "tau_magnetization_samples"}, {}};
  for (std::size_t t = 0; t < nT; ++t)
    for (std::size_t r = 0; r < nR; ++r) {
      const TauPair tau = tau_pair(code_results[t * nR + r].value);
      code.add({cfg.temperatures[t], double(r), tau.energy, tau.magnetization});
      study.code[t].push_back(tau);
    }
  lab::Table control{{"T", "replicate", "tau_energy_samples", "tau_magnetization_samples"}, {}};
  for (std::size_t r = 0; r < nR; ++r) {
    const TauPair tau = tau_pair(control_results[r].value);
    control.add({cfg.temperatures.front(), double(r), tau.energy, tau.magnetization});
    study.control.push_back(tau);
  }
  ch.table("seed_code_tau.tsv", code, "seed_code", {},
           ring_and({{"seeds_within_job", kSeedCodeSeeds}, {"sweeps_between_samples", cfg.seed_code_spacing()}}));
  ch.table("tau_control.tsv", control, "tau_control", {},
           ring_and({{"seeds_within_job", kTauControlSeeds}, {"sweeps_between_samples", cfg.control_sweeps_between}}));
  return study;
}

}  // namespace spinformer
