#pragma once
// Chapter 5: the configuration, one training of the masked-spin model with its measurements (an engine
// job, periodic_bias_measurements.cpp), the aggregation over seeds and the claims (claims.cpp). The
// program that runs the chapter is periodic_bias.cpp.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ising/ring_conditional.hpp"
#include "lab/intervals.hpp"

namespace spinformer {

struct Config {
  // Comparison of the variants (claims 5.1-5.3): L spins, xi = 3.7 and 1.3 sites at T = 1 and 2. T = 3 and a
  // second open-chain temperature were cut (before seeds) to keep the paper profile near 35 min on 2 cores.
  int L = 64;
  int mask_spacing = 4;                              // masked spins 4 apart: 16 predictions per configuration
  std::vector<std::string> variants{"none", "distance", "periodic", "learned"};
  std::vector<double> temperatures{1.0, 2.0};        // ring data
  std::vector<double> open_temperatures{1.0};        // open chain with edge fields (claim 5.3)
  std::vector<std::string> open_variants{"distance", "periodic", "learned"};
  double h_edge = 1.0;                               // field on the open chain's two end spins (units of J)
  int seeds = 10;
  int d_model = 32, n_heads = 2, n_layers = 2, d_ff = 128;
  long steps = 800;
  int batch = 64;
  double lr = 3e-3;
  int checkpoints = 3;                               // excess-loss profiles at steps / 3, 2 steps / 3, steps
  int curve_points = 6;                              // learning-curve points (a multiple of checkpoints)
  std::size_t n_test = 512;                          // exact test configurations per (data, T), every spin predicted once
  std::size_t n_influence = 128;                     // configurations for the influence curve
  // Claim 5.4: the softmax scale (inverse temperature) against training speed, lr tuned per scale.
  int scale_L = 32;
  double scale_T = 1.0;
  // A one-seed pilot (lr tuned per scale) got faster up to a = 16-32: the grid reaches 128, dense at the top.
  std::vector<double> scales{0.25, 1, 4, 8, 16, 32, 64, 128};
  std::vector<double> scale_lrs{1e-3, 3e-3, 1e-2, 3e-2};  // a pilot's best lr ran off a 3-value grid
  long scale_steps = 300;
  int scale_seeds = 10;
  // Verdicts: family-wise error 0.05 per claim; margin for "no edge effect" / "no help", as a fraction of
  // the information the two neighbours carry about a spin at that T.
  double margin_fraction = 0.05;
  int workers = 2;
  std::uint64_t seed = 20261129;
};

Config profile(const std::string& name);

// One training: data (ring | open), T, variant, softmax scale, learning rate, steps, L, seed.
struct Training {
  std::string group;  // main | open | scale
  std::string data = "ring";
  double T = 1;
  std::string variant = "periodic";
  double scale = 1, lr = 3e-3;
  long steps = 0;
  int L = 64;
  int seed = 0;
};

std::vector<Training> make_trainings(const Config& cfg);
nlohmann::json training_parameters(const Training& t);
Training training_from(const nlohmann::json& parameters, std::uint64_t seed);
std::string training_label(const Training& t);

ising::LocalChain data_chain(const Config& cfg, const std::string& data, int L, double T);
// I(s_i ; s_{i-1}, s_{i+1}) on the ring at h = 0: ln 2 - E H(s_i | neighbours), the excess loss of a model
// that ignores its neighbours; the scale of the equivalence margins.
double neighbour_information(double T);

// The job: trains one model on fresh exact samples and measures it against the exact conditionals:
// "profile_k" (excess loss per position at checkpoint k), "curve" (mean excess loss at curve points),
// "influence" (mean |change of the log-odds of s_i| when s_j at ring distance r is flipped, r = 1..L/2,
// null where s_j is masked), "heads" (REM statistics of every layer and head), "final" (mean excess).
nlohmann::json run_training(const Config& cfg, const Training& t, const std::function<void(double)>& progress);

// ---- aggregation over seeds --------------------------------------------------------------------------
using Runs = std::vector<nlohmann::json>;  // results with their "training" parameters attached

Runs select(const Runs& runs, const std::string& group, const std::string& data, double T, const std::string& variant,
            double scale = 1, double lr = -1);

// Statistics of one run.
double edge_excess(const nlohmann::json& run);    // mean excess at positions 1 and L (final checkpoint)
double bulk_excess(const nlohmann::json& run);    // mean over positions L/4 + 1 .. 3L/4
double mean_excess(const nlohmann::json& run);    // over all positions
double edge_effect(const nlohmann::json& run);    // edge - bulk
double influence_length(const nlohmann::json& run);   // sum r I(r) / sum I(r) over measured r
double far_influence(const nlohmann::json& run);      // sum_{r >= 2} I(r) / sum I(r)
double curve_area(const nlohmann::json& run);         // mean excess over the learning curve (speed)
double sigma_logit(const nlohmann::json& run);        // mean over heads
double participation(const nlohmann::json& run);      // mean over heads, per key

using Statistic = std::function<double(const nlohmann::json&)>;
std::vector<double> per_seed(const Runs& runs, const Statistic& f);
std::vector<double> paired(const Runs& a, const Runs& b, const Statistic& f);  // f(a) - f(b), same seeds
// Mean and its Student-t interval at level (the spread over seeds); a point when there is one seed.
lab::Interval interval(const std::vector<double>& replicates, double level);

// The claims (rule schema) and the values the text quotes.
nlohmann::json chapter_claims(const Config& cfg, const Runs& runs);

}  // namespace spinformer
