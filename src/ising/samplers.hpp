#pragma once
// Three ways to draw configurations from the Boltzmann distribution of the chain.
//  * ExactSampler: i.i.d. samples from the exact autoregressive conditionals (no equilibration,
//    no autocorrelation): the yardstick.
//  * ScalarMetropolis: the seed's algorithm, one chain, random site, min(1, exp(-beta dE)).
//  * MultispinMetropolis: the production sampler, 64 independent chains packed in the bits of one
//    64-bit word per site (multi-spin coding); sequential sweeps i = 0..L-1 with the heat-bath
//    (Barker) acceptance 1 / (1 + exp(beta dE)), flip bits drawn bit-sliced per chain. The visiting
//    order is deterministic, so the chains share nothing random and are independent (see samplers.cpp
//    for why not random sites, and why not the Metropolis rule in that order).
#include <cstdint>
#include <vector>

#include "ising/chain.hpp"
#include "ising/exact.hpp"
#include "lab/rng.hpp"

namespace spinformer::ising {

class ExactSampler {
 public:
  explicit ExactSampler(const Chain& chain);
  void draw(lab::Rng& rng, Spin* out) const;             // one configuration into out[0..L-1]
  SpinSamples draw(std::size_t n, std::uint64_t seed) const;

 private:
  ExactChain exact_;
  std::vector<double> up_;  // cached p(s_i = +1 | prev, first), index (2 i + [prev > 0]) * 2 + [first > 0]
};

struct MetropolisSchedule {
  long equilibration_sweeps = 500;  // sweeps before the first sample (one sweep = L attempted flips)
  long sweeps_between = 10;         // sweeps between consecutive samples of one chain
};

// The seed's Metropolis: a single chain from a random start; each attempt picks a uniformly random
// site and flips it with probability min(1, exp(-beta dE)), dE = 2 J s_i (s_{i-1} + s_{i+1}) + 2 h s_i
// (the missing bond is left out at the ends of an open chain).
class ScalarMetropolis {
 public:
  ScalarMetropolis(const Chain& chain, std::uint64_t seed);
  void sweep();                         // L attempts
  const std::vector<Spin>& spins() const { return spins_; }
  std::uint64_t attempts() const { return attempts_; }
  std::uint64_t accepted() const { return accepted_; }

 private:
  Chain chain_;
  lab::Rng rng_;
  std::vector<Spin> spins_;
  double accept_[5][2];  // exp(-beta dE) indexed by (sum of neighbours + 2, (s_i + 1) / 2)
  std::uint64_t attempts_ = 0, accepted_ = 0;
};

// n samples from one ScalarMetropolis chain: equilibrate, then one sample every sweeps_between sweeps.
SpinSamples scalar_metropolis_samples(const Chain& chain, std::size_t n, const MetropolisSchedule& schedule,
                                      std::uint64_t seed);

// 64 * words independent chains, bit k of word[i * words + w] is spin i of chain 64 w + k (1 = up).
// The name is kept for its callers: the algorithm is Metropolis-Hastings with Barker's acceptance
// (the heat bath), which has the same Boltzmann distribution as the seed's min(1, exp(-beta dE)).
class MultispinMetropolis {
 public:
  MultispinMetropolis(const Chain& chain, int words, std::uint64_t seed);  // random (infinite-T) start
  void sweep();                       // one heat-bath update of every site, i = 0..L-1, in every chain
  int chains() const { return 64 * words_; }
  void copy_chain(int c, Spin* out) const;  // spins of chain c into out[0..L-1]
  std::uint64_t attempts() const { return attempts_; }

 private:
  Chain chain_;
  int words_;
  lab::Rng rng_;
  std::vector<std::uint64_t> bits_;
  std::uint64_t attempts_ = 0;
  // One entry per (spin, aligned neighbours) class that can flip, for bulk sites and for the one-bond
  // ends of an open chain; classes with equal thresholds for both spins are merged.
  struct FlipClass {
    int spin;  // 0: up lanes, 1: down lanes, 2: both
    int aligned;  // number of neighbours parallel to the spin
    std::uint64_t threshold;  // flip iff a 64-bit uniform < threshold: 1 / (1 + exp(beta dE)) in 2^-64
  };
  struct FlipClasses {
    std::vector<FlipClass> list;
    std::uint8_t plane[64];  // bit k of plane[b]: bit b of list[k].threshold is 1
  };
  FlipClasses bulk_classes_, end_classes_;
  void update_site(int i, int left, int right, const FlipClasses& classes);  // -1: no neighbour
};

// n samples from ceil(n / samples_per_chain) independent chains (rounded up to a multiple of 64):
// each chain is equilibrated for schedule.equilibration_sweeps from a random start, then gives
// samples_per_chain samples schedule.sweeps_between sweeps apart.
SpinSamples multispin_metropolis_samples(const Chain& chain, std::size_t n, const MetropolisSchedule& schedule,
                                         std::size_t samples_per_chain, std::uint64_t seed);

}  // namespace spinformer::ising
