// SK model: RS overlap and de Almeida-Thouless line at the known points; the binary SK Monte Carlo
// (parallel tempering) against exact enumeration; replica overlap statistics; the RSB measurement
// on SK well below and well above the AT line.
#include <gtest/gtest.h>

#include <cmath>

#include "glass/replicas.hpp"
#include "glass/sk.hpp"
#include "glass/sk_monte_carlo.hpp"
#include "lab/usage_error.hpp"

using namespace spinformer;
namespace sk = spinformer::glass::sk;

namespace {
template <class F>
void expect_usage_error(F f, const std::string& parameter) {
  try {
    f();
    FAIL() << "no UsageError for " << parameter;
  } catch (const lab::UsageError& e) {
    EXPECT_EQ(e.parameter(), parameter);
  }
}
}  // namespace

TEST(GaussHermite, ExactForPolynomialMoments) {
  const auto& rule = sk::gauss_hermite_rule(40);
  double w = 0;
  for (double x : rule.weights) w += x;
  EXPECT_NEAR(w, 1.0, 1e-13);
  const double moments[] = {1, 0, 1, 0, 3, 0, 15, 0, 105, 0, 945};  // E z^k, z ~ N(0, 1)
  for (int k = 0; k <= 10; ++k)
    EXPECT_NEAR(sk::gauss_hermite_average([k](double z) { return std::pow(z, k); }, 40), moments[k],
                1e-10 * (1 + moments[k]))
        << "k = " << k;
}

TEST(GaussHermite, AgreesWithAdaptiveWhereBothApply) {
  for (double width : {1.0, 1.5, 3.0})
    for (double center : {-2.0, 0.0, 1.0}) {
      auto f = [&](double z) { return std::pow(std::tanh((z - center) / width), 2); };
      EXPECT_NEAR(sk::gauss_hermite_average(f, 128), sk::adaptive_gaussian_average(f, center, width), 1e-10)
          << "width " << width << " center " << center;
    }
}

TEST(SkReplicaSymmetric, SolvesItsEquation) {
  for (double T : {0.05, 0.2, 0.5, 0.9, 1.3})
    for (double h : {0.0, 0.05, 0.3, 1.0, 2.5}) {
      const double q = sk::rs_overlap(T, h);
      const double sq = std::sqrt(q), beta = 1 / T;
      auto f = [&](double z) { return std::pow(std::tanh(beta * (sq * z + h)), 2); };
      const double rhs = sk::adaptive_gaussian_average(f, sq > 0 ? -h / sq : 0.0, sq > 0 ? T / sq : 1.0);
      EXPECT_NEAR(q, rhs, 1e-9) << "T " << T << " h " << h;
      if (h > 0 || T < 1) {
        EXPECT_GT(q, 0) << "T " << T << " h " << h;
      }
    }
  EXPECT_EQ(sk::rs_overlap(1.0, 0.0), 0.0);
  EXPECT_EQ(sk::rs_overlap(2.0, 0.0), 0.0);
  // near T = 1 at h = 0: q = tau + O(tau^2), tau = 1 - T
  EXPECT_NEAR(sk::rs_overlap(0.999, 0.0) / 0.001, 1.0, 0.01);
  // low T, h = 0: 1 - q ~ sqrt(2/pi) T
  EXPECT_NEAR((1 - sk::rs_overlap(0.01, 0.0)) / 0.01, std::sqrt(2 / M_PI), 0.02);
  EXPECT_EQ(sk::rs_overlap(0.7, -0.4), sk::rs_overlap(0.7, 0.4));
}

