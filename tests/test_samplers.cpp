// Samplers held against the exact chain: chi-square tests of full configuration frequencies (small L)
// and of energy histograms (L = 32), moments within 4 sigma, a wrong acceptance rule that must fail
// the same tests (power), and reproducibility. All seeds are fixed.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ising/estimators.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/statistics.hpp"

using namespace spinformer::ising;
namespace lab = spinformer::lab;

namespace {

Chain make_chain(int L, double T, double h, Boundary boundary) {
  Chain c;
  c.L = L;
  c.T = T;
  c.h = h;
  c.boundary = boundary;
  return c;
}

// Chi-square of the frequencies of all 2^L configurations against exp(log_probability).
lab::ChiSquareResult configuration_chi_square(const Chain& chain, const SpinSamples& samples) {
  const ExactChain exact(chain);
  const int n_states = 1 << chain.L;
  std::vector<double> expected(n_states), observed(n_states, 0.0);
  std::vector<Spin> s(chain.L);
  for (int k = 0; k < n_states; ++k) {
    for (int i = 0; i < chain.L; ++i) s[i] = ((k >> i) & 1) ? 1 : -1;
    expected[k] = std::exp(exact.log_probability(s.data()));
  }
  for (std::size_t k = 0; k < samples.size(); ++k) {
    int index = 0;
    for (int i = 0; i < chain.L; ++i) index |= (samples.row(k)[i] > 0) << i;
    observed[index] += 1;
  }
  return lab::chi_square_test(observed, expected);
}

void append(SpinSamples& all, const SpinSamples& more) {
  all.L = more.L;
  all.spins.insert(all.spins.end(), more.spins.begin(), more.spins.end());
}

// Scalar Metropolis over many short independent chains, so that the chi-square's independence
// assumption holds; per_chain samples of each chain are schedule.sweeps_between sweeps apart.
SpinSamples scalar_samples(const Chain& chain, int chains, int per_chain, const MetropolisSchedule& schedule,
                           std::uint64_t seed) {
  SpinSamples all;
  for (int c = 0; c < chains; ++c) append(all, scalar_metropolis_samples(chain, per_chain, schedule, seed * 100003 + c));
  return all;
}

// Test-only copy of the scalar Metropolis sweep with a WRONG acceptance min(1, exp(-beta dE / 2)) (i.e.
// sampling at 2T): the same chi-square tests must reject it, which shows that they have power.
SpinSamples wrong_metropolis_samples(const Chain& chain, int chains, int per_chain, const MetropolisSchedule& schedule,
                                     std::uint64_t seed) {
  SpinSamples all;
  all.L = chain.L;
  const int L = chain.L;
  const bool ring = chain.boundary == Boundary::periodic;
  for (int c = 0; c < chains; ++c) {
    lab::Rng rng(seed * 100003 + c);
    std::vector<Spin> s(L);
    for (auto& x : s) x = (rng.next() >> 63) ? 1 : -1;
    auto sweep = [&] {
      for (int a = 0; a < L; ++a) {
        const int i = static_cast<int>(rng.below(L));
        const int left = i > 0 ? s[i - 1] : (ring ? s[L - 1] : 0);
        const int right = i + 1 < L ? s[i + 1] : (ring ? s[0] : 0);
        const double dE = 2 * chain.J * s[i] * (left + right) + 2 * chain.h * s[i];
        if (dE <= 0 || rng.uniform() < std::exp(-chain.beta() * dE / 2)) s[i] = static_cast<Spin>(-s[i]);
      }
    };
    for (long t = 0; t < schedule.equilibration_sweeps; ++t) sweep();
    for (int k = 0; k < per_chain; ++k) {
      if (k > 0)
        for (long t = 0; t < schedule.sweeps_between; ++t) sweep();
      all.spins.insert(all.spins.end(), s.begin(), s.end());
    }
  }
  return all;
}

constexpr double kPass = 1e-3;  // p-value a correct sampler must exceed (fixed seeds: deterministic)
constexpr double kFail = 1e-6;  // p-value a wrong sampler must fall below

}  // namespace

// ---- exact sampler ----------------------------------------------------------------------------------

