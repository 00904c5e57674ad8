#include "glass/mean_field.hpp"

#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <limits>

#include "glass/newton.hpp"

#include "lab/usage_error.hpp"

namespace spinformer::glass {

namespace {

// Hankel's large-x expansion of I_nu(x) e^{-x} sqrt(2 pi x): sum_k (-1)^k a_k(nu) / x^k, summed while
// the terms decrease (asymptotic series: stop at the smallest term).
double hankel_sum(double nu, double x) {
  const double mu = 4.0 * nu * nu;
  double term = 1.0, sum = 1.0;
  for (int k = 1; k < 200; ++k) {
    const double next = -term * (mu - (2.0 * k - 1) * (2.0 * k - 1)) / (k * 8.0 * x);
    if (std::abs(next) >= std::abs(term) || next == 0.0) break;
    term = next;
    sum += term;
    if (std::abs(term) < 1e-17 * std::abs(sum)) break;
  }
  return sum;
}

}  // namespace

double bessel_ratio(double nu, double x) {
  if (!(nu > 0) || !(x >= 0) || !std::isfinite(nu) || !std::isfinite(x))
    throw std::invalid_argument(fmt::format("bessel_ratio: need nu > 0, x >= 0 (got {}, {})", nu, x));
  if (x == 0) return 0.0;
  // Far in the asymptotic regime (x >> nu^2) Hankel's expansion is accurate to rounding.
  if (x > 1e4 && x > 40.0 * nu * nu) return hankel_sum(nu, x) / hankel_sum(nu - 1.0, x);
  // Otherwise the Gauss continued fraction I_nu/I_{nu-1} = 1/(2 nu/x + 1/(2 (nu+1)/x + ...)),
  // evaluated with the modified Lentz algorithm (converges for all x > 0; ~x terms when x >> nu).
  const double tiny = 1e-300;
  double f = tiny, C = f, Dl = 0.0;
  for (int k = 0; k < 10'000'000; ++k) {
    const double b = 2.0 * (nu + k) / x;
    Dl = b + Dl;
    if (Dl == 0) Dl = tiny;
    C = b + 1.0 / C;
    if (C == 0) C = tiny;
    Dl = 1.0 / Dl;
    const double delta = C * Dl;
    f *= delta;
    if (std::abs(delta - 1.0) < 1e-16) break;
  }
  return f;
}

double bessel_ratio_inverse(double nu, double r) {
  if (!(nu > 0) || !(r >= 0) || !(r < 1) || !std::isfinite(nu))
    throw std::invalid_argument(fmt::format("bessel_ratio_inverse: need nu > 0, 0 <= r < 1 (got {}, {})", nu, r));
  if (r == 0) return 0.0;
  // Start from the inverse of Amos's approximation x / (nu - 1/2 + sqrt(x^2 + (nu + 1/2)^2)), then
  // Newton on the exact ratio (its derivative is 1 - A^2 - (2 nu - 1) A / x), kept inside a bracket.
  const double a = nu - 0.5, q = 1.0 - r * r;
  double x = (2.0 * r * a + std::sqrt(4.0 * r * r * a * a + 8.0 * r * r * nu * q)) / (2.0 * q);
  double lo = 0.0, hi = INFINITY;
  for (int it = 0; it < 200; ++it) {
    const double A = bessel_ratio(nu, x), f = A - r;
    if (f == 0) break;
    (f > 0 ? hi : lo) = x;
    const double slope = 1.0 - A * A - (2.0 * nu - 1.0) * A / x;
    double next = x - f / slope;
    if (!(next > lo && next < hi) || !std::isfinite(next)) next = std::isfinite(hi) ? 0.5 * (lo + hi) : 2.0 * x;
    if (std::abs(next - x) <= 1e-15 * x) {
      x = next;
      break;
    }
    x = next;
  }
  return x;
}

Eigen::RowVectorXd readout_row(const Eigen::RowVectorXd& theta, double beta, double R, Readout kind) {
  const double t = theta.norm();
  if (kind == Readout::large_d) {
    const double g = std::sqrt(1.0 + beta * beta * t * t / (R * R));
    return beta / (1.0 + g) * theta;
  }
  const double scale = t > 0 ? bessel_ratio(theta.size() / 2.0, beta * R * t) * R / t : 0.0;
  return scale * theta;
}

State readout(const State& theta, double beta, double R, Readout kind) {
  State m(theta.rows(), theta.cols());
  for (Eigen::Index i = 0; i < theta.rows(); ++i) m.row(i) = readout_row(theta.row(i), beta, R, kind);
  return m;
}

namespace {
Eigen::RowVectorXd inverse_row(const Eigen::RowVectorXd& m, double beta, double R, Readout kind) {
  if (kind == Readout::large_d) return 2.0 * R * R / (beta * (R * R - m.squaredNorm())) * m;
  const double n = m.norm();
  if (n == 0) return Eigen::RowVectorXd::Zero(m.size());
  const double kappa = bessel_ratio_inverse(m.size() / 2.0, std::min(n / R, 1.0 - 1e-16));
  return kappa / (beta * R * n) * m;
}
}  // namespace

State readout_inverse(const State& m, double beta, double R, Readout kind) {
  State theta(m.rows(), m.cols());
  for (Eigen::Index i = 0; i < m.rows(); ++i) theta.row(i) = inverse_row(m.row(i), beta, R, kind);
  return theta;
}

namespace {

void check(const VectorSpinModel& model, const MeanFieldOptions& o) {
  lab::require_positive("--beta", o.beta);
  if (o.steps < 1 || o.steps > 1'000'000) throw lab::UsageError("--steps", fmt::format("must be in 1..1e6, got {}", o.steps));
  lab::require_positive("--tolerance", o.tolerance);
  if (o.max_inner < 1) throw lab::UsageError("--max-inner", "must be >= 1");
  if (o.anderson_depth < 0 || o.anderson_depth > 50) throw lab::UsageError("--anderson-depth", "must be in 0..50");
  lab::require_range("--damping", o.damping, 1e-3, 1.0);
  if (model.N < 1) throw lab::UsageError("--N", "empty model");
}

// Keep every row strictly inside the radius-R ball (phi^-1 is undefined on and outside it).
void clamp_rows(State& m, double R) {
  const double limit = R * (1.0 - 1e-12);
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    const double n = m.row(i).norm();
    if (n >= limit) m.row(i) *= limit / n;
  }
}

struct FixedPoint {
  State m;
  int iterations = 0;
  double residual = 0;
  bool converged = false;
};

// Anderson acceleration (type II, depth `depth`, mixing `damping`) of m = g(m) from m0, until
// max |g(m) - m| < tol or `max_iter` evaluations of g.
FixedPoint anderson(const std::function<State(const State&)>& g, State m, double R, double tol, int max_iter,
                    int depth, double damping) {
  const Eigen::Index n = m.size();
  std::vector<Eigen::VectorXd> dX, dF;
  Eigen::VectorXd x_prev, f_prev;
  FixedPoint fp;
  for (int it = 1; it <= max_iter; ++it) {
    clamp_rows(m, R);
    const State gm = g(m);
    Eigen::VectorXd xv = Eigen::Map<const Eigen::VectorXd>(m.data(), n);
    Eigen::VectorXd fv = Eigen::Map<const Eigen::VectorXd>(gm.data(), n) - xv;
    fp.iterations = it;
    fp.residual = fv.lpNorm<Eigen::Infinity>();
    if (!std::isfinite(fp.residual)) break;
    if (fp.residual < tol) {
      fp.m = gm;
      clamp_rows(fp.m, R);
      fp.converged = true;
      return fp;
    }
    if (it > 1 && depth > 0) {
      dX.push_back(xv - x_prev);
      dF.push_back(fv - f_prev);
      if (static_cast<int>(dX.size()) > depth) {
        dX.erase(dX.begin());
        dF.erase(dF.begin());
      }
    }
    x_prev = xv;
    f_prev = fv;
    Eigen::VectorXd next = xv + damping * fv;
    if (!dF.empty()) {
      Eigen::MatrixXd Fm(n, dF.size()), Xm(n, dX.size());
      for (std::size_t c = 0; c < dF.size(); ++c) {
        Fm.col(c) = dF[c];
        Xm.col(c) = dX[c];
      }
      const Eigen::VectorXd gamma = Fm.colPivHouseholderQr().solve(fv);
      if (gamma.allFinite()) next = xv + damping * fv - (Xm + damping * Fm) * gamma;
    }
    m = Eigen::Map<const State>(next.data(), m.rows(), m.cols());
  }
  fp.m = m;
  clamp_rows(fp.m, R);
  return fp;
}

}  // namespace

