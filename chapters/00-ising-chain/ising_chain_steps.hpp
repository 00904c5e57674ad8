#pragma once
// Chapter 0's steps, in the order ising_chain.cpp runs them: the exact curves, the three samplers at
// every temperature, the equilibration study; then the claims (claims.cpp) and the values the text
// quotes (report.cpp). Each step writes its own tables through lab::Chapter and returns what the
// claims and the text need.
#include <vector>

#include "lab/chapter.hpp"
#include "lab/verdict.hpp"

#include "ising_chain_measurements.hpp"

namespace spinformer {

// Energy, specific heat and the correlation lengths on a fine T grid: exact_curves.tsv.
void exact_curves(lab::Chapter& ch, const Config& cfg);

// Job "samplers" at every temperature: corr_T*.tsv, energy_hist_T*.tsv, observables.tsv, autocorrelation.tsv.
struct SamplerStudy {
  std::vector<SamplerComparison> at;  // per temperature
};
SamplerStudy compare_samplers(lab::Chapter& ch, const Config& cfg);

// Jobs "equilibration" and "metropolis_bias" per temperature and replicate: equilibration.tsv,
// metropolis_500_sweeps.tsv.
struct EquilibrationStudy {
  std::vector<std::vector<long>> sweeps_needed;                  // [t][r], -1: never on the grid (heat bath)
  std::vector<std::vector<MetropolisBias>> bias;                 // [t][r], the seed's Metropolis and 0.1's controls
};
EquilibrationStudy equilibration(lab::Chapter& ch, const Config& cfg);

// Jobs "seed_code" per temperature and replicate and "tau_control" per replicate: seed_code_tau.tsv,
// tau_control.tsv.
struct DecorrelationStudy {
  std::vector<std::vector<TauPair>> code;  // [t][r]: the seed's code, samples seed_code_spacing() sweeps apart
  std::vector<TauPair> control;            // [r]: samples control_sweeps_between sweeps apart at the lowest T
};
DecorrelationStudy decorrelation(lab::Chapter& ch, const Config& cfg);

// The seed's claims and their controls, judged by the verdict rule (claims.cpp).
lab::Claims chapter_claims(const Config& cfg, const SamplerStudy& samplers, const EquilibrationStudy& eq,
                           const DecorrelationStudy& dec);

// The values and tables the text quotes (report.cpp).
void text_values(lab::Chapter& ch, const Config& cfg, const SamplerStudy& samplers, const EquilibrationStudy& eq,
                 const DecorrelationStudy& dec);

// tau_int in sweeps of the seed's chain (samples are sweeps_between sweeps apart).
inline double in_sweeps(const Config& cfg, double tau_samples) {
  return tau_samples * static_cast<double>(cfg.sweeps_between);
}

}  // namespace spinformer
