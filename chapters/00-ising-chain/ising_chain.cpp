// Chapter 0 — The Ising chain, exactly.
// The L = 32 ring the transformer chapters train on, sampled three ways (exact i.i.d., the seed's
// single-chain Metropolis, the production multi-spin Metropolis) and held against the exact answers:
// energy, specific heat, C(r), xi, the energy and magnetisation distributions, autocorrelation times,
// and how many sweeps Metropolis needs before it is indistinguishable from exact sampling.
#include <CLI/CLI.hpp>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "code_hash.hpp"
#include "ising/estimators.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter_cli.hpp"
#include "lab/progress.hpp"
#include "lab/report.hpp"
#include "lab/run_metadata.hpp"
#include "lab/statistics.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

using namespace spinformer;
using lab::format_key;
using ising::Chain;
using ising::SpinSamples;

// ---- configuration (the seed's setup: L = 32 ring, J = 1, h = 0, 50,000 samples per T) ----------
struct Config {
  int L = 32;
  std::vector<double> temperatures{0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0};
  std::size_t n = 50'000;                 // samples per temperature and sampler
  ising::MetropolisSchedule seed_schedule{500, 10};  // the seed: 500 sweeps to equilibrate, 10 between samples
  long max_equilibration_sweeps = 4096;   // equilibration study: 1, 2, 4, ... sweeps
  double alpha = 1e-3;                    // significance level of the chi-square tests
  std::uint64_t seed = 20261125;
};

Config profile(const std::string& name) {
  Config c;
  if (lab::quick_profile(name)) {
    c.temperatures = {0.5, 1.0, 2.0, 5.0};
    c.n = 4'000;
    c.max_equilibration_sweeps = 512;
  }
  return c;
}

// ---- measurements on one set of samples ---------------------------------------------------------
struct Measurement {
  lab::Estimate energy, specific_heat, xi;
  ising::CorrelationEstimate corr;
  double p_energy = 1, p_magnetization = 1;
};

Measurement measure(const Chain& chain, const SpinSamples& samples) {
  Measurement m;
  m.energy = ising::sample_energy_per_spin(chain, samples);
  m.specific_heat = ising::sample_specific_heat_per_spin(chain, samples);
  m.corr = ising::sample_connected_correlation(chain, samples);
  m.xi = ising::sample_correlation_length(chain, samples);  // jackknife over the whole fit
  m.p_energy = ising::energy_chi_square(chain, samples).p_value;
  m.p_magnetization = ising::magnetization_chi_square(chain, samples).p_value;
  return m;
}

