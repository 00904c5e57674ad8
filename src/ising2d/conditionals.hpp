#pragma once
// Exact raster-order conditionals p(s_i | s_<i) of the L x L torus (J = 1, h = 0): the reference an
// autoregressive model's conditionals are measured against (chapter 6's causal tests). With the first
// row fixed, the remaining sites are summed by a transfer "message" over the last L spins in raster
// order (2^L states), run backwards from the last site; the first row's own marginals need that sum
// for every first row (2^L of them), so they are computed only for L <= 10.
#include <cstdint>
#include <vector>

namespace spinformer::ising2d {

// Exact raster-order conditionals of the L x L torus (J = 1, h = 0) at inverse temperature beta.
class RasterConditionals {
 public:
  RasterConditionals(int L, double beta);  // L >= 3; first-row marginals exact for L <= 10
  double log_z() const;                    // equals Kaufman's log Z (tested)
  // log p(s_i | s_<i), i = 0..L*L-1, for one configuration of L*L spins (+-1, raster order);
  // NaN for i < L when L > 10.
  std::vector<double> log_conditionals(const std::int8_t* spins) const;

 private:
  int L_;
  double beta_;
  double log_z_;
  std::vector<double> log_row_weight_;  // [first row as bits]: log of the sum over the other rows
  // Backward messages for a fixed first row: msg[(i - L) * 2^L + window], scaled, i = L..N.
  void messages(std::uint32_t first_row, std::vector<double>& msg, std::vector<double>& log_scale) const;
};

}  // namespace spinformer::ising2d
