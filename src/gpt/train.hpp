#pragma once
// Training IsingGPT by maximum likelihood (LibTorch-free interface).
//
// AdamW on mean cross-entropy per spin; weight decay on matrices and embeddings only (nanoGPT);
// learning-rate schedule: cosine (linear warm-up, cosine decay to min_lr_ratio * lr), onecycle
// (PyTorch's OneCycleLR learning-rate curve: cosine from lr/25 up to lr over pct_start of the steps,
// then cosine down to lr/25/1e4; no momentum cycling) or constant (after warm-up); gradient-norm
// clipping; validation NLL every eval_every steps; early stopping after `patience` evaluations without
// improvement. Batches: the training rows in a fresh permutation per epoch, drawn from lab::Rng with
// (seed, epoch); dropout's random numbers are reseeded from (seed, step) at every step. So a run is a
// function of (data, configuration, seed, thread count), and a resumed run equals an uninterrupted one.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gpt/gpt.hpp"
#include "ising/chain.hpp"

namespace spinformer::gpt {

struct TrainConfig {
  long steps = 2000;
  int batch = 256;
  double lr = 3e-4;  // peak learning rate (the seed: 3e-4, constant)
  double weight_decay = 0.01;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  std::string schedule = "cosine";  // cosine | onecycle | constant
  long warmup_steps = 100;          // cosine and constant
  double min_lr_ratio = 0.1;        // cosine: final lr / lr
  double pct_start = 0.3;           // onecycle: fraction of steps rising
  double grad_clip = 1.0;           // max global gradient norm; 0 = off
  long eval_every = 100;
  long patience = 0;                // evaluations without improvement before stopping; 0 = never
  long checkpoint_every = 500;      // 0 = only at the end
  std::uint64_t seed = 1;           // model initialisation, batch order, dropout
};
void validate(const TrainConfig& config);  // UsageError naming the flag (--steps, --lr, ...)
nlohmann::json to_json(const TrainConfig& config);
TrainConfig train_config_from_json(const nlohmann::json& j);

// Learning rate at step (0-based) of the schedule.
double learning_rate(const TrainConfig& config, long step);

struct CurvePoint {
  long step = 0;
  double lr = 0;
  double train_loss = 0;  // mean cross-entropy per spin over the steps since the previous point
  double val_nll = 0;     // validation NLL per spin (nats)
  double val_kl = 0;      // mean (log p_T - log p_model) / L on the validation rows when the chain is known, else NaN
  double elapsed_s = 0;   // training wall time so far (summed over resumed runs)
};

struct TrainOptions {
  TrainConfig config;
  std::string checkpoint_path;       // written atomically every checkpoint_every steps and at the end ("" = none)
  std::string curve_path;            // training curve TSV + JSON sidecar ("" = none)
  bool resume = false;               // continue from checkpoint_path with its configuration (UsageError("--resume") if absent)
  long stop_after = 0;               // stop (and checkpoint) after this many steps in this call; 0 = run to the end
  int threads = 0;                   // torch intra-op threads; <= 0: all cores
  std::optional<ising::Chain> chain;  // the data's chain, recorded in the checkpoint; enables val_kl
  nlohmann::json data = nlohmann::json::object();  // data description recorded in the checkpoint (paths, sampler, ...)
  bool progress = true;              // progress line / log lines on stderr
};

struct TrainResult {
  long step = 0;             // steps done in total
  bool finished = false;     // reached config.steps or stopped early
  bool early_stopped = false;
  double best_val_nll = 0;
  std::vector<CurvePoint> curve;
  double wall_s = 0;         // this call
};

// Trains a model on `train` rows, validating on `validation` rows (if empty, the last 5% of `train`
// are held out, at least one row). The model configuration's L must equal the data's. On resume the
// model, optimizer, step and curve come from the checkpoint and the data must be the same (checked by
// a fingerprint). Throws lab::UsageError on bad input, std::runtime_error on a non-finite loss.
Model train(const ModelConfig& model_config, const TrainOptions& options, const ising::SpinSamples& train,
            const ising::SpinSamples& validation, TrainResult* result = nullptr);

// One optimisation step at a time, for benchmarks: the model, an AdamW optimiser, batches from data.
class StepTrainer {
 public:
  StepTrainer(const ModelConfig& model_config, const TrainConfig& config, const ising::SpinSamples& data);
  ~StepTrainer();
  double step();  // one step; returns the batch loss per spin
 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::uint64_t fingerprint(const ising::SpinSamples& samples);  // FNV-1a over L and the spins

}  // namespace spinformer::gpt