TEST(SkAtLine, KnownPoints) {
  EXPECT_EQ(sk::at_temperature(0.0), 1.0);
  // small h: h^2 ~ (4/3) (1 - T)^3, the ratio tending to 1 as h -> 0
  double previous_error = 1;
  for (double h : {1e-2, 1e-3, 1e-4}) {
    const double T = sk::at_temperature(h);
    const double ratio = h * h / (4.0 / 3.0 * std::pow(1 - T, 3));
    const double error = std::abs(ratio - 1);
    EXPECT_LT(error, previous_error) << "h " << h;
    previous_error = error;
  }
  EXPECT_LT(previous_error, 0.01);
  // large h: T_AT ~ (4 / (3 sqrt(2 pi))) exp(-h^2 / 2)
  const double h = 3.5, T = sk::at_temperature(h);
  EXPECT_NEAR(T / (4 / (3 * std::sqrt(2 * M_PI)) * std::exp(-h * h / 2)), 1.0, 0.1);
  // on the line the replicon vanishes; it is positive above and negative below
  for (double hh : {0.1, 0.5, 1.0, 2.0}) {
    const double t = sk::at_temperature(hh);
    EXPECT_NEAR(sk::replicon(t, hh), 0.0, 1e-9) << "h " << hh;
    EXPECT_GT(sk::replicon(1.05 * t, hh), 0) << "h " << hh;
    EXPECT_LT(sk::replicon(0.95 * t, hh), 0) << "h " << hh;
    EXPECT_NEAR(sk::at_field(t), hh, 1e-8 * (1 + hh));
    if (hh > 0.1) {
      EXPECT_LT(t, sk::at_temperature(hh - 0.1));  // monotone
    }
  }
  EXPECT_EQ(sk::at_field(1.2), 0.0);
}

TEST(SkAtLine, BadInput) {
  expect_usage_error([] { sk::rs_overlap(0.0, 0.1); }, "--T");
  expect_usage_error([] { sk::rs_overlap(-1.0, 0.1); }, "--T");
  expect_usage_error([] { sk::rs_overlap(NAN, 0.1); }, "--T");
  expect_usage_error([] { sk::rs_overlap(0.5, INFINITY); }, "--h");
  expect_usage_error([] { sk::at_temperature(NAN); }, "--h");
  expect_usage_error([] { sk::at_temperature(9.0); }, "--h");
}

TEST(SkMonteCarlo, IncrementalEnergyMatchesScratch) {
  const auto inst = sk::Instance::random(40, 0.3, 5);
  EXPECT_TRUE(inst.J.isApprox(inst.J.transpose()));
  sk::ParallelTempering pt(inst, {0.3, 0.6, 1.0, 1.5}, 7);
  pt.sweeps(200);
  for (int k = 0; k < pt.size(); ++k) EXPECT_NEAR(pt.energy(k), pt.energy_from_scratch(k), 1e-9);
}

// Exact Boltzmann averages of a small instance by enumeration: a wrong acceptance or swap rule fails.
TEST(SkMonteCarlo, MatchesExactEnumeration) {
  const int N = 10;
  const auto inst = sk::Instance::random(N, 0.4, 11);
  const std::vector<double> temps{0.3, 0.5, 0.8, 1.2};
  std::vector<double> exact_e(temps.size()), exact_m(temps.size());
  for (std::size_t k = 0; k < temps.size(); ++k) {
    double z = 0, e_sum = 0, m_sum = 0, e_min = 1e300;
    std::vector<double> energies(1 << N), mags(1 << N);
    for (int c = 0; c < (1 << N); ++c) {
      std::vector<signed char> s(N);
      double m = 0;
      for (int i = 0; i < N; ++i) m += s[i] = (c >> i & 1) ? 1 : -1;
      energies[c] = inst.energy(s), mags[c] = m / N;
      e_min = std::min(e_min, energies[c]);
    }
    for (int c = 0; c < (1 << N); ++c) {
      const double w = std::exp(-(energies[c] - e_min) / temps[k]);
      z += w, e_sum += w * energies[c], m_sum += w * mags[c];
    }
    exact_e[k] = e_sum / z / N, exact_m[k] = m_sum / z;
  }
  sk::ParallelTempering pt(inst, temps, 3);
  pt.sweeps(500);
  const int n = 40000;
  std::vector<std::vector<double>> e(temps.size()), m(temps.size());
  for (int t = 0; t < n; ++t) {
    pt.sweep();
    for (int k = 0; k < pt.size(); ++k) {
      double mm = 0;
      for (auto s : pt.configuration(k)) mm += s;
      e[k].push_back(pt.energy(k) / N);
      m[k].push_back(mm / N);
    }
  }
  for (std::size_t k = 0; k < temps.size(); ++k) {
    for (auto [series, exact, name] : {std::tuple{&e[k], exact_e[k], "energy"}, std::tuple{&m[k], exact_m[k], "m"}}) {
      const auto tau = lab::integrated_autocorrelation(*series);
      auto est = lab::mean_and_error(*series);
      const double err = est.error * std::sqrt(tau.tau_int);
      EXPECT_LT(std::abs(est.value - exact), 4.5 * err + 1e-12) << name << " at T " << temps[k];
    }
  }
}

