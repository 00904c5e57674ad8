// The plain-SGD trainer of chapter 7 (gpt/sgd_training.hpp): one step is theta - eta * gradient, a run
// is a function of its seed, and the schedule is the one declared.
#include <gtest/gtest.h>

#include <cmath>

#include "gpt/sgd_training.hpp"
#include "gpt/eval.hpp"
#include "gpt/threads.hpp"
#include "ising/samplers.hpp"
#include "lab/usage_error.hpp"

using namespace spinformer;

namespace {
gpt::ModelConfig tiny() {
  gpt::ModelConfig m;
  m.L = 8;
  m.d_model = 16;
  m.n_heads = 2;
  m.n_layers = 1;
  m.d_ff = 32;
  return m;
}
ising::Chain ring(int L, double T) {
  ising::Chain c;
  c.L = L;
  c.T = T;
  return c;
}
}  // namespace

TEST(SgdTraining, OneStepIsThetaMinusEtaTimesTheGradientOfTheBatch) {
  gpt::set_threads(1);
  const auto mc = tiny();
  const auto chain = ring(8, 1.0);
  gpt::SgdConfig c;
  c.steps = 1;
  c.batch = 8;
  c.eta = 0.5;
  c.eval_every = 1;
  c.seed = 7;
  const gpt::Model start(mc, c.seed);
  const auto theta0 = start.parameters_flat();
  const auto grad = gpt::loss_gradient_flat(start, gpt::online_batch(chain, c, 0));
  const auto eval = ising::ExactSampler(chain).draw(64, 3);
  const auto theta1 = gpt::train_sgd(mc, c, chain, eval).parameters_flat();
  ASSERT_EQ(theta1.size(), theta0.size());
  double moved = 0, worst = 0;
  for (std::size_t i = 0; i < theta0.size(); ++i) {
    moved = std::max(moved, double(std::abs(theta1[i] - theta0[i])));
    worst = std::max(worst, double(std::abs(theta1[i] - (theta0[i] - c.eta * grad[i]))));
  }
  EXPECT_GT(moved, 1e-3);  // the step did something measurable
  EXPECT_LT(worst, 1e-6);  // and exactly the plain SGD step (float rounding only)
}

TEST(SgdTraining, SameSeedSameRunOtherSeedOtherRun) {
  gpt::set_threads(1);
  const auto mc = tiny();
  const auto chain = ring(8, 1.0);
  gpt::SgdConfig c;
  c.steps = 30;
  c.batch = 4;
  c.eta = 0.2;
  c.eval_every = 10;
  const auto eval = ising::ExactSampler(chain).draw(128, 3);
  gpt::SgdResult a, b, other;
  const auto pa = gpt::train_sgd(mc, c, chain, eval, &a).parameters_flat();
  const auto pb = gpt::train_sgd(mc, c, chain, eval, &b).parameters_flat();
  c.seed = 2;
  const auto po = gpt::train_sgd(mc, c, chain, eval, &other).parameters_flat();
  EXPECT_EQ(pa, pb);
  EXPECT_NE(pa, po);
  ASSERT_EQ(a.curve.size(), 4u);
  for (std::size_t k = 0; k < a.curve.size(); ++k) EXPECT_EQ(a.curve[k].kl, b.curve[k].kl);
  // training on the exact chain lowers the KL from the untrained model's
  EXPECT_LT(a.curve.back().kl, a.curve.front().kl);
}

TEST(SgdTraining, WarmupDecayScheduleAndBadInput) {
  gpt::SgdConfig c;
  c.steps = 101;
  c.eta = 0.4;
  c.schedule = "warmup_decay";
  c.warmup_steps = 10;
  c.final_ratio = 0.1;
  EXPECT_NEAR(gpt::learning_rate(c, 0), 0.04, 1e-12);
  EXPECT_NEAR(gpt::learning_rate(c, 9), 0.4, 1e-12);
  EXPECT_NEAR(gpt::learning_rate(c, 10), 0.4, 1e-12);
  EXPECT_NEAR(gpt::learning_rate(c, 100), 0.04, 1e-12);
  EXPECT_NEAR(gpt::learning_rate(c, 55), 0.4 * std::pow(0.1, 0.5), 1e-12);  // geometric: halfway in log eta
  c.eta = -1;
  EXPECT_THROW(gpt::validate(c), lab::UsageError);
  c.eta = 0.1;
  c.optimizer = "momentum";
  EXPECT_THROW(gpt::validate(c), lab::UsageError);
}

// The recorded KL (exact conditional KLs averaged over exact prefixes) estimates the KL that
// enumeration of all 2^L states gives, here for the untrained model (step 0 of a run).
TEST(SgdTraining, RecordedKlMatchesEnumeration) {
  gpt::set_threads(1);
  const auto mc = tiny();
  for (auto boundary : {ising::Boundary::open, ising::Boundary::periodic}) {
    auto chain = ring(8, 1.0);
    chain.boundary = boundary;
    gpt::SgdConfig c;
    c.steps = 1;
    c.eta = 1e-9;  // the model at step 0 is the initial one
    c.seed = 11;
    const auto eval = ising::ExactSampler(chain).draw(20000, 5);
    gpt::SgdResult r;
    gpt::train_sgd(mc, c, chain, eval, &r);
    const auto enumerated = gpt::enumerate_kl(gpt::Model(mc, c.seed), ising::ExactChain(chain));
    ASSERT_GT(enumerated.kl_per_spin, 0.01);  // far from the truth: the check is not about small numbers
    // the sampling error of the prefixes is ~0.2%; a position missing from the sum would be 1/8 off
    EXPECT_NEAR(r.curve.front().kl, enumerated.kl_per_spin, 0.02 * enumerated.kl_per_spin);
    EXPECT_GT(r.curve.front().kl_last, 0);
  }
}
