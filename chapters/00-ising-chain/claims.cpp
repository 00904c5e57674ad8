// Chapter 0's claims: the seed's statements about its data generator, each a test of named
// measurements (lab/measurements.hpp) judged by the verdict rule.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ising/correlation_length.hpp"
#include "lab/measurements.hpp"
#include "lab/report.hpp"

#include "ising_chain_steps.hpp"

namespace spinformer {

lab::Claims chapter_claims(const Config& cfg, const SamplerStudy& samplers, const EquilibrationStudy& eq) {
  const std::string source = "000_700600b7864feadb.txt";
  const std::size_t nT = cfg.temperatures.size();
  auto T_label = [&](std::size_t t) { return "T = " + lab::format_key(cfg.temperatures[t]); };

  lab::MeasurementGrid grid;
  grid.statistic("energy_bias_500", "energy per spin after 500 sweeps minus exact")
      .statistic("m2_bias_500", "mean m^2 after 500 sweeps minus exact")
      .statistic("tau_energy", "tau_int of the energy (samples)")
      .statistic("tau_magnetization", "tau_int of the magnetisation (samples)")
      .statistic("xi_ring_ratio", "xi fitted to the ring's exact C(r) / formula")
      .statistic("xi_samples_ratio", "xi fitted to exact samples / xi fitted to the exact C(r)");
  for (std::size_t t = 0; t < nT; ++t) {
    const SamplerComparison& c = samplers.at[t];
    const double xi_ring = c.sampler[0].xi_exact, xi_formula = -1.0 / std::log(std::tanh(1.0 / cfg.temperatures[t]));
    grid.replicates(T_label(t), "energy_bias_500", eq.energy_bias_500[t]);
    grid.replicates(T_label(t), "m2_bias_500", eq.m2_bias_500[t]);
    grid.replicates(T_label(t), "tau_energy", c.replicate_tau_energy);
    grid.replicates(T_label(t), "tau_magnetization", c.replicate_tau_magnetization);
    grid.exact(T_label(t), "xi_ring_ratio", xi_ring / xi_formula);
    grid.estimate(T_label(t), "xi_samples_ratio", {c.sampler[0].xi.value / xi_ring, c.sampler[0].xi.error / xi_ring});
  }
  const std::string chains = lab::format_thousands(cfg.chains_per_replicate());
  lab::Claims claims("00-ising-chain", "The Ising chain, exactly");

  lab::Claim equilibrium{"0.1", "source", "Metropolis from a random start is in equilibrium after 500-1000 sweeps",
                         source + ", Algorithm, step 3"};
  lab::judge(equilibrium, grid,
             {{"energy_bias_500", lab::within(-cfg.energy_band, cfg.energy_band)},
              {"m2_bias_500", lab::within(-cfg.m2_band, cfg.m2_band)}},
             fmt::format("the seed's Metropolis (random sites, single chains, m = M / L) after 500 sweeps from random "
                         "starts, each replicate a seed of {} independent chains", chains));
  auto range_of = [](const std::vector<long>& v) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    if (*lo < 0) return std::string("never");
    return *lo == *hi ? std::to_string(*lo) : fmt::format("{}-{}", *lo, *hi);
  };
  std::vector<std::string> needed;
  for (std::size_t t = 0; t < nT; ++t)
    needed.push_back(fmt::format("{} at {}", range_of(eq.sweeps_needed[t]), T_label(t)));
  equilibrium.short_form("Metropolis equilibrates in 500-1000 sweeps")
      .measured(fmt::format("sweeps until both chi-square tests on independent multi-spin heat-bath chains pass for "
                            "good (p > {:g}), range over the {} seeds: {}",
                            cfg.alpha, cfg.replicates, fmt::join(needed, "; ")));
  claims.add(equilibrium);

  lab::Claim decorrelated{"0.2", "source", "10-20 sweeps between samples decorrelate them", source + ", Algorithm, step 4"};
  lab::judge(decorrelated, grid,
             {{"tau_energy", lab::below(cfg.tau_threshold)}, {"tau_magnetization", lab::below(cfg.tau_threshold)}},
             fmt::format("samples {} sweeps apart, each replicate one chain of {} samples", cfg.sweeps_between,
                         chains));
  decorrelated.short_form("10 sweeps between samples decorrelate them");
  claims.add(decorrelated);

  lab::Claim exponential{"0.3", "source", "C(r) decays as exp(-r/xi), xi = -1/ln tanh(J/T)",
                         source + ", Physics background"};
  lab::judge(exponential, grid, {{"xi_ring_ratio", lab::within(1 - cfg.xi_band, 1 + cfg.xi_band)}},
             fmt::format("on the seed's L = {} ring, the exact C(r) = (t^r + t^(L-r)) / (1 + t^L) fitted by the paper's "
                         "fit of exp(-r/xi) over r = 1..{}, weighted by the exact samples' error bars",
                         cfg.L, ising::correlation_window(cfg.L).last));
  exponential.short_form("C(r) = exp(-r/xi) with the chain's xi on the L = 32 ring");
  claims.add(exponential);

  lab::Claim xi_validation{"0.4", "validation", "Exact samples reproduce the ring's fitted correlation length",
                           "this chapter; the ring's exact C(r)"};
  lab::judge(xi_validation, grid, {{"xi_samples_ratio", lab::within(1 - cfg.xi_band, 1 + cfg.xi_band)}},
             fmt::format("xi fitted to {} exact samples and to the exact C(r) the same way (window r = 1..{}, same "
                         "weights); the error is the jackknife error of the whole fit",
                         lab::format_thousands(cfg.n), ising::correlation_window(cfg.L).last));
  xi_validation.short_form("sampled xi matches the ring's exact xi");
  claims.add(xi_validation);
  return claims;
}

}  // namespace spinformer
