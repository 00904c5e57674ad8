// spinformer glass mcmc|nmf|tap (and overlaps, registered by add_glass_overlaps_command): the
// vector-spin model's Metropolis-Hastings estimate and Bal's nMF/TAP magnetisations.
#include <cmath>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "glass/mean_field.hpp"
#include "glass/metropolis.hpp"
#include "lab/atomic_file.hpp"
#include "lab/parallel.hpp"
#include "lab/parse.hpp"
#include "lab/run_metadata.hpp"
#include "lab/statistics.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {
namespace {

using glass::State;
using glass::VectorSpinModel;

// |h| multiplies a field of unit-size rows; beyond 1e3 the magnetisations saturate to the field's
// direction and the mean-field readouts overflow.
constexpr double kMaxField = 1e3;

// The model's memory: the couplings (N^2, twice while symmetrised) and `states` N x D states.
void require_model_memory(int N, int D, double states) {
  const double n = N, d = D;
  lab::require_memory("--N", 8.0 * (2 * n * n + states * n * d), fmt::format("N = {}, D = {}", N, D));
}

struct ModelFlags {
  int N = 64, D = 32;
  double beta = 1.0, h = 1.0;
  std::uint64_t seed = 1;
  std::string couplings, field, out;
  bool symmetric = false, as_json = false, full = false;

