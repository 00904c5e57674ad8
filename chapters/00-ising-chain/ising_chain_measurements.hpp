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
  int workers = 2;                        // jobs at a time (--workers); the numbers do not depend on it
};

Config profile(const std::string& name);

// The seed's ring at temperature T: J = 1, h = 0, periodic.
ising::Chain ring(int L, double T);

// ---- job "samplers": exact i.i.d., the seed's Metropolis and the multi-spin heat bath at one T -----
// parameters: L, T, n, equilibration_sweeps, sweeps_between, replicates. Seeds: the exact sampler
// `seed`, the seed's Metropolis seed + 1, the heat bath seed + 2, the replicate Metropolis chains
// (for the autocorrelation claim's interval) seed + 100 + r.
nlohmann::json samplers_job(const nlohmann::json& parameters, std::uint64_t seed);

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
// parameters: L, T, chains, max_sweeps, seed_sweeps, alpha. Both chi-square tests and the biases of
// energy per spin and m^2 at 1, 2, 4, ... sweeps and at seed_sweeps.
nlohmann::json equilibration_job(const nlohmann::json& parameters, std::uint64_t seed);

struct EquilibrationReplicate {
  std::vector<long> sweeps;
  std::vector<double> p_energy, p_magnetization, energy_bias, m2_bias;
  long needed = -1;  // smallest S from which every later test on the grid passes; -1: none
};
EquilibrationReplicate equilibration_replicate(const nlohmann::json& result);

// ---- job "metropolis_bias": the seed's claim about its own algorithm, measured on it ---------------
// parameters: L, T, chains, sweeps. `chains` independent scalar Metropolis chains (chain c: seed
// seed * 1,000,003 + c, random start) after `sweeps` sweeps: {"energy_bias", "m2_bias"}, the mean
// energy per spin and mean m^2 minus exact.
nlohmann::json metropolis_bias_job(const nlohmann::json& parameters, std::uint64_t seed);

struct MetropolisBias {
  double energy = 0, m2 = 0;  // mean energy per spin and mean m^2 minus exact
};
MetropolisBias metropolis_bias(const nlohmann::json& result);

}  // namespace spinformer
