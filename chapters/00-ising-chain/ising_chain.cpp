// Chapter 0 — The Ising chain, exactly.
// The L = 32 ring the transformer chapters train on, sampled three ways (exact i.i.d., the seed's
// single-chain Metropolis, the production multi-spin heat bath) and held against the exact answers:
// energy, specific heat, C(r), xi, the energy and magnetisation distributions, autocorrelation times,
// and how many sweeps Metropolis needs before it is indistinguishable from exact sampling.
//
// The sampling runs as jobs on the library's engine (lab/jobs.hpp; the jobs are in
// ising_chain_measurements.cpp): the three samplers per temperature, and per temperature and
// replicate the equilibration study and the seed's Metropolis after its 500 sweeps. Each job's seed is
// fixed by its place in the design, so the outputs do not depend on --workers or MPI ranks, and a
// rerun reuses every finished job from the cache. This program writes the tables, claims and text values.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "code_hash.hpp"
#include "ising/estimators.hpp"
#include "ising/exact.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter_cli.hpp"
#include "lab/intervals.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/run_metadata.hpp"
#include "lab/statistics.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"
#include "lab/verdict.hpp"

#include "ising_chain_measurements.hpp"

using namespace spinformer;
using lab::format_key;
using ising::Chain;

// Per temperature, the numbers the claims are judged on.
struct PerTemperature {
  std::vector<double> tau_energy, tau_magnetization;  // tau_int in samples, one per replicate chain
  lab::Estimate xi_samples;                             // fitted to exact samples (jackknife error)
  double xi_ring = 0, xi_formula = 0;                   // the ring's exact C(r) fitted alike; -1/ln tanh(J/T)
  std::vector<double> energy_bias_500, m2_bias_500;     // seed's Metropolis after 500 sweeps minus exact, per seed
  std::vector<long> sweeps_needed;                      // multi-spin heat bath, per seed
};