  void add_to(CLI::App& cmd) {
    add_integer(cmd, "--N", N, 1, 100'000, "number of spins (ignored with --couplings)");
    add_integer(cmd, "--D", D, 3, 100'000, "spin dimension (ignored with --field)");
    add_real(cmd, "--beta", beta, 1e-6, 1e6, "inverse temperature");
    add_real(cmd, "--h", h, -kMaxField, kMaxField, "field strength (multiplies x)");
    add_seed(cmd, "--seed", seed, "seed of the random couplings and field");
    cmd.add_option("--couplings", couplings, "file: N rows of N couplings J_ij (with --field)");
    cmd.add_option("--field", field, "file: N rows of D field components x_i (with --couplings)");
    cmd.add_flag("--symmetric", symmetric, "use (J + J^T) / sqrt(2) instead of J");
    cmd.add_option("--out", out, "write m (N rows of D) here as a table, with a JSON sidecar");
    cmd.add_flag("--json", as_json, "print one JSON object: the summary (with --full, also m, N rows of D)");
    // m alone is N x D numbers (64 x 32 by default, ~30 KB on one line): a reader wants the summary,
    // a script that wants m asks for it (or writes it with --out)
    cmd.add_flag("--full", full, "with --json: add the magnetisations m (N rows of D)");
  }

  VectorSpinModel model() const {
    lab::require_positive("--beta", beta);
    if (couplings.empty() != field.empty())
      throw lab::UsageError(couplings.empty() ? "--couplings" : "--field", "--couplings and --field go together");
    if (!couplings.empty()) {
      lab::require_readable(couplings, "--couplings", std::uintmax_t{1} << 30);
      lab::require_readable(field, "--field", std::uintmax_t{1} << 30);
    }
    if (!out.empty()) {
      lab::require_distinct({{"--couplings", couplings}, {"--field", field}}, {{"--out", out}, {"--out", out + ".json"}});
      lab::require_writable(out, "--out");
      lab::require_writable(out + ".json", "--out");
    }
    VectorSpinModel m = couplings.empty() ? VectorSpinModel::random(N, D, h, seed)
                                          : VectorSpinModel::from_files(couplings, field, h);
    return symmetric ? m.symmetrized() : m;
  }
  nlohmann::json parameters(const VectorSpinModel& m) const {
    return {{"N", m.N}, {"D", m.D}, {"R", m.R}, {"beta", beta}, {"h", h}, {"seed", seed},
            {"couplings", couplings}, {"field", field}, {"symmetric", symmetric}};
  }
};

nlohmann::json state_json(const State& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    std::vector<double> r(m.row(i).data(), m.row(i).data() + m.cols());
    rows.push_back(r);
  }
  return rows;
}

nlohmann::json finite_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }

void write_state(const ModelFlags& f, const State& m, const std::string& program, nlohmann::json params) {
  if (f.out.empty()) return;
  lab::Table t;
  for (Eigen::Index a = 0; a < m.cols(); ++a) t.columns.push_back(fmt::format("m{}", a));
  for (Eigen::Index i = 0; i < m.rows(); ++i) t.add(std::vector<double>(m.row(i).data(), m.row(i).data() + m.cols()));
  lab::RunMetadata meta(program);
  meta.set_seed(f.seed);
  meta.parameters() = std::move(params);
  lab::write_with_sidecar(f.out, "--out", [&](std::ostream& out) { lab::write_table(out, t); }, meta);
}

void print_result(const ModelFlags& f, const nlohmann::json& summary, const State& m) {
  if (f.as_json) {
    nlohmann::json out = summary;
    if (f.full) out["m"] = state_json(m);
    std::cout << out.dump() << '\n';
    return;
  }
  for (auto it = summary.begin(); it != summary.end(); ++it) fmt::print("{:<28} {}\n", it.key(), it.value().dump());
}

struct MeanFieldFlags {
  int steps = -1;  // default: 30 (nMF), 100 (TAP)
  std::string readout = "large-d", convention = "code";
  double tolerance = 1e-3, damping = 1.0;
  int max_inner = 100, anderson_depth = 5;
  bool fixed_point = false;
};

glass::MeanFieldOptions mean_field_options(const ModelFlags& f, const MeanFieldFlags& mf, int default_steps) {
  glass::MeanFieldOptions o;
  o.beta = f.beta;
  o.steps = mf.steps < 0 ? default_steps : mf.steps;
  if (mf.readout == "large-d") o.readout = glass::Readout::large_d;
  else if (mf.readout == "bessel") o.readout = glass::Readout::bessel;
  else throw lab::UsageError("--readout", fmt::format("must be large-d or bessel, got '{}'", mf.readout));
  if (mf.convention == "code") o.convention = glass::TapConvention::code;
  else if (mf.convention == "derived") o.convention = glass::TapConvention::derived;
  else throw lab::UsageError("--convention", fmt::format("must be code or derived, got '{}'", mf.convention));
  o.tolerance = mf.tolerance;
  o.max_inner = mf.max_inner;
  o.anderson_depth = mf.anderson_depth;
  o.damping = mf.damping;
  return o;
}

// An extreme (finite) parameter is refused rather than reported as NaN.
void require_finite_state(const State& m, const std::string& what) {
  if (!m.allFinite())
    throw lab::UsageError("--h", fmt::format("{} is not finite at these parameters (lower --h or --beta)", what));
}

void run_mean_field(const ModelFlags& f, const MeanFieldFlags& mf, bool tap) {
  if (f.couplings.empty()) require_model_memory(f.N, f.D, 10.0 + 2 * mf.anderson_depth);
  const auto o = mean_field_options(f, mf, tap ? 100 : 30);
  if (f.couplings.empty())
    lab::require_work("--steps", double(o.steps) * (tap ? mf.max_inner : 1) * f.N * (double(f.N) + f.D),
                      "the mean-field iteration");
  const VectorSpinModel model = f.model();
  const auto r = tap ? glass::run_tap(model, o) : (mf.fixed_point ? glass::solve_nmf_fixed_point(model, o)
                                                                   : glass::run_nmf(model, o));
  require_finite_state(r.m, tap ? "the TAP magnetisation" : "the nMF magnetisation");
  nlohmann::json params = f.parameters(model);
  params["steps"] = o.steps;
  params["readout"] = mf.readout;
  if (tap) params["convention"] = mf.convention;
  write_state(f, r.m, tap ? "spinformer glass tap" : "spinformer glass nmf", params);
  nlohmann::json summary = {{"method", tap ? "TAP" : (mf.fixed_point ? "nMF fixed point" : "nMF")},
                            {"N", model.N}, {"D", model.D}, {"beta", f.beta}, {"h", f.h},
                            {"alignment", r.alignment}, {"iterations", r.iterations},
                            {"residual", finite_or_null(r.residual)}};
  if (tap) {
    summary["inner_failures"] = r.inner_failures;
    summary["inner_iterations"] = r.inner_iterations;
    summary["alignment_final_state"] = glass::alignment(r.final_state, model.x);
  }
  print_result(f, summary, r.m);
}

constexpr std::int64_t kMaxProposals = 1'000'000'000'000;  // per chain; the work budget bounds the product

struct McmcFlags {
  long long steps = 1'000'000, thin = 10'000;
  int chains = 4, threads = 2;
  std::uint64_t chain_seed = 1;
  double sigma = 0, burn_in = 0.25, target_acceptance = 0.3;
  bool adapt = false;
  std::string start = "m0";
};

// Gelman-Rubin R-hat above 1.1 means the chains disagree more than their own fluctuations allow: they
// have not reached the same distribution, so their pooled mean is not an estimate of m_NESS. The
// numbers are still printed (a reader may want them), with one line on stderr saying not to trust them.
constexpr double kMaxRHat = 1.1;

void warn_if_not_mixed(const std::vector<std::pair<std::string, nlohmann::json>>& r_hats) {
  std::string over;
  for (const auto& [name, r] : r_hats)
    if (r.is_number() && r.get<double>() > kMaxRHat) over += fmt::format("{}{} {:.3g}", over.empty() ? "" : ", ", name, r.get<double>());
  if (!over.empty())
    fmt::print(stderr, "warning: R-hat above {} ({}): the chains have not mixed, so these estimates are not to be "
                       "trusted; run longer (--steps), or tune the proposals (--adapt)\n", kMaxRHat, over);
}

void run_mcmc(const ModelFlags& f, const McmcFlags& c) {
  // steps and thin are bounded at parsing (<= 1e12), so 2 * thin and these products cannot overflow
  if (c.steps < 2 * c.thin) throw lab::UsageError("--steps", fmt::format("must be at least 2 * thin = {}", 2 * c.thin));
  const double stored = double(c.steps / c.thin) * c.chains;
  if (f.couplings.empty()) {
    require_model_memory(f.N, f.D, 4.0 * c.chains + 4);
    lab::require_work("--steps", double(c.steps) * c.chains * f.N * f.D, "the chains");
  }
  lab::require_memory("--thin", 8.0 * 4 * stored, "the stored states");
  const VectorSpinModel model = f.model();
  if (c.start != "m0" && c.start != "field")
    throw lab::UsageError("--start", fmt::format("must be m0 or field, got '{}'", c.start));
  glass::MetropolisOptions o;
  o.beta = f.beta;
  o.sigma = c.sigma;
  o.proposals = c.steps;
  o.thin = c.thin;
  o.burn_in_fraction = c.burn_in;
  o.adapt_sigma = c.adapt;
  o.target_acceptance = c.target_acceptance;
  const State start = c.start == "m0" ? model.initial_state() : model.field_aligned_state();
  // Validate once (cheaply) before starting threads: a bad option fails here, with no output.
  {
    lab::require_range("--burn-in", o.burn_in_fraction, 0.0, 0.9);
    lab::require_range("--target-acceptance", o.target_acceptance, 0.01, 0.99);
    if (!(o.sigma >= 0) || !std::isfinite(o.sigma)) throw lab::UsageError("--sigma", "must be >= 0");
  }
  std::vector<glass::MetropolisRun> runs(c.chains);
  // Each chain's seed comes from its index, so the result does not depend on --threads.
  lab::parallel_for(c.chains, c.threads, [&](long k) {
    auto ok = o;
    ok.seed = lab::Rng::stream(c.chain_seed, static_cast<std::uint64_t>(k)).next();
    runs[k] = glass::run_metropolis(model, ok, start);
  });

  State m = State::Zero(model.N, model.D);
  std::vector<double> chain_alignment;
  std::vector<std::vector<double>> energies, alignments;
  nlohmann::json per_chain = nlohmann::json::array();
  for (const auto& r : runs) {
    m += r.mean / double(c.chains);
    chain_alignment.push_back(glass::alignment(r.mean, model.x));
    energies.push_back(r.energy);
    alignments.push_back(r.alignment);
    const auto d = glass::diagnose(r);
    per_chain.push_back({{"alignment", chain_alignment.back()}, {"acceptance", r.acceptance}, {"sigma", r.sigma},
                         {"tau_int_energy", d.energy.tau_int}, {"tau_int_alignment", d.alignment.tau_int},
                         {"ess_energy", d.energy.effective_sample_size},
                         {"ess_alignment", d.alignment.effective_sample_size}, {"seconds", r.seconds}});
  }
  const auto a = lab::mean_and_error(chain_alignment);
  nlohmann::json params = f.parameters(model);
  params.update({{"steps", c.steps}, {"thin", c.thin}, {"chains", c.chains}, {"chain_seed", c.chain_seed},
                 {"sigma", c.sigma}, {"adapt", c.adapt}, {"burn_in", c.burn_in}, {"start", c.start}});
  write_state(f, m, "spinformer glass mcmc", params);
  nlohmann::json summary = {
      {"method", "MCMC"}, {"N", model.N}, {"D", model.D}, {"beta", f.beta}, {"h", f.h},
      {"alignment", glass::alignment(m, model.x)},
      {"alignment_chain_mean", a.value}, {"alignment_chain_error", finite_or_null(c.chains > 1 ? a.error : NAN)},
      {"iterations", c.steps}, {"proposals_per_chain", c.steps}, {"chains", c.chains},
      {"stored_states_per_chain", runs.front().energy.size()},
      {"r_hat_energy", finite_or_null(glass::gelman_rubin(energies))},
      {"r_hat_alignment", finite_or_null(glass::gelman_rubin(alignments))},
      {"per_chain", per_chain}};
  warn_if_not_mixed({{"energy", summary["r_hat_energy"]}, {"alignment", summary["r_hat_alignment"]}});
  print_result(f, summary, m);
}

}  // namespace

