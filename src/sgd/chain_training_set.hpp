#pragma once
// The one-parameter chain model trained on a finite training set, as the transformer is: N exact
// configurations drawn once, minibatches of B of them (with or without replacement) at every step.
//
// The training loss is minimised at the fit K_hat, <E>_K_hat = mean of the N bond sums, with curvature
// H_hat = Var_K_hat(E); the gradient noise of one example is the spread s2 of the N bond sums about
// their mean. Linearised about K_hat (quadratic.hpp with h = H_hat and data variance s2 / H_hat^2):
//     Var(K - K_hat) = eta c s2 / (H_hat (2 - eta H_hat)),   c = 1/B or (N - B)/((N - 1) B),
// the training loss sits H_hat Var / 2 above its minimum, and the KL from the truth (the test excess)
//     E KL(p_true || p_K) = KL(p_true || p_K_hat) + (<E>_K_hat - <E>_true) E(K - K_hat) + H_hat Var / 2,
// where E(K - K_hat) = -H'(K_hat) Var / (2 H_hat) is the drift the curvature of <E>_K gives the mean
// (the first correction beyond the quadratic valley; it matters once the fit is off the truth).
// Averaged over training sets KL(p_true || p_K_hat) ~ 1 / (2 N): the estimation term of one parameter.
#include <cstdint>
#include <vector>

#include "sgd/chain_model.hpp"

namespace spinformer::sgd {

struct ChainTrainingSet {
  ChainSgd sgd;
  long N = 1000;
  Sampling sampling = Sampling::with_replacement;
};

// Throws lab::UsageError naming --N (N < 2 or > 10^7), --batch, and what validate(ChainSgd) names.
void validate(const ChainTrainingSet& t);

// The bond sums of N configurations from ising::ExactSampler (stream (seed, 0)).
std::vector<double> draw_training_set(const ChainTrainingSet& t, std::uint64_t seed);

struct ChainTrainingSetPrediction {
  double fitted_K = 0;         // K_hat
  double hessian = 0;          // H_hat
  double data_variance = 0;    // s2: population variance of the N bond sums
  double variance = 0;         // Var(K - K_hat)
  double mean_shift = 0;       // E(K - K_hat)
  double train_excess = 0;     // H_hat Var / 2, per configuration
  double estimation_kl = 0;    // KL(p_true || p_K_hat)
  double excess_kl = 0;        // E KL(p_true || p_K), per configuration
};
// Throws lab::UsageError("--N") when the fit does not exist (all N bond sums at +-bonds) and ("--eta")
// when eta H_hat >= 2.
ChainTrainingSetPrediction predict(const ChainTrainingSet& t, const std::vector<double>& bond_sums);

// SGD on the training set started at K_hat (minibatches from stream (seed, 1)); `variance` is about
// K_hat, `excess_kl` from the truth.
ChainSgdSimulation simulate(const ChainTrainingSet& t, const std::vector<double>& bond_sums, long steps,
                            std::uint64_t seed);

}  // namespace spinformer::sgd
