// spinformer sgd quadratic|chain|double-well: exact stationary states of SGD (is the learning rate a
// temperature?), each with an optional simulation to hold them against.
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "ising/chain.hpp"
#include "lab/usage_error.hpp"
#include "sgd/chain_model.hpp"
#include "sgd/chain_training_set.hpp"
#include "sgd/double_well.hpp"
#include "sgd/quadratic.hpp"

namespace spinformer::cli {
namespace {

struct SimulateFlags {
  long long steps = 0;  // 0: no simulation
  std::uint64_t seed = 1;

  void add_to(CLI::App& cmd) {
    cmd.add_option("--simulate", steps, "also simulate SGD for STEPS recorded steps")->type_name("STEPS");
    cmd.add_option("--seed", seed, "random seed of the simulation")->capture_default_str();
  }
  bool requested(const CLI::App& cmd) const {
    if (cmd.count("--simulate") == 0) return false;
    if (steps < 10) throw lab::UsageError("--simulate", fmt::format("needs >= 10 steps, got {}", steps));
    return true;
  }
};

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
  const bool simulate = f.simulate.requested(cmd);
  nlohmann::json out = {{"variance_exact", sgd::stationary_variance(f.q)},
                        {"variance_small_eta", sgd::stationary_variance_small_eta(f.q)},
                        {"excess_loss_exact", sgd::excess_loss(f.q)}};
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
  const bool simulate = f.simulate.requested(cmd);
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
  const bool simulate = f.simulate.requested(cmd);
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
  const bool simulate = f.simulate.requested(cmd);
  const double b = f.s.well.barrier();
  const auto chain = sgd::transfer_operator_density(f.s, -f.range, f.range, f.grid).occupation(b);
  nlohmann::json out = {{"barrier_theta", b},
                        {"barrier_height", f.s.well.potential(b)},
                        {"temperature", f.s.temperature()},
                        {"gibbs_wide", sgd::gibbs_occupation(f.s.well, f.s.temperature()).wide},
                        {"small_eta_wide", sgd::small_eta_occupation(f.s).wide},
                        {"chain_wide", chain.wide}};
  if (simulate) {
    const auto sim = sgd::simulate_occupation(f.s, f.simulate.steps, 10'000, f.simulate.seed);
    out["wide"] = sim.wide;
    out["wide_error"] = sim.error;
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
  quadratic->add_option("--eta", qf->q.eta, "learning rate (0 < eta h < 2)")->capture_default_str();
  quadratic->add_option("--h", qf->q.h, "curvature h > 0")->capture_default_str();
  quadratic->add_option("--sigma2", qf->q.sigma2, "population variance of the data x_i (>= 0)")->capture_default_str();
  quadratic->add_option("--batch", qf->q.B, "minibatch size B >= 1")->capture_default_str();
  quadratic->add_option("--N", qf->q.N, "number of data points N >= 2")->capture_default_str();
  quadratic->add_flag("--without-replacement", qf->without_replacement, "B distinct points per batch");
  quadratic->add_flag("--json", qf->json, "print one JSON object");
  qf->simulate.add_to(*quadratic);
  quadratic->callback([qf, quadratic] { run_quadratic(*qf, *quadratic); });

  auto cf = std::make_shared<ChainFlags>();
  auto* chain = sgd->add_subcommand("chain", "SGD on the coupling K of the one-parameter chain model");
  chain->add_option("--L", cf->c.model.L, "chain length (>= 2)")->capture_default_str();
  chain->add_option("--K", cf->c.K_true, "true coupling J / T of the data")->capture_default_str();
  chain->add_option("--boundary", cf->boundary, "periodic | open")->capture_default_str();
  chain->add_option("--eta", cf->c.eta, "learning rate (0 < eta H < 2)")->capture_default_str();
  chain->add_option("--batch", cf->c.B, "configurations per step B >= 1")->capture_default_str();
  chain->add_option("--N", cf->N, "train on a fixed set of N configurations (default: fresh ones every step)");
  chain->add_flag("--without-replacement", cf->without_replacement, "with --N: B distinct configurations per batch");
  chain->add_option("--grid", cf->grid, "transfer-operator nodes for the exact stationary law")->capture_default_str();
  chain->add_flag("--json", cf->json, "print one JSON object");
  cf->simulate.add_to(*chain);
  chain->callback([cf, chain] { run_chain(*cf, *chain); });

  auto wf = std::make_shared<WellFlags>();
  auto* well =
      sgd->add_subcommand("double-well", "SGD in a double well with a narrow and a wide minimum of equal depth");
  well->add_option("--k-narrow", wf->s.well.k_narrow, "curvature scale of the narrow well (theta = +1)")
      ->capture_default_str();
  well->add_option("--k-wide", wf->s.well.k_wide, "curvature scale of the wide well (theta = -1)")
      ->capture_default_str();
  well->add_option("--switch-width", wf->s.well.switch_width, "width of the switch between them")
      ->capture_default_str();
  well->add_option("--eta", wf->s.eta, "learning rate")->capture_default_str();
  well->add_option("--sigma2", wf->s.sigma2, "gradient-noise variance per sample")->capture_default_str();
  well->add_option("--batch", wf->s.B, "minibatch size B >= 1")->capture_default_str();
  well->add_option("--noise", wf->noise, "constant | curvature (variance follows the curvature profile)")
      ->capture_default_str();
  well->add_option("--range", wf->range, "transfer-operator grid on [-range, range]")->capture_default_str();
  well->add_option("--grid", wf->grid, "transfer-operator cells")->capture_default_str();
  well->add_flag("--json", wf->json, "print one JSON object");
  wf->simulate.add_to(*well);
  well->callback([wf, well] { run_double_well(*wf, *well); });
}

}  // namespace spinformer::cli
