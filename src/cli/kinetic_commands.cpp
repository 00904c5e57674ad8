// spinformer kinetic simulate|enumerate|nmf|tap|gaussian|pairwise|compare: the binary kinetic Ising
// model (parallel Glauber updates from s_0 = all +1) and its mean-field theories; and
// spinformer glass kinetic: the vector kinetic model simulated exactly (registered on `glass`).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "glass/kinetic.hpp"
#include "kinetic/comparison.hpp"
#include "kinetic/enumeration.hpp"
#include "lab/atomic_file.hpp"
#include "lab/parse.hpp"
#include "lab/progress.hpp"
#include "lab/run_metadata.hpp"
#include "lab/statistics.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {
namespace {

using kinetic::KineticIsing;

// beta multiplies couplings of size O(1); beyond 1e6 every update is deterministic and the bound only
// keeps beta * field finite. |h| as in glass nmf/tap: beyond 1e3 the magnetisations saturate.
constexpr double kMaxBeta = 1e6, kMaxField = 1e3;
constexpr std::int64_t kMaxRuns = 1'000'000'000, kMaxSteps = 1'000'000;

// Memory and work of `runs` trajectories of `steps` parallel updates of N spins of dimension D (D = 1:
// binary): the couplings, the recorded means (and errors) per step, and runs * steps * N^2 * D
// operations.
void require_kinetic_budget(double N, double D, double steps, double runs, double repeats = 1.0) {
  lab::require_memory("--N", 8.0 * (2 * N * N + 4 * (steps + 1) * N * D), fmt::format("N = {}", N));
  lab::require_work("--runs", repeats * runs * (steps + 1) * N * N * D, "the trajectories");
}

// An extreme (finite) parameter is refused rather than reported as NaN.
void require_finite_matrix(const Eigen::MatrixXd& m, const std::string& parameter, const std::string& what) {
  if (!m.allFinite()) throw lab::UsageError(parameter, fmt::format("{} is not finite at these parameters", what));
}

std::vector<double> to_vector(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

nlohmann::json rows_json(const glass::State& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) rows.push_back(std::vector<double>(m.row(i).data(), m.row(i).data() + m.cols()));
  return rows;
}

nlohmann::json finite_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }

// The model flags shared by the binary commands: couplings and fields from files, or the asymmetric
// SK ensemble of Aguilera et al. (--N, --model-seed).
struct BinaryFlags {
  std::string couplings, fields, out;
  int N = 16, steps = 10, threads = 1;
  double beta = 1.0;
  long runs = 100000;
  std::uint64_t seed = 1, model_seed = 1;
  bool json = false;
  double runs_planned = 1;  // trajectories the command will run (simulate: runs), for the work budget

