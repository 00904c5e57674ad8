#pragma once
// Chapter 6: the 2D Ising model, where there is a phase transition to learn. The configuration, the
// jobs (each returns flat JSON), the steps that run them (ising_2d_steps.cpp) and the claims and text
// values (claims.cpp). The program is ising_2d.cpp; the jobs are in ising_2d_measurements.cpp.
//  1. The samplers (src/ising2d) against Kaufman's exact finite-torus energy and specific heat at
//     several L across T_c, and their integrated autocorrelation times at T_c against L (z).
//  2. Chapter 1's transformer (learned positions, raster order) trained on Wolff samples of the
//     L x L torus over a temperature grid bracketing T_c, measured against the exact log Z; and the same
//     model with a 2D torus attention bias beside its learned positions (claims_torus.cpp).
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gpt/gpt.hpp"
#include "gpt/train.hpp"

// Config goes whole into results.json and every job's parameters (lab::Chapter); gpt spells its
// configs' JSON as to_json/..._from_json (the form the jobs have always carried), which these adapt for
// nlohmann's conversions.
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

namespace lab {
class Chapter;
class Claims;
}

// The paper's networks and schedules (ising_2d_measurements.cpp says why each): the Config's defaults.
gpt::ModelConfig raster_model(int L);                          // L^2 tokens in raster order
gpt::ModelConfig torus_variant(const gpt::ModelConfig& model);  // the same + a learned 2D torus bias
gpt::TrainConfig sample_training();                             // on Wolff samples, L = 8
gpt::TrainConfig variational_training(const gpt::TrainConfig& train);  // by reverse KL: fewer steps
gpt::TrainConfig large_training(const gpt::TrainConfig& train);        // L = 16: fewer, smaller batches

// Declared once (NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE below): the defaults are the paper profile, the quick
// profile a patch of them (profiles()). The networks and schedules are defaults computed from the fields
// above them, so a profile that changes L or large_L, or train, patches the models and schedules with it.
struct Config {
  // ---- 1. samplers against the exact torus ----
  std::vector<int> validation_sizes{4, 8, 16};
  std::vector<double> validation_T{2.0, 2.269185314213022, 2.6};
  long metropolis_sweeps = 40'000;  // per chain (64 chains, one word), after equilibration
  long wolff_sweeps = 10'000;       // per chain
  int wolff_chains = 32;
  std::vector<int> tau_sizes{8, 16, 32, 64};  // at T_c
  int fit_from = 16;                          // z from the sizes >= fit_from
  long tau_metropolis_sweeps = 5000;          // at L = 8, scaled by (L / 8)^2
  long tau_wolff_sweeps = 2000;
  // ---- 2. the transformer ----
  int L = 8;                                  // lattice side: L^2 tokens in raster order
  std::vector<double> temperatures{1.8, 2.1, 2.269185314213022, 2.5, 3.0};
  int seeds = 3;
  gpt::ModelConfig model = raster_model(L);
  gpt::TrainConfig train = sample_training();
  std::size_t n_train = 50'000, n_val = 5'000;  // Wolff samples (sweeps_between train_spacing)
  long train_spacing = 2;                     // Wolff sweeps between training samples
  std::size_t n_test = 20'000;                // fresh Wolff samples for KL(p || q) (test_spacing apart)
  long test_spacing = 10;
  std::size_t n_model_samples = 10'000;       // drawn from each model: KL(q || p), ESS, C, |M|
  std::size_t n_attention = 512;              // test configurations averaged in the attention maps
  // the same network trained by reverse KL from the Hamiltonian alone (gpt/variational.hpp)
  std::vector<double> variational_T{1.8, 2.269185314213022};
  gpt::TrainConfig variational = variational_training(train);  // the sample-trained schedule, fewer steps
  // causal tests (L <= 10): interventions on this many test configurations per model, against the exact
  // raster-order conditionals (ising2d/conditionals.hpp)
  std::size_t n_causal = 300;
  // ---- 2c. L = 16 (the 256-token sequence) over the same grid: about 11 min of 2 cores per temperature ----
  int large_L = 16;
  std::vector<double> large_temperatures{1.8, 2.1, 2.269185314213022, 2.5, 3.0};
  int large_seeds = 3;
  gpt::ModelConfig large_model = raster_model(large_L);  // the L = 8 model at 256 positions
  gpt::TrainConfig large_train = large_training(train);
  std::size_t large_n_train = 20'000, large_n_val = 2'000, large_n_test = 4'000, large_n_model_samples = 4'000;
  std::size_t large_n_attention = 256;
  // ---- 2d. the L = 8 model with a 2D torus attention bias, trained and measured like `model` ----
  gpt::ModelConfig torus_model = torus_variant(model);  // `model` + BiasKind::torus
  // ---- claims (declared before the runs) ----
  double energy_band = 0.01;        // |u_sampler - u_exact| per spin
  double heat_band = 0.05;          // |C_sampler / C_exact - 1|
  double z_local_low = 1.9, z_local_high = 2.4;  // local Metropolis, |m| (accepted 2.17)
  double z_wolff_high = 0.6;        // Wolff, energy, in sweeps (literature ~0.25-0.3)
  double kl_goal = 0.01;            // nats per spin, KL(p || q)
  double model_heat_band = 0.1;     // |C_model / C_exact - 1|
  double T_below = 2.1, T_above = 2.5;  // the attention claim's pair bracketing T_c
  double collapse_threshold = 0.25;     // |P(M > 0) - 1/2| of reverse-KL models below T_c
  double causal_goal = 0.2;             // mean |Delta_q - Delta_p| / mean |Delta_p|, left and up neighbours
  double attention_c_goal = 0.5;        // Pearson r of ln(A / A_uniform) with ln C over displacement classes
  std::uint64_t seed = 20261206;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, validation_sizes, validation_T, metropolis_sweeps, wolff_sweeps, wolff_chains,
                                   tau_sizes, fit_from, tau_metropolis_sweeps, tau_wolff_sweeps, L, temperatures, seeds,
                                   model, train, n_train, n_val, train_spacing, n_test, test_spacing, n_model_samples,
                                   n_attention, variational_T, variational, n_causal, large_L, large_temperatures,
                                   large_seeds, large_model, large_train, large_n_train, large_n_val, large_n_test,
                                   large_n_model_samples, large_n_attention, torus_model, energy_band, heat_band,
                                   z_local_low, z_local_high, z_wolff_high, kl_goal, model_heat_band, T_below, T_above,
                                   collapse_threshold, causal_goal, attention_c_goal, seed)

