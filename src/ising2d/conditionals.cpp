#include "ising2d/conditionals.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "ising2d/exact.hpp"

namespace spinformer::ising2d {
namespace {

int bit_spin(std::uint32_t bits, int k) { return (bits >> k) & 1u ? 1 : -1; }

// Local field on site (r, c) from the neighbours already placed, the frontier f holding the spins at
// positions j - L .. j - 1 (bit k = position j - L + k): the upper neighbour (bit 0), the left one
// (bit L - 1, not in column 0), the right one across the boundary (bit 1, last column) and the lower
// one across the boundary (first row, last row). Every bond of the torus is counted exactly once.
int frontier_field(std::uint32_t f, std::uint32_t first_row, int L, int r, int c) {
  int h = bit_spin(f, 0);
  if (c > 0) h += bit_spin(f, L - 1);
  if (c == L - 1) h += bit_spin(f, 1);
  if (r == L - 1) h += bit_spin(first_row, c);
  return h;
}

}  // namespace

double log_sum_exp(const std::vector<double>& x) {
  const double m = *std::max_element(x.begin(), x.end());
  double s = 0;
  for (double v : x) s += std::exp(v - m);
  return m + std::log(s);
}

RasterConditionals::RasterConditionals(int L, double beta) : L_(L), beta_(beta) {
  if (L < 3 || L > kMaxL) throw std::invalid_argument("RasterConditionals: L must be in [3, 16]");
  if (!(beta > 0) || !std::isfinite(beta)) throw std::invalid_argument("RasterConditionals: beta must be finite and > 0");
  if (L > kMaxFirstRowL) {
    log_z_ = kaufman_thermodynamics(L, L, 1.0, 1.0 / beta).log_z;
    return;
  }
  const std::uint32_t rows = 1u << L;
  row_weight_.resize(rows);
  std::vector<double> table;
  for (std::uint32_t row = 0; row < rows; ++row) {
    int bonds = 0;  // the first row's own bonds, the closing one included
    for (int c = 0; c < L; ++c) bonds += bit_spin(row, c) * bit_spin(row, (c + 1) % L);
    const double log_scale = backward(row, table);
    row_weight_[row] = beta * bonds + std::log(table[row]) + log_scale;  // F_L at frontier = the row
  }
  log_z_ = log_sum_exp(row_weight_);
}

double RasterConditionals::backward(std::uint32_t first_row, std::vector<double>& table) const {
  const int L = L_, N = L * L;
  const std::size_t S = std::size_t{1} << L;
  std::array<double, 9> boltzmann{};  // exp(beta h), h = -4..4
  for (int h = -4; h <= 4; ++h) boltzmann[h + 4] = std::exp(beta_ * h);
  table.assign(static_cast<std::size_t>(N - L + 1) * S, 0.0);
  std::fill(table.end() - static_cast<std::ptrdiff_t>(S), table.end(), 1.0);  // F_N = 1
  const std::uint32_t top = 1u << (L - 1);
  double log_scale = 0;
  for (int j = N - 1; j >= L; --j) {
    const int r = j / L, c = j % L;
    double* cur = &table[static_cast<std::size_t>(j - L) * S];
    const double* next = cur + S;
    double largest = 0;
    for (std::uint32_t f = 0; f < S; ++f) {
      const int h = frontier_field(f, first_row, L, r, c);
      const std::uint32_t shifted = f >> 1;
      cur[f] = boltzmann[4 + h] * next[shifted | top] + boltzmann[4 - h] * next[shifted];
      largest = std::max(largest, cur[f]);
    }
    // rescale so that 256 sites at low T cannot overflow; ratios at one j are all that conditionals use
    for (std::uint32_t f = 0; f < S; ++f) cur[f] /= largest;
    log_scale += std::log(largest);
  }
  return log_scale;
}

double RasterConditionals::log_row_prefix(std::uint32_t row, int k) const {
  if (k == 0) return log_z_;
  const std::uint32_t mask = (1u << k) - 1u;
  std::vector<double> w;
  for (std::uint32_t r = 0; r < row_weight_.size(); ++r)
    if ((r & mask) == (row & mask)) w.push_back(row_weight_[r]);
  return log_sum_exp(w);
}

std::vector<double> RasterConditionals::log_conditionals(const std::int8_t* spins) const {
  const int L = L_, N = L * L;
  const std::size_t S = std::size_t{1} << L;
  for (int i = 0; i < N; ++i)
    if (spins[i] != 1 && spins[i] != -1) throw std::invalid_argument("RasterConditionals: spins must be +1 or -1");
  std::uint32_t first_row = 0;
  for (int c = 0; c < L; ++c) first_row |= (spins[c] == 1 ? 1u : 0u) << c;
  std::vector<double> out(N, std::numeric_limits<double>::quiet_NaN());
  if (!row_weight_.empty())
    for (int i = 0; i < L; ++i) out[i] = log_row_prefix(first_row, i + 1) - log_row_prefix(first_row, i);
  std::vector<double> table;
  backward(first_row, table);
  const std::uint32_t top = 1u << (L - 1);
  std::uint32_t f = first_row;  // the frontier of site L: the first row
  for (int i = L; i < N; ++i) {
    const int h = frontier_field(f, first_row, L, i / L, i % L);
    const double* next = &table[static_cast<std::size_t>(i + 1 - L) * S];
    const std::uint32_t shifted = f >> 1;
    const double up = std::exp(beta_ * h) * next[shifted | top], down = std::exp(-beta_ * h) * next[shifted];
    out[i] = std::log((spins[i] == 1 ? up : down) / (up + down));
    f = shifted | (spins[i] == 1 ? top : 0u);
  }
  return out;
}

}  // namespace spinformer::ising2d
