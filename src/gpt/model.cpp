// IsingGPT in LibTorch: the network, evaluation, sampling with a key/value cache, checkpoints.
#include <cmath>
#include <mutex>
#include <fmt/format.h>
#include <fstream>

#include "gpt/attention.hpp"
#include "gpt/eval.hpp"
#include "gpt/gpt.hpp"
#include "gpt/kernels.hpp"
#include "gpt/model_impl.hpp"
#include "lab/atomic_file.hpp"
#include "lab/rng.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::gpt {
namespace {
constexpr std::int64_t kEvalChunk = 4096;    // rows per forward pass in evaluation
constexpr std::int64_t kSampleChunk = 4096;  // rows per key/value cache in sampling
}  // namespace

namespace detail {

// ---- attention -----------------------------------------------------------------------------------
// The torus bias's d(i, j) [L, L] for L = a^2 in raster order. Manhattan rather than Euclidean: it is
// the number of bonds on the shortest lattice path, the order at which s_i s_j first appears in the
// high-temperature expansion (<s_i s_j> ~ paths x tanh(K)^d), so a linear bias -slope d has the form of
// the log of the correlation it is meant to mirror; and its values are integers (a few shells of equal
// distance) where the Euclidean one would separate lattice directions that the Ising model treats alike
// at short range. Causal sequence convention: query i predicts site i, key j >= 1 holds site j - 1;
// the start token (key 0) holds no site and gets d = 0 at every query, so that it carries no position
// information of its own (a bias constant across queries). Seed-literal: query i and key j hold sites i, j.
torch::Tensor AttentionImpl::torus_distance(std::int64_t L, bool seed_literal) {
  const std::int64_t a = torus_side(static_cast<int>(L));
  auto d = torch::zeros({L, L});
  auto acc = d.accessor<float, 2>();
  const auto wrap = [a](std::int64_t u) { return std::min(u, a - u); };
  for (std::int64_t i = 0; i < L; ++i)
    for (std::int64_t j = 0; j < L; ++j) {
      const std::int64_t site = seed_literal ? j : j - 1;
      if (site < 0) continue;  // the start token
      acc[i][j] = static_cast<float>(wrap(std::abs(i % a - site % a)) + wrap(std::abs(i / a - site / a)));
    }
  return d;
}

AttentionImpl::AttentionImpl(const ModelConfig& config)
    : cfg(config), heads(config.n_heads), head_dim(config.d_model / config.n_heads) {
  scale = config.attention_scale / std::sqrt(static_cast<double>(head_dim));
  qkv = register_module("qkv", torch::nn::Linear(config.d_model, 3 * config.d_model));
  proj = register_module("proj", torch::nn::Linear(config.d_model, config.d_model));
  const std::int64_t L = config.L;
  mask = config.seed_literal
             ? torch::zeros({L, L})
             : torch::full({L, L}, -std::numeric_limits<float>::infinity()).triu(1);
  if (config.bias == BiasKind::torus) {
    distance = torus_distance(L, config.seed_literal);
  } else {
    auto idx = torch::arange(L, torch::kFloat);
    auto diff = (idx.unsqueeze(1) - idx.unsqueeze(0)).abs();
    distance = config.bias == BiasKind::periodic ? torch::minimum(diff, static_cast<double>(L) - diff) : diff;
  }
  slope = torch::full({heads}, config.bias_slope);
  if (config.bias != BiasKind::none && config.bias_learned) slope = register_parameter("slope", slope);
}

torch::Tensor AttentionImpl::bias() const {
  if (cfg.bias == BiasKind::none) return {};
  auto s = slope.view({heads, 1, 1});
  auto d = distance.unsqueeze(0);
  return cfg.bias_shape == BiasShape::linear ? -s * d : torch::exp(-s * d);
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, torch::Tensor* weights) {
  const auto B = x.size(0), T = x.size(1), C = x.size(2);
  const bool dropout = is_training() && cfg.dropout > 0;
  if (!weights && !dropout && attention_path() == AttentionPath::fused) {
    auto b = cfg.bias == BiasKind::none ? torch::Tensor() : bias().slice(1, 0, T).slice(2, 0, T);
    return proj(fused_attention(qkv(x), heads, scale, !cfg.seed_literal, b));
  }
  auto parts = qkv(x).split(C, 2);
  auto q = parts[0].view({B, T, heads, head_dim}).transpose(1, 2);
  auto k = parts[1].view({B, T, heads, head_dim}).transpose(1, 2);
  auto v = parts[2].view({B, T, heads, head_dim}).transpose(1, 2);
  auto att = torch::matmul(q, k.transpose(-2, -1)) * scale;  // [B, H, T, T]
  att = att + mask.slice(0, 0, T).slice(1, 0, T);
  if (cfg.bias != BiasKind::none) att = att + bias().slice(1, 0, T).slice(2, 0, T);
  att = torch::softmax(att, -1);
  if (weights) *weights = att.detach();
  att = fast_dropout(att, cfg.dropout, is_training());
  auto y = torch::matmul(att, v).transpose(1, 2).contiguous().view({B, T, C});
  return fast_dropout(proj(y), cfg.dropout, is_training());
}

torch::Tensor AttentionImpl::forward_step(const torch::Tensor& x, std::int64_t t, torch::Tensor& k_cache,
                                          torch::Tensor& v_cache) {
  const auto B = x.size(0), C = x.size(2);
  auto parts = qkv(x).split(C, 2);
  auto q = parts[0].view({B, 1, heads, head_dim}).transpose(1, 2);  // [B, H, 1, hd]
  k_cache.select(2, t).copy_(parts[1].view({B, heads, head_dim}));
  v_cache.select(2, t).copy_(parts[2].view({B, heads, head_dim}));
  if (attention_path() == AttentionPath::fused) {
    auto b = cfg.bias == BiasKind::none ? torch::Tensor() : bias().select(1, t).slice(1, 0, t + 1);
    return proj(cached_attention_step(parts[0].reshape({B, C}), k_cache, v_cache, t, scale, b).view({B, 1, C}));
  }
  auto keys = k_cache.slice(2, 0, t + 1), values = v_cache.slice(2, 0, t + 1);
  auto att = (q * keys).sum(-1) * scale;  // [B, H, t + 1]
  if (cfg.bias != BiasKind::none) att = att + bias().select(1, t).slice(1, 0, t + 1).view({1, heads, t + 1});
  att = torch::softmax(att, -1);
  auto y = (att.unsqueeze(-1) * values).sum(2).reshape({B, 1, C});  // [B, H, hd] -> [B, 1, C]
  return proj(y);
}

// ---- block and network -----------------------------------------------------------------------------
BlockImpl::BlockImpl(const ModelConfig& config) {
  ln1 = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.d_model})));
  attn = register_module("attn", Attention(config));
  ln2 = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.d_model})));
  fc = register_module("fc", torch::nn::Linear(config.d_model, config.d_ff));
  fc_proj = register_module("fc_proj", torch::nn::Linear(config.d_ff, config.d_model));
  dropout_p = config.dropout;
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, torch::Tensor* weights) {
  auto h = x + attn->forward(ln1(x), weights);
  return h + fast_dropout(fc_proj(torch::gelu(fc(ln2(h)))), dropout_p, is_training());
}

