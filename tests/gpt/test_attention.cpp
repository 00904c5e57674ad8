// The fused attention kernels (src/gpt/attention.cpp) against LibTorch's operators: forward values,
// gradients of the packed projections and of the bias, the sampling step with the key/value cache,
// and whole training runs on both paths. The kernels differ from the operators only by float
// rounding (a polynomial exponential, another summation order), so the tolerances are a few float
// epsilons relative to the tensors' scale: loose enough for rounding, far too tight for any
// wrong index, missing mask or sign.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "gpt/attention.hpp"
#include "gpt/gpt.hpp"
#include "gpt/kernels.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising/samplers.hpp"

#include "both_paths.hpp"

using namespace spinformer;

namespace {

const int kThreads = gpt::set_threads(1);

// The reference: the equations written with LibTorch operators, as in AttentionImpl's reference path.
torch::Tensor reference_attention(const torch::Tensor& qkv, std::int64_t heads, double scale, bool causal,
                                  const torch::Tensor& bias) {
  const auto B = qkv.size(0), T = qkv.size(1), C = qkv.size(2) / 3;
  auto parts = qkv.split(C, 2);
  auto split = [&](const torch::Tensor& t) { return t.view({B, T, heads, C / heads}).transpose(1, 2); };
  auto att = torch::matmul(split(parts[0]), split(parts[1]).transpose(-2, -1)) * scale;
  if (causal) att = att + torch::full({T, T}, -std::numeric_limits<float>::infinity()).triu(1);
  if (bias.defined()) att = att + bias;
  att = torch::softmax(att, -1);
  return torch::matmul(att, split(parts[2])).transpose(1, 2).contiguous().view({B, T, C});
}

// max |a - b| / max |b|
double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

struct Case {
  std::int64_t B, T, C, heads;
  bool causal, with_bias;
  std::int64_t gemm_from = gpt::detail::kGemmMinLength;  // 1: the matrix-product kernel; kRowsOnly: the per-row one
};
constexpr std::int64_t kRowsOnly = std::numeric_limits<std::int64_t>::max();

class FusedAttentionTest : public ::testing::TestWithParam<Case> {};

TEST_P(FusedAttentionTest, ValuesAndGradientsMatchLibTorch) {
  const auto c = GetParam();
  gpt::detail::set_gemm_min_length(c.gemm_from);
  torch::manual_seed(7);
  // logits of order 10 so that the softmax is far from uniform and the mask matters
  auto qkv = (2.0 * torch::randn({c.B, c.T, 3 * c.C})).requires_grad_(true);
  auto bias = c.with_bias ? (-0.4 * torch::rand({c.heads, c.T, c.T})).requires_grad_(true) : torch::Tensor();
  const double scale = 0.7 / std::sqrt(static_cast<double>(c.C / c.heads));
  auto upstream = torch::randn({c.B, c.T, c.C});

  auto y = gpt::detail::fused_attention(qkv, c.heads, scale, c.causal, bias);
  auto y_ref = reference_attention(qkv, c.heads, scale, c.causal, bias);
  EXPECT_LT(relative_error(y, y_ref), 2e-6);

  std::vector<torch::Tensor> inputs{qkv};
  if (c.with_bias) inputs.push_back(bias);
  auto g = torch::autograd::grad(std::vector<torch::Tensor>{(y * upstream).sum()}, inputs);
  auto g_ref = torch::autograd::grad(std::vector<torch::Tensor>{(y_ref * upstream).sum()}, inputs);
  EXPECT_LT(relative_error(g[0], g_ref[0]), 1e-5) << "d qkv";
  if (c.with_bias) {
    EXPECT_LT(relative_error(g[1], g_ref[1]), 1e-5) << "d bias";
  }

  // the comparison can fail: the other masking gives another answer
  auto y_other = reference_attention(qkv, c.heads, scale, !c.causal, bias);
  EXPECT_GT(relative_error(y, y_other), 1e-2);
  gpt::detail::set_gemm_min_length(gpt::detail::kGemmMinLength);
}

INSTANTIATE_TEST_SUITE_P(Shapes, FusedAttentionTest,
                         ::testing::Values(Case{3, 8, 16, 4, true, false}, Case{3, 8, 16, 4, false, false},
                                           Case{2, 33, 32, 2, true, true}, Case{2, 17, 24, 3, false, true},
                                           Case{1, 64, 64, 4, true, true}));
// Both kernels forced: at the 2D chapter's T = 256, at odd lengths that fill neither a 64-query tile nor
// a 16-key block, at lengths below one tile, and with head sizes 8 and 16.
INSTANTIATE_TEST_SUITE_P(
    Kernels, FusedAttentionTest,
    ::testing::Values(Case{2, 256, 64, 4, true, true, 1}, Case{2, 256, 64, 4, true, true, kRowsOnly},
                      Case{2, 256, 64, 4, false, false, 1}, Case{2, 131, 32, 2, true, true, 1},
                      Case{2, 131, 32, 2, false, true, 1}, Case{1, 97, 24, 3, true, false, 1},
                      Case{3, 8, 16, 4, true, false, 1}, Case{2, 33, 32, 2, true, true, 1},
                      Case{2, 131, 32, 2, true, true, kRowsOnly}));

// The matrix-product kernel gives the same bits on one thread and on two (each (row, head) is one
// thread's sequential products), forward and backward.
TEST(FusedAttention, MatrixProductKernelIsIndependentOfTheThreadCount) {
  torch::manual_seed(11);
  const std::int64_t B = 3, T = 150, C = 64, H = 4;
  auto qkv = (2.0 * torch::randn({B, T, 3 * C})).requires_grad_(true);
  auto bias = (-0.4 * torch::rand({H, T, T})).requires_grad_(true);
  auto upstream = torch::randn({B, T, C});
  ASSERT_GE(T, gpt::detail::gemm_min_length());
  auto run = [&](int threads) {
    gpt::set_threads(threads);
    auto y = gpt::detail::fused_attention(qkv, H, 0.3, true, bias);
    auto g = torch::autograd::grad(std::vector<torch::Tensor>{(y * upstream).sum()}, {qkv, bias});
    gpt::set_threads(1);
    return std::vector<torch::Tensor>{y.detach(), g[0], g[1]};
  };
  const auto one = run(1), two = run(2);
  for (std::size_t k = 0; k < one.size(); ++k) EXPECT_TRUE(torch::equal(one[k], two[k])) << "tensor " << k;
}


TEST(FusedAttention, CachedStepMatchesTheFullCausalPass) {
  torch::manual_seed(3);
  const std::int64_t B = 5, T = 12, H = 4, hd = 8, C = H * hd;
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
  auto qkv = 2.0 * torch::randn({B, T, 3 * C});
  auto bias = -0.3 * torch::rand({H, T, T});
  auto full = reference_attention(qkv, H, scale, true, bias);
  auto parts = qkv.split(C, 2);
  auto k_cache = parts[1].view({B, T, H, hd}).transpose(1, 2).contiguous();  // [B, H, T, hd]
  auto v_cache = parts[2].view({B, T, H, hd}).transpose(1, 2).contiguous();
  for (std::int64_t t = 0; t < T; ++t) {
    auto y = gpt::detail::cached_attention_step(parts[0].select(1, t), k_cache, v_cache, t, scale,
                                           bias.select(1, t).slice(1, 0, t + 1));
    EXPECT_LT(relative_error(y, full.select(1, t)), 2e-6) << "position " << t;
  }
}

// Same seed, both paths: the training losses, the final parameters and the samples agree to rounding.
TEST(FusedAttention, TrainingAndSamplingAgreeWithTheLibTorchPath) {
  ising::Chain chain;
  chain.L = 8;
  chain.T = 1.0;
  const auto data = ising::ExactSampler(chain).draw(2000, 5);
  gpt::ModelConfig m;
  m.L = 8;
  m.d_model = 32;
  m.d_ff = 64;
  m.bias = gpt::BiasKind::periodic;
  m.bias_learned = true;
  test_support::expect_paths_train_alike(m, data, 64, 60);

  const gpt::Model model(m, 4);
  const auto sampled_fused = model.sample(2000, 9);
  gpt::set_attention_path(gpt::AttentionPath::libtorch);
  const auto sampled_reference = model.sample(2000, 9);
  const auto cond_reference = model.log_conditionals(sampled_reference);
  gpt::set_attention_path(gpt::AttentionPath::fused);
  const auto cond_fused = model.log_conditionals(sampled_reference);
  std::size_t same = 0;
  for (std::size_t k = 0; k < sampled_fused.size(); ++k) same += std::equal(sampled_fused.row(k), sampled_fused.row(k) + 8, sampled_reference.row(k));
  EXPECT_GE(same, sampled_fused.size() - 2);  // a row differs only if a uniform falls within ~1e-7 of p
  for (std::size_t k = 0; k < cond_fused.size(); ++k) ASSERT_NEAR(cond_fused[k], cond_reference[k], 1e-6) << k;
}

// A long sequence (the matrix-product kernel, T = 81: a 9 x 9 torus in raster order) trained on both
// paths: per-step losses agree to rounding, as at L = 8 above.
TEST(FusedAttention, LongSequenceTrainingAgreesWithTheLibTorchPath) {
  ising::Chain chain;
  chain.L = 81;
  chain.T = 1.0;
  const auto data = ising::ExactSampler(chain).draw(512, 5);
  gpt::ModelConfig m;
  m.L = 81;
  m.d_model = 32;
  m.d_ff = 64;
  m.bias = gpt::BiasKind::torus;
  m.bias_learned = true;
  ASSERT_GE(m.L, gpt::detail::gemm_min_length());
  test_support::expect_paths_train_alike(m, data, 32, 25);
}

}  // namespace
