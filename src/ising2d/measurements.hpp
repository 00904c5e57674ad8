#pragma once
// Runs of the samplers that measure what their validation and the dynamic exponent need: energy and
// specific heat per spin with honest errors, and integrated autocorrelation times (in sweeps) of the
// energy and of |M|.
//  * Errors come from the scatter between independent chains (the 64 lanes of one
//    CheckerboardMetropolis word, or independent Wolff chains), so they account for any
//    autocorrelation within a chain without having to estimate it; the specific heat is a jackknife
//    over chains.
//  * tau_int is Sokal's automatic-window estimate (lab::integrated_autocorrelation) per chain,
//    averaged over chains (error: their scatter / sqrt(chains)). Series are recorded every
//    `record_every` sweeps (Metropolis) to keep the estimate O(n W) affordable; tau in sweeps is then
//    record_every * tau of the thinned series (exact for record_every = 1, good to O(record_every^2 /
//    tau) otherwise). Wolff records after every cluster and converts with the mean cluster size:
//    tau_sweeps = tau_clusters * <|C|> / L^2 (sweeps_per_chain is measured the same way).
#include <cstdint>

#include "ising2d/lattice.hpp"
#include "lab/statistics.hpp"

namespace spinformer::ising2d {

struct ChainMeasurement {
  lab::Estimate energy_per_spin;
  lab::Estimate specific_heat_per_spin;  // beta^2 N (<e^2> - <e>^2), pooled over chains
  lab::Estimate tau_energy;              // in sweeps
  lab::Estimate tau_abs_magnetization;   // in sweeps
  lab::Estimate abs_magnetization_per_spin;
  int chains = 0;
  double sweeps_per_chain = 0;  // measured sweeps (after equilibration)
  double mean_cluster_size = 0;  // Wolff only
};

struct MeasurementPlan {
  long equilibration_sweeps = 1000;
  long sweeps = 10000;      // per chain, after equilibration (Wolff: wolff_clusters_per_sweep clusters each)
  long record_every = 1;    // Metropolis: sweeps between recorded points
  int chains = 64;          // Wolff: independent chains (Metropolis always runs 64, one word)
};

ChainMeasurement measure_checkerboard_metropolis(const Lattice& lattice, const MeasurementPlan& plan,
                                                 std::uint64_t seed);
ChainMeasurement measure_wolff(const Lattice& lattice, const MeasurementPlan& plan, std::uint64_t seed);

// Least-squares slope and its standard error of ln tau against ln L (the dynamic exponent z), with the
// points weighted by their relative errors.
lab::Estimate fit_dynamic_exponent(const std::vector<int>& sizes, const std::vector<lab::Estimate>& taus);

}  // namespace spinformer::ising2d
