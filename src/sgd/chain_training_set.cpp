#include "sgd/chain_training_set.hpp"

#include <cmath>
#include <fmt/format.h>

#include "ising/samplers.hpp"
#include "lab/usage_error.hpp"
#include "sgd/minibatch.hpp"

namespace spinformer::sgd {

void validate(const ChainTrainingSet& t) {
  validate(t.sgd);
  if (t.N < 2 || t.N > 10'000'000)
    throw lab::UsageError("--N", fmt::format("training set size must be in 2..1e7, got {}", t.N));
  batch_noise_factor(t.sgd.B, t.N, t.sampling);
}

std::vector<double> draw_training_set(const ChainTrainingSet& t, std::uint64_t seed) {
  validate(t);
  const ising::ExactSampler sampler(data_chain(t.sgd));
  lab::Rng rng = lab::Rng::stream(seed, 0);
  std::vector<ising::Spin> s(static_cast<std::size_t>(t.sgd.model.L));
  std::vector<double> sums(static_cast<std::size_t>(t.N));
  for (auto& e : sums) {
    sampler.draw(rng, s.data());
    e = bond_sum(s.data(), t.sgd.model.L, t.sgd.model.boundary);
  }
  return sums;
}

ChainTrainingSetPrediction predict(const ChainTrainingSet& t, const std::vector<double>& bond_sums) {
  validate(t);
  const auto& model = t.sgd.model;
  const double n = static_cast<double>(bond_sums.size());
  double mean = 0, ss = 0;
  for (double e : bond_sums) mean += e;  // integers: the sum is exact
  mean /= n;
  for (double e : bond_sums) ss += (e - mean) * (e - mean) / n;
  if (!(std::abs(mean) < model.bonds() * (1 - 1e-12)))
    throw lab::UsageError("--N", "every configuration of the training set is fully aligned: no finite fit");
  // <E>_K increases with K: bracket, then Newton steps safeguarded by bisection.
  double lo = -1.0, hi = 1.0;
  while (model.mean_bond_sum(lo) > mean) lo *= 2;
  while (model.mean_bond_sum(hi) < mean) hi *= 2;
  double K = 0.5 * (lo + hi);
  for (int it = 0; it < 200; ++it) {
    const double f = model.mean_bond_sum(K) - mean;
    if (std::abs(f) < 1e-13 * model.bonds()) break;
    (f > 0 ? hi : lo) = K;
    const double newton = K - f / model.bond_sum_variance(K);
    K = (newton > lo && newton < hi) ? newton : 0.5 * (lo + hi);
  }
  ChainTrainingSetPrediction p;
  p.fitted_K = K;
  p.hessian = model.bond_sum_variance(K);
  p.data_variance = ss;
  const double eta_h = t.sgd.eta * p.hessian;
  if (!(eta_h < 2.0)) throw lab::UsageError("--eta", fmt::format("eta H = {} >= 2 at the fit: SGD diverges", eta_h));
  p.variance = t.sgd.eta * batch_noise_factor(t.sgd.B, t.N, t.sampling) * ss / (p.hessian * (2.0 - eta_h));
  const double d = 1e-4;
  const double dH = (model.bond_sum_variance(K + d) - model.bond_sum_variance(K - d)) / (2 * d);
  p.mean_shift = -dH * p.variance / (2.0 * p.hessian);
  p.train_excess = 0.5 * p.hessian * p.variance;
  p.estimation_kl = model.kl(t.sgd.K_true, K);
  p.excess_kl = p.estimation_kl + (model.mean_bond_sum(K) - model.mean_bond_sum(t.sgd.K_true)) * p.mean_shift +
                p.train_excess;
  return p;
}

ChainSgdSimulation simulate(const ChainTrainingSet& t, const std::vector<double>& bond_sums, long steps,
                            std::uint64_t seed) {
  const auto p = predict(t, bond_sums);
  if (steps < 10) throw lab::UsageError("--simulate", fmt::format("needs >= 10 steps, got {}", steps));
  lab::Rng rng = lab::Rng::stream(seed, 1);
  MinibatchSampler batches(t.N, t.sgd.B, t.sampling);
  return simulate_sgd(t.sgd, p.fitted_K, p.fitted_K, p.hessian, steps, [&] {
    double batch_mean = 0;
    for (auto i : batches.draw(rng)) batch_mean += bond_sums[i];
    return batch_mean / static_cast<double>(t.sgd.B);
  });
}

}  // namespace spinformer::sgd