TEST(SamplerExact, EnergyHistogramMatchesExactDistribution) {
  for (Boundary b : {Boundary::periodic, Boundary::open})
    for (double T : {0.5, 1.0, 2.0, 5.0}) {
      const Chain chain = make_chain(32, T, 0.0, b);
      const SpinSamples samples = ExactSampler(chain).draw(40000, 11);
      const lab::ChiSquareResult r = energy_chi_square(chain, samples);
      EXPECT_GT(r.p_value, kPass) << to_string(b) << " T=" << T << " chi2=" << r.chi2 << " dof=" << r.dof;
      EXPECT_GE(r.dof, 2) << to_string(b) << " T=" << T;
    }
}

TEST(SamplerExact, MomentsAndCorrelationsWithinFourSigma) {
  for (Boundary b : {Boundary::periodic, Boundary::open})
    for (double h : {0.0, 0.3})
      for (double T : {1.0, 2.5}) {
        const Chain chain = make_chain(16, T, h, b);
        const ExactChain exact(chain);
        const Thermodynamics th = exact.thermodynamics();
        const SpinSamples samples = ExactSampler(chain).draw(40000, 5);
        const std::string tag = to_string(b) + " h=" + std::to_string(h) + " T=" + std::to_string(T);

        std::vector<double> m(samples.size());
        for (std::size_t k = 0; k < samples.size(); ++k) {
          double sum = 0;
          for (int i = 0; i < chain.L; ++i) sum += samples.row(k)[i];
          m[k] = sum / chain.L;
        }
        const lab::Estimate mag = lab::mean_and_error(m);
        EXPECT_NEAR(mag.value, th.magnetization_per_spin, 4 * mag.error) << tag;
        const lab::Estimate e = sample_energy_per_spin(chain, samples);
        EXPECT_NEAR(e.value, th.energy_per_spin, 4 * e.error) << tag;
        const lab::Estimate cv = sample_specific_heat_per_spin(chain, samples);
        EXPECT_NEAR(cv.value, th.specific_heat_per_spin, 4 * cv.error) << tag;

        const CorrelationEstimate corr = sample_connected_correlation(chain, samples);
        const std::vector<double> exact_corr = exact.connected_correlation();
        for (int r = 0; r < chain.L; ++r)
          EXPECT_NEAR(corr.value[r], exact_corr[r], 4 * corr.error[r] + 1e-12) << tag << " r=" << r;
      }
}

TEST(SamplerExact, CorrelationLengthOfOpenChain) {
  // Open chain at h = 0: C(r) = t^r exactly, so the fit must recover xi = -1 / ln tanh(beta J).
  const Chain chain = make_chain(64, 1.0, 0.0, Boundary::open);
  const SpinSamples samples = ExactSampler(chain).draw(40000, 3);
  const double exact = -1 / std::log(std::tanh(1.0));
  const lab::Estimate xi = sample_correlation_length(chain, samples);  // jackknifed fit
  EXPECT_NEAR(xi.value, exact, 4 * xi.error);
  EXPECT_LT(xi.error, 0.02 * exact);
  // The overload on C(r) alone gives the same central value.
  EXPECT_DOUBLE_EQ(sample_correlation_length(sample_connected_correlation(chain, samples)).value, xi.value);
}

TEST(SamplerExact, AllConfigurationsWithField) {
  for (Boundary b : {Boundary::periodic, Boundary::open}) {
    const Chain chain = make_chain(6, 1.5, 0.4, b);
    const lab::ChiSquareResult r = configuration_chi_square(chain, ExactSampler(chain).draw(100000, 21));
    EXPECT_GT(r.p_value, kPass) << to_string(b) << " chi2=" << r.chi2 << " dof=" << r.dof;
    EXPECT_GT(r.dof, 40);
    // Power: samples at a different temperature must be rejected by the same test.
    const Chain hotter = make_chain(6, 1.8, 0.4, b);
    EXPECT_LT(configuration_chi_square(chain, ExactSampler(hotter).draw(100000, 21)).p_value, kFail);
  }
}

// ---- Metropolis samplers: full configuration frequencies -------------------------------------------

