// The 2D samplers held against the exact torus: mean energy and specific heat per spin within 4
// standard errors (errors from independent chains, so autocorrelation is accounted for) at L = 4, 8
// and T in {2.0, T_c, 2.6}, and L = 16 at T_c; the joint histogram of (energy, magnetisation) on the 4 x 4 torus against
// enumeration; the same tests fail for a sampler run at the wrong temperature (power); the bit-sliced
// bookkeeping equals a direct count; same seed, same samples. All seeds are fixed.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "ising2d/exact.hpp"
#include "ising2d/measurements.hpp"
#include "ising2d/samplers.hpp"
#include "lab/statistics.hpp"

namespace spinformer::ising2d {
namespace {

const double kTc = critical_temperature();

Lattice make_lattice(int L, double T) {
  Lattice lattice;
  lattice.L = L;
  lattice.T = T;
  return lattice;
}

double z_score(const lab::Estimate& e, double exact) { return (e.value - exact) / e.error; }

// Exact P(u, M) of the 4 x 4 torus by enumeration, flattened as u * 17 + (M + 16) / 2.
std::vector<double> joint_distribution_4x4(double T) {
  const Lattice lattice = make_lattice(4, T);
  std::vector<double> p(33 * 17, 0.0);
  std::vector<Spin> s(16);
  for (unsigned c = 0; c < (1u << 16); ++c) {
    for (int i = 0; i < 16; ++i) s[i] = ((c >> i) & 1u) ? -1 : 1;
    const long u = unsatisfied_bonds(4, s.data()), M = magnetization(4, s.data());
    p[static_cast<std::size_t>(u * 17 + (M + 16) / 2)] += std::exp(-lattice.beta() * (energy(lattice, s.data()) + 32));
  }
  double z = 0;
  for (double x : p) z += x;
  for (double& x : p) x /= z;
  return p;
}

lab::ChiSquareResult joint_chi_square(const LatticeSamples& samples, const std::vector<double>& expected) {
  std::vector<double> observed(expected.size(), 0.0);
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const long u = unsatisfied_bonds(4, samples.row(k)), M = magnetization(4, samples.row(k));
    observed[static_cast<std::size_t>(u * 17 + (M + 16) / 2)] += 1;
  }
  return lab::chi_square_test(observed, expected);
}

// ---- energy and specific heat against Kaufman, L = 4, 8 across T_c ---------------------------------

struct Point {
  int L;
  double T;
  std::uint64_t seed;
};

class Ising2dSamplerPoint : public ::testing::TestWithParam<Point> {};

void expect_matches_exact(const ChainMeasurement& m, const Point& p, double max_energy_error, double max_c_error) {
  const Thermodynamics exact = kaufman_thermodynamics(make_lattice(p.L, p.T));
  EXPECT_LT(std::abs(z_score(m.energy_per_spin, exact.energy_per_spin)), 4)
      << "L = " << p.L << " T = " << p.T << " e = " << m.energy_per_spin.value << " +- " << m.energy_per_spin.error
      << " exact " << exact.energy_per_spin;
  EXPECT_LT(std::abs(z_score(m.specific_heat_per_spin, exact.specific_heat_per_spin)), 4)
      << "L = " << p.L << " T = " << p.T << " c = " << m.specific_heat_per_spin.value << " +- "
      << m.specific_heat_per_spin.error << " exact " << exact.specific_heat_per_spin;
  // The errors are small enough for the test to mean something.
  EXPECT_LT(m.energy_per_spin.error, max_energy_error);
  EXPECT_LT(m.specific_heat_per_spin.error, max_c_error * exact.specific_heat_per_spin);
}

TEST_P(Ising2dSamplerPoint, CheckerboardMetropolisMatchesExactEnergyAndSpecificHeat) {
  const Point p = GetParam();
  MeasurementPlan plan;
  plan.equilibration_sweeps = 1000;
  plan.sweeps = 8000;
  expect_matches_exact(measure_checkerboard_metropolis(make_lattice(p.L, p.T), plan, p.seed), p, 2e-3, 0.01);
}

TEST_P(Ising2dSamplerPoint, WolffMatchesExactEnergyAndSpecificHeat) {
  const Point p = GetParam();
  MeasurementPlan plan;
  plan.equilibration_sweeps = 100;
  plan.sweeps = 1500;
  plan.chains = 32;
  expect_matches_exact(measure_wolff(make_lattice(p.L, p.T), plan, p.seed + 100), p, 5e-3, 0.02);
}

INSTANTIATE_TEST_SUITE_P(Ising2dAcrossTc, Ising2dSamplerPoint,
                         ::testing::Values(Point{4, 2.0, 11}, Point{4, kTc, 12}, Point{4, 2.6, 13}, Point{8, 2.0, 14},
                                           Point{8, kTc, 15}, Point{8, 2.6, 16}, Point{16, kTc, 17}));

TEST(Ising2dSamplers, WrongTemperatureFailsTheSameTests) {
  // Samplers run at 2.4 but compared with the exact T_c curve: the z-tests must reject both.
  const Lattice wrong = make_lattice(8, 2.4);
  const Thermodynamics exact = kaufman_thermodynamics(make_lattice(8, kTc));
  MeasurementPlan plan;
  plan.equilibration_sweeps = 1000;
  plan.sweeps = 8000;
  EXPECT_GT(std::abs(z_score(measure_checkerboard_metropolis(wrong, plan, 5).energy_per_spin, exact.energy_per_spin)),
            10);
  plan.equilibration_sweeps = 100;
  plan.sweeps = 1500;
  plan.chains = 32;
  EXPECT_GT(std::abs(z_score(measure_wolff(wrong, plan, 5).energy_per_spin, exact.energy_per_spin)), 10);
}

// ---- full distribution on the 4 x 4 torus ---------------------------------------------------------------

TEST(Ising2dSamplers, JointEnergyMagnetizationHistogramsMatchEnumeration) {
  for (double T : {2.0, kTc, 2.6}) {
    const std::vector<double> exact = joint_distribution_4x4(T);
    const Lattice lattice = make_lattice(4, T);
    // tau_int at L = 4 is ~3 sweeps (Metropolis) and ~2 (Wolff): 20 and 5 sweeps apart is independent
    // enough for Pearson's test.
    const LatticeSamples metropolis = checkerboard_metropolis_samples(lattice, 64 * 300, {500, 20}, 300, 31);
    const lab::ChiSquareResult a = joint_chi_square(metropolis, exact);
    EXPECT_GT(a.p_value, 1e-4) << "checkerboard T = " << T << " chi2 = " << a.chi2 << " dof = " << a.dof;
    const LatticeSamples wolff = wolff_samples(lattice, 20000, {100, 5}, 32);
    const lab::ChiSquareResult b = joint_chi_square(wolff, exact);
    EXPECT_GT(b.p_value, 1e-4) << "Wolff T = " << T << " chi2 = " << b.chi2 << " dof = " << b.dof;
    LatticeSamples scalar;
    scalar.L = 4;
    ScalarMetropolis chain(lattice, 33);
    for (int k = 0; k < 500; ++k) chain.sweep();
    for (int k = 0; k < 8000; ++k) {
      for (int t = 0; t < 20; ++t) chain.sweep();
      scalar.spins.insert(scalar.spins.end(), chain.spins().begin(), chain.spins().end());
    }
    const lab::ChiSquareResult c = joint_chi_square(scalar, exact);
    EXPECT_GT(c.p_value, 1e-4) << "scalar T = " << T << " chi2 = " << c.chi2 << " dof = " << c.dof;
  }
  // Power: samples at T = 2.5 against the T_c distribution.
  const LatticeSamples off = checkerboard_metropolis_samples(make_lattice(4, 2.5), 64 * 300, {500, 20}, 300, 34);
  EXPECT_LT(joint_chi_square(off, joint_distribution_4x4(kTc)).p_value, 1e-6);
  // Power: a Wolff chain sampled whenever the flipped-spin count crosses a multiple of 5 L^2 (a
  // size-biased stopping time, the bug samplers.hpp warns about) must be rejected.
  const Lattice lattice = make_lattice(4, 2.6);
  Wolff chain(lattice, 35);
  LatticeSamples biased;
  biased.L = 4;
  for (int k = 0; k < 20000; ++k) {
    const std::uint64_t target = chain.flipped() + 5 * 16;
    while (chain.flipped() < target) chain.step();
    biased.spins.insert(biased.spins.end(), chain.spins().begin(), chain.spins().end());
  }
  EXPECT_LT(joint_chi_square(biased, joint_distribution_4x4(2.6)).p_value, 1e-6);
}

TEST(Ising2dSamplers, ScalarMetropolisMatchesExactEnergyAtCriticality) {
  // 16 independent scalar chains at L = 8, T_c: the mean of the chain means within 4 errors.
  const Lattice lattice = make_lattice(8, kTc);
  std::vector<double> means;
  for (int c = 0; c < 16; ++c) {
    ScalarMetropolis chain(lattice, 100 + static_cast<std::uint64_t>(c));
    for (int k = 0; k < 500; ++k) chain.sweep();
    double sum = 0;
    const int sweeps = 4000;
    for (int k = 0; k < sweeps; ++k) {
      chain.sweep();
      sum += energy(lattice, chain.spins().data()) / 64.0;
    }
    means.push_back(sum / sweeps);
  }
  const lab::Estimate e = lab::mean_and_error(means);
  EXPECT_LT(std::abs(z_score(e, kaufman_thermodynamics(lattice).energy_per_spin)), 4) << e.value << " +- " << e.error;
}

// ---- bookkeeping and reproducibility -----------------------------------------------------------------------

TEST(Ising2dSamplers, BitSlicedCountsEqualDirectCounts) {
  CheckerboardMetropolis m(make_lattice(6, kTc), 2, 7);
  for (int k = 0; k < 37; ++k) m.sweep();
  const std::vector<long> u = m.unsatisfied_bonds(), M = m.magnetizations();
  std::vector<Spin> s(36);
  for (int c = 0; c < m.chains(); ++c) {
    m.copy_chain(c, s.data());
    EXPECT_EQ(u[c], unsatisfied_bonds(6, s.data())) << "chain " << c;
    EXPECT_EQ(M[c], magnetization(6, s.data())) << "chain " << c;
  }
  EXPECT_EQ(m.attempts(), 37u * 36u * 128u);
}

TEST(Ising2dSamplers, LowTemperatureOrdersAndHighTemperatureDisorders) {
  // Yang's magnetisation at T = 2.0 (finite-size corrections at L = 32 are far below the error).
  MeasurementPlan plan;
  plan.equilibration_sweeps = 500;
  plan.sweeps = 1000;
  const ChainMeasurement cold = measure_checkerboard_metropolis(make_lattice(32, 2.0), plan, 3);
  EXPECT_LT(std::abs(cold.abs_magnetization_per_spin.value - 0.911319377877496),
            4 * cold.abs_magnetization_per_spin.error + 1e-3);
  const ChainMeasurement hot = measure_checkerboard_metropolis(make_lattice(32, 5.0), plan, 3);
  EXPECT_LT(hot.abs_magnetization_per_spin.value, 0.05);
}

TEST(Ising2dSamplers, WolffEquilibratesFromRandomStartOnLargeLattices) {
  // From a random start the first Wolff clusters are tiny; equilibration counted in clusters alone
  // left L = 128 disordered. At T = 2.0 every sample must be ordered (Yang: |m| = 0.911).
  const LatticeSamples s = wolff_samples(make_lattice(128, 2.0), 4, {20, 1}, 41);
  for (std::size_t k = 0; k < s.size(); ++k)
    EXPECT_GT(std::abs(static_cast<double>(magnetization(128, s.row(k)))) / (128.0 * 128.0), 0.8) << "sample " << k;
}

TEST(Ising2dSamplers, SameSeedSameSamples) {
  const Lattice lattice = make_lattice(8, kTc);
  const LatticeSamples a = checkerboard_metropolis_samples(lattice, 100, {50, 2}, 1, 9);
  const LatticeSamples b = checkerboard_metropolis_samples(lattice, 100, {50, 2}, 1, 9);
  const LatticeSamples c = checkerboard_metropolis_samples(lattice, 100, {50, 2}, 1, 10);
  EXPECT_EQ(a.spins, b.spins);
  EXPECT_NE(a.spins, c.spins);
  EXPECT_EQ(a.size(), 100u);
  const LatticeSamples w1 = wolff_samples(lattice, 50, {10, 1}, 9);
  const LatticeSamples w2 = wolff_samples(lattice, 50, {10, 1}, 9);
  EXPECT_EQ(w1.spins, w2.spins);
  EXPECT_EQ(w1.size(), 50u);
}

TEST(Ising2dSamplers, CheckerboardNeedsEvenL) {
  EXPECT_THROW(CheckerboardMetropolis(make_lattice(5, 2.0), 1, 1), std::invalid_argument);
  EXPECT_THROW(ScalarMetropolis(make_lattice(7, 2.0), 1), std::invalid_argument);
  EXPECT_NO_THROW(Wolff(make_lattice(5, 2.0), 1));
}

TEST(Ising2dSamplers, DynamicExponentFitRecoversAPowerLaw) {
  const std::vector<int> sizes = {4, 8, 16, 32};
  std::vector<lab::Estimate> taus;
  for (int L : sizes) taus.push_back({3.0 * std::pow(L, 2.17), 0.05 * 3.0 * std::pow(L, 2.17)});
  const lab::Estimate z = fit_dynamic_exponent(sizes, taus);
  EXPECT_NEAR(z.value, 2.17, 1e-12);
  EXPECT_GT(z.error, 0);
}

}  // namespace
}  // namespace spinformer::ising2d
