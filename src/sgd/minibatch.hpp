#pragma once
// The randomness of SGD: minibatches of B out of N indices, Gaussian noise, and the mean of a
// recorded (autocorrelated) series with its standard error.
#include <cstdint>
#include <vector>

#include "lab/rng.hpp"
#include "sgd/quadratic.hpp"

namespace spinformer::sgd {

// Draws a fresh minibatch at every call, independently of the previous ones: B uniform indices with
// replacement, or a uniform B-subset (partial Fisher-Yates on a persistent permutation) without.
class MinibatchSampler {
 public:
  MinibatchSampler(long N, long B, Sampling sampling);
  const std::vector<std::uint32_t>& draw(lab::Rng& rng);

 private:
  long N_, B_;
  Sampling sampling_;
  std::vector<std::uint32_t> permutation_, batch_;
};

double standard_normal(lab::Rng& rng);  // Box-Muller

// Steps for the slowest mode, contracting by |factor| per step, to forget the start (|factor|^n = e^-40),
// at most 10^6.
long burn_in_steps(double factor);
// Record every k-th step so that the recorded (theta - mu)^2 series keeps an autocorrelation time ~10
// (its tau is (1 + f^2)/(1 - f^2) steps): the error estimate then costs O(n), not O(n tau).
long recording_stride(double factor);

// Mean of x with error sqrt(var tau_int / n) (lab::integrated_autocorrelation).
SimulatedMoment mean_with_autocorrelation(const std::vector<double>& x);

}  // namespace spinformer::sgd
