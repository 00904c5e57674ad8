// The attention bias of chapter 5 beyond test_gpt.cpp: the other two (kind, shape) combinations by hand,
// causality and normalisation with a bias strong enough to dominate the logits and a large softmax scale,
// the key/value-cache sampler under a bias, and a learned slope that actually learns.
#include <gtest/gtest.h>

#include <cmath>

#include "gpt/eval.hpp"
#include "gpt/gpt.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising/samplers.hpp"
#include "lab/rng.hpp"
#include "lab/statistics.hpp"

using namespace spinformer;
using gpt::BiasKind;
using gpt::BiasShape;
using gpt::Model;
using gpt::ModelConfig;

namespace {

const int kThreads = gpt::set_threads(1);

ModelConfig config(int L, BiasKind kind, BiasShape shape, double slope, bool learned = false, double scale = 1.0) {
  ModelConfig c;
  c.L = L;
  c.d_model = 16;
  c.n_heads = 2;
  c.n_layers = 2;
  c.d_ff = 32;
  c.bias = kind;
  c.bias_shape = shape;
  c.bias_slope = slope;
  c.bias_learned = learned;
  c.attention_scale = scale;
  return c;
}

ising::SpinSamples random_configs(int L, std::size_t n, std::uint64_t seed) {
  lab::Rng rng(seed);
  ising::SpinSamples s;
  s.L = L;
  for (std::size_t k = 0; k < n * static_cast<std::size_t>(L); ++k) s.spins.push_back(rng.uniform() < 0.5 ? 1 : -1);
  return s;
}

}  // namespace

TEST(GptBiasMatrix, PeriodicExponentialAndDistanceLinearByHand) {
  // L = 4: periodic distances d(i, j) = min(|i - j|, 4 - |i - j|)
  const double d_periodic[4][4] = {{0, 1, 2, 1}, {1, 0, 1, 2}, {2, 1, 0, 1}, {1, 2, 1, 0}};
  const auto pe = Model(config(4, BiasKind::periodic, BiasShape::exp, 0.7), 1).bias_matrix(1, 1);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(pe[i * 4 + j], std::exp(-0.7 * d_periodic[i][j]), 1e-6) << i << "," << j;
  EXPECT_NEAR(pe[0 * 4 + 3], 0.4965853038, 1e-6);  // exp(-0.7): the closing pair is a neighbour

  const auto dl = Model(config(4, BiasKind::distance, BiasShape::linear, 0.25), 1).bias_matrix(0, 1);
  const double expected[16] = {0, -0.25, -0.5, -0.75, -0.25, 0, -0.25, -0.5, -0.5, -0.25, 0, -0.25, -0.75, -0.5, -0.25, 0};
  for (int k = 0; k < 16; ++k) EXPECT_NEAR(dl[k], expected[k], 1e-7) << "entry " << k;
}

// A slope of 3 makes the bias dominate the (small, freshly initialised) query-key logits, and a scale of
// 8 blows those up: the causal mask must still win, and the model must still be normalised.
TEST(GptBiasMatrix, StrongBiasAndLargeScaleKeepCausalityAndNormalisation) {
  const int L = 7;
  for (auto kind : {BiasKind::distance, BiasKind::periodic})
    for (auto shape : {BiasShape::linear, BiasShape::exp}) {
      const Model model(config(L, kind, shape, shape == BiasShape::linear ? 3.0 : -2.0, true, 8.0), 5);
      const auto base = random_configs(L, 8, 2);
      const auto p = model.conditional_up(base);
      for (int j = 0; j < L; ++j) {
        auto flipped = base;
        for (std::size_t k = 0; k < flipped.size(); ++k) flipped.row(k)[j] = static_cast<ising::Spin>(-flipped.row(k)[j]);
        const auto q = model.conditional_up(flipped);
        for (std::size_t k = 0; k < base.size(); ++k)
          for (int i = 0; i <= j; ++i)
            EXPECT_LT(std::abs(p[k * L + i] - q[k * L + i]), 1e-6)
                << gpt::to_string(kind) << "/" << gpt::to_string(shape) << ": p(s_" << i << ") moved with s_" << j;
      }
      double total = 0;
      for (double lp : model.log_probability(gpt::all_configurations(L))) total += std::exp(lp);
      EXPECT_NEAR(total, 1.0, 1e-5) << gpt::to_string(kind) << "/" << gpt::to_string(shape);
    }
}

// The sampler (key/value cache, one position at a time, bias row by row) must draw from the same
// distribution that the full forward pass assigns. Trained briefly so the model is far from uniform.
TEST(GptBiasTraining, SamplerFollowsTheModelUnderAPeriodicBiasAndTheSlopeLearns) {
  ising::Chain chain;
  chain.L = 5;
  chain.T = 0.7;
  const auto data = ising::ExactSampler(chain).draw(3000, 3);
  gpt::TrainOptions o;
  o.config.steps = 200;
  o.config.batch = 64;
  o.config.lr = 3e-3;
  o.config.warmup_steps = 10;
  o.config.eval_every = 100;
  o.config.checkpoint_every = 0;
  o.threads = 1;
  o.progress = false;
  auto c = config(5, BiasKind::periodic, BiasShape::linear, 0.5, true);
  const Model model = gpt::train(c, o, data, {});

  // the slope moved away from its initial value in some layer and head
  double moved = 0;
  for (int l = 0; l < 2; ++l)
    for (int h = 0; h < 2; ++h) moved = std::max(moved, std::abs(-model.bias_matrix(l, h)[1] - 0.5));
  EXPECT_GT(moved, 1e-3);

  const auto all = gpt::all_configurations(5);
  const auto log_p = model.log_probability(all);
  const auto samples = model.sample(40000, 17);
  std::vector<double> counts(all.size(), 0.0), probabilities;
  for (std::size_t k = 0; k < samples.size(); ++k) {
    std::size_t state = 0;
    for (int i = 0; i < 5; ++i) state |= static_cast<std::size_t>(samples.row(k)[i] > 0) << i;
    counts[state] += 1;
  }
  for (double lp : log_p) probabilities.push_back(std::exp(lp));
  const auto test = lab::chi_square_test(counts, probabilities);
  EXPECT_GT(test.p_value, 1e-4) << "chi2 " << test.chi2 << " dof " << test.dof;
  // and it is far from uniform, so the test has power
  double largest = 0;
  for (double p : probabilities) largest = std::max(largest, p);
  EXPECT_GT(largest, 3.0 / 32);
}
