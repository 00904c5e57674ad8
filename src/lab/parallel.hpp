#pragma once
// In-memory parallel loop for a command's independent pieces (e.g. the chains of `glass mcmc`): the
// job engine's error policy without its cache. Each index runs exactly once; seeds must come from the
// index, never from the thread, so results do not depend on the number of threads. The first
// exception stops the hand-out of new indices and is rethrown after every thread has joined.
#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace spinformer::lab {

inline void parallel_for(long n, int threads, const std::function<void(long)>& body) {
  std::atomic<long> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr failure;
  std::mutex m;
  auto worker = [&] {
    for (long i; !failed && (i = next++) < n;) {
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(m);
        if (!failure) failure = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  const long extra = std::min<long>(std::max(threads, 1), n) - 1;
  for (long t = 0; t < extra; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace spinformer::lab
