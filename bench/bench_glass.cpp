// Vector-spin Metropolis-Hastings at the thesis's defaults (N = 64, D = 32, beta = 1, thesis sigma):
// proposals per second with the O(N D) incremental energy change, beside the thesis's O(N^2 D) full
// recomputation measured in the same run. The ratio is printed at exit (bench_samplers.cpp owns main()).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "glass/mean_field.hpp"
#include "glass/metropolis.hpp"

using namespace spinformer::glass;

namespace {

std::map<std::string, double>& glass_rates() {
  static std::map<std::string, double> rates;
  return rates;
}

struct GlassSummary {
  GlassSummary() { glass_rates(); }  // construct the map first so that it outlives this object
  ~GlassSummary() {
    const auto& r = glass_rates();
    const auto inc = r.find("incremental"), full = r.find("full");
    if (inc == r.end()) return;
    std::printf("\nGlass MH summary (N = 64, D = 32, beta = 1, sigma = 1/(N sqrt D); one core):\n");
    for (const auto& [name, rate] : r) std::printf("  %-28s %.3g proposals/s\n", name.c_str(), rate);
    if (full != r.end() && full->second > 0)
      std::printf("  ratio incremental / full recomputation: %.1f (goal >= 2e5 proposals/s: %s)\n",
                  inc->second / full->second, inc->second >= 2e5 ? "met" : "NOT met");
  }
} g_summary;

void run_mh(benchmark::State& state, MetropolisChain::EnergyUpdate update, const char* name) {
  static const VectorSpinModel model = VectorSpinModel::random(64, 32, 1.0, 1);
  MetropolisChain chain(model, 1.0, thesis_proposal_width(64, 32), model.initial_state(), 3, update);
  const std::int64_t batch = update == MetropolisChain::EnergyUpdate::incremental ? 10000 : 200;
  std::int64_t proposals = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    chain.run(batch);
    proposals += batch;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  glass_rates()[name] = proposals / s;
  state.SetItemsProcessed(proposals);
  state.counters["acceptance"] = chain.acceptance_rate();
}

void BM_GlassMHIncremental(benchmark::State& state) {
  run_mh(state, MetropolisChain::EnergyUpdate::incremental, "incremental");
}
BENCHMARK(BM_GlassMHIncremental)->Unit(benchmark::kMillisecond);

void BM_GlassMHFullRecompute(benchmark::State& state) {
  run_mh(state, MetropolisChain::EnergyUpdate::full_recompute, "full");
}
BENCHMARK(BM_GlassMHFullRecompute)->Unit(benchmark::kMillisecond);

void BM_GlassTap100Steps(benchmark::State& state) {
  static const VectorSpinModel model = VectorSpinModel::random(64, 32, 1.0, 1);
  MeanFieldOptions o;
  o.beta = 3.0;
  o.steps = 100;
  for (auto _ : state) benchmark::DoNotOptimize(run_tap(model, o).alignment);
}
BENCHMARK(BM_GlassTap100Steps)->Unit(benchmark::kMillisecond);

}  // namespace
