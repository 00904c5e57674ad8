// spinformer ising2d exact|sample|tau|conditionals: the exact L x L torus, its samplers, their
// autocorrelation times at T_c, and the exact raster-order conditionals a transformer learns.
#include <cmath>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "ising2d/conditionals.hpp"
#include "ising2d/exact.hpp"
#include "ising2d/measurements.hpp"
#include "ising2d/onsager.hpp"
#include "ising2d/samplers.hpp"
#include "lab/atomic_file.hpp"
#include "lab/parse.hpp"
#include "lab/progress.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {
namespace {

using ising2d::Lattice;

// J and T enter only through J / T (<= 300, checked by ising2d::validate) and as scales of the
// energies; beyond these bounds the printed energies over- or underflow.
constexpr double kMinCoupling = 1e-6, kMaxCoupling = 1e6;
constexpr std::int64_t kMaxSweeps = 1'000'000'000'000;  // the work budget bounds the products

struct LatticeFlags {
  Lattice lattice;

  void add_to(CLI::App& cmd) {
    add_integer(cmd, "--L", lattice.L, 2, 65536, "linear size of the L x L torus");
    add_real(cmd, "--J", lattice.J, kMinCoupling, kMaxCoupling, "coupling J > 0");
    add_real(cmd, "--T", lattice.T, kMinCoupling, kMaxCoupling, "temperature T > 0 (k_B = 1; default T_c for J = 1)");
  }
  Lattice validated() const {
    ising2d::validate(lattice);
    return lattice;
  }
};

nlohmann::json finite_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }

// The command line as given (flags that were set), for sidecars.
std::vector<std::string> command_line(const CLI::App* cmd, const std::string& name) {
  std::vector<std::string> argv = {"spinformer", "ising2d", name};
  for (const auto& opt : cmd->get_options())
    if (opt->count() > 0 && opt->get_name() != "--help") argv.push_back(opt->get_name() + "=" + opt->as<std::string>());
  return argv;
}

// ---- exact -------------------------------------------------------------------------------------------

// Kaufman's four terms cancel to within e^{-2 K} of each other; beyond K = J / T ~ 175 the partition
// sum underflows to zero (measured: L = 2 .. 1024 fail at K = 180, hold at K = 170). The bound keeps a
// margin; there the lattice is in its ground state to 1e-130 anyway.
constexpr double kMaxExactCoupling = 150;

void run_exact(const LatticeFlags& flags, bool as_json) {
  const Lattice lattice = flags.validated();
  if (lattice.J / lattice.T > kMaxExactCoupling)
    throw lab::UsageError("--T", fmt::format("J / T = {} is above {} (the exact sums underflow; lower J or raise T)",
                                             lattice.J / lattice.T, kMaxExactCoupling));
  const ising2d::Thermodynamics t = ising2d::kaufman_thermodynamics(lattice);
  const double J = lattice.J, T = lattice.T;
  const double f_inf = ising2d::onsager_free_energy_per_spin(J, T), u_inf = ising2d::onsager_energy_per_spin(J, T);
  const double c_inf = ising2d::onsager_specific_heat_per_spin(J, T), m_inf = ising2d::yang_magnetization(J, T);
  if (as_json) {
    const nlohmann::json out = {{"L", lattice.L},
                                {"T", T},
                                {"J", J},
                                {"critical_temperature", ising2d::critical_temperature(J)},
                                {"log_z", t.log_z},
                                {"free_energy_per_spin", t.free_energy_per_spin},
                                {"energy_per_spin", t.energy_per_spin},
                                {"specific_heat_per_spin", t.specific_heat_per_spin},
                                {"onsager_free_energy_per_spin", f_inf},
                                {"onsager_energy_per_spin", u_inf},
                                {"onsager_specific_heat_per_spin", finite_or_null(c_inf)},
                                {"yang_magnetization", m_inf}};
    std::cout << out.dump() << '\n';
    return;
  }
  fmt::print("2D Ising model, {} x {} torus, J = {}, T = {} (T_c = {:.12g}), h = 0 (exact, Kaufman)\n", lattice.L,
             lattice.L, J, T, ising2d::critical_temperature(J));
  fmt::print("  log Z                   {:.12g}\n", t.log_z);
  fmt::print("  free energy per spin    {:.12g}\n", t.free_energy_per_spin);
  fmt::print("  energy per spin         {:.12g}\n", t.energy_per_spin);
  fmt::print("  specific heat per spin  {:.12g}\n", t.specific_heat_per_spin);
  fmt::print("infinite lattice (Onsager, Yang)\n");
  fmt::print("  free energy per spin    {:.12g}\n", f_inf);
  fmt::print("  energy per spin         {:.12g}\n", u_inf);
  fmt::print("  specific heat per spin  {:.12g}\n", c_inf);
  fmt::print("  magnetisation           {:.12g}\n", m_inf);
}

