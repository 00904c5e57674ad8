#pragma once
// The vector-spin "spin transformer" model (Bal; Honkoop 2025, chapter 3):
// N spins s_i in R^D, sphere radius R = sqrt(D/2 - 1), couplings J (N x N, NOT symmetric,
// J_ij = N^(-1/2) z_ij), applied field x (N x D, each row of norm R, times the field strength h).
//
//   u_i(s) = x_i + sum_j J_ij s_j,   omega_i(s) = R / ||u_i(s)||,
//   H(s)   = 1/2 sum_i || s_i - omega_i(s) u_i(s) ||^2          ("loss-based" energy).
//
// States are N x D row-major matrices: row i is spin (or magnetisation) i.
#include <Eigen/Dense>
#include <cstdint>
#include <string>

#include "lab/rng.hpp"

namespace spinformer::glass {

using State = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;  // N x D
using Couplings = Eigen::MatrixXd;                                                      // N x N

// R = sqrt(D/2 - 1); UsageError("--D") unless D >= 3.
double sphere_radius(int D);

// Standard normal variate from the lab RNG (Box-Muller on 53-bit uniforms; reproducible).
double standard_normal(lab::Rng& rng);

struct VectorSpinModel {
  int N = 0;
  int D = 0;
  double R = 0;
  Couplings J;  // N x N
  State x;      // N x D, already multiplied by the field strength h

  // J_ij = N^(-1/2) z (all i, j, diagonal included, ij and ji independent), from RNG stream 0 of seed;
  // x_i = h R g_i / ||g_i|| with g_i standard normal in R^D, from RNG stream 1 of seed.
  // UsageError("--N" / "--D" / "--h") on bad sizes or a non-finite h.
  static VectorSpinModel random(int N, int D, double h, std::uint64_t seed);

  // Couplings: N rows of N numbers; field: N rows of D numbers (already scaled; h multiplies it).
  // UsageError("--couplings" / "--field") naming the file and line on bad input.
  static VectorSpinModel from_files(const std::string& couplings_path, const std::string& field_path, double h);

  // Same field, couplings replaced by their symmetric version (J + J^T) / sqrt(2) (keeps the
  // off-diagonal variance 1/N; the diagonal is scaled by sqrt(2)).
  VectorSpinModel symmetrized() const;

  State initial_state() const;        // the thesis's m_0: every row (1, ..., 1) / sqrt(D)
  State field_aligned_state() const;  // row i = R x_i / ||x_i||
  State targets(const State& s) const;  // u(s) = x + J s  (N x D)
  double energy(const State& s) const;  // H(s), computed from scratch: O(N^2 D)
};

// Alignment (thesis eq. 3.6): A(a, b) = (1/N) sum_i cos(a_i, b_i) (a zero row contributes 0).
double alignment(const State& a, const State& b);
// Overlap (eq. 2.8): q_ab = (1/N) sum_i a_i . b_i.
double overlap(const State& a, const State& b);

}  // namespace spinformer::glass
