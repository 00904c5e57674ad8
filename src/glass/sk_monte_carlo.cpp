// Binary SK Monte Carlo with parallel tempering: see sk_monte_carlo.hpp.
#include "glass/sk_monte_carlo.hpp"

#include <cmath>
#include <fmt/format.h>
#include <utility>

#include "lab/usage_error.hpp"

namespace spinformer::glass::sk {
namespace {
double gaussian(lab::Rng& rng) {  // Box-Muller, one variate per call
  double u1 = rng.uniform();
  while (u1 <= 0) u1 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * rng.uniform());
}
}  // namespace

Instance Instance::random(int N, double h, std::uint64_t seed) {
  if (N < 2 || N > 4096) throw lab::UsageError("--N", fmt::format("must be in [2, 4096], got {}", N));
  lab::require_finite("--h", h);
  Instance inst;
  inst.N = N;
  inst.h = h;
  inst.J = Eigen::MatrixXd::Zero(N, N);
  auto rng = lab::Rng::stream(seed, 0);
  const double scale = 1.0 / std::sqrt(static_cast<double>(N));
  for (int i = 0; i < N; ++i)
    for (int j = i + 1; j < N; ++j) inst.J(i, j) = inst.J(j, i) = scale * gaussian(rng);
  return inst;
}

double Instance::energy(const std::vector<signed char>& s) const {
  double e = 0;
  for (int i = 0; i < N; ++i) {
    double f = 0;
    for (int j = i + 1; j < N; ++j) f += J(i, j) * s[j];
    e -= s[i] * (f + h);
  }
  return e;
}

ParallelTempering::ParallelTempering(const Instance& instance, std::vector<double> temperatures, std::uint64_t seed)
    : inst_(&instance), rng_(seed) {
  if (temperatures.empty()) throw lab::UsageError("--T", "needs at least one temperature");
  for (double T : temperatures) {
    lab::require_finite("--T", T);
    if (!(T > 0)) throw lab::UsageError("--T", fmt::format("must be > 0, got {}", T));
    betas_.push_back(1.0 / T);
  }
  const int N = instance.N;
  for (std::size_t k = 0; k < betas_.size(); ++k) {
    Walker w;
    w.s.resize(N);
    for (auto& x : w.s) x = rng_.uniform() < 0.5 ? -1 : 1;
    w.field.assign(N, instance.h);
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) w.field[i] += instance.J(i, j) * w.s[j];
    w.E = instance.energy(w.s);
    walkers_.push_back(std::move(w));
    at_.push_back(static_cast<int>(k));
  }
  swap_tries_.assign(betas_.size(), 0);
  swap_accepts_.assign(betas_.size(), 0);
}

void ParallelTempering::metropolis_sweep(Walker& w, double beta) {
  const int N = inst_->N;
  for (int i = 0; i < N; ++i) {
    const double dE = 2.0 * w.s[i] * w.field[i];
    if (dE > 0 && rng_.uniform() >= std::exp(-beta * dE)) continue;
    w.s[i] = static_cast<signed char>(-w.s[i]);
    w.E += dE;
    const double two_s = 2.0 * w.s[i];
    const double* Ji = inst_->J.col(i).data();  // column i = row i (symmetric)
    double* f = w.field.data();
    for (int j = 0; j < N; ++j) f[j] += two_s * Ji[j];
  }
}

void ParallelTempering::sweep() {
  const int K = size();
  for (int k = 0; k < K; ++k) metropolis_sweep(walkers_[at_[k]], betas_[k]);
  for (int k = 0; k + 1 < K; ++k) {
    const double delta = (betas_[k] - betas_[k + 1]) * (walkers_[at_[k]].E - walkers_[at_[k + 1]].E);
    ++swap_tries_[k];
    if (delta >= 0 || rng_.uniform() < std::exp(delta)) {
      std::swap(at_[k], at_[k + 1]);
      ++swap_accepts_[k];
    }
  }
}

void ParallelTempering::sweeps(long n) {
  for (long i = 0; i < n; ++i) sweep();
}

double ParallelTempering::swap_acceptance(int k) const {
  return swap_tries_[k] ? static_cast<double>(swap_accepts_[k]) / static_cast<double>(swap_tries_[k]) : 0.0;
}

double ParallelTempering::energy_from_scratch(int k) const { return inst_->energy(configuration(k)); }

ReplicaRun run_replicas(const Instance& instance, const std::vector<double>& temperatures,
                        const ReplicaRunOptions& options) {
  if (options.replicas < 2) throw lab::UsageError("--replicas", fmt::format("must be >= 2, got {}", options.replicas));
  if (options.burn_in_sweeps < 0) throw lab::UsageError("--burn-in", "must be >= 0");
  if (options.sweeps < 1) throw lab::UsageError("--sweeps", "must be >= 1");
  if (options.thin < 1 || options.thin > options.sweeps) throw lab::UsageError("--thin", "must be in [1, sweeps]");
  const int R = options.replicas;
  std::vector<ParallelTempering> ladders;
  for (int r = 0; r < R; ++r)
    ladders.emplace_back(instance, temperatures, lab::Rng::stream(options.seed, 100 + r).next());
  const int K = ladders.front().size();
  ReplicaRun run;
  run.temperatures = temperatures;
  run.overlaps.assign(K, {});
  run.energy_per_spin.assign(K, 0.0);
  run.coupling_energy_per_spin.assign(K, 0.0);
  for (auto& l : ladders) l.sweeps(options.burn_in_sweeps);
  long recorded = 0;
  for (long t = 1; t <= options.sweeps; ++t) {
    for (auto& l : ladders) l.sweep();
    if (t % options.thin) continue;
    ++recorded;
    for (int k = 0; k < K; ++k) {
      Eigen::MatrixXd q = Eigen::MatrixXd::Identity(R, R);
      for (int a = 0; a < R; ++a) {
        run.energy_per_spin[k] += ladders[a].energy(k);
        long m = 0;
        for (signed char x : ladders[a].configuration(k)) m += x;
        run.coupling_energy_per_spin[k] += ladders[a].energy(k) + instance.h * static_cast<double>(m);
        for (int b = a + 1; b < R; ++b)
          q(a, b) = q(b, a) = binary_overlap(ladders[a].configuration(k), ladders[b].configuration(k));
      }
      run.overlaps[k].push_back(std::move(q));
    }
  }
  for (int k = 0; k < K; ++k) {
    run.energy_per_spin[k] /= static_cast<double>(recorded) * R * instance.N;
    run.coupling_energy_per_spin[k] /= static_cast<double>(recorded) * R * instance.N;
    if (k + 1 < K) {
      double acc = 0;
      for (auto& l : ladders) acc += l.swap_acceptance(k);
      run.swap_acceptance.push_back(acc / R);
    }
  }
  return run;
}

}  // namespace spinformer::glass::sk
