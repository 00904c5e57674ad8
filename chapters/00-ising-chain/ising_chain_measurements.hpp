#pragma once
// Chapter 0: the configuration and the jobs (the three samplers at one temperature; one replicate of
// the equilibration study at one temperature; one replicate of the seed's Metropolis after its 500
// sweeps), each a function of its parameters and seed that returns JSON, and the measurements read
// back from that JSON. The program is ising_chain.cpp; the jobs are in ising_chain_measurements.cpp.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ising/chain.hpp"
#include "ising/estimators.hpp"
#include "ising/samplers.hpp"
#include "lab/statistics.hpp"

namespace spinformer {

// ---- configuration (the seed's setup: L = 32 ring, J = 1, h = 0, 50,000 samples per T) ----------
// Declared once: serialised by the NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE below into results.json
// ("config"), every sidecar and every job's parameters; the profiles are patches of these defaults.
struct Config {
  int L = 32;
  std::vector<double> temperatures{0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0};
  std::size_t n = 50'000;                 // samples per temperature and sampler
  long equilibration_sweeps = 500;        // the seed: 500 sweeps to equilibrate,
  long sweeps_between = 10;               // then 10 between samples
  long max_equilibration_sweeps = 4096;   // equilibration study: 1, 2, 4, ... sweeps
  double alpha = 1e-3;                    // significance level of the chi-square tests
  int replicates = 5;                     // independent seeds behind every claim's interval
  // Declared before the run (the claims' effect sizes): equilibrium within 0.01 J per spin in energy
  // and 0.02 in <m^2>; "decorrelated" means tau_int < 2 samples; a fitted xi within 10% of its reference.
  double energy_band = 0.01, m2_band = 0.02, tau_threshold = 2.0, xi_band = 0.10;
  std::uint64_t seed = 20261125;
  // The form of C(r) is tested with the jackknife covariance of C(r) over the window: 200 blocks of
  // independent samples (250 each at n = 50,000) keep Hotelling's correction of its p-value small.
  int form_blocks = 200;
  // The seed's code as printed samples every equilibration_sweeps + L * sweeps_between sweeps (820 at
  // L = 32); its tau_int is measured on replicate chains of this many samples, as many as claim 0.2's
  // chains (a first run with 2,000 left T = 0.5 undecided: tau_int 2.3 +- 0.5 per chain).
  std::size_t code_samples = 10'000;
  // Negative control of the decorrelation criterion: the seed's Metropolis with samples this many
  // sweeps apart at the lowest temperature, where the magnetisation needs hundreds of sweeps.
  long control_sweeps_between = 1;
  // Negative controls of the other criteria: a departure known exactly, this many times the claim's
  // band (exact samples at a temperature chosen so that E, <m^2> or xi is off by that much).
  double control_effect = 2.0;

