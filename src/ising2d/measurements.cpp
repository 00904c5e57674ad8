#include "ising2d/measurements.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "ising2d/samplers.hpp"

namespace spinformer::ising2d {
namespace {

// Per-chain time series of e = H / N and |m| = |M| / N.
struct Series {
  std::vector<double> energy, abs_m;
};

ChainMeasurement summarise(const Lattice& lattice, const std::vector<Series>& chains, double tau_scale) {
  const std::size_t C = chains.size();
  if (C < 2) throw std::invalid_argument("measurement: need at least two chains");
  ChainMeasurement out;
  out.chains = static_cast<int>(C);
  std::vector<double> mean_e(C), mean_e2(C), mean_m(C), tau_e(C), tau_m(C);
  for (std::size_t c = 0; c < C; ++c) {
    const Series& s = chains[c];
    double se = 0, se2 = 0, sm = 0;
    for (std::size_t t = 0; t < s.energy.size(); ++t) {
      se += s.energy[t];
      se2 += s.energy[t] * s.energy[t];
      sm += s.abs_m[t];
    }
    const double n = static_cast<double>(s.energy.size());
    mean_e[c] = se / n;
    mean_e2[c] = se2 / n;
    mean_m[c] = sm / n;
    tau_e[c] = tau_scale * lab::integrated_autocorrelation(s.energy).tau_int;
    tau_m[c] = tau_scale * lab::integrated_autocorrelation(s.abs_m).tau_int;
  }
  out.energy_per_spin = lab::mean_and_error(mean_e);
  out.abs_magnetization_per_spin = lab::mean_and_error(mean_m);
  out.tau_energy = lab::mean_and_error(tau_e);
  out.tau_abs_magnetization = lab::mean_and_error(tau_m);
  // C = beta^2 N Var(e) with the variance about the pooled mean; jackknife over chains.
  const double scale = lattice.beta() * lattice.beta() * lattice.sites();
  out.specific_heat_per_spin = lab::jackknife(C, static_cast<int>(C), [&](std::size_t b, std::size_t e) {
    double s1 = 0, s2 = 0, k = 0;
    for (std::size_t c = 0; c < C; ++c)
      if (c < b || c >= e) {
        s1 += mean_e[c];
        s2 += mean_e2[c];
        k += 1;
      }
    const double m = s1 / k;
    return scale * (s2 / k - m * m);
  });
  return out;
}

}  // namespace

ChainMeasurement measure_checkerboard_metropolis(const Lattice& lattice, const MeasurementPlan& plan,
                                                 std::uint64_t seed) {
  if (plan.record_every < 1 || plan.sweeps < plan.record_every)
    throw std::invalid_argument("measure_checkerboard_metropolis: need 1 <= record_every <= sweeps");
  CheckerboardMetropolis m(lattice, 1, seed);
  for (long k = 0; k < plan.equilibration_sweeps; ++k) m.sweep();
  const int C = m.chains();
  std::vector<Series> series(static_cast<std::size_t>(C));
  const double N = lattice.sites(), bonds = 2.0 * N;
  const long points = plan.sweeps / plan.record_every;
  for (auto& s : series) {
    s.energy.reserve(static_cast<std::size_t>(points));
    s.abs_m.reserve(static_cast<std::size_t>(points));
  }
  for (long p = 0; p < points; ++p) {
    for (long k = 0; k < plan.record_every; ++k) m.sweep();
    const std::vector<long> u = m.unsatisfied_bonds(), mag = m.magnetizations();
    for (int c = 0; c < C; ++c) {
      series[c].energy.push_back(-lattice.J * (bonds - 2.0 * static_cast<double>(u[c])) / N);
      series[c].abs_m.push_back(std::abs(static_cast<double>(mag[c])) / N);
    }
  }
  ChainMeasurement out = summarise(lattice, series, static_cast<double>(plan.record_every));
  out.sweeps_per_chain = static_cast<double>(points * plan.record_every);
  return out;
}

ChainMeasurement measure_wolff(const Lattice& lattice, const MeasurementPlan& plan, std::uint64_t seed) {
  std::vector<Series> series(static_cast<std::size_t>(plan.chains));
  const double N = lattice.sites();
  double flipped = 0, clusters = 0, sweeps = 0;
  // Fixed cluster counts (see samplers.hpp: a flipped-spin target would be a size-biased stopping time).
  const long per_sweep = wolff_clusters_per_sweep(lattice, seed);
  for (int c = 0; c < plan.chains; ++c) {
    Wolff w(lattice, lab::Rng::stream(seed, static_cast<std::uint64_t>(c)).next());
    w.burn_in(static_cast<double>(plan.equilibration_sweeps));
    for (long k = 0; k < plan.equilibration_sweeps * per_sweep; ++k) w.step();
    const std::uint64_t f0 = w.flipped(), c0 = w.clusters();
    // Observables from scratch, O(N) per cluster: at T_c (<|C|> ~ L^1.75) that costs about as much as
    // the cluster itself.
    for (long k = 0; k < plan.sweeps * per_sweep; ++k) {
      w.step();
      series[c].energy.push_back(energy(lattice, w.spins().data()) / N);
      series[c].abs_m.push_back(std::abs(static_cast<double>(magnetization(lattice.L, w.spins().data()))) / N);
    }
    flipped += static_cast<double>(w.flipped() - f0);
    clusters += static_cast<double>(w.clusters() - c0);
    sweeps += static_cast<double>(w.flipped() - f0) / N;
  }
  const double mean_cluster = flipped / clusters;
  ChainMeasurement out = summarise(lattice, series, mean_cluster / N);
  out.mean_cluster_size = mean_cluster;
  out.sweeps_per_chain = sweeps / plan.chains;
  return out;
}

lab::Estimate fit_dynamic_exponent(const std::vector<int>& sizes, const std::vector<lab::Estimate>& taus) {
  if (sizes.size() != taus.size() || sizes.size() < 2) throw std::invalid_argument("fit_dynamic_exponent: need >= 2 points");
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const double x = std::log(static_cast<double>(sizes[i])), y = std::log(taus[i].value);
    const double rel = taus[i].error > 0 ? taus[i].error / taus[i].value : 1.0;
    const double w = 1 / (rel * rel);
    sw += w;
    sx += w * x;
    sy += w * y;
    sxx += w * x * x;
    sxy += w * x * y;
  }
  const double det = sw * sxx - sx * sx;
  return {(sw * sxy - sx * sy) / det, std::sqrt(sw / det)};
}

}  // namespace spinformer::ising2d
