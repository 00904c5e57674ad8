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

// I_nu(x) / I_{nu-1}(x) for nu > 0, x >= 0, without overflow (continued fraction / asymptotics).
double bessel_ratio(double nu, double x);

State readout(const State& theta, double beta, double R, Readout kind = Readout::large_d);  // phi
State readout_inverse(const State& m, double beta, double R);  // large-D phi^-1 (|m_i| < R)

struct MeanFieldOptions {
  double beta = 1;
  int steps = 30;                     // time steps (thesis: 30 for nMF, 100 for TAP)
  Readout readout = Readout::large_d;
  TapConvention convention = TapConvention::code;
  double tolerance = 1e-3;            // TAP inner fixed point: max-abs residual
  int max_inner = 100;                // TAP inner iterations (Anderson acceleration)
  int anderson_depth = 5;
  double damping = 1.0;               // mixing of the Anderson/Picard update (1 = none)
};

struct MeanFieldResult {
  State m;                            // m_NESS: nMF the last state, TAP the mean over the trajectory
  State final_state;
  double alignment = 0;               // A(m, x)
  int iterations = 0;                 // time steps taken
  double residual = 0;                // nMF: max |m - phi(x + J m)| of the final state; TAP: last inner residual
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

// The TAP map F(m1, m0) (N x D), exposed for tests: with J = 0 it is x.
State tap_field(const VectorSpinModel& model, const State& m1, const State& m0, double beta,
                TapConvention convention);

}  // namespace spinformer::glass