// ---- sample ------------------------------------------------------------------------------------------

struct SampleFlags {
  std::string sampler = "metropolis";
  long long n = 1000;
  std::uint64_t seed = 1;
  long long equilibration_sweeps = 1000;
  long long sweeps_between = 10;
  long long samples_per_chain = 1;
  std::string out;
};

void run_sample(const LatticeFlags& flags, const SampleFlags& s, const std::vector<std::string>& argv) {
  const Lattice lattice = flags.validated();
  if (s.sampler != "metropolis" && s.sampler != "wolff")
    throw lab::UsageError("--sampler", fmt::format("must be metropolis or wolff, got '{}'", s.sampler));
  if (s.sampler == "metropolis" && lattice.L % 2 != 0)
    throw lab::UsageError("--L", fmt::format("must be even for the checkerboard Metropolis sampler, got {}", lattice.L));
  if (s.n <= 0) throw lab::UsageError("--n", fmt::format("must be > 0, got {}", s.n));
  if (s.n > 2'000'000'000LL / (static_cast<long long>(lattice.L) * lattice.L))
    throw lab::UsageError("--n", "n * L * L must stay below 2e9 spins");
  if (s.equilibration_sweeps < 0)
    throw lab::UsageError("--equilibration-sweeps", fmt::format("must be >= 0, got {}", s.equilibration_sweeps));
  if (s.sweeps_between < 1)
    throw lab::UsageError("--sweeps-between", fmt::format("must be >= 1, got {}", s.sweeps_between));
  if (s.samples_per_chain < 1)
    throw lab::UsageError("--samples-per-chain", fmt::format("must be >= 1, got {}", s.samples_per_chain));
  {
    // a sweep costs L^2 spin updates (Metropolis: for 64 chains at once, one per bit of a word)
    const double spins = double(lattice.L) * lattice.L;
    const double chains = s.sampler == "wolff" ? 1.0 : std::ceil(double(s.n) / (64.0 * double(s.samples_per_chain)));
    const double per_chain_samples = s.sampler == "wolff" ? double(s.n) : double(s.samples_per_chain);
    const double equilibration = (s.sampler == "wolff" ? 2.0 : 1.0) * double(s.equilibration_sweeps);
    const double between = per_chain_samples * double(s.sweeps_between);
    lab::require_work(between >= equilibration ? "--sweeps-between" : "--equilibration-sweeps",
                      chains * (equilibration + between) * spins, "the sampling sweeps");
    lab::require_memory("--n", 2.0 * double(s.n) * spins, "the stored configurations");
  }
  lab::require_writable(s.out, "--out");

  lab::RunMetadata meta("spinformer ising2d sample");
  const std::size_t n = static_cast<std::size_t>(s.n);
  const ising2d::MetropolisSchedule schedule{s.equilibration_sweeps, s.sweeps_between};
  const std::size_t per_chain = s.sampler == "wolff" ? 1 : static_cast<std::size_t>(s.samples_per_chain);
  lab::Progress progress("ising2d sample (sweeps)", ising2d::sample_sweeps(n, schedule, per_chain));
  ising2d::LatticeSamples samples =
      s.sampler == "wolff" ? ising2d::wolff_samples(lattice, n, schedule, s.seed, &progress)
                           : ising2d::checkerboard_metropolis_samples(lattice, n, schedule, per_chain, s.seed, &progress);
  progress.finish();
  lab::SpinTable table{lattice.L * lattice.L, std::move(samples.spins)};
  lab::write_spin_table(s.out, table, "--out");
  meta.set_seed(s.seed);
  meta.parameters() = {{"L", lattice.L},
                       {"J", lattice.J},
                       {"T", lattice.T},
                       {"h", 0.0},
                       {"boundary", "periodic"},
                       {"layout", "raster: column y * L + x is spin (x, y)"},
                       {"sampler", s.sampler},
                       {"n", s.n},
                       {"equilibration_sweeps", s.equilibration_sweeps},
                       {"sweeps_between", s.sweeps_between},
                       {"samples_per_chain", s.samples_per_chain}};
  meta.write_sidecar(s.out, {{"command_line", argv}});
  fmt::print(stderr, "wrote {} configurations of {} x {} spins to {}\n", s.n, lattice.L, lattice.L, s.out);
}

// ---- tau: integrated autocorrelation times against L -----------------------------------------------

struct TauFlags {
  std::vector<int> sizes = {4, 8, 16, 32, 64};
  double J = 1.0;
  double T = 0;
  bool T_given = false;  // otherwise T_c(J)
  long long metropolis_sweeps = 5000;  // at L = 8, scaled by (L / 8)^2
  long long wolff_sweeps = 2000;
  int wolff_chains = 32;
  int fit_from = 16;
  std::uint64_t seed = 1;
  std::string out;
  bool as_json = false;
};

void run_tau(const TauFlags& f, const std::vector<std::string>& argv) {
  if (f.sizes.empty()) throw lab::UsageError("--sizes", "give at least one size");
  for (int L : f.sizes)
    if (L < 4 || L > 1024 || L % 2 != 0) throw lab::UsageError("--sizes", fmt::format("sizes must be even and in [4, 1024], got {}", L));
  lab::require_positive("--J", f.J);
  if (f.T_given) lab::require_positive("--T", f.T);
  if (f.metropolis_sweeps < 100)
    throw lab::UsageError("--metropolis-sweeps", fmt::format("must be >= 100, got {}", f.metropolis_sweeps));
  if (f.wolff_sweeps < 100) throw lab::UsageError("--wolff-sweeps", fmt::format("must be >= 100, got {}", f.wolff_sweeps));
  if (f.wolff_chains < 2) throw lab::UsageError("--wolff-chains", fmt::format("must be >= 2, got {}", f.wolff_chains));
  {
    double metropolis = 0, wolff = 0;  // spin updates: a sweep is L^2 of them (Metropolis: 64 chains at once)
    for (int L : f.sizes) {
      const double spins = double(L) * L;
      metropolis += 1.05 * std::max(1000.0, double(f.metropolis_sweeps) * (L / 8.0) * (L / 8.0)) * spins;
      wolff += (double(f.wolff_sweeps) + 100.0) * f.wolff_chains * spins;
    }
    lab::require_work("--metropolis-sweeps", metropolis, "the Metropolis chains");
    lab::require_work("--wolff-sweeps", wolff, "the Wolff chains");
    lab::require_memory("--wolff-sweeps", 8.0 * 4 * double(f.wolff_sweeps) * f.wolff_chains, "the Wolff time series");
  }
  if (!f.out.empty()) lab::require_writable(f.out, "--out");
  const double T = f.T_given ? f.T : ising2d::critical_temperature(f.J);
  {
    Lattice probe;
    probe.J = f.J;
    probe.T = T;
    ising2d::validate(probe);
  }

  lab::RunMetadata meta("spinformer ising2d tau");
  struct Row {
    int L;
    ising2d::ChainMeasurement metropolis, wolff;
  };
  std::vector<Row> rows;
  lab::Progress progress("ising2d tau", static_cast<long>(2 * f.sizes.size()));
  for (int L : f.sizes) {
    Lattice lattice;
    lattice.L = L;
    lattice.J = f.J;
    lattice.T = T;
    ising2d::MeasurementPlan mp;
    mp.sweeps = std::max(1000LL, static_cast<long long>(f.metropolis_sweeps * (L / 8.0) * (L / 8.0)));
    mp.equilibration_sweeps = std::max(1000L, mp.sweeps / 20);
    mp.record_every = std::max(1L, mp.sweeps / 20000);  // thinning bias O(record_every^2 / tau): < 1%
    Row row{L, ising2d::measure_checkerboard_metropolis(lattice, mp, f.seed + static_cast<std::uint64_t>(L)), {}};
    progress.advance();
    ising2d::MeasurementPlan wp;
    wp.sweeps = f.wolff_sweeps;
    wp.equilibration_sweeps = 100;
    wp.chains = f.wolff_chains;
    row.wolff = ising2d::measure_wolff(lattice, wp, f.seed + 7919 + static_cast<std::uint64_t>(L));
    progress.advance();
    rows.push_back(row);
  }
  progress.finish();

  // z from ln tau against ln L over the sizes >= fit_from.
  std::vector<int> fit_sizes;
  std::vector<lab::Estimate> me, mm, we, wm;
  for (const Row& r : rows)
    if (r.L >= f.fit_from) {
      fit_sizes.push_back(r.L);
      me.push_back(r.metropolis.tau_energy);
      mm.push_back(r.metropolis.tau_abs_magnetization);
      we.push_back(r.wolff.tau_energy);
      wm.push_back(r.wolff.tau_abs_magnetization);
    }
  const bool can_fit = fit_sizes.size() >= 2;
  auto fit = [&](const std::vector<lab::Estimate>& taus) {
    return can_fit ? ising2d::fit_dynamic_exponent(fit_sizes, taus) : lab::Estimate{NAN, NAN};
  };
  const lab::Estimate z_me = fit(me), z_mm = fit(mm), z_we = fit(we), z_wm = fit(wm);

  lab::Table table;
  table.columns = {"L", "metropolis_tau_energy", "err", "metropolis_tau_abs_m", "err", "metropolis_sweeps",
                   "wolff_tau_energy", "err", "wolff_tau_abs_m", "err", "wolff_sweeps", "wolff_mean_cluster_fraction"};
  for (const Row& r : rows)
    table.add({static_cast<double>(r.L), r.metropolis.tau_energy.value, r.metropolis.tau_energy.error,
               r.metropolis.tau_abs_magnetization.value, r.metropolis.tau_abs_magnetization.error,
               r.metropolis.sweeps_per_chain, r.wolff.tau_energy.value, r.wolff.tau_energy.error,
               r.wolff.tau_abs_magnetization.value, r.wolff.tau_abs_magnetization.error, r.wolff.sweeps_per_chain,
               r.wolff.mean_cluster_size / (static_cast<double>(r.L) * r.L)});
  const nlohmann::json fits = {{"fit_sizes", fit_sizes},
                               {"z_metropolis_energy", {finite_or_null(z_me.value), finite_or_null(z_me.error)}},
                               {"z_metropolis_abs_m", {finite_or_null(z_mm.value), finite_or_null(z_mm.error)}},
                               {"z_wolff_energy", {finite_or_null(z_we.value), finite_or_null(z_we.error)}},
                               {"z_wolff_abs_m", {finite_or_null(z_wm.value), finite_or_null(z_wm.error)}}};
  if (!f.out.empty()) {
    lab::write_table(f.out, table, "--out");
    meta.set_seed(f.seed);
    meta.parameters() = {{"sizes", f.sizes},
                         {"J", f.J},
                         {"T", T},
                         {"metropolis_sweeps_at_L8", f.metropolis_sweeps},
                         {"wolff_sweeps", f.wolff_sweeps},
                         {"wolff_chains", f.wolff_chains},
                         {"fit_from", f.fit_from}};
    meta.write_sidecar(f.out, {{"command_line", argv}, {"fits", fits}});
  }
  if (f.as_json) {
    nlohmann::json out = fits;
    out["T"] = T;
    out["J"] = f.J;
    out["rows"] = nlohmann::json::array();
    for (const auto& row : table.rows) {
      nlohmann::json r = nlohmann::json::object();
      for (std::size_t k = 0; k < table.columns.size(); ++k)
        if (table.columns[k] != "err") r[table.columns[k]] = row[k];
      r["metropolis_tau_energy_error"] = row[2];
      r["metropolis_tau_abs_m_error"] = row[4];
      r["wolff_tau_energy_error"] = row[7];
      r["wolff_tau_abs_m_error"] = row[9];
      out["rows"].push_back(r);
    }
    std::cout << out.dump() << '\n';
    return;
  }
  fmt::print("integrated autocorrelation times in sweeps, T = {:.10g}, J = {} (64 Metropolis chains, {} Wolff chains)\n",
             T, f.J, f.wolff_chains);
  fmt::print("{:>5} {:>18} {:>18} {:>16} {:>16} {:>8}\n", "L", "metropolis tau_E", "metropolis tau_|m|",
             "wolff tau_E", "wolff tau_|m|", "<|C|>/N");
  for (const Row& r : rows)
    fmt::print("{:>5} {:>10.4g} ± {:<5.2g} {:>10.4g} ± {:<5.2g} {:>8.4g} ± {:<5.2g} {:>8.4g} ± {:<5.2g} {:>8.3f}\n", r.L,
               r.metropolis.tau_energy.value, r.metropolis.tau_energy.error, r.metropolis.tau_abs_magnetization.value,
               r.metropolis.tau_abs_magnetization.error, r.wolff.tau_energy.value, r.wolff.tau_energy.error,
               r.wolff.tau_abs_magnetization.value, r.wolff.tau_abs_magnetization.error,
               r.wolff.mean_cluster_size / (static_cast<double>(r.L) * r.L));
  if (can_fit)
    fmt::print("z (fit of ln tau on ln L, L >= {}): metropolis {:.3f} ± {:.3f} (E), {:.3f} ± {:.3f} (|m|); "
               "wolff {:.3f} ± {:.3f} (E), {:.3f} ± {:.3f} (|m|)\n",
               f.fit_from, z_me.value, z_me.error, z_mm.value, z_mm.error, z_we.value, z_we.error, z_wm.value,
               z_wm.error);
}

// ---- conditionals: exact log p(s_i | s_<i) in raster order ------------------------------------------

void run_conditionals(const LatticeFlags& flags, const std::string& configs) {
  const Lattice lattice = flags.validated();
  if (lattice.L < 3 || lattice.L > ising2d::RasterConditionals::kMaxL)
    throw lab::UsageError("--L", fmt::format("must be in [3, {}] for the exact conditionals (a transfer over 2^L "
                                             "frontier states), got {}",
                                             ising2d::RasterConditionals::kMaxL, lattice.L));
  const lab::SpinTable table = lab::read_spin_table(configs, "--configs", lattice.L * lattice.L);
  const ising2d::RasterConditionals exact(lattice.L, lattice.J / lattice.T);
  const std::size_t N = static_cast<std::size_t>(lattice.L) * lattice.L;
  std::string text;
  for (std::size_t row = 0; row * N < table.values.size(); ++row) {
    const auto v = exact.log_conditionals(table.values.data() + row * N);
    for (std::size_t i = 0; i < N; ++i) text += fmt::format(i + 1 < N ? "{:.17g}\t" : "{:.17g}\n", v[i]);
  }
  std::cout << text << std::flush;
}

}  // namespace