MeanFieldResult run_nmf(const VectorSpinModel& model, const MeanFieldOptions& o) {
  check(model, o);
  MeanFieldResult r;
  State m = model.initial_state();
  for (int t = 0; t < o.steps; ++t) {
    m = readout(model.targets(m), o.beta, model.R, o.readout);
    r.alignment_trajectory.push_back(alignment(m, model.x));
  }
  r.m = m;
  r.final_state = m;
  r.iterations = o.steps;
  r.residual = (readout(model.targets(m), o.beta, model.R, o.readout) - m).lpNorm<Eigen::Infinity>();
  r.alignment = alignment(r.m, model.x);
  return r;
}

MeanFieldResult solve_nmf_fixed_point(const VectorSpinModel& model, const MeanFieldOptions& o) {
  check(model, o);
  const auto g = [&](const State& m) { return readout(model.targets(m), o.beta, model.R, o.readout); };
  const FixedPoint fp = anderson(g, model.initial_state(), model.R, o.tolerance, o.max_inner * o.steps,
                                 o.anderson_depth, o.damping);
  MeanFieldResult r;
  r.m = fp.m;
  r.final_state = fp.m;
  r.iterations = fp.iterations;
  r.residual = (g(fp.m) - fp.m).lpNorm<Eigen::Infinity>();
  r.inner_failures = fp.converged ? 0 : 1;
  r.inner_iterations = fp.iterations;
  r.alignment = alignment(r.m, model.x);
  r.alignment_trajectory.push_back(r.alignment);
  return r;
}

