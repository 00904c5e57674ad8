#include "sgd/minibatch.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "lab/statistics.hpp"

namespace spinformer::sgd {

MinibatchSampler::MinibatchSampler(long N, long B, Sampling sampling)
    : N_(N), B_(B), sampling_(sampling), batch_(static_cast<std::size_t>(B)) {
  batch_noise_factor(B, N, sampling);  // validates B and N
  if (sampling_ == Sampling::without_replacement) {
    permutation_.resize(static_cast<std::size_t>(N));
    std::iota(permutation_.begin(), permutation_.end(), 0u);
  }
}

const std::vector<std::uint32_t>& MinibatchSampler::draw(lab::Rng& rng) {
  const auto n = static_cast<std::uint32_t>(N_);
  if (sampling_ == Sampling::with_replacement) {
    for (auto& i : batch_) i = rng.below(n);
    return batch_;
  }
  // Any permutation followed by B Fisher-Yates steps leaves a uniform B-subset in front.
  for (long j = 0; j < B_; ++j) {
    const auto r = static_cast<std::uint32_t>(j) + rng.below(n - static_cast<std::uint32_t>(j));
    std::swap(permutation_[static_cast<std::size_t>(j)], permutation_[r]);
    batch_[static_cast<std::size_t>(j)] = permutation_[static_cast<std::size_t>(j)];
  }
  return batch_;
}

double standard_normal(lab::Rng& rng) {
  const double u1 = 1.0 - rng.uniform();  // in (0, 1]: the log is finite
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

long burn_in_steps(double factor) {
  const double rate = -std::log(std::abs(factor));
  if (!(rate > 0)) return 1'000'000;
  return static_cast<long>(std::min(1e6, std::ceil(40.0 / rate)));
}

long recording_stride(double factor) {
  const double f2 = factor * factor;
  if (!(f2 < 1)) return 1;
  return std::max(1L, static_cast<long>(std::min(1e5, (1 + f2) / (1 - f2) / 10.0)));
}

SimulatedMoment mean_with_autocorrelation(const std::vector<double>& x) {
  SimulatedMoment out;
  out.steps = static_cast<long>(x.size());
  if (x.empty()) return out;
  const double n = static_cast<double>(x.size());
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  const auto ac = lab::integrated_autocorrelation(x);
  out.value = mean;
  out.tau_int = ac.tau_int;
  out.error = std::sqrt(ss / n * std::max(ac.tau_int, 1.0) / n);
  return out;
}

}  // namespace spinformer::sgd
