#pragma once
// Chapter 3: the configuration, the two kinds of job (nMF/TAP at one beta; one Metropolis chain) with
// their results as JSON, and the pooled-chain estimators (defined in mcmc_vs_tap_measurements.cpp).
// The program that runs the chapter is mcmc_vs_tap.cpp.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "glass/mean_field.hpp"
#include "glass/metropolis.hpp"
#include "lab/statistics.hpp"

namespace spinformer {

struct Config {
  int N = 64, D = 32;                    // the thesis's defaults
  double h = 1.0;
  std::uint64_t model_seed = 1, chain_seed = 20261125;
  int fine_per_decade = 6;               // nMF / TAP grid over 1e-3 .. 1e3
  int mcmc_per_decade = 2;               // MCMC grid
  std::int64_t proposals = 2'000'000;    // per chain (thesis: 1e7 per beta, one chain)
  std::int64_t thin = 640;               // 10 sweeps between stored states
  int thesis_m0_chains = 4, thesis_field_chains = 2, adapt_m0_chains = 2, adapt_field_chains = 2;
  std::vector<double> long_betas{0.01, 0.1, 1.0, 31.6227766016838};
  std::int64_t long_proposals = 10'000'000;  // the thesis's run length
  std::int64_t long_thin = 10'000;           // the thesis's storage interval
  int workers = 2;                           // chains (and beta points) run at a time
};

Config profile(const std::string& name);

// 6 decades, 1e-3 .. 1e3, per_decade points each (both ends included).
std::vector<double> log_grid(int per_decade);
std::string bkey(double beta);

// The model every job uses, as job parameters (the model is rebuilt from them, not shipped).
nlohmann::json model_json(const Config& cfg);

// ---- job "mean_field": nMF (two readouts), TAP (two index conventions), TAP with symmetric J at one beta
enum MeanFieldVariant { NMF, NMF_BESSEL, TAP, TAP_DERIVED, TAP_SYM, NVAR };
using MeanFieldPoint = std::array<glass::MeanFieldResult, NVAR>;
nlohmann::json mean_field_job(const glass::VectorSpinModel& model, const glass::VectorSpinModel& symmetric, double beta);
// The parts the chapter reads back: alignment, inner failures, the alignment trajectory.
MeanFieldPoint mean_field_from_json(const nlohmann::json& j);

// ---- job "chain": one Metropolis chain ---------------------------------------------------------------
struct ChainJob {
  std::size_t b = 0;  // index on the coarse grid (short chains)
  double beta = 1;
  std::int64_t proposals = 0, thin = 1;
  bool adapt = false, field_start = false;
  int index = 0;
};
nlohmann::json chain_parameters(const Config& cfg, const ChainJob& job);
nlohmann::json chain_job(const glass::VectorSpinModel& model, const nlohmann::json& parameters, std::uint64_t seed);
// mean, energy, alignment, running alignment, acceptance and sigma (not the final state).
glass::MetropolisRun chain_from_json(const nlohmann::json& j);

// ---- pooled chains -------------------------------------------------------------------------------------
// Alignment of the pooled mean of several chains, with a leave-one-chain-out jackknife error, and a
// noise-corrected version: |m_i|^2 estimated by sum over chain pairs a != b of m_i^a . m_i^b (unbiased
// when chains are independent), so that noise in a short chain's mean does not shrink A towards 0.
struct PooledAlignment {
  lab::Estimate plain, corrected;
};
PooledAlignment pooled_alignment(const std::vector<const glass::State*>& means, const glass::State& x);

// R-hat of A(s_t, x) over the first n stored states of each run.
double rhat_prefix(const std::vector<const glass::MetropolisRun*>& runs, std::size_t n);

// Std of A(m_t, x) over the last half of a trajectory.
double trajectory_std(const std::vector<double>& a);

}  // namespace spinformer
