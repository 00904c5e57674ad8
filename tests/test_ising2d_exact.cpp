// The exact 2D library held against itself three ways: Kaufman's formula, brute-force enumeration
// and the row transfer matrix agree to 1e-10 (log Z, energy, specific heat); Onsager's and Yang's
// infinite-lattice results agree with large Kaufman tori; the specific-heat peak scales like ln L.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "ising2d/exact.hpp"
#include "ising2d/lattice.hpp"
#include "ising2d/onsager.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::ising2d {
namespace {

const double kTc = critical_temperature();
// Temperatures across T_c, including T_c itself (where Z4 changes sign) and far on both sides.
const std::vector<double> kTemperatures = {0.5, 1.0, 1.5, 2.0, 2.2, kTc, 2.35, 2.6, 3.0, 5.0, 50.0};

void expect_same(const Thermodynamics& a, const Thermodynamics& b, const char* what, double T) {
  EXPECT_NEAR(a.log_z, b.log_z, 1e-10 * std::abs(b.log_z)) << what << " T = " << T;
  EXPECT_NEAR(a.free_energy_per_spin, b.free_energy_per_spin, 1e-10 * std::abs(b.free_energy_per_spin))
      << what << " T = " << T;
  EXPECT_NEAR(a.energy_per_spin, b.energy_per_spin, 1e-10 * std::max(1.0, std::abs(b.energy_per_spin)))
      << what << " T = " << T;
  // Relative 1e-10, plus 1e-13 absolute for the low-T tail: there Kaufman's C is a sum of O(e^{-2K})
  // terms that cancel down to O(e^{-8K}) (at T = 0.5, C = 3e-5 comes out to 3e-10 relative).
  EXPECT_NEAR(a.specific_heat_per_spin, b.specific_heat_per_spin, 1e-10 * b.specific_heat_per_spin + 1e-13)
      << what << " T = " << T;
}

TEST(Ising2dExact, CriticalTemperature) {
  EXPECT_NEAR(critical_temperature(), 2.269185314213022, 1e-14);
  EXPECT_NEAR(critical_temperature(0.5), 0.5 * 2.269185314213022, 1e-14);
  // sinh(2 K_c) = 1
  EXPECT_NEAR(std::sinh(2 / critical_temperature()), 1.0, 1e-14);
}

TEST(Ising2dExact, DensityOfStatesCountsEveryConfiguration) {
  for (auto [rows, columns] : std::vector<std::pair<int, int>>{{2, 2}, {3, 4}, {4, 4}}) {
    const DensityOfStates dos = enumerate_density_of_states(rows, columns);
    double total = 0;
    for (double c : dos.count) total += c;
    EXPECT_EQ(total, std::ldexp(1.0, rows * columns));
    EXPECT_EQ(dos.count[0], 2.0);  // the two ground states
    // Every configuration has an even number of unsatisfied bonds around each plaquette, hence in total.
    for (std::size_t u = 1; u < dos.count.size(); u += 2) EXPECT_EQ(dos.count[u], 0.0) << "u = " << u;
  }
  // 4 x 4: one flipped spin breaks 4 bonds (16 ways); 6 broken bonds: a flipped nearest-neighbour pair.
  const DensityOfStates dos = enumerate_density_of_states(4, 4);
  EXPECT_EQ(dos.count[4], 2.0 * 16);
  EXPECT_EQ(dos.count[6], 2.0 * 32);
}

TEST(Ising2dExact, TransferMatrixCountsEqualEnumeration) {
  for (auto [rows, columns] : std::vector<std::pair<int, int>>{{2, 2}, {2, 5}, {3, 4}, {4, 3}, {4, 4}, {3, 6}, {4, 5}}) {
    const DensityOfStates a = enumerate_density_of_states(rows, columns);
    const DensityOfStates b = transfer_density_of_states(rows, columns);
    ASSERT_EQ(a.count.size(), b.count.size());
    for (std::size_t u = 0; u < a.count.size(); ++u)
      EXPECT_EQ(a.count[u], b.count[u]) << rows << "x" << columns << " u = " << u;
  }
}

TEST(Ising2dExact, KaufmanEqualsEnumeration) {
  for (auto [rows, columns] : std::vector<std::pair<int, int>>{{2, 2}, {2, 3}, {3, 3}, {3, 4}, {4, 3}, {4, 4}}) {
    const DensityOfStates dos = enumerate_density_of_states(rows, columns);
    for (double T : kTemperatures)
      expect_same(kaufman_thermodynamics(rows, columns, 1.0, T), thermodynamics(dos, 1.0, T), "enumeration", T);
  }
}

TEST(Ising2dExact, KaufmanEqualsTransferMatrix) {
  for (int L : {5, 6}) {
    const DensityOfStates dos = transfer_density_of_states(L, L);
    for (double T : kTemperatures)
      expect_same(kaufman_thermodynamics(L, L, 1.0, T), thermodynamics(dos, 1.0, T), "transfer L x L", T);
  }
  // Long thin tori (rows of 3 and 6 spins) and J != 1 (only K = J / T matters, energies scale with J).
  for (auto [rows, columns] : std::vector<std::pair<int, int>>{{16, 3}, {12, 6}}) {
    const DensityOfStates dos = transfer_density_of_states(rows, columns);
    for (double T : {1.0, kTc, 3.0}) {
      expect_same(kaufman_thermodynamics(rows, columns, 1.0, T), thermodynamics(dos, 1.0, T), "transfer m x n", T);
      expect_same(kaufman_thermodynamics(rows, columns, 2.5, 2.5 * T), thermodynamics(dos, 2.5, 2.5 * T), "J = 2.5",
                  T);
    }
  }
}

TEST(Ising2dExact, KaufmanStaysFiniteAtExtremeSizesAndTemperatures) {
  for (int L : {2, 64, 1000})
    for (double T : {0.01, 0.3, kTc, 1e4}) {
      const Thermodynamics t = kaufman_thermodynamics(L, L, 1.0, T);
      EXPECT_TRUE(std::isfinite(t.log_z) && std::isfinite(t.energy_per_spin) && std::isfinite(t.specific_heat_per_spin))
          << "L = " << L << " T = " << T;
      // log Z lies between the ground-state and infinite-temperature bounds.
      const double N = static_cast<double>(L) * L;
      EXPECT_GE(t.log_z, 2 * N / T - 1e-9 * N);
      EXPECT_LE(t.log_z, 2 * N / T + N * std::log(2.0) + 1e-9 * N);
      EXPECT_GE(t.energy_per_spin, -2.0 - 1e-12);
      EXPECT_LE(t.energy_per_spin, 0.0);
      // The specific heat is exponentially small at low T; its absolute accuracy is ~1e-14.
      EXPECT_GT(t.specific_heat_per_spin, -1e-13);
    }
}

TEST(Ising2dExact, OnsagerLimitsMatchLargeTori) {
  for (double T : {1.0, 1.5, 2.0, 2.5, 3.0, 5.0}) {
    const Thermodynamics k128 = kaufman_thermodynamics(128, 128, 1.0, T);
    const Thermodynamics k256 = kaufman_thermodynamics(256, 256, 1.0, T);
    // Below T_c the torus has two ordered states: log Z exceeds N * (-beta f) by ln 2.
    const double two_states = T < kTc ? -T * std::log(2.0) / (128.0 * 128.0) : 0.0;
    EXPECT_NEAR(k128.free_energy_per_spin - two_states, onsager_free_energy_per_spin(1.0, T), 1e-9) << "T = " << T;
    EXPECT_NEAR(k128.energy_per_spin, onsager_energy_per_spin(1.0, T), 1e-9) << "T = " << T;
    EXPECT_NEAR(k256.specific_heat_per_spin, onsager_specific_heat_per_spin(1.0, T),
                1e-9 * onsager_specific_heat_per_spin(1.0, T))
        << "T = " << T;
  }
  EXPECT_NEAR(onsager_energy_per_spin(1.0, kTc), -std::sqrt(2.0), 1e-14);
  EXPECT_TRUE(std::isinf(onsager_specific_heat_per_spin(1.0, kTc)));
  // The limits are consistent with each other: u = d(beta f)/d beta, c = du/dT (central differences).
  for (double T : {1.7, 2.8}) {
    const double h = 1e-4;
    const double du_dt = (onsager_energy_per_spin(1.0, T + h) - onsager_energy_per_spin(1.0, T - h)) / (2 * h);
    EXPECT_NEAR(du_dt, onsager_specific_heat_per_spin(1.0, T), 1e-6) << "T = " << T;
    const double b = 1 / T, db = 1e-4;
    const double dbf = (onsager_free_energy_per_spin(1.0, 1 / (b + db)) * (b + db) -
                        onsager_free_energy_per_spin(1.0, 1 / (b - db)) * (b - db)) /
                       (2 * db);
    EXPECT_NEAR(dbf, onsager_energy_per_spin(1.0, T), 1e-7) << "T = " << T;
  }
}

TEST(Ising2dExact, YangMagnetization) {
  EXPECT_EQ(yang_magnetization(1.0, kTc * 1.0000001), 0.0);
  EXPECT_EQ(yang_magnetization(1.0, 3.0), 0.0);
  EXPECT_NEAR(yang_magnetization(1.0, 2.0), 0.911319377877496, 1e-12);
  // Near T_c, M ~ (T_c - T)^{1/8}: the log-slope is the exponent beta = 1/8.
  const double t1 = 1e-6, t2 = 1e-8;
  const double slope = std::log(yang_magnetization(1.0, kTc * (1 - t1)) / yang_magnetization(1.0, kTc * (1 - t2))) /
                       std::log(t1 / t2);
  EXPECT_NEAR(slope, 0.125, 1e-4);
  EXPECT_NEAR(yang_magnetization(1.0, 0.2), 1.0, 1e-15);
}

TEST(Ising2dExact, SpecificHeatPeakGrowsLikeLogL) {
  // C_max(L) ~ (8 K_c^2 / pi) ln L: each doubling of L adds (8 K_c^2 / pi) ln 2 = 0.3428; the peak
  // temperature approaches T_c like 1/L from above.
  auto peak = [](int L) {
    double lo = 2.2, hi = 2.6;
    for (int it = 0; it < 80; ++it) {  // golden-section search
      const double a = lo + (hi - lo) * 0.381966, b = lo + (hi - lo) * 0.618034;
      if (kaufman_thermodynamics(L, L, 1.0, a).specific_heat_per_spin >
          kaufman_thermodynamics(L, L, 1.0, b).specific_heat_per_spin)
        hi = b;
      else
        lo = a;
    }
    return std::make_pair(lo, kaufman_thermodynamics(L, L, 1.0, lo).specific_heat_per_spin);
  };
  const double kc = 1 / kTc;
  const double per_doubling = 8 * kc * kc / 3.141592653589793 * std::log(2.0);
  const auto p64 = peak(64), p128 = peak(128), p256 = peak(256);
  EXPECT_NEAR(p256.second - p128.second, per_doubling, 0.01 * per_doubling);
  EXPECT_GT(p128.second - p64.second, p256.second - p128.second);  // approached from above
  for (const auto& [L, p] : std::vector<std::pair<int, std::pair<double, double>>>{{64, p64}, {128, p128}, {256, p256}}) {
    EXPECT_GT(p.first, kTc);
    EXPECT_NEAR(L * (p.first - kTc), 0.81, 0.02) << "L = " << L;
  }
}

TEST(Ising2dExact, RejectsBadArguments) {
  EXPECT_THROW(kaufman_thermodynamics(1, 4, 1.0, 2.0), std::invalid_argument);
  EXPECT_THROW(kaufman_thermodynamics(4, 4, 1.0, 0.0), std::invalid_argument);
  EXPECT_THROW(kaufman_thermodynamics(4, 4, -1.0, 2.0), std::invalid_argument);
  EXPECT_THROW(kaufman_thermodynamics(4, 4, 1.0, std::nan("")), std::invalid_argument);
  EXPECT_THROW(enumerate_density_of_states(5, 5), std::invalid_argument);
  EXPECT_THROW(transfer_density_of_states(4, 7), std::invalid_argument);
  Lattice lattice;
  lattice.L = 1;
  EXPECT_THROW(validate(lattice), lab::UsageError);
  lattice.L = 8;
  lattice.J = 0;
  EXPECT_THROW(validate(lattice), lab::UsageError);
  lattice.J = 1;
  lattice.T = -1;
  EXPECT_THROW(validate(lattice), lab::UsageError);
  lattice.T = 0.001;
  EXPECT_THROW(validate(lattice), lab::UsageError);  // beta J = 1000 overflows
  lattice.T = 2;
  EXPECT_NO_THROW(validate(lattice));
}

TEST(Ising2dExact, EnergyOfConfigurations) {
  Lattice lattice;
  lattice.L = 4;
  std::vector<Spin> s(16, 1);
  EXPECT_EQ(energy(lattice, s.data()), -32.0);
  EXPECT_EQ(magnetization(4, s.data()), 16);
  s[5] = -1;
  EXPECT_EQ(unsatisfied_bonds(4, s.data()), 4);
  for (int i = 0; i < 16; ++i) s[i] = static_cast<Spin>(((i % 4) + (i / 4)) % 2 ? 1 : -1);  // Neel state
  EXPECT_EQ(energy(lattice, s.data()), 32.0);
  EXPECT_EQ(magnetization(4, s.data()), 0);
}

}  // namespace
}  // namespace spinformer::ising2d
