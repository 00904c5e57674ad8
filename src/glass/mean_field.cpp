#include "glass/mean_field.hpp"

#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <limits>

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

State readout(const State& theta, double beta, double R, Readout kind) {
  State m(theta.rows(), theta.cols());
  const double nu = theta.cols() / 2.0;
  for (Eigen::Index i = 0; i < theta.rows(); ++i) {
    const double t = theta.row(i).norm();
    if (kind == Readout::large_d) {
      const double g = std::sqrt(1.0 + beta * beta * t * t / (R * R));
      m.row(i) = beta / (1.0 + g) * theta.row(i);
    } else {
      const double scale = t > 0 ? bessel_ratio(nu, beta * R * t) * R / t : 0.0;
      m.row(i) = scale * theta.row(i);
    }
  }
  return m;
}

State readout_inverse(const State& m, double beta, double R) {
  State theta(m.rows(), m.cols());
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    theta.row(i) = 2.0 * R * R / (beta * (R * R - m.row(i).squaredNorm())) * m.row(i);
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

State tap_field(const VectorSpinModel& model, const State& m1, const State& m0, double beta, TapConvention convention) {
  const int N = model.N;
  const double R = model.R, R2 = R * R, b2 = beta * beta;
  const auto gamma_of = [&](const State& m) {
    const State th = readout_inverse(m, beta, R);
    Eigen::VectorXd g(N);
    for (int i = 0; i < N; ++i) g[i] = std::sqrt(1.0 + b2 * th.row(i).squaredNorm() / R2);
    return g;
  };
  const Eigen::VectorXd g0 = gamma_of(m0), g1 = gamma_of(m1);
  const State h0 = model.targets(m0);
  const State v = h0 - readout_inverse(m1, beta, R);
  const Eigen::MatrixXd J2 = model.J.array().square().matrix();
  const Eigen::VectorXd S = J2.rowwise().sum();
  const Eigen::MatrixXd P = m1 * m0.transpose();  // P_ij = m1_i . m0_j
  const Eigen::VectorXd m1n2 = m1.rowwise().squaredNorm(), m0n2 = m0.rowwise().squaredNorm();
  const Eigen::MatrixXd J2P = (J2.array() * P.array()).matrix();
  const Eigen::MatrixXd J2P2 = (J2P.array() * P.array()).matrix();
  Eigen::VectorXd A(N);
  State Bv(N, model.D);
  if (convention == TapConvention::code) {
    const State J2Pm0 = J2P * m0;
    for (int i = 0; i < N; ++i) {
      A[i] = S[i] * m1n2[i] / (1.0 + g0[i]) - J2P2.row(i).sum() / (R2 * g0[i]);
      Bv.row(i) = S[i] / (1.0 + g0[i]) * m1.row(i) - J2Pm0.row(i) / (R2 * g0[i]);
    }
  } else {
    const Eigen::VectorXd w1 = (1.0 + g0.array()).inverse().matrix();
    const Eigen::VectorXd w2 = (R2 * g0.array()).inverse().matrix();
    const Eigen::VectorXd Sw1 = J2 * w1;
    const State J2Pm0 = J2P * w2.asDiagonal() * m0;
    const Eigen::VectorXd A2 = J2P2 * w2;
    for (int i = 0; i < N; ++i) {
      A[i] = m1n2[i] * Sw1[i] - A2[i];
      Bv.row(i) = Sw1[i] * m1.row(i) - J2Pm0.row(i);
    }
  }
  const Eigen::VectorXd T2base = J2 * (R2 - m0n2.array()).matrix();
  State F(N, model.D);
  for (int i = 0; i < N; ++i) {
    const double mv = m1.row(i).dot(v.row(i));
    const double T1 = mv * mv + A[i];
    const double T2 = v.row(i).squaredNorm() + T2base[i];
    const double g = g1[i];
    const double c1 = b2 * (1.0 + 3.0 * g) / (R2 * R2 * g * g * g);
    const double c2 = b2 / (R2 * (g * g + g));
    const Eigen::RowVectorXd d2 = (c1 * T1 - c2 * T2) * m1.row(i) - 2.0 * c2 * (mv * v.row(i) + Bv.row(i));
    const double denom = R2 * g / (1.0 + g) - m1n2[i];
    F.row(i) = h0.row(i) + (1.0 + g) / (2.0 * beta) * (d2 + (m1.row(i).dot(d2) / denom) * m1.row(i));
  }
  return F;
}

MeanFieldResult run_tap(const VectorSpinModel& model, const MeanFieldOptions& o) {
  check(model, o);
  MeanFieldResult r;
  State m0 = model.initial_state();
  State sum = State::Zero(model.N, model.D);
  for (int t = 0; t < o.steps; ++t) {
    const auto g = [&](const State& m1) {
      return readout(tap_field(model, m1, m0, o.beta, o.convention), o.beta, model.R, o.readout);
    };
    const State start = readout(model.targets(m0), o.beta, model.R, o.readout);
    const FixedPoint fp = anderson(g, start, model.R, o.tolerance, o.max_inner, o.anderson_depth, o.damping);
    if (!fp.converged) ++r.inner_failures;
    r.inner_iterations += fp.iterations;
    r.residual = fp.residual;
    m0 = fp.m;
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