torch::Tensor BlockImpl::forward_step(const torch::Tensor& x, std::int64_t t, torch::Tensor& k_cache,
                                      torch::Tensor& v_cache) {
  auto h = x + attn->forward_step(ln1(x), t, k_cache, v_cache);
  return h + fc_proj(torch::gelu(fc(ln2(h))));
}

GptImpl::GptImpl(const ModelConfig& config) : cfg(config) {
  tok_emb = register_module("tok_emb", torch::nn::Embedding(3, config.d_model));
  pos_emb = register_module("pos_emb", torch::nn::Embedding(config.L, config.d_model));
  for (int l = 0; l < config.n_layers; ++l) blocks.push_back(register_module(fmt::format("block{}", l), Block(config)));
  ln_f = register_module("ln_f", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.d_model})));
  head = register_module("head", torch::nn::Linear(config.d_model, 2));
  // nanoGPT initialisation
  torch::NoGradGuard no_grad;
  const double residual_std = 0.02 / std::sqrt(2.0 * config.n_layers);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<torch::nn::Linear>()) {
      torch::nn::init::normal_(linear->weight, 0.0, 0.02);
      if (linear->bias.defined()) torch::nn::init::zeros_(linear->bias);
    } else if (auto* embedding = module->as<torch::nn::Embedding>()) {
      torch::nn::init::normal_(embedding->weight, 0.0, 0.02);
    }
  }
  for (auto& block : blocks) {
    torch::nn::init::normal_(block->attn->proj->weight, 0.0, residual_std);
    torch::nn::init::normal_(block->fc_proj->weight, 0.0, residual_std);
  }
}

