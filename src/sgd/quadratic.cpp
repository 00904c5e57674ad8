#include "sgd/quadratic.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <vector>

#include "lab/usage_error.hpp"
#include "sgd/minibatch.hpp"

namespace spinformer::sgd {
namespace {

constexpr long max_simulated_N = 10'000'000;

void require_simulation(long steps, long N) {
  if (steps < 10) throw lab::UsageError("--simulate", fmt::format("needs >= 10 steps, got {}", steps));
  if (N > max_simulated_N)
    throw lab::UsageError("--N", fmt::format("simulation holds the data set in memory: N <= {}, got {}",
                                             max_simulated_N, N));
}

}  // namespace

std::string to_string(Sampling sampling) {
  return sampling == Sampling::with_replacement ? "with replacement" : "without replacement";
}

double batch_noise_factor(long B, long N, Sampling sampling) {
  if (N < 2) throw lab::UsageError("--N", fmt::format("needs at least 2 data points, got {}", N));
  if (B < 1) throw lab::UsageError("--batch", fmt::format("must be >= 1, got {}", B));
  if (sampling == Sampling::with_replacement) return 1.0 / static_cast<double>(B);
  if (B > N) throw lab::UsageError("--batch", fmt::format("must be <= N = {} without replacement, got {}", N, B));
  return static_cast<double>(N - B) / (static_cast<double>(N - 1) * static_cast<double>(B));
}

void validate(const Quadratic1d& q) {
  lab::require_positive("--eta", q.eta);
  lab::require_positive("--h", q.h);
  lab::require_range("--sigma2", q.sigma2, 0.0, INFINITY);
  batch_noise_factor(q.B, q.N, q.sampling);
  if (!(q.eta * q.h < 2.0))
    throw lab::UsageError("--eta", fmt::format("eta h = {} >= 2: SGD diverges, no stationary state", q.eta * q.h));
}

double stationary_variance(const Quadratic1d& q) {
  validate(q);
  const double eh = q.eta * q.h;
  return eh * q.sigma2 * batch_noise_factor(q.B, q.N, q.sampling) / (2.0 - eh);
}

double stationary_variance_small_eta(const Quadratic1d& q) {
  validate(q);
  return q.eta * q.h * q.sigma2 * batch_noise_factor(q.B, q.N, q.sampling) / 2.0;
}

double excess_loss(const Quadratic1d& q) { return 0.5 * q.h * stationary_variance(q); }

double temperature(const Quadratic1d& q) { return q.h * stationary_variance(q); }

Quadratic1d with_gradient_variance(Quadratic1d q, double g2) {
  lab::require_positive("--h", q.h);
  lab::require_positive("--gradient-variance", g2);
  q.sigma2 = g2 / (q.h * q.h);
  return q;
}

std::vector<double> variance_under_schedule(const Quadratic1d& q, const std::vector<double>& etas, double initial) {
  std::vector<double> out;
  out.reserve(etas.size());
  double v = initial;
  for (double eta : etas) {
    Quadratic1d step = q;
    step.eta = eta;
    validate(step);
    const double eh = eta * q.h;
    v = (1 - eh) * (1 - eh) * v + eh * eh * q.sigma2 * batch_noise_factor(q.B, q.N, q.sampling);
    out.push_back(v);
  }
  return out;
}

SimulatedMoment simulate_stationary_variance(const Quadratic1d& q, long steps, std::uint64_t seed) {
  validate(q);
  require_simulation(steps, q.N);
  // The data: mean 0 and population variance sigma2 exactly, so that the formula applies without
  // a finite-sample correction.
  lab::Rng data_rng = lab::Rng::stream(seed, 0);
  std::vector<double> x(static_cast<std::size_t>(q.N));
  for (auto& v : x) v = standard_normal(data_rng);
  double mean = 0, ss = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(q.N);
  for (double v : x) ss += (v - mean) * (v - mean);
  const double scale = ss > 0 ? std::sqrt(q.sigma2 * static_cast<double>(q.N) / ss) : 0.0;
  for (auto& v : x) v = (v - mean) * scale;

  lab::Rng rng = lab::Rng::stream(seed, 1);
  MinibatchSampler batches(q.N, q.B, q.sampling);
  const double step = q.eta * q.h;
  double theta = 0;  // the stationary mean mu = 0
  const long burn = burn_in_steps(1.0 - step), stride = recording_stride(1.0 - step);
  std::vector<double> squared;
  squared.reserve(static_cast<std::size_t>(steps / stride + 1));
  for (long t = 0; t < burn + steps; ++t) {
    double xbar = 0;
    for (auto i : batches.draw(rng)) xbar += x[i];
    xbar /= static_cast<double>(q.B);
    theta -= step * (theta - xbar);
    if (t >= burn && (t - burn) % stride == 0) squared.push_back(theta * theta);
  }
  return mean_with_autocorrelation(squared);
}

void validate(const QuadraticNd& q) {
  const auto d = q.hessian.rows();
  if (d < 1 || q.hessian.cols() != d) throw lab::UsageError("--hessian", "must be a non-empty square matrix");
  if (d > 40) throw lab::UsageError("--hessian", fmt::format("dimension must be <= 40, got {}", d));
  if (!q.hessian.allFinite() || !q.hessian.isApprox(q.hessian.transpose()))
    throw lab::UsageError("--hessian", "must be finite and symmetric");
  if (q.noise_covariance.rows() != d || q.noise_covariance.cols() != d)
    throw lab::UsageError("--noise-covariance", "must have the size of the Hessian");
  if (!q.noise_covariance.allFinite() || !q.noise_covariance.isApprox(q.noise_covariance.transpose()))
    throw lab::UsageError("--noise-covariance", "must be finite and symmetric");
  lab::require_positive("--eta", q.eta);
  batch_noise_factor(q.B, q.N, q.sampling);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(q.hessian);
  if (!(eig.eigenvalues().minCoeff() > 0)) throw lab::UsageError("--hessian", "must be positive definite");
  if (!(q.eta * eig.eigenvalues().maxCoeff() < 2.0))
    throw lab::UsageError("--eta", "eta times the largest curvature must be < 2 (no stationary state)");
}

Eigen::MatrixXd solve_discrete_lyapunov(const Eigen::MatrixXd& M, const Eigen::MatrixXd& Q) {
  // vec(M S M^T) = (M kron M) vec(S) in column-major order.
  const auto d = M.rows();
  const auto d2 = d * d;
  Eigen::MatrixXd system = Eigen::MatrixXd::Identity(d2, d2);
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = 0; j < d; ++j) system.block(i * d, j * d, d, d) -= M(i, j) * M;
  const Eigen::VectorXd vec_q = Eigen::Map<const Eigen::VectorXd>(Q.data(), d2);
  const Eigen::VectorXd vec_s = system.partialPivLu().solve(vec_q);
  const Eigen::MatrixXd S = Eigen::Map<const Eigen::MatrixXd>(vec_s.data(), d, d);
  return 0.5 * (S + S.transpose());
}

