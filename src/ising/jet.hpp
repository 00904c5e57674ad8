#pragma once
// Second-order forward-mode automatic differentiation: a truncated Taylor series v + d1 e + d2 e^2
// in one direction e. Pushing a Jet through a closed formula gives the formula's value and its first
// and second derivatives exactly (to rounding), which is how ExactChain gets energy, specific heat,
// magnetisation and susceptibility from log Z without finite differences.
#include <cmath>

namespace spinformer::ising::detail {

struct Jet {
  double v = 0;   // value
  double d1 = 0;  // first derivative
  double d2 = 0;  // half the second derivative (Taylor coefficient)

  Jet() = default;
  Jet(double value, double first = 0, double half_second = 0) : v(value), d1(first), d2(half_second) {}

  double second_derivative() const { return 2 * d2; }
};

inline Jet operator-(const Jet& x) { return {-x.v, -x.d1, -x.d2}; }
inline Jet operator+(const Jet& x, const Jet& y) { return {x.v + y.v, x.d1 + y.d1, x.d2 + y.d2}; }
inline Jet operator-(const Jet& x, const Jet& y) { return {x.v - y.v, x.d1 - y.d1, x.d2 - y.d2}; }
inline Jet operator*(const Jet& x, const Jet& y) {
  return {x.v * y.v, x.v * y.d1 + x.d1 * y.v, x.v * y.d2 + x.d1 * y.d1 + x.d2 * y.v};
}
inline Jet operator/(const Jet& x, const Jet& y) {
  const double q0 = x.v / y.v;
  const double q1 = (x.d1 - q0 * y.d1) / y.v;
  const double q2 = (x.d2 - q0 * y.d2 - q1 * y.d1) / y.v;
  return {q0, q1, q2};
}
inline Jet operator+(const Jet& x, double c) { return {x.v + c, x.d1, x.d2}; }
inline Jet operator+(double c, const Jet& x) { return x + c; }
inline Jet operator-(const Jet& x, double c) { return {x.v - c, x.d1, x.d2}; }
inline Jet operator-(double c, const Jet& x) { return {c - x.v, -x.d1, -x.d2}; }
inline Jet operator*(const Jet& x, double c) { return {x.v * c, x.d1 * c, x.d2 * c}; }
inline Jet operator*(double c, const Jet& x) { return x * c; }

// f(x) for a scalar function with value f0 and derivatives f1, f2 at x.v (chain rule to second order).
inline Jet apply(const Jet& x, double f0, double f1, double f2) {
  return {f0, f1 * x.d1, f1 * x.d2 + 0.5 * f2 * x.d1 * x.d1};
}

inline Jet exp(const Jet& x) {
  const double e = std::exp(x.v);
  return apply(x, e, e, e);
}
inline Jet expm1(const Jet& x) {
  const double e = std::exp(x.v);
  return apply(x, std::expm1(x.v), e, e);
}
inline Jet log(const Jet& x) { return apply(x, std::log(x.v), 1 / x.v, -1 / (x.v * x.v)); }
inline Jet log1p(const Jet& x) {
  const double u = 1 + x.v;
  return apply(x, std::log1p(x.v), 1 / u, -1 / (u * u));
}
inline Jet sqrt(const Jet& x) {
  const double r = std::sqrt(x.v);
  return apply(x, r, 0.5 / r, -0.25 / (r * x.v));
}
inline Jet sinh(const Jet& x) { return apply(x, std::sinh(x.v), std::cosh(x.v), std::sinh(x.v)); }
inline Jet cosh(const Jet& x) { return apply(x, std::cosh(x.v), std::sinh(x.v), std::cosh(x.v)); }

// x^n, n >= 0, by repeated squaring (works for negative x, unlike exp(n log x)).
inline Jet pow(Jet x, long n) {
  Jet result(1.0);
  while (n > 0) {
    if (n & 1) result = result * x;
    x = x * x;
    n >>= 1;
  }
  return result;
}

}  // namespace spinformer::ising::detail