torch::Tensor GptImpl::forward(const torch::Tensor& inputs, std::vector<torch::Tensor>* weights) {
  const auto T = inputs.size(1);
  auto x = fast_dropout(tok_emb(inputs) + pos_emb(torch::arange(T, torch::kLong)).unsqueeze(0), cfg.dropout, is_training());
  if (weights) weights->assign(blocks.size(), torch::Tensor());
  for (std::size_t l = 0; l < blocks.size(); ++l) x = blocks[l]->forward(x, weights ? &(*weights)[l] : nullptr);
  return head(ln_f(x));
}

namespace {
// One generator per thread: chapters train several models at once on their own threads (the job engine's
// workers), and a shared generator would hand each training the other's draws in whatever order the
// threads ran, so that a run with dropout gave other bits every time. train() reseeds it at every step on
// the thread that runs the forward pass (LibTorch's backward draws nothing from it).
lab::Rng& dropout_rng() {
  static thread_local lab::Rng rng(1);
  return rng;
}
}  // namespace

void seed_dropout(std::uint64_t seed) { dropout_rng() = lab::Rng(seed); }

torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0) return x;
  const std::uint64_t threshold = static_cast<std::uint64_t>(std::llround(p * 65536.0));
  const float keep = static_cast<float>(65536.0 / (65536.0 - static_cast<double>(threshold)));
  auto mask = torch::empty(x.sizes(), torch::TensorOptions().dtype(torch::kFloat));
  float* m = mask.data_ptr<float>();
  const std::int64_t n = mask.numel();
  auto& rng = dropout_rng();
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const std::uint64_t r = rng.next();
    m[i] = (r & 0xffff) >= threshold ? keep : 0.0f;
    m[i + 1] = ((r >> 16) & 0xffff) >= threshold ? keep : 0.0f;
    m[i + 2] = ((r >> 32) & 0xffff) >= threshold ? keep : 0.0f;
    m[i + 3] = (r >> 48) >= threshold ? keep : 0.0f;
  }
  if (i < n) {
    const std::uint64_t r = rng.next();
    for (int k = 0; i < n; ++i, ++k) m[i] = ((r >> (16 * k)) & 0xffff) >= threshold ? keep : 0.0f;
  }
  return x * mask;
}

Gpt make_network(const ModelConfig& config, std::uint64_t seed) {
  // torch's default generator is global: seed it and draw the initial parameters in one piece, so
  // that models built on concurrent threads (chapter 1 trains two at a time) stay reproducible.
  static std::mutex mutex;
  const std::lock_guard<std::mutex> lock(mutex);
  torch::manual_seed(seed);
  return Gpt(config);
}

torch::Tensor to_tokens(const ising::SpinSamples& samples) {
  const auto n = static_cast<std::int64_t>(samples.size());
  auto raw = torch::from_blob(const_cast<ising::Spin*>(samples.spins.data()), {n, samples.L}, torch::kInt8);
  return (raw > 0).to(torch::kLong);
}

torch::Tensor make_inputs(const torch::Tensor& tokens, bool seed_literal) {
  if (seed_literal) return tokens;
  auto start = torch::full({tokens.size(0), 1}, kStartToken, torch::kLong);
  return torch::cat({start, tokens.slice(1, 0, tokens.size(1) - 1)}, 1);
}

torch::Tensor position_log_probs(Gpt& net, const torch::Tensor& tokens) {
  auto logits = net->forward(make_inputs(tokens, net->cfg.seed_literal));
  return torch::log_softmax(logits, -1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
}

}  // namespace detail

// ---- Model ---------------------------------------------------------------------------------------------
using detail::Gpt;

Model::Model() = default;
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Model::Model(const ModelConfig& config, std::uint64_t seed) : impl_(std::make_unique<Impl>()) {
  validate(config);
  impl_->config = config;
  impl_->net = detail::make_network(config, seed);
  impl_->metadata = {{"model", to_json(config)}, {"init_seed", seed}};
}

