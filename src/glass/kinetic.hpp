#pragma once
// The vector kinetic model whose mean-field theories are the thesis's nMF and TAP (reference sheet
// kinetic-ising.md, "Vector kinetic model"): spins on the radius-R sphere in R^D, updated in parallel,
//
//   p(s_i,t+1 | s_t) ~ exp(beta s_i,t+1 . theta_i,t),   theta_i,t = x_i + sum_j J_ij s_j,t,
//
// i.e. s_i,t+1 / R is von Mises-Fisher on the unit sphere with mean direction theta/|theta| and
// concentration kappa = beta R |theta|. Its conditional mean is exactly R A_D(kappa) theta/|theta|,
// A_D = I_{D/2} / I_{D/2-1} (bessel_ratio), the thesis's "Bessel" readout.
//
// The model needs no MCMC: trajectories are drawn forward exactly (Wood 1994 for the vMF step) from
// the deterministic s_0 = m_0 (rows (1..1)/sqrt D, as the thesis's mean-field runs start), and averaged.
#include <cstdint>
#include <vector>

#include "glass/vector_spin.hpp"
#include "lab/rng.hpp"

namespace spinformer::glass {

// Gamma(shape, 1) variate for shape >= 1 (Marsaglia and Tsang 2000).
double gamma_variate(double shape, lab::Rng& rng);

// Wood (1994): the cosine w = mu . s of a vMF(mu, kappa) sample on the unit sphere of R^D, by
// rejection from a Beta((D-1)/2, (D-1)/2) proposal. D >= 2, kappa >= 0. Its density is
// proportional to exp(kappa w) (1 - w^2)^((D-3)/2) on [-1, 1].
double sample_vmf_cosine(int D, double kappa, lab::Rng& rng);

// A vMF(mu, kappa) sample on the unit sphere (mu: unit row vector of length D; kappa = 0: uniform).
Eigen::RowVectorXd sample_vmf(const Eigen::RowVectorXd& mu, double kappa, lab::Rng& rng);

struct KineticOptions {
  double beta = 1;
  int steps = 30;
  long runs = 1000;
  std::uint64_t seed = 1;  // run r draws from lab::Rng::stream(seed, r)
  int threads = 1;
  bool progress = false;
  // true: average the exact conditional means E[s_t | s_t-1] (unbiased, less noise); false: average
  // the sampled spins s_t themselves (the plain estimator, which exercises the sampler at every step).
  bool conditional_mean = true;
  // With conditional_mean: subtract from each run's E[s_t | s_t-1] its linear response to the last
  // step's sampling noise, f'(theta~) J (s_t-1 - E[s_t-1 | s_t-2]), theta~ = x + J E[s_t-1 | s_t-2].
  // That term has mean zero given s_t-2 (a martingale difference), so the estimator stays unbiased,
  // but its spread drops from O(J) to O(J^2): what a weak-coupling test needs to resolve errors of
  // O(J^3) (chapter 3's epsilon test).
  bool control_variate = false;
};

// Mean over runs of s_t, t = 0..steps, by default estimated without bias and with less noise by
// averaging the exact conditional mean E[s_t | s_t-1] = R A_D(kappa) theta/|theta| of each run
// (Rao-Blackwell); m_err is the standard error of that mean over runs. Same (seed, runs) => same bytes, any threads.
struct KineticResult {
  std::vector<State> m, m_err;
  State trajectory_mean;  // mean of m_1..m_T (the thesis's TAP reads its trajectory mean)
  double alignment = 0;   // A(m_T, x)
  long runs = 0;
};

// UsageError("--beta" / "--steps" / "--runs" / "--threads").
KineticResult simulate_kinetic(const VectorSpinModel& model, const KineticOptions& options);

// The consistent second-order mean-field theory of this model (not the thesis's TAP): with the spins
// of step t-1 independent, of means m_j and vMF covariances
//   Cov_j = R^2 [a_j mu_j mu_j^T + b_j (I - mu_j mu_j^T)],  b = A/kappa,  a = 1 - A^2 - (D-1) A/kappa
// (kappa_j, mu_j from the mean field that produced m_j), the field theta_i has mean
// x_i + sum_j J_ij m_j and covariance M_i = sum_j J_ij^2 Cov_j, and
//   m_i,t = E f(theta_i),   f(theta) = R A_D(beta R |theta|) theta/|theta|,
// is evaluated with the 2D symmetric sigma points of M_i (exact for the second-order term). Exact at
// J = 0 and at t = 1; its error in m is O(J^3) (the skewness of the spins), against nMF's O(J^2).
// Returns m_t for t = 0..steps.
std::vector<State> run_second_order(const VectorSpinModel& model, double beta, int steps);

// nMF and TAP (both readouts) at step T against the simulation: mean squared error per component,
// (1/(N D)) sum_ia (m_ia - m_sim,ia)^2, of the state at step T (TAP: its final state, not the
// trajectory mean) and of the trajectory means over t = 1..T. `noise` = (1/(N D)) sum m_err^2 is the
// part of an MSE that the simulation's sampling error alone contributes (subtract it for an
// unbiased estimate).
// TAP's inner equation is solved by Newton's method to 1e-11 (InnerSolver::newton); tap_bessel is the
// thesis's hybrid (Bessel readout, large-D phi^-1 in the Onsager term), tap_consistent uses the Bessel
// readout's own inverse, so that it is exact at J = 0.
struct KineticErrors {
  double nmf_bessel = 0, nmf_large_d = 0, tap_bessel = 0, tap_large_d = 0, tap_consistent = 0;
  double second_order = 0;  // run_second_order (Bessel readout)
  double noise = 0;
};
struct KineticComparison {
  KineticErrors final_state, trajectory_mean;
  double alignment_simulation = 0;                 // A(m_T, x)
  double alignment_nmf_bessel = 0, alignment_tap_bessel = 0, alignment_nmf_large_d = 0, alignment_tap_large_d = 0;
  double tap_residual = 0;  // the largest inner residual any of the TAP runs left at any step
  State tap_large_d_state, nmf_large_d_state, tap_consistent_state, nmf_bessel_state;  // m_T of each
};
// Which TAP variants to run beyond the large-D one (each costs a full TAP run; the Bessel readout's
// inverse is the most expensive): errors of the ones skipped are NaN.
struct TapVariants {
  bool bessel = true;       // the thesis's hybrid
  bool consistent = false;  // the consistent readout
};
KineticComparison compare_mean_field(const VectorSpinModel& model, const KineticResult& simulation, double beta,
                                     int steps, const TapVariants& variants = {});

}  // namespace spinformer::glass
