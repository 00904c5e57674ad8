#pragma once
// What the transformer benchmarks share: the training settings of a bare step, the exact samples it
// trains on, and the process's CPU time (to tell a slow step from a step that waited for a core).
#include <ctime>

#include "gpt/train.hpp"
#include "ising/samplers.hpp"

namespace spinformer::bench {

// A constant learning rate and no warm-up, so that every measured step does the same work.
inline gpt::TrainConfig bench_train(int batch) {
  gpt::TrainConfig t;
  t.batch = batch;
  t.lr = 3e-4;
  t.schedule = "constant";
  t.warmup_steps = 0;
  t.steps = 1000000;
  return t;
}

// 8,192 exact samples of the L-spin ring at T = 1 (the data a chapter trains on).
inline ising::SpinSamples bench_data(int L) {
  ising::Chain c;
  c.L = L;
  c.T = 1.0;
  return ising::ExactSampler(c).draw(8192, 1);
}

inline double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace spinformer::bench
