#include "sgd/chain_model.hpp"

#include <cmath>
#include <fmt/format.h>
#include <vector>

#include "ising/samplers.hpp"
#include "lab/usage_error.hpp"
#include "sgd/minibatch.hpp"

namespace spinformer::sgd {
namespace {

double log_two_cosh(double K) { return std::abs(K) + std::log1p(std::exp(-2.0 * std::abs(K))); }
double sech_squared(double K) {
  const double c = std::cosh(K);
  return 1.0 / (c * c);
}

int bond_sum(const ising::Spin* s, int L, bool periodic) {
  int e = 0;
  for (int i = 0; i + 1 < L; ++i) e += s[i] * s[i + 1];
  if (periodic) e += s[L - 1] * s[0];
  return e;
}

}  // namespace

double CouplingModel::log_partition(double K) const {
  if (boundary == ising::Boundary::open) return std::log(2.0) + (L - 1) * log_two_cosh(K);
  return L * log_two_cosh(K) + std::log1p(std::pow(std::tanh(K), L));
}

double CouplingModel::mean_bond_sum(double K) const {
  const double t = std::tanh(K);
  if (boundary == ising::Boundary::open) return (L - 1) * t;
  return L * (t + std::pow(t, L - 1)) / (1.0 + std::pow(t, L));
}

double CouplingModel::bond_sum_variance(double K) const {
  const double t = std::tanh(K);
  if (boundary == ising::Boundary::open) return (L - 1) * sech_squared(K);
  const double tL = std::pow(t, L), tL1 = std::pow(t, L - 1), tL2 = std::pow(t, L - 2);
  const double denominator = 1.0 + tL;
  const double df_dt = ((1.0 + (L - 1) * tL2) * denominator - (t + tL1) * L * tL1) / (denominator * denominator);
  return L * df_dt * sech_squared(K);
}

double CouplingModel::kl(double K_true, double K) const {
  return log_partition(K) - log_partition(K_true) - (K - K_true) * mean_bond_sum(K_true);
}

void validate(const ChainSgd& c) {
  if (c.model.L < 2) throw lab::UsageError("--L", fmt::format("chain length must be >= 2, got {}", c.model.L));
  lab::require_finite("--K", c.K_true);
  lab::require_positive("--eta", c.eta);
  if (c.B < 1) throw lab::UsageError("--batch", fmt::format("must be >= 1, got {}", c.B));
  const double H = c.model.bond_sum_variance(c.K_true);
  if (!(c.eta * H < 2.0))
    throw lab::UsageError("--eta", fmt::format("eta H = {} >= 2: SGD on K diverges", c.eta * H));
}

ChainSgdPrediction predict(const ChainSgd& c) {
  validate(c);
  ChainSgdPrediction p;
  const double B = static_cast<double>(c.B);
  p.hessian = c.model.bond_sum_variance(c.K_true);
  p.variance = c.eta / (B * (2.0 - c.eta * p.hessian));
  p.variance_small_eta = c.eta / (2.0 * B);
  p.excess_kl = 0.5 * p.hessian * p.variance;
  p.excess_kl_small_eta = c.eta * p.hessian / (4.0 * B);
  p.excess_kl_per_spin = p.excess_kl / c.model.L;
  return p;
}

ChainSgdSimulation simulate(const ChainSgd& c, long steps, std::uint64_t seed) {
  const auto prediction = predict(c);
  if (steps < 10) throw lab::UsageError("--simulate", fmt::format("needs >= 10 steps, got {}", steps));
  ising::Chain chain;
  chain.L = c.model.L;
  chain.J = c.K_true;
  chain.h = 0.0;
  chain.T = 1.0;
  chain.boundary = c.model.boundary;
  const ising::ExactSampler sampler(chain);
  lab::Rng rng(seed);
  std::vector<ising::Spin> s(static_cast<std::size_t>(c.model.L));
  const bool periodic = c.model.boundary == ising::Boundary::periodic;

  const double contraction = std::abs(1.0 - c.eta * prediction.hessian);
  const long burn = contraction > 0 ? static_cast<long>(std::min(1e6, std::ceil(40.0 / -std::log(contraction)))) : 1;
  double K = c.K_true;
  std::vector<double> squared, kl;
  squared.reserve(static_cast<std::size_t>(steps));
  kl.reserve(static_cast<std::size_t>(steps));
  double sum_K = 0;
  for (long t = 0; t < burn + steps; ++t) {
    double batch_mean = 0;
    for (long b = 0; b < c.B; ++b) {
      sampler.draw(rng, s.data());
      batch_mean += bond_sum(s.data(), c.model.L, periodic);
    }
    batch_mean /= static_cast<double>(c.B);
    K -= c.eta * (c.model.mean_bond_sum(K) - batch_mean);
    if (t < burn) continue;
    squared.push_back((K - c.K_true) * (K - c.K_true));
    kl.push_back(c.model.kl(c.K_true, K));
    sum_K += K;
  }
  ChainSgdSimulation out;
  out.variance = mean_with_autocorrelation(squared);
  out.excess_kl = mean_with_autocorrelation(kl);
  out.mean_K = sum_K / static_cast<double>(steps);
  return out;
}

}  // namespace spinformer::sgd
