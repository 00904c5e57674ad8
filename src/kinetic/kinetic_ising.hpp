#pragma once
// The binary kinetic Ising model with parallel Glauber updates (reference sheet kinetic-ising.md):
//
//   P(s_i,t = +-1 | s_t-1) = exp(+- beta h_i,t) / (2 cosh(beta h_i,t)),  h_i,t = H_i + sum_j J_ij s_j,t-1
//
// J need not be symmetric (then there is no detailed balance: a non-equilibrium steady state).
// Every method in src/kinetic starts from the deterministic state s_0 = all +1 and reports, for
// t = 0..T, the magnetisations m_t, the equal-time covariances C_t = cov(s_t, s_t) and the delayed
// covariances D_t = cov(s_t, s_t-1) (D_0 = 0).
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

namespace spinformer::kinetic {

struct KineticIsing {
  Eigen::MatrixXd J;  // N x N, row i = the couplings into spin i
  Eigen::VectorXd H;  // N
  double beta = 1;

  int size() const { return static_cast<int>(H.size()); }
  // The effective couplings and fields with beta absorbed: beta J, beta H.
  Eigen::MatrixXd beta_J() const { return beta * J; }
  Eigen::VectorXd beta_H() const { return beta * H; }

  // The asymmetric SK ensemble of Aguilera, Moosavi and Shimazaki (2021): H_i uniform in
  // [-H0, H0], J_ij = J0/N + Js/sqrt(N) z_ij with z standard normal, ij and ji independent
  // (diagonal included, as in their code). Couplings from RNG stream 0 of seed, fields from stream 1.
  static KineticIsing asymmetric_sk(int N, double beta, std::uint64_t seed, double J0 = 1.0, double Js = 0.1,
                                    double H0 = 0.5);

  // Couplings: N rows of N numbers; fields: N numbers (one row or one per line). UsageError
  // ("--couplings" / "--fields" / "--beta") naming the file and line on bad input.
  static KineticIsing from_files(const std::string& couplings_path, const std::string& fields_path, double beta);
};

// beta_c of the benchmark ensemble (N = 512, J0 = 1, Js = 0.1, H0 = 0.5), the authors' value.
constexpr double kAguileraBetaC = 1.1108;

// Statistics of s_t for t = 0..T (index t); C[t] and D[t] are N x N (empty when not recorded).
struct Trajectory {
  std::vector<Eigen::VectorXd> m;
  std::vector<Eigen::MatrixXd> C;
  std::vector<Eigen::MatrixXd> D;
  int steps() const { return static_cast<int>(m.size()) - 1; }
};

// Validation shared by every method: UsageError("--beta" / "--steps" / "--couplings").
void check(const KineticIsing& model, int steps);

}  // namespace spinformer::kinetic
