// IsingGPT against an independent PyTorch implementation (tests/gpt/golden/make_golden.py, run by hand,
// its output committed): with the same parameters and spins, the LibTorch model must give the same
// per-position log-conditionals, loss and gradients of every parameter, on both attention paths.
// The reference is float64, the model float32: tolerances are a few hundred float epsilons of each
// tensor's scale, far below what any wrong layer, mask, shift, scale or sign would give (order one).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gpt/kernels.hpp"
#include "gpt/model_impl.hpp"
#include "gpt/threads.hpp"

using namespace spinformer;

namespace {

const int kThreads = gpt::set_threads(1);

const nlohmann::json& golden() {
  static const nlohmann::json j = [] {
    // __FILE__ is relative to the build folder (where ctest runs); the second is for runs from the root
    for (const auto& path : {std::filesystem::path(__FILE__).parent_path() / "golden" / "tiny_gpt.json",
                             std::filesystem::path("tests/gpt/golden/tiny_gpt.json")}) {
      std::ifstream in(path);
      if (in) return nlohmann::json::parse(in);
    }
    throw std::runtime_error("cannot find tests/gpt/golden/tiny_gpt.json");
  }();
  return j;
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

class GoldenReference : public ::testing::TestWithParam<gpt::AttentionPath> {
 protected:
  void TearDown() override { gpt::set_attention_path(gpt::AttentionPath::fused); }
};

TEST_P(GoldenReference, LogConditionalsLossAndGradientsMatchPyTorch) {
  const auto& g = golden();
  gpt::set_attention_path(GetParam());
  gpt::ModelConfig c;
  c.L = g["config"]["L"].get<int>();
  c.d_model = g["config"]["d_model"].get<int>();
  c.n_heads = g["config"]["n_heads"].get<int>();
  c.d_ff = g["config"]["d_ff"].get<int>();
  c.n_layers = g["config"]["n_layers"].get<int>();
  auto net = gpt::detail::make_network(c, 0);
  const auto params = net->named_parameters();
  ASSERT_EQ(params.size(), g["parameters"].size());
  {
    torch::NoGradGuard no_grad;
    for (const auto& item : params) {
      ASSERT_TRUE(g["parameters"].contains(item.key())) << item.key();
      const auto values = g["parameters"][item.key()].get<std::vector<double>>();
      ASSERT_EQ(static_cast<std::int64_t>(values.size()), item.value().numel()) << item.key();
      item.value().copy_(torch::tensor(values, torch::kDouble).to(torch::kFloat).view(item.value().sizes()));
    }
  }
  std::vector<std::int64_t> flat;
  for (const auto& row : g["tokens"]) for (const auto& t : row) flat.push_back(t.get<std::int64_t>());
  const auto B = static_cast<std::int64_t>(g["tokens"].size());
  auto tokens = torch::tensor(flat, torch::kLong).view({B, c.L});

  net->train();
  auto log_cond = gpt::detail::position_log_probs(net, tokens);
  const auto expected = g["log_conditionals"].get<std::vector<double>>();
  auto got = log_cond.detach().to(torch::kDouble).contiguous().view({-1});
  ASSERT_EQ(got.numel(), static_cast<std::int64_t>(expected.size()));
  for (std::size_t k = 0; k < expected.size(); ++k)
    EXPECT_NEAR(got[static_cast<std::int64_t>(k)].item<double>(), expected[k], 2e-5) << "position " << k;
  auto loss = -log_cond.mean();
  EXPECT_NEAR(loss.item<double>(), g["loss"].get<double>(), 1e-5);

  loss.backward();
  for (const auto& item : params) {
    const auto want = g["gradients"][item.key()].get<std::vector<double>>();
    auto have = item.value().grad().to(torch::kDouble).contiguous().view({-1});
    const double tolerance = 1e-4 * std::max(1e-3, max_abs(want));
    double worst = 0;
    for (std::size_t k = 0; k < want.size(); ++k)
      worst = std::max(worst, std::abs(have[static_cast<std::int64_t>(k)].item<double>() - want[k]));
    EXPECT_LT(worst, tolerance) << item.key() << " (largest gradient " << max_abs(want) << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(BothAttentionPaths, GoldenReference,
                         ::testing::Values(gpt::AttentionPath::fused, gpt::AttentionPath::libtorch),
                         [](const auto& info) {
                           return std::string(info.param == gpt::AttentionPath::fused ? "Fused" : "LibTorch");
                         });

}  // namespace
