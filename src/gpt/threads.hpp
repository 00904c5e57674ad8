#pragma once
// LibTorch starts with one intra-op thread here; every command that runs the transformer sets it.
namespace spinformer::gpt {

// n <= 0 means every CPU this process may run on (its affinity mask: taskset, cpusets). Returns the
// number of threads now in use. For n > 1 it also makes the OpenMP threads sleep, rather than spin,
// while they wait (see threads.cpp), so that a team does not collapse when another process shares a
// core; unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is set, which then rules as libgomp documents.
int set_threads(int n);

// OpenMP threads parked by set_threads to shorten libgomp's waits (0 until a team of more than one
// thread is asked for, or when the user set the waiting policy).
int spare_openmp_threads();

}  // namespace spinformer::gpt
