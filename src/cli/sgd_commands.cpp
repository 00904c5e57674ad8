// spinformer sgd quadratic|chain|double-well: exact stationary states of SGD (is the learning rate a
// temperature?), each with an optional simulation to hold them against.
#include <cmath>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "ising/chain.hpp"
#include "lab/parse.hpp"
#include "lab/usage_error.hpp"
#include "sgd/chain_model.hpp"
#include "sgd/chain_training_set.hpp"
#include "sgd/double_well.hpp"
#include "sgd/quadratic.hpp"

namespace spinformer::cli {
namespace {

// Scales of the losses' parameters: beyond them the stationary moments over- or underflow.
constexpr double kMinScale = 1e-12, kMaxScale = 1e12;
constexpr std::int64_t kMaxBatch = 1'000'000'000;

struct SimulateFlags {
  long long steps = 0;  // 0: no simulation
  std::uint64_t seed = 1;

  void add_to(CLI::App& cmd) {
    add_integer(cmd, "--simulate", steps, 10, 1'000'000'000'000, "also simulate SGD for STEPS recorded steps")
        ->default_str("");
    add_seed(cmd, "--seed", seed, "random seed of the simulation");
  }
  // cost_per_step: elementary operations of one step (a batch of B draws, each of size `cost`)
  bool requested(const CLI::App& cmd, double cost_per_step = 1.0) const {
    if (cmd.count("--simulate") == 0) return false;
    if (steps < 10) throw lab::UsageError("--simulate", fmt::format("needs >= 10 steps, got {}", steps));
    lab::require_work("--simulate", double(steps) * cost_per_step, "the simulation");
    lab::require_memory("--simulate", 8.0 * 2 * double(steps), "the recorded steps");
    return true;
  }
};

// An extreme (finite) parameter is refused rather than reported as NaN.
void require_finite_output(const nlohmann::json& out, const std::string& parameter) {
  for (const auto& [key, value] : out.items())
    if (value.is_number() && !std::isfinite(value.get<double>()))
      throw lab::UsageError(parameter, fmt::format("{} is not finite at these parameters", key));
}

void print(const nlohmann::json& out, bool as_json, const std::string& title) {
  if (as_json) {
    std::cout << out.dump() << '\n';
    return;
  }
  fmt::print("{}\n", title);
  for (const auto& [key, value] : out.items()) fmt::print("  {:<22} {}\n", key, value.dump());
}

struct QuadraticFlags {
  sgd::Quadratic1d q;
  bool without_replacement = false, json = false;
  SimulateFlags simulate;
};

void run_quadratic(QuadraticFlags& f, const CLI::App& cmd) {
  f.q.sampling = f.without_replacement ? sgd::Sampling::without_replacement : sgd::Sampling::with_replacement;
  sgd::validate(f.q);
  const bool simulate = f.simulate.requested(cmd, double(f.q.B));
  nlohmann::json out = {{"variance_exact", sgd::stationary_variance(f.q)},
                        {"variance_small_eta", sgd::stationary_variance_small_eta(f.q)},
                        {"excess_loss_exact", sgd::excess_loss(f.q)}};
  require_finite_output(out, "--sigma2");
  if (simulate) {
    const auto sim = sgd::simulate_stationary_variance(f.q, f.simulate.steps, f.simulate.seed);
    out["variance"] = sim.value;
    out["variance_error"] = sim.error;
    out["tau_int"] = sim.tau_int;
  }
  print(out, f.json,
        fmt::format("SGD on h/2 (theta - x)^2: eta = {}, h = {}, sigma2 = {}, B = {} of N = {} {}", f.q.eta, f.q.h,
                    f.q.sigma2, f.q.B, f.q.N, sgd::to_string(f.q.sampling)));
}

struct ChainFlags {
  sgd::ChainSgd c;
  std::string boundary = "periodic";
  int grid = 1200;
  long N = 0;  // 0: fresh configurations at every step
  bool without_replacement = false, json = false;
  SimulateFlags simulate;
};

// A finite training set of N configurations drawn with --seed (stream 0); SGD draws its batches from it.
void run_chain_training_set(ChainFlags& f, const CLI::App& cmd) {
  sgd::ChainTrainingSet t;
  t.sgd = f.c;
  t.N = f.N;
  t.sampling = f.without_replacement ? sgd::Sampling::without_replacement : sgd::Sampling::with_replacement;
  sgd::validate(t);
  const bool simulate = f.simulate.requested(cmd, double(f.c.B) * f.c.model.L);
  lab::require_memory("--N", 8.0 * double(t.N), "the training set");
  const auto data = sgd::draw_training_set(t, f.simulate.seed);
  const auto p = sgd::predict(t, data);
  nlohmann::json out = {{"fitted_K", p.fitted_K},
                        {"hessian", p.hessian},
                        {"data_variance", p.data_variance},
                        {"variance_linear", p.variance},
                        {"mean_shift", p.mean_shift},
                        {"train_excess_linear", p.train_excess},
                        {"estimation_kl", p.estimation_kl},
                        {"excess_kl_linear", p.excess_kl}};
  require_finite_output(out, "--K");
  if (simulate) {
    const auto sim = sgd::simulate(t, data, f.simulate.steps, f.simulate.seed);
    out["variance"] = sim.variance.value;
    out["variance_error"] = sim.variance.error;
    out["mean_K"] = sim.mean_K;
    out["excess_kl"] = sim.excess_kl.value;
    out["excess_kl_error"] = sim.excess_kl.error;
  }
  print(out, f.json,
        fmt::format("SGD on K over a training set of N = {} ({}): L = {} ({}), K_true = {}, eta = {}, B = {}, seed {}",
                    t.N, sgd::to_string(t.sampling), f.c.model.L, f.boundary, f.c.K_true, f.c.eta, f.c.B,
                    f.simulate.seed));
}

void run_chain(ChainFlags& f, const CLI::App& cmd) {
  f.c.model.boundary = ising::parse_boundary(f.boundary);
  if (cmd.count("--N") > 0) return run_chain_training_set(f, cmd);
  if (f.without_replacement) throw lab::UsageError("--without-replacement", "needs a finite training set (--N)");
  const auto p = sgd::predict(f.c);
  const bool simulate = f.simulate.requested(cmd, double(f.c.B) * f.c.model.L);
  if (f.grid < 50 || f.grid > 4000) throw lab::UsageError("--grid", fmt::format("must be in 50..4000, got {}", f.grid));
  const auto law = sgd::stationary_distribution(f.c, f.grid);
  nlohmann::json out = {{"hessian", p.hessian},
                        {"variance_exact", law.variance},
                        {"variance_linear", p.variance},
                        {"variance_small_eta", p.variance_small_eta},
                        {"mean_K_exact", law.mean_K},
                        {"excess_kl_exact", law.excess_kl},
                        {"excess_kl_linear", p.excess_kl},
                        {"excess_kl_small_eta", p.excess_kl_small_eta},
                        {"excess_kl_per_spin", law.excess_kl / f.c.model.L}};
  require_finite_output(out, "--K");
  if (simulate) {
    const auto sim = sgd::simulate(f.c, f.simulate.steps, f.simulate.seed);
    out["variance"] = sim.variance.value;
    out["variance_error"] = sim.variance.error;
    out["mean_K"] = sim.mean_K;
    out["excess_kl"] = sim.excess_kl.value;
    out["excess_kl_error"] = sim.excess_kl.error;
  }
  print(out, f.json,
        fmt::format("SGD on the coupling K of p_K(s) ∝ exp(K sum s_i s_i+1): L = {} ({}), K_true = {}, "
                    "eta = {}, B = {}",
                    f.c.model.L, f.boundary, f.c.K_true, f.c.eta, f.c.B));
}

struct WellFlags {
  sgd::DoubleWellSgd s;
  std::string noise = "constant";
  double range = 2.5;
  int grid = 1000;
  bool json = false;
  SimulateFlags simulate;
};

void run_double_well(WellFlags& f, const CLI::App& cmd) {
  f.s.noise = sgd::parse_well_noise(f.noise);
  sgd::validate(f.s);
  lab::require_range("--range", f.range, 1.2, 10.0);
  if (f.grid < 100 || f.grid > 5000)
    throw lab::UsageError("--grid", fmt::format("must be in 100..5000, got {}", f.grid));
  const bool simulate = f.simulate.requested(cmd, double(f.s.B));
  const double b = f.s.well.barrier();
  // Without --range / --grid: a grid past the period-2 orbit, so that leaving it is diverging.
  const bool own_grid = cmd.count("--range") > 0 || cmd.count("--grid") > 0;
  const auto density = own_grid ? sgd::transfer_operator_density(f.s, -f.range, f.range, f.grid)
                                : sgd::transfer_operator_density(f.s);
  const auto chain = density.occupation(b);
  nlohmann::json out = {{"barrier_theta", b},
                        {"barrier_height", f.s.well.potential(b)},
                        {"temperature", f.s.temperature()},
                        {"gibbs_wide", sgd::gibbs_occupation(f.s.well, f.s.temperature()).wide},
                        {"small_eta_wide", sgd::small_eta_occupation(f.s).wide},
                        {"chain_wide", chain.wide},
                        {"chain_range", density.theta.back() + 0.5 * (density.theta[1] - density.theta[0])},
                        // chain_wide is SGD's own only over horizons much shorter than 1 / this rate
                        {"chain_escape_per_step", density.escape_per_step}};
  require_finite_output(out, "--eta");
  if (simulate) {
    const auto sim = sgd::simulate_occupation(f.s, f.simulate.steps, 10'000, f.simulate.seed);
    out["chain_confined_over_run"] = density.confined_over(double(f.simulate.steps + 10'000));
    if (sim.diverged()) {
      out["diverged_at"] = sim.diverged_at;  // no occupation: SGD left both wells for good
    } else {
      out["wide"] = sim.wide;
      out["wide_error"] = sim.error;
    }
    out["crossings"] = sim.crossings;
  }
  print(out, f.json,
        fmt::format("SGD in the double well (k_narrow = {}, k_wide = {}): eta = {}, sigma2 = {}, B = {}, {} noise",
                    f.s.well.k_narrow, f.s.well.k_wide, f.s.eta, f.s.sigma2, f.s.B, f.noise));
}

}  // namespace

void add_sgd_commands(CLI::App& app) {
  auto* sgd = app.add_subcommand("sgd", "exact stationary states of SGD: is the learning rate a temperature?");
  sgd->require_subcommand(1);

  auto qf = std::make_shared<QuadraticFlags>();
  auto* quadratic =
      sgd->add_subcommand("quadratic", "SGD on a 1D quadratic: exact stationary variance and excess loss");
  add_real(*quadratic, "--eta", qf->q.eta, kMinScale, kMaxScale, "learning rate (0 < eta h < 2)");
  add_real(*quadratic, "--h", qf->q.h, kMinScale, kMaxScale, "curvature h > 0");
  add_real(*quadratic, "--sigma2", qf->q.sigma2, 0, kMaxScale, "population variance of the data x_i");
  add_integer(*quadratic, "--batch", qf->q.B, 1, kMaxBatch, "minibatch size B");
  add_integer(*quadratic, "--N", qf->q.N, 2, kMaxBatch, "number of data points N");
  quadratic->add_flag("--without-replacement", qf->without_replacement, "B distinct points per batch");
  quadratic->add_flag("--json", qf->json, "print one JSON object");
  qf->simulate.add_to(*quadratic);
  quadratic->callback([qf, quadratic] { run_quadratic(*qf, *quadratic); });

  auto cf = std::make_shared<ChainFlags>();
  auto* chain = sgd->add_subcommand("chain", "SGD on the coupling K of the one-parameter chain model");
  add_integer(*chain, "--L", cf->c.model.L, 2, 1'000'000, "chain length");
  add_real(*chain, "--K", cf->c.K_true, -20, 20, "true coupling J / T of the data");
  chain->add_option("--boundary", cf->boundary, "periodic | open")->capture_default_str();
  add_real(*chain, "--eta", cf->c.eta, kMinScale, kMaxScale, "learning rate (0 < eta H < 2)");
  add_integer(*chain, "--batch", cf->c.B, 1, kMaxBatch, "configurations per step B");
  add_integer(*chain, "--N", cf->N, 2, 10'000'000, "train on a fixed set of N configurations (default: fresh ones every step)")
      ->default_str("");
  chain->add_flag("--without-replacement", cf->without_replacement, "with --N: B distinct configurations per batch");
  add_integer(*chain, "--grid", cf->grid, 50, 4000, "transfer-operator nodes for the exact stationary law");
  chain->add_flag("--json", cf->json, "print one JSON object");
  cf->simulate.add_to(*chain);
  chain->callback([cf, chain] { run_chain(*cf, *chain); });

  auto wf = std::make_shared<WellFlags>();
  auto* well =
      sgd->add_subcommand("double-well", "SGD in a double well with a narrow and a wide minimum of equal depth");
  add_real(*well, "--k-narrow", wf->s.well.k_narrow, 1e-6, 1e6, "curvature scale of the narrow well (theta = +1)");
  add_real(*well, "--k-wide", wf->s.well.k_wide, 1e-6, 1e6, "curvature scale of the wide well (theta = -1)");
  add_real(*well, "--switch-width", wf->s.well.switch_width, 1e-6, 1e3, "width of the switch between them");
  add_real(*well, "--eta", wf->s.eta, kMinScale, kMaxScale, "learning rate");
  add_real(*well, "--sigma2", wf->s.sigma2, kMinScale, kMaxScale, "gradient-noise variance per sample");
  add_integer(*well, "--batch", wf->s.B, 1, kMaxBatch, "minibatch size B");
  well->add_option("--noise", wf->noise, "constant | curvature (variance follows the curvature profile)")
      ->capture_default_str();
  add_real(*well, "--range", wf->range, 1.2, 10.0, "transfer-operator grid on [-range, range] (default: past the period-2 orbit, at most 8)");
  add_integer(*well, "--grid", wf->grid, 100, 5000, "transfer-operator cells (default: 0.005 wide)");
  well->add_flag("--json", wf->json, "print one JSON object");
  wf->simulate.add_to(*well);
  well->callback([wf, well] { run_double_well(*wf, *well); });
}

}  // namespace spinformer::cli
