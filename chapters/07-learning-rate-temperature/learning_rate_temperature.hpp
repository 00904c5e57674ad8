#pragma once
// Chapter 7: is the learning rate a temperature? The configuration, the jobs (exact small cases and
// transformer trainings, each returning JSON), the measurements they fill, the claims (claims.cpp)
// and the values quoted in text.md (report.cpp). The program is learning_rate_temperature.cpp, its
// steps learning_rate_temperature_steps.cpp; the jobs are in learning_rate_temperature_measurements.cpp.
#include <cstdint>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gpt/gpt.hpp"

// The model's JSON is gpt's own (the form the transformer jobs have always carried), so the Config can
// hold a gpt::ModelConfig and still be declared with NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE.
template <>
struct nlohmann::adl_serializer<spinformer::gpt::ModelConfig> {
  static void to_json(nlohmann::json& j, const spinformer::gpt::ModelConfig& m) { j = spinformer::gpt::to_json(m); }
  static void from_json(const nlohmann::json& j, spinformer::gpt::ModelConfig& m) {
    m = spinformer::gpt::model_config_from_json(j);
  }
};

namespace spinformer {

// Chapter 1's model, smaller: L 16, d_model 16, 2 heads, 1 layer, d_ff 64 (on an open chain at T = 2).
inline gpt::ModelConfig chapter_model() {
  gpt::ModelConfig m;
  m.L = 16;
  m.d_model = 16;
  m.n_heads = 2;
  m.n_layers = 1;
  m.d_ff = 64;
  return m;
}

struct Config {
  // ---- exact small cases (src/sgd) ----
  std::vector<double> quad_eta_h{0.1, 0.4, 0.8, 1.2, 1.6};  // simulated points of the 1D quadratic (h = 1)
  long quad_N = 100, quad_B = 10;                            // with and without replacement
  long quad_steps = 400'000;                                 // recorded steps per simulated point
  double well_T = 0.075;                                     // double well at fixed T = eta sigma2 / (2B)
  std::vector<double> well_eta{0.05, 0.1, 0.15, 0.2, 0.25};
  long well_steps = 20'000'000;                             // at eta = 0.1; scaled by 0.1 / eta
  std::vector<double> chain_K{0.5, 2.0};                     // one-parameter chain model, T = 2 and 0.5
  std::vector<double> chain_eta{0.005, 0.02, 0.05};         // at B = 1 and B = 16
  std::vector<long> chain_B{1, 16};
  long chain_steps = 1'000'000;
  int chain_seeds = 3;
  // ---- the transformer: chapter 1's model, smaller, on an open chain of L = 16 at T = 2 ----
  gpt::ModelConfig model = chapter_model();
  double T = 2.0, T_cold = 0.5;
  std::vector<double> eta_small_batch{0.003, 0.01, 0.03, 0.1, 0.3};  // B = small_batch
  std::vector<double> eta_large_batch{0.012, 0.04, 0.12, 0.4};       // B = large_batch: 4 x eta, same eta / B
  int small_batch = 16, large_batch = 64;
  std::vector<double> eta_cold{0.01, 0.1};   // T_cold, B = small_batch: equipartition
  double eta_peak = 0.3, final_ratio = 0.01; // warmup-decay: eta_peak -> eta_peak * final_ratio, geometric
  long warmup_steps = 1000;
  long decay_steps = 25'000;                 // the whole schedule run
  double eta_ring = 0.03;                    // the periodic ring (chapter 1's boundary): the closing bond
  long ring_steps = 15'000;                  // the ring is described, not graded
  // B = small_batch and T_cold runs. The referee found 15,000 steps short of stationarity (issue 31): twice
  // that. B = large_batch runs take steps * small_batch / large_batch, the same continuous time eta x steps
  // as their equal-eta/B partner.
  long steps = 30'000;
  long eval_points = 150;                    // KL evaluations per run: eval_every = steps / eval_points
  std::size_t n_eval = 2048;                 // exact evaluation configurations (the same for every run)
  // exact configurations whose per-sample gradients give tr C, the gradient-noise covariance, at a run's end
  std::size_t n_fisher = 512;
  double plateau_fraction = 0.5;             // the plateau: the last half of a constant-eta run
  // ---- controls (issue 31): cases where the claims' laws hold, or fail, by construction ----
  double control_h = 1.0;                    // the reference sheet's quadratic (h = sigma2 = 1)
  double control_step_noise = 1e-4;          // per-step noise of fixed variance: T ∝ 1 / eta (the value cancels)
  double well_tilt = -0.075;                 // the wide well shallower by 2 |tilt| = 2 well_T: energy beats entropy
  double well_control_eta = 0.1;             // the tilted well's simulation
  int seeds = 5;
  std::uint64_t seed = 20261207;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, quad_eta_h, quad_N, quad_B, quad_steps, well_T, well_eta, well_steps, chain_K,
                                   chain_eta, chain_B, chain_steps, chain_seeds, model, T, T_cold, eta_small_batch,
                                   eta_large_batch, small_batch, large_batch, eta_cold, eta_peak, final_ratio,
                                   warmup_steps, decay_steps, eta_ring, ring_steps, steps, eval_points, n_eval, n_fisher,
                                   plateau_fraction, control_h, control_step_noise, well_tilt, well_control_eta, seeds,
                                   seed)

std::string ekey(double eta);  // "0.03"

// ---- jobs: flat JSON objects of named numbers (curves as arrays) ----
nlohmann::json quadratic_job(const nlohmann::json& parameters, std::uint64_t seed);
nlohmann::json well_job(const nlohmann::json& parameters, std::uint64_t seed);
nlohmann::json chain_job(const nlohmann::json& parameters, std::uint64_t seed);
// One training (gpt::train_sgd): {"step", "eta", "kl", "kl_last"} arrays, "parameter_count", "wall_s", and
// "gradient_trace": tr C, the trace of the per-sample gradient covariance of the loss per spin at the
// trained model, over n_fisher exact configurations (the fluctuation-dissipation law of a quadratic
// valley, A Sigma + Sigma A = eta C / B, gives an excess eta tr C / (4 B) whatever A and C are).
// The Config comes with the parameters ("config", as lab::Chapter::job puts it).
nlohmann::json transformer_job(const nlohmann::json& parameters, std::uint64_t seed);

// The KL per configuration of the last conditional for the best model that ignores s_1 there: the
// conditional mutual information I(s_L; s_1 | s_2, ..., s_{L-1}) of the periodic ring (by enumeration).
double closing_bond_information(int L, double T);

// A training run's curve and its plateau.
struct Curve {
  std::vector<double> step, eta, kl, kl_last;
};
Curve curve_from(const nlohmann::json& result);
// Mean of kl over the last `fraction` of the points, with an autocorrelation-aware error.
struct Plateau {
  double value = 0, error = 0, tau = 1;
};
Plateau plateau(const std::vector<double>& series, double fraction);

// One transformer setting: runs over seeds.
struct Setting {
  std::string name;  // "sgd", "cold", "freeze", "ring", "adamw", "decay"
  double T = 2, eta = 0;
  int batch = 16;
  std::vector<Curve> runs;            // one per seed
  std::vector<double> plateaus;       // per seed (constant-eta settings)
  std::vector<double> plateaus_last;  // per seed, the last conditional alone
  std::vector<double> third, fourth;  // per seed, the mean KL over the third and the last quarter of the run
  std::vector<double> gradient_trace; // per seed, tr C at the end of the run
};

struct ExactCases {
  nlohmann::json quadratic = nlohmann::json::array();  // per point, with and without replacement
  nlohmann::json well = nlohmann::json::array();       // per eta, constant and curvature noise
  nlohmann::json chain = nlohmann::json::array();      // per (K, B, eta, seed)
  nlohmann::json well_small_eta;                       // constant noise, the fine grid's smallest eta (exact chain)
  nlohmann::json well_tilted;                          // the tilted well (wide minimum shallower), simulated
  nlohmann::json chain_at_transformer = nlohmann::json::array();  // exact law at (K, small_batch, eta_cold)
};

// The controls' numbers (exact laws of the quadratic; computed here, judged in claims.cpp).
struct Controls {
  // per B (small, large) and eta of the transformer grid: the excess loss of the reference quadratic with
  // minibatch noise (the law holds) and with per-step noise of fixed variance (T ∝ 1 / eta)
  std::map<int, std::vector<std::pair<double, double>>> minibatch, step_noise;
  // the warmup-decay schedule on the reference quadratic: the exact excess at each evaluation step
  std::vector<double> decay_step, decay_eta, decay_excess;
  // equipartition: per eta of eta_cold, the excess at the two curvatures per spin of the one-parameter
  // model (K = J/T and J/T_cold) with constant gradient noise: {eta, hot, cold}
  std::vector<std::array<double, 3>> isotropic;
  double h_hot = 0, h_cold = 0;
};

struct Measurements {
  ExactCases exact;
  std::vector<Setting> settings;
  double closing_bond_information = 0;  // nats per configuration, the ring at T
  double untrained_kl = 0;  // step 0, mean over the seeds of the main grid (the untrained null)
  long parameter_count = 0;
  Controls controls;
  const Setting* find(const std::string& name, double eta, int batch, double T) const;
};

// ---- analysis shared by the claims and the text (claims.cpp) ----
// Per seed: least-squares slope of log(plateau) against log(eta) over the constant-eta SGD runs at (T, batch).
std::vector<double> seed_slopes(const Measurements& m, int batch, double T);
// The constant-eta plateau of seed k at eta, interpolated linearly in (log eta, log plateau) over the
// SGD grid at (T, batch); NaN outside the grid.
double interpolated_plateau(const Measurements& m, std::size_t seed, double eta, int batch, double T);
// The warmup-decay run cut into windows of equal length after the warmup: the window's geometric-mean
// eta, and per seed the mean KL in the window and the interpolated constant-eta plateau at that eta.
struct DecayWindow {
  double eta = 0;
  std::vector<double> kl, plateau;
};
std::vector<DecayWindow> decay_windows(const Config& cfg, const Measurements& m, int windows = 6);
// The step range (lo, hi] of decay window w.
std::pair<double, double> decay_window(const Config& cfg, int w, int windows = 6);
// The constant-eta run at the peak eta, cut into the decay's windows (the negative control of 7.2): the
// window's eta is the decay schedule's, the KL that of the constant run.
std::vector<DecayWindow> constant_peak_windows(const Config& cfg, const Measurements& m, int windows = 6);
// Mean of series[first, last) for quarter q (0..3) of the points of a run.
double quarter_mean(const std::vector<double>& series, int q);
// The per-step exact excess of the reference quadratic and the controls; needs the settings' grid.
Controls compute_controls(const Config& cfg);
double curvature_per_spin(const Config& cfg, double T);  // H(K = 1/T) / L of the one-parameter model (open chain)

nlohmann::json chapter_claims(const Config& cfg, const Measurements& m);
nlohmann::json chapter_text_values(const Config& cfg, const Measurements& m);

}  // namespace spinformer
