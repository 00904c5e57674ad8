// The masked-spin model: IsingGPT's network (model_impl.hpp) in its non-causal mode, with a mask token.
#include "gpt/masked_model.hpp"

#include <cmath>

#include "gpt/model_impl.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::gpt {
namespace {
constexpr std::int64_t kMaskToken = 2;  // the network's third token (the start token of the causal model)
constexpr std::int64_t kChunk = 4096;   // rows per forward pass in evaluation

ModelConfig network_config(const MaskedConfig& c) {
  ModelConfig m;
  m.L = c.L;
  m.d_model = c.d_model;
  m.n_heads = c.n_heads;
  m.n_layers = c.n_layers;
  m.d_ff = c.d_ff;
  m.dropout = 0.0;
  m.seed_literal = true;  // inputs are the tokens themselves and no causal mask: bidirectional attention
  m.attention_scale = c.attention_scale;
  m.bias = c.bias;
  m.bias_shape = BiasShape::linear;
  m.bias_slope = c.bias_slope;
  m.bias_learned = c.bias != BiasKind::none;
  return m;
}

torch::Tensor masked_inputs(const ising::SpinSamples& configs, const SpinMask& mask, int L) {
  if (configs.L != L || mask.size() != configs.spins.size())
    throw lab::UsageError("--configs", "configurations or mask do not match the model's L = " + std::to_string(L));
  const auto n = static_cast<std::int64_t>(configs.size());
  auto tokens = detail::to_tokens(configs);
  auto m = torch::from_blob(const_cast<std::uint8_t*>(mask.data()), {n, L}, torch::kUInt8).to(torch::kBool);
  return tokens.masked_fill(m, kMaskToken);
}
}  // namespace

MaskedConfig masked_variant(const std::string& name, int L) {
  MaskedConfig c;
  c.L = L;
  if (name == "none") return c;
  if (name == "distance") return c.bias = BiasKind::distance, c;
  if (name == "periodic") return c.bias = BiasKind::periodic, c;
  if (name == "learned") return c.learned_positions = true, c;
  throw lab::UsageError("--variant", "expected none, distance, periodic or learned, got '" + name + "'");
}

std::string variant_name(const MaskedConfig& c) {
  if (c.learned_positions) return c.bias == BiasKind::none ? "learned" : "learned+" + to_string(c.bias);
  return to_string(c.bias);
}

void validate(const MaskedConfig& c) {
  validate(network_config(c));
  if (!std::isfinite(c.bias_slope)) throw lab::UsageError("--bias-slope", "must be finite");
}

struct MaskedModel::Impl {
  MaskedConfig config;
  detail::Gpt net{nullptr};
  std::unique_ptr<torch::optim::AdamW> optimizer;
};

MaskedModel::MaskedModel(const MaskedConfig& config, std::uint64_t seed) : impl_(std::make_unique<Impl>()) {
  validate(config);
  impl_->config = config;
  impl_->net = detail::make_network(network_config(config), seed);
  if (!config.learned_positions) {
    // No absolute positions: the embedding is held at zero and out of training, so a variant knows
    // where its spins are only through its bias.
    torch::NoGradGuard no_grad;
    impl_->net->pos_emb->weight.zero_();
    impl_->net->pos_emb->weight.set_requires_grad(false);
  }
}

MaskedModel::~MaskedModel() = default;
MaskedModel::MaskedModel(MaskedModel&&) noexcept = default;
MaskedModel& MaskedModel::operator=(MaskedModel&&) noexcept = default;

const MaskedConfig& MaskedModel::config() const { return impl_->config; }

long MaskedModel::parameter_count() const {
  long n = 0;
  for (const auto& p : impl_->net->parameters())
    if (p.requires_grad()) n += p.numel();
  return n;
}

std::vector<double> MaskedModel::conditional_up(const ising::SpinSamples& configs, const SpinMask& mask) const {
  const int L = impl_->config.L;
  auto inputs = masked_inputs(configs, mask, L);
  torch::NoGradGuard no_grad;
  impl_->net->eval();
  std::vector<double> out;
  out.reserve(configs.spins.size());
  const auto n = inputs.size(0);
  for (std::int64_t b = 0; b < n; b += kChunk) {
    auto logits = impl_->net->forward(inputs.slice(0, b, std::min(n, b + kChunk)));
    auto up = torch::softmax(logits.to(torch::kDouble), -1).select(-1, 1).contiguous();
    const double* p = up.data_ptr<double>();
    out.insert(out.end(), p, p + up.numel());
  }
  return out;
}

