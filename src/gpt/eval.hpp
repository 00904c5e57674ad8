#pragma once
// Exact evaluation of a model against the exact chain (LibTorch-free).
#include <vector>

#include "gpt/gpt.hpp"
#include "ising/estimators.hpp"
#include "ising/exact.hpp"
#include "lab/statistics.hpp"

namespace spinformer::gpt {

// KL(p_T || p_model) per spin estimated on exact i.i.d. samples of p_T:
// mean over samples of (log p_T(s) - log p_model(s)) / L, with its standard error.
lab::Estimate kl_per_spin(const Model& model, const ising::ExactChain& exact, const ising::SpinSamples& exact_samples);

// By enumeration of all 2^L states (L <= 16, else UsageError("--L")).
struct EnumerationResult {
  double kl_per_spin = 0;          // sum_s p_T(s) (log p_T(s) - log p_model(s)) / L
  double total_probability = 0;    // sum_s p_model(s): 1 for a normalised model
  double model_entropy_per_spin = 0;
  double exact_entropy_per_spin = 0;
};
EnumerationResult enumerate_kl(const Model& model, const ising::ExactChain& exact);

// All 2^L configurations of L spins, state k has s_i = +1 iff bit i of k is set.
ising::SpinSamples all_configurations(int L);

// Per-position excess loss E_s[log p_T(s_i | s_<i) - log p_model(s_i | s_<i)] on exact samples,
// i = 0..L-1, with standard errors; its sum over i is L * kl_per_spin on the same samples.
struct PositionProfile {
  std::vector<double> value, error;
};
PositionProfile excess_loss_per_position(const Model& model, const ising::ExactChain& exact,
                                         const ising::SpinSamples& exact_samples);

// Model samples against the exact chain: energy histogram chi-square (h = 0 only; else chi2 = NaN)
// and C(r) of the samples against the exact C(r).
struct SampleComparison {
  lab::ChiSquareResult energy;
  bool energy_tested = false;
  ising::CorrelationEstimate model_corr;
  std::vector<double> exact_corr;
};
SampleComparison compare_samples(const ising::ExactChain& exact, const ising::SpinSamples& model_samples);

// A(r) from sample-averaged maps: by_distance[l][r] = mean over heads and queries i >= r of maps[l][h][i][i-r].
void fill_attention_by_distance(AttentionSummary& summary);

}  // namespace spinformer::gpt
