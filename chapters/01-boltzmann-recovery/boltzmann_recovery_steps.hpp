#pragma once
// Chapter 1's steps, in the order boltzmann_recovery.cpp runs them: the trainings and the controls
// (jobs), the tempered models of known KL, the tables, the claims, the values the text quotes.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lab/chapter.hpp"

#include "boltzmann_recovery.hpp"
#include "claims.hpp"

namespace spinformer {

// The seed's hyperparameters one at a time and together (the ablation at ablation_T).
inline const std::vector<std::string> kAblations{"dropout", "constant_lr", "seed_hyperparameters"};

// The jobs' bodies (lab::Chapter steps). A training job's parameters: the Config, "chain" (an index
// into chapter_chains), "variant", "tag" (its files' names) and "threads"; a control job's: the
// Config, "setup" (0: causal mask, 1: the seed's literal setup) and "threads". Each writes its model
// and data files into its job directory (context.dir(), kept with the cached result). progress:
// whether training prints its steps (one job at a time).
nlohmann::json training_job(const nlohmann::json& parameters, std::uint64_t seed, const lab::JobContext& context,
                            bool progress);
nlohmann::json control_job(const nlohmann::json& parameters, std::uint64_t seed, const lab::JobContext& context,
                           bool progress);

// Every model the chapter trains: steps "run" (every chain x seeds), "variant" (the ablation and the
// sample-size curve at ablation_T), "doubled" (seed 0 of every chain at twice the steps) and
// "control" (the negative control's two setups x control_seeds). The files of the runs, the doubled
// runs and seed 0 of each control setup are copied into the output folder.
struct Trainings {
  std::vector<ising::Chain> chains;  // temperatures, then the field run
  std::size_t nT = 0, nS = 0;        // temperatures, training seeds
  std::size_t ablation_k = 0;        // the temperature of the ablation and the sample-size curve
  std::vector<Run> runs;             // [k * nS + s]
  std::vector<Run> variant_runs;     // ablation variants x ablation_seeds, then curve_n x curve_seeds
  std::vector<Run> doubled;          // [k]
  std::vector<ControlResult> controls;  // [v * control_seeds + s]
  int control_seeds = 0;

  const Run& at(std::size_t k, std::size_t s) const { return runs[k * nS + s]; }
  const ControlResult& control(int v, int s) const { return controls[v * control_seeds + s]; }
  std::vector<double> kl_seeds(std::size_t k) const;  // KL per spin of chain k, per seed
  double mean_of(std::size_t k, const std::function<double(const Run&)>& g) const;  // over seeds
  std::vector<double> control_values(int v, const std::function<double(const ControlResult&)>& g) const;
};
Trainings train_models(lab::Chapter& ch, const Config& cfg, int threads);

// The KL criterion's power: hand-written models of known KL on each seed's own test samples, kl_goal / 2
// (must pass) and 2 kl_goal (must fail): [k][which][s].
struct Tempered {
  std::vector<double> target_kl;
  std::vector<std::vector<std::vector<TemperedModel>>> models;
  std::vector<double> estimates(std::size_t k, std::size_t which) const;
};
Tempered tempered_models(const Config& cfg, const Trainings& t);

// The tables (summary, kl_summary, doubling, tempered_controls, learning_steps, learning_n, ablation,
// control, and models.json for chapter 2) and the intervals the claims and the text reuse.
struct Summaries {
  std::vector<claims::SeedInterval> kl_interval;  // [k], Bonferroni over the temperatures
  std::vector<std::pair<std::string, claims::SeedInterval>> ablation_rows;
  lab::Table learning_n;
};
Summaries write_tables(lab::Chapter& ch, const Config& cfg, const Trainings& t, const Tempered& tempered, int threads);

// The claims, graded and written (claims.json, gated); kl_conditions: 1.1's per temperature, then 1.3's.
struct GradedClaims {
  nlohmann::json json;
  std::vector<claims::Condition> kl_conditions;
};
GradedClaims chapter_claims(lab::Chapter& ch, const Config& cfg, const Trainings& t, const Tempered& tempered,
                            const Summaries& s);

// The values the text quotes ({{key}} in text.md) and the figure scripts' variables (plot_vars.gp).
void text_values(lab::Chapter& ch, const Config& cfg, const Trainings& t, const Tempered& tempered, const Summaries& s,
                 const GradedClaims& graded);
void plot_variables(lab::Chapter& ch, const Config& cfg, const Trainings& t);

}  // namespace spinformer
