#pragma once
// SGD on a quadratic loss: the exact stationary state of the discrete-time iteration.
// Reference: ../shared/reference/sgd-temperature.md.
//
// One dimension. Per-sample loss l_i(theta) = h/2 (theta - x_i)^2 over N data points with mean mu and
// population variance sigma2 = (1/N) sum (x_i - mu)^2. A step with a minibatch of B points is
//     theta' - mu = (1 - eta h)(theta - mu) + eta h (xbar_B - mu),
// and the minibatch mean has variance sigma2 c / B with c = 1 for B independent uniform draws (with
// replacement) and c = (N - B)/(N - 1) for B distinct points (without replacement; the finite-population
// correction). Batches are drawn independently at every step (no epoch-wise reshuffling), so
//     Var_inf = eta h sigma2 c / (B (2 - eta h)),  stable for 0 < eta h < 2,
// the small-eta (SDE) limit is eta h sigma2 c / (2 B), and the expected excess loss is h/2 Var_inf.
// The per-sample gradient h (theta - x_i) has variance h^2 sigma2: the gradient noise and the
// curvature are not independent here.
//
// Many dimensions. Loss L(theta) = 1/2 theta^T A theta (minimum at 0) and per-sample gradients
// A theta + z_i whose N offsets z_i have mean zero and population covariance C. The iterate obeys
//     theta' = M theta - eta zbar_B,  M = I - eta A,  Cov(zbar_B) = c C / B,
// so the stationary covariance solves the discrete Lyapunov equation
//     Sigma = M Sigma M^T + eta^2 c C / B,
// whose small-eta limit is the continuous one  A Sigma + Sigma A^T = eta c C / B.
// The expected excess loss is tr(A Sigma) / 2 (A symmetric).
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

namespace spinformer::sgd {

enum class Sampling { with_replacement, without_replacement };
std::string to_string(Sampling sampling);

// c / B: the variance of a minibatch mean of B out of N values whose population variance is 1.
// Throws lab::UsageError("--batch") unless 1 <= B (and B <= N without replacement), ("--N") unless N >= 2.
double batch_noise_factor(long B, long N, Sampling sampling);

struct Quadratic1d {
  double eta = 0.1;     // learning rate
  double h = 1.0;       // curvature of the loss
  double sigma2 = 1.0;  // population variance of the data x_i
  long B = 1;           // minibatch size
  long N = 1000;        // number of data points
  Sampling sampling = Sampling::with_replacement;
};

// Throws lab::UsageError naming --eta, --h, --sigma2, --batch or --N: non-finite, eta <= 0, h <= 0,
// sigma2 < 0, eta h >= 2 (no stationary state), bad B or N.
void validate(const Quadratic1d& q);

double stationary_variance(const Quadratic1d& q);            // exact, discrete time
double stationary_variance_small_eta(const Quadratic1d& q);  // leading order in eta
double excess_loss(const Quadratic1d& q);                    // h/2 Var_inf, exact
// The temperature for which exp(-L/T) has the stationary variance: T = h Var_inf.
double temperature(const Quadratic1d& q);

// The same valley with per-sample gradient noise of variance g2 whatever the curvature (data variance
// sigma2 = g2 / h^2). g2 fixed is the isotropic, constant noise of equipartition: the excess loss
// eta g2 / (2 B (2 - eta h)) does not depend on h at small eta; g2 = h is the well-specified case
// (Fisher = Hessian), whose excess grows as h. Throws lab::UsageError("--gradient-variance") unless g2 > 0.
Quadratic1d with_gradient_variance(Quadratic1d q, double g2);

// E (theta_t - mu)^2 after each step of a schedule eta_0, eta_1, ... (warmup, decay), started at
// (theta_0 - mu)^2 = initial: the exact recursion V' = (1 - eta_t h)^2 V + eta_t^2 h^2 sigma2 c / B.
// Each eta_t must satisfy 0 < eta_t h < 2 (UsageError "--eta").
std::vector<double> variance_under_schedule(const Quadratic1d& q, const std::vector<double>& etas, double initial);

// A simulated stationary moment with its standard error; the error includes the integrated
// autocorrelation time of the recorded series (in steps).
struct SimulatedMoment {
  double value = 0;
  double error = 0;
  double tau_int = 1;
  long steps = 0;
};

// Runs SGD on a data set of N points (standard normals shifted and scaled to mean 0 and population
// variance sigma2 exactly), started at the minimum, discards a burn-in of ceil(40 / -log|1 - eta h|)
// steps (bounded by 10^6), then runs `steps` steps and records every recording_stride-th iterate
// (minibatch.hpp): value = mean of (theta - mu)^2.
// Throws lab::UsageError("--N") for N > 10^7 (the data set is held in memory).
SimulatedMoment simulate_stationary_variance(const Quadratic1d& q, long steps, std::uint64_t seed);

struct QuadraticNd {
  Eigen::MatrixXd hessian;           // A: symmetric, positive definite
  Eigen::MatrixXd noise_covariance;  // C: per-sample gradient covariance, symmetric positive semidefinite
  double eta = 0.1;
  long B = 1;
  long N = 1000;
  Sampling sampling = Sampling::with_replacement;
};

// Throws lab::UsageError: sizes disagree ("--hessian"/"--noise-covariance"), eta <= 0 ("--eta"),
// spectral radius of I - eta A >= 1 ("--eta": no stationary state), bad B or N.
void validate(const QuadraticNd& q);

// Solves Sigma = M Sigma M^T + Q and A Sigma + Sigma A^T = Q by vectorisation (dimension <= 40).
Eigen::MatrixXd solve_discrete_lyapunov(const Eigen::MatrixXd& M, const Eigen::MatrixXd& Q);
Eigen::MatrixXd solve_continuous_lyapunov(const Eigen::MatrixXd& A, const Eigen::MatrixXd& Q);

Eigen::MatrixXd stationary_covariance(const QuadraticNd& q);            // discrete time, exact
Eigen::MatrixXd stationary_covariance_small_eta(const QuadraticNd& q);  // leading order in eta
double excess_loss(const QuadraticNd& q, const Eigen::MatrixXd& covariance);  // tr(A Sigma) / 2

// Whether exp(-L/T) with one scalar T has covariance `covariance`, i.e. Sigma = T A^{-1}; returns T
// (fitted as tr(A Sigma)/d) and the relative Frobenius misfit |A Sigma / T - I| / sqrt(d).
struct GibbsFit {
  double temperature = 0;
  double misfit = 0;
};
GibbsFit gibbs_fit(const Eigen::MatrixXd& hessian, const Eigen::MatrixXd& covariance);

// Simulated stationary covariance: N offsets z_i (normals, centred and whitened to covariance C
// exactly; needs C positive definite and N > dimension), burn-in and recording stride as in one
// dimension for the slowest mode, then `steps` steps. value(a, b) = mean theta_a theta_b, error(a, b) its standard
// error from the autocorrelation of that product series.
struct SimulatedCovariance {
  Eigen::MatrixXd value, error;
  long steps = 0;
};
SimulatedCovariance simulate_stationary_covariance(const QuadraticNd& q, long steps, std::uint64_t seed);

}  // namespace spinformer::sgd
