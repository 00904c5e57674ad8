#include "ising/correlation_length.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "ising/exact.hpp"

namespace spinformer::ising {

CorrelationWindow correlation_window(int L) {
  if (L < 3) throw std::invalid_argument("correlation_window: L must be >= 3");
  return {1, std::max(2, L / 4)};
}

namespace {

struct Point {
  double r, c, w;
};

double sum_of_squares(const std::vector<Point>& pts, double a, double b) {
  double s = 0;
  for (const Point& p : pts) {
    const double d = p.c - std::exp(a + b * p.r);
    s += p.w * d * d;
  }
  return s;
}

}  // namespace

double fit_correlation_length(const std::vector<double>& c, const std::vector<double>& error) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const int L = static_cast<int>(c.size());
  const CorrelationWindow win = correlation_window(L);
  if (!error.empty() && error.size() != c.size())
    throw std::invalid_argument("fit_correlation_length: error and C(r) differ in size");
  std::vector<Point> pts;
  for (int r = win.first; r <= win.last; ++r) {
    double w = 1;
    if (!error.empty()) {
      if (!(error[r] > 0) || !std::isfinite(error[r]))
        throw std::invalid_argument("fit_correlation_length: error(r) must be finite and > 0 in the window");
      w = 1 / (error[r] * error[r]);
    }
    if (!std::isfinite(c[r])) throw std::invalid_argument("fit_correlation_length: C(r) must be finite");
    pts.push_back({double(r), c[r], w});
  }

  // Start: the weighted fit of ln C(r) on the positive points (weights w C^2 = 1 / Var ln C).
  double S = 0, Sx = 0, Sy = 0, Sxx = 0, Sxy = 0;
  int positive = 0;
  for (const Point& p : pts) {
    if (!(p.c > 0)) continue;
    ++positive;
    const double w = p.w * p.c * p.c, y = std::log(p.c);
    S += w, Sx += w * p.r, Sy += w * y, Sxx += w * p.r * p.r, Sxy += w * p.r * y;
  }
  if (positive < 2) return nan;
  double b = (S * Sxy - Sx * Sy) / (S * Sxx - Sx * Sx);
  double a = (Sy - b * Sx) / S;

  // Levenberg-Marquardt on (a, b) for the fit to C(r) itself. When C(r) is an exact exponential the
  // start is already the minimum (zero residual) and the loop stops at once.
  double ssr = sum_of_squares(pts, a, b), lambda = 1e-3;
  for (int it = 0; it < 500; ++it) {
    double Jaa = 0, Jab = 0, Jbb = 0, ga = 0, gb = 0;  // J^T W J and J^T W e
    for (const Point& p : pts) {
      const double f = std::exp(a + b * p.r), e = p.c - f;
      Jaa += p.w * f * f, Jab += p.w * f * f * p.r, Jbb += p.w * f * f * p.r * p.r;
      ga += p.w * f * e, gb += p.w * f * p.r * e;
    }
    bool improved = false;
    while (lambda < 1e12) {
      const double A = Jaa * (1 + lambda), B = Jbb * (1 + lambda), det = A * B - Jab * Jab;
      const double da = (B * ga - Jab * gb) / det, db = (A * gb - Jab * ga) / det;
      const double trial = sum_of_squares(pts, a + da, b + db);
      if (trial <= ssr) {
        a += da, b += db;
        const bool converged = std::abs(db) <= 1e-15 * std::max(1.0, std::abs(b)) || ssr - trial <= 1e-30 * ssr;
        ssr = trial;
        lambda = std::max(lambda / 10, 1e-12);
        improved = true;
        if (converged) it = 500;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;  // no step lowers the sum of squares: at the minimum to rounding
  }
  if (!std::isfinite(b)) return nan;
  if (!(b < 0)) return std::numeric_limits<double>::infinity();
  return -1 / b;
}

double exact_fitted_correlation_length(const Chain& chain, const std::vector<double>& error) {
  return fit_correlation_length(ExactChain(chain).connected_correlation(), error);
}

}  // namespace spinformer::ising
