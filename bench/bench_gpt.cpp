// IsingGPT training throughput (issue 16) at the seed's size (d_model 64, 4 heads, d_ff 256, 2 layers,
// AdamW, dropout 0) for L = 32, batch 256 (8,192 tokens per step) and L = 256 (a 16 x 16 lattice in
// raster order), batch 64 (16,384 tokens), on the fused attention kernels and on the LibTorch
// operators (the code before issue 16) in the same run; sampling with the key/value cache at both L.
// At exit: a table of ms per step, tokens/s and GFLOP/s (wall clock and per CPU-second, since the
// machine may be shared), and a profile of one training step per size and path: the self time of each
// operator, attributed to the forward pass, the backward pass or the optimizer.
// GFLOP per step counts forward plus backward as 3x the forward multiply-adds, with the full L x L
// attention (the convention; the causal kernels skip the masked half of the softmax only).
// Compare with bench/seed_gpt.py and bench/plain_gpt.py (PyTorch, run by `make bench`).
#include <benchmark/benchmark.h>

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "gpt/attention.hpp"
#include "gpt/gpt.hpp"
#include "gpt/kernels.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising/samplers.hpp"

#include "bench_setup.hpp"

using namespace spinformer;

namespace {

using bench::bench_train;
using bench::bench_data;
using bench::process_cpu_s;

gpt::ModelConfig model_of_length(int L) {
  gpt::ModelConfig m;  // defaults: the seed's sizes
  m.L = L;
  return m;
}

// 2 * forward multiply-adds * 3 (forward + backward), per step of `batch` rows of length L.
double step_gflop(const gpt::ModelConfig& m, int batch) {
  const double C = m.d_model, tokens = static_cast<double>(batch) * m.L;
  const double per_token = m.n_layers * (4 * C * C + 2 * C * m.d_ff + 2.0 * m.L * C) + 2 * C;
  return 3 * 2 * per_token * tokens / 1e9;
}

// Attention paths: 0 = LibTorch operators; 1 = the fused kernels as shipped (matrix products from
// kGemmMinLength on); 2 = the fused per-row loops at every length (the kernel before the matrix-product
// one); 3 = the matrix-product kernel at every length.
const char* path_name(int path) {
  const char* names[] = {"libtorch", "fused", "fused-rows", "fused-gemm"};
  return names[path];
}
void use_path(int path) {
  gpt::set_attention_path(path == 0 ? gpt::AttentionPath::libtorch : gpt::AttentionPath::fused);
  gpt::detail::set_gemm_min_length(path == 2   ? std::numeric_limits<std::int64_t>::max()
                                   : path == 3 ? 1
                                               : gpt::detail::kGemmMinLength);
}
void reset_path() { use_path(1); }

struct Row {
  double wall_ms = 0, cpu_ms = 0, gflop = 0, tokens = 0;
  int threads = 1;
};
struct Profile {
  std::vector<std::pair<std::string, double>> self_ms;  // "phase / operator", ms per step
  double total_ms = 0;
};

std::map<std::string, Row>& rows() {
  static std::map<std::string, Row> r;
  return r;
}
std::map<std::string, Profile>& profiles() {
  static std::map<std::string, Profile> p;
  return p;
}




// range(0): L; range(1): batch; range(2): threads; range(3): the attention path (path_name).
void BM_GptTrainStep(benchmark::State& state) {
  const int L = static_cast<int>(state.range(0)), batch = static_cast<int>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  const int path = static_cast<int>(state.range(3));
  gpt::set_threads(threads);
  use_path(path);
  const auto model = model_of_length(L);
  gpt::StepTrainer trainer(model, bench_train(batch), bench_data(L));
  for (int k = 0; k < 2; ++k) trainer.step();  // warm up allocations
  long steps = 0;
  const double cpu0 = process_cpu_s();
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    benchmark::DoNotOptimize(trainer.step());
    ++steps;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = process_cpu_s() - cpu0;
  reset_path();
  const double gflop = step_gflop(model, batch);
  state.SetItemsProcessed(state.iterations() * batch * L);
  state.counters["GFLOP/s"] = benchmark::Counter(gflop * 1e9 * static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  Row& r = rows()[fmt::format("L={:<3} batch={:<3} threads={} {}", L, batch, threads, path_name(path))];
  r.wall_ms = 1e3 * wall / steps;
  r.cpu_ms = 1e3 * cpu / steps;
  r.gflop = gflop;
  r.tokens = static_cast<double>(batch) * L;
  r.threads = threads;
}
BENCHMARK(BM_GptTrainStep)
    ->ArgNames({"L", "batch", "threads", "path"})
    ->Args({32, 256, 1, 0})
    ->Args({32, 256, 1, 1})
    ->Args({32, 256, 1, 2})
    ->Args({32, 256, 2, 0})
    ->Args({32, 256, 2, 1})
    ->Args({256, 64, 1, 0})
    ->Args({256, 64, 1, 1})
    ->Args({256, 64, 1, 2})
    ->Args({256, 64, 2, 0})
    ->Args({256, 64, 2, 1})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// Self time of every operator over a few steps on one thread, under the phase (forward, backward,
// optimizer) that train_step marks with RECORD_FUNCTION.
void BM_GptStepProfile(benchmark::State& state) {
  namespace prof = torch::autograd::profiler;
  const int L = static_cast<int>(state.range(0)), batch = static_cast<int>(state.range(1));
  const int path = static_cast<int>(state.range(2));
  gpt::set_threads(1);
  use_path(path);
  gpt::StepTrainer trainer(model_of_length(L), bench_train(batch), bench_data(L));
  trainer.step();
  std::map<std::string, double> self_us;
  double total_us = 0;
  long steps = 0;
  for (auto _ : state) {
    prof::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
    trainer.step();
    const auto lists = prof::disableProfilerLegacy();
    ++steps;
    for (const auto& events : lists) {
      struct Open {
        const prof::LegacyEvent* event;
        double children_us;
        std::string phase;
      };
      std::vector<Open> stack;
      for (const auto& e : events) {
        if (e.kind() == prof::EventKind::PushRange) {
          std::string name = e.name();
          std::string phase = stack.empty() ? "" : stack.back().phase;
          if (name.rfind("step: ", 0) == 0) phase = name.substr(6);
          stack.push_back({&e, 0.0, phase});
        } else if (e.kind() == prof::EventKind::PopRange && !stack.empty()) {
          const Open open = stack.back();
          stack.pop_back();
          const double us = open.event->cpuElapsedUs(e);
          std::string name = open.event->name();
          if (name.find("FusedAttention") != std::string::npos) name = "FusedAttentionBackward";
          if (name.rfind("step: ", 0) == 0) {
            total_us += us;
            name = "(other)";
          }
          self_us[(open.phase.empty() ? "?" : open.phase) + " / " + name] += us - open.children_us;
          if (!stack.empty()) stack.back().children_us += us;
        }
      }
    }
  }
  reset_path();
  Profile& p = profiles()[fmt::format("L = {}, batch {}, {} attention", L, batch, path_name(path))];
  p.total_ms = 1e-3 * total_us / steps;
  for (const auto& [name, us] : self_us) p.self_ms.emplace_back(name, 1e-3 * us / steps);
  std::sort(p.self_ms.begin(), p.self_ms.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
}
BENCHMARK(BM_GptStepProfile)
    ->ArgNames({"L", "batch", "path"})
    ->Args({32, 256, 0})
    ->Args({32, 256, 1})
    ->Args({32, 256, 2})
    ->Args({256, 64, 0})
    ->Args({256, 64, 1})
    ->Args({256, 64, 2})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();

// The attention alone, forward and backward through autograd, of one layer at a training step's shape:
// the fused kernel against the LibTorch operators (range(2): 1 = fused). Items: tokens.
void BM_GptAttentionLayer(benchmark::State& state) {
  const std::int64_t L = state.range(0), batch = state.range(1), C = 64, heads = 4;
  const int path = static_cast<int>(state.range(2));
  const bool fused = path != 0;
  gpt::set_threads(1);
  use_path(path);
  torch::manual_seed(1);
  auto qkv = torch::randn({batch, L, 3 * C}).requires_grad_(true);
  auto upstream = torch::randn({batch, L, C});
  const double scale = 0.25;
  auto mask = torch::full({L, L}, -std::numeric_limits<float>::infinity()).triu(1);
  for (auto _ : state) {
    torch::Tensor y;
    if (fused) {
      y = gpt::detail::fused_attention(qkv, heads, scale, true, torch::Tensor());
    } else {  // as AttentionImpl's reference path
      auto parts = qkv.split(C, 2);
      auto split = [&](const torch::Tensor& t) { return t.view({batch, L, heads, C / heads}).transpose(1, 2); };
      auto att = torch::matmul(split(parts[0]), split(parts[1]).transpose(-2, -1)) * scale;
      att = torch::softmax(att + mask, -1);
      y = torch::matmul(att, split(parts[2])).transpose(1, 2).contiguous().view({batch, L, C});
    }
    y.backward(upstream);
    qkv.mutable_grad().reset();
  }
  reset_path();
  state.SetItemsProcessed(state.iterations() * batch * L);
}
BENCHMARK(BM_GptAttentionLayer)
    ->ArgNames({"L", "batch", "path"})
    ->Args({32, 256, 0})
    ->Args({32, 256, 2})
    ->Args({32, 256, 3})
    ->Args({256, 64, 0})
    ->Args({256, 64, 2})
    ->Args({256, 64, 3})
    // the switch point between the per-row and the matrix-product kernel (the same tokens per step)
    ->Args({8, 1024, 2})
    ->Args({8, 1024, 3})
    ->Args({16, 512, 2})
    ->Args({16, 512, 3})
    ->Args({24, 341, 2})
    ->Args({24, 341, 3})
    ->Args({48, 171, 2})
    ->Args({48, 171, 3})
    ->Args({64, 128, 2})
    ->Args({64, 128, 3})
    ->Args({96, 85, 2})
    ->Args({96, 85, 3})
    ->Args({128, 64, 2})
    ->Args({128, 64, 3})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0)
    ->MeasureProcessCPUTime();

// Samples per second with the key/value cache from a fresh model: range(0) L, range(1) samples,
// range(2) threads, range(3) fused.
void BM_GptSample(benchmark::State& state) {
  gpt::set_threads(static_cast<int>(state.range(2)));
  gpt::set_attention_path(state.range(3) != 0 ? gpt::AttentionPath::fused : gpt::AttentionPath::libtorch);
  const gpt::Model model(model_of_length(static_cast<int>(state.range(0))), 1);
  for (auto _ : state) {
    auto s = model.sample(static_cast<std::size_t>(state.range(1)), 3);
    benchmark::DoNotOptimize(s.spins.data());
  }
  gpt::set_attention_path(gpt::AttentionPath::fused);
  state.SetItemsProcessed(state.iterations() * state.range(1));
}
BENCHMARK(BM_GptSample)
    ->ArgNames({"L", "samples", "threads", "fused"})
    ->Args({32, 50000, 1, 0})
    ->Args({32, 50000, 1, 1})
    ->Args({256, 1024, 1, 0})
    ->Args({256, 1024, 1, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// Operators grouped by what they do in IsingGPT ("phase / aten::name" as recorded above).
std::string kind_of(const std::string& entry) {
  const auto has = [&](const char* part) { return entry.find(part) != std::string::npos; };
  if (entry.rfind("optimizer / ", 0) == 0) return "optimizer (AdamW, gradient clipping)";
  if (has("spinformer::attention") || has("FusedAttention")) return "attention: the fused kernel";
  if (has("aten::bmm") || has("Bmm")) return "attention: bmm (q.k and p.v)";
  if (has("aten::_softmax") || has("Softmax")) return "attention: softmax";
  if (has("aten::select") || has("aten::as_strided") || has("aten::resolve_conj"))
    return "views: select, as_strided, resolve_conj (bmm's loop)";
  if (has("aten::mm") || has("aten::addmm") || has("MmBackward")) return "linear layers: matrix products";
  if (has("aten::mul") || has("aten::add") || has("Mul") || has("Add"))
    return "elementwise mul/add (scale, mask, bias, residuals)";
  if (has("gelu") || has("Gelu")) return "GELU";
  if (has("layer_norm") || has("LayerNorm")) return "layer norms";
  if (has("copy_") || has("aten::cat") || has("contiguous") || has("clone")) return "layout copies";
  return "the rest (embeddings, loss, sums, autograd)";
}

struct GptSummary {
  GptSummary() {
    rows();
    profiles();
  }
  ~GptSummary() {
    if (!rows().empty()) {
      std::printf("\nIsingGPT training step (d_model 64, 4 heads, d_ff 256, 2 layers, AdamW; GFLOP counted as in "
                  "issue 16):\n");
      std::printf("  %-40s %9s %9s %11s %9s %12s\n", "", "wall ms", "CPU ms", "tokens/s", "GFLOP/s",
                  "GFLOP/CPU-s");
      for (const auto& [name, r] : rows())
        std::printf("  %-40s %9.1f %9.1f %11.3g %9.1f %12.1f\n", name.c_str(), r.wall_ms, r.cpu_ms,
                    1e3 * r.tokens / r.wall_ms, 1e3 * r.gflop / r.wall_ms, 1e3 * r.gflop / r.cpu_ms);
      for (const auto& [name, r] : rows()) {
        const auto at = name.rfind(" fused");
        if (at == std::string::npos || name.compare(at, std::string::npos, " fused") != 0) continue;
        for (const char* other : {"libtorch", "fused-rows"}) {
          auto before = rows().find(name.substr(0, at + 1) + other);
          if (before != rows().end())
            std::printf("  speed-up %-31s over %-10s wall %.2fx, CPU %.2fx\n", name.substr(0, at).c_str(), other,
                        before->second.wall_ms / r.wall_ms, before->second.cpu_ms / r.cpu_ms);
        }
      }
    }
    for (const auto& [name, p] : profiles()) {
      std::printf("\nProfile of one training step, %s, 1 thread: %.1f ms (self time per operator, wall clock)\n",
                  name.c_str(), p.total_ms);
      double shown = 0;
      for (std::size_t k = 0; k < p.self_ms.size() && k < 18; ++k) {
        std::printf("  %-52s %8.2f ms %5.1f%%\n", p.self_ms[k].first.c_str(), p.self_ms[k].second,
                    100 * p.self_ms[k].second / p.total_ms);
        shown += p.self_ms[k].second;
      }
      std::printf("  %-52s %8.2f ms %5.1f%%\n", "(the rest)", p.total_ms - shown, 100 * (p.total_ms - shown) / p.total_ms);
      std::map<std::string, double> kinds;
      for (const auto& [entry, ms] : p.self_ms) kinds[kind_of(entry)] += ms;
      std::printf("  by kind:\n");
      for (const auto& [kind, ms] : kinds) std::printf("    %-54s %8.2f ms %5.1f%%\n", kind.c_str(), ms, 100 * ms / p.total_ms);
    }
  }
} g_summary;

}  // namespace