  ising::MetropolisSchedule seed_schedule() const { return {equilibration_sweeps, sweeps_between}; }
  long seed_code_spacing() const { return equilibration_sweeps + L * sweeps_between; }
  std::size_t chains_per_replicate() const { return n / static_cast<std::size_t>(replicates); }
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, L, temperatures, n, equilibration_sweeps, sweeps_between,
                                   max_equilibration_sweeps, alpha, replicates, energy_band, m2_band, tau_threshold,
                                   xi_band, seed, form_blocks, code_samples, control_sweeps_between, control_effect)

// -1 / ln tanh(J/T) at J = 1: the infinite chain's and the ring's xi (the eigenvalue ratio)
double xi_formula(double T);
// The temperature at which xi_formula is xi (the inverse of the above).
double temperature_of_xi(double xi);

// The seed's ring at temperature T: J = 1, h = 0, periodic.
ising::Chain ring(int L, double T);

// Every job reads its Config and its coordinates from its parameters ({"config": ..., "t": temperature
// index, "replicate": r}), and derives the seeds of its samplers from its own seed with lab::job_seed.

// ---- job "samplers": exact i.i.d., the seed's Metropolis and the multi-spin heat bath at one T -----
// Seeds: job_seed(seed, "exact"), ("metropolis"), ("multispin"), and ("replicate", {r}) for the
// replicate Metropolis chains behind the autocorrelation claim's interval.
nlohmann::json samplers_job(const nlohmann::json& parameters, std::uint64_t seed);
// Also the controls that need exact samples of this T: ("exact_replicate", {r}) replicate exact sets
// for tau_int; ("open") exact samples of the open chain; ("shifted_xi") exact samples at the
// temperature whose xi is (1 + control_effect xi_band) times this T's.
constexpr const char* kSamplersSeeds =
    "exact sampler job_seed(seed, \"exact\"), the seed's Metropolis job_seed(seed, \"metropolis\"), heat bath "
    "job_seed(seed, \"multispin\"), replicate chain r job_seed(seed, \"replicate\", {r}), exact replicate r "
    "job_seed(seed, \"exact_replicate\", {r}), open chain job_seed(seed, \"open\"), shifted xi "
    "job_seed(seed, \"shifted_xi\")";

struct SamplerMeasurement {
  lab::Estimate energy, specific_heat, xi;  // xi: the paper's fit (ising/correlation_length.hpp)
  double xi_exact = 0;                      // the same fit, same weights, to the exact C(r)
  ising::CorrelationEstimate corr;
  double p_energy = 1, p_magnetization = 1;  // the seed's chain: tested on its thinned samples
  double max_corr_z = 0;                     // largest |z| of C(r) against the exact C(r)
  std::size_t samples_tested = 0;            // samples behind the chi-square tests
  std::vector<double> energy_counts;         // samples per level of ExactChain::energy_distribution()
};

// The form and the length of C(r) (ising/correlation_form.hpp), on n exact samples of the ring.
struct FormMeasurement {
  double p_exponential = 0;        // goodness of fit of A e^{-r/xi}, jackknife covariance
  double p_ring = 0;               // the same for the ring's cosh form
  lab::Estimate xi_ring;           // the ring form's xi with its jackknife error
  double p_exponential_exact = 0;  // the exponential test applied to the exact C(r), same covariance
  double p_exponential_open = 0;   // the exponential test on n exact samples of the open chain
  double T_shifted = 0;            // the temperature whose xi is (1 + control_effect xi_band) this T's
  lab::Estimate xi_shifted;        // the ring form's xi on n exact ring samples at T_shifted
  double xi_ring_exact = 0;        // the ring form fitted to the exact C(r), equal weights
  double xi_single_equal = 0;      // the single exponential fitted to the exact C(r), equal weights
};

struct SamplerComparison {
  SamplerMeasurement sampler[3];                        // exact, metropolis, multispin
  lab::Autocorrelation tau_energy, tau_magnetization;   // of the seed's chain, in samples
  std::vector<double> replicate_tau_energy, replicate_tau_magnetization;  // tau_int per replicate chain
  std::vector<double> exact_tau_energy, exact_tau_magnetization;  // the same on replicate exact sets
  FormMeasurement form;
};
SamplerComparison sampler_comparison(const nlohmann::json& result);

// ---- job "equilibration": independent multi-spin heat-bath chains from random starts -------------
// Both chi-square tests and the biases of energy per spin and m^2 at 1, 2, 4, ... sweeps up to
// max_equilibration_sweeps and at the seed's equilibration_sweeps, on chains_per_replicate chains.
nlohmann::json equilibration_job(const nlohmann::json& parameters, std::uint64_t seed);
constexpr const char* kEquilibrationSeeds = "the multi-spin heat bath of all chains: the job's seed";

struct EquilibrationReplicate {
  std::vector<long> sweeps;
  std::vector<double> p_energy, p_magnetization, energy_bias, m2_bias;
  long needed = -1;  // smallest S from which every later test on the grid passes; -1: none
};
EquilibrationReplicate equilibration_replicate(const nlohmann::json& result);

// ---- job "metropolis_bias": the seed's claim about its own algorithm, measured on it ---------------
// chains_per_replicate independent scalar Metropolis chains (chain c: seed job_seed(seed, "chain", {c}),
// random start) after the seed's equilibration_sweeps: {"energy_bias", "m2_bias"}, the mean energy per
// spin and mean m^2 minus exact.
nlohmann::json metropolis_bias_job(const nlohmann::json& parameters, std::uint64_t seed);
constexpr const char* kMetropolisBiasSeeds = "chain c: job_seed(seed, \"chain\", {c})";

// Also, for the controls of claim 0.1 (same statistic, chains_per_replicate configurations): the
// same chains continued to twice the sweeps (the doubling check), exact samples at T
// (job_seed(seed, "exact")), and exact samples at the temperatures where the exact energy per spin is
// control_effect energy_band higher (job_seed(seed, "hot_energy")) and <m^2> control_effect m2_band
// higher (job_seed(seed, "cold_m2")), their biases taken against the exact values at T.
struct MetropolisBias {
  double energy = 0, m2 = 0;  // mean energy per spin and mean m^2 minus exact
  double energy_2x = 0, m2_2x = 0;  // after twice the sweeps
  double exact_energy = 0, exact_m2 = 0;
  double shifted_energy = 0, shifted_m2 = 0;
  double T_energy = 0, T_m2 = 0;  // the shifted temperatures
};
MetropolisBias metropolis_bias(const nlohmann::json& result);

// ---- job "seed_code": the seed's code as printed, one replicate chain at one temperature ----------
// The scalar Metropolis with seed_code_spacing() sweeps before the first sample and between samples
// (its 500 equilibration sweeps rerun before every sample plus L * 10 thinning sweeps): code_samples
// samples, tau_int of energy and magnetisation in samples. One job per (t, replicate).
nlohmann::json seed_code_job(const nlohmann::json& parameters, std::uint64_t seed);
constexpr const char* kSeedCodeSeeds = "the chain: the job's seed";

// ---- job "tau_control": negative control of the decorrelation criterion --------------------------
// The seed's Metropolis at the lowest temperature, chains_per_replicate samples control_sweeps_between
// sweeps apart after the seed's equilibration: tau_int of energy and magnetisation. One job per replicate.
nlohmann::json tau_control_job(const nlohmann::json& parameters, std::uint64_t seed);
constexpr const char* kTauControlSeeds = "the chain: the job's seed";

struct TauPair {
  double energy = 0, magnetization = 0;  // tau_int in samples
};
TauPair tau_pair(const nlohmann::json& result);

}  // namespace spinformer