Eigen::MatrixXd solve_continuous_lyapunov(const Eigen::MatrixXd& A, const Eigen::MatrixXd& Q) {
  // vec(A S + S A^T) = (I kron A + A kron I) vec(S).
  const auto d = A.rows();
  const auto d2 = d * d;
  Eigen::MatrixXd system = Eigen::MatrixXd::Zero(d2, d2);
  for (Eigen::Index i = 0; i < d; ++i) {
    system.block(i * d, i * d, d, d) += A;
    for (Eigen::Index j = 0; j < d; ++j) system.block(i * d, j * d, d, d).diagonal().array() += A(i, j);
  }
  const Eigen::VectorXd vec_q = Eigen::Map<const Eigen::VectorXd>(Q.data(), d2);
  const Eigen::VectorXd vec_s = system.partialPivLu().solve(vec_q);
  const Eigen::MatrixXd S = Eigen::Map<const Eigen::MatrixXd>(vec_s.data(), d, d);
  return 0.5 * (S + S.transpose());
}

Eigen::MatrixXd stationary_covariance(const QuadraticNd& q) {
  validate(q);
  const auto d = q.hessian.rows();
  const Eigen::MatrixXd M = Eigen::MatrixXd::Identity(d, d) - q.eta * q.hessian;
  return solve_discrete_lyapunov(M, q.eta * q.eta * batch_noise_factor(q.B, q.N, q.sampling) * q.noise_covariance);
}