  void add_model(CLI::App& cmd) {
    cmd.add_option("--couplings", couplings, "file: N rows of N couplings J_ij (with --fields)");
    cmd.add_option("--fields", fields, "file: N fields H_i (with --couplings)");
    add_integer(cmd, "--N", N, 1, 100'000, "without files: size of an asymmetric SK draw (J0 = 1, Js = 0.1, H in [-0.5, 0.5])");
    add_seed(cmd, "--model-seed", model_seed, "without files: seed of that draw");
    add_real(cmd, "--beta", beta, 1e-6, kMaxBeta, "inverse temperature > 0");
    add_integer(cmd, "--steps", steps, 0, kMaxSteps, "time steps T from s_0 = all +1");
    cmd.add_option("--out", out, "write t, i, m_i,t (and m_err) as a table, with a JSON sidecar");
    cmd.add_flag("--json", json, "print one JSON object");
  }
  void add_sampling(CLI::App& cmd) {
    add_integer(cmd, "--runs", runs, 2, kMaxRuns, "independent trajectories");
    add_seed(cmd, "--seed", seed, "seed of the trajectories (run r uses stream r)");
    add_integer(cmd, "--threads", threads, 1, kMaxThreads, "worker threads (the result does not depend on them)");
  }
  KineticIsing model() const {
    lab::require_positive("--beta", beta);
    if (couplings.empty() != fields.empty())
      throw lab::UsageError(couplings.empty() ? "--couplings" : "--fields", "--couplings and --fields go together");
    if (!out.empty()) lab::require_writable(out, "--out");
    if (couplings.empty()) require_kinetic_budget(N, 1, steps, runs_planned);
    else {
      lab::require_readable(couplings, "--couplings", std::uintmax_t{1} << 30);
      lab::require_readable(fields, "--fields", std::uintmax_t{1} << 30);
    }
    KineticIsing m = couplings.empty() ? KineticIsing::asymmetric_sk(N, beta, model_seed)
                                       : KineticIsing::from_files(couplings, fields, beta);
    kinetic::check(m, steps);
    if (!couplings.empty()) require_kinetic_budget(double(m.size()), 1, steps, runs_planned);
    return m;
  }
  nlohmann::json parameters(const KineticIsing& m) const {
    return {{"N", m.size()}, {"beta", beta}, {"steps", steps}, {"couplings", couplings}, {"fields", fields},
            {"model_seed", couplings.empty() ? nlohmann::json(model_seed) : nlohmann::json()}};
  }
};

// m_t for every t (and m_err when given): one row per (t, i).
void write_trajectory(const BinaryFlags& f, const std::string& program, const nlohmann::json& params,
                      const kinetic::Trajectory& tr, const std::vector<Eigen::VectorXd>* err, std::uint64_t seed) {
  if (f.out.empty()) return;
  lab::Table table;
  table.columns = {"t", "i", "m"};
  if (err) table.columns.push_back("m_err");
  for (int t = 0; t <= tr.steps(); ++t)
    for (Eigen::Index i = 0; i < tr.m[t].size(); ++i) {
      std::vector<double> row = {double(t), double(i), tr.m[t][i]};
      if (err) row.push_back((*err)[t][i]);
      table.add(row);
    }
  lab::write_table(f.out, table, "--out");
  lab::RunMetadata meta(program);
  meta.set_seed(seed);
  meta.parameters() = params;
  meta.write_sidecar(f.out);
}

void print_binary(const BinaryFlags& f, const nlohmann::json& out) {
  if (f.json) {
    std::cout << out.dump() << '\n';
    return;
  }
  const auto& m = out["m"];
  fmt::print("m_i at step {} ({}):\n", f.steps, out.value("method", ""));
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (out.contains("m_err")) fmt::print("  {:4d}  {:+.6f} +- {:.6f}\n", i, m[i].get<double>(), out["m_err"][i].get<double>());
    else fmt::print("  {:4d}  {:+.6f}\n", i, m[i].get<double>());
  }
}

void run_simulate(BinaryFlags f) {
  f.runs_planned = double(f.runs);
  const KineticIsing model = f.model();
  kinetic::SimulationOptions o;
  o.steps = f.steps;
  o.runs = f.runs;
  o.seed = f.seed;
  o.threads = f.threads;
  o.correlations = false;
  o.progress = true;
  const auto sim = kinetic::simulate(model, o);
  require_finite_matrix(sim.stats.m.back(), "--beta", "m_T");
  nlohmann::json params = f.parameters(model);
  params.update({{"runs", f.runs}, {"seed", f.seed}});
  write_trajectory(f, "spinformer kinetic simulate", params, sim.stats, &sim.m_err, f.seed);
  print_binary(f, {{"method", "simulation"}, {"steps", f.steps}, {"runs", f.runs},
                   {"m", to_vector(sim.stats.m.back())}, {"m_err", to_vector(sim.m_err.back())}});
}

void run_enumerate(const BinaryFlags& f) {
  const KineticIsing model = f.model();
  const auto ex = kinetic::enumerate(model, f.steps);
  write_trajectory(f, "spinformer kinetic enumerate", f.parameters(model), ex.stats, nullptr, 0);
  print_binary(f, {{"method", "exact enumeration"}, {"steps", f.steps}, {"m", to_vector(ex.stats.m.back())}});
}

void run_mean_field(const BinaryFlags& f, kinetic::Method method) {
  const KineticIsing model = f.model();
  // pairwise conditioning costs N times a plain mean-field step
  if (method == kinetic::Method::pairwise)
    lab::require_work("--steps", (f.steps + 1.0) * std::pow(double(model.size()), 3), "the pairwise theory");
  const auto tr = kinetic::mean_field(model, method, f.steps, method == kinetic::Method::pairwise);
  require_finite_matrix(tr.m.back(), "--beta", "m_T");
  write_trajectory(f, fmt::format("spinformer kinetic {}", kinetic::method_name(method)), f.parameters(model), tr,
                   nullptr, 0);
  print_binary(f, {{"method", kinetic::method_name(method)}, {"steps", f.steps}, {"m", to_vector(tr.m.back())}});
}

