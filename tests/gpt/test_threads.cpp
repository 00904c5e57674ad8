// The thread team (issue 28): the default team is the CPUs this process may use, and a team of more
// than one thread leaves the process with more OpenMP threads than CPUs, the condition under which
// libgomp waits with 100 spins instead of 300,000 (its manual, GOMP_SPINCOUNT), so that 2 threads do
// not collapse beside a busy process. The speed itself is the benchmark's (bench_contention.cpp).
#include <gtest/gtest.h>

#include <sched.h>

#include <cstdlib>
#include <filesystem>
#include <iterator>

#include "gpt/threads.hpp"
#include "ising/samplers.hpp"
#include "gpt/train.hpp"

using namespace spinformer;

namespace {

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  sched_getaffinity(0, sizeof set, &set);
  return CPU_COUNT(&set);
}

long threads_of_this_process() {
  const auto tasks = std::filesystem::directory_iterator("/proc/self/task");
  return std::distance(begin(tasks), end(tasks));
}

bool user_set_wait_policy() { return std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT"); }

TEST(Threads, DefaultTeamIsTheCpusThisProcessMayUse) {
  cpu_set_t all;
  CPU_ZERO(&all);
  ASSERT_EQ(sched_getaffinity(0, sizeof all, &all), 0);
  EXPECT_EQ(gpt::set_threads(0), CPU_COUNT(&all));
  if (CPU_COUNT(&all) < 2) GTEST_SKIP() << "one CPU: a narrower mask cannot be tried";
  cpu_set_t one;  // as under `taskset -c <first CPU>`
  CPU_ZERO(&one);
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &all)) {
      CPU_SET(c, &one);
      break;
    }
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  const int team = gpt::set_threads(0);
  ASSERT_EQ(sched_setaffinity(0, sizeof all, &all), 0);
  EXPECT_EQ(team, 1) << "two threads on one CPU wait on each other";
  gpt::set_threads(1);
}

TEST(Threads, ATeamLeavesMoreOpenMPThreadsThanCpus) {
  if (user_set_wait_policy()) GTEST_SKIP() << "OMP_WAIT_POLICY or GOMP_SPINCOUNT set: libgomp's own policy rules";
  const int cpus = usable_cpus();
  ASSERT_EQ(gpt::set_threads(2), 2);
  // a training step, so that the team of 2 has started its threads
  ising::Chain chain;
  chain.L = 8;
  gpt::ModelConfig model;
  model.L = 8;
  model.d_model = 16;
  model.n_heads = 2;
  model.n_layers = 1;
  model.d_ff = 32;
  gpt::TrainConfig train;
  train.batch = 512;
  train.steps = 10;
  gpt::StepTrainer trainer(model, train, ising::ExactSampler(chain).draw(1024, 1));
  trainer.step();
  // the team counts 2 (this thread and one worker), the spare teams the rest
  EXPECT_GT(2 + gpt::spare_openmp_threads(), cpus);
  // this thread, the team's worker, and per spare team its own thread besides its spare threads
  EXPECT_GE(threads_of_this_process(), 2 + gpt::spare_openmp_threads() + 1);
  gpt::set_threads(1);
}

}  // namespace
