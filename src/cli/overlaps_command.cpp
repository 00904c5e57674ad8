// spinformer glass overlaps: R vector-spin replicas with the same couplings and field from different
// random starts; the overlap matrix, the RSB order parameter chi with its uncertainty, and the phase.
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "glass/replicas.hpp"
#include "glass/vector_replicas.hpp"
#include "glass/vector_spin.hpp"
#include "lab/atomic_file.hpp"
#include "lab/parse.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {
namespace {

struct OverlapFlags {
  int N = 64, D = 32, replicas = 5;
  double h = 1.0, T = 0, beta = 0;
  std::int64_t steps = 1'000'000, thin = 10'000;
  double burn_in = 0.5, sigma = 0;
  bool adapt_sigma = false, json = false;
  std::uint64_t seed = 1;
  std::string couplings, field, out;
  bool T_given = false, beta_given = false;
};

nlohmann::json matrix_json(const Eigen::MatrixXd& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (int a = 0; a < m.rows(); ++a) {
    nlohmann::json row = nlohmann::json::array();
    for (int b = 0; b < m.cols(); ++b) row.push_back(m(a, b));
    rows.push_back(row);
  }
  return rows;
}

void run_overlaps(const OverlapFlags& f, const std::vector<std::string>& argv) {
  // --T and --beta are told apart by whether they were given, not by a value of 0
  if (f.T_given && f.beta_given) throw lab::UsageError("--T", "give --T or --beta, not both");
  const double beta = f.T_given ? 1 / f.T : f.beta_given ? f.beta : 1.0;
  if (f.thin > f.steps) throw lab::UsageError("--thin", fmt::format("must be in [1, steps], got {}", f.thin));
  if (f.couplings.empty() != f.field.empty())
    throw lab::UsageError(f.couplings.empty() ? "--couplings" : "--field", "--couplings and --field go together");
  if (f.couplings.empty()) {
    const double n = f.N, d = f.D;
    lab::require_memory("--N", 8.0 * (2 * n * n + (4.0 * f.replicas + 4) * n * d), fmt::format("N = {}, D = {}", f.N, f.D));
    lab::require_work("--steps", double(f.steps) * f.replicas * n * d, "the replicas");
  } else {
    lab::require_readable(f.couplings, "--couplings", std::uintmax_t{1} << 30);
    lab::require_readable(f.field, "--field", std::uintmax_t{1} << 30);
  }
  lab::require_memory("--thin", 8.0 * double(f.steps / f.thin) * f.replicas * f.replicas, "the recorded overlaps");
  if (!f.out.empty()) {
    lab::require_distinct({{"--couplings", f.couplings}, {"--field", f.field}}, {{"--out", f.out}, {"--out", f.out + ".json"}});
    lab::require_writable(f.out, "--out");
    lab::require_writable(f.out + ".json", "--out");
  }

  const auto model = f.couplings.empty() ? glass::VectorSpinModel::random(f.N, f.D, f.h, f.seed)
                                         : glass::VectorSpinModel::from_files(f.couplings, f.field, f.h);
  glass::VectorReplicaOptions o;
  o.replicas = f.replicas, o.beta = beta, o.sigma = f.sigma, o.proposals = f.steps, o.thin = f.thin,
  o.burn_in_fraction = f.burn_in, o.adapt_sigma = f.adapt_sigma, o.seed = f.seed;
  const auto run = glass::run_vector_replicas(model, o);
  const auto st = glass::overlap_statistics(run.overlaps, glass::cosine_null_variance(model.N, model.D));
  const auto phase = glass::classify(st, model.N);

  if (!f.out.empty()) {  // the overlap series: one row per recorded time, the R(R-1)/2 pairs
    lab::Table table{{"t"}, {}};
    for (int a = 0; a < f.replicas; ++a)
      for (int b = a + 1; b < f.replicas; ++b) table.columns.push_back(fmt::format("q_{}_{}", a, b));
    for (std::size_t t = 0; t < run.overlaps.size(); ++t) {
      std::vector<double> row{double(t)};
      for (int a = 0; a < f.replicas; ++a)
        for (int b = a + 1; b < f.replicas; ++b) row.push_back(run.overlaps[t](a, b));
      table.add(row);
    }
    lab::RunMetadata meta("spinformer glass overlaps");
    meta.set_seed(f.seed);
    meta.parameters() = {{"N", model.N}, {"D", model.D}, {"h", f.h}, {"beta", beta}, {"replicas", f.replicas},
                         {"steps", f.steps}, {"thin", f.thin}, {"burn_in", f.burn_in}, {"sigma", f.sigma},
                         {"adapt_sigma", f.adapt_sigma}, {"couplings", f.couplings}, {"field", f.field}};
    lab::write_with_sidecar(f.out, "--out", [&](std::ostream& out) { lab::write_table(out, table); }, meta,
                            {{"command_line", argv}});
  }
  if (f.json) {
    nlohmann::json out = {{"N", model.N}, {"D", model.D}, {"h", f.h}, {"beta", beta}, {"T", 1 / beta},
                          {"replicas", f.replicas}, {"steps", f.steps},
                          {"overlap_matrix", matrix_json(st.last)}, {"mean_overlap_matrix", matrix_json(st.mean)},
                          {"q", st.q.value}, {"q_err", st.q.error}, {"chi", st.chi.value}, {"chi_err", st.chi.error},
                          {"spread", st.spread.value}, {"spread_err", st.spread.error},
                          {"rsb_threshold", glass::rsb_threshold(model.N)}, {"phase", glass::to_string(phase)},
                          {"acceptance", run.acceptance}, {"sigma", run.sigma}, {"alignment", run.alignment}};
    std::cout << out.dump() << '\n';
    return;
  }
  fmt::print("{} vector-spin replicas, N = {}, D = {}, h = {}, T = {}, {} proposals each (sigma {:.4g}, acceptance {:.3f})\n",
             f.replicas, model.N, model.D, f.h, 1 / beta, f.steps, run.sigma, run.acceptance);
  fmt::print("overlap matrix (last recorded states):\n");
  for (int a = 0; a < f.replicas; ++a) {
    std::vector<std::string> row;
    for (int b = 0; b < f.replicas; ++b) row.push_back(fmt::format("{:7.3f}", st.last(a, b)));
    fmt::print("  {}\n", fmt::join(row, " "));
  }
  fmt::print("mean off-diagonal overlap q = {:.4f} ± {:.4f}\n", st.q.value, st.q.error);
  fmt::print("RSB order parameter chi = {:.3f} ± {:.3f} (threshold sqrt(N) = {:.2f}) -> {}\n", st.chi.value,
             st.chi.error, glass::rsb_threshold(model.N), glass::to_string(phase));
}

}  // namespace

