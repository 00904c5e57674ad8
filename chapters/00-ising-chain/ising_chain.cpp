// Chapter 0 — The Ising chain, exactly.
// The L = 32 ring the transformer chapters train on, sampled three ways (exact i.i.d., the seed's
// single-chain Metropolis, the production multi-spin heat bath) and held against the exact answers:
// energy, specific heat, C(r), xi, the energy and magnetisation distributions, autocorrelation times,
// and how many sweeps Metropolis needs before it is indistinguishable from exact sampling.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <stdexcept>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "code_hash.hpp"
#include "ising/estimators.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/atomic_file.hpp"
#include "lab/intervals.hpp"
#include "lab/chapter_cli.hpp"
#include "lab/progress.hpp"
#include "lab/report.hpp"
#include "lab/run_metadata.hpp"
#include "lab/statistics.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"
#include "lab/verdict.hpp"

using namespace spinformer;
using lab::format_key;
using ising::Chain;
using ising::SpinSamples;

// ---- configuration (the seed's setup: L = 32 ring, J = 1, h = 0, 50,000 samples per T) ----------
struct Config {
  int L = 32;
  std::vector<double> temperatures{0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0};
  std::size_t n = 50'000;                 // samples per temperature and sampler
  ising::MetropolisSchedule seed_schedule{500, 10};  // the seed: 500 sweeps to equilibrate, 10 between samples
  long max_equilibration_sweeps = 4096;   // equilibration study: 1, 2, 4, ... sweeps
  double alpha = 1e-3;                    // significance level of the chi-square tests
  int replicates = 5;                     // independent seeds behind every claim's interval
  // Declared before the run (the claims' effect sizes): equilibrium within 0.01 J per spin in energy
  // and 0.02 in <m^2>; "decorrelated" means tau_int < 2 samples; a fitted xi within 10% of its reference.
  double energy_band = 0.01, m2_band = 0.02, tau_threshold = 2.0, xi_band = 0.10;
  std::uint64_t seed = 20261125;
};

Config profile(const std::string& name) {
  Config c;
  if (lab::quick_profile(name)) {
    c.temperatures = {0.5, 1.0, 2.0, 5.0};
    c.n = 4'000;
    c.max_equilibration_sweeps = 512;
  }
  return c;
}

// ---- measurements on one set of samples ---------------------------------------------------------
struct Measurement {
  lab::Estimate energy, specific_heat, xi;  // xi: the paper's fit (ising/correlation_length.hpp)
  double xi_exact = 0;                      // the same fit, same weights, to the exact C(r)
  ising::CorrelationEstimate corr;
  double p_energy = 1, p_magnetization = 1;
};

Measurement measure(const Chain& chain, const SpinSamples& samples) {
  Measurement m;
  m.energy = ising::sample_energy_per_spin(chain, samples);
  m.specific_heat = ising::sample_specific_heat_per_spin(chain, samples);
  m.corr = ising::sample_connected_correlation(chain, samples);
  const ising::CorrelationLengthFit xi = ising::fitted_correlation_length(chain, samples);
  m.xi = xi.samples;  // jackknife over the whole fit
  m.xi_exact = xi.exact;
  m.p_energy = ising::energy_chi_square(chain, samples).p_value;
  m.p_magnetization = ising::magnetization_chi_square(chain, samples).p_value;
  return m;
}

double mean_square_magnetization(const SpinSamples& samples) {  // <m^2>, m = M / L
  double sum = 0;
  for (std::size_t k = 0; k < samples.size(); ++k) {
    double m = 0;
    for (int i = 0; i < samples.L; ++i) m += samples.row(k)[i];
    m /= samples.L;
    sum += m * m;
  }
  return sum / static_cast<double>(samples.size());
}

double mean_energy_per_spin(const Chain& chain, const SpinSamples& samples) {
  double sum = 0;
  for (std::size_t k = 0; k < samples.size(); ++k) sum += ising::energy(chain, samples.row(k));
  return sum / static_cast<double>(samples.size()) / chain.L;
}

