// Sampler throughput at L = 32, T = 1, h = 0 (periodic): multi-spin vs the seed's scalar Metropolis,
// the exact sampler, and the wall time to produce 50,000 equilibrated samples with multi-spin coding.
// A summary with the multispin / scalar ratio measured in this run is printed at the end.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

#include "ising/samplers.hpp"

using namespace spinformer::ising;

namespace {

Chain bench_chain() {
  Chain c;
  c.L = 32;
  c.T = 1.0;
  return c;
}

std::map<std::string, double> g_rate;  // attempts (or samples) per second, by benchmark

void BM_MultispinSweep(benchmark::State& state) {
  const int words = static_cast<int>(state.range(0));
  MultispinMetropolis m(bench_chain(), words, 1);
  for (int k = 0; k < 100; ++k) m.sweep();  // leave the infinite-temperature start
  const std::uint64_t before = m.attempts();
  for (auto _ : state) m.sweep();
  const double attempts = static_cast<double>(m.attempts() - before);
  state.SetItemsProcessed(static_cast<std::int64_t>(attempts));
  state.counters["chains"] = m.chains();
}
BENCHMARK(BM_MultispinSweep)->Arg(16)->Arg(64)->Arg(1024);

void BM_ScalarSweep(benchmark::State& state) {
  ScalarMetropolis m(bench_chain(), 1);
  for (int k = 0; k < 100; ++k) m.sweep();
  const std::uint64_t before = m.attempts();
  for (auto _ : state) m.sweep();
  state.SetItemsProcessed(static_cast<std::int64_t>(m.attempts() - before));
  state.counters["acceptance"] = static_cast<double>(m.accepted()) / static_cast<double>(m.attempts());
}
BENCHMARK(BM_ScalarSweep);

void BM_ExactSample(benchmark::State& state) {
  const ExactSampler sampler(bench_chain());
  spinformer::lab::Rng rng(1);
  std::vector<Spin> s(32);
  for (auto _ : state) {
    sampler.draw(rng, s.data());
    benchmark::DoNotOptimize(s.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExactSample);

// 50,000 samples, one per chain, each chain equilibrated for 1000 sweeps from a random start.
void BM_Multispin50kEquilibratedSamples(benchmark::State& state) {
  const MetropolisSchedule schedule{1000, 10};
  for (auto _ : state) {
    SpinSamples s = multispin_metropolis_samples(bench_chain(), 50000, schedule, 1, 7);
    benchmark::DoNotOptimize(s.spins.data());
  }
  state.SetItemsProcessed(state.iterations() * 50000);
}
BENCHMARK(BM_Multispin50kEquilibratedSamples)->Unit(benchmark::kMillisecond)->Iterations(2);

// Collects items_per_second for the summary while printing as usual.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const auto it = r.counters.find("items_per_second");
      if (it != r.counters.end()) g_rate[r.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const auto scalar = g_rate.find("BM_ScalarSweep");
  std::printf("\nSummary (L = 32, T = 1, h = 0, periodic; one core):\n");
  for (const auto& [name, rate] : g_rate) std::printf("  %-40s %.3g items/s\n", name.c_str(), rate);
  if (scalar != g_rate.end() && scalar->second > 0)
    for (const auto& [name, rate] : g_rate)
      if (name.rfind("BM_MultispinSweep", 0) == 0)
        std::printf("  ratio %s / scalar attempts/s: %.1f\n", name.c_str(), rate / scalar->second);
  return 0;
}
