#pragma once
// The mean-field family of the kinetic Ising model (reference sheet kinetic-ising.md; beta is
// absorbed below: J means beta J, H means beta H, g_i = H_i + sum_j J_ij m_j,t-1):
//
//   naive     m_i,t = tanh(g_i)
//             C_t = diag(1 - m^2),  D_il,t = (1 - m_i,t^2) J_il (1 - m_l,t-1^2)
//   tap       m_i,t = tanh(g_i - m_i,t V_i),  V_i = sum_j J_ij^2 (1 - m_j,t-1^2)   (one root per site)
//             C_ik,t = (1 - m_i^2)(1 - m_k^2) sum_j J_ij J_kj (1 - m_j,t-1^2)   (i != k)
//             D_il,t = (1 - m_i,t^2) J_il (1 - m_l,t-1^2) (1 + 2 m_i,t J_il m_l,t-1)
//   gaussian  m_i,t = Int Dz tanh(g_i + z sqrt(V_i))  (Mezard-Sakellariou; Aguilera's Plefka[t-1])
//             C_ik,t: the same with a bivariate Gaussian of covariance (J C_t-1 J^T)_ik,
//             D_il,t = Int Dz (1 - tanh^2(g_i + z sqrt(V_i))) (J C_t-1)_il
//   pairwise  (Plefka2[t]-like) conditions on one spin s_l,t-1 at a time and averages over l:
//             m_i,t = (1/N) sum_l sum_{s_l} P(s_l) tanh(theta_il(s_l)),
//             theta = g_i + Delta_il (s_l - m_l,t-1) - tanh(theta) V_il,
//             Delta_il = J_il + sum_{j != l} J_ij C_jl,t-1 / (1 - m_l,t-1^2),
//             V_il = sum_{j,n != l} J_ij J_in C_jn,t-1;
//             D_il,t = sum_{s_l} P(s_l) tanh(theta_il(s_l)) (s_l - m_l,t-1),
//             C_ik,t as the Gaussian method's, with the full covariance J C_t-1 J^T of the fields
//             (variances V_i = (J C_t-1 J^T)_ii included).
//
// The TAP delayed correlation carries 2 m_i J_il m_l: expanding E[tanh(g_i + x) ds_l] to second order
// in x = sum_j J_ij ds_j gives tanh''/2 J_il^2 E[ds_l^3] with E[ds^3] = -2 m (1 - m^2). (Aguilera et
// al.'s public code writes 1 + m_i J_il m_l.) A test checks the order of the error of each choice.
// The pairwise method replaces the paper's estimate of E[s_j | s_l] (through D_t-1) by the regression
// C_jl / (1 - m_l^2) on the method's own C_t-1: it is our derivation in the spirit of Plefka2[t], not
// a transcription of the paper.
#include <string>

#include "kinetic/kinetic_ising.hpp"

namespace spinformer::kinetic {

enum class Method { naive, tap, gaussian, pairwise };

const char* method_name(Method method);              // "naive", "tap", "gaussian", "pairwise"
Method parse_method(const std::string& name);        // UsageError("--method")

// m_0 = s_0 = all +1, C_0 = D_0 = 0; `correlations` false skips C and D (cheaper for large N).
Trajectory mean_field(const KineticIsing& model, Method method, int steps, bool correlations = true);

// The TAP root for one site: the m in [-1, 1] with m = tanh(g - m V), V >= 0 (to ~1e-15).
double tap_root(double g, double V);

// Nodes and weights of Gauss-Hermite quadrature for the standard normal measure Dz (weights sum to 1).
struct Quadrature {
  std::vector<double> z, w;
};
const Quadrature& gauss_hermite(int n);

}  // namespace spinformer::kinetic
