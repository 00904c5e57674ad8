// Chapter 0 — The Ising chain, exactly.
// The L = 32 ring the transformer chapters train on, sampled three ways (exact i.i.d., the seed's
// single-chain Metropolis, the production multi-spin heat bath) and held against the exact answers:
// energy, specific heat, C(r), xi, the energy and magnetisation distributions, autocorrelation times,
// and how many sweeps Metropolis needs before it is indistinguishable from exact sampling.
//
// The Config and the jobs are in ising_chain_measurements.*, the steps in ising_chain_steps.cpp, the
// claims in claims.cpp and the text's values in report.cpp; lab::Chapter runs the command line, the
// job engine (each job's seed fixed by its place in the design, so the outputs do not depend on
// --workers or MPI ranks, and a rerun reuses every finished job), the sidecars and results.json.
#include <algorithm>

#include "code_hash.hpp"
#include "lab/chapter.hpp"
#include "lab/report.hpp"

#include "ising_chain_steps.hpp"

using namespace spinformer;

int main(int argc, char** argv) {
  lab::Chapter ch{"ch00", "Chapter 0: the Ising chain, exactly", SPINFORMER_CODE_HASH};
  ch.step("samplers", samplers_job);               // the three samplers at one temperature
  ch.step("equilibration", equilibration_job);     // heat-bath chains from random starts, one replicate
  ch.step("metropolis_bias", metropolis_bias_job);  // the seed's Metropolis after its 500 sweeps, one replicate
  ch.step("seed_code", seed_code_job);              // the seed's code as printed: samples 820 sweeps apart
  ch.step("tau_control", tau_control_job);          // samples 1 sweep apart: must fail the decorrelation test
  const lab::Profiles profiles{
      {"paper", nlohmann::json::object()},
      {"quick", {{"temperatures", {0.5, 1.0, 2.0, 5.0}}, {"n", 4'000}, {"max_equilibration_sweeps", 512}, {"code_samples", 300},
                 {"form_blocks", 100}}}};

  return ch.run<Config>(argc, argv, profiles, [](lab::Chapter& ch, const Config& cfg) {
    exact_curves(ch, cfg);                                 // E, c and xi on a fine temperature grid
    const SamplerStudy samplers = compare_samplers(ch, cfg);  // C(r), histograms, tau_int at every T
    const EquilibrationStudy eq = equilibration(ch, cfg);     // sweeps until both chi-square tests pass
    const DecorrelationStudy dec = decorrelation(ch, cfg);    // tau_int at the seed code's spacing, the control
    const lab::Claims claims = chapter_claims(cfg, samplers, eq, dec);
    ch.claims(claims);
    // The text names each verdict ("What changed on rerun"): verdict_0_1 for claim 0.1, and so on.
    const nlohmann::json graded = claims.to_json();
    for (const auto& c : graded.at("claims")) {
      std::string key = "verdict_" + c.at("id").get<std::string>();
      std::replace(key.begin(), key.end(), '.', '_');
      ch.results()[key] = c.at("verdict");
    }
    text_values(ch, cfg, samplers, eq, dec);
    // gnuplot reads the temperature list from here, so the figure script works for every profile.
    ch.plot_var("temps", lab::format_keys(cfg.temperatures));
    ch.plot_var("L", cfg.L);
    ch.plot_var("alpha", cfg.alpha);
    ch.plot_var("code_spacing", cfg.seed_code_spacing());
  });
}