// Disorder-averaged mean squared errors of every method on the asymmetric SK ensemble, per beta/beta_c.
struct CompareFlags {
  std::vector<double> ratios = {0.7, 0.85, 1.0, 1.15, 1.3};
  int draws = 3;
  double beta_c = kinetic::kAguileraBetaC;
};

void run_compare(const BinaryFlags& f, const CompareFlags& c) {
  if (c.draws < 1 || c.draws > 10000) throw lab::UsageError("--draws", fmt::format("must be in 1..10000, got {}", c.draws));
  if (c.ratios.empty()) throw lab::UsageError("--ratios", "needs at least one value");
  for (double r : c.ratios) lab::require_positive("--ratios", r);
  lab::require_positive("--beta-c", c.beta_c);
  if (!f.couplings.empty() || !f.fields.empty())
    throw lab::UsageError("--couplings", "compare draws its models from the ensemble (--N, --model-seed)");
  if (f.N < 2 || f.N > 4096) throw lab::UsageError("--N", fmt::format("must be in 2..4096, got {}", f.N));
  if (f.steps < 1 || f.steps > 100000) throw lab::UsageError("--steps", fmt::format("must be in 1..1e5, got {}", f.steps));
  require_kinetic_budget(f.N, 1, f.steps, double(f.runs), 2.0 * c.draws * c.ratios.size());  // x2: the correlations
  for (double r : c.ratios)
    if (r * c.beta_c > kMaxBeta) throw lab::UsageError("--ratios", fmt::format("beta = ratio * beta_c must be <= {}", kMaxBeta));
  if (!f.out.empty()) lab::require_writable(f.out, "--out");
  const std::vector<kinetic::Method> methods = {kinetic::Method::naive, kinetic::Method::tap, kinetic::Method::gaussian,
                                                kinetic::Method::pairwise};
  lab::Table table;
  table.columns = {"beta_over_beta_c", "method", "eps_m", "eps_m_err", "eps_C", "eps_C_err", "eps_D", "eps_D_err", "noise_m"};
  nlohmann::json rows = nlohmann::json::array();
  lab::Progress progress("kinetic compare (draws)", static_cast<long>(c.ratios.size()) * c.draws);
  for (double ratio : c.ratios) {
    std::map<kinetic::Method, std::vector<double>> em, ec, ed;
    std::vector<double> noise;
    for (int d = 0; d < c.draws; ++d) {
      const KineticIsing model = KineticIsing::asymmetric_sk(f.N, ratio * c.beta_c, f.model_seed + d);
      kinetic::SimulationOptions o;
      o.steps = f.steps;
      o.runs = f.runs;
      o.seed = f.seed + d;
      o.threads = f.threads;
      const auto cmp = kinetic::compare_methods(model, o, methods);
      for (const auto& [method, e] : cmp.errors) {
        em[method].push_back(e.m);
        ec[method].push_back(e.C);
        ed[method].push_back(e.D);
      }
      noise.push_back(cmp.noise_m);
      progress.advance();
    }
    const double noise_m = lab::mean_and_error(noise).value;
    for (kinetic::Method method : methods) {
      const auto m = lab::mean_and_error(em[method]), C = lab::mean_and_error(ec[method]), D = lab::mean_and_error(ed[method]);
      const double k = c.draws > 1 ? 1.0 : NAN;  // no error bar from one draw
      table.add({ratio, double(static_cast<int>(method)), m.value, k * m.error, C.value, k * C.error, D.value,
                 k * D.error, noise_m});
      rows.push_back({{"beta_over_beta_c", ratio}, {"method", kinetic::method_name(method)},
                      {"eps_m", m.value}, {"eps_m_err", finite_or_null(k * m.error)},
                      {"eps_C", C.value}, {"eps_C_err", finite_or_null(k * C.error)},
                      {"eps_D", D.value}, {"eps_D_err", finite_or_null(k * D.error)}, {"noise_m", noise_m}});
    }
  }
  progress.finish();
  if (!f.out.empty()) {
    lab::write_table(f.out, table, "--out");
    lab::RunMetadata meta("spinformer kinetic compare");
    meta.set_seed(f.seed);
    meta.parameters() = {{"N", f.N}, {"steps", f.steps}, {"runs", f.runs}, {"draws", c.draws}, {"ratios", c.ratios},
                         {"beta_c", c.beta_c}, {"model_seed", f.model_seed},
                         {"method_codes", {"naive", "tap", "gaussian", "pairwise"}}};
    meta.write_sidecar(f.out);
  }
  if (f.json) {
    std::cout << nlohmann::json{{"rows", rows}}.dump() << '\n';
    return;
  }
  fmt::print("{:>8} {:>9} {:>11} {:>11} {:>11}\n", "b/b_c", "method", "eps_m", "eps_C", "eps_D");
  for (const auto& r : rows)
    fmt::print("{:8.3f} {:>9} {:11.3e} {:11.3e} {:11.3e}\n", r["beta_over_beta_c"].get<double>(),
               r["method"].get<std::string>(), r["eps_m"].get<double>(), r["eps_C"].get<double>(),
               r["eps_D"].get<double>());
}

