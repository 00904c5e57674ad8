#pragma once
// Replicas and overlaps, model-agnostic: R replicas with the same couplings and field, started from
// different states; at every recorded time t the R x R matrix of instantaneous overlaps q_ab(t).
//
// The scalar order parameter for replica symmetry breaking is the spread of the off-diagonal
// overlaps over replica pairs and recorded times, measured in units of the spread that two
// independent random states would give (null_variance: 1/N for +-1 spins, 1/(N D) for the cosine
// overlap of D-dimensional vectors):
//
//     chi = Var_{a<b, t}(q_ab(t)) / null_variance.
//
// For binary spins chi is the spin-glass susceptibility N Var(q): finite (O(1)) in a replica-symmetric
// phase, where P(q) is one narrow peak, and proportional to N below the de Almeida-Thouless line, where
// P(q) is broad (or replicas sit in different states). Its uncertainty is a delete-one-block jackknife
// over contiguous blocks of recorded times. The decision rule (fixed before any run) is
// chi > sqrt(N): asymptotically right on both sides, since RS gives chi = O(1) (O(N^(1/3)) on the line)
// and RSB gives chi ~ N.
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "lab/statistics.hpp"

namespace spinformer::glass {

using OverlapSeries = std::vector<Eigen::MatrixXd>;  // [t] -> R x R, symmetric

struct OverlapStatistics {
  int replicas = 0;
  int snapshots = 0;
  Eigen::MatrixXd mean;        // time-averaged overlap matrix
  Eigen::MatrixXd last;        // the last recorded matrix (the thesis's picture: the replicas' final states)
  lab::Estimate q;             // mean off-diagonal overlap
  lab::Estimate abs_q;         // mean off-diagonal |overlap|
  lab::Estimate spread;        // standard deviation of off-diagonal overlaps (pairs and times)
  lab::Estimate chi;           // spread^2 / null_variance
  double null_variance = 0;
};

// UsageError("--replicas") unless R >= 2; throws std::invalid_argument on an empty or ragged series.
OverlapStatistics overlap_statistics(const OverlapSeries& series, double null_variance, int blocks = 10);

enum class Phase { paramagnetic, field_aligned, rsb };
std::string to_string(Phase phase);

// The fixed decision rule: rsb if chi > sqrt(N); otherwise paramagnetic if the mean off-diagonal
// overlap is below q_threshold (default 0.2), field-aligned (replica-symmetric, ordered) above it.
Phase classify(const OverlapStatistics& stats, int N, double q_threshold = 0.2);
double rsb_threshold(int N);  // sqrt(N)

// The spin-glass susceptibility of one disorder sample at one temperature, from the replica moments
// over pairs a < b and recorded times: q2 = mean of q_ab^2 (binary) or of ||Q_ab||_F^2 (the tensor
// overlap of vector spins), and mean_norm2 = the squared norm of the mean overlap (q-bar^2, or
// ||Q-bar||_F^2). chi_SG = N (q2 - mean_norm2) in a field, where the overlap has a non-zero mean; at
// h = 0 the mean vanishes by symmetry (spin flip, global rotation), so chi_SG = N q2 and a run that
// never flips or rotates as a whole is not mistaken for a paramagnet. RS: chi_SG = O(1); at the
// transition chi_SG ~ N^(1/3) (mean field); below it chi_SG ~ N. So chi_SG / N^(1/3) curves of
// different N cross at the transition.
struct ReplicaMoments {
  double q2 = 0, mean_norm2 = 0;
};
ReplicaMoments binary_moments(const OverlapSeries& series);  // from R x R matrices of q_ab
double spin_glass_susceptibility(int N, const ReplicaMoments& m, bool field);

// Cosine overlap of two N x D states (thesis eq. 3.6 between replicas): (1/N) sum_i cos(a_i, b_i).
// Binary overlap (1/N) sum_i a_i b_i of two +-1 configurations.
double binary_overlap(const std::vector<signed char>& a, const std::vector<signed char>& b);

}  // namespace spinformer::glass
