#pragma once
// Newton's method for a small nonlinear system r(y) = 0 (y in R^n, n of order D): a forward-difference
// Jacobian, an LU solve, and a backtracking line search on ||r||, with the step cut back whenever it
// leaves the domain (`inside`). Chapter 3 solves TAP's inner equation with it, one spin's row at a
// time (the equation is separable by rows): damped fixed-point iteration of the same equation
// stalls at low temperature with residuals of order 1, Newton reaches rounding (issue 32).
#include <Eigen/Dense>
#include <functional>

namespace spinformer::glass {

struct NewtonOptions {
  double tolerance = 1e-12;  // success: max |r_k| below it
  int max_iterations = 50;
  double fd_step = 1e-7;     // relative forward-difference step of the Jacobian
};

struct NewtonResult {
  Eigen::VectorXd y;
  double residual = 0;       // max |r_k(y)| at the returned y (never smaller than what was reached)
  int iterations = 0;
  bool converged = false;
};

// Solves r(y) = 0 from y0 (which must satisfy `inside`; an empty `inside` accepts every y). The
// returned residual is r's max norm at the returned y, so a caller can check it, and `converged`
// says whether it is below the tolerance.
NewtonResult solve_newton(const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& residual, Eigen::VectorXd y0,
                          const NewtonOptions& options = {},
                          const std::function<bool(const Eigen::VectorXd&)>& inside = {});

}  // namespace spinformer::glass