TEST(ReplicaOverlaps, StatisticsOfKnownSeries) {
  glass::OverlapSeries uniform(20, Eigen::MatrixXd::Constant(4, 4, 0.6));
  for (auto& m : uniform) m.diagonal().setOnes();
  const auto st = glass::overlap_statistics(uniform, 1.0 / 64);
  EXPECT_NEAR(st.q.value, 0.6, 1e-12);
  EXPECT_NEAR(st.chi.value, 0.0, 1e-12);
  EXPECT_EQ(glass::classify(st, 64), glass::Phase::field_aligned);
  // replicas trapped in two states: pairs at +0.8 and -0.2 alternately -> var = 0.25 q-spread
  glass::OverlapSeries broken(30, Eigen::MatrixXd::Identity(4, 4));
  for (auto& m : broken)
    for (int a = 0; a < 4; ++a)
      for (int b = a + 1; b < 4; ++b) m(a, b) = m(b, a) = (a % 2 == b % 2) ? 0.8 : -0.2;
  const auto sb = glass::overlap_statistics(broken, 1.0 / 64);
  const double mean = (2 * 0.8 + 4 * -0.2) / 6.0;
  const double var = (2 * 0.64 + 4 * 0.04) / 6.0 - mean * mean;
  EXPECT_NEAR(sb.q.value, mean, 1e-12);
  EXPECT_NEAR(sb.chi.value, var * 64, 1e-9);
  EXPECT_GT(sb.chi.error, 0);  // the replica jackknife sees the pair-to-pair differences
  EXPECT_EQ(glass::classify(sb, 64), glass::Phase::rsb);
  glass::OverlapSeries zero(10, Eigen::MatrixXd::Identity(3, 3));
  EXPECT_EQ(glass::classify(glass::overlap_statistics(zero, 1.0 / 64), 64), glass::Phase::paramagnetic);
  expect_usage_error([] { glass::overlap_statistics(glass::OverlapSeries(3, Eigen::MatrixXd::Ones(1, 1)), 1.0); },
                     "--replicas");
}

// The measurement of chapter 4 on binary SK at N = 64 (parallel tempering, 5 replicas): clearly RSB
// well below the AT line at h = 0, replica-symmetric well above it (high T; strong field at low T).
TEST(SkReplicaMeasurement, FindsRsbBelowAndRsAboveTheAtLine) {
  const int N = 64;
  sk::ReplicaRunOptions opt;
  opt.replicas = 5, opt.burn_in_sweeps = 1000, opt.sweeps = 4000, opt.thin = 5, opt.seed = 42;
  const std::vector<double> temps{0.3, 0.38, 0.47, 0.58, 0.7, 0.85, 1.0, 1.2, 1.45, 1.75};
  const auto run0 = sk::run_replicas(sk::Instance::random(N, 0.0, 9), temps, opt);
  const auto low = glass::overlap_statistics(run0.overlaps[0], 1.0 / N);     // T = 0.3, h = 0
  const auto high = glass::overlap_statistics(run0.overlaps.back(), 1.0 / N);  // T = 1.75, h = 0
  EXPECT_EQ(glass::classify(low, N), glass::Phase::rsb) << "chi " << low.chi.value;
  EXPECT_EQ(glass::classify(high, N), glass::Phase::paramagnetic) << "chi " << high.chi.value;
  // paramagnet at h = 0: chi_SG = 1 / (1 - beta^2) in the large-N limit
  EXPECT_NEAR(high.chi.value, 1 / (1 - 1 / (1.75 * 1.75)), 0.5);
  const auto run2 = sk::run_replicas(sk::Instance::random(N, 2.0, 9), temps, opt);  // T_AT(2) = 0.071
  const auto strong = glass::overlap_statistics(run2.overlaps[0], 1.0 / N);           // T = 0.3
  EXPECT_EQ(glass::classify(strong, N), glass::Phase::field_aligned) << "chi " << strong.chi.value;
  EXPECT_NEAR(strong.q.value, sk::rs_overlap(0.3, 2.0), 0.05);
}