void add_glass_commands(CLI::App& app) {
  auto* glass = app.add_subcommand("glass", "the vector-spin model: MCMC, nMF and TAP magnetisations, replicas");
  glass->require_subcommand(1);

  auto mf = std::make_shared<ModelFlags>();
  auto mc = std::make_shared<McmcFlags>();
  auto* mcmc = glass->add_subcommand("mcmc", "Metropolis-Hastings estimate of m_NESS with diagnostics");
  mf->add_to(*mcmc);
  add_integer(*mcmc, "--steps", mc->steps, 2, kMaxProposals, "proposals per chain");
  add_integer(*mcmc, "--thin", mc->thin, 1, kMaxProposals, "proposals between stored states");
  add_integer(*mcmc, "--chains", mc->chains, 1, 1024, "independent chains");
  add_integer(*mcmc, "--threads", mc->threads, 1, kMaxThreads, "worker threads");
  add_seed(*mcmc, "--chain-seed", mc->chain_seed, "seed of the chains' random streams");
  add_real(*mcmc, "--sigma", mc->sigma, 0, 1e3, "proposal width (0: the thesis's 1/(N sqrt D))");
  mcmc->add_flag("--adapt", mc->adapt, "tune sigma during burn-in towards --target-acceptance, then freeze it");
  add_real(*mcmc, "--target-acceptance", mc->target_acceptance, 0.01, 0.99, "acceptance rate aimed at by --adapt");
  add_real(*mcmc, "--burn-in", mc->burn_in, 0, 0.9, "fraction of stored states discarded");
  mcmc->add_option("--start", mc->start, "m0 (rows (1..1)/sqrt D) | field (rows R x_i/|x_i|)")->capture_default_str();
  mcmc->callback([mf, mc] { run_mcmc(*mf, *mc); });

  for (bool tap : {false, true}) {
    auto f = std::make_shared<ModelFlags>();
    auto m = std::make_shared<MeanFieldFlags>();
    auto* cmd = glass->add_subcommand(tap ? "tap" : "nmf", tap ? "TAP time evolution (100 steps, trajectory mean)"
                                                               : "naive mean field (30 steps, last state)");
    f->add_to(*cmd);
    add_integer(*cmd, "--steps", m->steps, 1, 1'000'000, tap ? "time steps (default 100)" : "time steps (default 30)")
        ->default_str(tap ? "100" : "30");
    cmd->add_option("--readout", m->readout, "large-d | bessel (exact finite-D readout)")->capture_default_str();
    if (tap) {
      cmd->add_option("--convention", m->convention, "code (g0 at site i, the thesis) | derived (g0_j in the sums)")
          ->capture_default_str();
      add_integer(*cmd, "--max-inner", m->max_inner, 1, 1'000'000, "inner fixed-point iterations per step");
    } else {
      cmd->add_flag("--fixed-point", m->fixed_point, "iterate to the fixed point m = phi(x + J m) instead");
    }
    add_real(*cmd, "--tolerance", m->tolerance, 1e-15, 1e3, "fixed-point tolerance (max abs residual)");
    add_integer(*cmd, "--anderson-depth", m->anderson_depth, 0, 50, "Anderson acceleration depth (0: plain iteration)");
    add_real(*cmd, "--damping", m->damping, 1e-3, 1.0, "mixing of each update");
    cmd->callback([f, m, tap] { run_mean_field(*f, *m, tap); });
  }

  add_glass_overlaps_command(*glass);
}

}  // namespace spinformer::cli
