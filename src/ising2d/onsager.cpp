#include "ising2d/onsager.hpp"

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/ellint_1.hpp>
#include <boost/math/special_functions/ellint_2.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace spinformer::ising2d {
namespace {

constexpr double kPi = 3.141592653589793238462643;

void check(double J, double T) {
  if (!(J > 0) || !std::isfinite(J) || !(T > 0) || !std::isfinite(T))
    throw std::invalid_argument("onsager: J and T must be finite and > 0");
}

// k = 2 sinh 2K / cosh^2 2K = 1 / cosh^2(ln sinh 2K)... written as 2 s / (1 + s^2) with s = sinh 2K,
// which is <= 1 with equality only at K_c, and 1 - k = (s - 1)^2 / (1 + s^2) without cancellation.
struct Modulus {
  double k, one_minus_k;
};
Modulus modulus(double K) {
  const double s = std::sinh(2 * K);
  return {2 * s / (1 + s * s), (s - 1) * (s - 1) / (1 + s * s)};
}

}  // namespace

double onsager_free_energy_per_spin(double J, double T) {
  check(J, T);
  const double K = J / T;
  const double k = modulus(K).k;
  auto integrand = [k](double t) {
    const double st = std::sin(t);
    return std::log((1 + std::sqrt(1 - k * k * st * st)) / 2);
  };
  const double integral = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(integrand, 0.0, kPi / 2, 15,
                                                                                        1e-15);
  // ln(2 cosh 2K) = 2K + ln(1 + e^{-4K})
  return -T * (2 * K + std::log1p(std::exp(-4 * K)) + integral / kPi);
}

double onsager_energy_per_spin(double J, double T) {
  check(J, T);
  const double K = J / T;
  const double t = std::tanh(2 * K);
  const Modulus m = modulus(K);
  const double slope = 2 * t * t - 1;  // vanishes exactly where K1 diverges (T_c)
  const double elliptic = (m.one_minus_k <= 0 || slope == 0) ? 0.0 : slope * boost::math::ellint_1(m.k);
  return -J / t * (1 + 2 / kPi * elliptic);
}

double onsager_specific_heat_per_spin(double J, double T) {
  check(J, T);
  const double K = J / T;
  const double t = std::tanh(2 * K);
  const Modulus m = modulus(K);
  if (m.one_minus_k <= 0) return std::numeric_limits<double>::infinity();
  const double K1 = boost::math::ellint_1(m.k), E1 = boost::math::ellint_2(m.k);
  const double a = K / t;
  return 4 / kPi * a * a * (K1 - E1 - (1 - t * t) * (kPi / 2 + (2 * t * t - 1) * K1));
}

double yang_magnetization(double J, double T) {
  check(J, T);
  const double s = std::sinh(2 * J / T);
  if (s <= 1) return 0.0;
  return std::pow(1 - std::pow(s, -4.0), 0.125);
}

}  // namespace spinformer::ising2d