Eigen::MatrixXd stationary_covariance_small_eta(const QuadraticNd& q) {
  validate(q);
  return solve_continuous_lyapunov(q.hessian, q.eta * batch_noise_factor(q.B, q.N, q.sampling) * q.noise_covariance);
}

double excess_loss(const QuadraticNd& q, const Eigen::MatrixXd& covariance) {
  return 0.5 * (q.hessian * covariance).trace();
}

GibbsFit gibbs_fit(const Eigen::MatrixXd& hessian, const Eigen::MatrixXd& covariance) {
  const auto d = static_cast<double>(hessian.rows());
  const Eigen::MatrixXd product = hessian * covariance;
  GibbsFit fit;
  fit.temperature = product.trace() / d;
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(hessian.rows(), hessian.rows());
  fit.misfit = (product / fit.temperature - identity).norm() / std::sqrt(d);
  return fit;
}

SimulatedCovariance simulate_stationary_covariance(const QuadraticNd& q, long steps, std::uint64_t seed) {
  validate(q);
  require_simulation(steps, q.N);
  const auto d = q.hessian.rows();
  if (q.N <= d) throw lab::UsageError("--N", fmt::format("must exceed the dimension {} to simulate", d));
  const Eigen::LLT<Eigen::MatrixXd> chol_c(q.noise_covariance);
  if (chol_c.info() != Eigen::Success)
    throw lab::UsageError("--noise-covariance", "must be positive definite to simulate");

  // Offsets with mean 0 and population covariance C exactly: centre, whiten, colour.
  lab::Rng data_rng = lab::Rng::stream(seed, 0);
  Eigen::MatrixXd z(q.N, d);
  for (Eigen::Index i = 0; i < z.rows(); ++i)
    for (Eigen::Index a = 0; a < d; ++a) z(i, a) = standard_normal(data_rng);
  z.rowwise() -= z.colwise().mean();
  const Eigen::MatrixXd sample_cov = z.transpose() * z / static_cast<double>(q.N);
  const Eigen::LLT<Eigen::MatrixXd> chol_s(sample_cov);
  const Eigen::MatrixXd L_s = chol_s.matrixL();
  const Eigen::MatrixXd L_c = chol_c.matrixL();
  // rows z_i -> L_c L_s^{-1} z_i
  z = (L_c * L_s.triangularView<Eigen::Lower>().solve(z.transpose())).transpose();

  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(q.hessian);
  const double slowest = std::max(std::abs(1.0 - q.eta * eig.eigenvalues().minCoeff()),
                                  std::abs(1.0 - q.eta * eig.eigenvalues().maxCoeff()));
  const long burn = burn_in_steps(slowest), stride = recording_stride(slowest);

  lab::Rng rng = lab::Rng::stream(seed, 1);
  MinibatchSampler batches(q.N, q.B, q.sampling);
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(d), zbar(d);
  std::vector<std::vector<double>> products(static_cast<std::size_t>(d * d));
  for (auto& p : products) p.reserve(static_cast<std::size_t>(steps / stride + 1));
  for (long t = 0; t < burn + steps; ++t) {
    zbar.setZero();
    for (auto i : batches.draw(rng)) zbar += z.row(i).transpose();
    zbar /= static_cast<double>(q.B);
    theta -= q.eta * (q.hessian * theta + zbar);
    if (t < burn || (t - burn) % stride != 0) continue;
    for (Eigen::Index a = 0; a < d; ++a)
      for (Eigen::Index b = a; b < d; ++b) products[static_cast<std::size_t>(a * d + b)].push_back(theta(a) * theta(b));
  }
  SimulatedCovariance out;
  out.steps = steps;
  out.value.resize(d, d);
  out.error.resize(d, d);
  for (Eigen::Index a = 0; a < d; ++a)
    for (Eigen::Index b = a; b < d; ++b) {
      const auto m = mean_with_autocorrelation(products[static_cast<std::size_t>(a * d + b)]);
      out.value(a, b) = out.value(b, a) = m.value;
      out.error(a, b) = out.error(b, a) = m.error;
    }
  return out;
}

}  // namespace spinformer::sgd
