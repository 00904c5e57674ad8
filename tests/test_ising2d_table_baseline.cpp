// The lookup-table baseline of chapter 6's KL thresholds (issue 33) held against enumeration on the
// 4 x 4 torus: its context reads only spins earlier in raster order (so q is a normalised
// autoregressive model), the sample estimate of KL(p || q) / N agrees with the exact sum over all
// 2^16 configurations within 4 standard errors, the exact KL is positive at T_c (a table over three
// neighbours cannot be the Boltzmann distribution) and falls when the context grows, and the model's
// q sums to 1 over all configurations.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ising2d/exact.hpp"
#include "ising2d/samplers.hpp"
#include "ising2d/table_baseline.hpp"

namespace spinformer::ising2d {
namespace {

Lattice lattice_at(int L, double T) {
  Lattice lattice;
  lattice.L = L;
  lattice.T = T;
  return lattice;
}

std::vector<Spin> configuration(unsigned c, int n) {
  std::vector<Spin> s(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) s[static_cast<std::size_t>(i)] = ((c >> i) & 1u) ? -1 : 1;
  return s;
}

// KL(p || q) / N and sum_s q(s) by enumeration of the 4 x 4 torus.
std::pair<double, double> exact_kl_and_mass(const Lattice& lattice, const TableModel& model) {
  const double log_z = kaufman_thermodynamics(lattice).log_z;
  double kl = 0, mass = 0;
  for (unsigned c = 0; c < (1u << 16); ++c) {
    const auto s = configuration(c, 16);
    const double log_p = -lattice.beta() * energy(lattice, s.data()) - log_z;
    const double log_q = model.log_q(4, s.data());
    kl += std::exp(log_p) * (log_p - log_q);
    mass += std::exp(log_q);
  }
  return {kl / 16.0, mass};
}

TEST(Ising2dTableBaseline, ContextReadsOnlyEarlierSpins) {
  const Lattice lattice = lattice_at(4, critical_temperature());
  TableModel model;
  model.fit(wolff_samples(lattice, 2000, {50, 2}, 3));
  std::vector<Spin> s = configuration(0x5a3cu, 16);
  for (int site = 0; site < 16; ++site) {
    const double before = model.up_probability(4, s.data(), site);
    for (int later = site; later < 16; ++later) {
      auto t = s;
      t[static_cast<std::size_t>(later)] = static_cast<Spin>(-t[static_cast<std::size_t>(later)]);
      EXPECT_EQ(model.up_probability(4, t.data(), site), before) << "site " << site << " reads spin " << later;
    }
  }
  // and it does read its earlier neighbours: the up neighbour of site 5 is site 1
  auto t = s;
  t[1] = static_cast<Spin>(-t[1]);
  EXPECT_NE(model.up_probability(4, t.data(), 5), model.up_probability(4, s.data(), 5));
}

TEST(Ising2dTableBaseline, SampleEstimateMatchesEnumerationAndIsPositiveAtTc) {
  const Lattice lattice = lattice_at(4, critical_temperature());
  TableModel model;
  model.fit(wolff_samples(lattice, 20000, {100, 5}, 11));
  const auto [exact, mass] = exact_kl_and_mass(lattice, model);
  EXPECT_NEAR(mass, 1.0, 1e-9);  // a normalised autoregressive model
  const KlEstimate estimate = table_kl_per_spin(lattice, model, wolff_samples(lattice, 20000, {100, 5}, 12));
  EXPECT_EQ(estimate.n, 20000u);
  EXPECT_NEAR(estimate.kl_per_spin, exact, 4 * estimate.standard_error);
  EXPECT_GT(exact, 1e-3);  // three neighbours cannot give the torus's conditionals
  EXPECT_LT(estimate.standard_error, 0.1 * exact);
}

TEST(Ising2dTableBaseline, LargerContextFitsBetterAndHighTemperatureIsNearlyUniform) {
  const Lattice critical = lattice_at(4, critical_temperature());
  const LatticeSamples train = wolff_samples(critical, 20000, {100, 5}, 21);
  TableModel small;
  small.fit(train);
  TableModel large({{-1, 0}, {0, -1}, {1, -1}, {-1, -1}, {1, 0}, {0, 1}});
  large.fit(train);
  EXPECT_LT(exact_kl_and_mass(critical, large).first, 0.7 * exact_kl_and_mass(critical, small).first);

  const Lattice hot = lattice_at(4, 100.0);
  TableModel uniform;
  uniform.fit(wolff_samples(hot, 20000, {20, 2}, 22));
  EXPECT_LT(exact_kl_and_mass(hot, uniform).first, 2e-3);
}

TEST(Ising2dTableBaseline, RejectsBadContextsAndTests) {
  EXPECT_THROW(TableModel(std::vector<Offset>{}), std::invalid_argument);
  EXPECT_THROW(TableModel(std::vector<Offset>{{0, 0}}), std::invalid_argument);
  TableModel model;
  EXPECT_THROW(table_kl_per_spin(lattice_at(4, 2.0), model, LatticeSamples{}), std::invalid_argument);
  LatticeSamples other;
  other.L = 8;
  other.spins.assign(64, 1);
  EXPECT_THROW(table_kl_per_spin(lattice_at(4, 2.0), model, other), std::invalid_argument);
}

}  // namespace
}  // namespace spinformer::ising2d
