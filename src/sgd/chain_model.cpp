#include "sgd/chain_model.hpp"

#include <cmath>
#include <fmt/format.h>
#include <vector>

#include <Eigen/Dense>
#include <algorithm>

#include "ising/exact.hpp"
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

}  // namespace

int bond_sum(const ising::Spin* s, int L, ising::Boundary boundary) {
  int e = 0;
  for (int i = 0; i + 1 < L; ++i) e += s[i] * s[i + 1];
  if (boundary == ising::Boundary::periodic) e += s[L - 1] * s[0];
  return e;
}

ising::Chain data_chain(const ChainSgd& c) {
  ising::Chain chain;
  chain.L = c.model.L;
  chain.J = c.K_true;
  chain.h = 0.0;
  chain.T = 1.0;
  chain.boundary = c.model.boundary;
  return chain;
}

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

namespace {

// P(W = w), W the total number of domain walls in B independent configurations: Ebar_B = bonds - 2 W / B.
std::vector<double> total_wall_distribution(const ChainSgd& c) {
  const auto levels = ising::ExactChain(data_chain(c)).energy_distribution();
  std::vector<double> one(static_cast<std::size_t>(c.model.bonds() + 1), 0.0);
  for (const auto& level : levels) one[static_cast<std::size_t>(level.domain_walls)] += level.probability;
  std::vector<double> total = {1.0};
  for (long b = 0; b < c.B; ++b) {
    std::vector<double> next(total.size() + one.size() - 1, 0.0);
    for (std::size_t i = 0; i < total.size(); ++i)
      for (std::size_t j = 0; j < one.size(); ++j) next[i + j] += total[i] * one[j];
    total.swap(next);
  }
  return total;
}

ChainSgdStationary stationary_law_on_grid(const ChainSgd& c, const std::vector<double>& walls, double linear_variance,
                                          int points) {
  const double half_width = 7.0 * std::sqrt(linear_variance);
  const double lo = c.K_true - half_width, dx = 2.0 * half_width / (points - 1);
  ChainSgdStationary out;
  out.K.resize(static_cast<std::size_t>(points));
  for (int i = 0; i < points; ++i) out.K[static_cast<std::size_t>(i)] = lo + i * dx;

  // system = T - I, then the first row replaced by the normalisation.
  Eigen::MatrixXd system = -Eigen::MatrixXd::Identity(points, points);
  const double bonds = c.model.bonds(), B = static_cast<double>(c.B);
  for (int j = 0; j < points; ++j) {
    const double K = out.K[static_cast<std::size_t>(j)];
    const double shifted = K - c.eta * (c.model.mean_bond_sum(K) - bonds);  // the target for W = 0
    for (std::size_t w = 0; w < walls.size(); ++w) {
      if (walls[w] < 1e-300) continue;
      const double x = std::clamp((shifted - 2.0 * c.eta * static_cast<double>(w) / B - lo) / dx, 0.0,
                                  static_cast<double>(points - 1));
      const int i = std::min(static_cast<int>(x), points - 2);
      const double frac = x - i;
      system(i, j) += walls[w] * (1.0 - frac);
      system(i + 1, j) += walls[w] * frac;
    }
  }
  system.row(0).setOnes();
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(points);
  rhs(0) = 1.0;
  const Eigen::VectorXd p = system.partialPivLu().solve(rhs);
  out.probability.assign(p.data(), p.data() + points);
  for (std::size_t i = 0; i < out.K.size(); ++i) {
    const double q = std::max(out.probability[i], 0.0);  // round-off in the empty tails
    out.probability[i] = q;
    const double d = out.K[i] - c.K_true;
    out.mean_K += q * out.K[i];
    out.variance += q * d * d;
    out.excess_kl += q * c.model.kl(c.K_true, out.K[i]);
  }
  return out;
}

}  // namespace

ChainSgdStationary stationary_distribution(const ChainSgd& c, int points) {
  const auto prediction = predict(c);
  if (points < 50 || points > 4000)
    throw lab::UsageError("--grid", fmt::format("must be in 50..4000 points, got {}", points));
  if (c.B > 4096) throw lab::UsageError("--batch", "the exact law of the batch mean is built for B <= 4096");
  const auto walls = total_wall_distribution(c);
  auto fine = stationary_law_on_grid(c, walls, prediction.variance, points);
  const int coarse_points = (points + 1) / 2;
  const auto coarse = stationary_law_on_grid(c, walls, prediction.variance, coarse_points);
  // Richardson: the splitting bias grows as dx^2.
  const double ratio = std::pow(static_cast<double>(points - 1) / (coarse_points - 1), 2);
  const auto extrapolate = [&](double f, double g) { return f + (f - g) / (ratio - 1.0); };
  fine.variance = extrapolate(fine.variance, coarse.variance);
  fine.excess_kl = extrapolate(fine.excess_kl, coarse.excess_kl);
  fine.mean_K = extrapolate(fine.mean_K, coarse.mean_K);
  return fine;
}

ChainSgdSimulation simulate_sgd(const ChainSgd& c, double start, double centre, double hessian, long steps,
                                const std::function<double()>& batch_mean) {
  const double contraction = 1.0 - c.eta * hessian;
  const long burn = burn_in_steps(contraction), stride = recording_stride(contraction);
  double K = start;
  std::vector<double> squared, kl;
  squared.reserve(static_cast<std::size_t>(steps / stride + 1));
  kl.reserve(static_cast<std::size_t>(steps / stride + 1));
  double sum_K = 0;
  for (long t = 0; t < burn + steps; ++t) {
    K -= c.eta * (c.model.mean_bond_sum(K) - batch_mean());
    if (t < burn || (t - burn) % stride != 0) continue;
    squared.push_back((K - centre) * (K - centre));
    kl.push_back(c.model.kl(c.K_true, K));
    sum_K += K;
  }
  ChainSgdSimulation out;
  out.variance = mean_with_autocorrelation(squared);
  out.excess_kl = mean_with_autocorrelation(kl);
  out.mean_K = sum_K / static_cast<double>(squared.size());
  return out;
}

ChainSgdSimulation simulate(const ChainSgd& c, long steps, std::uint64_t seed) {
  const auto prediction = predict(c);
  if (steps < 10) throw lab::UsageError("--simulate", fmt::format("needs >= 10 steps, got {}", steps));
  const ising::ExactSampler sampler(data_chain(c));
  lab::Rng rng(seed);
  std::vector<ising::Spin> s(static_cast<std::size_t>(c.model.L));
  return simulate_sgd(c, c.K_true, c.K_true, prediction.hessian, steps, [&] {
    double batch_mean = 0;
    for (long b = 0; b < c.B; ++b) {
      sampler.draw(rng, s.data());
      batch_mean += bond_sum(s.data(), c.model.L, c.model.boundary);
    }
    return batch_mean / static_cast<double>(c.B);
  });
}

}  // namespace spinformer::sgd
