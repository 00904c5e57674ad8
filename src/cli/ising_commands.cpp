// spinformer ising exact|logprob|sample: the exact chain, the exact probability of given
// configurations, and the chain's samplers.
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <sstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/atomic_file.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {
namespace {

using ising::Chain;

// Bounds of the chain's flags. The exact results are computed in log space and stay finite up to
// beta |J| of about 5e5; beyond that (T = 1e-3 with |J| = 1e3) they are refused naming --T.
constexpr std::int64_t kMaxL = 1'000'000;
constexpr double kMaxCoupling = 1e3, kMinT = 1e-3, kMaxT = 1e6;

struct ChainFlags {
  Chain chain;
  std::string boundary = "periodic";

  void add_to(CLI::App& cmd) {
    add_integer(cmd, "--L", chain.L, 2, kMaxL, "chain length");
    add_real(cmd, "--J", chain.J, -kMaxCoupling, kMaxCoupling, "coupling J");
    add_real(cmd, "--h", chain.h, -kMaxCoupling, kMaxCoupling, "field h");
    add_real(cmd, "--T", chain.T, kMinT, kMaxT, "temperature T (k_B = 1)");
    cmd.add_option("--boundary", boundary, "periodic | open")->capture_default_str();
  }
  Chain validated() {
    chain.boundary = ising::parse_boundary(boundary);
    ising::validate(chain);
    return chain;
  }
};

nlohmann::json finite_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }

// Every printed number must be a number: an extreme (finite) parameter is refused, never printed as NaN.
void require_finite_result(const Chain& chain, std::initializer_list<double> values, const std::vector<double>& corr) {
  bool finite = true;
  for (double v : values) finite = finite && std::isfinite(v);
  for (double v : corr) finite = finite && std::isfinite(v);
  if (!finite)
    throw lab::UsageError("--T", fmt::format("the exact results are not representable at T = {}, J = {}, h = {}",
                                             chain.T, chain.J, chain.h));
}

void run_exact(ChainFlags& flags, bool as_json) {
  const Chain chain = flags.validated();
  const ising::ExactChain exact(chain);
  const auto thermo = exact.thermodynamics();
  const auto corr = exact.connected_correlation();
  const double xi = exact.correlation_length();
  require_finite_result(chain, {thermo.log_z, thermo.energy_per_spin, thermo.magnetization_per_spin,
                                thermo.specific_heat_per_spin, thermo.susceptibility_per_spin}, corr);
  if (as_json) {
    nlohmann::json out = {{"L", chain.L},
                          {"T", chain.T},
                          {"J", chain.J},
                          {"h", chain.h},
                          {"boundary", ising::to_string(chain.boundary)},
                          {"log_z", thermo.log_z},
                          {"energy_per_spin", thermo.energy_per_spin},
                          {"magnetization_per_spin", thermo.magnetization_per_spin},
                          {"specific_heat_per_spin", thermo.specific_heat_per_spin},
                          {"susceptibility_per_spin", thermo.susceptibility_per_spin},
                          {"correlation_length", finite_or_null(xi)},
                          {"corr", corr}};
    std::cout << out.dump() << '\n';
    return;
  }
  fmt::print("1D Ising chain, L = {}, J = {}, h = {}, T = {}, {} boundary (exact)\n", chain.L, chain.J, chain.h,
             chain.T, ising::to_string(chain.boundary));
  fmt::print("  log Z                   {:.12g}\n", thermo.log_z);
  fmt::print("  energy per spin         {:.12g}\n", thermo.energy_per_spin);
  fmt::print("  magnetisation per spin  {:.12g}\n", thermo.magnetization_per_spin);
  fmt::print("  specific heat per spin  {:.12g}\n", thermo.specific_heat_per_spin);
  fmt::print("  susceptibility per spin {:.12g}\n", thermo.susceptibility_per_spin);
  fmt::print("  correlation length xi   {:.12g}\n", xi);
  fmt::print("  connected C(r), r = 0..{}:\n", std::min(chain.L - 1, 16));
  for (int r = 0; r < chain.L && r <= 16; ++r) fmt::print("    {:3d}  {:.12g}\n", r, corr[r]);
}

// Configurations for `ising logprob`: rows of L values +1 or -1 (1 and +1 both mean up) separated by
// whitespace, as `ising sample` writes them; blank lines and '#' lines are skipped. "-" reads stdin
// (a pipe cannot be bounded in advance, so only files get require_readable's size check). Everything
// is read and checked before anything is printed: a bad row anywhere means no output at all.
std::vector<ising::Spin> read_configurations(const std::string& path, int L) {
  std::ifstream file;
  if (path != "-") {
    lab::require_readable(path, "--configs");
    file.open(path);
    if (!file) throw lab::UsageError("--configs", fmt::format("cannot read '{}'", path));
  }
  std::istream& in = path == "-" ? std::cin : file;
  const std::string where = path == "-" ? "stdin" : path;
  std::vector<ising::Spin> spins;
  std::string line, field;
  std::vector<ising::Spin> row;
  for (std::size_t line_number = 1; std::getline(in, line); ++line_number) {
    if (line.empty() || line[0] == '#') continue;
    row.clear();
    std::istringstream fields(line);
    while (fields >> field) {
      if (field == "1" || field == "+1") row.push_back(1);
      else if (field == "-1") row.push_back(-1);
      else throw lab::UsageError("--configs", fmt::format("{}:{}: spin {} is '{}', not +1 or -1", where, line_number,
                                                          row.size() + 1, field));
    }
    if (row.empty()) continue;
    if (static_cast<int>(row.size()) != L)
      throw lab::UsageError("--configs", fmt::format("{}:{}: {} spins, but --L is {}", where, line_number, row.size(), L));
    spins.insert(spins.end(), row.begin(), row.end());
  }
  if (in.bad()) throw lab::UsageError("--configs", fmt::format("cannot read '{}'", where));
  if (spins.empty()) throw lab::UsageError("--configs", fmt::format("{} holds no configurations", where));
  return spins;
}

// log p_T(s) = -H(s)/T - ln Z for each configuration, from the transfer-matrix chain (the same
// ExactChain the chapters' KLs use), so a reader can check a model's log-likelihood without
// writing -beta H - log Z by hand.
void run_logprob(ChainFlags& flags, const std::string& configs, bool as_json) {
  const Chain chain = flags.validated();
  const std::vector<ising::Spin> spins = read_configurations(configs, chain.L);
  const ising::ExactChain exact(chain);
  const double log_z = exact.log_partition();
  const std::size_t n = spins.size() / static_cast<std::size_t>(chain.L);
  std::vector<double> log_p(n), energy(n);
  for (std::size_t k = 0; k < n; ++k) {
    const ising::Spin* s = spins.data() + k * static_cast<std::size_t>(chain.L);
    log_p[k] = exact.log_probability(s);
    energy[k] = ising::energy(chain, s);
  }
  require_finite_result(chain, {log_z}, log_p);
  if (as_json) {
    std::vector<double> per_spin(n);
    for (std::size_t k = 0; k < n; ++k) per_spin[k] = log_p[k] / chain.L;
    nlohmann::json out = {{"L", chain.L}, {"T", chain.T}, {"J", chain.J}, {"h", chain.h},
                          {"boundary", ising::to_string(chain.boundary)}, {"log_z", log_z},
                          {"log_p", log_p}, {"log_p_per_spin", per_spin}, {"energy", energy}};
    std::cout << out.dump() << '\n';
    return;
  }
  fmt::print("# exact log p_T(s) = -H(s)/T - ln Z (natural log), 1D Ising chain, L = {}, J = {}, h = {}, T = {}, "
             "{} boundary; ln Z = {:.17g}\n", chain.L, chain.J, chain.h, chain.T, ising::to_string(chain.boundary), log_z);
  fmt::print("# log_p\tlog_p_per_spin\tenergy\n");
  for (std::size_t k = 0; k < n; ++k) fmt::print("{:.17g}\t{:.17g}\t{:.17g}\n", log_p[k], log_p[k] / chain.L, energy[k]);
}

struct SampleFlags {
  std::string sampler = "exact";
  long long n = 1000;
  std::uint64_t seed = 1;
  long long equilibration_sweeps = 500;
  long long sweeps_between = 10;
  long long samples_per_chain = 1;
  std::string out;
};

void run_sample(ChainFlags& flags, const SampleFlags& s, const std::vector<std::string>& argv) {
  const Chain chain = flags.validated();
  // n and L are bounded at parsing, so these products are exact in double
  const double spins = static_cast<double>(s.n) * chain.L;
  if (spins > 2e9) throw lab::UsageError("--n", fmt::format("n * L = {:.3g} spins, more than 2e9", spins));
  lab::require_memory("--n", 2 * spins, "the samples");
  if (s.sampler != "exact" && s.sampler != "metropolis" && s.sampler != "multispin")
    throw lab::UsageError("--sampler", fmt::format("must be exact, metropolis or multispin, got '{}'", s.sampler));
  if (s.sampler != "exact") {
    const double per_chain = static_cast<double>(chain.L) * static_cast<double>(s.sweeps_between);
    lab::require_work("--equilibration-sweeps", static_cast<double>(s.equilibration_sweeps) * chain.L, "equilibration");
    lab::require_work(per_chain > 1e9 ? "--sweeps-between" : "--n", spins * static_cast<double>(s.sweeps_between),
                      "the sweeps between samples");
  }
  lab::require_writable(s.out, "--out");
  lab::require_writable(s.out + ".json", "--out");

  lab::RunMetadata meta("spinformer ising sample");
  const std::size_t n = static_cast<std::size_t>(s.n);
  const ising::MetropolisSchedule schedule{s.equilibration_sweeps, s.sweeps_between};
  ising::SpinSamples samples;
  if (s.sampler == "exact") samples = ising::ExactSampler(chain).draw(n, s.seed);
  else if (s.sampler == "metropolis") samples = ising::scalar_metropolis_samples(chain, n, schedule, s.seed);
  else
    samples = ising::multispin_metropolis_samples(chain, n, schedule, static_cast<std::size_t>(s.samples_per_chain),
                                                  s.seed);

  lab::SpinTable table{chain.L, std::move(samples.spins)};
  meta.set_seed(s.seed);
  meta.parameters() = {{"L", chain.L},
                       {"J", chain.J},
                       {"h", chain.h},
                       {"T", chain.T},
                       {"boundary", ising::to_string(chain.boundary)},
                       {"sampler", s.sampler},
                       {"n", s.n},
                       {"equilibration_sweeps", s.equilibration_sweeps},
                       {"sweeps_between", s.sweeps_between},
                       {"samples_per_chain", s.samples_per_chain}};
  lab::write_with_sidecar(s.out, "--out", [&](std::ostream& out) { lab::write_spin_table(out, table); }, meta,
                          {{"command_line", argv}});
  fmt::print(stderr, "wrote {} configurations of {} spins to {}\n", s.n, chain.L, s.out);
}

}  // namespace

