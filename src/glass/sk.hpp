#pragma once
// The Sherrington-Kirkpatrick model (binary spins, couplings of variance J^2/N with J = 1, uniform
// field h): the replica-symmetric order parameter q(T, h) and the de Almeida-Thouless line.
//
//   q = E_z tanh^2(beta (sqrt(q) z + h)),   z ~ N(0, 1)                    (RS saddle point)
//   replicon lambda(T, h) = 1 - beta^2 E_z sech^4(beta (sqrt(q) z + h))    (RS stable iff lambda > 0)
//
// The AT line is lambda = 0: it ends at T = 1 for h = 0, and h^2 ~ (4/3) (1 - T)^3 near there.
// Gaussian averages use Gauss-Hermite quadrature (nodes and weights by Golub-Welsch with Eigen) while
// the integrand is smooth on the scale of the nodes, and adaptive Gauss-Kronrod (Boost.Math) on
// intervals split at the integrand's sharp step when it is not (low T); roots by TOMS 748 (Boost.Math).
#include <functional>
#include <vector>

namespace spinformer::glass::sk {

// E_z f(z) for z ~ N(0, 1). `center` and `width` locate the integrand's sharpest feature (a step or
// a peak of that width at z = center); they choose the rule, not the answer.
double gaussian_average(const std::function<double(double)>& f, double center = 0.0, double width = 1.0);

// Gauss-Hermite rule for the standard normal weight (probabilists' Hermite), n nodes, computed once
// per n. Exact for polynomials of degree <= 2n - 1.
struct GaussHermiteRule {
  std::vector<double> nodes, weights;  // weights sum to 1
};
const GaussHermiteRule& gauss_hermite_rule(int n);
double gauss_hermite_average(const std::function<double(double)>& f, int n);
double adaptive_gaussian_average(const std::function<double(double)>& f, double center, double width);

// RS order parameter q(T, h), T > 0, h >= 0 (q(T, -h) = q(T, h)). At h = 0 the non-zero root for
// T < 1 and 0 for T >= 1. UsageError("--T") / ("--h") on bad input.
double rs_overlap(double T, double h);

// Replicon eigenvalue 1 - beta^2 E sech^4 at the RS solution: > 0 stable (RS), < 0 unstable (RSB).
double replicon(double T, double h);

// T_AT(h): the temperature below which the RS solution is unstable (T_AT(0) = 1). UsageError("--h")
// for non-finite h or |h| > 4.5 (T_AT < 1e-5 there).
double at_temperature(double h);

// h_AT(T) for 0 < T < 1 (the inverse function); 0 for T >= 1.
double at_field(double T);

}  // namespace spinformer::glass::sk
