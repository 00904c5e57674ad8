#pragma once
// Parallel tempering for the vector-spin model: R independent ladders (the replicas) on the same
// couplings and field, each a Metropolis-Hastings chain (glass/metropolis.hpp) at every temperature of
// a ladder, with swaps of neighbouring temperatures' states after every sweep (N proposals per chain).
// Low temperatures equilibrate through the high ones, as for binary SK (glass/sk_monte_carlo.hpp).
// Every chain starts from its own random state (dispersed starts), so the R-hat of pair overlaps
// across disjoint replica pairs measures whether the ladders have forgotten where they started.
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "glass/replicas.hpp"
#include "glass/vector_spin.hpp"

namespace spinformer::glass {

struct VectorTemperingOptions {
  std::vector<double> temperatures;  // the ladder; all > 0
  int replicas = 4;                  // independent ladders
  long burn_in_sweeps = 500;         // sweeps before the first record; the proposal widths adapt here
  long sweeps = 1500;                // recorded sweeps after burn-in
  long thin = 10;                    // sweeps between records
  double target_acceptance = 0.3;    // of the single-site proposals (Robbins-Monro on log sigma in burn-in)
  bool adapt_sigma = true;           // false: the thesis's width 1 / (N sqrt D) at every temperature
  std::uint64_t seed = 1;
};

struct VectorTemperingRun {
  std::vector<double> temperatures;
  std::vector<long> record_sweep;              // [t]: sweeps since the start (burn-in included) at record t
  std::vector<OverlapSeries> tensor_q2;        // [k][t]: R x R, ||Q_ab||_F^2 (diagonal 1)
  std::vector<std::vector<Eigen::MatrixXd>> mean_tensor;  // [k][t]: mean over ordered pairs a != b of Q_ab (D x D)
  std::vector<std::vector<double>> alignment;  // [k][replica]: A(final state, x) (NaN when h = 0)
  std::vector<double> swap_acceptance;         // [k]: between k and k + 1, over ladders and the whole run
  std::vector<double> acceptance, sigma;       // [k]: single-site acceptance (recorded part) and width
  std::vector<double> energy_per_spin;         // [k]: H / N, mean over ladders and records
};

// UsageError("--replicas" / "--sweeps" / "--thin" / "--T") on bad options.
VectorTemperingRun run_vector_tempering(const VectorSpinModel& model, const VectorTemperingOptions& options);

// Replica moments of records [begin, end) at one temperature: q2 = mean over pairs a < b and records
// of ||Q_ab||_F^2; mean_norm2 = ||mean over those records of the pair-mean tensor||_F^2.
ReplicaMoments tensor_moments(const VectorTemperingRun& run, int k, std::size_t begin, std::size_t end);

// Gelman-Rubin R-hat of the pair overlaps ||Q_ab||_F^2 across the disjoint pairs (0, 1), (2, 3), ...
// (independent ladders from independent starts), over records [begin, end): an observable that sees
// which valley each ladder is in, unlike the energy. Needs >= 4 replicas (two pairs); NaN otherwise.
double pair_overlap_rhat(const OverlapSeries& q2, std::size_t begin, std::size_t end);

}  // namespace spinformer::glass
