#pragma once
// Chapter 3: the configuration, the jobs (one disorder draw (J, x) at one beta each) with their
// results as JSON, the per-draw tables they fill, and the claims (claims.cpp). The program that runs
// the chapter is mcmc_vs_tap.cpp; the jobs are in mcmc_vs_tap_measurements.cpp.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "glass/vector_spin.hpp"

namespace spinformer {

struct Config {
  int N = 64, D = 32;                 // the thesis's defaults
  double h = 1.0;
  int draws = 10;                     // disorder draws (J, x): model seeds 1..draws (seed 1: the thesis-like draw)
  int fine_per_decade = 2;            // kinetic model, nMF, TAP: beta = 1e-3 .. 1e3
  long kinetic_runs = 500;            // exact forward trajectories per (draw, beta)
  int kinetic_steps = 30;             // the thesis's nMF step count; m_NESS := m_30
  int tap_steps = 100;                // the thesis's TAP: 100 steps, trajectory mean
  // TAP's inner equation by Newton's method, row by row (glass::InnerSolver::newton; thesis: Anderson
  // to 1e-3, 100 iterations): the residual it must reach and the Newton iterations it may take per row.
  double newton_tolerance = 1e-11;
  int newton_max = 100;
  double solved_residual = 1e-8;      // claim 3.3c: the inner equation counts as solved below this residual
  long control_runs = 100;            // J = 0 kinetic control: exact trajectories per (draw, beta) (its m is exact)
  // The kinetic model at other sizes (same jobs as at N), on a coarse beta grid.
  std::vector<int> other_sizes{32, 128};
  std::vector<double> size_betas{0.01, 0.1, 1.0, 10.0, 100.0};
  // The epsilon test: J -> eps J at eps_beta; errors of m_T (T = eps_steps) against the exact model,
  // whose estimate uses the control variate (glass::KineticOptions) so that its noise is O(eps^2).
  std::vector<double> eps_values{0.0625, 0.125, 0.25, 0.5};
  double eps_beta = 1.0;
  long eps_runs = 6000;
  int eps_steps = 5;
  // Claim 3.8: the eps^2 coefficient of each method's error at several D, against the consistent
  // second-order theory (exact through eps^2, no sampling noise), by Richardson extrapolation from
  // eps = order_eps and order_eps / 2 (cancels the eps^3 term).
  std::vector<int> order_D{8, 16, 32, 64, 128};
  double order_eps = 0.1;
  int mcmc_per_decade = 1;            // the thesis's sampler and the adapted one: beta = 1e-3 .. 1e3
  std::int64_t proposals = 1'000'000, thin = 640;
  std::vector<double> control_betas{0.001, 0.01, 0.1};  // J = 0 control (exact A = 1)
  // Binary kinetic Ising, Aguilera et al.'s asymmetric SK ensemble (seed 003's reference [1]).
  // N = 256 (the benchmark: 512, 128 steps), 6 draws on three ratios spanning [0.7, 1.3]: one pooled
  // test per error type across the ratios (claim 3.7), instead of 21 conditions on 5 draws.
  int ising_N = 256, ising_steps = 32, ising_draws = 6;
  long ising_runs = 10000;
  std::vector<double> ising_ratios{0.7, 1.0, 1.3};  // beta / beta_c
  std::uint64_t model_seed = 1, chain_seed = 20261125, kinetic_seed = 20261129, ising_seed = 20261130;
  // lab::Chapter's base seed (the sidecars'); no job uses it: every job keeps the seed of its step's
  // stream above, as when the committed data were made (mcmc_vs_tap.cpp).
  std::uint64_t seed = 20261129;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, N, D, h, draws, fine_per_decade, kinetic_runs, kinetic_steps, tap_steps,
                                   newton_tolerance, newton_max, solved_residual, control_runs, other_sizes, size_betas,
                                   eps_values, eps_beta, eps_runs, eps_steps, order_D, order_eps, mcmc_per_decade, proposals, thin, control_betas, ising_N,
                                   ising_steps, ising_draws, ising_runs, ising_ratios, model_seed, chain_seed, kinetic_seed,
                                   ising_seed, seed)

std::vector<double> log_grid(int per_decade);  // 1e-3 .. 1e3, both ends included
std::string bkey(double beta);

// ---- jobs: each returns a flat JSON object of named numbers (and the chains' means) ----------------
nlohmann::json model_json(const Config& cfg, std::uint64_t model_seed, int N = 0);  // N = 0: cfg.N
glass::VectorSpinModel model_from(const nlohmann::json& parameters);  // parameters["model"]

// The vector kinetic model exactly (forward vMF simulation), nMF and TAP against it (compare_mean_field),
// the thesis's TAP (Anderson 1e-3, 100 inner, 100 steps) and the same TAP with a tight damped inner
// solve, and the thesis's TAP with symmetric couplings.
nlohmann::json kinetic_job(const Config& cfg, const nlohmann::json& parameters, std::uint64_t seed);
// J -> eps J: the exact model's m_T (control-variate estimator) against nMF, TAP (both readouts) and the
// consistent second-order theory; raw mean squared errors per component and the estimate's noise.
nlohmann::json epsilon_job(const Config& cfg, const nlohmann::json& parameters, std::uint64_t seed);
// The eps^2 coefficients at one D (parameters "D"): nMF, consistent TAP, TAP with half the Onsager term
// (negative control) and a hand-made method whose coefficient is (1/D) nMF's (positive control), each
// as the rms over components of (8 E(eps/2) - E(eps)) / eps^2, E = method - second-order theory.
nlohmann::json order_job(const Config& cfg, const nlohmann::json& parameters, std::uint64_t seed);
// One Metropolis chain on the loss-based energy (thesis's or adapted width; J or J = 0).
nlohmann::json chain_job(const nlohmann::json& parameters, std::uint64_t seed);
// Binary kinetic Ising: every mean-field method against forward simulation (kinetic::compare_methods).
nlohmann::json ising_job(const Config& cfg, const nlohmann::json& parameters, std::uint64_t seed);

// A(.) of the mean of several chains with |m_i|^2 estimated by products of different chains' means
// (unbiased for independent chains), so that noise in a short chain's mean does not shrink A to 0.
double corrected_alignment(const std::vector<glass::State>& means, const glass::State& x);
double gelman_rubin_of(const std::vector<std::vector<double>>& series);
glass::State state_from(const nlohmann::json& rows);

// ---- per-draw tables ------------------------------------------------------------------------------
// values[name][b][d]: quantity `name` at grid point b for disorder draw d.
struct Grid {
  std::vector<double> x;
  std::map<std::string, std::vector<std::vector<double>>> values;
  void put(const std::string& name, std::size_t b, double v) {
    auto& q = values[name];
    if (q.size() < x.size()) q.resize(x.size());
    q[b].push_back(v);
  }
  const std::vector<double>& at(const std::string& name, std::size_t b) const { return values.at(name).at(b); }
  double mean(const std::string& name, std::size_t b) const;
  double half_width(const std::string& name, std::size_t b) const;  // 95% t-interval across draws
};

struct Measurements {
  Grid fine, mcmc, control, ising;
  Grid fine0;                 // the kinetic jobs at J = 0 (a paramagnet in a field: every method exact, A = 1)
  Grid orders;                // x = cfg.order_D: eps^2 coefficients per draw
  std::map<std::string, std::vector<double>> order_slope;  // per draw: slope of log(ratio to nMF) against log D
  std::map<std::string, std::vector<double>> ising_pooled;  // per draw: mean over ratios of the relative gaps
  std::vector<double> bump_tap0;  // per draw, TAP's bump at J = 0
  std::map<int, Grid> sizes;  // N -> the kinetic jobs' quantities on cfg.size_betas (N = cfg.N from `fine`)
  Grid eps;                   // x = cfg.eps_values: rms errors of m_T and the noise, per draw
  // Per draw: least-squares slope of log(rms error) against log(eps), and the errors at eps = 0.
  std::map<std::string, std::vector<double>> eps_slope, eps_zero;
  std::vector<double> bump_tap, bump_tap_thesis, bump_sym, bump_nmf;  // per draw, over 0.1 <= beta <= 30
  int draws = 0, ising_draws = 0;
};

// The chapter's claims (rule schema) and the words quoted in the text about them.
nlohmann::json chapter_claims(const Config& cfg, const Measurements& m);
// The values and tables text.md quotes (report.cpp).
nlohmann::json chapter_text_values(const Config& cfg, const Measurements& m);

}  // namespace spinformer
