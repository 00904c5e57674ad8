// Plain SGD on a stream of exact samples (sgd_training.hpp).
#include "gpt/sgd_training.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>
#include <torch/torch.h>

#include "gpt/model_impl.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/rng.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::gpt {

using lab::UsageError;

void validate(const SgdConfig& c) {
  if (c.steps < 1) throw UsageError("--steps", "must be at least 1");
  if (c.batch < 1) throw UsageError("--batch", "must be at least 1");
  if (!std::isfinite(c.eta) || c.eta <= 0) throw UsageError("--eta", "must be a positive number");
  if (c.schedule != "constant" && c.schedule != "warmup_decay")
    throw UsageError("--schedule", fmt::format("'{}' is not constant or warmup_decay", c.schedule));
  if (c.warmup_steps < 0 || c.warmup_steps >= c.steps) throw UsageError("--warmup-steps", "must be in [0, steps)");
  if (!std::isfinite(c.final_ratio) || c.final_ratio <= 0 || c.final_ratio > 1)
    throw UsageError("--final-ratio", "must be in (0, 1]");
  if (c.optimizer != "sgd" && c.optimizer != "adamw")
    throw UsageError("--optimizer", fmt::format("'{}' is not sgd or adamw", c.optimizer));
  if (c.eval_every < 1) throw UsageError("--eval-every", "must be at least 1");
}

nlohmann::json to_json(const SgdConfig& c) {
  return {{"steps", c.steps},         {"batch", c.batch},         {"eta", c.eta},
          {"schedule", c.schedule},   {"warmup_steps", c.warmup_steps}, {"final_ratio", c.final_ratio},
          {"optimizer", c.optimizer}, {"eval_every", c.eval_every}, {"seed", c.seed}};
}

double learning_rate(const SgdConfig& c, long step) {
  if (c.schedule == "constant") return c.eta;
  if (step < c.warmup_steps) return c.eta * static_cast<double>(step + 1) / static_cast<double>(c.warmup_steps);
  const long decay_steps = c.steps - c.warmup_steps;
  const double x = decay_steps > 1 ? static_cast<double>(step - c.warmup_steps) / static_cast<double>(decay_steps - 1) : 1;
  return c.eta * std::pow(c.final_ratio, x);
}

namespace {
ising::SpinSamples draw_batch(const ising::ExactSampler& sampler, const ising::Chain& chain, const SgdConfig& c, long step) {
  // one stream per step, independent of the model's initialisation stream (seed itself)
  ising::SpinSamples out;
  out.L = chain.L;
  out.spins.resize(static_cast<std::size_t>(c.batch) * static_cast<std::size_t>(chain.L));
  auto rng = lab::Rng::stream(c.seed ^ 0x5D6A7A0BA7C4ULL, static_cast<std::uint64_t>(step));
  for (int b = 0; b < c.batch; ++b) sampler.draw(rng, out.spins.data() + static_cast<std::size_t>(b) * chain.L);
  return out;
}
}  // namespace

ising::SpinSamples online_batch(const ising::Chain& chain, const SgdConfig& c, long step) {
  return draw_batch(ising::ExactSampler(chain), chain, c, step);
}

namespace {
// KL(p_T || q) per spin = (1/L) sum_i E_{s_<i ~ p_T} KL(p_T(. | s_<i) || q(. | s_<i)): the prefixes are the
// evaluation samples, each conditional KL is exact (a two-state sum). Unbiased like the mean of
// log p_T(s) - log q(s), with far less variance: the sampling of s_i itself is summed out.
struct ExactConditionals {
  std::vector<double> log_up, log_down;  // [k * L + i]
};
ExactConditionals exact_conditionals(const ising::ExactChain& exact, const ising::SpinSamples& s) {
  ExactConditionals e;
  for (std::size_t k = 0; k < s.size(); ++k)
    for (int i = 0; i < s.L; ++i) {
      const ising::Spin* row = s.row(k);
      const double up = exact.conditional_up(i, i > 0 ? row[i - 1] : ising::Spin(1), row[0]);
      e.log_up.push_back(std::log(up));
      e.log_down.push_back(std::log1p(-up));
    }
  return e;
}

// {KL per spin, KL of the last conditional alone (on the ring: the closing bond to s_1)}.
std::pair<double, double> conditional_kl(detail::Gpt& net, const torch::Tensor& tokens, const ExactConditionals& e) {
  torch::NoGradGuard no_grad;
  net->eval();
  double sum = 0, last = 0;
  const std::int64_t n = tokens.size(0), L = tokens.size(1);
  for (std::int64_t begin = 0; begin < n; begin += 4096) {
    const std::int64_t end = std::min(n, begin + 4096);
    auto lq = torch::log_softmax(net->forward(detail::make_inputs(tokens.slice(0, begin, end), net->cfg.seed_literal)), -1)
                  .to(torch::kDouble)
                  .contiguous();
    const double* q = lq.data_ptr<double>();  // [k][i][down, up]
    for (std::int64_t k = begin; k < end; ++k)
      for (std::int64_t i = 0; i < L; ++i) {
        const std::size_t a = static_cast<std::size_t>(k * L + i);
        const double* qi = q + ((k - begin) * L + i) * 2;
        const double pu = std::exp(e.log_up[a]), pd = std::exp(e.log_down[a]);
        const double term = (pu > 0 ? pu * (e.log_up[a] - qi[1]) : 0) + (pd > 0 ? pd * (e.log_down[a] - qi[0]) : 0);
        sum += term;
        if (i == L - 1) last += term;
      }
  }
  net->train();
  return {sum / static_cast<double>(n) / static_cast<double>(L), last / static_cast<double>(n)};
}
}  // namespace

