// IsingGPT training-step time for the seed's configuration (batch 256, L = 32, d_model 64, 4 heads,
// 2 layers, d_ff 256, AdamW lr 3e-4) on 1 and 2 LibTorch threads; tokens/s = 256 * 32 / step time.
// Compare with bench/seed_gpt.py (the seed's own PyTorch model, run by `make bench`).
#include <benchmark/benchmark.h>

#include "gpt/gpt.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising/samplers.hpp"

using namespace spinformer;

namespace {

ising::Chain bench_chain() {
  ising::Chain c;
  c.L = 32;
  c.T = 1.0;
  return c;
}

gpt::ModelConfig seed_model(double dropout) {
  gpt::ModelConfig m;  // defaults: the seed's sizes
  m.L = 32;
  m.dropout = dropout;
  return m;
}

// range(0): threads; range(1): dropout in percent (the seed: 10; our runs: 0).
void BM_GptTrainStep(benchmark::State& state) {
  gpt::set_threads(static_cast<int>(state.range(0)));
  gpt::TrainConfig t;
  t.batch = 256;
  t.lr = 3e-4;
  t.schedule = "constant";
  t.warmup_steps = 0;
  t.steps = 1000000;
  const auto data = ising::ExactSampler(bench_chain()).draw(8192, 1);
  gpt::StepTrainer trainer(seed_model(static_cast<double>(state.range(1)) / 100.0), t, data);
  for (int k = 0; k < 3; ++k) trainer.step();  // warm up allocations
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step());
  state.SetItemsProcessed(state.iterations() * 256 * 32);
  state.counters["threads"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_GptTrainStep)
    ->ArgNames({"threads", "dropout_pct"})
    ->Args({1, 10})
    ->Args({2, 10})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0)
    ->UseRealTime();

// 50,000 samples from a (fresh) model of the seed's size with the key/value cache: what a chapter pays per T.
void BM_GptSample50k(benchmark::State& state) {
  gpt::set_threads(static_cast<int>(state.range(0)));
  const gpt::Model model(seed_model(0.0), 1);
  for (auto _ : state) {
    auto s = model.sample(50000, 3);
    benchmark::DoNotOptimize(s.spins.data());
  }
  state.SetItemsProcessed(state.iterations() * 50000);
}
BENCHMARK(BM_GptSample50k)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace
