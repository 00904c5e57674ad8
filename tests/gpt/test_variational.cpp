// Reverse-KL training from the Hamiltonian alone (gpt/variational.hpp): on a ring small enough to
// enumerate, KL(q || p) computed exactly over all states must fall from the untrained model's to a
// small value (a wrong sign or a missing baseline would not), and a run is a function of its seed.
#include <gtest/gtest.h>

#include <cmath>

#include "gpt/eval.hpp"
#include "gpt/threads.hpp"
#include "gpt/variational.hpp"

using namespace spinformer;

namespace {
constexpr int kL = 6;
constexpr double kBeta = 0.8;

gpt::ModelConfig tiny() {
  gpt::ModelConfig m;
  m.L = kL;
  m.d_model = 16;
  m.n_heads = 2;
  m.n_layers = 1;
  m.d_ff = 32;
  return m;
}

double ring_energy(const ising::Spin* s) {  // J = 1, periodic
  double e = 0;
  for (int i = 0; i < kL; ++i) e -= double(s[i]) * double(s[(i + 1) % kL]);
  return e;
}

// sum_s q(s) (log q(s) + beta E(s)) + log Z, by enumeration of the 2^L states.
double exact_reverse_kl(const gpt::Model& model) {
  const auto all = gpt::all_configurations(kL);
  const auto log_q = model.log_probability(all);
  double z = 0, kl = 0;
  for (std::size_t k = 0; k < all.size(); ++k) z += std::exp(-kBeta * ring_energy(all.row(k)));
  for (std::size_t k = 0; k < all.size(); ++k)
    kl += std::exp(log_q[k]) * (log_q[k] + kBeta * ring_energy(all.row(k)));
  return kl + std::log(z);
}

gpt::TrainConfig schedule(long steps) {
  gpt::TrainConfig c;
  c.steps = steps;
  c.batch = 128;
  c.lr = 3e-3;
  c.warmup_steps = 10;
  c.seed = 11;
  return c;
}
}  // namespace

TEST(VariationalTraining, ReverseKlFallsToNearZeroOnAnEnumerableRing) {
  gpt::set_threads(1);
  const double before = exact_reverse_kl(gpt::Model(tiny(), schedule(1).seed));
  std::vector<gpt::VariationalCurvePoint> curve;
  const auto model = gpt::train_variational(tiny(), schedule(300), kBeta, ring_energy, &curve, 50);
  const double after = exact_reverse_kl(model);
  EXPECT_GT(before, 0.3);            // the untrained (nearly uniform) model is far from p
  EXPECT_LT(after, 0.02 * kL);       // nats per configuration: below 0.02 per spin
  EXPECT_LT(after, before / 10);
  // the recorded beta f_q approaches beta f = -log Z / L from above
  double z = 0;
  for (const auto& s : {gpt::all_configurations(kL)})
    for (std::size_t k = 0; k < s.size(); ++k) z += std::exp(-kBeta * ring_energy(s.row(k)));
  ASSERT_FALSE(curve.empty());
  EXPECT_NEAR(curve.back().free_energy, -std::log(z) / kL, 0.05);
  EXPECT_EQ(curve.back().step, 299);
}

TEST(VariationalTraining, SameSeedSameParameters) {
  gpt::set_threads(1);
  const auto a = gpt::train_variational(tiny(), schedule(15), kBeta, ring_energy).parameters_flat();
  const auto b = gpt::train_variational(tiny(), schedule(15), kBeta, ring_energy).parameters_flat();
  auto other = schedule(15);
  other.seed = 12;
  const auto c = gpt::train_variational(tiny(), other, kBeta, ring_energy).parameters_flat();
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}