// tau_int (in samples) of the energy and magnetisation series of one chain's samples.
std::pair<lab::Autocorrelation, lab::Autocorrelation> sample_autocorrelation(const Chain& chain,
                                                                           const SpinSamples& samples) {
  std::vector<double> e_series, m_series;
  for (std::size_t k = 0; k < samples.size(); ++k) {
    e_series.push_back(ising::energy(chain, samples.row(k)));
    double m = 0;
    for (int i = 0; i < chain.L; ++i) m += samples.row(k)[i];
    m_series.push_back(m);
  }
  return {lab::integrated_autocorrelation(e_series), lab::integrated_autocorrelation(m_series)};
}

// Every k-th sample of a series, k = stride: a correlated chain thinned to nearly independent samples.
SpinSamples thinned(const SpinSamples& samples, std::size_t stride) {
  SpinSamples out{samples.L, {}};
  for (std::size_t k = 0; k < samples.size(); k += stride)
    out.spins.insert(out.spins.end(), samples.row(k), samples.row(k) + samples.L);
  return out;
}

// Per temperature, the numbers the claims are judged on.
struct PerTemperature {
  std::vector<double> tau_energy, tau_magnetization;  // tau_int in samples, one per replicate chain
  lab::Estimate xi_samples;                             // fitted to exact samples (jackknife error)
  double xi_ring = 0, xi_formula = 0;                   // the ring's exact C(r) fitted alike; -1/ln tanh(J/T)
  std::vector<double> energy_bias_500, m2_bias_500;     // seed's Metropolis after 500 sweeps minus exact, per seed
  std::vector<long> sweeps_needed;                      // multi-spin heat bath, per seed
};

// The seed's claim about its own algorithm, measured on it: `chains` independent scalar Metropolis
// chains (each its own seed, random start) after `sweeps` sweeps; mean energy per spin and mean m^2
// minus exact.
std::pair<double, double> metropolis_bias(const Chain& chain, std::size_t chains, long sweeps, std::uint64_t seed) {
  const ising::ExactChain exact(chain);
  const double e_exact = exact.thermodynamics().energy_per_spin;
  const double m2_exact = exact.thermodynamics().susceptibility_per_spin * chain.T / chain.L;
  double e_sum = 0, m2_sum = 0;
  for (std::size_t c = 0; c < chains; ++c) {
    ising::ScalarMetropolis m(chain, seed * 1'000'003 + c);
    for (long k = 0; k < sweeps; ++k) m.sweep();
    e_sum += ising::energy(chain, m.spins().data()) / chain.L;
    double mag = 0;
    for (ising::Spin x : m.spins()) mag += x;
    mag /= chain.L;
    m2_sum += mag * mag;
  }
  const double n = static_cast<double>(chains);
  return {e_sum / n - e_exact, m2_sum / n - m2_exact};
}

// One replicate of the equilibration study at one temperature: its own seed, its own independent
// multi-spin heat-bath chains from random starts, tested at 1, 2, 4, ... sweeps and at 500.
struct EquilibrationReplicate {
  std::vector<long> sweeps;
  std::vector<double> p_energy, p_magnetization, energy_bias, m2_bias;
  long needed = -1;  // smallest S from which every later test on the grid passes; -1: none
};

