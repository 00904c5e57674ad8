#pragma once
// A bidirectional masked-spin model (public, LibTorch-free interface): the IsingGPT blocks without the
// causal mask over the L spins of a configuration, some spins replaced by a mask token, trained to
// predict the masked spins, p_model(s_i | visible spins). Its yardstick is the exact conditional
// p(s_i | rest) of ising/ring_conditional.hpp.
//
// Positions: a variant sees where its spins are only through
//   none      no positional information at all (a control: it cannot tell neighbours from far spins),
//   distance  the additive bias P_ij = -slope |i - j|,
//   periodic  the note's bias P_ij = -slope min(|i - j|, L - |i - j|),
//   learned   learned absolute position embeddings and no bias (the usual transformer),
// with the slope learned per layer and head (initialised at bias_slope). Tokens: 0 = spin -1,
// 1 = spin +1, 2 = mask. Spin indices are 0-based.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gpt/gpt.hpp"
#include "ising/chain.hpp"

namespace spinformer::gpt {

struct MaskedConfig {
  int L = 64;
  int d_model = 32;
  int n_heads = 2;
  int n_layers = 2;
  int d_ff = 128;
  BiasKind bias = BiasKind::none;
  bool learned_positions = false;
  double bias_slope = 1.0;
  double attention_scale = 1.0;  // multiplies 1/sqrt(d_head): the softmax's inverse temperature
};

// none | distance | periodic | learned, else UsageError("--variant").
MaskedConfig masked_variant(const std::string& name, int L);
std::string variant_name(const MaskedConfig& config);
void validate(const MaskedConfig& config);  // UsageError naming --L, --d-model, ...

// [row * L + i]: 1 where spin i of that row is replaced by the mask token.
using SpinMask = std::vector<std::uint8_t>;

// One layer and head of trained attention seen as a softmax over L keys (a random-energy-model reading):
// sigma_raw: standard deviation over keys of q.k / sqrt(d_head), root mean square over queries;
// sigma_logit: the same for the full logit attention_scale q.k / sqrt(d_head) + P_ij;
// participation: mean over queries of 1 / sum_j w_ij^2 (the number of keys a query effectively reads).
struct HeadStatistics {
  int layer = 0, head = 0;
  double sigma_raw = 0, sigma_logit = 0, participation = 0;
};

class MaskedModel {
 public:
  // The same (config, seed) gives the same parameters (nanoGPT initialisation).
  MaskedModel(const MaskedConfig& config, std::uint64_t seed);
  ~MaskedModel();
  MaskedModel(MaskedModel&&) noexcept;
  MaskedModel& operator=(MaskedModel&&) noexcept;

  const MaskedConfig& config() const;
  long parameter_count() const;  // trainable parameters

  // [row * L + i]: p_model(s_i = +1 | the row with its masked spins hidden); meaningful where masked.
  // The masked spins' own values never reach the network. UsageError("--configs") on a size mismatch.
  std::vector<double> conditional_up(const ising::SpinSamples& configs, const SpinMask& mask) const;
  // The additive bias of one layer and head, [i * L + j] (zeros for none and learned).
  std::vector<double> bias_matrix(int layer, int head) const;
  std::vector<HeadStatistics> head_statistics(const ising::SpinSamples& configs, const SpinMask& mask) const;

  // One AdamW step (betas 0.9, 0.95, no weight decay, gradient norm clipped at 1) on the mean
  // cross-entropy of the masked spins; returns that loss (nats per masked spin) before the step.
  double train_step(const ising::SpinSamples& batch, const SpinMask& mask, double learning_rate);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spinformer::gpt
