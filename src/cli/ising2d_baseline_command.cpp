// spinformer ising2d table-baseline: the lookup-table autoregressive baseline of chapter 6's KL
// thresholds (issue 33), fitted on Wolff samples and scored with the exact log p (Kaufman's log Z).
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "ising2d/exact.hpp"
#include "ising2d/samplers.hpp"
#include "ising2d/table_baseline.hpp"
#include "lab/parse.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {
namespace {

struct BaselineFlags {
  ising2d::Lattice lattice;
  long long train = 20000, test = 20000;
  long long equilibration_sweeps = 200, sweeps_between = 2;
  std::uint64_t seed = 1;
  std::string context = "left,up,up-right";
  bool as_json = false;
};

// Named offsets of a raster-order context (a neighbour later in raster order reads as 0).
std::vector<ising2d::Offset> parse_context(const std::string& text) {
  std::vector<ising2d::Offset> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string name = text.substr(start, end - start);
    if (name == "left") out.push_back({-1, 0});
    else if (name == "up") out.push_back({0, -1});
    else if (name == "up-right") out.push_back({1, -1});
    else if (name == "up-left") out.push_back({-1, -1});
    else if (name == "up-up") out.push_back({0, -2});
    else if (name == "left-left") out.push_back({-2, 0});
    else if (name == "right") out.push_back({1, 0});
    else if (name == "down") out.push_back({0, 1});
    else
      throw lab::UsageError("--context", fmt::format("unknown neighbour '{}' (left, up, up-right, up-left, up-up, "
                                                     "left-left, right, down; comma-separated)", name));
    start = end + 1;
  }
  if (out.size() > 8) throw lab::UsageError("--context", fmt::format("{} neighbours; at most 8", out.size()));
  return out;
}

void run_baseline(const BaselineFlags& f) {
  ising2d::validate(f.lattice);
  const auto context = parse_context(f.context);
  const double spins = double(f.lattice.L) * f.lattice.L;
  lab::require_memory("--train", 2.0 * double(std::max(f.train, f.test)) * spins, "the stored configurations");
  lab::require_work("--sweeps-between", double(f.train + f.test) * double(f.sweeps_between) * spins, "the sampling sweeps");
  if (f.lattice.J / f.lattice.T > 150) throw lab::UsageError("--T", "J / T above 150: the exact log Z underflows");
  const ising2d::MetropolisSchedule schedule{f.equilibration_sweeps, f.sweeps_between};
  // training and test configurations from two independent Wolff chains
  ising2d::TableModel model(context);
  model.fit(ising2d::wolff_samples(f.lattice, static_cast<std::size_t>(f.train), schedule, f.seed));
  const auto test = ising2d::wolff_samples(f.lattice, static_cast<std::size_t>(f.test), schedule, f.seed + 0x9e3779b97f4a7c15ULL);
  const ising2d::KlEstimate kl = ising2d::table_kl_per_spin(f.lattice, model, test);
  if (f.as_json) {
    fmt::print("{}\n", nlohmann::json{{"L", f.lattice.L}, {"T", f.lattice.T}, {"J", f.lattice.J}, {"context", f.context},
                                      {"train", f.train}, {"test", f.test}, {"seed", f.seed},
                                      {"contexts_seen", model.contexts_seen()}, {"kl_per_spin", kl.kl_per_spin},
                                      {"standard_error", kl.standard_error}}
                           .dump());
    return;
  }
  fmt::print("KL(p || q) / N = {:.6f} +- {:.6f} (one standard error over {} test configurations)\n", kl.kl_per_spin,
             kl.standard_error, kl.n);
  fmt::print("lookup table over {} ({} contexts seen), fitted on {} Wolff samples; L = {}, T = {}\n", f.context,
             model.contexts_seen(), f.train, f.lattice.L, f.lattice.T);
}

}  // namespace

void add_ising2d_baseline_command(CLI::App& ising2d) {
  auto f = std::make_shared<BaselineFlags>();
  auto* cmd = ising2d.add_subcommand(
      "table-baseline", "KL(p || q) / N of a lookup-table autoregressive model (raster order, a few earlier "
                        "neighbours as context), fitted on Wolff samples, scored with the exact log p: the trivial "
                        "baseline beside chapter 6's KL thresholds");
  add_integer(*cmd, "--L", f->lattice.L, 2, 256, "linear size of the L x L torus");
  add_real(*cmd, "--J", f->lattice.J, 1e-6, 1e6, "coupling J > 0");
  add_real(*cmd, "--T", f->lattice.T, 1e-6, 1e6, "temperature T > 0 (default T_c for J = 1)");
  add_integer(*cmd, "--train", f->train, 1, 100'000'000, "training configurations (counts of the table)");
  add_integer(*cmd, "--test", f->test, 2, 100'000'000, "test configurations (the KL estimate)");
  add_integer(*cmd, "--equilibration-sweeps", f->equilibration_sweeps, 0, 1'000'000'000, "Wolff sweeps before the first sample");
  add_integer(*cmd, "--sweeps-between", f->sweeps_between, 1, 1'000'000'000, "Wolff sweeps between samples");
  add_seed(*cmd, "--seed", f->seed, "random seed (the test chain uses another stream)");
  cmd->add_option("--context", f->context, "earlier neighbours the table conditions on (comma-separated)")
      ->capture_default_str();
  cmd->add_flag("--json", f->as_json, "print one JSON object");
  cmd->callback([f] { run_baseline(*f); });
}

}  // namespace spinformer::cli