EquilibrationReplicate equilibrate(const Chain& chain, std::size_t chains, long max_sweeps, long seed_sweeps,
                                   double alpha, std::uint64_t seed) {
  const ising::ExactChain exact(chain);
  const double e_exact = exact.thermodynamics().energy_per_spin;
  const double m2_exact = exact.thermodynamics().susceptibility_per_spin * chain.T / chain.L;  // chi = beta <M^2> / L
  const int words = static_cast<int>((chains + 63) / 64);
  ising::MultispinMetropolis sampler(chain, words, seed);
  SpinSamples snapshot{chain.L, std::vector<ising::Spin>(chains * chain.L)};
  EquilibrationReplicate out;
  std::vector<bool> passed;
  for (long s = 1, next = 1; s <= max_sweeps; ++s) {
    sampler.sweep();
    if (s != next && s != seed_sweeps) continue;
    if (s == next) next *= 2;
    for (std::size_t c = 0; c < chains; ++c) sampler.copy_chain(static_cast<int>(c), snapshot.row(c));
    out.sweeps.push_back(s);
    out.p_energy.push_back(ising::energy_chi_square(chain, snapshot).p_value);
    out.p_magnetization.push_back(ising::magnetization_chi_square(chain, snapshot).p_value);
    out.energy_bias.push_back(mean_energy_per_spin(chain, snapshot) - e_exact);
    out.m2_bias.push_back(mean_square_magnetization(snapshot) - m2_exact);
    passed.push_back(out.p_energy.back() > alpha && out.p_magnetization.back() > alpha);
  }
  for (std::size_t k = passed.size(); k-- > 0 && passed[k];) out.needed = out.sweeps[k];
  return out;
}