namespace {

// TAP's field F(m1, m0) row by row. With m0 fixed (one time step), row i of F depends on row i of m1
// only, and the sums over j are a quadratic form in it: sum_j J_ij^2 w_j (m1_i . m0_j)^2 = m1_i K_i m1_i^T
// and sum_j J_ij^2 w_j (m1_i . m0_j) m0_j = m1_i K_i, with K_i = sum_j J_ij^2 w_j m0_j^T m0_j (D x D). So
// the inner equation splits into N equations in D unknowns, each evaluated in O(D^2).
struct TapRows {
  double beta, R2, b2;
  Readout inverse;
  State h0;
  Eigen::VectorXd s, T2base;
  std::vector<Eigen::MatrixXd> K;

  TapRows(const VectorSpinModel& model, const State& m0, double beta_, TapConvention convention, Readout inverse_)
      : beta(beta_), R2(model.R * model.R), b2(beta_ * beta_), inverse(inverse_), h0(model.targets(m0)) {
    const int N = model.N;
    const State th0 = readout_inverse(m0, beta, model.R, inverse);
    Eigen::VectorXd g0(N);
    for (int i = 0; i < N; ++i) g0[i] = std::sqrt(1.0 + b2 * th0.row(i).squaredNorm() / R2);
    const Eigen::MatrixXd J2 = model.J.array().square().matrix();
    const Eigen::VectorXd m0n2 = m0.rowwise().squaredNorm();
    T2base = J2 * (R2 - m0n2.array()).matrix();
    const Eigen::MatrixXd m0d = m0;  // column-major copy for the products below
    K.resize(std::size_t(N));
    if (convention == TapConvention::code) {  // g0 of site i outside the sums over j
      s = J2.rowwise().sum().array() / (1.0 + g0.array());
      for (int i = 0; i < N; ++i)
        K[std::size_t(i)] = m0d.transpose() * J2.row(i).transpose().asDiagonal() * m0d / (R2 * g0[i]);
    } else {  // g0 of site j inside the sums
      s = J2 * (1.0 + g0.array()).inverse().matrix();
      const Eigen::VectorXd w2 = (R2 * g0.array()).inverse().matrix();
      for (int i = 0; i < N; ++i)
        K[std::size_t(i)] = m0d.transpose() * (J2.row(i).transpose().array() * w2.array()).matrix().asDiagonal() * m0d;
    }
  }

  Eigen::RowVectorXd field(int i, const Eigen::RowVectorXd& y, double scale) const {
    const std::size_t k = std::size_t(i);
    const Eigen::RowVectorXd th = inverse_row(y, beta, std::sqrt(R2), inverse);
    const double g = std::sqrt(1.0 + b2 * th.squaredNorm() / R2);
    const Eigen::RowVectorXd v = h0.row(i) - th;
    const Eigen::RowVectorXd Ky = y * K[k];
    const double yn2 = y.squaredNorm();
    const double A = s[i] * yn2 - Ky.dot(y);
    const Eigen::RowVectorXd Bv = s[i] * y - Ky;
    const double mv = y.dot(v);
    const double T1 = mv * mv + A;
    const double T2 = v.squaredNorm() + T2base[i];
    const double c1 = b2 * (1.0 + 3.0 * g) / (R2 * R2 * g * g * g);
    const double c2 = b2 / (R2 * (g * g + g));
    const Eigen::RowVectorXd d2 = (c1 * T1 - c2 * T2) * y - 2.0 * c2 * (mv * v + Bv);
    const double denom = R2 * g / (1.0 + g) - yn2;
    return h0.row(i) + scale * (1.0 + g) / (2.0 * beta) * (d2 + (y.dot(d2) / denom) * y);
  }