// The profiles as patches of the Config's defaults: quick runs in minutes on two cores.
std::map<std::string, nlohmann::json> profiles();
std::string tkey(double T);  // "2.269" style label

// ---- jobs ----
// {"sampler": "metropolis" | "wolff", "L", "T", "sweeps", "equilibration", "chains", "record_every"}:
// energy, specific heat, tau_E, tau_|m| with errors, and Kaufman's exact energy and specific heat.
nlohmann::json sampler_job(const nlohmann::json& parameters, std::uint64_t seed);
// One training at (L, T): KL both ways, ESS, energy, specific heat, |M| histograms, attention A(r).
nlohmann::json transformer_job(const nlohmann::json& parameters, std::uint64_t seed);
// The same network trained by reverse KL (gpt::train_variational), measured the same way.
nlohmann::json variational_job(const nlohmann::json& parameters, std::uint64_t seed);

struct SamplerPoint {
  std::string sampler;
  int L = 0;
  double T = 0;
  nlohmann::json value;
};

struct Measurements {
  std::vector<SamplerPoint> validation, tau;
  // per temperature, per seed: the transformer job's JSON
  std::vector<std::vector<nlohmann::json>> runs;
  std::vector<std::vector<nlohmann::json>> variational;  // per variational_T, per seed
  std::vector<std::vector<nlohmann::json>> large;        // L = large_L: per large_temperatures, per seed
  std::vector<std::vector<nlohmann::json>> torus;        // torus_model at L: per temperature, per seed
  double torus_step_seconds = 0;
  std::size_t large_tc = 0;                              // the index of T_c in large_temperatures
  double large_step_seconds = 0;
  long parameter_count = 0;
  double step_seconds = 0;  // mean wall time per training step
};

// Least-squares z over cfg.fit_from..: {value, error} of ln tau on ln L for one sampler and observable.
struct ZFit {
  double value = 0, error = 0;
};
// Mean and sample standard deviation (over seeds); NaN where undefined.
double mean_of(const std::vector<double>& v);
double sd_of(const std::vector<double>& v);

ZFit dynamic_exponent(const Config& cfg, const Measurements& m, const std::string& sampler, const std::string& key);

// ---- steps (ising_2d_steps.cpp): each runs its jobs through ch, fills the Measurements, writes its tables ----
void exact_curves(lab::Chapter& ch, const Config& cfg);                    // exact.tsv: Kaufman on a fine grid
void samplers(lab::Chapter& ch, const Config& cfg, Measurements& ms);      // validation.tsv, tau.tsv
void transformers(lab::Chapter& ch, const Config& cfg, Measurements& ms);  // L, torus bias, large_L trainings
void variational(lab::Chapter& ch, const Config& cfg, Measurements& ms);   // reverse KL from the Hamiltonian
void diagnostics(lab::Chapter& ch, const Config& cfg, const Measurements& ms);  // causal, excess, attention-C, L = 16
// plot_vars.gp written here rather than by ch.plot_var, whose {:g} would round Tc and the z's it has
// always carried in full (the figures' committed inputs stay byte for byte what they were).
void write_plot_vars(lab::Chapter& ch, const Config& cfg, const Measurements& ms);

nlohmann::json chapter_claims(const Config& cfg, const Measurements& m);
nlohmann::json chapter_text_values(const Config& cfg, const Measurements& m);

// The torus-bias model's claims (6.15-6.17, declared before its runs) and text values: claims_torus.cpp,
// called from chapter_claims and chapter_text_values.
void add_torus_claims(lab::Claims& claims, const Config& cfg, const Measurements& m);
void add_torus_text_values(nlohmann::json& values, const Config& cfg, const Measurements& m);

}  // namespace spinformer
