#include "kinetic/mean_field.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <mutex>

#include "lab/usage_error.hpp"

namespace spinformer::kinetic {

const char* method_name(Method method) {
  switch (method) {
    case Method::naive: return "naive";
    case Method::tap: return "tap";
    case Method::gaussian: return "gaussian";
    case Method::pairwise: return "pairwise";
  }
  return "?";
}

Method parse_method(const std::string& name) {
  for (Method m : {Method::naive, Method::tap, Method::gaussian, Method::pairwise})
    if (name == method_name(m)) return m;
  throw lab::UsageError("--method", fmt::format("must be naive, tap, gaussian or pairwise, got '{}'", name));
}

double tap_root(double g, double V) {
  // f(m) = tanh(g - m V) - m decreases strictly on [-1, 1] with f(-1) >= 0 >= f(1): bisection
  // brackets the root, Newton polishes it.
  double lo = -1.0, hi = 1.0, m = std::tanh(g);
  for (int it = 0; it < 200; ++it) {
    const double th = std::tanh(g - m * V);
    const double f = th - m;
    if (f > 0) lo = m; else hi = m;
    if (std::abs(f) < 1e-15) break;
    const double df = -V * (1.0 - th * th) - 1.0;
    double next = m - f / df;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - m) < 1e-17) break;
    m = next;
  }
  return m;
}

const Quadrature& gauss_hermite(int n) {
  static std::mutex mutex;
  static std::map<int, Quadrature> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  // Golub-Welsch: the Jacobi matrix of the probabilists' Hermite polynomials has zero diagonal and
  // off-diagonal sqrt(k); nodes are its eigenvalues, weights the squared first eigenvector components.
  Eigen::MatrixXd T = Eigen::MatrixXd::Zero(n, n);
  for (int k = 1; k < n; ++k) T(k, k - 1) = T(k - 1, k) = std::sqrt(double(k));
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(T);
  Quadrature q;
  for (int k = 0; k < n; ++k) {
    q.z.push_back(es.eigenvalues()[k]);
    q.w.push_back(es.eigenvectors()(0, k) * es.eigenvectors()(0, k));
  }
  return cache.emplace(n, std::move(q)).first->second;
}

