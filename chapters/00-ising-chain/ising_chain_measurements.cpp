// Chapter 0: the jobs and what they measure (declared in ising_chain_measurements.hpp).
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "ising/correlation_form.hpp"
#include "ising/correlation_length.hpp"
#include "ising/exact.hpp"
#include "lab/seeds.hpp"

#include "ising_chain_measurements.hpp"

namespace spinformer {

using ising::Chain;
using ising::SpinSamples;
using nlohmann::json;

Chain ring(int L, double T) { return Chain{L, 1.0, 0.0, T, ising::Boundary::periodic}; }

double xi_formula(double T) { return -1.0 / std::log(std::tanh(1.0 / T)); }
double temperature_of_xi(double xi) { return 1.0 / std::atanh(std::exp(-1.0 / xi)); }

namespace {

// Results are read back from the job cache, and every table, claim and quoted value must come out
// as it would have without the round trip: JSON keeps finite doubles exactly but has no NaN or
// infinity (a fit that admits no decaying C(r) gives one), so those travel as strings, sign included.
json real(double x) {
  if (std::isfinite(x)) return x;
  if (std::isnan(x)) return std::signbit(x) ? "-nan" : "nan";
  return x > 0 ? "inf" : "-inf";
}
double real_of(const json& j) {
  if (!j.is_string()) return j.get<double>();
  const std::string s = j.get<std::string>();
  if (s == "inf") return HUGE_VAL;
  if (s == "-inf") return -HUGE_VAL;
  return std::copysign(NAN, s == "-nan" ? -1.0 : 1.0);
}
json reals(const std::vector<double>& xs) {
  json out = json::array();
  for (double x : xs) out.push_back(real(x));
  return out;
}
std::vector<double> reals_of(const json& j) {
  std::vector<double> out;
  for (const auto& x : j) out.push_back(real_of(x));
  return out;
}
json estimate(const lab::Estimate& e) { return {real(e.value), real(e.error)}; }
lab::Estimate estimate_of(const json& j) { return {real_of(j.at(0)), real_of(j.at(1))}; }
json autocorrelation(const lab::Autocorrelation& a) {
  return {{"tau_int", real(a.tau_int)}, {"window", a.window}, {"effective_sample_size", real(a.effective_sample_size)}};
}
lab::Autocorrelation autocorrelation_of(const json& j) {
  return {real_of(j.at("tau_int")), j.at("window").get<int>(), real_of(j.at("effective_sample_size"))};
}

// A job's Config and its ring at the job's temperature (parameters {"config", "t", ...}).
struct JobPoint {
  Config cfg;
  Chain chain;
};
JobPoint point_of(const json& p) {
  Config cfg = p.at("config").get<Config>();
  const double T = cfg.temperatures.at(p.at("t").get<std::size_t>());
  return {cfg, ring(cfg.L, T)};
}

// ---- measurements on one set of samples ---------------------------------------------------------
SamplerMeasurement measure(const Chain& chain, const SpinSamples& samples) {
  SamplerMeasurement m;
  m.energy = ising::sample_energy_per_spin(chain, samples);
  m.specific_heat = ising::sample_specific_heat_per_spin(chain, samples);
  m.corr = ising::sample_connected_correlation(chain, samples);
  const ising::CorrelationLengthFit xi = ising::fitted_correlation_length(chain, samples);
  m.xi = xi.samples;  // jackknife over the whole fit
  m.xi_exact = xi.exact;
  m.p_energy = ising::energy_chi_square(chain, samples).p_value;
  m.p_magnetization = ising::magnetization_chi_square(chain, samples).p_value;
  m.samples_tested = samples.size();
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

// The temperature in [lo, hi] at which f (monotonic in T) reaches target, by bisection.
template <class F>
double temperature_where(F f, double target, double lo, double hi) {
  const bool increasing = f(hi) > f(lo);
  for (int it = 0; it < 200; ++it) {
    const double mid = (lo + hi) / 2;
    ((f(mid) < target) == increasing ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

// Mean energy per spin and mean m^2 of samples minus the exact values at the chain's T.
struct Bias {
  double energy, m2;
};
Bias bias_of(const Chain& at, const SpinSamples& samples, double e_exact, double m2_exact) {
  return {mean_energy_per_spin(at, samples) - e_exact, mean_square_magnetization(samples) - m2_exact};
}

// <m^2> = <M^2> / L^2 = sum_r C(r) / L at h = 0 (the exact C(r) stays accurate at any T; the
// susceptibility's jets lose it far below T = 0.5, where the controls' bisection may look).
double exact_m2(const Chain& chain) {
  double sum = 0;
  for (double c : ising::ExactChain(chain).connected_correlation()) sum += c;
  return sum / chain.L;
}

json tau_json(const SpinSamples& samples, const Chain& chain) {
  const auto [e, m] = sample_autocorrelation(chain, samples);
  return {{"tau_energy", real(e.tau_int)}, {"tau_magnetization", real(m.tau_int)}};
}

}  // namespace

// ---- the three samplers at one temperature ----------------------------------------------------------
json samplers_job(const json& p, std::uint64_t s0) {
  const auto [cfg, chain] = point_of(p);
  const std::size_t n = cfg.n;
  const ising::MetropolisSchedule schedule = cfg.seed_schedule();
  const int replicates = cfg.replicates;
  const ising::ExactChain exact(chain);
  const SpinSamples sets[3] = {
      ising::ExactSampler(chain).draw(n, lab::job_seed(s0, "exact", {})),
      ising::scalar_metropolis_samples(chain, n, schedule, lab::job_seed(s0, "metropolis", {})),
      ising::multispin_metropolis_samples(chain, n, schedule, 1, lab::job_seed(s0, "multispin", {}))};
  SamplerComparison c;
  // Autocorrelation of the seed's sample sequence (one chain, samples 10 sweeps apart).
  std::tie(c.tau_energy, c.tau_magnetization) = sample_autocorrelation(chain, sets[1]);
  // The claim generalises over chains, so its interval comes from independent replicate chains.
  for (int r = 0; r < replicates; ++r) {
    const SpinSamples replicate =
        ising::scalar_metropolis_samples(chain, n / static_cast<std::size_t>(replicates), schedule,
                                         lab::job_seed(s0, "replicate", {static_cast<std::uint64_t>(r)}));
    const auto [e, m] = sample_autocorrelation(chain, replicate);
    c.replicate_tau_energy.push_back(e.tau_int);
    c.replicate_tau_magnetization.push_back(m.tau_int);
  }
  // Positive control of the decorrelation criterion: replicate sets of independent exact samples.
  for (int r = 0; r < replicates; ++r) {
    const SpinSamples replicate = ising::ExactSampler(chain).draw(
        n / static_cast<std::size_t>(replicates), lab::job_seed(s0, "exact_replicate", {static_cast<std::uint64_t>(r)}));
    const auto [e, m] = sample_autocorrelation(chain, replicate);
    c.exact_tau_energy.push_back(e.tau_int);
    c.exact_tau_magnetization.push_back(m.tau_int);
  }
  // The form and the length of C(r) on the exact samples, and their controls.
  {
    using ising::CorrelationForm;
    FormMeasurement& f = c.form;
    const ising::FormTest as_exp = ising::test_correlation_form(CorrelationForm::exponential, chain, sets[0], cfg.form_blocks);
    const ising::FormTest as_ring = ising::test_correlation_form(CorrelationForm::ring, chain, sets[0], cfg.form_blocks);
    f.p_exponential = as_exp.p_value;
    f.p_ring = as_ring.p_value;
    f.xi_ring = as_ring.xi;
    f.p_exponential_exact = ising::form_p_value(CorrelationForm::exponential, exact.connected_correlation(), as_exp);
    f.xi_ring_exact = ising::ring_correlation_length(exact.connected_correlation());
    f.xi_single_equal = ising::fit_correlation_length(exact.connected_correlation());
    Chain open = chain;
    open.boundary = ising::Boundary::open;
    f.p_exponential_open = ising::test_correlation_form(CorrelationForm::exponential, open,
                                                        ising::ExactSampler(open).draw(n, lab::job_seed(s0, "open", {})),
                                                        cfg.form_blocks)
                               .p_value;
    f.T_shifted = temperature_of_xi((1 + cfg.control_effect * cfg.xi_band) * xi_formula(chain.T));
    const Chain shifted = ring(chain.L, f.T_shifted);
    f.xi_shifted = ising::test_correlation_form(CorrelationForm::ring, shifted,
                                                ising::ExactSampler(shifted).draw(n, lab::job_seed(s0, "shifted_xi", {})),
                                                cfg.form_blocks)
                       .xi;
  }
  for (int s = 0; s < 3; ++s) c.sampler[s] = measure(chain, sets[s]);
  // The chi-square tests assume independent samples; the seed's chain gives correlated ones. Its
  // tests use every k-th sample, k = ceil(2 tau_int) of the slower of energy and magnetisation
  // (tau_int = 1 + 2 sum rho, so k is twice the spacing at which the chain's variance is that of
  // independent samples): the p-values are then valid, on fewer samples.
  const std::size_t stride = static_cast<std::size_t>(
      std::ceil(2 * std::max({c.tau_energy.tau_int, c.tau_magnetization.tau_int, 0.5})));
  const SpinSamples seed_thinned = thinned(sets[1], stride);
  c.sampler[1].p_energy = ising::energy_chi_square(chain, seed_thinned).p_value;
  c.sampler[1].p_magnetization = ising::magnetization_chi_square(chain, seed_thinned).p_value;
  c.sampler[1].samples_tested = seed_thinned.size();
  const auto exact_corr = exact.connected_correlation();
  const auto levels = exact.energy_distribution();
  for (int s = 0; s < 3; ++s) {
    c.sampler[s].max_corr_z = ising::max_correlation_z(c.sampler[s].corr, exact_corr);
    for (const auto& level : levels) {
      double count = 0;
      for (std::size_t k = 0; k < sets[s].size(); ++k)
        count += std::abs(ising::energy(chain, sets[s].row(k)) - level.energy) < 1e-9;
      c.sampler[s].energy_counts.push_back(count);
    }
  }

  json out = {{"tau_energy", autocorrelation(c.tau_energy)},
              {"tau_magnetization", autocorrelation(c.tau_magnetization)},
              {"replicate_tau_energy", reals(c.replicate_tau_energy)},
              {"replicate_tau_magnetization", reals(c.replicate_tau_magnetization)},
              {"exact_tau_energy", reals(c.exact_tau_energy)},
              {"exact_tau_magnetization", reals(c.exact_tau_magnetization)},
              {"form",
               {{"p_exponential", real(c.form.p_exponential)},
                {"p_ring", real(c.form.p_ring)},
                {"xi_ring", estimate(c.form.xi_ring)},
                {"p_exponential_exact", real(c.form.p_exponential_exact)},
                {"p_exponential_open", real(c.form.p_exponential_open)},
                {"T_shifted", real(c.form.T_shifted)},
                {"xi_shifted", estimate(c.form.xi_shifted)},
                {"xi_ring_exact", real(c.form.xi_ring_exact)},
                {"xi_single_equal", real(c.form.xi_single_equal)}}},
              {"samplers", json::array()}};
  for (const auto& m : c.sampler)
    out["samplers"].push_back({{"energy", estimate(m.energy)},
                               {"specific_heat", estimate(m.specific_heat)},
                               {"xi", estimate(m.xi)},
                               {"xi_exact", real(m.xi_exact)},
                               {"corr", reals(m.corr.value)},
                               {"corr_error", reals(m.corr.error)},
                               {"p_energy", real(m.p_energy)},
                               {"p_magnetization", real(m.p_magnetization)},
                               {"max_corr_z", real(m.max_corr_z)},
                               {"samples_tested", m.samples_tested},
                               {"energy_counts", reals(m.energy_counts)}});
  return out;
}

SamplerComparison sampler_comparison(const json& r) {
  SamplerComparison c;
  c.tau_energy = autocorrelation_of(r.at("tau_energy"));
  c.tau_magnetization = autocorrelation_of(r.at("tau_magnetization"));
  c.replicate_tau_energy = reals_of(r.at("replicate_tau_energy"));
  c.replicate_tau_magnetization = reals_of(r.at("replicate_tau_magnetization"));
  c.exact_tau_energy = reals_of(r.at("exact_tau_energy"));
  c.exact_tau_magnetization = reals_of(r.at("exact_tau_magnetization"));
  const json& f = r.at("form");
  c.form = {real_of(f.at("p_exponential")),       real_of(f.at("p_ring")),
            estimate_of(f.at("xi_ring")),          real_of(f.at("p_exponential_exact")),
            real_of(f.at("p_exponential_open")),   real_of(f.at("T_shifted")),
            estimate_of(f.at("xi_shifted")),       real_of(f.at("xi_ring_exact")),
            real_of(f.at("xi_single_equal"))};
  for (int s = 0; s < 3; ++s) {
    const json& j = r.at("samplers").at(s);
    SamplerMeasurement& m = c.sampler[s];
    m.energy = estimate_of(j.at("energy"));
    m.specific_heat = estimate_of(j.at("specific_heat"));
    m.xi = estimate_of(j.at("xi"));
    m.xi_exact = real_of(j.at("xi_exact"));
    m.corr = {reals_of(j.at("corr")), reals_of(j.at("corr_error"))};
    m.p_energy = real_of(j.at("p_energy"));
    m.p_magnetization = real_of(j.at("p_magnetization"));
    m.max_corr_z = real_of(j.at("max_corr_z"));
    m.samples_tested = j.at("samples_tested").get<std::size_t>();
    m.energy_counts = reals_of(j.at("energy_counts"));
  }
  return c;
}

// ---- one replicate of the equilibration study at one temperature --------------------------------------
// Its own seed, its own independent multi-spin heat-bath chains from random starts, tested at 1, 2,
// 4, ... sweeps and at the seed's 500.
json equilibration_job(const json& p, std::uint64_t seed) {
  const auto [cfg, chain] = point_of(p);
  const std::size_t chains = cfg.chains_per_replicate();
  const long max_sweeps = cfg.max_equilibration_sweeps, seed_sweeps = cfg.equilibration_sweeps;
  const double alpha = cfg.alpha;
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
  return {{"sweeps", out.sweeps},
          {"p_energy", reals(out.p_energy)},
          {"p_magnetization", reals(out.p_magnetization)},
          {"energy_bias", reals(out.energy_bias)},
          {"m2_bias", reals(out.m2_bias)},
          {"needed", out.needed}};
}

EquilibrationReplicate equilibration_replicate(const json& r) {
  EquilibrationReplicate out;
  out.sweeps = r.at("sweeps").get<std::vector<long>>();
  out.p_energy = reals_of(r.at("p_energy"));
  out.p_magnetization = reals_of(r.at("p_magnetization"));
  out.energy_bias = reals_of(r.at("energy_bias"));
  out.m2_bias = reals_of(r.at("m2_bias"));
  out.needed = r.at("needed").get<long>();
  return out;
}

// ---- the seed's Metropolis after its 500 sweeps, and the controls of claim 0.1 --------------------------
json metropolis_bias_job(const json& p, std::uint64_t seed) {
  const auto [cfg, chain] = point_of(p);
  const std::size_t chains = cfg.chains_per_replicate();
  const long sweeps = cfg.equilibration_sweeps;
  const ising::ExactChain exact(chain);
  const double e_exact = exact.thermodynamics().energy_per_spin;
  const double m2_exact = exact_m2(chain);
  // Each chain is read after the seed's sweeps and again after twice as many (the doubling check).
  double e_sum[2] = {0, 0}, m2_sum[2] = {0, 0};
  for (std::size_t c = 0; c < chains; ++c) {
    ising::ScalarMetropolis m(chain, lab::job_seed(seed, "chain", {c}));
    for (int half = 0; half < 2; ++half) {
      for (long k = 0; k < sweeps; ++k) m.sweep();
      e_sum[half] += ising::energy(chain, m.spins().data()) / chain.L;
      double mag = 0;
      for (ising::Spin x : m.spins()) mag += x;
      mag /= chain.L;
      m2_sum[half] += mag * mag;
    }
  }
  const double n = static_cast<double>(chains);
  // The controls, on as many exact configurations: at T (no bias); at the higher temperature where the
  // exact energy per spin is control_effect bands above T's (below is out of reach at T = 0.5, where the
  // ring's -0.981 J is within 0.02 J of the ground state); and at the lower temperature where <m^2> is
  // control_effect bands above T's (below is out of reach at T = 5, where <m^2> = 0.047 is near 1/L).
  const Bias at_T = bias_of(chain, ising::ExactSampler(chain).draw(chains, lab::job_seed(seed, "exact", {})), e_exact,
                            m2_exact);
  const double T_energy = temperature_where(
      [&](double T) { return ising::ExactChain(ring(chain.L, T)).thermodynamics().energy_per_spin; },
      e_exact + cfg.control_effect * cfg.energy_band, chain.T, 20 * chain.T);
  const double T_m2 = temperature_where([&](double T) { return exact_m2(ring(chain.L, T)); },
                                        m2_exact + cfg.control_effect * cfg.m2_band, chain.T / 20, chain.T);
  const Chain hot_e = ring(chain.L, T_energy), cold_m = ring(chain.L, T_m2);
  const Bias shifted_e = bias_of(hot_e, ising::ExactSampler(hot_e).draw(chains, lab::job_seed(seed, "hot_energy", {})),
                                 e_exact, m2_exact);
  const Bias shifted_m =
      bias_of(cold_m, ising::ExactSampler(cold_m).draw(chains, lab::job_seed(seed, "cold_m2", {})), e_exact, m2_exact);
  return {{"energy_bias", real(e_sum[0] / n - e_exact)}, {"m2_bias", real(m2_sum[0] / n - m2_exact)},
          {"energy_bias_2x", real(e_sum[1] / n - e_exact)}, {"m2_bias_2x", real(m2_sum[1] / n - m2_exact)},
          {"exact_energy_bias", real(at_T.energy)},        {"exact_m2_bias", real(at_T.m2)},
          {"shifted_energy_bias", real(shifted_e.energy)}, {"shifted_m2_bias", real(shifted_m.m2)},
          {"T_energy", real(T_energy)},                    {"T_m2", real(T_m2)}};
}

MetropolisBias metropolis_bias(const json& r) {
  MetropolisBias b;
  b.energy = real_of(r.at("energy_bias"));
  b.m2 = real_of(r.at("m2_bias"));
  b.energy_2x = real_of(r.at("energy_bias_2x"));
  b.m2_2x = real_of(r.at("m2_bias_2x"));
  b.exact_energy = real_of(r.at("exact_energy_bias"));
  b.exact_m2 = real_of(r.at("exact_m2_bias"));
  b.shifted_energy = real_of(r.at("shifted_energy_bias"));
  b.shifted_m2 = real_of(r.at("shifted_m2_bias"));
  b.T_energy = real_of(r.at("T_energy"));
  b.T_m2 = real_of(r.at("T_m2"));
  return b;
}

// ---- the seed's code as printed: one chain, samples seed_code_spacing() sweeps apart ------------------
json seed_code_job(const json& p, std::uint64_t seed) {
  const auto [cfg, chain] = point_of(p);
  const long spacing = cfg.seed_code_spacing();
  return tau_json(ising::scalar_metropolis_samples(chain, cfg.code_samples, {spacing, spacing}, seed), chain);
}

// ---- negative control of the decorrelation criterion: samples control_sweeps_between sweeps apart -----
json tau_control_job(const json& p, std::uint64_t seed) {
  const auto [cfg, chain] = point_of(p);
  return tau_json(ising::scalar_metropolis_samples(chain, cfg.chains_per_replicate(),
                                                   {cfg.equilibration_sweeps, cfg.control_sweeps_between}, seed),
                  chain);
}

TauPair tau_pair(const json& r) { return {real_of(r.at("tau_energy")), real_of(r.at("tau_magnetization"))}; }

}  // namespace spinformer