TEST(SamplerMetropolis, ConfigurationFrequenciesMatchBoltzmann) {
  const MetropolisSchedule schedule{200, 50};
  for (int L : {6, 8})
    for (Boundary b : {Boundary::periodic, Boundary::open})
      for (double h : {0.0, 0.5}) {
        const Chain chain = make_chain(L, 1.0, h, b);
        const std::string tag = "L=" + std::to_string(L) + " " + to_string(b) + " h=" + std::to_string(h);
        const lab::ChiSquareResult scalar = configuration_chi_square(chain, scalar_samples(chain, 5000, 4, schedule, 1));
        EXPECT_GT(scalar.p_value, kPass) << "scalar " << tag << " chi2=" << scalar.chi2 << " dof=" << scalar.dof;
        const lab::ChiSquareResult multi =
            configuration_chi_square(chain, multispin_metropolis_samples(chain, 20000, schedule, 4, 2));
        EXPECT_GT(multi.p_value, kPass) << "multispin " << tag << " chi2=" << multi.chi2 << " dof=" << multi.dof;
      }
}

TEST(SamplerMetropolis, WrongAcceptanceRuleFailsConfigurationTest) {
  const MetropolisSchedule schedule{200, 50};
  for (Boundary b : {Boundary::periodic, Boundary::open}) {
    const Chain chain = make_chain(8, 1.0, 0.0, b);
    const lab::ChiSquareResult r = configuration_chi_square(chain, wrong_metropolis_samples(chain, 5000, 4, schedule, 1));
    EXPECT_LT(r.p_value, kFail) << to_string(b) << " chi2=" << r.chi2;
  }
}

// ---- Metropolis samplers: energy histograms at L = 32 -----------------------------------------------

TEST(SamplerMetropolis, EnergyHistogramL32MatchesExact) {
  const MetropolisSchedule schedule{1000, 20};
  for (Boundary b : {Boundary::periodic, Boundary::open})
    for (double T : {1.0, 2.0}) {
      const Chain chain = make_chain(32, T, 0.0, b);
      const std::string tag = to_string(b) + " T=" + std::to_string(T);
      const lab::ChiSquareResult multi =
          energy_chi_square(chain, multispin_metropolis_samples(chain, 40000, schedule, 10, 3));
      EXPECT_GT(multi.p_value, kPass) << "multispin " << tag << " chi2=" << multi.chi2 << " dof=" << multi.dof;
      const lab::ChiSquareResult scalar = energy_chi_square(chain, scalar_samples(chain, 400, 25, schedule, 4));
      EXPECT_GT(scalar.p_value, kPass) << "scalar " << tag << " chi2=" << scalar.chi2 << " dof=" << scalar.dof;
      const lab::ChiSquareResult wrong = energy_chi_square(chain, wrong_metropolis_samples(chain, 400, 25, schedule, 4));
      EXPECT_LT(wrong.p_value, kFail) << "wrong rule " << tag << " chi2=" << wrong.chi2;
    }
}

TEST(SamplerMetropolis, AttemptsAreCountedPerChain) {
  // Multispin and scalar count attempts the same way: L per sweep per chain.
  const Chain chain = make_chain(32, 1.0, 0.0, Boundary::periodic);
  MultispinMetropolis m(chain, 2, 9);
  m.sweep();
  EXPECT_EQ(m.attempts(), 32u * 128u);
  EXPECT_EQ(m.chains(), 128);
  ScalarMetropolis s(chain, 9);
  s.sweep();
  EXPECT_EQ(s.attempts(), 32u);
  EXPECT_LE(s.accepted(), s.attempts());
}

// ---- reproducibility ---------------------------------------------------------------------------------

TEST(SamplerReproducibility, SameSeedSameSamplesDifferentSeedDifferent) {
  const Chain chain = make_chain(16, 1.5, 0.2, Boundary::periodic);
  const MetropolisSchedule schedule{50, 5};
  const ExactSampler exact(chain);
  EXPECT_EQ(exact.draw(500, 1).spins, exact.draw(500, 1).spins);
  EXPECT_NE(exact.draw(500, 1).spins, exact.draw(500, 2).spins);
  EXPECT_EQ(scalar_metropolis_samples(chain, 200, schedule, 1).spins,
            scalar_metropolis_samples(chain, 200, schedule, 1).spins);
  EXPECT_NE(scalar_metropolis_samples(chain, 200, schedule, 1).spins,
            scalar_metropolis_samples(chain, 200, schedule, 2).spins);
  EXPECT_EQ(multispin_metropolis_samples(chain, 300, schedule, 2, 1).spins,
            multispin_metropolis_samples(chain, 300, schedule, 2, 1).spins);
  EXPECT_NE(multispin_metropolis_samples(chain, 300, schedule, 2, 1).spins,
            multispin_metropolis_samples(chain, 300, schedule, 2, 2).spins);
  const SpinSamples s = multispin_metropolis_samples(chain, 300, schedule, 2, 1);
  EXPECT_EQ(s.size(), 300u);
  EXPECT_EQ(s.L, 16);
}

