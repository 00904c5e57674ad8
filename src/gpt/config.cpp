// Configurations of IsingGPT and its training: validation, JSON, the learning-rate schedule (no LibTorch).
#include <cmath>
#include <fmt/format.h>

#include "gpt/gpt.hpp"
#include "gpt/train.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::gpt {

using lab::UsageError;

int torus_side(int L) {
  int a = static_cast<int>(std::lround(std::sqrt(static_cast<double>(L))));
  return L >= 1 && a * a == L ? a : 0;
}

void validate(const ModelConfig& c) {
  if (c.L < 2 || c.L > 4096) throw UsageError("--L", fmt::format("must be in [2, 4096], got {}", c.L));
  if (c.n_heads < 1) throw UsageError("--n-heads", fmt::format("must be >= 1, got {}", c.n_heads));
  if (c.d_model < 1 || c.d_model % c.n_heads != 0)
    throw UsageError("--d-model", fmt::format("must be a positive multiple of --n-heads ({}), got {}", c.n_heads,
                                              c.d_model));
  if (c.n_layers < 1) throw UsageError("--n-layers", fmt::format("must be >= 1, got {}", c.n_layers));
  if (c.d_ff < 1) throw UsageError("--d-ff", fmt::format("must be >= 1, got {}", c.d_ff));
  lab::require_range("--dropout", c.dropout, 0.0, 0.99);
  lab::require_range("--attention-scale", c.attention_scale, 1e-6, 1e6);
  lab::require_range("--bias-slope", c.bias_slope, -1e6, 1e6);
  if (c.bias == BiasKind::torus && torus_side(c.L) == 0)
    throw UsageError("--attention-bias",
                     fmt::format("torus needs L = a^2 spins (an a x a lattice in raster order), got L = {}", c.L));
}

BiasKind parse_bias_kind(const std::string& name) {
  if (name == "none") return BiasKind::none;
  if (name == "distance") return BiasKind::distance;
  if (name == "periodic") return BiasKind::periodic;
  if (name == "torus") return BiasKind::torus;
  throw UsageError("--attention-bias", fmt::format("must be none, distance, periodic or torus, got '{}'", name));
}

BiasShape parse_bias_shape(const std::string& name) {
  if (name == "linear") return BiasShape::linear;
  if (name == "exp") return BiasShape::exp;
  throw UsageError("--bias-shape", fmt::format("must be linear or exp, got '{}'", name));
}

std::string to_string(BiasKind kind) {
  switch (kind) {
    case BiasKind::none: return "none";
    case BiasKind::distance: return "distance";
    case BiasKind::periodic: return "periodic";
    case BiasKind::torus: return "torus";
  }
  return "none";
}

std::string to_string(BiasShape shape) { return shape == BiasShape::linear ? "linear" : "exp"; }

nlohmann::json to_json(const ModelConfig& c) {
  return {{"L", c.L},
          {"d_model", c.d_model},
          {"n_heads", c.n_heads},
          {"n_layers", c.n_layers},
          {"d_ff", c.d_ff},
          {"dropout", c.dropout},
          {"seed_literal", c.seed_literal},
          {"attention_scale", c.attention_scale},
          {"attention_bias", to_string(c.bias)},
          {"bias_shape", to_string(c.bias_shape)},
          {"bias_slope", c.bias_slope},
          {"bias_learned", c.bias_learned},
          {"norm", "pre"}};
}

ModelConfig model_config_from_json(const nlohmann::json& j) {
  ModelConfig c;
  c.L = j.at("L").get<int>();
  c.d_model = j.at("d_model").get<int>();
  c.n_heads = j.at("n_heads").get<int>();
  c.n_layers = j.at("n_layers").get<int>();
  c.d_ff = j.at("d_ff").get<int>();
  c.dropout = j.at("dropout").get<double>();
  c.seed_literal = j.at("seed_literal").get<bool>();
  c.attention_scale = j.at("attention_scale").get<double>();
  c.bias = parse_bias_kind(j.at("attention_bias").get<std::string>());
  c.bias_shape = parse_bias_shape(j.at("bias_shape").get<std::string>());
  c.bias_slope = j.at("bias_slope").get<double>();
  c.bias_learned = j.at("bias_learned").get<bool>();
  return c;
}

