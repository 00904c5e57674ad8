#include "ising2d/exact.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "ising/jet.hpp"

// Numerics of the Kaufman formula (reference sheet):
//   Z = 1/2 (2 sinh 2K)^{mn/2} (Z1 + Z2 + Z3 + Z4), products over r = 0..n-1 of 2 cosh or 2 sinh of
//   m g_k / 2 with k = 2r + 1 (Z1, Z2) or k = 2r (Z3, Z4).
//  * Each Z_i is held as factor * exp(log_magnitude): the logs of the factors with g_k > 0 (k != 0)
//    are summed, and only the one factor that can vanish or change sign, 2 sinh(m g_0 / 2) in Z4
//    (g_0 = 2K + ln tanh K < 0 above T_c), stays a signed factor; the four terms are then added
//    relative to the largest log magnitude (signed log-sum-exp), so nothing overflows and the sign
//    change at K_c is smooth.
//  * cosh g_k - 1 = (s - 1)^2 / s + 2 sin^2(pi k / 2n), s = sinh 2K, is a sum of non-negative terms,
//    and g_k = log1p(y + sqrt(y (y + 2))) with y = cosh g_k - 1 keeps g_k accurate where it is small
//    (k small near K_c).
//  * Everything is evaluated on Jets in beta, so log Z, its first and second beta-derivatives come out
//    together: U = -d log Z / d beta, C = beta^2 d^2 log Z / d beta^2.
namespace spinformer::ising2d {
namespace {

using ising::detail::Jet;
constexpr double kPi = 3.141592653589793238462643;

Jet abs(const Jet& x) { return x.v < 0 ? -x : x; }

// log(2 cosh x) and log(2 sinh x) for x >= 0 (x > 0 for sinh) without overflow or cancellation.
Jet log_two_cosh(const Jet& x) { return x + log1p(exp(-2.0 * x)); }
Jet log_two_sinh(const Jet& x) { return x + log(-expm1(-2.0 * x)); }

// value = factor * exp(log_magnitude)
struct SignedLog {
  Jet factor{1.0};
  Jet log_magnitude{0.0};
};

Thermodynamics from_log_z(const Jet& log_z, double beta, double sites) {
  Thermodynamics t;
  t.log_z = log_z.v;
  t.free_energy_per_spin = -log_z.v / (beta * sites);
  t.energy_per_spin = -log_z.d1 / sites;
  t.specific_heat_per_spin = beta * beta * log_z.second_derivative() / sites;
  return t;
}

void check_temperature(double J, double T) {
  if (!(J > 0) || !std::isfinite(J)) throw std::invalid_argument("ising2d: J must be finite and > 0");
  if (!(T > 0) || !std::isfinite(T)) throw std::invalid_argument("ising2d: T must be finite and > 0");
}

}  // namespace

Thermodynamics kaufman_thermodynamics(int rows, int columns, double J, double T) {
  if (rows < 2 || columns < 2) throw std::invalid_argument("kaufman_thermodynamics: rows and columns must be >= 2");
  check_temperature(J, T);
  const int m = rows, n = columns;
  const double beta = 1.0 / T;
  const Jet K = Jet(beta, 1.0) * J;  // derivatives are taken in beta
  const Jet s = sinh(2.0 * K);
  // (s - 1)^2 / s, written so that it neither cancels (s ~ 1) nor overflows (s huge).
  const Jet s_term = s.v < 2 ? (s - 1.0) * (s - 1.0) / s : s - 2.0 + 1.0 / s;
  auto g = [&](int k) {  // g_k > 0 for k != 0
    const double half_angle = std::sin(kPi * k / (2.0 * n));
    const Jet y = s_term + 2.0 * half_angle * half_angle;
    return log1p(y + sqrt(y * (y + 2.0)));
  };
  // g_0 = 2K + ln tanh K, with ln tanh K = ln(1 - e^{-2K}) - ln(1 + e^{-2K}).
  const Jet g0 = 2.0 * K + log(-expm1(-2.0 * K)) - log1p(exp(-2.0 * K));

  SignedLog z[4];  // Z1 .. Z4
  for (int r = 0; r < n; ++r) {
    const Jet odd = 0.5 * m * g(2 * r + 1);
    z[0].log_magnitude = z[0].log_magnitude + log_two_cosh(odd);
    z[1].log_magnitude = z[1].log_magnitude + log_two_sinh(odd);
    if (r == 0) {
      const Jet x0 = 0.5 * m * g0;
      const Jet ax0 = abs(x0);
      z[2].log_magnitude = z[2].log_magnitude + log_two_cosh(ax0);
      if (ax0.v < 1) {
        z[3].factor = 2.0 * sinh(x0);
      } else {  // 2 sinh x0 = sign(x0) e^{|x0|} (1 - e^{-2|x0|})
        const Jet f = -expm1(-2.0 * ax0);
        z[3].factor = x0.v < 0 ? -f : f;
        z[3].log_magnitude = z[3].log_magnitude + ax0;
      }
    } else {
      const Jet even = 0.5 * m * g(2 * r);
      z[2].log_magnitude = z[2].log_magnitude + log_two_cosh(even);
      z[3].log_magnitude = z[3].log_magnitude + log_two_sinh(even);
    }
  }
  double top = -std::numeric_limits<double>::infinity();
  for (const SignedLog& t : z) top = std::max(top, t.log_magnitude.v);
  Jet sum(0.0);
  for (const SignedLog& t : z) sum = sum + t.factor * exp(t.log_magnitude - top);
  if (!(sum.v > 0)) throw std::runtime_error("kaufman_thermodynamics: non-positive partition sum");
  // log(2 sinh 2K) = 2K + ln(1 - e^{-4K})
  const Jet log_prefactor = 2.0 * K + log(-expm1(-4.0 * K));
  const Jet log_z = -std::log(2.0) + 0.5 * m * n * log_prefactor + top + log(sum);
  return from_log_z(log_z, beta, static_cast<double>(m) * n);
}

DensityOfStates enumerate_density_of_states(int rows, int columns) {
  if (rows < 2 || columns < 2 || rows * columns > 24)
    throw std::invalid_argument("enumerate_density_of_states: need rows, columns >= 2 and rows * columns <= 24");
  const int N = rows * columns;
  DensityOfStates dos{rows, columns, std::vector<double>(2 * static_cast<std::size_t>(N) + 1, 0.0)};
  // Bit i of c is set iff spin i (raster order) is down; a bond is unsatisfied iff the bits differ.
  for (std::uint32_t c = 0; c < (1u << N); ++c) {
    int u = 0;
    for (int y = 0; y < rows; ++y)
      for (int x = 0; x < columns; ++x) {
        const int i = y * columns + x;
        const std::uint32_t b = (c >> i) & 1u;
        u += static_cast<int>(b ^ ((c >> (y * columns + (x + 1) % columns)) & 1u));
        u += static_cast<int>(b ^ ((c >> (((y + 1) % rows) * columns + x)) & 1u));
      }
    dos.count[static_cast<std::size_t>(u)] += 1;
  }
  return dos;
}

DensityOfStates transfer_density_of_states(int rows, int columns) {
  if (rows < 2 || columns < 2 || columns > 6)
    throw std::invalid_argument("transfer_density_of_states: need rows >= 2 and 2 <= columns <= 6");
  const int n = columns, states = 1 << n;
  const int bonds = 2 * rows * columns;
  const std::size_t U = static_cast<std::size_t>(bonds) + 1;
  // Unsatisfied bonds inside one row (periodic) and between two rows, by the rows' bit patterns.
  std::vector<int> in_row(states);
  for (int a = 0; a < states; ++a) {
    const int rotated = ((a << 1) | (a >> (n - 1))) & (states - 1);
    in_row[a] = __builtin_popcount(static_cast<unsigned>(a ^ rotated));
  }
  auto between = [](int a, int b) { return __builtin_popcount(static_cast<unsigned>(a ^ b)); };
  // Z(x) = Tr T^rows with T_ab = x^{between(a,b) + in_row(b)}: fix the first row, propagate the
  // polynomial-valued vector (coefficients = counts per u), close the trace on the first row.
  DensityOfStates dos{rows, columns, std::vector<double>(U, 0.0)};
  std::vector<double> cur(states * U), next(states * U);
  for (int first = 0; first < states; ++first) {
    std::fill(cur.begin(), cur.end(), 0.0);
    cur[static_cast<std::size_t>(first) * U + in_row[first]] = 1.0;
    for (int r = 1; r < rows; ++r) {
      std::fill(next.begin(), next.end(), 0.0);
      for (int a = 0; a < states; ++a) {
        const double* from = cur.data() + static_cast<std::size_t>(a) * U;
        for (int b = 0; b < states; ++b) {
          const std::size_t shift = static_cast<std::size_t>(between(a, b) + in_row[b]);
          double* to = next.data() + static_cast<std::size_t>(b) * U;
          for (std::size_t u = 0; u + shift < U; ++u) to[u + shift] += from[u];
        }
      }
      std::swap(cur, next);
    }
    for (int a = 0; a < states; ++a) {
      const std::size_t shift = static_cast<std::size_t>(between(a, first));
      const double* from = cur.data() + static_cast<std::size_t>(a) * U;
      for (std::size_t u = 0; u + shift < U; ++u) dos.count[u + shift] += from[u];
    }
  }
  return dos;
}

std::vector<double> energy_distribution(const DensityOfStates& dos, double J, double T) {
  check_temperature(J, T);
  const double beta = 1.0 / T;
  std::vector<double> logw(dos.count.size(), -std::numeric_limits<double>::infinity());
  double top = -std::numeric_limits<double>::infinity();
  for (std::size_t u = 0; u < dos.count.size(); ++u)
    if (dos.count[u] > 0) {
      logw[u] = std::log(dos.count[u]) - beta * dos.energy(static_cast<int>(u), J);
      top = std::max(top, logw[u]);
    }
  std::vector<double> p(dos.count.size());
  double sum = 0;
  for (std::size_t u = 0; u < p.size(); ++u) sum += p[u] = std::exp(logw[u] - top);
  for (double& x : p) x /= sum;
  return p;
}

Thermodynamics thermodynamics(const DensityOfStates& dos, double J, double T) {
  check_temperature(J, T);
  const double beta = 1.0 / T, sites = static_cast<double>(dos.rows) * dos.columns;
  double top = -std::numeric_limits<double>::infinity();
  for (std::size_t u = 0; u < dos.count.size(); ++u)
    if (dos.count[u] > 0) top = std::max(top, std::log(dos.count[u]) - beta * dos.energy(static_cast<int>(u), J));
  double z = 0;
  for (std::size_t u = 0; u < dos.count.size(); ++u)
    if (dos.count[u] > 0) z += std::exp(std::log(dos.count[u]) - beta * dos.energy(static_cast<int>(u), J) - top);
  const std::vector<double> p = energy_distribution(dos, J, T);
  double mean = 0;
  for (std::size_t u = 0; u < p.size(); ++u) mean += p[u] * dos.energy(static_cast<int>(u), J);
  double var = 0;  // two passes: no cancellation in <H^2> - <H>^2
  for (std::size_t u = 0; u < p.size(); ++u) {
    const double d = dos.energy(static_cast<int>(u), J) - mean;
    var += p[u] * d * d;
  }
  Thermodynamics t;
  t.log_z = top + std::log(z);
  t.free_energy_per_spin = -t.log_z / (beta * sites);
  t.energy_per_spin = mean / sites;
  t.specific_heat_per_spin = beta * beta * var / sites;
  return t;
}

}  // namespace spinformer::ising2d