TEST(SamplerMultispin, CopyChainReadsOneLane) {
  // Chains in different lanes and words are different (independent random starts).
  const Chain chain = make_chain(32, 1.0, 0.0, Boundary::open);
  MultispinMetropolis m(chain, 3, 4);
  std::vector<Spin> a(32), b(32), c(32);
  m.copy_chain(0, a.data());
  m.copy_chain(63, b.data());
  m.copy_chain(191, c.data());
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  for (Spin s : c) EXPECT_TRUE(s == 1 || s == -1);
}

TEST(Estimators, MaxCorrelationZOverHalfTheRing) {
  // L = 6: r = 1..3 count; r = 0 and r > L/2 do not; a zero error bar is skipped.
  const CorrelationEstimate corr{{1.0, 0.5, 0.2, 0.1, 9.0, 9.0}, {0.0, 0.1, 0.0, 0.05, 0.01, 0.01}};
  const std::vector<double> exact{0.0, 0.3, 0.9, 0.2, 0.0, 0.0};
  EXPECT_DOUBLE_EQ(max_correlation_z(corr, exact), 2.0);  // r = 1: |0.5 - 0.3| / 0.1; r = 3: 0.1 / 0.05
}

TEST(SamplerMultispin, ChainsInOneWordAreIndependent) {
  // The 64 chains of one word, 2 sweeps from random starts at T = 5 (far from equilibrium, where a
  // shared random site sequence couples them: a site it skips stays unrelaxed in every chain at once).
  // Over many seeds, the mean correlation between the energies of two chains of the word is the
  // intraclass correlation rho = (F - 1) / (K - 1), F = K Var(word mean) / mean within-word variance;
  // independent chains give F ~ 1 +- sqrt(2 / (seeds - 1)). The shared site sequence of the old
  // sampler gave rho = 0.0037 +- 0.00035 (10 standard errors).
  const Chain chain = make_chain(32, 5.0, 0.0, Boundary::periodic);
  constexpr int kSeeds = 4000, K = 64;
  std::vector<double> word_mean(kSeeds), within(kSeeds);
  std::vector<Spin> s(32);
  for (int seed = 0; seed < kSeeds; ++seed) {
    MultispinMetropolis m(chain, 1, 1000 + seed);
    m.sweep();
    m.sweep();
    std::vector<double> e(K);
    for (int c = 0; c < K; ++c) {
      m.copy_chain(c, s.data());
      e[c] = energy(chain, s.data());
    }
    double mean = 0, var = 0;
    for (double x : e) mean += x / K;
    for (double x : e) var += (x - mean) * (x - mean) / (K - 1);
    word_mean[seed] = mean;
    within[seed] = var;
  }
  double grand = 0, between = 0, within_mean = 0;
  for (int k = 0; k < kSeeds; ++k) grand += word_mean[k] / kSeeds;
  for (int k = 0; k < kSeeds; ++k) between += (word_mean[k] - grand) * (word_mean[k] - grand) / (kSeeds - 1);
  for (double v : within) within_mean += v / kSeeds;
  const double F = K * between / within_mean;
  const double rho = (F - 1) / (K - 1), rho_error = std::sqrt(2.0 / (kSeeds - 1)) / (K - 1);
  EXPECT_LT(std::abs(rho), 4 * rho_error) << "F = " << F << ", rho = " << rho << " +- " << rho_error;
}