Model train_sgd(const ModelConfig& mc, const SgdConfig& c, const ising::Chain& chain,
                const ising::SpinSamples& evaluation, SgdResult* result, const std::function<void(double)>& progress) {
  validate(mc);
  validate(c);
  if (chain.L != mc.L) throw UsageError("--L", "the chain's L differs from the model's");
  if (evaluation.size() < 1 || evaluation.L != mc.L) throw UsageError("--evaluation", "needs configurations of L spins");
  const auto t0 = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Model::Impl>();
  impl->config = mc;
  impl->net = detail::make_network(mc, c.seed);
  auto& net = impl->net;
  net->train();
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  if (c.optimizer == "sgd")
    optimizer = std::make_unique<torch::optim::SGD>(net->parameters(), torch::optim::SGDOptions(c.eta));
  else
    optimizer = std::make_unique<torch::optim::AdamW>(net->parameters(),
                                                      torch::optim::AdamWOptions(c.eta).weight_decay(0.0));
  const ising::ExactChain exact(chain);
  const ising::ExactSampler sampler(chain);
  const auto conditionals = exact_conditionals(exact, evaluation);
  const auto eval_tokens = detail::to_tokens(evaluation);

  SgdResult r;
  for (const auto& p : net->parameters()) r.parameter_count += p.numel();
  const auto kl0 = conditional_kl(net, eval_tokens, conditionals);
  r.curve.push_back({0, learning_rate(c, 0), NAN, kl0.first, kl0.second});
  double loss_sum = 0;
  long loss_count = 0;
  for (long step = 0; step < c.steps; ++step) {
    const double eta = learning_rate(c, step);
    for (auto& group : optimizer->param_groups()) {
      if (c.optimizer == "sgd")
        static_cast<torch::optim::SGDOptions&>(group.options()).lr(eta);
      else
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(eta);
    }
    const auto batch = detail::to_tokens(draw_batch(sampler, chain, c, step));
    optimizer->zero_grad();
    auto loss = -detail::position_log_probs(net, batch).mean();
    const double value = loss.item<double>();
    if (!std::isfinite(value))
      throw std::runtime_error(fmt::format("SGD loss is {} at step {} (eta {:.3g}): diverged", value, step, eta));
    loss.backward();
    optimizer->step();
    loss_sum += value;
    loss_count += 1;
    if ((step + 1) % c.eval_every == 0 || step + 1 == c.steps) {
      const auto kl = conditional_kl(net, eval_tokens, conditionals);
      r.curve.push_back({step + 1, eta, loss_sum / static_cast<double>(loss_count), kl.first, kl.second});
      loss_sum = 0, loss_count = 0;
      if (!std::isfinite(r.curve.back().kl))
        throw std::runtime_error(fmt::format("SGD: non-finite KL at step {} (eta {:.3g})", step + 1, eta));
      if (progress) progress(static_cast<double>(step + 1) / static_cast<double>(c.steps));
    }
  }
  net->eval();
  impl->metadata = {{"model", to_json(mc)}, {"sgd", to_json(c)}, {"parameter_count", r.parameter_count}};
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (result) *result = std::move(r);
  return Model(std::move(impl));
}

std::vector<float> loss_gradient_flat(const Model& model, const ising::SpinSamples& batch) {
  if (batch.L != model.L() || batch.size() < 1) throw UsageError("--batch", "needs configurations of L spins");
  auto& net = model.impl().net;
  for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
  auto loss = -detail::position_log_probs(net, detail::to_tokens(batch)).mean();
  loss.backward();
  std::vector<float> out;
  for (const auto& p : net->parameters()) {
    auto g = p.grad().defined() ? p.grad().to(torch::kFloat).contiguous() : torch::zeros_like(p).to(torch::kFloat);
    out.insert(out.end(), g.data_ptr<float>(), g.data_ptr<float>() + g.numel());
    p.mutable_grad() = torch::Tensor();
  }
  return out;
}

}  // namespace spinformer::gpt
