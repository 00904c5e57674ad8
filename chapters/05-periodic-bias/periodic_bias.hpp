#pragma once
// Chapter 5: the variants and the configuration, the trainings (the engine's jobs), the exact structure an
// ideal model must see, one training run with its measurements and the aggregation over seeds (defined in
// periodic_bias_measurements.cpp). The program that runs the chapter is periodic_bias.cpp.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gpt/gpt.hpp"
#include "ising/exact.hpp"
#include "lab/statistics.hpp"

namespace spinformer {

// ---- the variants: f(d) = -slope d (linear) or exp(-slope d), slope fixed or learned per head ------
struct Variant {
  std::string name, label;
  gpt::BiasKind kind = gpt::BiasKind::none;
  gpt::BiasShape shape = gpt::BiasShape::linear;
  bool learned = false;
  double slope = 0.5;
};

// ---- configuration ----------------------------------------------------------------------------------
struct Config {
  int L = 16;
  std::vector<double> temperatures{0.5, 1.0, 2.0};  // bulk xi = 27.3, 3.7, 1.3 sites
  double long_T = 0.5;                               // the long-correlation temperature (ablation of f)
  std::vector<ising::Boundary> boundaries{ising::Boundary::periodic, ising::Boundary::open};
  int seeds = 4;                                     // training seeds (model init, batch order, data)
  // model: the seed's architecture at a smaller width (2 layers, 4 heads, pre-norm, no dropout)
  int d_model = 32, n_heads = 4, n_layers = 2;
  long steps = 400;
  int batch = 128;
  double lr = 1e-3;
  long warmup = 40;
  long eval_every = 200;                             // validation only for the record (the verdicts use the test set)
  std::size_t n_train = 20'000, n_val = 1'000, n_model_samples = 10'000;
  std::size_t n_test = 8'192;                        // exact samples per (boundary, T), shared by every model
  // section 3.1: softmax-scale sweep on the ring at T = 1, no bias
  std::vector<double> scales{0.25, 0.5, 1.0, 2.0, 4.0, 8.0};
  double scale_T = 1.0;
  long scale_eval_every = 25;
  int scale_seeds = 3;
  double threshold_fraction = 0.01;  // "fixed excess loss": val KL per spin below 1% of the exact entropy per spin
  int workers = 2;                                   // trainings at a time (one LibTorch thread each)
  std::uint64_t seed = 20261205;
};

std::vector<Variant> main_variants();
std::vector<Variant> ablation_variants();

// ---- trainings (one engine job each) -------------------------------------------------------------------
struct Training {
  std::string group;  // main | ablation | scale
  ising::Boundary boundary = ising::Boundary::periodic;
  double T = 1;
  Variant variant;
  int seed = 0;
  double scale = 1.0;
};

std::string bname(ising::Boundary b);

std::vector<Training> make_trainings(const Config& cfg);
// The job's parameters: everything besides the training seed that its numbers depend on; and back.
nlohmann::json training_parameters(const Config& cfg, const Training& t);
Training training_from(const nlohmann::json& parameters, std::uint64_t seed);

// Data seeds depend on (boundary, T, training seed) only, so every variant sees the same data (paired).
std::uint64_t data_seed(const Config& cfg, ising::Boundary b, double T, int k, int stream);

// ---- exact structure: what an ideal model must see ---------------------------------------------------
// I_i = I(s_i ; s_1 | s_{i-1}): the excess loss at position i of the best model that sees only the
// previous spin s_{i-1} (the open chain's structure; h = 0, 0-based i >= 2). Zero on the open chain; on
// the ring the closing bond makes it > 0.
std::vector<double> blind_to_first_excess(const ising::ExactChain& exact);

// The same I_i by brute force over all 2^L states (L <= 16): E_p[log p(s_i | s_<i) - log p(s_i | s_{i-1})],
// with p(s_i | s_{i-1}) from the pair marginal of the enumerated distribution. A check of the formula above.
std::vector<double> blind_to_first_excess_by_enumeration(const ising::ExactChain& exact);

// ---- one training run and its measurements ----------------------------------------------------------------
// Thread-safe: the model's initial parameters are drawn under a lock, everything else is the run's own.
nlohmann::json run_training(const Config& cfg, const Training& job);

// ---- aggregation helpers ----------------------------------------------------------------------------------
using Runs = std::vector<nlohmann::json>;

Runs select(const Runs& runs, const std::string& boundary, double T, const std::string& variant);

double end_excess(const nlohmann::json& r, int L);

lab::Estimate over_seeds(const Runs& runs, const std::function<double(const nlohmann::json&)>& f);

// Paired difference f(a) - f(b) over seeds (same data, same seed).
lab::Estimate paired(const Runs& a, const Runs& b, const std::function<double(const nlohmann::json&)>& f);

std::string pm(const lab::Estimate& e, const char* fmtspec = "{:.2e}");

}  // namespace spinformer
