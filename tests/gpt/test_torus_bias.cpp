// The 2D torus attention bias (BiasKind::torus): distances on the a x a torus in raster order by hand,
// the fused kernel against the LibTorch path under it (evaluation, training, sampling), the checkpoint
// round trip and the refusal of an L that is no square.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <unistd.h>

#include "gpt/eval.hpp"
#include "gpt/gpt.hpp"
#include "gpt/kernels.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising2d/samplers.hpp"
#include "lab/rng.hpp"
#include "lab/statistics.hpp"
#include "lab/usage_error.hpp"

#include "both_paths.hpp"

using namespace spinformer;
using gpt::BiasKind;
using gpt::BiasShape;
using gpt::Model;
using gpt::ModelConfig;

namespace {

const int kThreads = gpt::set_threads(1);

ModelConfig torus(int L, BiasShape shape, double slope, bool learned = false) {
  ModelConfig c;
  c.L = L;
  c.d_model = 16;
  c.n_heads = 2;
  c.n_layers = 2;
  c.d_ff = 32;
  c.bias = BiasKind::torus;
  c.bias_shape = shape;
  c.bias_slope = slope;
  c.bias_learned = learned;
  return c;
}

// Wolff samples of the a x a torus at T, in raster order, as chain-shaped rows of L = a^2 spins.
ising::SpinSamples lattice_samples(int a, double T, std::size_t n, std::uint64_t seed) {
  ising2d::Lattice lattice;
  lattice.L = a;
  lattice.T = T;
  ising2d::Wolff wolff(lattice, seed);
  wolff.burn_in(20);
  ising::SpinSamples out;
  out.L = a * a;
  for (std::size_t k = 0; k < n; ++k) {
    for (int s = 0; s < 3; ++s) wolff.step();
    out.spins.insert(out.spins.end(), wolff.spins().begin(), wolff.spins().end());
  }
  return out;
}

}  // namespace

// 4 x 4 torus, raster order (site s at x = s mod 4, y = s div 4). Query i predicts site i; key j >= 1
// holds site j - 1; the start token (j = 0) is at distance 0. Linear slope 0.5: P = -0.5 d.
TEST(GptTorusBias, BiasMatrixOfA4x4TorusByHand) {
  const auto b = Model(torus(16, BiasShape::linear, 0.5), 1).bias_matrix(1, 0);
  ASSERT_EQ(b.size(), 256u);
  struct Entry {
    int i, j;
    double d;
  };
  const Entry entries[] = {
      {0, 0, 0},    // the start token
      {9, 0, 0},    // the start token, at every query
      {1, 1, 1},    // site 1 = (1, 0) predicted, site 0 = (0, 0) held: the left neighbour
      {5, 5, 1},    // (1, 1) from (0, 1)
      {5, 2, 1},    // (1, 1) from (1, 0): the neighbour above, a = 4 sites back
      {5, 1, 2},    // (1, 1) from (0, 0): the diagonal
      {3, 1, 1},    // (3, 0) from (0, 0): a neighbour across the periodic x boundary
      {12, 1, 1},   // (0, 3) from (0, 0): across the y boundary
      {15, 1, 2},   // (3, 3) from (0, 0): diagonal across both
      {10, 1, 4},   // (2, 2) from (0, 0): the farthest site
      {9, 3, 3},    // (1, 2) from (2, 0)
      {14, 12, 2},  // (2, 3) from site 11 = (3, 2)
  };
  for (const auto& e : entries) EXPECT_NEAR(b[e.i * 16 + e.j], -0.5 * e.d, 1e-7) << "i " << e.i << ", j " << e.j;
  // the exponential shape on the same distances: exp(-0.7 d)
  const auto e = Model(torus(16, BiasShape::exp, 0.7), 1).bias_matrix(0, 1);
  EXPECT_NEAR(e[10 * 16 + 1], std::exp(-0.7 * 4), 1e-7);
  EXPECT_NEAR(e[5 * 16 + 2], std::exp(-0.7), 1e-7);
  EXPECT_NEAR(e[7 * 16 + 0], 1.0, 1e-7);
}

// Seed-literal mode (query and key both hold their own site): every row has the torus's distance shells
// d = 0, 1, 2, 3, 4 with 1, 4, 6, 4, 1 sites, and the matrix is symmetric.
TEST(GptTorusBias, SeedLiteralRowsHaveTheTorusShells) {
  auto c = torus(16, BiasShape::linear, 1.0);
  c.seed_literal = true;
  const auto b = Model(c, 1).bias_matrix(0, 0);
  for (int i = 0; i < 16; ++i) {
    std::map<int, int> shells;
    for (int j = 0; j < 16; ++j) {
      ++shells[static_cast<int>(std::lround(-b[i * 16 + j]))];
      EXPECT_EQ(b[i * 16 + j], b[j * 16 + i]);
    }
    EXPECT_EQ(shells, (std::map<int, int>{{0, 1}, {1, 4}, {2, 6}, {3, 4}, {4, 1}})) << "row " << i;
  }
}

