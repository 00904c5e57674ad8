#pragma once
// IsingGPT: a decoder-only transformer over spin configurations (public, LibTorch-free interface).
//
// Architecture (nanoGPT-style, pre-norm): tokens {0: spin -1, 1: spin +1, 2: start}, learned token
// and positional embeddings, n_layers blocks x -> x + Attn(LN(x)) -> x + MLP(LN(x)) (MLP: d_ff GELU),
// a final LayerNorm and a linear head onto the two spin values. The attention is written out by hand:
// logits_ij = scale * q_i.k_j / sqrt(d_head) + P_ij (+ causal mask), so that every layer's and head's
// weights can be read out and an additive bias P can be plugged in.
//
// Autoregressive factorisation (the default): the input at sequence position t = 0..L-1 is
// [start, s_1, ..., s_{L-1}] and the target at position t is s_{t+1} (1-based spins), under a causal
// mask, so  log p(s) = sum_i log p(s_i | s_<i)  is a normalised distribution over the 2^L states.
// Seed-literal mode (negative control): the seed's flawed setup, input = s_1..s_L with no causal mask
// and the target at position t is the input token itself; its "log p" is no normalised density.
//
// Positions in attention maps are sequence positions: key j = 0 is the start token, key j >= 1 holds
// spin s_j (1-based); query i predicts spin s_{i+1}. A query at i attending the key at j = i - r
// looks at the spin r + 1 sites before the one it predicts (r = 0: the preceding spin).
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ising/chain.hpp"

namespace spinformer::gpt {

// Additive attention bias P_ij = f(d(i, j)) on the attention logits (issue 4):
// distance: d = |i - j|; periodic: d = min(|i - j|, L - |i - j|);
// torus: L = a^2 positions in raster order on an a x a periodic lattice (site s at x = s mod a,
// y = s div a), d = the Manhattan torus distance between the site query i predicts and the site key j
// holds (causal: site i and site j - 1, the start token j = 0 at d = 0; seed-literal: sites i and j).
// linear: f(d) = -slope * d; exp: f(d) = exp(-slope * d) (a decaying bonus, 1 at d = 0).
// The slope is one fixed value for all heads, or a learned parameter per layer and head (initialised
// at bias_slope).
enum class BiasKind { none, distance, periodic, torus };
enum class BiasShape { linear, exp };

struct ModelConfig {
  int L = 32;               // context length = spins per configuration
  int d_model = 64;
  int n_heads = 4;
  int n_layers = 2;
  int d_ff = 256;           // feed-forward width (4 d_model)
  double dropout = 0.0;     // the seed used 0.1; our runs use 0
  bool seed_literal = false;
  double attention_scale = 1.0;  // multiplies 1/sqrt(d_head) (issue 4, section 3.1 sweep)
  BiasKind bias = BiasKind::none;
  BiasShape bias_shape = BiasShape::linear;
  double bias_slope = 0.5;
  bool bias_learned = false;
};

// Throw lab::UsageError naming the command-line flag (--L, --d-model, --n-heads, ...); a torus bias
// with an L that is not a perfect square names --attention-bias.
void validate(const ModelConfig& config);
int torus_side(int L);  // a if L = a^2 (a >= 1), else 0
BiasKind parse_bias_kind(const std::string& name);    // none | distance | periodic | torus, else UsageError("--attention-bias")
BiasShape parse_bias_shape(const std::string& name);  // linear | exp, else UsageError("--bias-shape")
std::string to_string(BiasKind kind);
std::string to_string(BiasShape shape);
nlohmann::json to_json(const ModelConfig& config);
ModelConfig model_config_from_json(const nlohmann::json& j);  // throws std::exception on bad fields

// Layer- and head-resolved attention weights averaged over samples, and A(r).
struct AttentionSummary {
  int layers = 0, heads = 0, L = 0;
  std::size_t samples = 0;
  std::vector<double> maps;         // [layer][head][i][j]: weight of key j for query i, mean over samples
  std::vector<double> by_distance;  // [layer][r], r = 0..L-1: mean over heads, samples and queries i >= r of w(i, i - r)

  double map(int layer, int head, int i, int j) const {
    return maps[((static_cast<std::size_t>(layer) * heads + head) * L + i) * L + j];
  }
  double a(int layer, int r) const { return by_distance[static_cast<std::size_t>(layer) * L + r]; }
};

// A trained (or fresh) model. Copies are not allowed; moves are. All evaluation is batched, without
// gradients, in eval mode (no dropout), with torch's current thread count (see threads.hpp).
class Model {
 public:
  Model();
  // A freshly initialised model (nanoGPT init: N(0, 0.02), residual projections / sqrt(2 n_layers));
  // the same (config, seed) gives the same parameters.
  explicit Model(const ModelConfig& config, std::uint64_t seed = 1);
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  // Loads a checkpoint written by save() or by train(). Missing or malformed file: UsageError(parameter).
  static Model load(const std::string& path, const std::string& parameter = "--model");
  // Writes the model (no optimizer state) atomically, plus metadata() as the JSON sidecar path + ".json".
  void save(const std::string& path, const std::string& parameter = "--out") const;

  bool valid() const { return impl_ != nullptr; }
  const ModelConfig& config() const;
  int L() const { return config().L; }
  // The checkpoint's JSON: {"model", "train", "state", "chain", "data", ...} (what train() recorded).
  const nlohmann::json& metadata() const;
  nlohmann::json& metadata();

  // Per configuration (rows of +-1, L columns; UsageError("--configs") on a wrong L):
  std::vector<double> log_probability(const ising::SpinSamples& configs) const;  // natural log, one per row
  // [row * L + i]: log p_model(s_i | s_<i) (seed-literal: log of the model's score for s_i given all s).
  std::vector<double> log_conditionals(const ising::SpinSamples& configs) const;
  // [row * L + i]: p_model(s_i = +1 | s_<i).
  std::vector<double> conditional_up(const ising::SpinSamples& configs) const;
  // n configurations drawn autoregressively (with a key/value cache); same seed, same samples (for a
  // given thread count). UsageError("--model") for a seed-literal model, which has no sampler.
  ising::SpinSamples sample(std::size_t n, std::uint64_t seed) const;
  // Attention weights averaged over the given configurations (the inputs are built as in training).
  AttentionSummary attention(const ising::SpinSamples& configs) const;
  // The additive bias P of one layer and head, [i * L + j], before the causal mask (zeros for none).
  std::vector<double> bias_matrix(int layer, int head) const;

  std::vector<float> parameters_flat() const;  // every parameter, concatenated in a fixed order
  long parameter_count() const;

  struct Impl;
  Impl& impl() const { return *impl_; }
  explicit Model(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace spinformer::gpt
