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

  ising::MetropolisSchedule seed_schedule() const { return {equilibration_sweeps, sweeps_between}; }
  std::size_t chains_per_replicate() const { return n / static_cast<std::size_t>(replicates); }
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, L, temperatures, n, equilibration_sweeps, sweeps_between,
                                   max_equilibration_sweeps, alpha, replicates, energy_band, m2_band, tau_threshold,
                                   xi_band, seed)

// The seed's ring at temperature T: J = 1, h = 0, periodic.
ising::Chain ring(int L, double T);

// Every job reads its Config and its coordinates from its parameters ({"config": ..., "t": temperature
// index, "replicate": r}), and derives the seeds of its samplers from its own seed with lab::job_seed.

// ---- job "samplers": exact i.i.d., the seed's Metropolis and the multi-spin heat bath at one T -----
// Seeds: job_seed(seed, "exact"), ("metropolis"), ("multispin"), and ("replicate", {r}) for the
// replicate Metropolis chains behind the autocorrelation claim's interval.
nlohmann::json samplers_job(const nlohmann::json& parameters, std::uint64_t seed);
constexpr const char* kSamplersSeeds =
    "exact sampler job_seed(seed, \"exact\"), the seed's Metropolis job_seed(seed, \"metropolis\"), heat bath "
    "job_seed(seed, \"multispin\"), replicate chain r job_seed(seed, \"replicate\", {r})";

struct SamplerMeasurement {
  lab::Estimate energy, specific_heat, xi;  // xi: the paper's fit (ising/correlation_length.hpp)
  double xi_exact = 0;                      // the same fit, same weights, to the exact C(r)
  ising::CorrelationEstimate corr;
  double p_energy = 1, p_magnetization = 1;  // the seed's chain: tested on its thinned samples
  double max_corr_z = 0;                     // largest |z| of C(r) against the exact C(r)
  std::size_t samples_tested = 0;            // samples behind the chi-square tests
  std::vector<double> energy_counts;         // samples per level of ExactChain::energy_distribution()
};

struct SamplerComparison {
  SamplerMeasurement sampler[3];                        // exact, metropolis, multispin
  lab::Autocorrelation tau_energy, tau_magnetization;   // of the seed's chain, in samples
  std::vector<double> replicate_tau_energy, replicate_tau_magnetization;  // tau_int per replicate chain
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

struct MetropolisBias {
  double energy = 0, m2 = 0;  // mean energy per spin and mean m^2 minus exact
};
MetropolisBias metropolis_bias(const nlohmann::json& result);

}  // namespace spinformer
