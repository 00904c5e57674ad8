#pragma once
// The training comparison three tests make (periodic bias at L = 8, torus bias on 4 x 4 and on 9 x 9):
// the per-step losses of the same model trained from the same start on the fused attention kernel and
// on LibTorch's operators. They may differ by float rounding only, and the loss must fall, so that the
// agreement is not that of two models that learned nothing.
#include <gtest/gtest.h>

#include <vector>

#include "gpt/gpt.hpp"
#include "gpt/kernels.hpp"
#include "gpt/train.hpp"
#include "ising/samplers.hpp"

namespace spinformer::test_support {

// AdamW at a constant learning rate 3e-3 without warm-up; steps are counted by the caller.
inline gpt::TrainConfig constant_rate(int batch) {
  gpt::TrainConfig t;
  t.batch = batch;
  t.lr = 3e-3;
  t.steps = 1000000;
  t.schedule = "constant";
  t.warmup_steps = 0;
  return t;
}

inline std::vector<double> losses_on(gpt::AttentionPath path, const gpt::ModelConfig& m, const gpt::TrainConfig& t,
                                     const ising::SpinSamples& data, int steps) {
  gpt::set_attention_path(path);
  gpt::StepTrainer trainer(m, t, data);
  std::vector<double> losses;
  for (int k = 0; k < steps; ++k) losses.push_back(trainer.step());
  gpt::set_attention_path(gpt::AttentionPath::fused);
  return losses;
}

inline void expect_paths_train_alike(const gpt::ModelConfig& m, const ising::SpinSamples& data, int batch, int steps) {
  const auto t = constant_rate(batch);
  const auto fused = losses_on(gpt::AttentionPath::fused, m, t, data, steps);
  const auto reference = losses_on(gpt::AttentionPath::libtorch, m, t, data, steps);
  ASSERT_EQ(fused.size(), reference.size());
  for (std::size_t k = 0; k < fused.size(); ++k) EXPECT_NEAR(fused[k], reference[k], 1e-5 * reference[k]) << k;
  EXPECT_LT(fused.back(), 0.95 * fused.front());  // it learned something, so the comparison is not vacuous
}

}  // namespace spinformer::test_support
