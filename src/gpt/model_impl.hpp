#pragma once
// Private: the LibTorch modules behind gpt::Model. Included only by src/gpt/*.cpp.
#include <torch/torch.h>

#include "gpt/gpt.hpp"

namespace spinformer::gpt::detail {

constexpr std::int64_t kStartToken = 2;  // tokens: 0 = spin -1, 1 = spin +1, 2 = start

struct AttentionImpl : torch::nn::Module {
  explicit AttentionImpl(const ModelConfig& config);
  // x [B, T, d] -> [B, T, d]; stores the weights [B, H, T, T] in *weights when given.
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* weights = nullptr);
  // One new position t for the whole batch: x [B, 1, d]; k_cache, v_cache [B, H, L, d_head] are filled at t.
  torch::Tensor forward_step(const torch::Tensor& x, std::int64_t t, torch::Tensor& k_cache, torch::Tensor& v_cache);
  torch::Tensor bias() const;  // [H, L, L] additive bias (undefined tensor for none)
  static torch::Tensor torus_distance(std::int64_t L, bool seed_literal);  // [L, L], L a perfect square

  ModelConfig cfg;
  std::int64_t heads, head_dim;
  double scale;
  torch::nn::Linear qkv{nullptr}, proj{nullptr};
  torch::Tensor mask;      // [L, L]: 0 where allowed, -inf above the diagonal (causal); zeros in seed-literal mode
  torch::Tensor distance;  // [L, L] d(i, j) for the bias
  torch::Tensor slope;     // [H] (a parameter when learned)
};
TORCH_MODULE(Attention);

struct BlockImpl : torch::nn::Module {
  explicit BlockImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* weights = nullptr);
  torch::Tensor forward_step(const torch::Tensor& x, std::int64_t t, torch::Tensor& k_cache, torch::Tensor& v_cache);
  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  Attention attn{nullptr};
  torch::nn::Linear fc{nullptr}, fc_proj{nullptr};
  double dropout_p = 0;
};
TORCH_MODULE(Block);

struct GptImpl : torch::nn::Module {
  explicit GptImpl(const ModelConfig& config);
  // inputs [B, T] int64 tokens -> logits [B, T, 2]; per-layer weights into *weights when given.
  torch::Tensor forward(const torch::Tensor& inputs, std::vector<torch::Tensor>* weights = nullptr);
  ModelConfig cfg;
  torch::nn::Embedding tok_emb{nullptr}, pos_emb{nullptr};
  std::vector<Block> blocks;
  torch::nn::LayerNorm ln_f{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(Gpt);

// Dropout with masks from lab::Rng (xoshiro, 16 bits per element: p is rounded to a multiple of 1/65536),
// several times faster than torch's Bernoulli sampling on CPU and reseeded by the trainer at every
// step, so that a resumed run draws the same masks. One generator per process (not for concurrent training).
void seed_dropout(std::uint64_t seed);
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training);

// Spin rows (+-1) as int64 tokens (0/1) [n, L].
torch::Tensor to_tokens(const ising::SpinSamples& samples);
// Network inputs for spin tokens [B, L]: [start, s_1..s_{L-1}] (causal) or the tokens themselves (literal).
torch::Tensor make_inputs(const torch::Tensor& tokens, bool seed_literal);
// Per-position log p(target) [B, L] for spin tokens [B, L].
torch::Tensor position_log_probs(Gpt& net, const torch::Tensor& tokens);

// Checkpoints (checkpoint.cpp): a self-describing, checksummed file, byte-identical for the same
// contents (see checkpoint.cpp for the layout). Never written with a non-finite tensor.
constexpr const char* kFormat = "spinformer-gpt-checkpoint 2";
// The file's bytes for the network, its metadata and (optionally) the AdamW state; throws
// std::runtime_error if a parameter or optimizer moment is not finite.
std::string checkpoint_bytes(Gpt& net, const nlohmann::json& metadata, torch::optim::Optimizer* optimizer);
void write_checkpoint(const std::string& path, const std::string& parameter, Gpt& net, const nlohmann::json& metadata,
                      torch::optim::Optimizer* optimizer);

// Opens a checkpoint, verifies its length and checksum, and parses its metadata; load_model checks
// every tensor's shape against the network built from that metadata and that every value is finite.
// Every failure is a UsageError(parameter).
class CheckpointReader {
 public:
  CheckpointReader(const std::string& path, const std::string& parameter);
  const nlohmann::json& metadata() const { return metadata_; }
  void load_model(Gpt& net);
  void load_optimizer(torch::optim::Optimizer& optimizer);

 private:
  [[noreturn]] void fail(const std::string& what) const;
  torch::Tensor tensor(const std::string& name, at::IntArrayRef shape) const;
  std::string path_, parameter_;
  std::string payload_;  // the verified bytes after the header
  std::size_t data_offset_ = 0;
  nlohmann::json index_, metadata_;
};

// Builds a network for a configuration with a deterministic initialisation.
Gpt make_network(const ModelConfig& config, std::uint64_t seed);

}  // namespace spinformer::gpt::detail

namespace spinformer::gpt {
struct Model::Impl {
  ModelConfig config;
  detail::Gpt net{nullptr};
  nlohmann::json metadata = nlohmann::json::object();
};
}  // namespace spinformer::gpt