// ---- the vector kinetic model ---------------------------------------------------------------------

struct VectorFlags {
  std::string couplings, field, out;
  int N = 16, D = 8, steps = 30, threads = 1;
  double beta = 1.0, h = 1.0;
  long runs = 1000;
  std::uint64_t seed = 1, model_seed = 1;
  bool json = false, compare = false;
  std::string estimator = "conditional";
};

void run_glass_kinetic(const VectorFlags& f) {
  lab::require_positive("--beta", f.beta);
  if (f.couplings.empty() != f.field.empty())
    throw lab::UsageError(f.couplings.empty() ? "--couplings" : "--field", "--couplings and --field go together");
  if (!f.out.empty()) lab::require_writable(f.out, "--out");
  if (f.couplings.empty()) require_kinetic_budget(f.N, f.D, f.steps, double(f.runs));
  else {
    lab::require_readable(f.couplings, "--couplings", std::uintmax_t{1} << 30);
    lab::require_readable(f.field, "--field", std::uintmax_t{1} << 30);
  }
  const glass::VectorSpinModel model = f.couplings.empty() ? glass::VectorSpinModel::random(f.N, f.D, f.h, f.model_seed)
                                                           : glass::VectorSpinModel::from_files(f.couplings, f.field, f.h);
  if (f.estimator != "conditional" && f.estimator != "sample" && f.estimator != "control")
    throw lab::UsageError("--estimator", fmt::format("must be conditional, control or sample, got '{}'", f.estimator));
  if (!f.couplings.empty()) require_kinetic_budget(model.N, model.D, f.steps, double(f.runs));
  glass::KineticOptions o;
  o.beta = f.beta;
  o.steps = f.steps;
  o.runs = f.runs;
  o.seed = f.seed;
  o.threads = f.threads;
  o.progress = true;
  o.conditional_mean = f.estimator != "sample";
  o.control_variate = f.estimator == "control";
  const auto sim = glass::simulate_kinetic(model, o);
  require_finite_matrix(sim.m.back(), "--beta", "m_T");
  nlohmann::json out = {{"N", model.N}, {"D", model.D}, {"R", model.R}, {"beta", f.beta}, {"steps", f.steps},
                        {"runs", f.runs}, {"estimator", f.estimator}, {"alignment", sim.alignment},
                        {"m", rows_json(sim.m.back())}, {"m_err", rows_json(sim.m_err.back())}};
  if (f.compare) {
    const auto c = glass::compare_mean_field(model, sim, f.beta, f.steps);
    const auto errors = [](const glass::KineticErrors& e) {
      return nlohmann::json{{"nmf_bessel", e.nmf_bessel}, {"nmf_large_d", e.nmf_large_d}, {"tap_bessel", e.tap_bessel},
                            {"tap_large_d", e.tap_large_d}, {"second_order", e.second_order}, {"noise", e.noise}};
    };
    out["mse_final_state"] = errors(c.final_state);
    out["mse_trajectory_mean"] = errors(c.trajectory_mean);
    out["alignment_mean_field"] = {{"nmf_bessel", c.alignment_nmf_bessel}, {"nmf_large_d", c.alignment_nmf_large_d},
                                   {"tap_bessel", c.alignment_tap_bessel}, {"tap_large_d", c.alignment_tap_large_d}};
  }
  if (!f.out.empty()) {
    lab::Table t;
    for (int a = 0; a < model.D; ++a) t.columns.push_back(fmt::format("m{}", a));
    for (int a = 0; a < model.D; ++a) t.columns.push_back(fmt::format("m_err{}", a));
    for (int i = 0; i < model.N; ++i) {
      std::vector<double> row(sim.m.back().row(i).data(), sim.m.back().row(i).data() + model.D);
      row.insert(row.end(), sim.m_err.back().row(i).data(), sim.m_err.back().row(i).data() + model.D);
      t.add(row);
    }
    lab::write_table(f.out, t, "--out");
    lab::RunMetadata meta("spinformer glass kinetic");
    meta.set_seed(f.seed);
    meta.parameters() = {{"N", model.N}, {"D", model.D}, {"beta", f.beta}, {"h", f.h}, {"steps", f.steps},
                         {"runs", f.runs}, {"estimator", f.estimator}, {"couplings", f.couplings}, {"field", f.field},
                         {"model_seed", f.couplings.empty() ? nlohmann::json(f.model_seed) : nlohmann::json()}};
    meta.write_sidecar(f.out);
  }
  if (f.json) {
    std::cout << out.dump() << '\n';
    return;
  }
  for (auto it = out.begin(); it != out.end(); ++it)
    if (it.key() != "m" && it.key() != "m_err") fmt::print("{:<22} {}\n", it.key(), it.value().dump());
}

