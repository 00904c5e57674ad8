// SK replica-symmetric solution and de Almeida-Thouless line: see sk.hpp.
#include "glass/sk.hpp"

#include <Eigen/Eigenvalues>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/tools/roots.hpp>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <mutex>

#include "lab/usage_error.hpp"

namespace spinformer::glass::sk {
namespace {

constexpr int kHermiteNodes = 128;
// Gauss-Hermite is used while the integrand's feature is at least this wide (in units of z); below it
// (low T) the adaptive rule takes over. Both agree to ~1e-12 where both apply (tests/test_sk.cpp).
constexpr double kHermiteMinWidth = 1.0;

double sech4(double x) {
  const double c = std::cosh(x);
  if (!std::isfinite(c)) return 0.0;
  const double s = 1.0 / c;
  return (s * s) * (s * s);
}

void check_T(double T) {
  lab::require_finite("--T", T);
  if (!(T > 0)) throw lab::UsageError("--T", fmt::format("must be > 0, got {}", T));
  if (T < 1e-6) throw lab::UsageError("--T", fmt::format("must be >= 1e-6, got {}", T));
}
void check_h(double h) {
  lab::require_finite("--h", h);
  if (std::abs(h) > 50) throw lab::UsageError("--h", fmt::format("must satisfy |h| <= 50, got {}", h));
}

// Root of a bracketed monotone-sign function with TOMS 748 to ~1e-14 relative.
template <class F>
double bracketed_root(F f, double lo, double hi, double f_lo, double f_hi) {
  boost::uintmax_t max_iter = 300;
  const auto r = boost::math::tools::toms748_solve(f, lo, hi, f_lo, f_hi,
                                                   boost::math::tools::eps_tolerance<double>(47), max_iter);
  return 0.5 * (r.first + r.second);
}

// E tanh^2 and E sech^4 at given beta, q, h.
double mean_tanh2(double beta, double q, double h) {
  const double sq = std::sqrt(q);
  const double width = sq > 0 ? 1.0 / (beta * sq) : std::numeric_limits<double>::infinity();
  const double center = sq > 0 ? -h / sq : 0.0;
  return gaussian_average(
      [&](double z) {
        const double t = std::tanh(beta * (sq * z + h));
        return t * t;
      },
      center, width);
}
double mean_sech4(double beta, double q, double h) {
  const double sq = std::sqrt(q);
  const double width = sq > 0 ? 1.0 / (beta * sq) : std::numeric_limits<double>::infinity();
  const double center = sq > 0 ? -h / sq : 0.0;
  return gaussian_average([&](double z) { return sech4(beta * (sq * z + h)); }, center, width);
}

}  // namespace

const GaussHermiteRule& gauss_hermite_rule(int n) {
  static std::mutex mutex;
  static std::map<int, GaussHermiteRule> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  // Golub-Welsch: the Jacobi matrix of the monic probabilists' Hermite polynomials
  // (x He_k = He_{k+1} + k He_{k-1}) has zero diagonal and off-diagonal sqrt(k).
  Eigen::VectorXd diag = Eigen::VectorXd::Zero(n), sub(n > 1 ? n - 1 : 1);
  for (int k = 1; k < n; ++k) sub(k - 1) = std::sqrt(static_cast<double>(k));
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
  solver.computeFromTridiagonal(diag, sub.head(n - 1), Eigen::ComputeEigenvectors);
  GaussHermiteRule rule;
  for (int i = 0; i < n; ++i) {
    rule.nodes.push_back(solver.eigenvalues()(i));
    const double v = solver.eigenvectors()(0, i);
    rule.weights.push_back(v * v);
  }
  return cache.emplace(n, std::move(rule)).first->second;
}

double gauss_hermite_average(const std::function<double(double)>& f, int n) {
  const auto& rule = gauss_hermite_rule(n);
  double sum = 0;
  for (std::size_t i = 0; i < rule.nodes.size(); ++i) sum += rule.weights[i] * f(rule.nodes[i]);
  return sum;
}

double adaptive_gaussian_average(const std::function<double(double)>& f, double center, double width) {
  constexpr double inv_sqrt_2pi = 0.39894228040143267794;
  const double L = std::max(10.0, std::abs(center) + 10 * width);
  std::vector<double> cuts{-L, L};
  for (double c : {center - 10 * width, center - width, center, center + width, center + 10 * width})
    if (c > -L && c < L) cuts.push_back(c);
  std::sort(cuts.begin(), cuts.end());
  auto g = [&](double z) { return inv_sqrt_2pi * std::exp(-0.5 * z * z) * f(z); };
  double sum = 0;
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    if (cuts[k + 1] <= cuts[k]) continue;
    sum += boost::math::quadrature::gauss_kronrod<double, 31>::integrate(g, cuts[k], cuts[k + 1], 12, 1e-12);
  }
  return sum;
}

double gaussian_average(const std::function<double(double)>& f, double center, double width) {
  // A feature far out in the tail (|center| > 12 + width) is invisible at double precision.
  if (width >= kHermiteMinWidth || std::abs(center) > 12 + 10 * width) return gauss_hermite_average(f, kHermiteNodes);
  return adaptive_gaussian_average(f, center, width);
}

double rs_overlap(double T, double h) {
  check_T(T);
  check_h(h);
  h = std::abs(h);
  const double beta = 1.0 / T;
  auto g = [&](double q) { return mean_tanh2(beta, q, h) - q; };
  const double g1 = g(1.0);
  if (h == 0) {
    if (T >= 1) return 0.0;
    double lo = 0.5, g_lo = g(lo);
    while (g_lo <= 0 && lo > 1e-300) g_lo = g(lo *= 0.5);
    if (g_lo <= 0) return 0.0;
    return bracketed_root(g, lo, 1.0, g_lo, g1);
  }
  const double g0 = g(0.0);
  if (g0 <= 0) return 0.0;
  return bracketed_root(g, 0.0, 1.0, g0, g1);
}

double replicon(double T, double h) {
  const double q = rs_overlap(T, h);
  const double beta = 1.0 / T;
  return 1.0 - beta * beta * mean_sech4(beta, q, std::abs(h));
}

double at_temperature(double h) {
  lab::require_finite("--h", h);
  h = std::abs(h);
  if (h > 4.5) throw lab::UsageError("--h", fmt::format("must satisfy |h| <= 4.5 (T_AT < 1e-5 beyond), got {}", h));
  if (h == 0) return 1.0;
  auto f = [&](double T) { return replicon(T, h); };
  double hi = 1.0, f_hi = f(hi);
  double lo = 0.5, f_lo = f(lo);
  while (f_lo >= 0 && lo > 2e-6) {
    hi = lo, f_hi = f_lo;
    f_lo = f(lo *= 0.5);
  }
  if (f_lo >= 0) throw std::runtime_error(fmt::format("AT line: no unstable temperature found for h = {}", h));
  return bracketed_root(f, lo, hi, f_lo, f_hi);
}

double at_field(double T) {
  check_T(T);
  if (T >= 1) return 0.0;
  auto f = [&](double h) { return replicon(T, h); };
  double lo = 0.0, f_lo = f(lo);
  double hi = 0.5, f_hi = f(hi);
  while (f_hi <= 0 && hi < 4.5) {
    lo = hi, f_lo = f_hi;
    f_hi = f(hi *= 2);
  }
  if (f_hi <= 0) throw lab::UsageError("--T", fmt::format("T = {} is below the AT line's reach (h_AT > 4.5)", T));
  return bracketed_root(f, lo, hi, f_lo, f_hi);
}

}  // namespace spinformer::glass::sk
