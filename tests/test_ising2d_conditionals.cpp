// The exact raster-order conditionals of the torus (ising2d/conditionals.hpp) against brute force:
// at L = 4 every conditional of random configurations equals the ratio of enumerated prefix
// marginals, their sum over a configuration equals log p(s) = -beta E - log Z, log Z equals
// Kaufman's, and at L = 12 (first row not available) the conditionals of rows >= 1 are normalised.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ising2d/conditionals.hpp"
#include "ising2d/exact.hpp"
#include "ising2d/lattice.hpp"

namespace spinformer::ising2d {
namespace {

Lattice lattice(int L, double T) {
  Lattice lat;
  lat.L = L;
  lat.J = 1.0;
  lat.T = T;
  return lat;
}

std::vector<std::int8_t> bits_to_spins(std::uint32_t c, int N) {
  std::vector<std::int8_t> s(static_cast<std::size_t>(N));
  for (int i = 0; i < N; ++i) s[std::size_t(i)] = (c >> i) & 1U ? 1 : -1;
  return s;
}

TEST(RasterConditionals, LogZEqualsKaufman) {
  for (int L : {3, 4, 6, 8})
    for (double T : {1.5, critical_temperature(), 3.0}) {
      const RasterConditionals rc(L, 1.0 / T);
      const double exact = kaufman_thermodynamics(L, L, 1.0, T).log_z;
      EXPECT_NEAR(rc.log_z(), exact, 1e-10 * exact) << "L = " << L << ", T = " << T;
    }
}

TEST(RasterConditionals, EqualEnumeratedPrefixMarginalsAtL4) {
  const int L = 4, N = 16;
  for (double T : {1.8, critical_temperature(), 3.5}) {
    const auto lat = lattice(L, T);
    const double beta = 1.0 / T;
    std::vector<double> p(std::size_t(1) << N);
    double z = 0;
    for (std::uint32_t c = 0; c < p.size(); ++c) {
      const auto s = bits_to_spins(c, N);
      z += p[c] = std::exp(-beta * energy(lat, s.data()));
    }
    const RasterConditionals rc(L, beta);
    std::mt19937 rng(7);
    for (int trial = 0; trial < 20; ++trial) {
      const std::uint32_t c = rng() & 0xFFFFU;
      const auto s = bits_to_spins(c, N);
      const auto lc = rc.log_conditionals(s.data());
      double sum = 0;
      for (int i = 0; i < N; ++i) {
        // p(s_0..s_i) and p(s_0..s_{i-1}) by enumeration
        const std::uint32_t with = (2U << i) - 1, without = (1U << i) - 1;
        double a = 0, b = 0;
        for (std::uint32_t d = 0; d < p.size(); ++d) {
          if ((d & with) == (c & with)) a += p[d];
          if ((d & without) == (c & without)) b += p[d];
        }
        EXPECT_NEAR(lc[std::size_t(i)], std::log(a / b), 1e-10) << "T = " << T << ", site " << i;
        sum += lc[std::size_t(i)];
      }
      EXPECT_NEAR(sum, std::log(p[c] / z), 1e-9) << "T = " << T;
    }
  }
}

TEST(RasterConditionals, NormalisedBeyondTheFirstRowAtL12) {
  const int L = 12, N = L * L;
  const RasterConditionals rc(L, 1.0 / critical_temperature());
  std::mt19937 rng(3);
  std::vector<std::int8_t> s(static_cast<std::size_t>(N));
  for (auto& x : s) x = rng() & 1U ? 1 : -1;
  const auto a = rc.log_conditionals(s.data());
  for (int i : {L, L + 5, 2 * L - 1, N / 2, N - L, N - 1}) {
    s[std::size_t(i)] = std::int8_t(-s[std::size_t(i)]);
    const auto b = rc.log_conditionals(s.data());
    s[std::size_t(i)] = std::int8_t(-s[std::size_t(i)]);
    EXPECT_NEAR(std::exp(a[std::size_t(i)]) + std::exp(b[std::size_t(i)]), 1.0, 1e-12) << "site " << i;
  }
  EXPECT_TRUE(std::isnan(a[0]));
}

}  // namespace
}  // namespace spinformer::ising2d
