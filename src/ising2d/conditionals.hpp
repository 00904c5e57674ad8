#pragma once
// The exact autoregressive factorisation of the L x L torus (J = 1, h = 0) in raster order:
// p(s) = prod_i p(s_i | s_<i), the thing a raster-order transformer is trained to represent.
//
// Given the first row, the spins after site i interact with the prefix s_<i only through the last L
// spins (the "frontier": the upper neighbours of the next row) and the first row (the lower
// neighbours of the last row across the periodic boundary). So the weight of all completions of a
// prefix is a backward transfer over the remaining sites whose state is the frontier:
//   F_j(frontier) = sum_{s_j} exp(beta s_j (up + left + wraps)) F_{j+1}(frontier shifted by s_j),
// 2^L states, O(L^2 2^L) per configuration, and p(s_i | s_<i) ∝ exp(beta s_i h_i) F_{i+1}(...).
// Inside the first row the rest of the row is unknown: the row's marginal comes from the same
// transfer run once per first row (2^L of them, so only for L <= kMaxFirstRowL).
// The checks: enumeration over all 2^(L^2) configurations at L = 3, 4, and log Z against Kaufman.
#include <cstdint>
#include <vector>

namespace spinformer::ising2d {

// log sum_k exp(x_k), shifted by the largest term so that no exponential overflows (x non-empty).
double log_sum_exp(const std::vector<double>& x);

class RasterConditionals {
 public:
  static constexpr int kMaxFirstRowL = 10;  // 2^L first rows x O(L^2 2^L) each
  static constexpr int kMaxL = 16;          // the frontier table holds L^2 2^L doubles (126 MB at L = 16)

  // 3 <= L <= kMaxL (at L = 2 the torus has double bonds), beta finite and > 0; else
  // std::invalid_argument.
  RasterConditionals(int L, double beta);

  int L() const { return L_; }
  double beta() const { return beta_; }
  // log Z of the torus: from the first-row marginals for L <= kMaxFirstRowL, else Kaufman's formula.
  double log_z() const { return log_z_; }

  // log p(s_i | s_<i) for i = 0..L*L-1 of one configuration (L*L spins of +-1, raster order);
  // NaN for i < L when L > kMaxFirstRowL. Throws std::invalid_argument on a spin other than +-1.
  std::vector<double> log_conditionals(const std::int8_t* spins) const;

 private:
  // Backward transfer for the given first row (bit c = spin (0, c) is +1): table[(j - L) * 2^L + f]
  // holds F_j(f) / M_j for j = L..N, and the return value is log M_L (the scale of F_L).
  double backward(std::uint32_t first_row, std::vector<double>& table) const;
  // log of sum of exp(row_weight_) over the first rows whose first k spins are those of `row`.
  double log_row_prefix(std::uint32_t row, int k) const;

  int L_ = 0;
  double beta_ = 0;
  double log_z_ = 0;
  std::vector<double> row_weight_;  // [row]: log of the summed weight of every configuration with that first row
};

}  // namespace spinformer::ising2d
