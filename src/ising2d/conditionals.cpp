// Raster-order conditionals of the torus by backward messages over the last L spins (conditionals.hpp).
// Window bit k holds site i - L + k (1 = spin up) before site i is added: bit L - 1 is the left
// neighbour, bit 0 the one above, bit 1 the periodic right neighbour of a site at x = L - 1; the
// periodic lower neighbour of the last row is in the fixed first row.
#include "ising2d/conditionals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "ising2d/exact.hpp"

namespace spinformer::ising2d {

namespace {
constexpr int kMaxFirstRow = 10;
inline int spin(std::uint32_t bits, int k) { return (bits >> k) & 1U ? 1 : -1; }
}  // namespace

void RasterConditionals::messages(std::uint32_t first_row, std::vector<double>& msg,
                                  std::vector<double>& log_scale) const {
  const int N = L_ * L_;
  const std::size_t S = std::size_t(1) << L_;
  msg.assign(std::size_t(N - L_ + 1) * S, 0.0);
  log_scale.assign(std::size_t(N - L_ + 1), 0.0);
  std::fill(msg.end() - std::ptrdiff_t(S), msg.end(), 1.0);
  double table[9];  // exp(beta * local field sum), sum in -4..4
  for (int k = 0; k < 9; ++k) table[k] = std::exp(beta_ * (k - 4));
  for (int i = N - 1; i >= L_; --i) {
    const int x = i % L_, y = i / L_;
    const double* next = &msg[std::size_t(i + 1 - L_) * S];
    double* cur = &msg[std::size_t(i - L_) * S];
    double top = 0;
    for (std::uint32_t w = 0; w < S; ++w) {
      double sum = 0;
      for (int s = -1; s <= 1; s += 2) {
        int field = spin(w, 0);  // above
        if (x > 0) field += spin(w, L_ - 1);
        if (x == L_ - 1) field += spin(w, 1);
        if (y == L_ - 1) field += spin(first_row, x);
        const std::uint32_t nw = (w >> 1) | (std::uint32_t(s > 0) << (L_ - 1));
        sum += table[s * field + 4] * next[nw];
      }
      cur[w] = sum;
      top = std::max(top, sum);
    }
    for (std::uint32_t w = 0; w < S; ++w) cur[w] /= top;
    log_scale[std::size_t(i - L_)] = log_scale[std::size_t(i + 1 - L_)] + std::log(top);
  }
}

RasterConditionals::RasterConditionals(int L, double beta) : L_(L), beta_(beta) {
  if (L < 3 || L > 24) throw std::invalid_argument("RasterConditionals: L must be in [3, 24]");
  if (!(beta > 0) || !std::isfinite(beta)) throw std::invalid_argument("RasterConditionals: beta must be positive");
  if (L > kMaxFirstRow) {
    log_z_ = kaufman_thermodynamics(L, L, 1.0, 1.0 / beta).log_z;
    return;
  }
  const std::uint32_t S = 1U << L;
  log_row_weight_.resize(S);
  std::vector<double> msg, scale;
  for (std::uint32_t r = 0; r < S; ++r) {
    messages(r, msg, scale);
    double row = 0;
    for (int x = 0; x < L; ++x) row += spin(r, x) * spin(r, (x + 1) % L);
    log_row_weight_[r] = beta * row + std::log(msg[r]) + scale[0];
  }
  const double m = *std::max_element(log_row_weight_.begin(), log_row_weight_.end());
  double s = 0;
  for (double w : log_row_weight_) s += std::exp(w - m);
  log_z_ = m + std::log(s);
}

double RasterConditionals::log_z() const { return log_z_; }

std::vector<double> RasterConditionals::log_conditionals(const std::int8_t* spins) const {
  const int N = L_ * L_;
  std::vector<double> out(std::size_t(N), std::numeric_limits<double>::quiet_NaN());
  std::uint32_t first = 0;
  for (int x = 0; x < L_; ++x) first |= std::uint32_t(spins[x] > 0) << x;
  if (L_ <= kMaxFirstRow) {
    // p(s_0..s_k) = sum of the row weights over first rows with that prefix
    double previous = 0;  // log p of the prefix before site k (log 1 for the empty prefix)
    for (int k = 0; k < L_; ++k) {
      const std::uint32_t mask = (2U << k) - 1;
      double m = -std::numeric_limits<double>::infinity();
      for (std::uint32_t r = 0; r < log_row_weight_.size(); ++r)
        if ((r & mask) == (first & mask)) m = std::max(m, log_row_weight_[r]);
      double s = 0;
      for (std::uint32_t r = 0; r < log_row_weight_.size(); ++r)
        if ((r & mask) == (first & mask)) s += std::exp(log_row_weight_[r] - m);
      const double lp = m + std::log(s) - log_z_;
      out[std::size_t(k)] = lp - previous;
      previous = lp;
    }
  }
  std::vector<double> msg, scale;
  messages(first, msg, scale);
  const std::size_t S = std::size_t(1) << L_;
  std::uint32_t w = first;  // the window before site L: the first row
  for (int i = L_; i < N; ++i) {
    const int x = i % L_, y = i / L_;
    int field = spin(w, 0);
    if (x > 0) field += spin(w, L_ - 1);
    if (x == L_ - 1) field += spin(w, 1);
    if (y == L_ - 1) field += spin(first, x);
    const double* next = &msg[std::size_t(i + 1 - L_) * S];
    const int s = spins[i] > 0 ? 1 : -1;
    const std::uint32_t up = (w >> 1) | (1U << (L_ - 1)), down = w >> 1;
    const double a = std::exp(beta_ * field) * next[up], b = std::exp(-beta_ * field) * next[down];
    out[std::size_t(i)] = std::log(s > 0 ? a : b) - std::log(a + b);
    w = s > 0 ? up : down;
  }
  return out;
}

}  // namespace spinformer::ising2d
