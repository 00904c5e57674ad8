// 2D sampler throughput at T_c, h = 0 (periodic L x L): the multi-spin checkerboard Metropolis
// (64 chains per word) against the scalar checkerboard Metropolis in the same run, and the Wolff
// cluster sampler. Rates are per core (Google Benchmark's CPU time). The goal of issue 14 is at
// least 1e9 spin-flip attempts per second per core for the multi-spin sampler;
// BM_Ising2dMultispinVersusScalar reports both rates, their ratio and goal_met.
// Run: spinformer_bench --benchmark_filter='Ising2d|Checkerboard|Wolff'
#include <benchmark/benchmark.h>

#include <ctime>

#include "ising2d/samplers.hpp"

using namespace spinformer::ising2d;

namespace {

Lattice critical(int L) {
  Lattice lattice;
  lattice.L = L;
  lattice.T = critical_temperature();
  return lattice;
}

// args: L, words
void BM_CheckerboardMultispinSweep(benchmark::State& state) {
  CheckerboardMetropolis m(critical(static_cast<int>(state.range(0))), static_cast<int>(state.range(1)), 1);
  for (int k = 0; k < 200; ++k) m.sweep();  // leave the infinite-temperature start
  const std::uint64_t before = m.attempts();
  for (auto _ : state) m.sweep();
  state.SetItemsProcessed(static_cast<std::int64_t>(m.attempts() - before));
  state.counters["chains"] = m.chains();
}
BENCHMARK(BM_CheckerboardMultispinSweep)->Args({16, 1})->Args({64, 1})->Args({64, 4})->Args({256, 1});

void BM_CheckerboardScalarSweep(benchmark::State& state) {
  ScalarMetropolis m(critical(static_cast<int>(state.range(0))), 1);
  for (int k = 0; k < 200; ++k) m.sweep();
  const std::uint64_t a0 = m.attempts(), f0 = m.accepted();
  for (auto _ : state) m.sweep();
  state.SetItemsProcessed(static_cast<std::int64_t>(m.attempts() - a0));
  state.counters["acceptance"] = static_cast<double>(m.accepted() - f0) / static_cast<double>(m.attempts() - a0);
}
BENCHMARK(BM_CheckerboardScalarSweep)->Arg(64);

// Items: flipped spins (a Wolff "sweep" is ~L^2 of them).
void BM_WolffCluster(benchmark::State& state) {
  Wolff w(critical(static_cast<int>(state.range(0))), 1);
  for (int k = 0; k < 1000; ++k) w.step();
  const std::uint64_t f0 = w.flipped(), c0 = w.clusters();
  for (auto _ : state) w.step();
  state.SetItemsProcessed(static_cast<std::int64_t>(w.flipped() - f0));
  state.counters["mean_cluster_fraction"] = static_cast<double>(w.flipped() - f0) /
                                            static_cast<double>(w.clusters() - c0) /
                                            (static_cast<double>(state.range(0)) * static_cast<double>(state.range(0)));
}
BENCHMARK(BM_WolffCluster)->Arg(64)->Arg(256);

double thread_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Both samplers timed in the same benchmark (the bench binary shares main() with bench_samplers.cpp,
// so the comparison is reported as counters): attempts per CPU second of each at L = 64, their ratio,
// and goal_met = 1 when the multi-spin rate is at least 1e9 per core.
void BM_Ising2dMultispinVersusScalar(benchmark::State& state) {
  const Lattice lattice = critical(64);
  CheckerboardMetropolis multi(lattice, 1, 1);
  ScalarMetropolis scalar(lattice, 1);
  for (int k = 0; k < 200; ++k) {
    multi.sweep();
    scalar.sweep();
  }
  double t_multi = 0, t_scalar = 0;
  std::uint64_t a_multi = 0, a_scalar = 0;
  for (auto _ : state) {
    double t0 = thread_cpu_seconds();
    std::uint64_t a0 = multi.attempts();
    for (int k = 0; k < 20; ++k) multi.sweep();
    t_multi += thread_cpu_seconds() - t0;
    a_multi += multi.attempts() - a0;
    t0 = thread_cpu_seconds();
    a0 = scalar.attempts();
    for (int k = 0; k < 20; ++k) scalar.sweep();
    t_scalar += thread_cpu_seconds() - t0;
    a_scalar += scalar.attempts() - a0;
  }
  const double r_multi = static_cast<double>(a_multi) / t_multi, r_scalar = static_cast<double>(a_scalar) / t_scalar;
  state.counters["multispin_per_s"] = r_multi;
  state.counters["scalar_per_s"] = r_scalar;
  state.counters["ratio"] = r_multi / r_scalar;
  state.counters["goal_met"] = r_multi >= 1e9 ? 1 : 0;
}
BENCHMARK(BM_Ising2dMultispinVersusScalar)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
