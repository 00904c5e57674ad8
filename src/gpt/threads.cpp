#include "gpt/threads.hpp"

#include <thread>
#include <torch/torch.h>

namespace spinformer::gpt {

int set_threads(int n) {
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
  return torch::get_num_threads();
}

}  // namespace spinformer::gpt
