// Variational (reverse-KL) training: see variational.hpp.
#include "gpt/variational.hpp"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "gpt/model_impl.hpp"
#include "lab/rng.hpp"

namespace spinformer::gpt {

Model train_variational(const ModelConfig& model_config, const TrainConfig& config, double beta,
                        const std::function<double(const ising::Spin*)>& energy,
                        std::vector<VariationalCurvePoint>* curve, long record_every) {
  validate(config);
  Model model(model_config, config.seed);
  auto& net = model.impl().net;
  auto options = torch::optim::AdamWOptions(config.lr)
                     .betas(std::make_tuple(config.beta1, config.beta2))
                     .eps(config.eps)
                     .weight_decay(0.0);
  torch::optim::AdamW optimizer(net->parameters(), options);
  const auto N = static_cast<double>(model_config.L);
  std::vector<double> energies(static_cast<std::size_t>(config.batch));
  for (long step = 0; step < config.steps; ++step) {
    const double lr = learning_rate(config, step);
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    // The batch: the current model's own samples (no gradient flows through the sampling).
    const ising::SpinSamples batch =
        model.sample(static_cast<std::size_t>(config.batch), lab::Rng::stream(config.seed ^ 0x5A3D1E7ULL, std::uint64_t(step)).next());
    for (std::size_t k = 0; k < batch.size(); ++k) energies[k] = energy(batch.row(k));
    net->train();
    auto log_q = detail::position_log_probs(net, detail::to_tokens(batch)).sum(1);  // [B]
    auto f = log_q.detach() + beta * torch::tensor(energies, torch::kDouble).to(torch::kFloat);
    auto loss = ((f - f.mean()) * log_q).mean() / N;
    const double free_energy = f.mean().item<double>() / N;
    if (!std::isfinite(free_energy))
      throw std::runtime_error(fmt::format("variational training: free energy {} at step {}", free_energy, step));
    optimizer.zero_grad();
    loss.backward();
    if (config.grad_clip > 0) torch::nn::utils::clip_grad_norm_(net->parameters(), config.grad_clip);
    optimizer.step();
    if (curve && (step % record_every == 0 || step + 1 == config.steps)) curve->push_back({step, lr, free_energy});
  }
  model.metadata()["variational"] = {{"beta", beta}, {"train", to_json(config)}};
  return model;
}

}  // namespace spinformer::gpt
