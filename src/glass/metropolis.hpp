#pragma once
// Single-site Metropolis-Hastings for the vector-spin model, as the thesis does it: pick a site k
// uniformly, propose s_k' = s_k + sigma * N(0, I_D), accept with min(1, exp(-beta dH)).
// dH costs O(N D): a change delta of s_k moves every target u_i by J_ik delta, and the chain keeps
// u, ||u_i||^2 and s_i.u_i up to date (recomputed from scratch every `refresh_interval` accepted moves
// against rounding drift). The thesis's O(N^2 D) full recomputation is available for benchmarks/tests.
#include <cstdint>
#include <vector>

#include "glass/vector_spin.hpp"
#include "lab/rng.hpp"
#include "lab/statistics.hpp"

namespace spinformer::glass {

// The thesis's proposal width sigma = 1 / (N sqrt(D)).
double thesis_proposal_width(int N, int D);

class MetropolisChain {
 public:
  enum class EnergyUpdate { incremental, full_recompute };

  // model must outlive the chain. UsageError("--beta") / ("--sigma") unless both are finite and > 0.
  MetropolisChain(const VectorSpinModel& model, double beta, double sigma, const State& start, std::uint64_t seed,
                  EnergyUpdate update = EnergyUpdate::incremental);

  bool step();                        // one proposal; true if accepted
  void run(std::int64_t proposals);   // `proposals` steps

  // Energy change of s_k -> s_k + delta: O(N D) (incremental) or O(N^2 D) (full_recompute).
  double delta_energy(int k, const Eigen::VectorXd& delta) const;

  const State& state() const { return s_; }
  double energy() const;              // H of the current state from the cached targets: O(N)
  double beta() const { return beta_; }
  double sigma() const { return sigma_; }
  void set_sigma(double sigma);
  std::int64_t proposals() const { return proposals_; }
  std::int64_t accepted() const { return accepted_; }
  double acceptance_rate() const { return proposals_ ? double(accepted_) / double(proposals_) : 0.0; }
  void reset_counters() { proposals_ = accepted_ = 0; }
  void refresh();                     // recompute the cached targets from scratch

 private:
  void accept(int k, const Eigen::VectorXd& delta);
  const VectorSpinModel* model_;
  double beta_, sigma_;
  EnergyUpdate update_;
  lab::Rng rng_;
  State s_, u_;                       // state and targets u = x + J s
  Eigen::VectorXd unorm2_, inv_unorm_, su_;  // ||u_i||^2, 1/||u_i||, s_i . u_i
  Eigen::VectorXd snorm2_;            // ||s_i||^2
  mutable Eigen::VectorXd scratch_ud_, scratch_sd_;  // u_i.delta, s_i.delta of the last proposal
  mutable Eigen::VectorXd new_unorm2_, new_inv_unorm_;  // the same after the last proposal
  Eigen::VectorXd delta_;
  std::int64_t proposals_ = 0, accepted_ = 0, since_refresh_ = 0;
  static constexpr std::int64_t refresh_interval = 100000;
};

// One chain run the thesis's way: `proposals` proposals, a state stored every `thin` proposals, the
// first burn_in_fraction of the stored states discarded; m_NESS = mean of the kept stored states.
// With adapt_sigma, the burn-in also tunes sigma (Robbins-Monro on log sigma towards
// target_acceptance); sigma is frozen afterwards, so the kept part is exact MH with a fixed kernel.
struct MetropolisOptions {
  double beta = 1;
  double sigma = 0;                   // 0: the thesis's 1 / (N sqrt D)
  std::int64_t proposals = 10'000'000;
  std::int64_t thin = 10'000;
  double burn_in_fraction = 0.25;
  bool adapt_sigma = false;
  double target_acceptance = 0.3;
  std::uint64_t seed = 1;
};

struct MetropolisRun {
  State mean;                         // m_NESS: mean of the kept stored states (N x D)
  State final_state;
  std::vector<double> energy;         // H at each kept stored state
  std::vector<double> alignment;      // A(s_t, x) at each kept stored state
  std::vector<double> running_alignment;  // A(mean of kept states so far, x), per kept stored state
  double acceptance = 0;              // over the kept part
  double sigma = 0;                   // the (final) proposal width
  std::int64_t proposals = 0;
  double seconds = 0;
};

// UsageError("--steps" / "--thin" / "--beta" / "--sigma") on bad options.
MetropolisRun run_metropolis(const VectorSpinModel& model, const MetropolisOptions& options, const State& start);

// Gelman-Rubin potential scale reduction R-hat of m >= 2 chains of equal length n >= 2 (the classic
// form sqrt(((n-1)/n W + B/n) / W)); ~1 for mixed chains, >> 1 when chains disagree. NaN if W = 0.
double gelman_rubin(const std::vector<std::vector<double>>& chains);

struct ChainDiagnostics {
  double acceptance = 0;
  lab::Autocorrelation energy;        // tau_int in stored states, ESS
  lab::Autocorrelation alignment;
};
ChainDiagnostics diagnose(const MetropolisRun& run);

}  // namespace spinformer::glass