namespace {

constexpr int kNodes1 = 60;  // 1-D quadrature of Int Dz tanh(g + z sqrt(V))
constexpr int kNodes2 = 24;  // per axis, bivariate

struct Step {
  Eigen::VectorXd m;
  Eigen::MatrixXd C, D;
};

Eigen::VectorXd one_minus_sq(const Eigen::VectorXd& m) { return (1.0 - m.array().square()).matrix(); }

// Off-diagonal covariances cov(tanh(x_i), tanh(x_k)) for Gaussian fields x with means g, variances
// var and covariances cov (only i != k used; the correlation is clipped to [-1, 1]); the diagonal is
// set to 1 - m^2 with the method's own m.
Eigen::MatrixXd gaussian_covariances(const Eigen::VectorXd& g, const Eigen::VectorXd& var, const Eigen::MatrixXd& cov,
                                     const Eigen::VectorXd& m) {
  const int N = static_cast<int>(g.size());
  const Quadrature& Q2 = gauss_hermite(kNodes2);
  Eigen::VectorXd mean = Eigen::VectorXd::Zero(N);  // E tanh(x_i) under the same rule
  for (int i = 0; i < N; ++i)
    for (std::size_t a = 0; a < Q2.z.size(); ++a) mean[i] += Q2.w[a] * std::tanh(g[i] + std::sqrt(std::max(var[i], 0.0)) * Q2.z[a]);
  Eigen::MatrixXd C(N, N);
  for (int i = 0; i < N; ++i) {
    C(i, i) = 1.0 - m[i] * m[i];
    const double si = std::sqrt(std::max(var[i], 0.0));
    for (int k = i + 1; k < N; ++k) {
      const double sk = std::sqrt(std::max(var[k], 0.0));
      const double rho = si > 0 && sk > 0 ? std::clamp(cov(i, k) / (si * sk), -1.0, 1.0) : 0.0;
      const double rc = std::sqrt(1.0 - rho * rho);
      double e = 0;
      for (std::size_t a = 0; a < Q2.z.size(); ++a) {
        const double ti = std::tanh(g[i] + si * Q2.z[a]);
        double inner = 0;
        for (std::size_t b = 0; b < Q2.z.size(); ++b)
          inner += Q2.w[b] * std::tanh(g[k] + sk * (rho * Q2.z[a] + rc * Q2.z[b]));
        e += Q2.w[a] * ti * inner;
      }
      C(i, k) = C(k, i) = e - mean[i] * mean[k];
    }
  }
  return C;
}

Step naive_step(const Eigen::MatrixXd& J, const Eigen::VectorXd& H, const Step& p, bool corr) {
  Step s;
  s.m = (H + J * p.m).array().tanh().matrix();
  if (corr) {
    s.C = one_minus_sq(s.m).asDiagonal();
    s.D = one_minus_sq(s.m).asDiagonal() * J * one_minus_sq(p.m).asDiagonal();
  }
  return s;
}

Step tap_step(const Eigen::MatrixXd& J, const Eigen::VectorXd& H, const Step& p, bool corr) {
  const int N = static_cast<int>(H.size());
  const Eigen::VectorXd g = H + J * p.m, q = one_minus_sq(p.m);
  const Eigen::VectorXd V = J.array().square().matrix() * q;
  Step s;
  s.m.resize(N);
  for (int i = 0; i < N; ++i) s.m[i] = tap_root(g[i], V[i]);
  if (corr) {
    const Eigen::VectorXd a = one_minus_sq(s.m);
    s.C = a.asDiagonal() * (J * q.asDiagonal() * J.transpose()) * a.asDiagonal();
    s.C.diagonal() = a;
    s.D = a.asDiagonal() * J * q.asDiagonal();
    s.D.array() *= 1.0 + 2.0 * (s.m * p.m.transpose()).array() * J.array();
  }
  return s;
}

Step gaussian_step(const Eigen::MatrixXd& J, const Eigen::VectorXd& H, const Step& p, bool corr) {
  const int N = static_cast<int>(H.size());
  const Eigen::VectorXd g = H + J * p.m, q = one_minus_sq(p.m);
  const Eigen::VectorXd V = J.array().square().matrix() * q;
  const Quadrature& Q = gauss_hermite(kNodes1);
  Step s;
  s.m.resize(N);
  Eigen::VectorXd slope(N);
  for (int i = 0; i < N; ++i) {
    double m = 0, a = 0;
    const double sd = std::sqrt(std::max(V[i], 0.0));
    for (std::size_t k = 0; k < Q.z.size(); ++k) {
      const double th = std::tanh(g[i] + Q.z[k] * sd);
      m += Q.w[k] * th;
      a += Q.w[k] * (1.0 - th * th);
    }
    s.m[i] = m;
    slope[i] = a;
  }
  if (corr) {
    const Eigen::MatrixXd JC = J * p.C;
    s.D = slope.asDiagonal() * JC;
    s.C = gaussian_covariances(g, V, JC * J.transpose(), s.m);
  }
  return s;
}

Step pairwise_step(const Eigen::MatrixXd& J, const Eigen::VectorXd& H, const Step& p, bool corr) {
  const int N = static_cast<int>(H.size());
  const Eigen::VectorXd g = H + J * p.m, q = one_minus_sq(p.m);
  const Eigen::MatrixXd JC = J * p.C;                          // (J C)_il = sum_j J_ij C_jl
  const Eigen::VectorXd V = (JC.array() * J.array()).rowwise().sum();  // sum_jn J_ij J_in C_jn
  Step s;
  s.m = Eigen::VectorXd::Zero(N);
  if (corr) s.D.resize(N, N);
  for (int i = 0; i < N; ++i)
    for (int l = 0; l < N; ++l) {
      const double Jil = J(i, l), Cll = p.C(l, l);
      // Fields excluding j = l: remove row/column l of C from the quadratic form.
      const double Vil = std::max(V[i] - 2.0 * Jil * JC(i, l) + Jil * Jil * Cll, 0.0);
      const double Delta = q[l] > 1e-12 ? Jil + (JC(i, l) - Jil * Cll) / q[l] : 0.0;
      double mil = 0, dil = 0;
      for (double sl : {-1.0, 1.0}) {
        const double prob = 0.5 * (1.0 + sl * p.m[l]);
        if (prob == 0) continue;
        const double th = tap_root(g[i] + Delta * (sl - p.m[l]), Vil);
        mil += prob * th;
        dil += prob * th * (sl - p.m[l]);
      }
      s.m[i] += mil / N;
      if (corr) s.D(i, l) = dil;
    }
  // C_t from Gaussian fields with the full covariance J C_t-1 J^T: bounded, unlike the linear response
  // (1 - m_i^2)(1 - m_k^2)(J C J^T)_ik, whose feedback through C_t-1 diverges near criticality.
  if (corr) s.C = gaussian_covariances(g, V, JC * J.transpose(), s.m);
  return s;
}

}  // namespace

Trajectory mean_field(const KineticIsing& model, Method method, int steps, bool correlations) {
  check(model, steps);
  const int N = model.size();
  const Eigen::MatrixXd J = model.beta_J();
  const Eigen::VectorXd H = model.beta_H();
  // The pairwise method needs C_t-1 whatever the caller records.
  const bool corr = correlations || method == Method::pairwise;
  Step state{Eigen::VectorXd::Ones(N), Eigen::MatrixXd::Zero(N, N), Eigen::MatrixXd::Zero(N, N)};
  Trajectory out;
  out.m.push_back(state.m);
  if (correlations) {
    out.C.push_back(state.C);
    out.D.push_back(state.D);
  }
  for (int t = 1; t <= steps; ++t) {
    switch (method) {
      case Method::naive: state = naive_step(J, H, state, corr); break;
      case Method::tap: state = tap_step(J, H, state, corr); break;
      case Method::gaussian: state = gaussian_step(J, H, state, corr); break;
      case Method::pairwise: state = pairwise_step(J, H, state, corr); break;
    }
    out.m.push_back(state.m);
    if (correlations) {
      out.C.push_back(state.C);
      out.D.push_back(state.D);
    }
  }
  return out;
}

}  // namespace spinformer::kinetic