std::vector<double> MaskedModel::bias_matrix(int layer, int head) const {
  const int L = impl_->config.L;
  if (layer < 0 || layer >= impl_->config.n_layers || head < 0 || head >= impl_->config.n_heads)
    throw lab::UsageError("--layer", "layer or head out of range");
  if (impl_->config.bias == BiasKind::none) return std::vector<double>(static_cast<std::size_t>(L) * L, 0.0);
  torch::NoGradGuard no_grad;
  auto b = impl_->net->blocks[static_cast<std::size_t>(layer)]->attn->bias().select(0, head).to(torch::kDouble).contiguous();
  return std::vector<double>(b.data_ptr<double>(), b.data_ptr<double>() + b.numel());
}

std::vector<HeadStatistics> MaskedModel::head_statistics(const ising::SpinSamples& configs, const SpinMask& mask) const {
  auto& net = impl_->net;
  const auto& cfg = impl_->config;
  auto inputs = masked_inputs(configs, mask, cfg.L).slice(0, 0, std::min<std::int64_t>(configs.size(), kChunk));
  torch::NoGradGuard no_grad;
  net->eval();
  const auto B = inputs.size(0), T = inputs.size(1), C = static_cast<std::int64_t>(cfg.d_model);
  const auto H = static_cast<std::int64_t>(cfg.n_heads), hd = C / H;
  auto x = net->tok_emb(inputs) + net->pos_emb(torch::arange(T, torch::kLong)).unsqueeze(0);
  std::vector<HeadStatistics> out;
  for (std::size_t l = 0; l < net->blocks.size(); ++l) {
    auto& block = net->blocks[l];
    auto parts = block->attn->qkv(block->ln1(x)).split(C, 2);
    auto q = parts[0].view({B, T, H, hd}).transpose(1, 2);
    auto k = parts[1].view({B, T, H, hd}).transpose(1, 2);
    auto raw = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(hd));  // [B, H, T, T]
    auto logit = raw * cfg.attention_scale;
    if (cfg.bias != BiasKind::none) logit = logit + block->attn->bias().unsqueeze(0);
    auto w = torch::softmax(logit, -1);
    const std::vector<std::int64_t> batch_and_query{0, 2};
    auto sigma_raw = raw.to(torch::kDouble).var(-1, /*unbiased=*/false).mean(batch_and_query).sqrt();
    auto sigma_logit = logit.to(torch::kDouble).var(-1, /*unbiased=*/false).mean(batch_and_query).sqrt();
    auto participation = (1.0 / w.to(torch::kDouble).pow(2).sum(-1)).mean(batch_and_query);
    for (std::int64_t h = 0; h < H; ++h)
      out.push_back({static_cast<int>(l), static_cast<int>(h), sigma_raw[h].item<double>(),
                     sigma_logit[h].item<double>(), participation[h].item<double>()});
    x = block->forward(x);
  }
  return out;
}

double MaskedModel::train_step(const ising::SpinSamples& batch, const SpinMask& mask, double learning_rate) {
  auto& net = impl_->net;
  if (!impl_->optimizer) {
    std::vector<torch::Tensor> trainable;
    for (const auto& p : net->parameters())
      if (p.requires_grad()) trainable.push_back(p);
    impl_->optimizer = std::make_unique<torch::optim::AdamW>(
        trainable, torch::optim::AdamWOptions(learning_rate).betas({0.9, 0.95}).weight_decay(0.0));
  }
  for (auto& group : impl_->optimizer->param_groups())
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(learning_rate);
  net->train();
  auto inputs = masked_inputs(batch, mask, impl_->config.L);
  auto targets = detail::to_tokens(batch);
  const auto n = static_cast<std::int64_t>(batch.size());
  auto m = torch::from_blob(const_cast<std::uint8_t*>(mask.data()), {n, impl_->config.L}, torch::kUInt8).to(torch::kBool);
  auto log_p = torch::log_softmax(net->forward(inputs), -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1);
  auto loss = -log_p.masked_select(m).mean();
  impl_->optimizer->zero_grad();
  loss.backward();
  torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
  impl_->optimizer->step();
  return loss.item<double>();
}

}  // namespace spinformer::gpt
