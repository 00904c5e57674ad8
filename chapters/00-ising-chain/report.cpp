// Chapter 0: the values and tables its text quotes ({{key}} in text.md; {{config.*}} comes with the Config).
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ising/exact.hpp"
#include "lab/measurements.hpp"
#include "lab/report.hpp"

#include "ising_chain_steps.hpp"

namespace spinformer {

using lab::format_key;

void text_values(lab::Chapter& ch, const Config& cfg, const SamplerStudy& samplers, const EquilibrationStudy& eq) {
  nlohmann::json& results = ch.results();
  const char* sampler_names[] = {"exact", "metropolis", "multispin"};
  std::string table = "| T | sampler | energy per spin | specific heat per spin | samples tested | p (energy) | "
                      "p (magnetisation) | max abs z of C(r) |\n|---|---|---|---|---|---|---|---|\n";
  std::string eq_table = "| T | xi (exact) | sweeps needed (per seed) | tau_int energy (sweeps) | tau_int "
                         "magnetisation (sweeps) |\n|---|---|---|---|---|\n";
  for (std::size_t t = 0; t < cfg.temperatures.size(); ++t) {
    const double T = cfg.temperatures[t];
    const SamplerComparison& c = samplers.at[t];
    const SamplerMeasurement* m = c.sampler;
    for (int s = 0; s < 3; ++s)
      table += fmt::format("| {} | {} | {} | {} | {} | {:.3g} | {:.3g} | {:.1f} |\n", format_key(T), sampler_names[s],
                           lab::pm(m[s].energy, "{:.4f}"), lab::pm(m[s].specific_heat, "{:.4f}"),
                           lab::format_thousands(m[s].samples_tested), m[s].p_energy, m[s].p_magnetization,
                           m[s].max_corr_z);
    const auto th = ising::ExactChain(ring(cfg.L, T)).thermodynamics();
    table += fmt::format("| {} | *exact* | {:.4f} | {:.4f} |  |  |  |  |\n", format_key(T), th.energy_per_spin,
                         th.specific_heat_per_spin);

    const double xi_formula = -1.0 / std::log(std::tanh(1.0 / T));
    results[fmt::format("xi_ring_T{}", format_key(T))] = fmt::format("{:.2f}", m[0].xi_exact);
    results[fmt::format("xi_fit_T{}", format_key(T))] = lab::pm(m[0].xi, "{:.2f}");
    results[fmt::format("xi_formula_T{}", format_key(T))] = fmt::format("{:.2f}", xi_formula);
    results[fmt::format("tau_m_sweeps_T{}", format_key(T))] =
        fmt::format("{:.0f}", in_sweeps(cfg, c.tau_magnetization.tau_int));

    std::vector<std::string> per_seed;
    for (long s : eq.sweeps_needed[t])
      per_seed.push_back(s < 0 ? "> " + std::to_string(cfg.max_equilibration_sweeps) : std::to_string(s));
    eq_table += fmt::format("| {} | {:.2f} | {} | {:.0f} | {:.0f} |\n", format_key(T), xi_formula,
                            fmt::join(per_seed, ", "), in_sweeps(cfg, c.tau_energy.tau_int),
                            in_sweeps(cfg, c.tau_magnetization.tau_int));
  }
  results["sampler_table"] = table;
  results["equilibration_table"] = eq_table;
  results["n_samples"] = lab::format_thousands(cfg.n);
  results["chains_per_replicate"] = lab::format_thousands(cfg.chains_per_replicate());
  results["tmin"] = format_key(cfg.temperatures.front());
  results["tmax"] = format_key(cfg.temperatures.back());
  results["temperatures"] = fmt::format("{}", fmt::join(cfg.temperatures, ", "));
}

}  // namespace spinformer
