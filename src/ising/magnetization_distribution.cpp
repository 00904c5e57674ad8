#include "ising/magnetization_distribution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace spinformer::ising {
namespace {

double log_add(double a, double b) {
  if (a == -std::numeric_limits<double>::infinity()) return b;
  if (b == -std::numeric_limits<double>::infinity()) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::abs(a - b)));
}

}  // namespace

std::vector<double> magnetization_distribution(const Chain& chain) {
  const int L = chain.L;
  const double K = chain.beta() * chain.J, H = chain.beta() * chain.h;
  const double minus_inf = -std::numeric_limits<double>::infinity();
  std::vector<double> log_weight(L + 1, minus_inf);  // log sum of Boltzmann weights by k = (M + L) / 2

  // Fix the first spin (it closes the ring), then walk along the chain keeping (current spin, k).
  for (int first : {-1, +1}) {
    // w[s][k]: s = 0 for spin -1, 1 for +1; k = number of up spins so far.
    std::vector<double> w[2] = {std::vector<double>(L + 1, minus_inf), std::vector<double>(L + 1, minus_inf)};
    w[first > 0][first > 0 ? 1 : 0] = H * first;
    for (int i = 1; i < L; ++i) {
      std::vector<double> next[2] = {std::vector<double>(L + 1, minus_inf), std::vector<double>(L + 1, minus_inf)};
      for (int prev = 0; prev < 2; ++prev)
        for (int k = 0; k <= i; ++k) {
          if (w[prev][k] == minus_inf) continue;
          for (int cur = 0; cur < 2; ++cur) {
            const int sp = 2 * prev - 1, sc = 2 * cur - 1;
            next[cur][k + cur] = log_add(next[cur][k + cur], w[prev][k] + K * sp * sc + H * sc);
          }
        }
      w[0].swap(next[0]);
      w[1].swap(next[1]);
    }
    for (int last = 0; last < 2; ++last)
      for (int k = 0; k <= L; ++k) {
        const double closing = chain.boundary == Boundary::periodic ? K * (2 * last - 1) * first : 0.0;
        log_weight[k] = log_add(log_weight[k], w[last][k] + closing);
      }
  }
  double log_z = minus_inf;
  for (double lw : log_weight) log_z = log_add(log_z, lw);
  std::vector<double> probability(L + 1);
  for (int k = 0; k <= L; ++k) probability[k] = std::exp(log_weight[k] - log_z);
  return probability;
}

}  // namespace spinformer::ising
