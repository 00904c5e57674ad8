#pragma once
// Chapter 5: the configuration, one training of the masked-spin model with its measurements (an engine
// job, periodic_bias_measurements.cpp), the aggregation over seeds and the claims (claims.cpp). The
// program that runs the chapter is periodic_bias.cpp.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gpt/masked_model.hpp"
#include "ising/ring_conditional.hpp"
#include "lab/intervals.hpp"

namespace spinformer {

struct Config {
  // Rerun for issue 31 (2026-12-07). The budget went to convergence before breadth: L = 32 (was 64) and
  // 6 seeds (was 10), so that the graded baselines can run twice as long as well (the doubling check) and
  // the new next-nearest data fit the 35-minute paper profile on 2 cores (estimated 20-30 min from the
  // previous run's 1778 s; the two cores are shared with another helper's run).
  int L = 32;
  int mask_spacing = 4;                              // masked spins 4 apart: their four neighbours are visible
  // 5.1: periodic bias against the baselines people use (learned positions; distance bias plus learned
  // positions); distance bias alone and no positions are its positive and negative controls.
  std::vector<std::string> variants{"none", "distance", "periodic", "learned", "distance+learned"};
  std::vector<std::string> doubled_variants{"periodic", "learned", "distance+learned"};  // also at 2 steps
  std::vector<double> temperatures{1.0, 2.0};        // ring data, xi = 3.7 and 1.3 sites
  // 5.2: a ring with a next-nearest coupling J2 (units of J1): the exact influence reaches r = 2.
  double J2 = 0.5;
  std::vector<double> nnn_temperatures{1.0};
  std::vector<std::string> nnn_variants{"periodic", "distance"};  // at steps and 2 steps
  std::vector<double> open_temperatures{1.0};        // open chain with edge fields (claim 5.3)
  std::vector<std::string> open_variants{"none", "distance", "periodic", "learned"};
  double h_edge = 1.0;                               // field on the open chain's two end spins (units of J)
  int seeds = 6;
  int d_model = 32, n_heads = 2, n_layers = 2, d_ff = 128;
  long steps = 800;
  int batch = 64;
  double lr = 3e-3;
  int checkpoints = 3;                               // excess-loss profiles at steps / 3, 2 steps / 3, steps
  int curve_points = 6;                              // learning-curve points (a multiple of checkpoints)
  std::size_t n_test = 512;                          // exact test configurations per (data, T), every spin predicted once
  std::size_t n_influence = 128;                     // configurations for the influence curve
  // 5.2: the largest |influence length - exact| that counts as "reaches the exact length" (sites): 0.1,
  // 30% of the gap between the exact length (1 + 2 K2/K1) / (1 + K2/K1) = 4/3 and a nearest-neighbour model's 1.
  double length_margin = 0.1;
  // Claim 5.4: the softmax scale (inverse temperature) against training speed, lr tuned per scale; the
  // best lr of each scale is rerun at 2 scale_steps (doubling check). The grid ends 0.25 and 128 and the
  // lr 0.03 (slowest everywhere in the previous run) were cut to pay for the doubling.
  int scale_L = 32;
  double scale_T = 1.0;
  std::vector<double> scales{1, 4, 16, 32, 64};
  std::vector<double> scale_lrs{1e-3, 3e-3, 1e-2};
  long scale_steps = 300;
  int scale_seeds = 5;
  // Verdicts: family-wise error 0.05 per claim; margin for "no edge effect" / "no help", as a fraction of
  // the information the two neighbours carry about a spin at that T.
  double margin_fraction = 0.05;
  std::uint64_t seed = 20261129;
};
// Declared once: into results.json as "config", into every sidecar and every job's parameters (so a job's
// cache key holds everything it reads); the quick profile is a patch of these defaults (periodic_bias.cpp).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, L, mask_spacing, variants, doubled_variants, temperatures, J2, nnn_temperatures,
                                   nnn_variants, open_temperatures, open_variants, h_edge, seeds, d_model, n_heads, n_layers,
                                   d_ff, steps, batch, lr, checkpoints, curve_points, n_test, n_influence, length_margin,
                                   scale_L, scale_T, scales, scale_lrs, scale_steps, scale_seeds, margin_fraction, seed)

// One training: data (ring | open), T, variant, softmax scale, learning rate, steps, L, seed.
struct Training {
  std::string group;  // main | main2x | nnn | nnn2x | open | scale | scale2x (2x: twice the steps, same seeds)
  std::string data = "ring";  // ring | open | nnn
  double T = 1;
  std::string variant = "periodic";
  double scale = 1, lr = 3e-3;
  long steps = 0;
  int L = 64;
  int seed = 0;
};

std::vector<Training> make_trainings(const Config& cfg);
// The scale sweep's doubling runs: each scale at its best learning rate (by curve_area over the sweep).
std::vector<Training> make_doubled_scale_trainings(const Config& cfg, const std::vector<double>& best_lr);
std::vector<double> best_scale_lrs(const Config& cfg, const std::vector<nlohmann::json>& runs);
nlohmann::json training_parameters(const Training& t);
Training training_from(const nlohmann::json& parameters, std::uint64_t seed);
std::string training_label(const Training& t);

// none | distance | periodic | learned | distance+learned (the distance bias with learned positions).
gpt::MaskedConfig model_config(const std::string& variant, int L);
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
double influence_length_of(const nlohmann::json& curve);  // the same of one curve (a hand-written model's)
double far_influence(const nlohmann::json& run);      // sum_{r >= 2} I(r) / sum I(r)
double curve_area(const nlohmann::json& run);         // mean excess over the learning curve (speed)
double sigma_logit(const nlohmann::json& run);        // mean over heads
double sigma_logit_initial(const nlohmann::json& run);  // the same before training (scale runs)
double participation(const nlohmann::json& run);      // mean over heads, per key

using Statistic = std::function<double(const nlohmann::json&)>;
std::vector<double> per_seed(const Runs& runs, const Statistic& f);
std::vector<double> paired(const Runs& a, const Runs& b, const Statistic& f);  // f(a) - f(b), same seeds
// Mean and its Student-t interval at level (the spread over seeds); a point when there is one seed.
lab::Interval interval(const std::vector<double>& replicates, double level);

// The claims (rule schema) and the values the text quotes.
nlohmann::json chapter_claims(const Config& cfg, const Runs& runs);

}  // namespace spinformer