Model Model::load(const std::string& path, const std::string& parameter) {
  detail::CheckpointReader reader(path, parameter);
  auto impl = std::make_unique<Impl>();
  try {
    impl->config = model_config_from_json(reader.metadata().at("model"));
    validate(impl->config);
  } catch (const std::exception& e) {
    throw lab::UsageError(parameter, fmt::format("'{}' has a bad model configuration ({})", path, e.what()));
  }
  impl->net = detail::make_network(impl->config, 0);
  reader.load_model(impl->net);
  impl->metadata = reader.metadata();
  Model model(std::move(impl));
  // finite weights that still give NaN or infinite log-probabilities (overflowing logits) make no model
  ising::SpinSamples probe;
  probe.L = model.L();
  probe.spins.resize(2 * static_cast<std::size_t>(probe.L), 1);
  std::fill(probe.spins.begin() + probe.L, probe.spins.end(), -1);
  for (double lp : model.log_probability(probe))
    if (!std::isfinite(lp))
      throw lab::UsageError(parameter, fmt::format("'{}' gives non-finite log-probabilities: not a usable model", path));
  return model;
}

void Model::save(const std::string& path, const std::string& parameter) const {
  // the checkpoint and its sidecar: both or neither
  lab::OutputFiles files;
  files.add(path, parameter) << detail::checkpoint_bytes(impl_->net, impl_->metadata, nullptr);
  files.add(path + ".json", parameter) << impl_->metadata.dump(2) + "\n";
  files.commit();
}

const ModelConfig& Model::config() const { return impl_->config; }
const nlohmann::json& Model::metadata() const { return impl_->metadata; }
nlohmann::json& Model::metadata() { return impl_->metadata; }

namespace {

void require_L(const Model& model, const ising::SpinSamples& configs) {
  if (configs.L != model.L())
    throw lab::UsageError("--configs", fmt::format("configurations have {} spins, the model expects L = {}", configs.L,
                                                   model.L()));
}

// Applies f(per-position tensor [b, L]) over chunks and concatenates into [n * L] doubles.
template <class F>
std::vector<double> per_position(const Model& model, const ising::SpinSamples& configs, F f) {
  require_L(model, configs);
  torch::NoGradGuard no_grad;
  auto& net = model.impl().net;
  net->eval();
  auto tokens = detail::to_tokens(configs);
  const std::int64_t n = tokens.size(0), L = model.L();
  std::vector<double> out(static_cast<std::size_t>(n * L));
  for (std::int64_t begin = 0; begin < n; begin += kEvalChunk) {
    const std::int64_t end = std::min(n, begin + kEvalChunk);
    torch::Tensor values = f(net, tokens.slice(0, begin, end)).to(torch::kDouble).contiguous();
    const double* v = values.template data_ptr<double>();
    std::copy(v, v + values.numel(), out.begin() + begin * L);
  }
  return out;
}

}  // namespace

std::vector<double> Model::log_conditionals(const ising::SpinSamples& configs) const {
  return per_position(*this, configs, [](Gpt& net, const torch::Tensor& t) { return detail::position_log_probs(net, t); });
}

std::vector<double> Model::conditional_up(const ising::SpinSamples& configs) const {
  return per_position(*this, configs, [](Gpt& net, const torch::Tensor& t) {
    auto logits = net->forward(detail::make_inputs(t, net->cfg.seed_literal));
    return torch::softmax(logits, -1).select(-1, 1);
  });
}

std::vector<double> Model::log_probability(const ising::SpinSamples& configs) const {
  const auto conditionals = log_conditionals(configs);
  const std::size_t n = configs.size(), L = static_cast<std::size_t>(configs.L);
  std::vector<double> out(n, 0.0);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < L; ++i) out[k] += conditionals[k * L + i];
  return out;
}