void validate(const TrainConfig& c) {
  if (c.steps < 1) throw UsageError("--steps", fmt::format("must be >= 1, got {}", c.steps));
  if (c.batch < 1) throw UsageError("--batch", fmt::format("must be >= 1, got {}", c.batch));
  lab::require_range("--lr", c.lr, 1e-12, 10.0);
  lab::require_range("--weight-decay", c.weight_decay, 0.0, 10.0);
  lab::require_range("--beta1", c.beta1, 0.0, 0.999999);
  lab::require_range("--beta2", c.beta2, 0.0, 0.999999999);
  lab::require_range("--eps", c.eps, 1e-30, 1.0);
  if (c.schedule != "cosine" && c.schedule != "onecycle" && c.schedule != "constant")
    throw UsageError("--schedule", fmt::format("must be cosine, onecycle or constant, got '{}'", c.schedule));
  if (c.warmup_steps < 0) throw UsageError("--warmup-steps", fmt::format("must be >= 0, got {}", c.warmup_steps));
  lab::require_range("--min-lr-ratio", c.min_lr_ratio, 0.0, 1.0);
  lab::require_range("--pct-start", c.pct_start, 1e-6, 0.999999);
  lab::require_range("--grad-clip", c.grad_clip, 0.0, 1e12);
  if (c.eval_every < 1) throw UsageError("--eval-every", fmt::format("must be >= 1, got {}", c.eval_every));
  if (c.patience < 0) throw UsageError("--patience", fmt::format("must be >= 0, got {}", c.patience));
  if (c.checkpoint_every < 0)
    throw UsageError("--checkpoint-every", fmt::format("must be >= 0, got {}", c.checkpoint_every));
}

nlohmann::json to_json(const TrainConfig& c) {
  return {{"steps", c.steps},           {"batch", c.batch},
          {"lr", c.lr},                 {"weight_decay", c.weight_decay},
          {"beta1", c.beta1},           {"beta2", c.beta2},
          {"eps", c.eps},               {"schedule", c.schedule},
          {"warmup_steps", c.warmup_steps}, {"min_lr_ratio", c.min_lr_ratio},
          {"pct_start", c.pct_start},   {"grad_clip", c.grad_clip},
          {"eval_every", c.eval_every}, {"patience", c.patience},
          {"checkpoint_every", c.checkpoint_every}, {"seed", c.seed},
          {"optimizer", "AdamW"}};
}

TrainConfig train_config_from_json(const nlohmann::json& j) {
  TrainConfig c;
  c.steps = j.at("steps").get<long>();
  c.batch = j.at("batch").get<int>();
  c.lr = j.at("lr").get<double>();
  c.weight_decay = j.at("weight_decay").get<double>();
  c.beta1 = j.at("beta1").get<double>();
  c.beta2 = j.at("beta2").get<double>();
  c.eps = j.at("eps").get<double>();
  c.schedule = j.at("schedule").get<std::string>();
  c.warmup_steps = j.at("warmup_steps").get<long>();
  c.min_lr_ratio = j.at("min_lr_ratio").get<double>();
  c.pct_start = j.at("pct_start").get<double>();
  c.grad_clip = j.at("grad_clip").get<double>();
  c.eval_every = j.at("eval_every").get<long>();
  c.patience = j.at("patience").get<long>();
  c.checkpoint_every = j.at("checkpoint_every").get<long>();
  c.seed = j.at("seed").get<std::uint64_t>();
  return c;
}

double learning_rate(const TrainConfig& c, long step) {
  const double pi = 3.14159265358979323846;
  if (c.schedule == "onecycle") {  // torch.optim.lr_scheduler.OneCycleLR, anneal_strategy='cos', three_phase=False
    const double initial = c.lr / 25.0, final_lr = initial / 1e4;
    const double up_end = c.pct_start * static_cast<double>(c.steps) - 1.0;
    const double total_end = static_cast<double>(c.steps) - 1.0;
    const auto anneal = [&](double start, double end, double pct) { return end + (start - end) / 2.0 * (1.0 + std::cos(pi * pct)); };
    const double s = static_cast<double>(step);
    if (s <= up_end) return anneal(initial, c.lr, up_end > 0 ? s / up_end : 1.0);
    return anneal(c.lr, final_lr, total_end > up_end ? (s - up_end) / (total_end - up_end) : 1.0);
  }
  if (step < c.warmup_steps) return c.lr * static_cast<double>(step + 1) / static_cast<double>(c.warmup_steps);
  if (c.schedule == "constant") return c.lr;
  const double span = static_cast<double>(std::max(1L, c.steps - c.warmup_steps));
  const double progress = std::min(1.0, static_cast<double>(step - c.warmup_steps) / span);
  const double min_lr = c.min_lr_ratio * c.lr;
  return min_lr + 0.5 * (c.lr - min_lr) * (1.0 + std::cos(pi * progress));
}

std::uint64_t fingerprint(const ising::SpinSamples& samples) {
  std::uint64_t h = 1469598103934665603ULL;
  const auto mix = [&h](std::uint64_t byte) {
    h ^= byte;
    h *= 1099511628211ULL;
  };
  for (int k = 0; k < 4; ++k) mix((static_cast<std::uint64_t>(samples.L) >> (8 * k)) & 0xff);
  for (const auto s : samples.spins) mix(static_cast<std::uint8_t>(s));
  return h;
}

}  // namespace spinformer::gpt
