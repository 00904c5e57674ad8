#pragma once
// The one-parameter chain model: p_K(s) = exp(K E(s)) / Z(K) with E(s) = sum over bonds s_i s_{i+1}
// (h = 0; K plays beta J), fitted by SGD to configurations of the chain at K_true.
//
// Negative log-likelihood of one configuration: l(K; s) = -K E(s) + log Z(K). Its gradient
// <E>_K - E(s) has, under the data, variance Var_{K_true}(E), and its Hessian is Var_K(E) for every s:
// at K = K_true the gradient-noise variance equals the curvature (Fisher = Hessian, H = Var(E)).
// SGD on fresh minibatches of B exact samples, K' = K - eta (<E>_K - Ebar_B), linearised about K_true,
// is the one-dimensional quadratic of quadratic.hpp with h = H and data variance 1/H, so
//     Var(K) = eta / (B (2 - eta H))  (-> eta / (2 B) for small eta: independent of H, L and K_true),
//     excess KL per configuration = H Var(K) / 2 = eta H / (2 B (2 - eta H))  (-> eta H / (4 B)),
// per spin divided by L. Higher orders in (K - K_true) (the curvature of <E>_K) correct both by a
// relative O(eta / B). The KL of p_K from the data, KL(p_true || p_K) = log Z(K) - log Z(K_true)
// - (K - K_true) <E>_true, is exact at every K; the excess loss of the model is this KL (the best
// achievable loss is the entropy).
#include <cstdint>
#include <functional>
#include <vector>

#include "ising/chain.hpp"
#include "sgd/quadratic.hpp"

namespace spinformer::sgd {

struct CouplingModel {
  int L = 16;
  ising::Boundary boundary = ising::Boundary::periodic;

  int bonds() const { return boundary == ising::Boundary::periodic ? L : L - 1; }
  // Closed forms (t = tanh K): ring Z = (2 cosh K)^L + (2 sinh K)^L, open Z = 2 (2 cosh K)^(L-1).
  double log_partition(double K) const;
  double mean_bond_sum(double K) const;      // <E>_K = d log Z / dK
  double bond_sum_variance(double K) const;  // Var_K(E) = d<E>/dK: the Hessian and the Fisher information
  double kl(double K_true, double K) const;  // KL(p_K_true || p_K) per configuration
};

struct ChainSgd {
  CouplingModel model;
  double K_true = 0.5;
  double eta = 0.01;
  long B = 1;
};

void validate(const ChainSgd& c);  // UsageError naming --L, --K, --eta (eta H >= 2), --batch

// sum over bonds of s_i s_{i+1} for one configuration.
int bond_sum(const ising::Spin* s, int L, ising::Boundary boundary);
// The data chain: J = K_true, h = 0, T = 1.
ising::Chain data_chain(const ChainSgd& c);

struct ChainSgdPrediction {
  double hessian = 0;                  // H = Var_{K_true}(E), per configuration
  double variance = 0;                 // eta / (B (2 - eta H))
  double variance_small_eta = 0;       // eta / (2 B)
  double excess_kl = 0;                // H variance / 2, per configuration
  double excess_kl_small_eta = 0;      // eta H / (4 B)
  double excess_kl_per_spin = 0;       // excess_kl / L
};
ChainSgdPrediction predict(const ChainSgd& c);

// The stationary law of the full (not linearised) SGD chain K' = K - eta (<E>_K - Ebar_B), from the
// exact law of Ebar_B (the B-fold convolution of the chain's energy distribution) and a transfer
// operator on `points` nodes within +-7 linearised standard deviations of K_true (mass split linearly
// between the two nodes around each target). The split adds ~dx^2/6 of variance per step, a relative
// bias of about 17 / (points^2 eta H); the moments are Richardson-extrapolated from `points` and
// points/2 nodes, which removes that leading dx^2 term (the probabilities are those of the fine grid).
struct ChainSgdStationary {
  std::vector<double> K, probability;
  double mean_K = 0;
  double variance = 0;   // E (K - K_true)^2
  double excess_kl = 0;  // E KL(p_true || p_K), per configuration
};
ChainSgdStationary stationary_distribution(const ChainSgd& c, int points = 1200);

struct ChainSgdSimulation {
  SimulatedMoment variance;    // mean (K - K_true)^2
  SimulatedMoment excess_kl;   // mean exact KL(p_true || p_K), per configuration
  double mean_K = 0;
};
// The SGD iteration K' = K - eta (<bond sum>_K - batch_mean()) from `start`: burn-in
// ceil(40 / -log|1 - eta hessian|) steps, then `steps` steps, every recording_stride-th recorded
// (minibatch.hpp): the mean of (K - centre)^2, of the exact KL(p_true || p_K), and of K. batch_mean()
// draws one minibatch and returns the mean of its bond sums (the only part that differs between fresh
// configurations and a fixed training set).
ChainSgdSimulation simulate_sgd(const ChainSgd& c, double start, double centre, double hessian, long steps,
                                const std::function<double()>& batch_mean);

// SGD started at K_true, burn-in ceil(40 / -log|1 - eta H|) steps, then `steps` steps (every
// recording_stride-th recorded, minibatch.hpp), each on
// B fresh configurations from ising::ExactSampler at (J = K_true, T = 1).
ChainSgdSimulation simulate(const ChainSgd& c, long steps, std::uint64_t seed);

}  // namespace spinformer::sgd
