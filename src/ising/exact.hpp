#pragma once
// Exact results for the finite chain from the 2x2 transfer matrix
// T_ab = exp(beta (J a b + h (a + b) / 2)), computed in log space so that large L and low T are safe.
// Reference: ../shared/reference/ising-chain.md (Kardar ch. 3, Baxter ch. 2).
#include <vector>

#include "ising/chain.hpp"

namespace spinformer::ising {

struct Thermodynamics {
  double log_z = 0;                    // log Z
  double energy_per_spin = 0;          // <H> / L
  double magnetization_per_spin = 0;   // <sum_i s_i> / L
  double specific_heat_per_spin = 0;   // beta^2 (<H^2> - <H>^2) / L
  double susceptibility_per_spin = 0;  // beta (<M^2> - <M>^2) / L, M = sum_i s_i
};

// One allowed energy of the chain at h = 0 with its exact probability.
struct EnergyLevel {
  double energy = 0;        // -J (bonds - 2 k)
  int domain_walls = 0;     // k
  double log_count = 0;     // log of the number of configurations with this energy
  double probability = 0;   // count * exp(-beta E) / Z
};

class ExactChain {
 public:
  explicit ExactChain(const Chain& chain);

  const Chain& chain() const { return chain_; }

  double log_partition() const;
  Thermodynamics thermodynamics() const;

  // Bulk correlation length 1 / ln(lambda_+ / |lambda_-|) (= -1 / ln tanh(beta J) at h = 0, J > 0).
  double correlation_length() const;

  // <s_i> for i = 0..L-1 (all equal for the periodic chain).
  std::vector<double> magnetization_profile() const;

  // Connected correlation C(r) = <s_i s_{i+r}> - <s_i><s_{i+r}>, r = 0..L-1, averaged over the pairs
  // (i, i + r) that exist: all L of them (indices mod L) on the ring, the L - r pairs of the open chain.
  // This is what the sample estimator in estimators.hpp measures. Cost O(L) on the ring, O(L^2) open.
  std::vector<double> connected_correlation() const;

  // log p(s) = -beta H(s) - log Z.
  double log_probability(const Spin* s) const;

  // Exact autoregressive conditional p(s_i = +1 | s_0..s_{i-1}), i = 0..L-1 (0-based).
  // It depends on s_{i-1} (prev) and, on the ring, on s_0 (first) only; both are ignored for i = 0,
  // and first is ignored for the open chain.
  double conditional_up(int i, Spin prev, Spin first) const;

  // log p(s_i | s_<i) for the configuration s; sum over i equals log_probability(s).
  double log_conditional(const Spin* s, int i) const;

  // Exact energy distribution at h = 0 (throws std::logic_error if h != 0): one entry per allowed
  // number of domain walls k (k even on the ring, 0..L-1 on the open chain), ordered by energy.
  std::vector<EnergyLevel> energy_distribution() const;

 private:
  Chain chain_;
  double log_z_ = 0;
  double log_scale_ = 0;      // m: largest exponent of T, log Z = bonds m (+ |H| open) + log_z_reduced_
  double log_z_reduced_ = 0;  // log Z minus that offset (keeps log_probability free of cancellation)
  // rho = lambda_- / lambda_+ as log|rho| and sign (rho^n then stays accurate as |rho| -> 1).
  double log_abs_rho_ = 0;
  bool rho_negative_ = false;
  double bulk_magnetization_ = 0;  // v_+^T sigma_z v_+ for the leading eigenvector
  double off_diagonal_sq_ = 0;     // (v_+^T sigma_z v_-)^2 = 1 - bulk_magnetization_^2
  // Precomputed tables (see exact.cpp); spin index 0 is +1, index 1 is -1.
  std::vector<double> log_powers_;       // [n][a][b]: log (T^n)_ab - max_ab, n = 0..L
  std::vector<double> log_forward_;      // open chain: [i][a] log (w^T T^i)_a, normalised
  std::vector<double> log_backward_;     // open chain: [i][a] log (T^(L-1-i) w)_a, normalised
  std::vector<double> log_conditional_;  // [i][prev][first][s]: log p(s_i = s | prev, first)
};

}  // namespace spinformer::ising
