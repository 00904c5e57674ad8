#pragma once
// LibTorch starts with one intra-op thread here; every command that runs the transformer sets it.
namespace spinformer::gpt {

// n <= 0 means all hardware threads. Returns the number of threads now in use.
int set_threads(int n);

}  // namespace spinformer::gpt
