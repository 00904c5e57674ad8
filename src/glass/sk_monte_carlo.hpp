#pragma once
// Monte Carlo of the binary SK model at finite N: H(s) = -sum_{i<j} J_ij s_i s_j - h sum_i s_i,
// J_ij = J_ji ~ N(0, 1/N), s_i = +-1. Single-spin Metropolis sweeps (O(N) per accepted flip through
// cached local fields) at every temperature of a ladder, with parallel-tempering swaps between
// neighbouring temperatures so that low T equilibrates. R replicas = R independent ladders on the same
// couplings and field, from different random starts; overlaps are taken between replicas at the same T.
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "glass/replicas.hpp"
#include "lab/rng.hpp"

namespace spinformer::glass::sk {

struct Instance {
  int N = 0;
  double h = 0;
  Eigen::MatrixXd J;  // symmetric, zero diagonal, variance 1/N off the diagonal

  // J from RNG stream 0 of seed (the same seed gives the same couplings for every h).
  // UsageError("--N") unless 2 <= N <= 4096; UsageError("--h") for a non-finite h.
  static Instance random(int N, double h, std::uint64_t seed);
  double energy(const std::vector<signed char>& s) const;  // from scratch, O(N^2)
};

class ParallelTempering {
 public:
  // temperatures: increasing or not, all > 0 (UsageError("--T")). The ladder starts from random states.
  ParallelTempering(const Instance& instance, std::vector<double> temperatures, std::uint64_t seed);

  void sweep();      // one Metropolis sweep at every temperature, then one round of neighbour swaps
  void sweeps(long n);

  int size() const { return static_cast<int>(betas_.size()); }
  const std::vector<signed char>& configuration(int k) const { return walkers_[at_[k]].s; }  // at temperature k
  double energy(int k) const { return walkers_[at_[k]].E; }
  double temperature(int k) const { return 1.0 / betas_[k]; }
  double swap_acceptance(int k) const;  // between temperatures k and k + 1
  double energy_from_scratch(int k) const;

 private:
  struct Walker {
    std::vector<signed char> s;
    std::vector<double> field;  // sum_j J_ij s_j + h
    double E = 0;
  };
  void metropolis_sweep(Walker& w, double beta);
  const Instance* inst_;
  std::vector<double> betas_;
  std::vector<Walker> walkers_;
  std::vector<int> at_;  // at_[k]: walker at temperature k
  std::vector<long> swap_tries_, swap_accepts_;
  lab::Rng rng_;
};

struct ReplicaRunOptions {
  int replicas = 5;
  long burn_in_sweeps = 2000;
  long sweeps = 10000;        // measured sweeps after burn-in
  long thin = 10;             // sweeps between recorded overlaps
  std::uint64_t seed = 1;
};

struct ReplicaRun {
  std::vector<double> temperatures;
  std::vector<OverlapSeries> overlaps;  // [k] -> series over recorded times of R x R matrices at temperature k
  std::vector<double> swap_acceptance;  // mean over replicas, between k and k + 1
  std::vector<double> energy_per_spin;  // mean over replicas and recorded times, at temperature k
  // The coupling part of the energy, -sum_{i<j} J_ij s_i s_j / N (mean over replicas and recorded
  // times). For Gaussian couplings of variance 1/N, integration by parts gives, after the disorder
  // average, e_J = -(beta / 2) (1 - [<q^2>]) exactly at every N and h: an equilibrium identity
  // between a one-replica energy and a two-replica overlap, which a run that has not equilibrated
  // misses (e_J too high, q^2 too low).
  std::vector<double> coupling_energy_per_spin;
};

// R independent ladders on `instance` (seeds from options.seed), advanced in lockstep.
ReplicaRun run_replicas(const Instance& instance, const std::vector<double>& temperatures,
                        const ReplicaRunOptions& options);

}  // namespace spinformer::glass::sk
