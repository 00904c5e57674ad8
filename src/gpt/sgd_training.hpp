#pragma once
// IsingGPT trained by plain SGD on a stream of exact samples (LibTorch-free interface; chapter 7).
//
// Why a second trainer: train.hpp is AdamW on a fixed training set, whose stationary state mixes the
// optimiser's preconditioning and the finite set's estimation error into the excess loss. Here every
// step draws B fresh configurations from the exact chain (ising::ExactSampler), so the excess KL at
// the plateau is SGD's own noise: the setting in which the exact one-parameter case (sgd/chain_model.hpp)
// predicts excess ~ eta tr(F) / (4 B). The step is theta' = theta - eta(t) g_B with g_B the gradient
// of the mean cross-entropy per spin over the batch: no momentum, no weight decay, no clipping.
// AdamW (torch's, weight decay 0, no clipping) is available as a labelled comparison.
// A run is a function of (chain, model and SGD configuration, seed, thread count).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gpt/gpt.hpp"
#include "ising/chain.hpp"

namespace spinformer::gpt {

struct SgdConfig {
  long steps = 10000;
  int batch = 16;
  double eta = 0.1;                    // constant eta, or the peak of warmup_decay
  std::string schedule = "constant";   // constant | warmup_decay
  long warmup_steps = 0;               // warmup_decay: linear rise from eta / warmup_steps to eta
  double final_ratio = 0.1;            // warmup_decay: geometric decay from eta to final_ratio * eta at the last step
  std::string optimizer = "sgd";       // sgd | adamw (betas 0.9, 0.999; eps 1e-8; no weight decay)
  long eval_every = 100;               // exact-sample KL every eval_every steps (and at step 0)
  std::uint64_t seed = 1;              // model initialisation and the data stream
};
void validate(const SgdConfig& config);  // lab::UsageError naming --steps, --batch, --eta, --schedule, ...
nlohmann::json to_json(const SgdConfig& config);

// eta(t) for step t (0-based).
double learning_rate(const SgdConfig& config, long step);

// The B exact configurations of step t (a pure function of chain, seed and step).
ising::SpinSamples online_batch(const ising::Chain& chain, const SgdConfig& config, long step);

struct SgdCurvePoint {
  long step = 0;         // after this many steps
  double eta = 0;        // eta of the last step taken (eta(0) at step 0)
  double train_loss = 0; // mean batch loss per spin since the previous point (NaN at step 0)
  // KL(p_T || p_model) per spin: the exact conditional KLs of every position, averaged over the
  // evaluation configurations as prefixes (unbiased, and with less variance than log p_T - log p_model)
  double kl = 0;
  double kl_last = 0;    // the last position's conditional KL alone, per configuration (ring: the closing bond)
};

struct SgdResult {
  std::vector<SgdCurvePoint> curve;
  long parameter_count = 0;
  double wall_s = 0;
};

// Trains from Model(model_config, config.seed) on online_batch(chain, config, t), t = 0..steps-1,
// recording the KL on `evaluation` (exact samples of the chain) every eval_every steps. `progress`
// (may be empty) gets the fraction done. Throws std::runtime_error on a non-finite loss.
Model train_sgd(const ModelConfig& model_config, const SgdConfig& config, const ising::Chain& chain,
                const ising::SpinSamples& evaluation, SgdResult* result = nullptr,
                const std::function<void(double)>& progress = {});

// The gradient of the mean cross-entropy per spin over `batch` at the model's parameters, in the
// order of Model::parameters_flat (for tests: one SGD step is theta - eta * this).
std::vector<float> loss_gradient_flat(const Model& model, const ising::SpinSamples& batch);

}  // namespace spinformer::gpt
