// ExactChain against brute-force enumeration (L <= 14), the closed forms of the reference sheet,
// its own conditionals, and extreme L / T.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "ising/exact.hpp"
#include "lab/usage_error.hpp"
#include "spin_states.hpp"

namespace spinformer::ising {
namespace {

Chain make_chain(int L, double J, double h, double T, Boundary boundary) {
  Chain c;
  c.L = L;
  c.J = J;
  c.h = h;
  c.T = T;
  c.boundary = boundary;
  return c;
}

// Everything about a small chain by summing over all 2^L states. Spin i of state c is -1 iff bit i is set.
struct BruteForce {
  double log_z = 0;
  Thermodynamics thermo;
  std::vector<double> profile, corr;
  std::vector<std::vector<double>> prefix_marginal;  // [n][prefix of length n]
  std::map<int, std::pair<double, long>> by_walls;   // k -> (probability, count)
};

using test_support::state;

BruteForce enumerate(const Chain& chain) {
  const int L = chain.L;
  const unsigned n = 1u << L;
  const double beta = chain.beta();
  std::vector<double> E(n), M(n), p(n);
  std::vector<std::vector<Spin>> states(n);
  double max_lw = -std::numeric_limits<double>::infinity();
  for (unsigned c = 0; c < n; ++c) {
    states[c] = state(L, c);
    E[c] = energy(chain, states[c].data());
    M[c] = 0;
    for (Spin s : states[c]) M[c] += s;
    max_lw = std::max(max_lw, -beta * E[c]);
  }
  double z = 0;
  for (unsigned c = 0; c < n; ++c) z += std::exp(-beta * E[c] - max_lw);
  BruteForce bf;
  bf.log_z = max_lw + std::log(z);
  for (unsigned c = 0; c < n; ++c) p[c] = std::exp(-beta * E[c] - bf.log_z);

  // Two-pass moments: means first, then central moments.
  double mean_e = 0, mean_m = 0;
  bf.profile.assign(L, 0.0);
  for (unsigned c = 0; c < n; ++c) {
    mean_e += p[c] * E[c];
    mean_m += p[c] * M[c];
    for (int i = 0; i < L; ++i) bf.profile[i] += p[c] * states[c][i];
  }
  double var_e = 0, var_m = 0;
  for (unsigned c = 0; c < n; ++c) {
    var_e += p[c] * (E[c] - mean_e) * (E[c] - mean_e);
    var_m += p[c] * (M[c] - mean_m) * (M[c] - mean_m);
  }
  bf.thermo.log_z = bf.log_z;
  bf.thermo.energy_per_spin = mean_e / L;
  bf.thermo.magnetization_per_spin = mean_m / L;
  bf.thermo.specific_heat_per_spin = beta * beta * var_e / L;
  bf.thermo.susceptibility_per_spin = beta * var_m / L;

  const bool ring = chain.boundary == Boundary::periodic;
  bf.corr.assign(L, 0.0);
  for (int r = 0; r < L; ++r) {
    const int pairs = ring ? L : L - r;
    double sum = 0;
    for (int i = 0; i < pairs; ++i) {
      const int j = (i + r) % L;
      for (unsigned c = 0; c < n; ++c)
        sum += p[c] * (states[c][i] - bf.profile[i]) * (states[c][j] - bf.profile[j]);
    }
    bf.corr[r] = sum / pairs;
  }

  bf.prefix_marginal.assign(L + 1, {});
  for (int len = 0; len <= L; ++len) {
    bf.prefix_marginal[len].assign(1u << len, 0.0);
    for (unsigned c = 0; c < n; ++c) bf.prefix_marginal[len][c & ((1u << len) - 1)] += p[c];
  }

  for (unsigned c = 0; c < n; ++c) {
    int walls = 0;
    for (int i = 0; i + 1 < L; ++i) walls += states[c][i] != states[c][i + 1];
    if (ring) walls += states[c][L - 1] != states[c][0];
    bf.by_walls[walls].first += p[c];
    bf.by_walls[walls].second += 1;
  }
  return bf;
}

double scaled_tol(double expected, double tol) { return tol * std::max(1.0, std::abs(expected)); }

struct Couplings {
  double J, h, T;
};
const Couplings kCouplings[] = {
    {1.0, 0.0, 1.0},  {1.0, 0.3, 1.5},  {-1.0, 0.5, 1.0}, {0.7, -0.4, 0.3}, {-1.2, 0.0, 0.3},
    {1.0, 0.25, 0.3}, {0.0, 0.6, 0.8},  {-0.8, -1.5, 0.3}, {0.5, 2.5, 0.7},
    // Very low T, antiferromagnet in a field: stresses the cancellation-free open-chain end-vector term.
    {-1.0, 0.8, 0.05},
};

using BruteParam = std::tuple<int, Boundary, int>;
class ExactBruteForce : public ::testing::TestWithParam<BruteParam> {};

TEST_P(ExactBruteForce, MatchesEnumeration) {
  const auto [L, boundary, which] = GetParam();
  const Couplings& k = kCouplings[which];
  const Chain chain = make_chain(L, k.J, k.h, k.T, boundary);
  const ExactChain exact(chain);
  const BruteForce bf = enumerate(chain);
  constexpr double tol = 1e-10;

  const Thermodynamics t = exact.thermodynamics();
  EXPECT_NEAR(exact.log_partition(), bf.log_z, scaled_tol(bf.log_z, tol));
  EXPECT_NEAR(t.log_z, bf.log_z, scaled_tol(bf.log_z, tol));
  EXPECT_NEAR(t.energy_per_spin, bf.thermo.energy_per_spin, tol);
  EXPECT_NEAR(t.magnetization_per_spin, bf.thermo.magnetization_per_spin, tol);
  EXPECT_NEAR(t.specific_heat_per_spin, bf.thermo.specific_heat_per_spin,
              scaled_tol(bf.thermo.specific_heat_per_spin, tol));
  EXPECT_NEAR(t.susceptibility_per_spin, bf.thermo.susceptibility_per_spin,
              scaled_tol(bf.thermo.susceptibility_per_spin, tol));

  const std::vector<double> profile = exact.magnetization_profile();
  const std::vector<double> corr = exact.connected_correlation();
  ASSERT_EQ(profile.size(), static_cast<std::size_t>(L));
  ASSERT_EQ(corr.size(), static_cast<std::size_t>(L));
  for (int i = 0; i < L; ++i) EXPECT_NEAR(profile[i], bf.profile[i], tol) << "site " << i;
  for (int r = 0; r < L; ++r) EXPECT_NEAR(corr[r], bf.corr[r], tol) << "r = " << r;

  // Conditionals against ratios of brute-force prefix marginals, for every state and site.
  for (unsigned c = 0; c < (1u << L); ++c) {
    const std::vector<Spin> s = state(L, c);
    double sum_log = 0;
    for (int i = 0; i < L; ++i) {
      const double before = bf.prefix_marginal[i][c & ((1u << i) - 1)];
      const double up = bf.prefix_marginal[i + 1][c & ((1u << i) - 1)] / before;  // bit i clear: s_i = +1
      const double actual = bf.prefix_marginal[i + 1][c & ((1u << (i + 1)) - 1)] / before;
      const Spin prev = i == 0 ? Spin{+1} : s[i - 1];
      sum_log += exact.log_conditional(s.data(), i);
      // At T = 0.05 some brute-force marginals are sums of underflowed terms: compare only where they are
      // far above the subnormal range (the dropped terms are then < 1e-100 relative).
      if (before > 1e-200) {
        EXPECT_NEAR(exact.conditional_up(i, prev, s[0]), up, tol) << "state " << c << " site " << i;
      }
      if (actual * before > 1e-200) {
        EXPECT_NEAR(exact.log_conditional(s.data(), i), std::log(actual), scaled_tol(std::log(actual), tol));
      }
    }
    const double log_p = exact.log_probability(s.data());
    EXPECT_NEAR(log_p, -chain.beta() * energy(chain, s.data()) - bf.log_z, scaled_tol(log_p, tol));
    EXPECT_NEAR(sum_log, log_p, scaled_tol(log_p, 1e-12));
    if (::testing::Test::HasFailure()) break;  // one state's report is enough
  }

  if (k.h != 0) {
    EXPECT_THROW(exact.energy_distribution(), std::logic_error);
    return;
  }
  const std::vector<EnergyLevel> levels = exact.energy_distribution();
  ASSERT_EQ(levels.size(), bf.by_walls.size());
  double total = 0;
  for (std::size_t n = 0; n < levels.size(); ++n) {
    const EnergyLevel& level = levels[n];
    if (n > 0) {
      EXPECT_LE(levels[n - 1].energy, level.energy);
    }
    ASSERT_EQ(bf.by_walls.count(level.domain_walls), 1u) << "k = " << level.domain_walls;
    const auto [prob, count] = bf.by_walls.at(level.domain_walls);
    EXPECT_NEAR(level.probability, prob, tol);
    EXPECT_NEAR(level.log_count, std::log(static_cast<double>(count)), 1e-12);
    EXPECT_DOUBLE_EQ(level.energy, -chain.J * (chain.bonds() - 2 * level.domain_walls));
    total += level.probability;
  }
  EXPECT_NEAR(total, 1.0, 1e-14);
}

INSTANTIATE_TEST_SUITE_P(ExactSmallChains, ExactBruteForce,
                         ::testing::Combine(::testing::Values(2, 3, 5, 8, 11, 14),
                                            ::testing::Values(Boundary::periodic, Boundary::open),
                                            ::testing::Range(0, static_cast<int>(std::size(kCouplings)))));

// ---- closed forms from the reference sheet ------------------------------------------------------

TEST(ExactClosedForm, PeriodicZeroFieldCorrelation) {
  for (const auto& [L, J, T] : {std::tuple{50, 1.0, 1.0}, std::tuple{33, 1.0, 0.4}, std::tuple{33, -1.0, 0.7},
                                std::tuple{40, -1.0, 0.5}, std::tuple{7, 0.5, 2.0}, std::tuple{1001, 1.0, 0.2}}) {
    const ExactChain exact(make_chain(L, J, 0.0, T, Boundary::periodic));
    const double t = std::tanh(J / T);
    const std::vector<double> corr = exact.connected_correlation();
    for (int r = 0; r < L; ++r)
      EXPECT_NEAR(corr[r], (std::pow(t, r) + std::pow(t, L - r)) / (1 + std::pow(t, L)), 1e-12)
          << "L " << L << " J " << J << " T " << T << " r " << r;
    for (double m : exact.magnetization_profile()) EXPECT_NEAR(m, 0.0, 1e-14);
    // log|t| = log1p(-2 / (e^{2|K|} + 1)): std::log(tanh) would lose digits as |t| -> 1.
    const double log_abs_t = std::log1p(-2 / (std::exp(2 * std::abs(J / T)) + 1));
    EXPECT_NEAR(exact.correlation_length(), -1 / log_abs_t, 1e-12 * exact.correlation_length());
  }
}

TEST(ExactClosedForm, OpenZeroFieldCorrelationIsTanhPower) {
  for (const auto& [L, J, T] : {std::tuple{40, 1.0, 1.0}, std::tuple{25, -1.0, 0.6}, std::tuple{300, 1.0, 0.3}}) {
    const ExactChain exact(make_chain(L, J, 0.0, T, Boundary::open));
    const double t = std::tanh(J / T);
    const std::vector<double> corr = exact.connected_correlation();
    for (int r = 0; r < L; ++r) EXPECT_NEAR(corr[r], std::pow(t, r), 1e-12) << "r " << r;
    for (double m : exact.magnetization_profile()) EXPECT_NEAR(m, 0.0, 1e-14);
    // log Z = log 2 + (L - 1) log(2 cosh K)
    const double log_z = std::log(2.0) + (L - 1) * std::log(2 * std::cosh(J / T));
    EXPECT_NEAR(exact.log_partition(), log_z, 1e-13 * log_z);
  }
}

// lambda_pm = e^K cosh H +- sqrt(e^{2K} sinh^2 H + e^{-2K}) from the sheet.
std::pair<double, double> sheet_eigenvalues(double K, double H) {
  const double root = std::sqrt(std::exp(2 * K) * std::sinh(H) * std::sinh(H) + std::exp(-2 * K));
  return {std::exp(K) * std::cosh(H) + root, std::exp(K) * std::cosh(H) - root};
}

TEST(ExactClosedForm, PeriodicPartitionAndCorrelationLengthFromEigenvalues) {
  for (const auto& [L, J, h, T] : {std::tuple{20, 1.0, 0.3, 1.2}, std::tuple{21, -1.0, 0.4, 0.8},
                                   std::tuple{16, -0.5, -1.0, 1.0}, std::tuple{9, 2.0, 0.1, 3.0}}) {
    const ExactChain exact(make_chain(L, J, h, T, Boundary::periodic));
    const auto [lp, lm] = sheet_eigenvalues(J / T, h / T);
    const double log_z = std::log(std::pow(lp, L) + std::pow(lm, L));
    EXPECT_NEAR(exact.log_partition(), log_z, 1e-13 * std::abs(log_z));
    EXPECT_NEAR(exact.correlation_length(), 1 / std::log(lp / std::abs(lm)), 1e-12 * exact.correlation_length());
  }
  EXPECT_EQ(ExactChain(make_chain(10, 0.0, 0.5, 1.0, Boundary::periodic)).correlation_length(), 0.0);
}

TEST(ExactClosedForm, BulkThermodynamicsOfLongRing) {
  // Long ring, rho^L ~ 0: bulk formulas hold to rounding. e = -J tanh K at h = 0, c = K^2 / cosh^2 K,
  // chi = beta e^{2K}; with a field m = sinh H / sqrt(sinh^2 H + e^{-4K}).
  const double J = 1.0, T = 1.0, K = J / T;
  const Thermodynamics t = ExactChain(make_chain(2000, J, 0.0, T, Boundary::periodic)).thermodynamics();
  EXPECT_NEAR(t.energy_per_spin, -J * std::tanh(K), 1e-13);
  EXPECT_NEAR(t.specific_heat_per_spin, K * K / std::pow(std::cosh(K), 2), 1e-13);
  EXPECT_NEAR(t.magnetization_per_spin, 0.0, 1e-14);
  EXPECT_NEAR(t.susceptibility_per_spin, std::exp(2 * K) / T, 1e-12);
  const double h = 0.3, H = h / T;
  const Thermodynamics tf = ExactChain(make_chain(5000, J, h, T, Boundary::periodic)).thermodynamics();
  EXPECT_NEAR(tf.magnetization_per_spin, std::sinh(H) / std::sqrt(std::sinh(H) * std::sinh(H) + std::exp(-4 * K)),
              1e-13);
  const auto [lp, lm] = sheet_eigenvalues(K, H);
  EXPECT_NEAR(tf.log_z / 5000, std::log(lp), 1e-13);
  (void)lm;
}

// ---- conditionals multiply back to p(s) ------------------------------------------------------------

TEST(ExactConditionals, MultiplyBackToProbability) {
  std::mt19937_64 rng(20240611);
  for (int L : {32, 200})
    for (Boundary boundary : {Boundary::periodic, Boundary::open})
      for (const auto& k : {Couplings{1.0, 0.0, 1.0}, Couplings{-1.0, 0.3, 0.5}, Couplings{1.0, 0.2, 0.05},
                            Couplings{0.8, -0.7, 3.0}}) {
        const ExactChain exact(make_chain(L, k.J, k.h, k.T, boundary));
        std::vector<Spin> s(L);
        for (int trial = 0; trial < 20; ++trial) {
          // Half the trials are uniform, half are near-ordered (few walls), which are the likely ones at low T.
          for (int i = 0; i < L; ++i) s[i] = (rng() % (trial % 2 ? 2 : 16)) == 0 ? -1 : +1;
          double sum = 0;
          for (int i = 0; i < L; ++i) {
            const double up = exact.conditional_up(i, i ? s[i - 1] : Spin{1}, s[0]);
            EXPECT_TRUE(up >= 0 && up <= 1);
            const double lc = exact.log_conditional(s.data(), i);
            EXPECT_NEAR(std::exp(lc), s[i] > 0 ? up : 1 - up, 1e-12);
            sum += lc;
          }
          const double log_p = exact.log_probability(s.data());
          EXPECT_NEAR(sum, log_p, 1e-12 * std::max(1.0, std::abs(log_p))) << "L " << L << " T " << k.T;
        }
      }
}

// ---- extreme length and temperature -------------------------------------------------------------

// Stable closed forms at h = 0: log lambda_+ = |K| + log1p(e^{-2|K|}), log|t| = log1p(-2 / (e^{2|K|} + 1)).
TEST(ExactStability, LongChainsAtExtremeTemperatures) {
  for (double T : {0.05, 50.0})
    for (double J : {1.0, -1.0})
      for (int L : {100000, 100001}) {
        const double K = J / T, log_lp = std::abs(K) + std::log1p(std::exp(-2 * std::abs(K)));
        const double log_abs_t = std::log1p(-2 / (std::exp(2 * std::abs(K)) + 1));
        const bool negative_tl = J < 0 && L % 2 == 1;
        const double abs_tl = std::exp(L * log_abs_t);  // |t|^L
        const double one_plus_tl = negative_tl ? -std::expm1(L * log_abs_t) : 1 + abs_tl;
        const double bound = std::abs(J);

        const ExactChain ring(make_chain(L, J, 0.0, T, Boundary::periodic));
        const Thermodynamics t = ring.thermodynamics();
        const double log_z = L * log_lp + std::log(one_plus_tl);
        EXPECT_NEAR(t.log_z, log_z, 1e-12 * log_z) << "T " << T << " J " << J << " L " << L;
        // e = -J [tanh K + t^{L-1} (1 - t^2) / (1 + t^L)], t^{L-1} = |t|^{L-1} when L odd and J < 0.
        const double t_lm1 = (J < 0 && L % 2 == 0 ? -1 : 1) * std::exp((L - 1) * log_abs_t);
        const double e = -J * (std::tanh(K) + t_lm1 / std::pow(std::cosh(K), 2) / one_plus_tl);
        EXPECT_NEAR(t.energy_per_spin, e, 1e-12);
        EXPECT_GE(t.energy_per_spin, -bound);
        EXPECT_LE(t.energy_per_spin, bound);
        EXPECT_TRUE(std::isfinite(t.specific_heat_per_spin));
        EXPECT_GE(t.specific_heat_per_spin, 0.0);
        EXPECT_TRUE(std::isfinite(t.susceptibility_per_spin));
        EXPECT_GE(t.susceptibility_per_spin, 0.0);
        EXPECT_NEAR(t.magnetization_per_spin, 0.0, 1e-12);
        if (T > 1) {
          EXPECT_NEAR(t.specific_heat_per_spin, K * K / std::pow(std::cosh(K), 2), 1e-13);
        }

        const ExactChain open(make_chain(L, J, 0.0, T, Boundary::open));
        const Thermodynamics o = open.thermodynamics();
        const double log_z_open = std::log(2.0) + (L - 1) * log_lp;
        EXPECT_NEAR(o.log_z, log_z_open, 1e-12 * log_z_open);
        EXPECT_NEAR(o.energy_per_spin, -J * std::tanh(K) * (L - 1) / L, 1e-12);
        // Open h = 0: c = (L-1)/L K^2 / cosh^2 K exactly; check it relatively, even when ~1e-15.
        const double c_open = (L - 1.0) / L * K * K / std::pow(std::cosh(K), 2);
        EXPECT_NEAR(o.specific_heat_per_spin, c_open, 1e-9 * c_open);

        // Conditionals stay finite; the ordered state is the most likely one.
        std::vector<Spin> up(L, Spin{1});
        double sum = 0;
        for (int i = 0; i < L; ++i) sum += open.log_conditional(up.data(), i);
        EXPECT_NEAR(sum, open.log_probability(up.data()), 1e-12 * std::max(1.0, std::abs(sum)));
        EXPECT_TRUE(std::isfinite(ring.correlation_length()));
      }
}

TEST(ExactStability, LongChainInAFieldAtLowTemperature) {
  for (Boundary boundary : {Boundary::periodic, Boundary::open})
    for (double J : {1.0, -1.0}) {
      const ExactChain exact(make_chain(100000, J, 0.3, 0.05, boundary));
      const Thermodynamics t = exact.thermodynamics();
      for (double x : {t.log_z, t.energy_per_spin, t.magnetization_per_spin, t.specific_heat_per_spin,
                       t.susceptibility_per_spin})
        EXPECT_TRUE(std::isfinite(x));
      EXPECT_GE(t.energy_per_spin, -std::abs(J) - 0.3);
      EXPECT_LE(t.energy_per_spin, std::abs(J) + 0.3);
      EXPECT_GE(t.specific_heat_per_spin, 0.0);
      EXPECT_GE(t.susceptibility_per_spin, 0.0);
      EXPECT_LE(std::abs(t.magnetization_per_spin), 1.0);
      // Ferromagnet: the all-up state dominates; antiferromagnet with h < 2|J|: Neel order, m ~ 0.
      if (J > 0) {
        EXPECT_NEAR(t.magnetization_per_spin, 1.0, 1e-10);
      } else {
        EXPECT_NEAR(t.magnetization_per_spin, 0.0, 1e-4);
      }
      // Ground-state energy per spin dominates: -|J| - h m (bulk).
      EXPECT_NEAR(t.energy_per_spin, J > 0 ? -J - 0.3 : J, 1e-4);
    }
}

// ---- input validation ---------------------------------------------------------------------------

TEST(ExactValidation, RejectsBadChainsNamingTheFlag) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const std::tuple<Chain, const char*> cases[] = {
      {make_chain(1, 1, 0, 1, Boundary::periodic), "--L"}, {make_chain(0, 1, 0, 1, Boundary::open), "--L"},
      {make_chain(8, 1, 0, 0, Boundary::periodic), "--T"}, {make_chain(8, 1, 0, -1, Boundary::open), "--T"},
      {make_chain(8, 1, 0, nan, Boundary::open), "--T"},   {make_chain(8, 1, 0, inf, Boundary::open), "--T"},
      {make_chain(8, nan, 0, 1, Boundary::open), "--J"},   {make_chain(8, inf, 0, 1, Boundary::open), "--J"},
      {make_chain(8, 1, nan, 1, Boundary::open), "--h"},   {make_chain(8, 1, -inf, 1, Boundary::open), "--h"},
  };
  for (const auto& [chain, flag] : cases) {
    for (int use_ctor = 0; use_ctor < 2; ++use_ctor) {
      try {
        if (use_ctor) {
          ExactChain exact(chain);
        } else {
          validate(chain);
        }
        ADD_FAILURE() << "no UsageError for " << flag;
      } catch (const lab::UsageError& e) {
        EXPECT_EQ(e.parameter(), flag);
      }
    }
  }
  EXPECT_NO_THROW(ExactChain(make_chain(2, -3, 1, 0.5, Boundary::open)));
}

TEST(ExactValidation, EnergyDistributionNeedsZeroField) {
  EXPECT_THROW(ExactChain(make_chain(8, 1, 0.1, 1, Boundary::periodic)).energy_distribution(), std::logic_error);
  EXPECT_NO_THROW(ExactChain(make_chain(8, 1, 0.0, 1, Boundary::periodic)).energy_distribution());
}

}  // namespace
}  // namespace spinformer::ising