// Disorder-averaged comparison over (N, beta, eps): the simulation's m_T against nMF and TAP.
struct ScanFlags {
  std::vector<int> sizes = {32};
  std::vector<double> betas = {0.1, 1.0, 10.0};
  std::vector<double> eps = {1.0};
  int D = 32, steps = 30, draws = 10, threads = 1;
  double h = 1.0;
  long runs = 500;
  std::uint64_t seed = 1, model_seed = 1;
  std::string out;
  bool json = false;
  bool control_variate = false;
};

void run_glass_kinetic_scan(const ScanFlags& f) {
  if (f.sizes.empty()) throw lab::UsageError("--N", "needs at least one value");
  for (int n : f.sizes)
    if (n < 1 || n > 4096) throw lab::UsageError("--N", fmt::format("must be in 1..4096, got {}", n));
  if (f.betas.empty()) throw lab::UsageError("--betas", "needs at least one value");
  for (double b : f.betas) lab::require_positive("--betas", b);
  if (f.eps.empty()) throw lab::UsageError("--eps", "needs at least one value");
  for (double e : f.eps) lab::require_range("--eps", e, 0.0, 1e6);
  if (f.draws < 1 || f.draws > 10000) throw lab::UsageError("--draws", fmt::format("must be in 1..10000, got {}", f.draws));
  glass::sphere_radius(f.D);
  if (!f.out.empty()) lab::require_writable(f.out, "--out");
  glass::KineticOptions o;
  o.steps = f.steps;
  o.runs = f.runs;
  o.threads = f.threads;
  o.beta = f.betas.front();
  o.control_variate = f.control_variate;
  // Validate everything before any work: a bad option fails here, with no output.
  if (f.steps < 1 || f.steps > 1'000'000) throw lab::UsageError("--steps", fmt::format("must be in 1..1e6, got {}", f.steps));
  if (f.runs < 2 || f.runs > 1'000'000'000L) throw lab::UsageError("--runs", fmt::format("must be in 2..1e9, got {}", f.runs));
  if (f.threads < 1 || f.threads > 256) throw lab::UsageError("--threads", fmt::format("must be in 1..256, got {}", f.threads));
  for (double b : f.betas)
    if (b > kMaxBeta) throw lab::UsageError("--betas", fmt::format("must be <= {}, got {}", kMaxBeta, b));
  {
    const double points = double(f.betas.size()) * f.eps.size() * f.draws;
    double work = 0;
    for (int n : f.sizes) work += points * double(f.runs) * (f.steps + 1.0) * double(n) * n * f.D;
    lab::require_work("--runs", work, "the trajectories");
    for (int n : f.sizes) lab::require_memory("--N", 8.0 * (2.0 * n * n + 4.0 * (f.steps + 1) * n * f.D), fmt::format("N = {}", n));
  }
  const std::vector<std::string> names = {"nmf_bessel", "nmf_large_d", "tap_bessel", "tap_large_d"};
  lab::Table table;
  table.columns = {"N", "beta", "eps", "alignment_sim", "alignment_sim_err"};
  for (const auto& n : names) table.columns.insert(table.columns.end(), {"mse_" + n, "mse_" + n + "_err", "alignment_" + n});
  table.columns.insert(table.columns.end(), {"mse_second_order", "mse_second_order_err", "noise", "m_err_rms"});
  for (const auto& n : names) table.columns.insert(table.columns.end(), {"rms_" + n, "rms_" + n + "_err"});
  table.columns.insert(table.columns.end(), {"rms_second_order", "rms_second_order_err"});
  nlohmann::json rows = nlohmann::json::array();
  lab::Progress progress("glass kinetic-scan (draws)",
                         static_cast<long>(f.sizes.size() * f.betas.size() * f.eps.size()) * f.draws);
  for (int N : f.sizes)
    for (double beta : f.betas)
      for (double eps : f.eps) {
        std::vector<double> a_sim, noise, m_err_rms, second;
        std::map<std::string, std::vector<double>> mse, align, rms;
        for (int d = 0; d < f.draws; ++d) {
          auto model = glass::VectorSpinModel::random(N, f.D, f.h, f.model_seed + d);
          model.J *= eps;
          auto od = o;
          od.beta = beta;
          od.seed = f.seed + d;
          const auto sim = glass::simulate_kinetic(model, od);
          const auto c = glass::compare_mean_field(model, sim, beta, f.steps);
          a_sim.push_back(c.alignment_simulation);
          noise.push_back(c.final_state.noise);
          m_err_rms.push_back(std::sqrt(c.final_state.noise));
          second.push_back(c.final_state.second_order);
          // chapter 3's error: rms per component, sqrt(MSE - noise) per draw (0 where the MSE is not
          // resolved above the simulation's own sampling noise), then averaged over draws
          const auto rms_of = [&](double e) { return std::sqrt(std::max(e - c.final_state.noise, 0.0)); };
          rms["second_order"].push_back(rms_of(c.final_state.second_order));
          const double e[] = {c.final_state.nmf_bessel, c.final_state.nmf_large_d, c.final_state.tap_bessel,
                              c.final_state.tap_large_d};
          const double a[] = {c.alignment_nmf_bessel, c.alignment_nmf_large_d, c.alignment_tap_bessel,
                              c.alignment_tap_large_d};
          for (std::size_t k = 0; k < names.size(); ++k) {
            mse[names[k]].push_back(e[k]);
            rms[names[k]].push_back(rms_of(e[k]));
            align[names[k]].push_back(a[k]);
          }
          progress.advance();
        }
        const double k = f.draws > 1 ? 1.0 : NAN;
        const auto as = lab::mean_and_error(a_sim);
        std::vector<double> row = {double(N), beta, eps, as.value, k * as.error};
        nlohmann::json j = {{"N", N}, {"D", f.D}, {"beta", beta}, {"eps", eps}, {"alignment_sim", as.value},
                            {"alignment_sim_err", finite_or_null(k * as.error)}};
        for (const auto& n : names) {
          const auto me = lab::mean_and_error(mse[n]);
          const double al = lab::mean_and_error(align[n]).value;
          row.insert(row.end(), {me.value, k * me.error, al});
          j["mse_" + n] = me.value;
          j["mse_" + n + "_err"] = finite_or_null(k * me.error);
          j["alignment_" + n] = al;
        }
        const double nz = lab::mean_and_error(noise).value, mr = lab::mean_and_error(m_err_rms).value;
        const auto so = lab::mean_and_error(second);
        row.insert(row.end(), {so.value, k * so.error, nz, mr});
        j["mse_second_order"] = so.value;
        j["mse_second_order_err"] = finite_or_null(k * so.error);
        j["noise"] = nz;
        j["m_err_rms"] = mr;
        for (const auto& n : {names[0], names[1], names[2], names[3], std::string("second_order")}) {
          const auto r = lab::mean_and_error(rms[n]);
          row.insert(row.end(), {r.value, k * r.error});
          j["rms_" + n] = r.value;
          j["rms_" + n + "_err"] = finite_or_null(k * r.error);
        }
        table.add(row);
        rows.push_back(j);
      }
  progress.finish();
  if (!f.out.empty()) {
    lab::write_table(f.out, table, "--out");
    lab::RunMetadata meta("spinformer glass kinetic-scan");
    meta.set_seed(f.seed);
    meta.parameters() = {{"N", f.sizes}, {"D", f.D}, {"h", f.h}, {"betas", f.betas}, {"eps", f.eps},
                         {"draws", f.draws}, {"runs", f.runs}, {"steps", f.steps}, {"model_seed", f.model_seed}};
    meta.write_sidecar(f.out);
  }
  if (f.json) {
    std::cout << nlohmann::json{{"rows", rows}}.dump() << '\n';
    return;
  }
  // chapter 3 tabulates rms errors, so the table a reader compares with it does too (--json and --out
  // keep the MSE beside them)
  fmt::print("# error of m_{}: rms per component against the simulation, its sampling noise subtracted (0: not "
             "resolved above it), mean over draws; noise: the simulation's own rms error\n", f.steps);
  fmt::print("{:>5} {:>9} {:>6} {:>8} {:>11} {:>11} {:>11} {:>11} {:>11} {:>10}\n", "N", "beta", "eps", "A_sim",
             "rms-nMF-B", "rms-nMF-lD", "rms-TAP-B", "rms-TAP-lD", "rms-2nd", "noise-rms");
  for (const auto& r : rows)
    fmt::print("{:5d} {:9.4g} {:6.3g} {:8.4f} {:11.3e} {:11.3e} {:11.3e} {:11.3e} {:11.3e} {:10.2e}\n", r["N"].get<int>(),
               r["beta"].get<double>(), r["eps"].get<double>(), r["alignment_sim"].get<double>(),
               r["rms_nmf_bessel"].get<double>(), r["rms_nmf_large_d"].get<double>(), r["rms_tap_bessel"].get<double>(),
               r["rms_tap_large_d"].get<double>(), r["rms_second_order"].get<double>(), r["m_err_rms"].get<double>());
}

}  // namespace