TEST(GptTorusBias, ANonSquareLIsRefused) {
  for (int L : {2, 8, 12, 15, 17, 63}) {
    try {
      gpt::validate(torus(L, BiasShape::linear, 0.5));
      ADD_FAILURE() << "L = " << L << " accepted";
    } catch (const lab::UsageError& e) {
      EXPECT_EQ(e.parameter(), "--attention-bias") << "L = " << L;
    }
    EXPECT_THROW(Model(torus(L, BiasShape::linear, 0.5), 1), lab::UsageError);
  }
  for (int L : {4, 9, 16, 64, 256}) EXPECT_NO_THROW(gpt::validate(torus(L, BiasShape::exp, 0.5))) << L;
  EXPECT_EQ(gpt::torus_side(256), 16);
  EXPECT_EQ(gpt::torus_side(255), 0);
  EXPECT_EQ(gpt::parse_bias_kind("torus"), BiasKind::torus);
  EXPECT_EQ(gpt::to_string(BiasKind::torus), "torus");
}

TEST(GptTorusBias, CheckpointRoundTripKeepsTheKind) {
  const auto path = (std::filesystem::temp_directory_path() / ("spinformer_torus_" + std::to_string(::getpid()) + ".pt")).string();
  const Model model(torus(9, BiasShape::exp, 0.3, true), 4);
  model.save(path);
  const Model loaded = Model::load(path);
  EXPECT_EQ(loaded.config().bias, BiasKind::torus);
  EXPECT_EQ(loaded.config().bias_shape, BiasShape::exp);
  EXPECT_TRUE(loaded.config().bias_learned);
  EXPECT_EQ(loaded.bias_matrix(1, 1), model.bias_matrix(1, 1));
  const auto all = gpt::all_configurations(9);
  EXPECT_EQ(loaded.log_probability(all), model.log_probability(all));
  std::remove(path.c_str());
  std::remove((path + ".json").c_str());
}

// Training on 4 x 4 lattice samples at T_c with a learned torus slope: both attention paths give the
// same per-step losses to rounding, the slope moves, and the trained model's conditionals agree.
TEST(GptTorusBias, FusedKernelAndLibTorchPathAgreeUnderTheBias) {
  const auto data = lattice_samples(4, 2.269185314213022, 2000, 3);
  auto m = torus(16, BiasShape::linear, 0.5, true);
  m.d_model = 32;
  m.d_ff = 64;
  test_support::expect_paths_train_alike(m, data, 64, 40);

  // a strong fixed bias (it dominates a fresh model's logits): the two paths' conditionals agree
  const Model strong(torus(16, BiasShape::exp, -1.5), 6);
  const auto fused_cond = strong.log_conditionals(data);
  gpt::set_attention_path(gpt::AttentionPath::libtorch);
  const auto reference_cond = strong.log_conditionals(data);
  gpt::set_attention_path(gpt::AttentionPath::fused);
  for (std::size_t k = 0; k < fused_cond.size(); k += 7) ASSERT_NEAR(fused_cond[k], reference_cond[k], 1e-6) << k;
}

// The sampler (key/value cache, the bias row by row) draws from the distribution the full pass assigns,
// on the 2 x 2 torus (16 states), after brief training so that the model is far from uniform.
TEST(GptTorusBias, SamplerFollowsTheModelOnA2x2Torus) {
  const auto data = lattice_samples(2, 1.5, 3000, 5);
  gpt::TrainOptions o;
  o.config.steps = 150;
  o.config.batch = 64;
  o.config.lr = 3e-3;
  o.config.warmup_steps = 10;
  o.config.eval_every = 150;
  o.config.checkpoint_every = 0;
  o.threads = 1;
  o.progress = false;
  const Model model = gpt::train(torus(4, BiasShape::linear, 0.5, true), o, data, {});
  const auto all = gpt::all_configurations(4);
  const auto log_p = model.log_probability(all);
  const auto samples = model.sample(30000, 17);
  std::vector<double> counts(all.size(), 0.0), probabilities;
  for (std::size_t k = 0; k < samples.size(); ++k) {
    std::size_t state = 0;
    for (int i = 0; i < 4; ++i) state |= static_cast<std::size_t>(samples.row(k)[i] > 0) << i;
    counts[state] += 1;
  }
  double total = 0, largest = 0;
  for (double lp : log_p) {
    probabilities.push_back(std::exp(lp));
    total += std::exp(lp);
    largest = std::max(largest, std::exp(lp));
  }
  EXPECT_NEAR(total, 1.0, 1e-5);
  const auto test = lab::chi_square_test(counts, probabilities);
  EXPECT_GT(test.p_value, 1e-4) << "chi2 " << test.chi2 << " dof " << test.dof;
  EXPECT_GT(largest, 3.0 / 16);  // far from uniform: the test has power
}