ising::SpinSamples Model::sample(std::size_t n, std::uint64_t seed) const {
  const auto& cfg = config();
  if (cfg.seed_literal)
    throw lab::UsageError("--model", "a seed-literal model is no autoregressive density model and cannot be sampled");
  torch::NoGradGuard no_grad;
  auto& net = impl_->net;
  net->eval();
  const std::int64_t L = cfg.L, H = cfg.n_heads, hd = cfg.d_model / cfg.n_heads;
  ising::SpinSamples out;
  out.L = cfg.L;
  out.spins.resize(n * static_cast<std::size_t>(L));
  lab::Rng rng(seed);
  for (std::size_t begin = 0; begin < n; begin += kSampleChunk) {
    const std::int64_t b = static_cast<std::int64_t>(std::min<std::size_t>(kSampleChunk, n - begin));
    std::vector<torch::Tensor> k_cache, v_cache;
    for (int l = 0; l < cfg.n_layers; ++l) {
      k_cache.push_back(torch::zeros({b, H, L, hd}));
      v_cache.push_back(torch::zeros({b, H, L, hd}));
    }
    auto token = torch::full({b, 1}, detail::kStartToken, torch::kLong);
    for (std::int64_t t = 0; t < L; ++t) {
      auto x = net->tok_emb(token) + net->pos_emb(torch::full({1, 1}, t, torch::kLong));
      for (int l = 0; l < cfg.n_layers; ++l) x = net->blocks[l]->forward_step(x, t, k_cache[l], v_cache[l]);
      auto p_up = torch::softmax(net->head(net->ln_f(x)), -1).select(-1, 1).reshape({b}).to(torch::kDouble).contiguous();
      const double* p = p_up.data_ptr<double>();
      auto next = torch::empty({b, 1}, torch::kLong);
      auto* next_ptr = next.data_ptr<std::int64_t>();
      for (std::int64_t k = 0; k < b; ++k) {
        const bool up = rng.uniform() < p[k];
        next_ptr[k] = up ? 1 : 0;
        out.spins[(begin + static_cast<std::size_t>(k)) * L + t] = up ? 1 : -1;
      }
      token = next;
    }
  }
  return out;
}

AttentionSummary Model::attention(const ising::SpinSamples& configs) const {
  require_L(*this, configs);
  const auto& cfg = config();
  torch::NoGradGuard no_grad;
  auto& net = impl_->net;
  net->eval();
  auto tokens = detail::to_tokens(configs);
  const std::int64_t n = tokens.size(0), L = cfg.L;
  auto sum = torch::zeros({cfg.n_layers, cfg.n_heads, L, L}, torch::kDouble);
  for (std::int64_t begin = 0; begin < n; begin += kEvalChunk) {
    const std::int64_t end = std::min(n, begin + kEvalChunk);
    std::vector<torch::Tensor> weights;
    net->forward(detail::make_inputs(tokens.slice(0, begin, end), cfg.seed_literal), &weights);
    for (int l = 0; l < cfg.n_layers; ++l) sum[l] += weights[l].to(torch::kDouble).sum(0);
  }
  sum = (sum / static_cast<double>(std::max<std::int64_t>(n, 1))).contiguous();
  AttentionSummary summary;
  summary.layers = cfg.n_layers;
  summary.heads = cfg.n_heads;
  summary.L = cfg.L;
  summary.samples = static_cast<std::size_t>(n);
  summary.maps.assign(sum.data_ptr<double>(), sum.data_ptr<double>() + sum.numel());
  fill_attention_by_distance(summary);
  return summary;
}

std::vector<double> Model::bias_matrix(int layer, int head) const {
  const auto& cfg = config();
  if (layer < 0 || layer >= cfg.n_layers || head < 0 || head >= cfg.n_heads)
    throw std::out_of_range("bias_matrix: layer or head out of range");
  torch::NoGradGuard no_grad;
  const std::size_t L = static_cast<std::size_t>(cfg.L);
  auto bias = impl_->net->blocks[static_cast<std::size_t>(layer)]->attn->bias();
  if (!bias.defined()) return std::vector<double>(L * L, 0.0);
  auto m = bias.select(0, head).to(torch::kDouble).contiguous();
  return std::vector<double>(m.data_ptr<double>(), m.data_ptr<double>() + m.numel());
}

std::vector<float> Model::parameters_flat() const {
  std::vector<float> out;
  for (const auto& p : impl_->net->parameters()) {
    auto c = p.detach().to(torch::kFloat).contiguous();
    out.insert(out.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  return out;
}

long Model::parameter_count() const {
  long count = 0;
  for (const auto& p : impl_->net->parameters()) count += p.numel();
  return count;
}

}  // namespace spinformer::gpt