  State field(const State& m1, double scale) const {
    State F(m1.rows(), m1.cols());
    for (Eigen::Index i = 0; i < m1.rows(); ++i) F.row(i) = field(int(i), m1.row(i), scale);
    return F;
  }
};

// One row of the inner equation by Newton: directly from `start`, and when that fails, by
// continuation in the Onsager term's strength from nMF's step (strength 0, where the solution is
// explicit); the better of the two is returned.
NewtonResult solve_row(const TapRows& rows, int i, const Eigen::RowVectorXd& start, const MeanFieldOptions& o, double R) {
  const double limit = R * (1.0 - 1e-12);
  const auto inside = [&](const Eigen::VectorXd& y) { return y.norm() < limit; };
  const auto residual_at = [&](double scale) {
    return [&, scale](const Eigen::VectorXd& y) -> Eigen::VectorXd {
      const Eigen::RowVectorXd yr = y.transpose();
      return (yr - readout_row(rows.field(i, yr, scale), o.beta, R, o.readout)).transpose();
    };
  };
  NewtonOptions no;
  no.tolerance = o.tolerance;
  no.max_iterations = o.max_inner;
  NewtonResult best = solve_newton(residual_at(o.onsager_scale), start.transpose(), no, inside);
  if (best.converged) return best;
  Eigen::VectorXd y = start.transpose();
  NewtonResult path;
  for (double f : {0.25, 0.5, 0.75, 1.0}) {
    path = solve_newton(residual_at(f * o.onsager_scale), y, no, inside);
    y = path.y;
  }
  if (path.residual < best.residual) best = path;
  return best;
}

}  // namespace

State tap_field(const VectorSpinModel& model, const State& m1, const State& m0, double beta, TapConvention convention,
                Readout inverse, double onsager_scale) {
  return TapRows(model, m0, beta, convention, inverse).field(m1, onsager_scale);
}

double tap_inner_residual(const VectorSpinModel& model, const State& m1, const State& m0, const MeanFieldOptions& o) {
  const State F = tap_field(model, m1, m0, o.beta, o.convention, o.inverse, o.onsager_scale);
  return (m1 - readout(F, o.beta, model.R, o.readout)).lpNorm<Eigen::Infinity>();
}

MeanFieldResult run_tap(const VectorSpinModel& model, const MeanFieldOptions& o) {
  check(model, o);
  lab::require_range("--onsager-scale", o.onsager_scale, 0.0, 10.0);
  MeanFieldResult r;
  State m0 = model.initial_state();
  State sum = State::Zero(model.N, model.D);
  for (int t = 0; t < o.steps; ++t) {
    const TapRows rows(model, m0, o.beta, o.convention, o.inverse);
    const State start = readout(rows.h0, o.beta, model.R, o.readout);  // nMF's step
    State next(model.N, model.D);
    double residual = 0;
    if (o.solver == InnerSolver::newton) {
      for (int i = 0; i < model.N; ++i) {
        const NewtonResult nr = solve_row(rows, i, start.row(i), o, model.R);
        next.row(i) = nr.y.transpose();
        r.inner_iterations += nr.iterations;
      }
      residual = tap_inner_residual(model, next, m0, o);  // of the whole state, recomputed
      if (!(residual < o.tolerance)) ++r.inner_failures;
    } else {
      const auto g = [&](const State& m1) {
        return readout(rows.field(m1, o.onsager_scale), o.beta, model.R, o.readout);
      };
      const FixedPoint fp = anderson(g, start, model.R, o.tolerance, o.max_inner, o.anderson_depth, o.damping);
      if (!fp.converged) ++r.inner_failures;
      r.inner_iterations += fp.iterations;
      residual = fp.residual;
      next = fp.m;
    }
    r.residual = residual;
    r.max_residual = std::max(r.max_residual, std::isfinite(residual) ? residual : INFINITY);
    m0 = next;
    if (!m0.allFinite()) m0 = start;  // a diverged inner solve restarts from the nMF step
    sum += m0;
    r.alignment_trajectory.push_back(alignment(m0, model.x));
  }
  r.m = sum / double(o.steps);
  r.final_state = m0;
  r.iterations = o.steps;
  r.alignment = alignment(r.m, model.x);
  return r;
}

}  // namespace spinformer::glass
