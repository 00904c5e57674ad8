// Template chapter — copy this folder to chapters/NN-slug to start a chapter (ARCHITECTURE.md,
// "Add a chapter"). It is built as bin/ch_template and `make test` runs its quick profile
// (tests/cli/chapter_template.sh), but it is no paper chapter: paper/pipeline.mk takes only
// chapters/[0-9][0-9]-*.
//
// Its question, small on purpose: does the seed's Metropolis on a short ring give the exact energy per
// spin? A chapter is four things, in this order: its Config (declared once), its jobs (functions of
// their parameters and seed), its steps (which jobs to run, which tables to write), its claims.
#include <fmt/format.h>

#include "code_hash.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/chapter.hpp"
#include "lab/measurements.hpp"
#include "lab/report.hpp"
#include "lab/summaries.hpp"

using namespace spinformer;

// ---- 1. the Config: every field once; results.json, sidecars and job keys carry it whole ----------
struct Config {
  int L = 16;
  std::vector<double> temperatures{1.0, 2.0};
  std::size_t samples = 2'000;   // per replicate chain
  long sweeps = 200;             // equilibration sweeps before the first sample
  int replicates = 5;            // independent chains behind each interval
  double energy_band = 0.02;     // the claim: |bias| < 0.02 J per spin (declared before the run)
  std::uint64_t seed = 20261207;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, L, temperatures, samples, sweeps, replicates, energy_band, seed)

ising::Chain ring(int L, double T) { return {L, 1.0, 0.0, T, ising::Boundary::periodic}; }

// ---- 2. a job: everything it reads comes from its parameters ({"config", "t", "replicate"}) and seed ----
nlohmann::json energy_bias_job(const nlohmann::json& p, std::uint64_t seed) {
  const Config cfg = p.at("config").get<Config>();
  const ising::Chain chain = ring(cfg.L, cfg.temperatures.at(p.at("t").get<std::size_t>()));
  const auto samples = ising::scalar_metropolis_samples(chain, cfg.samples, {cfg.sweeps, 1}, seed);
  std::vector<double> energies;
  for (std::size_t k = 0; k < samples.size(); ++k) energies.push_back(ising::energy(chain, samples.row(k)) / cfg.L);
  return {{"bias", lab::mean_of(energies) - ising::ExactChain(chain).thermodynamics().energy_per_spin}};
}

// ---- 3. a step: the jobs of a design, one table, the measurements the claims need ---------------------
lab::MeasurementGrid energy_bias(lab::Chapter& ch, const Config& cfg) {
  std::vector<lab::Job> jobs;
  for (std::size_t t = 0; t < cfg.temperatures.size(); ++t)
    for (std::size_t r = 0; r < static_cast<std::size_t>(cfg.replicates); ++r)
      jobs.push_back(ch.job("energy_bias", fmt::format("T = {}, chain {}", cfg.temperatures[t], r), {{"t", t}, {"replicate", r}}));
  const auto results = ch.run_jobs("energy_bias", jobs);
  lab::Table table{{"T", "replicate", "energy_bias"}, {}};
  lab::MeasurementGrid grid;
  grid.statistic("bias", "Metropolis energy per spin minus exact");
  for (std::size_t t = 0, j = 0; t < cfg.temperatures.size(); ++t) {
    std::vector<double> bias;
    for (int r = 0; r < cfg.replicates; ++r, ++j) {
      bias.push_back(results[j].value.at("bias").get<double>());
      table.add({cfg.temperatures[t], double(r), bias.back()});
    }
    grid.replicates("T = " + lab::format_key(cfg.temperatures[t]), "bias", bias);
    ch.results()["bias_T" + lab::format_key(cfg.temperatures[t])] = fmt::format("{:.4f}", lab::mean_of(bias));
  }
  ch.table("energy_bias.tsv", table, "energy_bias");
  return grid;
}

// ---- 4. main: the chapter's outline ---------------------------------------------------------------------
int main(int argc, char** argv) {
  lab::Chapter ch{"ch_template", "Template chapter: Metropolis against the exact ring", SPINFORMER_CODE_HASH};
  ch.step("energy_bias", energy_bias_job);
  const lab::Profiles profiles{{"paper", nlohmann::json::object()}, {"quick", {{"samples", 500}, {"replicates", 3}}}};
  return ch.run<Config>(argc, argv, profiles, [](lab::Chapter& ch, const Config& cfg) {
    const lab::MeasurementGrid grid = energy_bias(ch, cfg);
    lab::Claim claim{"T.1", "validation", "Metropolis on the ring gives the exact energy per spin", "this template"};
    lab::judge(claim, grid, {{"bias", lab::within(-cfg.energy_band, cfg.energy_band)}},
               fmt::format("{} samples per chain after {} sweeps", cfg.samples, cfg.sweeps));
    lab::Claims claims("_template", "Template chapter");
    claims.add(claim.short_form("Metropolis matches the exact energy"));
    ch.claims(claims);
    ch.plot_var("temps", lab::format_keys(cfg.temperatures));
  });
}
