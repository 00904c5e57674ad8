// Chapter 0: the values and tables its text quotes ({{key}} in text.md; {{config.*}} comes with the Config).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ising/exact.hpp"
#include "lab/measurements.hpp"
#include "lab/report.hpp"

#include "ising_chain_steps.hpp"

namespace spinformer {

using lab::format_key;

namespace {
// A p-value for the text's math: 0.25, or 3.2 \times 10^{-23} below 0.001.
std::string p_math(double p) {
  if (!(p < 1e-3) || p <= 0) return fmt::format("{:.2g}", p);
  const int e = static_cast<int>(std::floor(std::log10(p)));
  return fmt::format("{:.2g} \\times 10^{{{}}}", p / std::pow(10.0, e), e);
}
}  // namespace

void text_values(lab::Chapter& ch, const Config& cfg, const SamplerStudy& samplers, const EquilibrationStudy& eq,
                 const DecorrelationStudy& dec) {
  nlohmann::json& results = ch.results();
  const char* sampler_names[] = {"exact", "metropolis", "multispin"};
  std::string table = "| T | sampler | energy per spin | specific heat per spin | samples tested | p (energy) | "
                      "p (magnetisation) | max abs z of C(r) |\n|---|---|---|---|---|---|---|---|\n";
  std::string eq_table = "| T | xi (exact) | heat bath: sweeps needed (per seed) | seed's Metropolis: tau_int energy "
                         "(sweeps) | seed's Metropolis: tau_int magnetisation (sweeps) |\n|---|---|---|---|---|\n";
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
  // The form and the length of C(r) (claims 0.3a, 0.3b) and the old single-exponential numbers.
  std::string form_table = "| T | xi = -1/ln tanh(J/T) | xi, ring form fitted to samples | p, single exponential | p, "
                           "ring form | p, single exponential on the open chain | single exponential, exact C(r), "
                           "equal weights |\n|---|---|---|---|---|---|---|\n";
  auto mean_of = [](const std::vector<double>& v) { return lab::mean_and_error(v); };
  for (std::size_t t = 0; t < cfg.temperatures.size(); ++t) {
    const double T = cfg.temperatures[t];
    const std::string k = format_key(T);
    const FormMeasurement& f = samplers.at[t].form;
    const double single_equal = f.xi_single_equal;
    form_table += fmt::format("| {} | {:.3f} | {} | {:.2g} | {:.2g} | {:.2g} | {:.2f} |\n", k, xi_formula(T),
                              lab::pm(f.xi_ring, "{:.3f}"), f.p_exponential, f.p_ring, f.p_exponential_open,
                              single_equal);
    results[fmt::format("xi_ring_form_T{}", k)] = lab::pm(f.xi_ring, "{:.2f}");
    results[fmt::format("xi_ring_form_exact_T{}", k)] = fmt::format("{:.3f}", f.xi_ring_exact);
    results[fmt::format("p_exponential_T{}", k)] = p_math(f.p_exponential);
    results[fmt::format("p_ring_T{}", k)] = p_math(f.p_ring);
    results[fmt::format("p_exponential_exact_T{}", k)] = p_math(f.p_exponential_exact);
    results[fmt::format("xi_single_equal_T{}", k)] = fmt::format("{:.2f}", single_equal);
    results[fmt::format("xi_single_weighted_T{}", k)] = fmt::format("{:.2f}", samplers.at[t].sampler[0].xi_exact);
    results[fmt::format("tau_code_m_T{}", k)] = lab::pm(mean_of(
        [&] { std::vector<double> v; for (const auto& x : dec.code[t]) v.push_back(x.magnetization); return v; }()), "{:.2f}");
    results[fmt::format("tau_code_e_T{}", k)] = lab::pm(mean_of(
        [&] { std::vector<double> v; for (const auto& x : dec.code[t]) v.push_back(x.energy); return v; }()), "{:.2f}");
    results[fmt::format("tau_m_samples_T{}", k)] = lab::pm(mean_of(samplers.at[t].replicate_tau_magnetization), "{:.1f}");
    results[fmt::format("xi_shifted_T{}", k)] = lab::pm(f.xi_shifted, "{:.2f}");
    results[fmt::format("xi_formula_shifted_T{}", k)] = fmt::format("{:.2f}", xi_formula(f.T_shifted));
  }
  results["form_table"] = form_table;
  {  // Where the form test's resolution ends: the temperatures at which it rejects the exact cosh.
    std::vector<std::string> rejected;
    std::string first_accepted = "none of the temperatures";
    for (std::size_t t = 0; t < cfg.temperatures.size(); ++t) {
      const double T = cfg.temperatures[t], p = samplers.at[t].form.p_exponential_exact;
      const std::string at = fmt::format("$T = {}$ ($p = {}$)", format_key(T), p_math(p));
      if (p < cfg.alpha) {
        rejected.push_back(at);
        continue;
      }
      // The second path relative to the first at the window's end: t^(L - r) / t^r = t^(L - 2r).
      const int last = cfg.L / 4;
      first_accepted = fmt::format("{}, where the second path $t^{{L-r}}$ is still {:.1f} % of $t^r$ at $r = {}$", at,
                                   100 * std::pow(std::tanh(1.0 / T), cfg.L - 2 * last), last);
      break;
    }
    results["form_rejected_at"] = rejected.empty() ? std::string("no temperature") : fmt::format("{}", fmt::join(rejected, " and "));
    results["form_first_accepted"] = first_accepted;
  }
  results["p_exponential_exact_tmin"] = p_math(samplers.at[0].form.p_exponential_exact);
  {
    std::vector<double> e, m;
    for (const auto& x : dec.control) e.push_back(x.energy), m.push_back(x.magnetization);
    results["tau_control_e"] = lab::pm(mean_of(e), "{:.1f}");
    results["tau_control_m"] = lab::pm(mean_of(m), "{:.0f}");
    double exact_max = 0;
    for (const auto& c : samplers.at)
      for (const auto* v : {&c.exact_tau_energy, &c.exact_tau_magnetization})
        for (double x : *v) exact_max = std::max(exact_max, x);
    results["tau_exact_max"] = fmt::format("{:.2f}", exact_max);
    const auto& b = eq.bias.front().front();
    results["T_energy_control_tmin"] = fmt::format("{:.4f}", b.T_energy);
    results["T_m2_control_tmin"] = fmt::format("{:.4f}", b.T_m2);
  }
  results["seed_code_spacing"] = cfg.seed_code_spacing();
  results["code_cost_ratio"] = fmt::format("{:g}", double(cfg.seed_code_spacing()) / double(cfg.sweeps_between));
  results["doubled_sweeps"] = lab::format_thousands(2 * static_cast<std::size_t>(cfg.equilibration_sweeps));
  results["code_samples"] = lab::format_thousands(cfg.code_samples);
  results["sampler_table"] = table;
  results["equilibration_table"] = eq_table;
  results["n_samples"] = lab::format_thousands(cfg.n);
  results["chains_per_replicate"] = lab::format_thousands(cfg.chains_per_replicate());
  results["tmin"] = format_key(cfg.temperatures.front());
  results["tmax"] = format_key(cfg.temperatures.back());
  results["temperatures"] = fmt::format("{}", fmt::join(cfg.temperatures, ", "));
}

}  // namespace spinformer