TEST(SamplerMultispin, EnergyAndMagnetisationDistributionsMatchExactL32) {
  // One sample per chain (independent chains), 20,000 chains equilibrated for 1000 sweeps: the energy
  // histogram and P(M) of the L = 32 ring against the exact distributions, from the ordered T = 0.5
  // (xi = 27) to T = 5. Power: the same test rejects samples drawn at a 10% different temperature.
  const MetropolisSchedule schedule{1000, 1};
  for (double T : {0.5, 1.0, 5.0}) {
    const Chain chain = make_chain(32, T, 0.0, Boundary::periodic);
    const SpinSamples samples = multispin_metropolis_samples(chain, 20000, schedule, 1, 11);
    const lab::ChiSquareResult e = energy_chi_square(chain, samples), m = magnetization_chi_square(chain, samples);
    EXPECT_GT(e.p_value, kPass) << "T=" << T << " energy chi2=" << e.chi2 << " dof=" << e.dof;
    EXPECT_GT(m.p_value, kPass) << "T=" << T << " P(M) chi2=" << m.chi2 << " dof=" << m.dof;
    const Chain other = make_chain(32, 1.1 * T, 0.0, Boundary::periodic);
    EXPECT_LT(energy_chi_square(other, samples).p_value, kFail) << "T=" << T;
  }
}

TEST(SamplerMultispin, WhyHeatBathSequentialMetropolisDoesNotMix) {
  // The multi-spin sampler sweeps sites in order (so that its chains share no randomness) and must
  // therefore use the heat bath: the Metropolis rule in the same order always flips dE = 0 spins at
  // h = 0, carries domain walls ballistically and does not sample the Boltzmann distribution. This
  // test-only sequential Metropolis (independent chains, one sample each) must fail the chi-square
  // of all 2^6 configurations of an L = 6 ring that the multi-spin heat bath passes (measured: chi2 =
  // 3.2e5 against 43, 41 degrees of freedom).
  const Chain chain = make_chain(6, 1.0, 0.0, Boundary::periodic);
  const int L = chain.L, chains = 20000;
  SpinSamples sequential_metropolis{L, {}};
  lab::Rng rng(5);
  for (int c = 0; c < chains; ++c) {
    std::vector<Spin> s(L);
    for (auto& x : s) x = (rng.next() >> 63) ? 1 : -1;
    for (int sweep = 0; sweep < 200; ++sweep)
      for (int i = 0; i < L; ++i) {
        const double dE = 2 * chain.J * s[i] * (s[(i + L - 1) % L] + s[(i + 1) % L]);
        if (dE <= 0 || rng.uniform() < std::exp(-chain.beta() * dE)) s[i] = static_cast<Spin>(-s[i]);
      }
    sequential_metropolis.spins.insert(sequential_metropolis.spins.end(), s.begin(), s.end());
  }
  const lab::ChiSquareResult wrong = configuration_chi_square(chain, sequential_metropolis);
  EXPECT_LT(wrong.p_value, kFail) << "chi2=" << wrong.chi2 << " dof=" << wrong.dof;
  const lab::ChiSquareResult heat_bath =
      configuration_chi_square(chain, multispin_metropolis_samples(chain, chains, {200, 1}, 1, 5));
  EXPECT_GT(heat_bath.p_value, kPass) << "chi2=" << heat_bath.chi2 << " dof=" << heat_bath.dof;
}

TEST(SamplerExact, RingCorrelationErrorAtHalfLength) {
  // Independent samples of a hot ring (C(r) ~ 0 beyond r = 2): (1/L) sum_i s_i s_{i+r} has L distinct
  // products at r < L/2 but only L/2, each counted twice, at r = L/2, so its standard error there is
  // sqrt(2) larger. With 200 jackknife blocks the estimated errors resolve it (20 blocks carry a 16 %
  // error of their own); the values do not depend on the blocks.
  const Chain chain = make_chain(32, 5.0, 0.0, Boundary::periodic);
  const SpinSamples samples = ExactSampler(chain).draw(40000, 11);
  const CorrelationEstimate fine = sample_connected_correlation(chain, samples, 200);
  const CorrelationEstimate coarse = sample_connected_correlation(chain, samples);
  double bulk = 0;
  for (int r = 4; r <= 12; ++r) bulk += fine.error[r] / 9;
  EXPECT_NEAR(fine.error[16] / bulk, std::sqrt(2.0), 0.15);
  EXPECT_NEAR(bulk, 1 / std::sqrt(32.0 * 40000), 0.1 / std::sqrt(32.0 * 40000));
  for (int r = 0; r < 32; ++r) EXPECT_DOUBLE_EQ(fine.value[r], coarse.value[r]);
  EXPECT_THROW(sample_connected_correlation(chain, samples, 1), std::invalid_argument);
}