void add_kinetic_commands(CLI::App& app) {
  auto* kin = app.add_subcommand("kinetic", "the binary kinetic Ising model: exact simulation and mean-field theories");
  kin->require_subcommand(1);
  {
    auto f = std::make_shared<BinaryFlags>();
    auto* cmd = kin->add_subcommand("simulate", "average of many exact trajectories (parallel Glauber updates)");
    f->add_model(*cmd);
    f->add_sampling(*cmd);
    cmd->callback([f] { run_simulate(*f); });
  }
  {
    auto f = std::make_shared<BinaryFlags>();
    auto* cmd = kin->add_subcommand("enumerate", "exact m_t by propagating P_t over all 2^N states (N <= 12)");
    f->add_model(*cmd);
    cmd->callback([f] { run_enumerate(*f); });
  }
  for (auto [name, method, help] :
       std::vector<std::tuple<const char*, kinetic::Method, const char*>>{
           {"nmf", kinetic::Method::naive, "naive mean field m_t = tanh(beta (H + J m_t-1))"},
           {"tap", kinetic::Method::tap, "dynamical TAP (Kappen-Spanjers, Roudi-Hertz)"},
           {"gaussian", kinetic::Method::gaussian, "Gaussian effective field (Mezard-Sakellariou)"},
           {"pairwise", kinetic::Method::pairwise, "pairwise conditioning on one s_l,t-1 (Plefka2[t]-like)"}}) {
    auto f = std::make_shared<BinaryFlags>();
    auto* cmd = kin->add_subcommand(name, help);
    f->add_model(*cmd);
    const kinetic::Method m = method;
    cmd->callback([f, m] { run_mean_field(*f, m); });
  }
  {
    auto f = std::make_shared<BinaryFlags>();
    auto c = std::make_shared<CompareFlags>();
    f->runs = 20000;
    f->steps = 32;
    f->N = 64;
    auto* cmd = kin->add_subcommand("compare", "disorder-averaged MSE of m_t, C_t, D_t for every method vs simulation");
    add_integer(*cmd, "--N", f->N, 2, 4096, "spins");
    add_seed(*cmd, "--model-seed", f->model_seed, "seed of draw 0 (draw d uses model-seed + d)");
    add_integer(*cmd, "--steps", f->steps, 1, 100'000, "time steps T");
    cmd->add_option("--ratios", c->ratios, "beta / beta_c values (comma separated)")->delimiter(',')->capture_default_str();
    add_real(*cmd, "--beta-c", c->beta_c, 1e-6, kMaxBeta, "beta_c (Aguilera et al.'s value for N = 512)");
    add_integer(*cmd, "--draws", c->draws, 1, 10'000, "disorder draws per beta");
    cmd->add_option("--out", f->out, "write the table here, with a JSON sidecar");
    cmd->add_flag("--json", f->json, "print one JSON object");
    f->add_sampling(*cmd);
    cmd->callback([f, c] { run_compare(*f, *c); });
  }
}

void add_glass_kinetic_command(CLI::App& glass) {
  auto f = std::make_shared<VectorFlags>();
  auto* cmd = glass.add_subcommand("kinetic", "the vector kinetic model simulated exactly (vMF parallel updates)");
  cmd->add_option("--couplings", f->couplings, "file: N rows of N couplings J_ij (with --field)");
  cmd->add_option("--field", f->field, "file: N rows of D field components x_i (with --couplings)");
  add_integer(*cmd, "--N", f->N, 1, 100'000, "without files: spins of a thesis-ensemble draw");
  add_integer(*cmd, "--D", f->D, 3, 100'000, "without files: spin dimension");
  add_real(*cmd, "--h", f->h, -kMaxField, kMaxField, "field strength (multiplies x)");
  add_seed(*cmd, "--model-seed", f->model_seed, "without files: seed of the draw of J and x");
  add_real(*cmd, "--beta", f->beta, 1e-6, kMaxBeta, "inverse temperature > 0");
  add_integer(*cmd, "--steps", f->steps, 1, kMaxSteps, "time steps T from s_0 = m_0");
  add_integer(*cmd, "--runs", f->runs, 2, kMaxRuns, "independent trajectories");
  add_seed(*cmd, "--seed", f->seed, "seed of the trajectories (run r uses stream r)");
  add_integer(*cmd, "--threads", f->threads, 1, kMaxThreads, "worker threads (the result does not depend on them)");
  cmd->add_option("--estimator", f->estimator,
                  "conditional (mean of E[s_t | s_t-1], less noise) | control (the same less its linear response "
                  "to the last step's noise: O(J^2) spread) | sample (mean of the sampled s_t)")
      ->capture_default_str();
  cmd->add_flag("--compare", f->compare,
                "add the MSE of nMF and TAP (both readouts) and of the second-order theory against the simulation");
  cmd->add_option("--out", f->out, "write m and m_err at step T (N rows of 2D numbers), with a JSON sidecar");
  cmd->add_flag("--json", f->json, "print one JSON object {m, m_err, alignment, ...}");
  cmd->callback([f] { run_glass_kinetic(*f); });

  auto s = std::make_shared<ScanFlags>();
  auto* scan = glass.add_subcommand("kinetic-scan", "disorder-averaged rms error (and MSE) of nMF and TAP vs the exact simulation over N, beta, eps");
  scan->add_option("--N", s->sizes, "sizes (comma separated)")->delimiter(',')->capture_default_str();
  add_integer(*scan, "--D", s->D, 3, 100'000, "spin dimension");
  add_real(*scan, "--h", s->h, -kMaxField, kMaxField, "field strength");
  scan->add_option("--betas", s->betas, "inverse temperatures (comma separated)")->delimiter(',')->capture_default_str();
  scan->add_option("--eps", s->eps, "coupling scales: J -> eps J (comma separated)")->delimiter(',')->capture_default_str();
  add_integer(*scan, "--draws", s->draws, 1, 10'000, "disorder draws (J, x) per point; draw d uses model-seed + d");
  add_seed(*scan, "--model-seed", s->model_seed, "seed of draw 0");
  add_integer(*scan, "--steps", s->steps, 1, kMaxSteps, "time steps T (m_NESS = m_T)");
  add_integer(*scan, "--runs", s->runs, 2, kMaxRuns, "trajectories per draw");
  add_seed(*scan, "--seed", s->seed, "seed of the trajectories of draw 0 (draw d uses seed + d)");
  add_integer(*scan, "--threads", s->threads, 1, kMaxThreads, "worker threads (the result does not depend on them)");
  scan->add_option("--out", s->out, "write the table here, with a JSON sidecar");
  scan->add_flag("--json", s->json, "print one JSON object {rows: [...]}");
  scan->add_flag("--control-variate", s->control_variate,
                 "subtract each run's linear response to the last step's noise (unbiased; O(J^2) spread)");
  scan->callback([s] { run_glass_kinetic_scan(*s); });
}

}  // namespace spinformer::cli
