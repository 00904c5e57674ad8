#include "glass/newton.hpp"

#include <cmath>

namespace spinformer::glass {

NewtonResult solve_newton(const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& residual, Eigen::VectorXd y,
                          const NewtonOptions& o, const std::function<bool(const Eigen::VectorXd&)>& inside) {
  const auto ok = [&](const Eigen::VectorXd& v) { return v.allFinite() && (!inside || inside(v)); };
  NewtonResult out;
  Eigen::VectorXd r = residual(y);
  double norm = r.allFinite() ? r.lpNorm<Eigen::Infinity>() : INFINITY;
  const Eigen::Index n = y.size();
  Eigen::MatrixXd jac(n, n);
  for (int it = 0; it < o.max_iterations && norm >= o.tolerance; ++it) {
    out.iterations = it + 1;
    for (Eigen::Index k = 0; k < n; ++k) {
      // Forward difference, stepping inwards when the forward point leaves the domain.
      double h = o.fd_step * std::max(1.0, std::abs(y[k]));
      Eigen::VectorXd yk = y;
      yk[k] += h;
      if (!ok(yk)) yk[k] = y[k] - h, h = -h;
      jac.col(k) = (residual(yk) - r) / h;
    }
    const Eigen::VectorXd step = jac.partialPivLu().solve(-r);
    if (!step.allFinite()) break;
    // Backtracking: the first of 1, 1/2, 1/4, ... that stays inside and lowers ||r||.
    double t = 1.0;
    bool moved = false;
    for (int ls = 0; ls < 40; ++ls, t *= 0.5) {
      const Eigen::VectorXd trial = y + t * step;
      if (!ok(trial)) continue;
      const Eigen::VectorXd rt = residual(trial);
      const double nt = rt.allFinite() ? rt.lpNorm<Eigen::Infinity>() : INFINITY;
      if (nt < norm) {
        y = trial, r = rt, norm = nt, moved = true;
        break;
      }
    }
    if (!moved) break;  // no descent along Newton's direction: a local minimum of ||r|| or a singular Jacobian
  }
  out.y = y;
  out.residual = norm;
  out.converged = norm < o.tolerance;
  return out;
}

}  // namespace spinformer::glass