void add_ising2d_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("ising2d", "the 2D Ising model on an L x L torus: exact results and samplers");
  cmd->require_subcommand(1);

  auto exact_flags = std::make_shared<LatticeFlags>();
  auto as_json = std::make_shared<bool>(false);
  auto* exact = cmd->add_subcommand("exact", "exact log Z, free energy, energy and specific heat (Kaufman), "
                                             "and the infinite-lattice limits (Onsager, Yang)");
  exact_flags->add_to(*exact);
  exact->add_flag("--json", *as_json, "print one JSON object");
  exact->callback([exact_flags, as_json] { run_exact(*exact_flags, *as_json); });

  auto sample_flags = std::make_shared<LatticeFlags>();
  auto s = std::make_shared<SampleFlags>();
  auto* sample = cmd->add_subcommand("sample", "draw configurations: checkerboard Metropolis or Wolff");
  sample_flags->add_to(*sample);
  sample
      ->add_option("--sampler", s->sampler,
                   "metropolis (multi-spin checkerboard, 64 chains per word; L even) | wolff (one cluster chain)")
      ->capture_default_str();
  add_integer(*sample, "--n", s->n, 1, 2'000'000'000, "number of configurations");
  add_seed(*sample, "--seed", s->seed, "random seed");
  add_integer(*sample, "--equilibration-sweeps", s->equilibration_sweeps, 0, kMaxSweeps,
              "sweeps before the first sample (Wolff: twice, as L^2 flipped spins each, then as fixed cluster counts)");
  add_integer(*sample, "--sweeps-between", s->sweeps_between, 1, kMaxSweeps, "sweeps between samples of one chain");
  add_integer(*sample, "--samples-per-chain", s->samples_per_chain, 1, 2'000'000'000,
              "metropolis: samples taken from each chain");
  sample
      ->add_option("--out", s->out,
                   "output TSV: one configuration per row, L*L values of +-1 in raster order (sidecar FILE.json)")
      ->required();
  sample->callback([sample_flags, s, sample] { run_sample(*sample_flags, *s, command_line(sample, "sample")); });

  auto cond_flags = std::make_shared<LatticeFlags>();
  auto cond_configs = std::make_shared<std::string>();
  auto* conditionals = cmd->add_subcommand(
      "conditionals", "print the exact log p(s_i | s_<i) in raster order (natural log), one line of L*L values per "
                      "configuration; nan for the first row when L > 10 (3 <= L <= 16)");
  cond_flags->add_to(*conditionals);
  conditionals->add_option("--configs", *cond_configs, "configurations: rows of L*L values of +-1 in raster order")
      ->required();
  conditionals->callback([cond_flags, cond_configs] { run_conditionals(*cond_flags, *cond_configs); });

  auto t = std::make_shared<TauFlags>();
  auto* tau = cmd->add_subcommand("tau", "integrated autocorrelation times of both samplers against L, and z");
  tau->add_option("--sizes", t->sizes, "even linear sizes (comma-separated)")->delimiter(',')->capture_default_str();
  add_real(*tau, "--J", t->J, kMinCoupling, kMaxCoupling, "coupling J > 0");
  auto* t_option = add_real(*tau, "--T", t->T, kMinCoupling, kMaxCoupling, "temperature (default: T_c of J)");
  t_option->default_str("");
  add_integer(*tau, "--metropolis-sweeps", t->metropolis_sweeps, 100, kMaxSweeps,
              "Metropolis sweeps per chain at L = 8, scaled by (L/8)^2");
  add_integer(*tau, "--wolff-sweeps", t->wolff_sweeps, 100, kMaxSweeps, "Wolff sweeps per chain");
  add_integer(*tau, "--wolff-chains", t->wolff_chains, 2, 100'000, "independent Wolff chains");
  add_integer(*tau, "--fit-from", t->fit_from, 4, 1024, "smallest L in the fit of z");
  add_seed(*tau, "--seed", t->seed, "random seed");
  tau->add_option("--out", t->out, "also write the table here (TSV with a JSON sidecar)");
  tau->add_flag("--json", t->as_json, "print one JSON object");
  tau->callback([t, tau, t_option] {
    t->T_given = t_option->count() > 0;
    run_tau(*t, command_line(tau, "tau"));
  });
  add_ising2d_baseline_command(*cmd);
}

}  // namespace spinformer::cli