int main(int argc, char** argv) {
  lab::install_signal_cleanup();
  lab::ChapterOptions opt;  // --workers: jobs at a time; --threads changes nothing here (one thread per job)
  CLI::App app{"Chapter 0: the Ising chain, exactly"};
  lab::add_chapter_options(app, opt, SPINFORMER_CODE_HASH);
  if (const int status = lab::parse_chapter_args(app, argc, argv, "ch00"); status >= 0) return status;
  return lab::run_chapter("ch00", [&] {
    opt.check();
    const std::string &profile_name = opt.profile, &out_dir = opt.out;
    Config cfg = profile(profile_name);
    cfg.workers = opt.workers_or(cfg.workers);
    lab::Engine engine(lab::chapter_engine("ch00", profile_name, out_dir, cfg.workers, SPINFORMER_CODE_HASH));
    engine.define("samplers",
                  [](const lab::Job& j, const lab::JobContext&) { return samplers_job(j.parameters, j.seed); });
    engine.define("equilibration",
                  [](const lab::Job& j, const lab::JobContext&) { return equilibration_job(j.parameters, j.seed); });
    engine.define("metropolis_bias",
                  [](const lab::Job& j, const lab::JobContext&) { return metropolis_bias_job(j.parameters, j.seed); });
    if (!engine.root()) return (void)engine.serve();
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
    // xi_ring_fit: the paper's fit (ising/correlation_length.hpp) to the ring's exact C(r), equal weights.
    lab::Table curves{{"T", "energy_per_spin", "specific_heat_per_spin", "xi_ring_bulk", "xi_formula", "xi_ring_fit"},
                      {}};
    for (double T = 0.3; T <= 6.0001; T += 0.02) {
      const ising::ExactChain exact(ring(cfg.L, T));
      const auto th = exact.thermodynamics();
      curves.add({T, th.energy_per_spin, th.specific_heat_per_spin, exact.correlation_length(),
                  -1.0 / std::log(std::tanh(1.0 / T)), ising::fit_correlation_length(exact.connected_correlation())});
    }
    lab::write_table(path("exact_curves.tsv"), curves);
    meta.write_sidecar(path("exact_curves.tsv"));

    // ---- 2. three samplers at every temperature: one job per T --------------------------------------
    const std::size_t nT = cfg.temperatures.size();
    std::vector<lab::Job> sampler_jobs;
    for (std::size_t t = 0; t < nT; ++t)
      sampler_jobs.push_back({"samplers T = " + format_key(cfg.temperatures[t]),
                              {{"L", cfg.L}, {"T", cfg.temperatures[t]}, {"n", cfg.n},
                               {"equilibration_sweeps", cfg.seed_schedule.equilibration_sweeps},
                               {"sweeps_between", cfg.seed_schedule.sweeps_between}, {"replicates", cfg.replicates}},
                              cfg.seed + 1000 * t, {}});
    const auto sampler_results = engine.run("samplers", sampler_jobs);

    const char* sampler_names[] = {"exact", "metropolis", "multispin"};
    lab::Table observables{{"T", "sampler", "energy", "energy_err", "specific_heat", "specific_heat_err", "xi",
                            "xi_err", "p_energy", "p_magnetization", "max_corr_z", "tau_energy_sweeps",
                            "tau_magnetization_sweeps", "chi_square_samples"},
                           {}};
    lab::Table autocorr{{"T", "tau_energy_samples", "tau_magnetization_samples", "tau_energy_sweeps",
                         "tau_magnetization_sweeps", "ess_fraction_magnetization", "tau_energy_sweeps_err",
                         "tau_magnetization_sweeps_err"},
                        {}};
    std::vector<std::vector<std::string>> sampler_rows;  // for the generated Markdown table
    std::vector<PerTemperature> per_temperature;  // what the claims are judged on
    for (std::size_t t = 0; t < nT; ++t) {
      const double T = cfg.temperatures[t];
      const ising::ExactChain exact(ring(cfg.L, T));
      const auto exact_corr = exact.connected_correlation();
      const SamplerComparison c = sampler_comparison(sampler_results[t].value);
      const SamplerMeasurement* m = c.sampler;
      const lab::Autocorrelation &tau_e = c.tau_energy, &tau_m = c.tau_magnetization;
      PerTemperature per_t;
      per_t.tau_energy = c.replicate_tau_energy;
      per_t.tau_magnetization = c.replicate_tau_magnetization;
      const double between = static_cast<double>(cfg.seed_schedule.sweeps_between);
      // Sokal's error of tau_int: tau sqrt(2 (2W + 1) / n).
      auto tau_error = [&](const lab::Autocorrelation& a) {
        return a.tau_int * std::sqrt(2.0 * (2 * a.window + 1) / static_cast<double>(cfg.n));
      };
      autocorr.add({T, tau_e.tau_int, tau_m.tau_int, tau_e.tau_int * between, tau_m.tau_int * between,
                    tau_m.effective_sample_size / static_cast<double>(cfg.n), tau_error(tau_e) * between,
                    tau_error(tau_m) * between});

      lab::Table corr_table{{"r", "exact", "pure_exponential", "exact_sampler", "exact_sampler_err", "metropolis",
                             "metropolis_err", "multispin", "multispin_err"},
                            {}};
      const double tanh_k = std::tanh(1.0 / T);
      for (int r = 0; r < cfg.L; ++r)
        corr_table.add({double(r), exact_corr[r], std::pow(tanh_k, r), m[0].corr.value[r], m[0].corr.error[r],
                        m[1].corr.value[r], m[1].corr.error[r], m[2].corr.value[r], m[2].corr.error[r]});
      lab::write_table(path(fmt::format("corr_T{}.tsv", format_key(T))), corr_table);
      meta.parameters()["T"] = T;
      meta.parameters()["n"] = cfg.n;
      meta.set_seed(sampler_jobs[t].seed);
      meta.write_sidecar(path(fmt::format("corr_T{}.tsv", format_key(T))));

      // Energy histogram: exact probabilities beside the three samplers' frequencies.
      const auto levels = exact.energy_distribution();
      lab::Table hist{{"energy_per_spin", "exact_probability", "exact_sampler", "exact_sampler_err", "metropolis",
                       "metropolis_err", "multispin", "multispin_err"},
                      {}};
      for (std::size_t l = 0; l < levels.size(); ++l) {
        std::vector<double> row{levels[l].energy / cfg.L, levels[l].probability};
        for (int s = 0; s < 3; ++s) {
          // Binomial error with the effective sample size n / tau_int for the seed's correlated chain.
          const double n_eff = static_cast<double>(cfg.n) / (s == 1 ? std::max(tau_e.tau_int, 1.0) : 1.0);
          const double f = m[s].energy_counts.at(l) / static_cast<double>(cfg.n);
          row.push_back(f);
          row.push_back(std::sqrt(std::max(f * (1 - f), 1.0 / n_eff) / n_eff));
        }
        hist.add(row);
      }
      lab::write_table(path(fmt::format("energy_hist_T{}.tsv", format_key(T))), hist);
      meta.write_sidecar(path(fmt::format("energy_hist_T{}.tsv", format_key(T))));

      for (int s = 0; s < 3; ++s) {
        observables.add({T, double(s), m[s].energy.value, m[s].energy.error, m[s].specific_heat.value,
                         m[s].specific_heat.error, m[s].xi.value, m[s].xi.error, m[s].p_energy,
                         m[s].p_magnetization, m[s].max_corr_z,
                         s == 1 ? tau_e.tau_int * between : NAN, s == 1 ? tau_m.tau_int * between : NAN,
                         double(m[s].samples_tested)});
        sampler_rows.push_back({format_key(T), sampler_names[s],
                                fmt::format("{:.4f} ± {:.4f}", m[s].energy.value, m[s].energy.error),
                                fmt::format("{:.4f} ± {:.4f}", m[s].specific_heat.value, m[s].specific_heat.error),
                                lab::format_thousands(m[s].samples_tested), fmt::format("{:.3g}", m[s].p_energy),
                                fmt::format("{:.3g}", m[s].p_magnetization),
                                fmt::format("{:.1f}", m[s].max_corr_z)});
      }
      const auto th = exact.thermodynamics();
      sampler_rows.push_back({format_key(T), "*exact*", fmt::format("{:.4f}", th.energy_per_spin),
                              fmt::format("{:.4f}", th.specific_heat_per_spin), "", "", "", ""});
      const double xi_formula = -1.0 / std::log(tanh_k);
      // The ring's exact C(r) fitted the same way (same window, same weights) as the exact samples'.
      const double xi_ring = m[0].xi_exact;
      per_t.xi_samples = m[0].xi;
      per_t.xi_ring = xi_ring;
      per_t.xi_formula = xi_formula;
      per_temperature.push_back(per_t);
      results[fmt::format("xi_ring_T{}", format_key(T))] = fmt::format("{:.2f}", xi_ring);
      results[fmt::format("xi_fit_T{}", format_key(T))] = fmt::format("{:.2f} ± {:.2f}", m[0].xi.value, m[0].xi.error);
      results[fmt::format("xi_formula_T{}", format_key(T))] = fmt::format("{:.2f}", xi_formula);
      results[fmt::format("tau_m_sweeps_T{}", format_key(T))] = fmt::format("{:.0f}", tau_m.tau_int * between);
    }
    lab::write_table(path("observables.tsv"), observables);
    meta.parameters().erase("T");
    // These tables span every temperature: the sidecar names the base seed and how each job's derives from it.
    meta.set_seed(cfg.seed);
    const std::string sampler_seeds = "seed + 1000 t for temperature index t (exact sampler; +1 the seed's Metropolis, "
                                      "+2 multi-spin, +100 + r replicate chain r)";
    meta.write_sidecar(path("observables.tsv"),
                       {{"sampler_index", {"exact", "metropolis", "multispin"}}, {"job_seeds", sampler_seeds}});
    lab::write_table(path("autocorrelation.tsv"), autocorr);
    meta.write_sidecar(path("autocorrelation.tsv"), {{"job_seeds", sampler_seeds}});

    // ---- 3. equilibration: sweeps from a random start, in independent replicates ---------------
    // Each replicate (seed) has its own independent chains: multi-spin heat-bath chains for the
    // sweeps-needed grid, and, for the seed's claim about its own algorithm, scalar Metropolis chains
    // after the seed's 500 sweeps. Intervals come from the spread between replicates. One job per
    // temperature, replicate and kind of chain; job t * replicates + r.
    const std::size_t chains_per_replicate = cfg.n / static_cast<std::size_t>(cfg.replicates);
    const long seed_sweeps = cfg.seed_schedule.equilibration_sweeps;
    std::vector<lab::Job> equilibration_jobs, bias_jobs;
    for (std::size_t t = 0; t < nT; ++t)
      for (int r = 0; r < cfg.replicates; ++r) {
        const std::string label = fmt::format("T = {}, replicate {}", format_key(cfg.temperatures[t]), r);
        const nlohmann::json chains{{"L", cfg.L}, {"T", cfg.temperatures[t]}, {"chains", chains_per_replicate}};
        nlohmann::json p = chains;
        p.update({{"max_sweeps", cfg.max_equilibration_sweeps}, {"seed_sweeps", seed_sweeps}, {"alpha", cfg.alpha}});
        equilibration_jobs.push_back({"equilibration " + label, p, cfg.seed + 1000 * t + 3 + 10 * r, {}});
        p = chains;
        p["sweeps"] = seed_sweeps;
        bias_jobs.push_back({"Metropolis after the seed's sweeps " + label, p, cfg.seed + 1000 * t + 5 + 10 * r, {}});
      }
    const auto equilibration_results = engine.run("equilibration", equilibration_jobs);
    const auto bias_results = engine.run("metropolis_bias", bias_jobs);
    lab::Table equilibration{{"T", "sweeps", "p_energy", "p_magnetization", "replicate", "energy_bias", "m2_bias"}, {}};
    lab::Table metropolis_500{{"T", "replicate", "energy_bias", "m2_bias"}, {}};
    for (std::size_t t = 0; t < nT; ++t) {
      for (int r = 0; r < cfg.replicates; ++r) {
        const std::size_t j = t * static_cast<std::size_t>(cfg.replicates) + static_cast<std::size_t>(r);
        const EquilibrationReplicate rep = equilibration_replicate(equilibration_results[j].value);
        for (std::size_t k = 0; k < rep.sweeps.size(); ++k) {
          equilibration.add({cfg.temperatures[t], double(rep.sweeps[k]), rep.p_energy[k], rep.p_magnetization[k],
                             double(r), rep.energy_bias[k], rep.m2_bias[k]});
        }
        const MetropolisBias bias = metropolis_bias(bias_results[j].value);
        metropolis_500.add({cfg.temperatures[t], double(r), bias.energy, bias.m2});
        per_temperature[t].energy_bias_500.push_back(bias.energy);
        per_temperature[t].m2_bias_500.push_back(bias.m2);
        per_temperature[t].sweeps_needed.push_back(rep.needed);
      }
    }
    lab::write_table(path("equilibration.tsv"), equilibration);
    meta.parameters()["alpha"] = cfg.alpha;
    meta.parameters()["replicates"] = cfg.replicates;
    meta.parameters()["chains_per_replicate"] = chains_per_replicate;
    meta.write_sidecar(path("equilibration.tsv"), {{"job_seeds", "seed + 1000 t + 3 + 10 r (temperature t, replicate r)"}});
    lab::write_table(path("metropolis_500_sweeps.tsv"), metropolis_500);
    meta.parameters()["sweeps"] = seed_sweeps;
    meta.write_sidecar(path("metropolis_500_sweeps.tsv"),
                       {{"job_seeds", "seed + 1000 t + 5 + 10 r (temperature t, replicate r)"}});

    // ---- 4. the seed's claims, judged by the verdict rule ------------------------------------------
    // Every claim covers all temperatures; its intervals are simultaneous (Bonferroni) over them.
    auto T_label = [&](std::size_t t) { return "T = " + format_key(cfg.temperatures[t]); };
    auto range_of = [](const std::vector<long>& v) {
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      if (*lo < 0) return std::string("never");
      return *lo == *hi ? std::to_string(*lo) : fmt::format("{}-{}", *lo, *hi);
    };
    const std::string source = "000_700600b7864feadb.txt";
    lab::Claims claims("00-ising-chain", "The Ising chain, exactly");

    lab::Claim equilibrium{"0.1", "source", "Metropolis from a random start is in equilibrium after 500-1000 sweeps",
                           source + ", Algorithm, step 3"};
    const double eq_level = equilibrium.simultaneous(2 * nT);
    std::vector<std::string> needed;
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& pt = per_temperature[t];
      equilibrium.condition(T_label(t), "energy per spin after 500 sweeps minus exact",
                            lab::t_interval(pt.energy_bias_500, eq_level), lab::Direction::within, -cfg.energy_band,
                            cfg.energy_band);
      equilibrium.condition(T_label(t), "mean m^2 after 500 sweeps minus exact",
                            lab::t_interval(pt.m2_bias_500, eq_level), lab::Direction::within, -cfg.m2_band,
                            cfg.m2_band);
      needed.push_back(fmt::format("{} at T = {}", range_of(pt.sweeps_needed), format_key(cfg.temperatures[t])));
    }
    equilibrium.short_form("Metropolis equilibrates in 500-1000 sweeps")
        .criterion(fmt::format(
            "at every T, the mean energy per spin and mean m^2 (m = M / L) of the seed's Metropolis (random "
            "sites, single chains) after 500 sweeps from random starts lie within {:g} J and {:g} of the exact "
            "values; Student-t intervals over {} seeds of {} independent chains, each at level {:.4f} "
            "(Bonferroni, family alpha 0.05)",
            cfg.energy_band, cfg.m2_band, cfg.replicates, lab::format_thousands(chains_per_replicate), eq_level))
        .measured(fmt::format(
            "sweeps until both chi-square tests on independent multi-spin heat-bath chains pass for good "
            "(p > {:g}), range over the {} seeds: {}", cfg.alpha,
            cfg.replicates, fmt::join(needed, "; ")));
    claims.add(equilibrium);

    lab::Claim decorrelated{"0.2", "source", "10-20 sweeps between samples decorrelate them",
                            source + ", Algorithm, step 4"};
    const double tau_level = decorrelated.simultaneous(2 * nT);
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& pt = per_temperature[t];
      decorrelated.condition(T_label(t), "tau_int of the energy (samples)", lab::t_interval(pt.tau_energy, tau_level),
                             lab::Direction::below, cfg.tau_threshold);
      decorrelated.condition(T_label(t), "tau_int of the magnetisation (samples)",
                             lab::t_interval(pt.tau_magnetization, tau_level), lab::Direction::below,
                             cfg.tau_threshold);
    }
    decorrelated.short_form("10 sweeps between samples decorrelate them")
        .criterion(fmt::format(
            "at every T, the integrated autocorrelation times of energy and magnetisation, in samples 10 sweeps "
            "apart, are below {:g}; Student-t intervals over {} independent chains of {} samples, each at level "
            "{:.4f} (Bonferroni, family alpha 0.05)",
            cfg.tau_threshold, cfg.replicates, lab::format_thousands(cfg.n / cfg.replicates), tau_level));
    claims.add(decorrelated);

    lab::Claim exponential{"0.3", "source", "C(r) decays as exp(-r/xi), xi = -1/ln tanh(J/T)",
                           source + ", Physics background"};
    for (std::size_t t = 0; t < nT; ++t) {
      const double ratio = per_temperature[t].xi_ring / per_temperature[t].xi_formula;  // exact: no interval width
      exponential.condition(T_label(t), "xi fitted to the ring's exact C(r) / formula", ratio, ratio, ratio,
                            lab::Direction::within, 1 - cfg.xi_band, 1 + cfg.xi_band);
    }
    exponential.short_form("C(r) = exp(-r/xi) with the chain's xi on the L = 32 ring")
        .criterion(fmt::format(
            "on the seed's L = {} ring, xi fitted to the exact C(r) = (t^r + t^(L-r)) / (1 + t^L) (the paper's "
            "fit of exp(-r/xi) over r = 1..{}, weighted by the exact samples' error bars) lies within {:g}% of "
            "-1/ln tanh(J/T) at every T; both are exact numbers, so each interval is a point",
            cfg.L, ising::correlation_window(cfg.L).last, 100 * cfg.xi_band));
    claims.add(exponential);

    lab::Claim xi_validation{"0.4", "validation", "Exact samples reproduce the ring's fitted correlation length",
                             "this chapter; the ring's exact C(r)"};
    const double xi_level = xi_validation.simultaneous(nT);
    for (std::size_t t = 0; t < nT; ++t) {
      const auto& pt = per_temperature[t];
      const lab::Estimate ratio{pt.xi_samples.value / pt.xi_ring, pt.xi_samples.error / pt.xi_ring};
      xi_validation.condition(T_label(t), "xi fitted to exact samples / xi fitted to the exact C(r)",
                              lab::normal_interval(ratio, xi_level), lab::Direction::within, 1 - cfg.xi_band,
                              1 + cfg.xi_band);
    }
    xi_validation.short_form("sampled xi matches the ring's exact xi")
        .criterion(fmt::format(
            "at every T, xi fitted to {} exact samples lies within {:g}% of xi fitted the same way (same window "
            "r = 1..{}, same weights) to the exact C(r); normal intervals from the jackknife error of the whole "
            "fit, each at level {:.4f} (Bonferroni, family alpha 0.05)",
            lab::format_thousands(cfg.n), 100 * cfg.xi_band, ising::correlation_window(cfg.L).last, xi_level));
    claims.add(xi_validation);

    const nlohmann::json claims_json = claims.to_json();
    lab::write_claims(path("claims.json"), claims_json, "--out");

    // ---- 5. values quoted in the chapter text --------------------------------------------------------
    std::string table = "| T | sampler | energy per spin | specific heat per spin | samples tested | p (energy) | "
                        "p (magnetisation) | max abs z of C(r) |\n|---|---|---|---|---|---|---|---|\n";
    for (const auto& row : sampler_rows) table += fmt::format("| {} |\n", fmt::join(row, " | "));
    results["sampler_table"] = table;
    std::string eq_table = "| T | xi (exact) | sweeps needed (per seed) | tau_int energy (sweeps) | tau_int "
                           "magnetisation (sweeps) |\n|---|---|---|---|---|\n";
    for (std::size_t t = 0; t < nT; ++t) {
      std::vector<std::string> per_seed;
      for (long s : per_temperature[t].sweeps_needed)
        per_seed.push_back(s < 0 ? "> " + std::to_string(cfg.max_equilibration_sweeps) : std::to_string(s));
      eq_table += fmt::format("| {} | {:.2f} | {} | {:.0f} | {:.0f} |\n", format_key(cfg.temperatures[t]),
                              per_temperature[t].xi_formula, fmt::join(per_seed, ", "), autocorr.rows[t][3],
                              autocorr.rows[t][4]);
    }
    results["equilibration_table"] = eq_table;
    results["claims_table"] = lab::claim_details_markdown(claims_json);
    results["replicates"] = cfg.replicates;
    results["chains_per_replicate"] = lab::format_thousands(chains_per_replicate);
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
