#pragma once
// Chapter 1: the configuration, what is measured for one trained model, and the runs that measure it
// (boltzmann_recovery_measurements.cpp). The program that runs the chapter is boltzmann_recovery.cpp.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gpt/eval.hpp"
#include "gpt/gpt.hpp"
#include "gpt/train.hpp"
#include "ising/exact.hpp"
#include "lab/statistics.hpp"

// Config goes whole into results.json and every job's parameters (lab::Chapter); gpt spells its
// configs' JSON as to_json/..._from_json, which these adapt for nlohmann's conversions.
namespace nlohmann {
template <>
struct adl_serializer<spinformer::gpt::ModelConfig> {
  static void to_json(json& j, const spinformer::gpt::ModelConfig& c) { j = spinformer::gpt::to_json(c); }
  static void from_json(const json& j, spinformer::gpt::ModelConfig& c) { c = spinformer::gpt::model_config_from_json(j); }
};
template <>
struct adl_serializer<spinformer::gpt::TrainConfig> {
  static void to_json(json& j, const spinformer::gpt::TrainConfig& c) { j = spinformer::gpt::to_json(c); }
  static void from_json(const json& j, spinformer::gpt::TrainConfig& c) { c = spinformer::gpt::train_config_from_json(j); }
};
}  // namespace nlohmann

