// The whole training loop against the bare training step (issue 28): `gpt::train` (what `spinformer gpt
// train` runs: model set-up, batches, validation every eval_every steps, the checkpoint and curve
// written at the end, progress off) for a number of steps, against as many bare steps of
// `gpt::StepTrainer` on the same data and configuration, timed before and after it so that a drift in
// the machine's load shows as a difference between those two. The goal: the loop within 5% of the step.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "gpt/gpt.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising/samplers.hpp"

#include "bench_setup.hpp"

using namespace spinformer;

namespace {

using bench::process_cpu_s;

struct LoopTiming {
  double step_ms[2] = {0, 0}, step_cpu_ms[2] = {0, 0};
  double loop_ms = 0, loop_cpu_ms = 0;
  long steps = 0, eval_every = 0, val_rows = 0;
};


std::map<std::string, LoopTiming>& timings() {
  static std::map<std::string, LoopTiming> t;
  return t;
}

// range(0): L; range(1): batch; range(2): threads; range(3): steps.
void BM_GptTrainLoop(benchmark::State& state) {
  const int L = static_cast<int>(state.range(0)), batch = static_cast<int>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  const long steps = state.range(3);
  gpt::ModelConfig model;  // the seed's sizes
  model.L = L;
  ising::Chain chain;
  chain.L = L;
  chain.T = 1.0;
  const auto data = ising::ExactSampler(chain).draw(8192, 1);
  const auto validation = ising::ExactSampler(chain).draw(2048, 2);
  gpt::TrainConfig config;  // the library's defaults: cosine, warm-up, clipping, eval_every 100
  config.batch = batch;
  config.steps = steps;
  gpt::set_threads(threads);
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("spinformer_bench_loop_{}", ::getpid());
  std::filesystem::create_directories(dir);
  LoopTiming t;
  t.steps = steps;
  t.eval_every = config.eval_every;
  t.val_rows = static_cast<long>(validation.size());
  const auto bare_steps = [&](int which) {
    const double cpu0 = process_cpu_s();
    const auto t0 = std::chrono::steady_clock::now();
    gpt::StepTrainer trainer(model, config, data);
    for (long k = 0; k < steps; ++k) benchmark::DoNotOptimize(trainer.step());
    t.step_ms[which] = 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / steps;
    t.step_cpu_ms[which] = 1e3 * (process_cpu_s() - cpu0) / steps;
  };
  for (auto _ : state) {
    bare_steps(0);
    gpt::TrainOptions options;
    options.config = config;
    options.threads = threads;
    options.chain = chain;
    options.progress = false;
    options.checkpoint_path = (dir / "model.pt").string();
    options.curve_path = (dir / "curve.tsv").string();
    const double cpu0 = process_cpu_s();
    const auto t0 = std::chrono::steady_clock::now();
    gpt::train(model, options, data, validation);
    t.loop_ms = 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / steps;
    t.loop_cpu_ms = 1e3 * (process_cpu_s() - cpu0) / steps;
    bare_steps(1);
  }
  std::filesystem::remove_all(dir);
  gpt::set_threads(1);
  const double step = 0.5 * (t.step_ms[0] + t.step_ms[1]);
  state.counters["loop_over_step"] = t.loop_ms / step;
  state.counters["loop_over_step_cpu"] = t.loop_cpu_ms / (0.5 * (t.step_cpu_ms[0] + t.step_cpu_ms[1]));
  timings()[fmt::format("L={:<3} batch={:<3} threads={}", L, batch, threads)] = t;
}
BENCHMARK(BM_GptTrainLoop)
    ->ArgNames({"L", "batch", "threads", "steps"})
    ->Args({32, 256, 1, 100})
    ->Args({32, 256, 2, 100})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

struct LoopSummary {
  LoopSummary() { timings(); }
  ~LoopSummary() {
    if (timings().empty()) return;
    std::printf("\nIsingGPT training loop (gpt::train, as `spinformer gpt train`: validation every eval_every steps,\n"
                "checkpoint and curve written) against the bare step (gpt::StepTrainer, timed before and after),\n"
                "ms per step, wall clock; goal: loop / step <= 1.05\n");
    for (const auto& [name, t] : timings()) {
      const double step = 0.5 * (t.step_ms[0] + t.step_ms[1]);
      const double step_cpu = 0.5 * (t.step_cpu_ms[0] + t.step_cpu_ms[1]);
      std::printf("  %-28s %ld steps, validation every %ld on %ld rows: wall: loop %.1f ms, step %.1f / %.1f ms: "
                  "%.3fx; CPU: loop %.1f ms, step %.1f / %.1f ms: %.3fx\n",
                  name.c_str(), t.steps, t.eval_every, t.val_rows, t.loop_ms, t.step_ms[0], t.step_ms[1],
                  t.loop_ms / step, t.loop_cpu_ms, t.step_cpu_ms[0], t.step_cpu_ms[1], t.loop_cpu_ms / step_cpu);
    }
  }
} g_loop_summary;

}  // namespace