void add_ising_commands(CLI::App& app) {
  auto* ising = app.add_subcommand("ising", "the 1D Ising chain: exact results and samplers");
  ising->require_subcommand(1);

  auto exact_flags = std::make_shared<ChainFlags>();
  auto as_json = std::make_shared<bool>(false);
  auto* exact = ising->add_subcommand("exact", "exact thermodynamics and correlations (transfer matrix)");
  exact_flags->add_to(*exact);
  exact->add_flag("--json", *as_json, "print one JSON object");
  exact->callback([exact_flags, as_json] { run_exact(*exact_flags, *as_json); });

  auto logprob_flags = std::make_shared<ChainFlags>();
  auto configs = std::make_shared<std::string>("-");
  auto logprob_json = std::make_shared<bool>(false);
  auto* logprob = ising->add_subcommand("logprob", "exact log p_T(s) = -H(s)/T - ln Z of given configurations");
  logprob_flags->add_to(*logprob);
  logprob->add_option("--configs", *configs, "file of configurations, one row of L values +-1 each; - reads stdin")
      ->capture_default_str();
  logprob->add_flag("--json", *logprob_json, "print one JSON object {log_z, log_p, log_p_per_spin, energy}");
  logprob->callback([logprob_flags, configs, logprob_json] { run_logprob(*logprob_flags, *configs, *logprob_json); });

  auto sample_flags = std::make_shared<ChainFlags>();
  auto s = std::make_shared<SampleFlags>();
  auto* sample = ising->add_subcommand("sample", "draw configurations: exact i.i.d. or Metropolis");
  sample_flags->add_to(*sample);
  sample->add_option("--sampler", s->sampler,
                     "exact (i.i.d. from the exact conditionals) | metropolis (the seed's single chain) | "
                     "multispin (production: 64 chains per word)")
      ->capture_default_str();
  add_integer(*sample, "--n", s->n, 1, 2'000'000'000, "number of configurations");
  add_seed(*sample, "--seed", s->seed, "random seed");
  add_integer(*sample, "--equilibration-sweeps", s->equilibration_sweeps, 0, 1'000'000'000,
              "sweeps before the first sample");
  add_integer(*sample, "--sweeps-between", s->sweeps_between, 1, 1'000'000'000, "sweeps between samples of one chain");
  add_integer(*sample, "--samples-per-chain", s->samples_per_chain, 1, 1'000'000'000,
              "multispin: samples taken from each chain");
  sample->add_option("--out", s->out, "output TSV (one configuration of +-1 per row; sidecar FILE.json)")
      ->required();
  sample->callback([sample_flags, s, sample] {
    std::vector<std::string> argv = {"spinformer", "ising", "sample"};
    for (const auto& opt : sample->get_options())
      if (opt->count() > 0 && opt->get_name() != "--help")
        argv.push_back(opt->get_name() + "=" + opt->as<std::string>());
    run_sample(*sample_flags, *s, argv);
  });
}

}  // namespace spinformer::cli