namespace spinformer {

using Clock = std::chrono::steady_clock;

// ---- configuration ------------------------------------------------------------------------------
// The training every model of the chapter gets unless a variant changes it: AdamW with a one-cycle
// schedule peaking at 1e-3, batch 256, 1,500 steps, validation every 150, the model saved at the end.
inline gpt::TrainConfig chapter_training() {
  gpt::TrainConfig t;
  t.batch = 256;
  t.lr = 1e-3;
  t.schedule = "onecycle";
  t.pct_start = 0.3;
  t.steps = 1500;
  t.eval_every = 150;
  t.checkpoint_every = 0;
  return t;
}

struct Config {
  int L = 32;
  // Four temperatures, each with `seeds` training seeds (issue 10): a claim about "every T" generalises
  // over training seeds, so its intervals must contain their spread. Budget arithmetic in text.md:
  // three temperatures x 5 seeds + the field run x 5 + the ablation (9) + the sample-size curve (9) =
  // 38 trainings, about 50 minutes on two cores (T = 2 would add 5 trainings, about 7 minutes).
  std::vector<double> temperatures{0.5, 1.0, 5.0};
  int seeds = 5;                         // training seeds per temperature (and for the field run)
  double field_T = 1.0, field_h = 0.5;   // the one run with a field
  std::size_t n_train = 50'000;          // Metropolis samples per temperature (the seed's number)
  long equilibration_sweeps = 1024;      // chapter 0: at most 256 needed (T = 0.5); 4x margin
  std::size_t n_val = 5'000;             // held-out exact samples: validation NLL during training
  std::size_t n_test = 20'000;           // fresh exact samples: KL and per-position excess loss
  std::size_t n_model_samples = 10'000;  // drawn from each trained model: histograms, C(r)
  std::size_t n_images = 64;             // configurations drawn as images
  gpt::ModelConfig model;                // the seed's sizes: d_model 64, 4 heads, 2 layers, d_ff 256; no dropout
                                         // (model.L is the ring's L: a profile that sets one sets both)
  gpt::TrainConfig train = chapter_training();
  // negative control: the seed's literal setup against the correct one on an enumerable ring
  int control_L = 12;
  double control_T = 1.0;
  std::size_t control_n = 50'000;
  long control_steps = 400;
  int control_seeds = 5;
  // ablation at one temperature: the seed's own hyperparameters (dropout 0.1, constant learning rate
  // 3e-4), one at a time and together, all with the causal mask (without it there is no density)
  double ablation_T = 1.0;
  int ablation_seeds = 3;
  // learning curve against the number of training samples, at ablation_T (n_train itself is the main
  // run): ascending, below n_train, about a factor 3 apart so that a slope in log n can be read off
  std::vector<std::size_t> curve_n{1'000, 5'000, 15'000};
  int curve_seeds = 3;
  double kl_goal = 1e-4;   // nats per spin (the goal)
  // Convergence (issue 30): seed 0 of every chain is trained again with twice the steps (the one-cycle
  // schedule stretched to 2x; same data, test samples and initialisation seed), and the change it shows
  // moves the condition's estimate, which must stay inside the condition's interval (lab/convergence).
  // The model's samples are independent, so their C(r) gets many jackknife blocks: 20 blocks give error
  // bars that are themselves 16 % uncertain, enough to make a |z| of 5 among 16 distances and 5 seeds.
  int corr_blocks = 200;
  // The KL criterion's power (claim 1.6): exact Boltzmann distributions at a tempered T' whose exact
  // KL(p_T || p_T') per spin is kl_goal / 2 (must pass) and 2 kl_goal (must fail), estimated like a
  // model's KL on n_test exact samples, one draw per training seed.
  double alpha = 1e-3;     // significance level of the chi-square tests
  std::uint64_t seed = 20261201;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, L, temperatures, seeds, field_T, field_h, n_train, equilibration_sweeps, n_val,
                                   n_test, n_model_samples, n_images, model, train, control_L, control_T, control_n,
                                   control_steps, control_seeds, ablation_T, ablation_seeds, curve_n, curve_seeds,
                                   kl_goal, corr_blocks, alpha, seed)

// How a job runs, beside what it computes (Config): LibTorch threads (part of the job's parameters,
// since the order of a sum can depend on them) and whether training prints its progress (not part of
// them: where and beside what a job runs changes no number). Two models train at a time, each on one
// LibTorch thread: on the 2-core budget machine this gives nearly twice the steps per minute of one
// model on two threads (small matrices parallelise badly).
struct Execution {
  int threads = 1;
  bool progress = false;
};

// The rings the chapter trains on: one per temperature (h = 0), then the one with a field.
std::vector<ising::Chain> chapter_chains(const Config& cfg);

// "3.1e-05 ± 1.2e-05" style for KL values.
inline std::string pm(const lab::Estimate& e) { return fmt::format("{:.2g} ± {:.1g}", e.value, e.error); }

inline double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Everything measured for one trained model.
struct Run {
  ising::Chain chain;
  std::string model_file;
  double p_data_energy = NAN, p_data_magnetization = NAN;  // the Metropolis training data against exact
  lab::Estimate kl;                                         // per spin, on exact test samples
  lab::Estimate kl_counting;                                // the counting model on the same data and test samples
  double exact_entropy_per_spin = 0;
  double final_val_kl = NAN, best_val_nll = NAN;
  double p_model_energy = NAN, p_model_magnetization = NAN;  // model samples against exact
  double c1_z = NAN, max_corr_z = NAN;
  double worst_position_excess = 0;
  int worst_position = 0;
  lab::Estimate last_excess;  // excess loss on the last spin, the one the closing bond couples to s_1
  double train_s = 0, eval_s = 0;
  std::vector<std::pair<long, double>> val_kl_curve;  // (step, KL per spin on the validation samples)
};

// One temperature (and field): Metropolis data checked against exact, training, exact evaluation.
// Writes the model and its data files into out_dir; thread-safe (everything it touches is its own).
// seed: the run's own (data, validation, test, training and model samples derive from it).
// tag names its files (model_<tag>.pt, curve_<tag>.tsv, ...).
Run run_one(const Config& cfg, const ising::Chain& chain, std::uint64_t seed, const std::string& out_dir,
            const std::string& tag, const Execution& how);

// A training variant: the seed's hyperparameters one at a time, or fewer training samples.
struct Variant {
  std::string name = "baseline";  // baseline | dropout | constant_lr | seed_hyperparameters | doubled (2x steps)
  std::size_t n_train = 0;        // 0: cfg.n_train
};
Config with_variant(Config cfg, const Variant& v);
nlohmann::json to_json(const Variant& v);
Variant variant_from_json(const nlohmann::json& j);

// The negative control, variant v (0: causal mask and shifted targets, 1: the seed's literal setup), on
// a ring small enough to sum over all 2^L states.
struct ControlResult {
  gpt::EnumerationResult enumerated;
  double final_train_loss = NAN;
};

ControlResult run_control(const Config& cfg, int v, std::uint64_t seed, const std::string& out_dir, const Execution& how);

// A hand-written model for the KL criterion's power: the exact chain at beta' with the same J, h and
// boundary, chosen (by bisection in beta' >= beta) so that the exact KL(p_T || p_T') per spin equals
// kl_per_spin. Then the same estimator as a trained model's KL, mean over n exact samples of
// (log p_T(s) - log p_T'(s)) / L.
struct TemperedModel {
  double T_prime = NAN, exact_kl = NAN;
  lab::Estimate estimated_kl;
};
TemperedModel tempered_model(const ising::Chain& chain, double kl_per_spin, std::size_t n, std::uint64_t seed);

// ---- the job engine's view: a run's result as JSON -------------------------------------------------
nlohmann::json chain_json(const ising::Chain& chain);
ising::Chain chain_from_json(const nlohmann::json& j);
nlohmann::json to_json(const Run& run);
Run run_from_json(const nlohmann::json& j);
nlohmann::json to_json(const ControlResult& control);
ControlResult control_from_json(const nlohmann::json& j);

}  // namespace spinformer