int main(int argc, char** argv) {
  lab::install_signal_cleanup();
  lab::ChapterOptions opt;  // --workers and --threads change nothing here: one thread, no jobs
  CLI::App app{"Chapter 0: the Ising chain, exactly"};
  lab::add_chapter_options(app, opt, SPINFORMER_CODE_HASH);
  if (const int status = lab::parse_chapter_args(app, argc, argv, "ch00"); status >= 0) return status;
  return lab::run_chapter("ch00", [&] {
    opt.check();
    const std::string &profile_name = opt.profile, &out_dir = opt.out;
    const Config cfg = profile(profile_name);
    lab::require_writable(out_dir + "/results.json", "--out");
    auto path = [&](const std::string& name) { return out_dir + "/" + name; };
    nlohmann::json results, claims_data;
    results["L"] = cfg.L;
    results["n_samples"] = lab::format_thousands(cfg.n);
    results["profile"] = profile_name;
    results["alpha"] = fmt::format("{:g}", cfg.alpha);

    // ---- 1. exact curves on a fine temperature grid ------------------------------------------
    lab::RunMetadata meta("ch00 exact curves");
    meta.parameters() = {{"L", cfg.L}, {"J", 1.0}, {"h", 0.0}, {"boundary", "periodic"}};
    lab::Table curves{{"T", "energy_per_spin", "specific_heat_per_spin", "xi_ring_bulk", "xi_formula"}, {}};
    for (double T = 0.3; T <= 6.0001; T += 0.02) {
      const ising::ExactChain exact(Chain{cfg.L, 1.0, 0.0, T, ising::Boundary::periodic});
      const auto th = exact.thermodynamics();
      curves.add({T, th.energy_per_spin, th.specific_heat_per_spin, exact.correlation_length(),
                  -1.0 / std::log(std::tanh(1.0 / T))});
    }
    lab::write_table(path("exact_curves.tsv"), curves);
    meta.write_sidecar(path("exact_curves.tsv"));

    // ---- 2. three samplers at every temperature ------------------------------------------------
    const char* sampler_names[] = {"exact", "metropolis", "multispin"};
    lab::Table observables{{"T", "sampler", "energy", "energy_err", "specific_heat", "specific_heat_err", "xi",
                            "xi_err", "p_energy", "p_magnetization", "max_corr_z", "tau_energy_sweeps",
                            "tau_magnetization_sweeps"},
                           {}};
    lab::Table autocorr{{"T", "tau_energy_samples", "tau_magnetization_samples", "tau_energy_sweeps",
                         "tau_magnetization_sweeps", "ess_fraction_magnetization", "tau_energy_sweeps_err",
                         "tau_magnetization_sweeps_err"},
                        {}};
    std::vector<std::vector<std::string>> sampler_rows;  // for the generated Markdown table
    std::vector<double> xi_fit_rel_error;
    double worst_tau_samples = 0, worst_tau_T = 0;
    lab::Progress progress("ch00 samplers", static_cast<long>(cfg.temperatures.size()));
    for (std::size_t t = 0; t < cfg.temperatures.size(); ++t) {
      const double T = cfg.temperatures[t];
      const Chain chain{cfg.L, 1.0, 0.0, T, ising::Boundary::periodic};
      const ising::ExactChain exact(chain);
      const auto exact_corr = exact.connected_correlation();
      const std::uint64_t s0 = cfg.seed + 1000 * t;
      SpinSamples sets[3] = {
          ising::ExactSampler(chain).draw(cfg.n, s0),
          ising::scalar_metropolis_samples(chain, cfg.n, cfg.seed_schedule, s0 + 1),
          ising::multispin_metropolis_samples(chain, cfg.n, cfg.seed_schedule, 1, s0 + 2)};

      // Autocorrelation of the seed's sample sequence (one chain, samples 10 sweeps apart).
      std::vector<double> e_series, m_series;
      for (std::size_t k = 0; k < sets[1].size(); ++k) {
        e_series.push_back(ising::energy(chain, sets[1].row(k)));
        double m = 0;
        for (int i = 0; i < cfg.L; ++i) m += sets[1].row(k)[i];
        m_series.push_back(m);
      }
      const auto tau_e = lab::integrated_autocorrelation(e_series);
      const auto tau_m = lab::integrated_autocorrelation(m_series);
      const double between = static_cast<double>(cfg.seed_schedule.sweeps_between);
      // Sokal's error of tau_int: tau sqrt(2 (2W + 1) / n).
      auto tau_error = [&](const lab::Autocorrelation& a) {
        return a.tau_int * std::sqrt(2.0 * (2 * a.window + 1) / static_cast<double>(e_series.size()));
      };
      autocorr.add({T, tau_e.tau_int, tau_m.tau_int, tau_e.tau_int * between, tau_m.tau_int * between,
                    tau_m.effective_sample_size / static_cast<double>(cfg.n), tau_error(tau_e) * between,
                    tau_error(tau_m) * between});
      const double tau_worst = std::max(tau_e.tau_int, tau_m.tau_int);
      if (tau_worst > worst_tau_samples) worst_tau_samples = tau_worst, worst_tau_T = T;

      lab::Table corr_table{{"r", "exact", "pure_exponential", "exact_sampler", "exact_sampler_err", "metropolis",
                             "metropolis_err", "multispin", "multispin_err"},
                            {}};
      Measurement m[3];
      for (int s = 0; s < 3; ++s) m[s] = measure(chain, sets[s]);
      const double tanh_k = std::tanh(1.0 / T);
      for (int r = 0; r < cfg.L; ++r)
        corr_table.add({double(r), exact_corr[r], std::pow(tanh_k, r), m[0].corr.value[r], m[0].corr.error[r],
                        m[1].corr.value[r], m[1].corr.error[r], m[2].corr.value[r], m[2].corr.error[r]});
      lab::write_table(path(fmt::format("corr_T{}.tsv", format_key(T))), corr_table);
      meta.parameters()["T"] = T;
      meta.parameters()["n"] = cfg.n;
      meta.set_seed(s0);
      meta.write_sidecar(path(fmt::format("corr_T{}.tsv", format_key(T))));

      // Energy histogram: exact probabilities beside the three samplers' frequencies.
      const auto levels = exact.energy_distribution();
      lab::Table hist{{"energy_per_spin", "exact_probability", "exact_sampler", "exact_sampler_err", "metropolis",
                       "metropolis_err", "multispin", "multispin_err"},
                      {}};
      for (const auto& level : levels) {
        std::vector<double> row{level.energy / cfg.L, level.probability};
        for (int s = 0; s < 3; ++s) {
          double count = 0;
          for (std::size_t k = 0; k < sets[s].size(); ++k)
            count += std::abs(ising::energy(chain, sets[s].row(k)) - level.energy) < 1e-9;
          const double f = count / static_cast<double>(cfg.n);
          row.push_back(f);
          row.push_back(std::sqrt(std::max(f * (1 - f), 1.0 / cfg.n) / static_cast<double>(cfg.n)));
        }
        hist.add(row);
      }
      lab::write_table(path(fmt::format("energy_hist_T{}.tsv", format_key(T))), hist);
      meta.write_sidecar(path(fmt::format("energy_hist_T{}.tsv", format_key(T))));

      for (int s = 0; s < 3; ++s) {
        observables.add({T, double(s), m[s].energy.value, m[s].energy.error, m[s].specific_heat.value,
                         m[s].specific_heat.error, m[s].xi.value, m[s].xi.error, m[s].p_energy,
                         m[s].p_magnetization, ising::max_correlation_z(m[s].corr, exact_corr),
                         s == 1 ? tau_e.tau_int * between : NAN, s == 1 ? tau_m.tau_int * between : NAN});
        sampler_rows.push_back({format_key(T), sampler_names[s], fmt::format("{:.4f} ± {:.4f}", m[s].energy.value, m[s].energy.error),
                                fmt::format("{:.4f} ± {:.4f}", m[s].specific_heat.value, m[s].specific_heat.error),
                                fmt::format("{:.3g}", m[s].p_energy), fmt::format("{:.3g}", m[s].p_magnetization),
                                fmt::format("{:.1f}", ising::max_correlation_z(m[s].corr, exact_corr))});
      }
      const auto th = exact.thermodynamics();
      sampler_rows.push_back({format_key(T), "*exact*", fmt::format("{:.4f}", th.energy_per_spin),
                              fmt::format("{:.4f}", th.specific_heat_per_spin), "", "", ""});
      const double xi_formula = -1.0 / std::log(tanh_k);
      xi_fit_rel_error.push_back((m[0].xi.value - xi_formula) / xi_formula);
      results[fmt::format("xi_fit_T{}", format_key(T))] = fmt::format("{:.2f} ± {:.2f}", m[0].xi.value, m[0].xi.error);
      results[fmt::format("xi_formula_T{}", format_key(T))] = fmt::format("{:.2f}", xi_formula);
      results[fmt::format("tau_m_sweeps_T{}", format_key(T))] = fmt::format("{:.0f}", tau_m.tau_int * between);
      progress.advance();
    }
    progress.finish();
    lab::write_table(path("observables.tsv"), observables);
    meta.parameters().erase("T");
    meta.write_sidecar(path("observables.tsv"), {{"sampler_index", {"exact", "metropolis", "multispin"}}});
    lab::write_table(path("autocorrelation.tsv"), autocorr);
    meta.write_sidecar(path("autocorrelation.tsv"));

    // ---- 3. equilibration: sweeps from a random start until Metropolis passes both exact tests --
    lab::Table equilibration{{"T", "sweeps", "p_energy", "p_magnetization"}, {}};
    std::vector<long> sweeps_needed;
    lab::Progress eq_progress("ch00 equilibration", static_cast<long>(cfg.temperatures.size()));
    for (std::size_t t = 0; t < cfg.temperatures.size(); ++t) {
      const double T = cfg.temperatures[t];
      const Chain chain{cfg.L, 1.0, 0.0, T, ising::Boundary::periodic};
      const int words = static_cast<int>((cfg.n + 63) / 64);
      ising::MultispinMetropolis sampler(chain, words, cfg.seed + 1000 * t + 3);
      SpinSamples snapshot{cfg.L, std::vector<ising::Spin>(cfg.n * cfg.L)};
      std::vector<std::pair<long, bool>> passed;
      for (long s = 1, next = 1; s <= cfg.max_equilibration_sweeps; ++s) {
        sampler.sweep();
        if (s != next) continue;
        next *= 2;
        for (std::size_t c = 0; c < cfg.n; ++c) sampler.copy_chain(static_cast<int>(c), snapshot.row(c));
        const double pe = ising::energy_chi_square(chain, snapshot).p_value;
        const double pm = ising::magnetization_chi_square(chain, snapshot).p_value;
        equilibration.add({T, double(s), pe, pm});
        passed.push_back({s, pe > cfg.alpha && pm > cfg.alpha});
      }
      long needed = -1;  // smallest S from which every larger S on the grid passes
      for (auto it = passed.rbegin(); it != passed.rend() && it->second; ++it) needed = it->first;
      sweeps_needed.push_back(needed);
      eq_progress.advance();
    }
    eq_progress.finish();
    lab::write_table(path("equilibration.tsv"), equilibration);
    meta.parameters()["alpha"] = cfg.alpha;
    meta.write_sidecar(path("equilibration.tsv"));

    // ---- 4. verdicts on the seed's claims ----------------------------------------------------------
    const std::size_t nT = cfg.temperatures.size();
    std::size_t eq_held = 0, tau_held = 0, xi_held = 0;
    std::vector<std::string> eq_fail, tau_fail, xi_fail;
    // the multispin sampler at the seed's 500 sweeps, independent chains (sampler index 2)
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& row = observables.rows[3 * t + 2];
      if (row[8] > cfg.alpha && row[9] > cfg.alpha) ++eq_held;
      else eq_fail.push_back(format_key(cfg.temperatures[t]));
      const auto& tau = autocorr.rows[t];
      if (std::max(tau[1], tau[2]) < 2.0) ++tau_held;
      else tau_fail.push_back(format_key(cfg.temperatures[t]));
      const auto& ex = observables.rows[3 * t];
      const double xi_formula = -1.0 / std::log(std::tanh(1.0 / cfg.temperatures[t]));
      if (std::abs(ex[6] - xi_formula) < 3 * ex[7]) ++xi_held;
      else xi_fail.push_back(format_key(cfg.temperatures[t]));
    }
    const std::string source = "000_700600b7864feadb.txt";
    nlohmann::json claims = {
        {"chapter", "00-ising-chain"},
        {"title", "The Ising chain, exactly"},
        {"claims",
         {{{"id", "0.1"},
           {"claim", "Metropolis from a random start is in equilibrium after 500-1000 sweeps"},
           {"source", source + ", Algorithm, step 3"},
           {"measured", fmt::format("500 sweeps pass both exact tests at {}/{} temperatures (fail: {}); sweeps "
                                    "needed: {}",
                                    eq_held, nT, lab::list_or_none(eq_fail), fmt::join(sweeps_needed, ", "))},
           {"criterion", fmt::format("energy and magnetisation chi-square p > {:g} at every T", cfg.alpha)},
           {"verdict", lab::verdict_from_counts(eq_held, nT)}},
          {{"id", "0.2"},
           {"claim", "10-20 sweeps between samples decorrelate them"},
           {"source", source + ", Algorithm, step 4"},
           {"measured", fmt::format("largest tau_int {:.1f} samples (at T = {}); tau_int < 2 at {}/{} temperatures "
                                    "(fail: {})",
                                    worst_tau_samples, format_key(worst_tau_T), tau_held, nT, lab::list_or_none(tau_fail))},
           {"criterion", "tau_int of energy and magnetisation < 2 samples (10 sweeps apart) at every T"},
           {"verdict", lab::verdict_from_counts(tau_held, nT)}},
          {{"id", "0.3"},
           {"claim", "C(r) decays as exp(-r/xi), xi = -1/ln tanh(J/T)"},
           {"source", source + ", Physics background"},
           {"measured", fmt::format("fitted xi agrees with the formula at {}/{} temperatures (fail: {})", xi_held,
                                    nT, lab::list_or_none(xi_fail))},
           {"criterion", "|xi_fit - xi_formula| < 3 s.e., fit of ln C(r) from exact samples on the L = 32 ring"},
           {"verdict", lab::verdict_from_counts(xi_held, nT)}}}}};
    lab::write_claims(path("claims.json"), claims, "--out");

    // ---- 5. values quoted in the chapter text --------------------------------------------------------
    std::string table = "| T | sampler | energy per spin | specific heat per spin | p (energy) | p (magnetisation) | "
                        "max abs z of C(r) |\n|---|---|---|---|---|---|---|\n";
    for (const auto& row : sampler_rows) table += fmt::format("| {} |\n", fmt::join(row, " | "));
    results["sampler_table"] = table;
    std::string eq_table = "| T | xi (exact) | sweeps needed | tau_int energy (sweeps) | tau_int magnetisation "
                           "(sweeps) |\n|---|---|---|---|---|\n";
    for (std::size_t t = 0; t < nT; ++t)
      eq_table += fmt::format("| {} | {:.2f} | {} | {:.0f} | {:.0f} |\n", format_key(cfg.temperatures[t]),
                              -1.0 / std::log(std::tanh(1.0 / cfg.temperatures[t])),
                              sweeps_needed[t] < 0 ? std::string("> ") + std::to_string(cfg.max_equilibration_sweeps)
                                                   : std::to_string(sweeps_needed[t]),
                              autocorr.rows[t][3], autocorr.rows[t][4]);
    results["equilibration_table"] = eq_table;
    results["claims_table"] = lab::claims_markdown({claims});
    results["tmin"] = format_key(cfg.temperatures.front());
    results["tmax"] = format_key(cfg.temperatures.back());
    results["temperatures"] = fmt::format("{}", fmt::join(cfg.temperatures, ", "));
    results["max_sweeps"] = cfg.max_equilibration_sweeps;

    // gnuplot reads the temperature list from here, so the figure script works for every profile.
    const std::string temps = lab::format_keys(cfg.temperatures);
    lab::write_file_atomically(path("plot_vars.gp"),
                               fmt::format("temps = \"{}\"\nL = {}\nalpha = {:g}\n", temps, cfg.L, cfg.alpha));
    // results.json last: its presence marks a finished run for make.
    lab::write_file_atomically(path("results.json"), results.dump(2) + "\n");
  });
}
