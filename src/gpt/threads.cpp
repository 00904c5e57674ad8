#include "gpt/threads.hpp"

#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>
#include <torch/torch.h>

namespace spinformer::gpt {
namespace {

// Why a training step on 2 threads collapsed on a busy machine (4.4x the 1-thread step with one core
// busy, issue 28): LibTorch's intra-op threads and OpenBLAS's are libgomp's OpenMP threads, and by
// default libgomp keeps a thread that waits (at a barrier, or for the next parallel region) spinning
// for 300,000 rounds, milliseconds, before it sleeps. A step runs hundreds of short parallel regions,
// so both threads spin nearly all the time; when another process shares a core, the thread there is a
// CPU hog like that process, the scheduler gives the two alternating slices of milliseconds, and every
// region waits for that thread's next slice. A thread that sleeps while it waits is woken ahead of a
// busy process instead, and the step on 2 threads keeps up with the step on 1 (bench_contention.cpp).
//
// libgomp reads its policy (OMP_WAIT_POLICY, GOMP_SPINCOUNT) once, when it is loaded, before main and
// before any constructor of ours; setting the variables from the program is too late (and glibc resets
// the environment after preinit functions run, so even those cannot). What libgomp does at run time,
// as its manual documents under GOMP_SPINCOUNT, is spin only 100 rounds whenever the process has more
// OpenMP threads than available CPUs. So when a team of more than one thread is asked for, a spare team
// is started on a thread of its own and parked for the life of the process (its threads sleep in
// libgomp's pool; they cost memory, no CPU), bringing the count above the CPUs. Thread counts and
// results are unchanged: only how idle threads wait. A user who sets either variable keeps libgomp's
// own behaviour for it (no spare team).
using GompParallel = void (*)(void (*)(void*), void*, unsigned, unsigned);

std::mutex g_spare_mutex;
int g_spare_threads = 0;  // OpenMP threads parked in spare teams (each team's own thread not counted)

bool user_chose_wait_policy() { return std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT"); }

// A thread that runs one parallel region of `size` threads and then sleeps for good, keeping its team's
// size - 1 pool threads alive (libgomp counts them until their owner exits). Signals are blocked there
// so that process signals go to the program's own threads.
bool park_spare_team(int size) {
  const auto parallel = reinterpret_cast<GompParallel>(dlsym(RTLD_DEFAULT, "GOMP_parallel"));
  if (!parallel) return false;  // another OpenMP runtime: its own waiting policy applies
  sigset_t all;
  sigfillset(&all);
  sigset_t previous;
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  std::promise<void> parked;
  auto started = parked.get_future();
  // the promise lives in the parked thread, so that the shared state outlives set_value's notification
  std::thread([parallel, size, parked = std::move(parked)]() mutable {
    parallel([](void*) {}, nullptr, static_cast<unsigned>(size), 0);
    parked.set_value();
    for (;;) pause();
  }).detach();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  started.wait();  // the spare threads exist when set_threads returns
  return true;
}

// The CPUs this process may run on (taskset, cgroup cpusets), as libgomp counts them.
int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// A team of n threads counts n; more than usable_cpus() in all makes libgomp's waits short.
void ensure_short_waits(int n) {
  if (n <= 1 || user_chose_wait_policy()) return;
  const std::lock_guard<std::mutex> lock(g_spare_mutex);
  const int needed = usable_cpus() + 1 - n;
  if (g_spare_threads >= needed) return;
  const int more = std::max(1, needed - g_spare_threads);
  if (park_spare_team(more + 1)) g_spare_threads += more;
}

}  // namespace

int set_threads(int n) {
  if (n <= 0) n = usable_cpus();
  ensure_short_waits(n);
  torch::set_num_threads(n);
  return torch::get_num_threads();
}

int spare_openmp_threads() {
  const std::lock_guard<std::mutex> lock(g_spare_mutex);
  return g_spare_threads;
}

}  // namespace spinformer::gpt
