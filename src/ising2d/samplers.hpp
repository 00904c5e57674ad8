#pragma once
// Samplers of the L x L torus at h = 0 that stay useful at T_c:
//  * ScalarMetropolis: one chain of int8 spins, checkerboard sweeps, min(1, exp(-beta dE)): the
//    reference implementation of the rule the multi-spin sampler codes in bits.
//  * CheckerboardMetropolis: the production local sampler, 64 independent chains per 64-bit word
//    (multi-spin coding across replicas): bit k of word[site * words + w] is the spin at `site` of
//    chain 64 w + k (1 = up). A sweep updates all even sites ((x + y) even), then all odd ones; the
//    acceptance bits of the two flip classes with dE > 0 are drawn bit-sliced, exactly
//    min(1, exp(-beta dE)) to 2^-64 per lane, independently for every lane.
//  * Wolff: single-cluster updates (Wolff 1989) with p_add = 1 - exp(-2 beta J), whose dynamic
//    exponent at T_c is small. A Wolff "sweep" is a FIXED number of clusters, ceil(L^2 / <|C|>),
//    with <|C|> from an independent pilot chain: stopping when the count of flipped spins crosses
//    a target would be a size-biased stopping time and over-weights ordered states (on 4 x 4 at
//    T = 2.6, P(all aligned) came out 0.40 instead of 0.29).
// Unlike the 1D chain (see ../ising/samplers.cpp), checkerboard sweeps are ergodic here: a spin
// with 3 or 4 aligned neighbours flips with probability in (0, 1), so no excitation is carried
// deterministically; the tests check the full energy histogram of L = 4 against enumeration.
#include <cstdint>
#include <vector>

#include "ising2d/lattice.hpp"
#include "lab/progress.hpp"
#include "lab/rng.hpp"

namespace spinformer::ising2d {

struct MetropolisSchedule {
  long equilibration_sweeps = 1000;  // sweeps before the first sample (Wolff: L^2 flipped spins each)
  long sweeps_between = 10;          // sweeps between consecutive samples of one chain
};

class ScalarMetropolis {
 public:
  ScalarMetropolis(const Lattice& lattice, std::uint64_t seed);  // random (infinite-T) start; L even
  void sweep();  // L^2 attempts: even sublattice, then odd
  const std::vector<Spin>& spins() const { return spins_; }
  std::uint64_t attempts() const { return attempts_; }
  std::uint64_t accepted() const { return accepted_; }

 private:
  Lattice lattice_;
  lab::Rng rng_;
  std::vector<Spin> spins_;
  double accept_[5];  // exp(-beta dE) by s_i * (sum of neighbours) / 2 + 2, dE = 2 J s_i sum
  std::uint64_t attempts_ = 0, accepted_ = 0;
};

class CheckerboardMetropolis {
 public:
  CheckerboardMetropolis(const Lattice& lattice, int words, std::uint64_t seed);  // random start; L even
  void sweep();  // L^2 attempts in every chain
  int chains() const { return 64 * words_; }
  void copy_chain(int c, Spin* out) const;  // raster-order spins of chain c
  std::vector<long> unsatisfied_bonds() const;  // per chain (H = -J (2 L^2 - 2 u))
  std::vector<long> magnetizations() const;     // per chain, sum_i s_i
  std::uint64_t attempts() const { return attempts_; }

 private:
  Lattice lattice_;
  int words_;
  lab::Rng rng_;
  std::vector<std::uint64_t> bits_;
  std::uint64_t threshold_one_ = 0;   // exp(-4 beta J) * 2^64: one antiparallel neighbour, dE = 4 J
  std::uint64_t threshold_none_ = 0;  // exp(-8 beta J) * 2^64: none, dE = 8 J
  std::uint64_t attempts_ = 0;
  void half_sweep(int parity);
};

class Wolff {
 public:
  Wolff(const Lattice& lattice, std::uint64_t seed);  // random start; any L >= 2
  int step();  // grow and flip one cluster; returns its size
  // Burn-in from the random start: clusters until sweeps * L^2 spins have flipped (from a random start
  // the first clusters are tiny: at L = 128, T_c, a thousand clusters flip ~2 L^2 spins, so a fixed
  // cluster count would leave the chain far from equilibrium). The state it stops in is size-biased:
  // follow it by fixed-count steps before taking any sample.
  void burn_in(double sweeps);
  const std::vector<Spin>& spins() const { return spins_; }
  std::uint64_t flipped() const { return flipped_; }  // spins flipped so far
  std::uint64_t clusters() const { return clusters_; }

 private:
  Lattice lattice_;
  lab::Rng rng_;
  std::vector<Spin> spins_;
  std::vector<int> stack_;
  std::uint64_t add_threshold_ = 0;  // (1 - exp(-2 beta J)) * 2^64
  std::uint64_t flipped_ = 0, clusters_ = 0;
};

// Sweeps a sample set takes (the total for a lab::Progress that the functions below advance per sweep).
long sample_sweeps(std::size_t n, const MetropolisSchedule& schedule, std::size_t samples_per_chain);

// n samples from ceil(n / samples_per_chain) CheckerboardMetropolis chains (rounded up to a multiple
// of 64), equilibrated from random starts; row j * chains + c is the j-th sample of chain c.
LatticeSamples checkerboard_metropolis_samples(const Lattice& lattice, std::size_t n, const MetropolisSchedule& schedule,
                                               std::size_t samples_per_chain, std::uint64_t seed,
                                               lab::Progress* progress = nullptr);

// Clusters per Wolff sweep, ceil(L^2 / <|C|>), from a pilot chain seeded independently of the chains
// it is used for: burn-in of 20 sweeps, then <|C|> over `pilot_clusters` clusters.
long wolff_clusters_per_sweep(const Lattice& lattice, std::uint64_t seed, long pilot_clusters = 2000);

// n samples from one Wolff chain: burn_in(equilibration_sweeps), then equilibration_sweeps more
// sweeps of fixed cluster count, then one sample every sweeps_between sweeps (a sweep being
// wolff_clusters_per_sweep clusters).
// (samples_per_chain = 1 in sample_sweeps.)
LatticeSamples wolff_samples(const Lattice& lattice, std::size_t n, const MetropolisSchedule& schedule,
                             std::uint64_t seed, lab::Progress* progress = nullptr);

}  // namespace spinformer::ising2d
