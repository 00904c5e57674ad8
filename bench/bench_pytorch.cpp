// IsingGPT's training step against the plain PyTorch model of the same architecture (bench/plain_gpt.py,
// Debian's python3-torch) in the same run (issue 28): the C++ step is timed, then the PyTorch one (a child
// process, its own timing after its warm-up), then the C++ step again, so that a change in the machine's
// load between them shows as a difference of the two C++ blocks rather than as a ratio. Printed at exit:
// ms per step (wall clock and process CPU time) and PyTorch / spinformer. Skipped without python3-torch.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>

#include <fmt/format.h>

#include "gpt/gpt.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising/samplers.hpp"

#include "bench_setup.hpp"

using namespace spinformer;

namespace {

using bench::bench_data;
using bench::bench_train;
using bench::process_cpu_s;

const std::string kPython = "/usr/bin/python3";

std::string script_path() {
  const std::string here = __FILE__;
  return here.substr(0, here.rfind('/') + 1) + "plain_gpt.py";
}


struct Comparison {
  double ours_wall_ms[2] = {0, 0}, ours_cpu_ms[2] = {0, 0};
  double torch_wall_ms = 0, torch_cpu_ms = 0;
};

std::map<std::string, Comparison>& comparisons() {
  static std::map<std::string, Comparison> c;
  return c;
}

// range(0): L; range(1): batch; range(2): threads.
void BM_GptStepAgainstPyTorch(benchmark::State& state) {
  const int L = static_cast<int>(state.range(0)), batch = static_cast<int>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  const double seconds = 6.0;
  if (std::system((kPython + " -c 'import torch' 2>/dev/null").c_str()) != 0) {
    state.SkipWithError("no python3-torch (apt-get install python3-torch)");
    for (auto _ : state) {
    }
    return;
  }
  gpt::ModelConfig model;  // the seed's sizes
  model.L = L;
  gpt::set_threads(threads);
  gpt::StepTrainer trainer(model, bench_train(batch), bench_data(L));
  for (int k = 0; k < 2; ++k) trainer.step();
  Comparison c;
  const auto time_ours = [&](int which) {
    long steps = 0;
    const double cpu0 = process_cpu_s();
    const auto t0 = std::chrono::steady_clock::now();
    double wall = 0;
    while (wall < seconds) {
      benchmark::DoNotOptimize(trainer.step());
      ++steps;
      wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    c.ours_wall_ms[which] = 1e3 * wall / static_cast<double>(steps);
    c.ours_cpu_ms[which] = 1e3 * (process_cpu_s() - cpu0) / static_cast<double>(steps);
  };
  for (auto _ : state) {
    time_ours(0);
    const std::string command =
        fmt::format("{} {} --one {} {} {} {}", kPython, script_path(), L, batch, threads, seconds);
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe || std::fscanf(pipe, "%lf %lf", &c.torch_wall_ms, &c.torch_cpu_ms) != 2) {
      if (pipe) pclose(pipe);
      state.SkipWithError(("failed: " + command).c_str());
      return;
    }
    pclose(pipe);
    time_ours(1);
  }
  gpt::set_threads(1);
  const double ours = 0.5 * (c.ours_wall_ms[0] + c.ours_wall_ms[1]);
  state.counters["ours_ms"] = ours;
  state.counters["pytorch_ms"] = c.torch_wall_ms;
  state.counters["pytorch_over_ours"] = c.torch_wall_ms / ours;
  comparisons()[fmt::format("L={:<3} batch={:<3} threads={}", L, batch, threads)] = c;
}
BENCHMARK(BM_GptStepAgainstPyTorch)
    ->ArgNames({"L", "batch", "threads"})
    ->Args({32, 256, 1})
    ->Args({32, 256, 2})
    ->Args({256, 64, 1})
    ->Args({256, 64, 2})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

struct PyTorchSummary {
  PyTorchSummary() { comparisons(); }
  ~PyTorchSummary() {
    if (comparisons().empty()) return;
    std::printf("\nIsingGPT training step against the plain PyTorch model of the same architecture (bench/plain_gpt.py,\n"
                "dropout 0, AdamW), same run; spinformer timed before and after PyTorch (ms per step):\n");
    std::printf("  %-30s %22s %22s %16s %16s\n", "", "spinformer wall (2x)", "spinformer CPU (2x)", "PyTorch wall/CPU",
                "PyTorch/ours");
    for (const auto& [name, c] : comparisons()) {
      const double ours_wall = 0.5 * (c.ours_wall_ms[0] + c.ours_wall_ms[1]);
      const double ours_cpu = 0.5 * (c.ours_cpu_ms[0] + c.ours_cpu_ms[1]);
      std::printf("  %-30s %10.1f %10.1f %10.1f %10.1f %8.1f %7.1f   wall %.2fx, CPU %.2fx\n", name.c_str(),
                  c.ours_wall_ms[0], c.ours_wall_ms[1], c.ours_cpu_ms[0], c.ours_cpu_ms[1], c.torch_wall_ms,
                  c.torch_cpu_ms, c.torch_wall_ms / ours_wall, c.torch_cpu_ms / ours_cpu);
    }
  }
} g_pytorch_summary;

}  // namespace