void add_glass_overlaps_command(CLI::App& glass) {
  auto f = std::make_shared<OverlapFlags>();
  auto argv = std::make_shared<std::vector<std::string>>();
  auto* cmd = glass.add_subcommand("overlaps", "replica overlap matrix and RSB order parameter (vector-spin model)");
  add_integer(*cmd, "--N", f->N, 1, 100'000, "number of spins");
  add_integer(*cmd, "--D", f->D, 3, 100'000, "spin dimension");
  add_real(*cmd, "--h", f->h, -1e3, 1e3, "field strength (multiplies the field)");
  add_real(*cmd, "--T", f->T, 1e-6, 1e6, "temperature (or --beta)")->default_str("");
  add_real(*cmd, "--beta", f->beta, 1e-6, 1e6, "inverse temperature (default 1)")->default_str("");
  add_integer(*cmd, "--replicas", f->replicas, 2, 64, "number of replicas");
  add_integer(*cmd, "--steps", f->steps, 1, 1'000'000'000'000, "proposals per replica");
  add_integer(*cmd, "--thin", f->thin, 1, 1'000'000'000'000, "proposals between recorded overlap matrices");
  add_real(*cmd, "--burn-in", f->burn_in, 0, 0.99, "fraction of the proposals before the first record");
  add_real(*cmd, "--sigma", f->sigma, 0, 1e3, "proposal width (0: the thesis's 1/(N sqrt D))");
  cmd->add_flag("--adapt-sigma", f->adapt_sigma, "adapt the width during burn-in towards 30% acceptance, then freeze it");
  add_seed(*cmd, "--seed", f->seed, "random seed (couplings, field, starts, chains)");
  cmd->add_option("--couplings", f->couplings, "couplings file: N rows of N numbers");
  cmd->add_option("--field", f->field, "field file: N rows of D numbers (already scaled; --h multiplies it)");
  cmd->add_option("--out", f->out, "write the overlap series (TSV, one row per record) and its JSON sidecar");
  cmd->add_flag("--json", f->json, "print one JSON object");
  cmd->callback([f, argv, cmd] {
    f->T_given = cmd->count("--T") > 0;
    f->beta_given = cmd->count("--beta") > 0;
    *argv = {"spinformer", "glass", "overlaps"};
    for (const auto& s : cmd->remaining()) argv->push_back(s);
    run_overlaps(*f, *argv);
  });
}

}  // namespace spinformer::cli
