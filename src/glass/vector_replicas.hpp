#pragma once
// Replicas of the vector-spin model (thesis section 4.2): R Metropolis-Hastings chains with the same
// couplings J and field x, started from different random states; the R x R matrix of cosine overlaps
// (thesis eq. 3.6 between replicas) recorded every `thin` proposals after burn-in.
#include <cstdint>
#include <vector>

#include "glass/metropolis.hpp"
#include "glass/replicas.hpp"
#include "glass/vector_spin.hpp"

namespace spinformer::glass {

// A random start: every row uniform on the sphere of radius R (stream k of seed).
State random_state(const VectorSpinModel& model, std::uint64_t seed, std::uint64_t k);

struct VectorReplicaOptions {
  int replicas = 5;
  double beta = 1;
  double sigma = 0;                  // 0: the thesis's 1 / (N sqrt D)
  std::int64_t proposals = 1'000'000;  // per replica
  std::int64_t thin = 10'000;
  double burn_in_fraction = 0.5;     // of the proposals, before the first recorded overlap
  // Adapt sigma during burn-in (Robbins-Monro on log sigma towards target_acceptance, every 1000
  // proposals, per replica); frozen afterwards, so the recorded part is exact MH with a fixed kernel.
  bool adapt_sigma = false;
  double target_acceptance = 0.3;
  bool tensor = false;               // also record the tensor overlaps (below)
  std::uint64_t seed = 1;
};

struct VectorReplicaRun {
  OverlapSeries overlaps;            // cosine overlaps between replicas, per recorded time
  std::vector<State> final_states;
  std::vector<double> alignment;     // A(final state, x) per replica (NaN when h = 0)
  double acceptance = 0;             // mean over replicas, recorded part
  double sigma = 0;                  // mean proposal width over replicas, recorded part
  // With options.tensor: ||Q_ab||_F^2 per recorded time (R x R, diagonal 1), and the mean over
  // recorded times and ordered pairs a != b of Q_ab (D x D, symmetric).
  OverlapSeries tensor_q2;
  Eigen::MatrixXd mean_tensor;
  std::vector<std::vector<double>> energy;  // [replica][recorded time]: H / N
};

// The tensor overlap of vector spins, Q_ab^{mu nu} = (1/N) sum_i u_ia^mu u_ib^nu with u = s / |s|
// (D x D). Unlike the site-wise cosine, ||Q_ab||_F^2 is unchanged by a global rotation of either
// replica (Q -> O^T Q), so replicas frozen in rotated copies of one state still count as ordered; for
// independent isotropic states its mean is 1/N.
Eigen::MatrixXd tensor_overlap(const State& a, const State& b);

// Null variance of the cosine overlap of two independent isotropic states: 1 / (N D).
double cosine_null_variance(int N, int D);

// UsageError("--replicas" / "--steps" / "--thin" / "--beta") on bad options.
VectorReplicaRun run_vector_replicas(const VectorSpinModel& model, const VectorReplicaOptions& options);

}  // namespace spinformer::glass
