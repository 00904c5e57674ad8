#pragma once
// Bal's analytic magnetisations for the vector-spin model: naive mean field (nMF) and TAP time
// evolution (reference sheet, "Analytic fixed points"). All per-site maps act row by row.
//
//   gamma(v)   = sqrt(1 + beta^2 ||v||^2 / R^2)
//   phi(theta) = beta / (1 + gamma(theta)) theta            (large-D readout)
//   phi^-1(m)  = 2 R^2 / (beta (R^2 - ||m||^2)) m
//   exact readout: m = I_{D/2}(beta R |theta|) / I_{D/2-1}(beta R |theta|) R theta / |theta|
#include <vector>

#include "glass/vector_spin.hpp"

namespace spinformer::glass {

enum class Readout { large_d, bessel };
// Index convention of the TAP second-order term: `code` evaluates g0 at site i in the sums over j
// (the public code, which drew the thesis's figures); `derived` uses g0_j inside the sums.
enum class TapConvention { code, derived };

// How TAP's inner equation m1 = phi(F(m1, m0)) is solved: the thesis's Anderson-accelerated
// iteration (damped with `damping`), or Newton's method row by row (the equation is separable by
// rows; glass/newton.hpp), which falls back to continuation in the Onsager term's strength
// (0.25, 0.5, 0.75, 1, each from the previous solution, the first from nMF's step) when the direct solve fails.
enum class InnerSolver { anderson, newton };

// I_nu(x) / I_{nu-1}(x) for nu > 0, x >= 0, without overflow (continued fraction / asymptotics).
double bessel_ratio(double nu, double x);
// Its inverse: the x >= 0 with bessel_ratio(nu, x) = r, for 0 <= r < 1 (safeguarded Newton).
double bessel_ratio_inverse(double nu, double r);

State readout(const State& theta, double beta, double R, Readout kind = Readout::large_d);  // phi
// phi^-1 (|m_i| < R): of the large-D readout (the thesis's, inside its Onsager term) or of the exact
// Bessel one. TAP with the Bessel readout and the large-D inverse is the thesis's hybrid: it is off at
// J = 0; with the matching inverse ("consistent readout") TAP is exact at J = 0.
State readout_inverse(const State& m, double beta, double R, Readout kind = Readout::large_d);
Eigen::RowVectorXd readout_row(const Eigen::RowVectorXd& theta, double beta, double R, Readout kind);

struct MeanFieldOptions {
  double beta = 1;
  int steps = 30;                     // time steps (thesis: 30 for nMF, 100 for TAP)
  Readout readout = Readout::large_d;
  TapConvention convention = TapConvention::code;
  double tolerance = 1e-3;            // TAP inner fixed point: max-abs residual
  int max_inner = 100;                // TAP inner iterations (Anderson acceleration)
  int anderson_depth = 5;
  double damping = 1.0;               // mixing of the Anderson/Picard update (1 = none)
  InnerSolver solver = InnerSolver::anderson;
  Readout inverse = Readout::large_d; // the phi^-1 inside the Onsager term (large_d: the thesis's)
  double onsager_scale = 1.0;         // the Onsager term times this (1: TAP; 0: nMF; 0.5: a deliberately wrong TAP)
};

struct MeanFieldResult {
  State m;                            // m_NESS: nMF the last state, TAP the mean over the trajectory
  State final_state;
  double alignment = 0;               // A(m, x)
  int iterations = 0;                 // time steps taken
  double residual = 0;                // nMF: max |m - phi(x + J m)| of the final state; TAP: last inner residual
  double max_residual = 0;            // TAP: the largest inner residual left at any time step
  int inner_failures = 0;             // TAP: time steps whose inner fixed point missed the tolerance
  int inner_iterations = 0;           // TAP: total inner iterations
  std::vector<double> alignment_trajectory;  // A(m_t, x) for t = 1..steps
};

// nMF: m_{t+1} = phi(x + J m_t) from m_0, `steps` steps; UsageError("--beta"/"--steps").
MeanFieldResult run_nmf(const VectorSpinModel& model, const MeanFieldOptions& options);
// nMF fixed point m = phi(x + J m) by Anderson-accelerated iteration to `tolerance` (at most max_inner * steps).
MeanFieldResult solve_nmf_fixed_point(const VectorSpinModel& model, const MeanFieldOptions& options);
// TAP: m_{t+1} solves m1 = phi(F(m1, m_t)); `steps` steps from m_0; m = mean over m_1..m_steps.
MeanFieldResult run_tap(const VectorSpinModel& model, const MeanFieldOptions& options);

// The TAP map F(m1, m0) (N x D), exposed for tests: with J = 0 it is x where m1 = phi(x) (phi^-1 of
// kind `inverse` inside the Onsager term, which is multiplied by `onsager_scale`).
State tap_field(const VectorSpinModel& model, const State& m1, const State& m0, double beta,
                TapConvention convention, Readout inverse = Readout::large_d, double onsager_scale = 1.0);
// max |m1 - phi(F(m1, m0))|: how far m1 is from solving TAP's inner equation.
double tap_inner_residual(const VectorSpinModel& model, const State& m1, const State& m0, const MeanFieldOptions& options);

}  // namespace spinformer::glass
