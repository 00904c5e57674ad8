// The exact distribution of M = sum_i s_i against brute-force enumeration, and the chi-square test
// built on it against samplers: exact samples pass, samples from the wrong temperature fail.
#include <gtest/gtest.h>

#include <cmath>

#include "ising/estimators.hpp"
#include "ising/exact.hpp"
#include "ising/magnetization_distribution.hpp"
#include "ising/samplers.hpp"

using namespace spinformer::ising;

namespace {

std::vector<double> brute_force_magnetization(const Chain& chain) {
  std::vector<double> p(chain.L + 1, 0.0);
  std::vector<Spin> s(chain.L);
  double z = 0;
  for (long mask = 0; mask < (1L << chain.L); ++mask) {
    int up = 0;
    for (int i = 0; i < chain.L; ++i) up += (s[i] = (mask >> i) & 1 ? 1 : -1) > 0;
    const double w = std::exp(-chain.beta() * energy(chain, s.data()));
    p[up] += w;
    z += w;
  }
  for (auto& x : p) x /= z;
  return p;
}

}  // namespace

TEST(MagnetizationDistribution, MatchesEnumeration) {
  for (auto boundary : {Boundary::periodic, Boundary::open})
    for (int L : {2, 5, 10, 13})
      for (double h : {0.0, 0.4, -1.1})
        for (double T : {0.4, 1.0, 3.0}) {
          const Chain chain{L, 0.8, h, T, boundary};
          const auto exact = magnetization_distribution(chain);
          const auto brute = brute_force_magnetization(chain);
          ASSERT_EQ(exact.size(), brute.size());
          for (std::size_t k = 0; k < exact.size(); ++k)
            EXPECT_NEAR(exact[k], brute[k], 1e-12) << "L=" << L << " h=" << h << " T=" << T << " k=" << k;
        }
}

TEST(MagnetizationDistribution, MeanMatchesTransferMatrix) {
  const Chain chain{200, 1.0, 0.05, 1.5, Boundary::periodic};
  const auto p = magnetization_distribution(chain);
  double mean = 0, total = 0;
  for (std::size_t k = 0; k < p.size(); ++k) mean += p[k] * (2.0 * k - chain.L), total += p[k];
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_NEAR(mean / chain.L, ExactChain(chain).thermodynamics().magnetization_per_spin, 1e-10);
}

TEST(MagnetizationDistribution, ChiSquareAcceptsExactAndRejectsWrongTemperature) {
  const Chain chain{32, 1.0, 0.0, 0.8, Boundary::periodic};
  const auto right = ExactSampler(chain).draw(20000, 11);
  EXPECT_GT(magnetization_chi_square(chain, right).p_value, 1e-3);
  Chain hotter = chain;
  hotter.T = 0.9;  // a 12% error in temperature
  const auto wrong = ExactSampler(hotter).draw(20000, 11);
  EXPECT_LT(magnetization_chi_square(chain, wrong).p_value, 1e-6);
}