int main(int argc, char** argv) {
  lab::install_signal_cleanup();
  lab::ChapterOptions opt;  // --workers and --threads change nothing here: one thread, no jobs
  CLI::App app{"Chapter 0: the Ising chain, exactly"};
  lab::add_chapter_options(app, opt, SPINFORMER_CODE_HASH);
  if (const int status = lab::parse_chapter_args(app, argc, argv, "ch00"); status >= 0) return status;
  return lab::run_chapter("ch00", [&] {
    opt.check();
    const std::string &profile_name = opt.profile, &out_dir = opt.out;
    const Config cfg = profile(profile_name);
    lab::require_writable(out_dir + "/results.json", "--out");
    auto path = [&](const std::string& name) { return out_dir + "/" + name; };
    nlohmann::json results, claims_data;
    results["L"] = cfg.L;
    results["n_samples"] = lab::format_thousands(cfg.n);
    results["profile"] = profile_name;
    results["alpha"] = fmt::format("{:g}", cfg.alpha);

    // ---- 1. exact curves on a fine temperature grid ------------------------------------------
    lab::RunMetadata meta("ch00 exact curves");
    meta.parameters() = {{"L", cfg.L}, {"J", 1.0}, {"h", 0.0}, {"boundary", "periodic"}};
    // xi_ring_fit: the paper's fit (ising/correlation_length.hpp) to the ring's exact C(r), equal weights.
    lab::Table curves{{"T", "energy_per_spin", "specific_heat_per_spin", "xi_ring_bulk", "xi_formula", "xi_ring_fit"},
                      {}};
    for (double T = 0.3; T <= 6.0001; T += 0.02) {
      const ising::ExactChain exact(Chain{cfg.L, 1.0, 0.0, T, ising::Boundary::periodic});
      const auto th = exact.thermodynamics();
      curves.add({T, th.energy_per_spin, th.specific_heat_per_spin, exact.correlation_length(),
                  -1.0 / std::log(std::tanh(1.0 / T)), ising::fit_correlation_length(exact.connected_correlation())});
    }
    lab::write_table(path("exact_curves.tsv"), curves);
    meta.write_sidecar(path("exact_curves.tsv"));

    // ---- 2. three samplers at every temperature ------------------------------------------------
    const char* sampler_names[] = {"exact", "metropolis", "multispin"};
    lab::Table observables{{"T", "sampler", "energy", "energy_err", "specific_heat", "specific_heat_err", "xi",
                            "xi_err", "p_energy", "p_magnetization", "max_corr_z", "tau_energy_sweeps",
                            "tau_magnetization_sweeps", "chi_square_samples"},
                           {}};
    lab::Table autocorr{{"T", "tau_energy_samples", "tau_magnetization_samples", "tau_energy_sweeps",
                         "tau_magnetization_sweeps", "ess_fraction_magnetization", "tau_energy_sweeps_err",
                         "tau_magnetization_sweeps_err"},
                        {}};
    std::vector<std::vector<std::string>> sampler_rows;  // for the generated Markdown table
    std::vector<PerTemperature> per_temperature;  // what the claims are judged on
    lab::Progress progress("ch00 samplers", static_cast<long>(cfg.temperatures.size()));
    for (std::size_t t = 0; t < cfg.temperatures.size(); ++t) {
      const double T = cfg.temperatures[t];
      const Chain chain{cfg.L, 1.0, 0.0, T, ising::Boundary::periodic};
      const ising::ExactChain exact(chain);
      const auto exact_corr = exact.connected_correlation();
      const std::uint64_t s0 = cfg.seed + 1000 * t;
      SpinSamples sets[3] = {
          ising::ExactSampler(chain).draw(cfg.n, s0),
          ising::scalar_metropolis_samples(chain, cfg.n, cfg.seed_schedule, s0 + 1),
          ising::multispin_metropolis_samples(chain, cfg.n, cfg.seed_schedule, 1, s0 + 2)};

      // Autocorrelation of the seed's sample sequence (one chain, samples 10 sweeps apart).
      const auto [tau_e, tau_m] = sample_autocorrelation(chain, sets[1]);
      // The claim generalises over chains, so its interval comes from independent replicate chains.
      PerTemperature per_t;
      for (int r = 0; r < cfg.replicates; ++r) {
        const SpinSamples replicate = ising::scalar_metropolis_samples(
            chain, cfg.n / static_cast<std::size_t>(cfg.replicates), cfg.seed_schedule, s0 + 100 + r);
        const auto [e, m] = sample_autocorrelation(chain, replicate);
        per_t.tau_energy.push_back(e.tau_int);
        per_t.tau_magnetization.push_back(m.tau_int);
      }
      const double between = static_cast<double>(cfg.seed_schedule.sweeps_between);
      // Sokal's error of tau_int: tau sqrt(2 (2W + 1) / n).
      auto tau_error = [&](const lab::Autocorrelation& a) {
        return a.tau_int * std::sqrt(2.0 * (2 * a.window + 1) / static_cast<double>(sets[1].size()));
      };
      autocorr.add({T, tau_e.tau_int, tau_m.tau_int, tau_e.tau_int * between, tau_m.tau_int * between,
                    tau_m.effective_sample_size / static_cast<double>(cfg.n), tau_error(tau_e) * between,
                    tau_error(tau_m) * between});

      lab::Table corr_table{{"r", "exact", "pure_exponential", "exact_sampler", "exact_sampler_err", "metropolis",
                             "metropolis_err", "multispin", "multispin_err"},
                            {}};
      Measurement m[3];
      for (int s = 0; s < 3; ++s) m[s] = measure(chain, sets[s]);
      // The chi-square tests assume independent samples; the seed's chain gives correlated ones. Its
      // tests use every k-th sample, k = ceil(2 tau_int) of the slower of energy and magnetisation
      // (tau_int = 1 + 2 sum rho, so k is twice the spacing at which the chain's variance is that of
      // independent samples): the p-values are then valid, on fewer samples.
      const std::size_t stride =
          static_cast<std::size_t>(std::ceil(2 * std::max({tau_e.tau_int, tau_m.tau_int, 0.5})));
      const SpinSamples seed_thinned = thinned(sets[1], stride);
      m[1].p_energy = ising::energy_chi_square(chain, seed_thinned).p_value;
      m[1].p_magnetization = ising::magnetization_chi_square(chain, seed_thinned).p_value;
      const std::size_t tested[3] = {sets[0].size(), seed_thinned.size(), sets[2].size()};
      const double tanh_k = std::tanh(1.0 / T);
      for (int r = 0; r < cfg.L; ++r)
        corr_table.add({double(r), exact_corr[r], std::pow(tanh_k, r), m[0].corr.value[r], m[0].corr.error[r],
                        m[1].corr.value[r], m[1].corr.error[r], m[2].corr.value[r], m[2].corr.error[r]});
      lab::write_table(path(fmt::format("corr_T{}.tsv", format_key(T))), corr_table);
      meta.parameters()["T"] = T;
      meta.parameters()["n"] = cfg.n;
      meta.set_seed(s0);
      meta.write_sidecar(path(fmt::format("corr_T{}.tsv", format_key(T))));

      // Energy histogram: exact probabilities beside the three samplers' frequencies.
      const auto levels = exact.energy_distribution();
      lab::Table hist{{"energy_per_spin", "exact_probability", "exact_sampler", "exact_sampler_err", "metropolis",
                       "metropolis_err", "multispin", "multispin_err"},
                      {}};
      for (const auto& level : levels) {
        std::vector<double> row{level.energy / cfg.L, level.probability};
        for (int s = 0; s < 3; ++s) {
          // Binomial error with the effective sample size n / tau_int for the seed's correlated chain.
          const double n_eff = static_cast<double>(cfg.n) / (s == 1 ? std::max(tau_e.tau_int, 1.0) : 1.0);
          double count = 0;
          for (std::size_t k = 0; k < sets[s].size(); ++k)
            count += std::abs(ising::energy(chain, sets[s].row(k)) - level.energy) < 1e-9;
          const double f = count / static_cast<double>(cfg.n);
          row.push_back(f);
          row.push_back(std::sqrt(std::max(f * (1 - f), 1.0 / n_eff) / n_eff));
        }
        hist.add(row);
      }
      lab::write_table(path(fmt::format("energy_hist_T{}.tsv", format_key(T))), hist);
      meta.write_sidecar(path(fmt::format("energy_hist_T{}.tsv", format_key(T))));

      for (int s = 0; s < 3; ++s) {
        observables.add({T, double(s), m[s].energy.value, m[s].energy.error, m[s].specific_heat.value,
                         m[s].specific_heat.error, m[s].xi.value, m[s].xi.error, m[s].p_energy,
                         m[s].p_magnetization, ising::max_correlation_z(m[s].corr, exact_corr),
                         s == 1 ? tau_e.tau_int * between : NAN, s == 1 ? tau_m.tau_int * between : NAN,
                         double(tested[s])});
        sampler_rows.push_back({format_key(T), sampler_names[s],
                                fmt::format("{:.4f} ± {:.4f}", m[s].energy.value, m[s].energy.error),
                                fmt::format("{:.4f} ± {:.4f}", m[s].specific_heat.value, m[s].specific_heat.error),
                                lab::format_thousands(tested[s]), fmt::format("{:.3g}", m[s].p_energy),
                                fmt::format("{:.3g}", m[s].p_magnetization),
                                fmt::format("{:.1f}", ising::max_correlation_z(m[s].corr, exact_corr))});
      }
      const auto th = exact.thermodynamics();
      sampler_rows.push_back({format_key(T), "*exact*", fmt::format("{:.4f}", th.energy_per_spin),
                              fmt::format("{:.4f}", th.specific_heat_per_spin), "", "", "", ""});
      const double xi_formula = -1.0 / std::log(tanh_k);
      // The ring's exact C(r) fitted the same way (same window, same weights) as the exact samples'.
      const double xi_ring = m[0].xi_exact;
      per_t.xi_samples = m[0].xi;
      per_t.xi_ring = xi_ring;
      per_t.xi_formula = xi_formula;
      per_temperature.push_back(per_t);
      results[fmt::format("xi_ring_T{}", format_key(T))] = fmt::format("{:.2f}", xi_ring);
      results[fmt::format("xi_fit_T{}", format_key(T))] = fmt::format("{:.2f} ± {:.2f}", m[0].xi.value, m[0].xi.error);
      results[fmt::format("xi_formula_T{}", format_key(T))] = fmt::format("{:.2f}", xi_formula);
      results[fmt::format("tau_m_sweeps_T{}", format_key(T))] = fmt::format("{:.0f}", tau_m.tau_int * between);
      progress.advance();
    }
    progress.finish();
    lab::write_table(path("observables.tsv"), observables);
    meta.parameters().erase("T");
    meta.write_sidecar(path("observables.tsv"), {{"sampler_index", {"exact", "metropolis", "multispin"}}});
    lab::write_table(path("autocorrelation.tsv"), autocorr);
    meta.write_sidecar(path("autocorrelation.tsv"));

    // ---- 3. equilibration: sweeps from a random start, in independent replicates ---------------
    // Each replicate (seed) has its own independent chains: multi-spin heat-bath chains for the
    // sweeps-needed grid, and, for the seed's claim about its own algorithm, scalar Metropolis chains
    // after the seed's 500 sweeps. Intervals come from the spread between replicates.
    const std::size_t nT = cfg.temperatures.size();
    const std::size_t chains_per_replicate = cfg.n / static_cast<std::size_t>(cfg.replicates);
    const long seed_sweeps = cfg.seed_schedule.equilibration_sweeps;
    lab::Table equilibration{{"T", "sweeps", "p_energy", "p_magnetization", "replicate", "energy_bias", "m2_bias"}, {}};
    lab::Table metropolis_500{{"T", "replicate", "energy_bias", "m2_bias"}, {}};
    lab::Progress eq_progress("ch00 equilibration", static_cast<long>(nT) * cfg.replicates);
    for (std::size_t t = 0; t < nT; ++t) {
      const Chain chain{cfg.L, 1.0, 0.0, cfg.temperatures[t], ising::Boundary::periodic};
      for (int r = 0; r < cfg.replicates; ++r) {
        const auto rep = equilibrate(chain, chains_per_replicate, cfg.max_equilibration_sweeps, seed_sweeps, cfg.alpha,
                                     cfg.seed + 1000 * t + 3 + 10 * r);
        for (std::size_t k = 0; k < rep.sweeps.size(); ++k) {
          equilibration.add({cfg.temperatures[t], double(rep.sweeps[k]), rep.p_energy[k], rep.p_magnetization[k],
                             double(r), rep.energy_bias[k], rep.m2_bias[k]});
        }
        const auto [e_bias, m2_bias] =
            metropolis_bias(chain, chains_per_replicate, seed_sweeps, cfg.seed + 1000 * t + 5 + 10 * r);
        metropolis_500.add({cfg.temperatures[t], double(r), e_bias, m2_bias});
        per_temperature[t].energy_bias_500.push_back(e_bias);
        per_temperature[t].m2_bias_500.push_back(m2_bias);
        per_temperature[t].sweeps_needed.push_back(rep.needed);
        eq_progress.advance();
      }
    }
    eq_progress.finish();
    lab::write_table(path("equilibration.tsv"), equilibration);
    meta.parameters()["alpha"] = cfg.alpha;
    meta.parameters()["replicates"] = cfg.replicates;
    meta.parameters()["chains_per_replicate"] = chains_per_replicate;
    meta.write_sidecar(path("equilibration.tsv"));
    lab::write_table(path("metropolis_500_sweeps.tsv"), metropolis_500);
    meta.parameters()["sweeps"] = seed_sweeps;
    meta.write_sidecar(path("metropolis_500_sweeps.tsv"));

    // ---- 4. the seed's claims, judged by the verdict rule ------------------------------------------
    // Every claim covers all temperatures; its intervals are simultaneous (Bonferroni) over them.
    auto T_label = [&](std::size_t t) { return "T = " + format_key(cfg.temperatures[t]); };
    auto range_of = [](const std::vector<long>& v) {
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      if (*lo < 0) return std::string("never");
      return *lo == *hi ? std::to_string(*lo) : fmt::format("{}-{}", *lo, *hi);
    };
    const std::string source = "000_700600b7864feadb.txt";
    lab::Claims claims("00-ising-chain", "The Ising chain, exactly");

    lab::Claim equilibrium{"0.1", "source", "Metropolis from a random start is in equilibrium after 500-1000 sweeps",
                           source + ", Algorithm, step 3"};
    const double eq_level = equilibrium.simultaneous(2 * nT);
    std::vector<std::string> needed;
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& pt = per_temperature[t];
      equilibrium.condition(T_label(t), "energy per spin after 500 sweeps minus exact",
                            lab::t_interval(pt.energy_bias_500, eq_level), lab::Direction::within, -cfg.energy_band,
                            cfg.energy_band);
      equilibrium.condition(T_label(t), "mean m^2 after 500 sweeps minus exact",
                            lab::t_interval(pt.m2_bias_500, eq_level), lab::Direction::within, -cfg.m2_band,
                            cfg.m2_band);
      needed.push_back(fmt::format("{} at T = {}", range_of(pt.sweeps_needed), format_key(cfg.temperatures[t])));
    }
    equilibrium.short_form("Metropolis equilibrates in 500-1000 sweeps")
        .criterion(fmt::format(
            "at every T, the mean energy per spin and mean m^2 (m = M / L) of the seed's Metropolis (random "
            "sites, single chains) after 500 sweeps from random starts lie within {:g} J and {:g} of the exact "
            "values; Student-t intervals over {} seeds of {} independent chains, each at level {:.4f} "
            "(Bonferroni, family alpha 0.05)",
            cfg.energy_band, cfg.m2_band, cfg.replicates, lab::format_thousands(chains_per_replicate), eq_level))
        .measured(fmt::format(
            "sweeps until both chi-square tests on independent multi-spin heat-bath chains pass for good "
            "(p > {:g}), range over the {} seeds: {}", cfg.alpha,
            cfg.replicates, fmt::join(needed, "; ")));
    claims.add(equilibrium);

    lab::Claim decorrelated{"0.2", "source", "10-20 sweeps between samples decorrelate them",
                            source + ", Algorithm, step 4"};
    const double tau_level = decorrelated.simultaneous(2 * nT);
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& pt = per_temperature[t];
      decorrelated.condition(T_label(t), "tau_int of the energy (samples)", lab::t_interval(pt.tau_energy, tau_level),
                             lab::Direction::below, cfg.tau_threshold);
      decorrelated.condition(T_label(t), "tau_int of the magnetisation (samples)",
                             lab::t_interval(pt.tau_magnetization, tau_level), lab::Direction::below,
                             cfg.tau_threshold);
    }
    decorrelated.short_form("10 sweeps between samples decorrelate them")
        .criterion(fmt::format(
            "at every T, the integrated autocorrelation times of energy and magnetisation, in samples 10 sweeps "
            "apart, are below {:g}; Student-t intervals over {} independent chains of {} samples, each at level "
            "{:.4f} (Bonferroni, family alpha 0.05)",
            cfg.tau_threshold, cfg.replicates, lab::format_thousands(cfg.n / cfg.replicates), tau_level));
    claims.add(decorrelated);

    lab::Claim exponential{"0.3", "source", "C(r) decays as exp(-r/xi), xi = -1/ln tanh(J/T)",
                           source + ", Physics background"};
    for (std::size_t t = 0; t < nT; ++t) {
      const double ratio = per_temperature[t].xi_ring / per_temperature[t].xi_formula;  // exact: no interval width
      exponential.condition(T_label(t), "xi fitted to the ring's exact C(r) / formula", ratio, ratio, ratio,
                            lab::Direction::within, 1 - cfg.xi_band, 1 + cfg.xi_band);
    }
    exponential.short_form("C(r) = exp(-r/xi) with the chain's xi on the L = 32 ring")
        .criterion(fmt::format(
            "on the seed's L = {} ring, xi fitted to the exact C(r) = (t^r + t^(L-r)) / (1 + t^L) (the paper's "
            "fit of exp(-r/xi) over r = 1..{}, weighted by the exact samples' error bars) lies within {:g}% of "
            "-1/ln tanh(J/T) at every T; both are exact numbers, so each interval is a point",
            cfg.L, ising::correlation_window(cfg.L).last, 100 * cfg.xi_band));
    claims.add(exponential);

    lab::Claim xi_validation{"0.4", "validation", "Exact samples reproduce the ring's fitted correlation length",
                             "this chapter; the ring's exact C(r)"};
    const double xi_level = xi_validation.simultaneous(nT);
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& pt = per_temperature[t];
      const lab::Estimate ratio{pt.xi_samples.value / pt.xi_ring, pt.xi_samples.error / pt.xi_ring};
      xi_validation.condition(T_label(t), "xi fitted to exact samples / xi fitted to the exact C(r)",
                              lab::normal_interval(ratio, xi_level), lab::Direction::within, 1 - cfg.xi_band,
                              1 + cfg.xi_band);
    }
    xi_validation.short_form("sampled xi matches the ring's exact xi")
        .criterion(fmt::format(
            "at every T, xi fitted to {} exact samples lies within {:g}% of xi fitted the same way (same window "
            "r = 1..{}, same weights) to the exact C(r); normal intervals from the jackknife error of the whole "
            "fit, each at level {:.4f} (Bonferroni, family alpha 0.05)",
            lab::format_thousands(cfg.n), 100 * cfg.xi_band, ising::correlation_window(cfg.L).last, xi_level));
    claims.add(xi_validation);

    const nlohmann::json claims_json = claims.to_json();
    lab::write_claims(path("claims.json"), claims_json, "--out");

    // ---- 5. values quoted in the chapter text --------------------------------------------------------
    std::string table = "| T | sampler | energy per spin | specific heat per spin | samples tested | p (energy) | "
                        "p (magnetisation) | max abs z of C(r) |\n|---|---|---|---|---|---|---|---|\n";
    for (const auto& row : sampler_rows) table += fmt::format("| {} |\n", fmt::join(row, " | "));
    results["sampler_table"] = table;
    std::string eq_table = "| T | xi (exact) | sweeps needed (per seed) | tau_int energy (sweeps) | tau_int "
                           "magnetisation (sweeps) |\n|---|---|---|---|---|\n";
    for (std::size_t t = 0; t < nT; ++t) {
      std::vector<std::string> per_seed;
      for (long s : per_temperature[t].sweeps_needed)
        per_seed.push_back(s < 0 ? "> " + std::to_string(cfg.max_equilibration_sweeps) : std::to_string(s));
      eq_table += fmt::format("| {} | {:.2f} | {} | {:.0f} | {:.0f} |\n", format_key(cfg.temperatures[t]),
                              per_temperature[t].xi_formula, fmt::join(per_seed, ", "), autocorr.rows[t][3],
                              autocorr.rows[t][4]);
    }
    results["equilibration_table"] = eq_table;
    results["claims_table"] = lab::claim_details_markdown(claims_json);
    results["replicates"] = cfg.replicates;
    results["chains_per_replicate"] = lab::format_thousands(chains_per_replicate);
    results["tmin"] = format_key(cfg.temperatures.front());
    results["tmax"] = format_key(cfg.temperatures.back());
    results["temperatures"] = fmt::format("{}", fmt::join(cfg.temperatures, ", "));
    results["max_sweeps"] = cfg.max_equilibration_sweeps;

    // gnuplot reads the temperature list from here, so the figure script works for every profile.
    const std::string temps = lab::format_keys(cfg.temperatures);
    lab::write_file_atomically(path("plot_vars.gp"),
                               fmt::format("temps = \"{}\"\nL = {}\nalpha = {:g}\n", temps, cfg.L, cfg.alpha));
    // results.json last: its presence marks a finished run for make.
    lab::write_file_atomically(path("results.json"), results.dump(2) + "\n");
  });
}
