// Parallel tempering for the vector-spin model: see vector_tempering.hpp.
#include "glass/vector_tempering.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "glass/metropolis.hpp"
#include "glass/vector_replicas.hpp"
#include "lab/rng.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::glass {

namespace {
State unit_rows(const State& s) {
  State u = s;
  for (Eigen::Index i = 0; i < u.rows(); ++i) {
    const double n = u.row(i).norm();
    if (n > 0) u.row(i) /= n;
  }
  return u;
}

// One ladder: a chain per temperature slot. A swap exchanges the states of two slots; each slot keeps
// its temperature and its proposal width, so a chain is rebuilt on the swapped state (the rebuild
// recomputes the cached targets, O(N^2 D): about a third of a sweep, paid only on accepted swaps).
class Ladder {
 public:
  Ladder(const VectorSpinModel& model, const std::vector<double>& betas, double sigma0, std::uint64_t seed, int index)
      : model_(&model), betas_(betas), sigma_(betas.size(), sigma0), rng_(lab::Rng::stream(seed, 100 + index)),
        tries_(betas.size(), 0), accepts_(betas.size(), 0), proposals_(betas.size(), 0), accepted_(betas.size(), 0) {
    const int K = static_cast<int>(betas.size());
    for (int k = 0; k < K; ++k)
      chains_.emplace_back(model, betas[k], sigma0, random_state(model, seed, static_cast<std::uint64_t>(index) * K + k),
                           rng_.next());
  }
  int size() const { return static_cast<int>(chains_.size()); }
  const State& state(int k) const { return chains_[k].state(); }
  double energy(int k) const { return chains_[k].energy(); }

  // One sweep (N proposals) at every temperature, then one round of neighbour swaps.
  void sweep() {
    const int K = size();
    for (int k = 0; k < K; ++k) {
      auto& c = chains_[k];
      const auto p0 = c.proposals(), a0 = c.accepted();
      c.run(model_->N);
      proposals_[k] += c.proposals() - p0, accepted_[k] += c.accepted() - a0;
    }
    for (int k = 0; k + 1 < K; ++k) {
      ++tries_[k];
      const double x = (betas_[k] - betas_[k + 1]) * (chains_[k].energy() - chains_[k + 1].energy());
      if (x >= 0 || rng_.uniform() < std::exp(x)) {
        ++accepts_[k];
        const State a = chains_[k].state(), b = chains_[k + 1].state();
        chains_[k] = MetropolisChain(*model_, betas_[k], sigma_[k], b, rng_.next());
        chains_[k + 1] = MetropolisChain(*model_, betas_[k + 1], sigma_[k + 1], a, rng_.next());
      }
    }
  }
  // Robbins-Monro step on log sigma of every slot from its acceptance since the last call.
  void adapt(double gain, double target) {
    for (int k = 0; k < size(); ++k) {
      if (proposals_[k] == 0) continue;
      const double rate = double(accepted_[k]) / double(proposals_[k]);
      sigma_[k] = std::clamp(sigma_[k] * std::exp(gain * (rate - target) / 0.3), 1e-6, 10.0 * model_->R);
      chains_[k].set_sigma(sigma_[k]);
    }
    reset_counts();
  }
  void reset_counts() {
    std::fill(proposals_.begin(), proposals_.end(), 0);
    std::fill(accepted_.begin(), accepted_.end(), 0);
  }
  double acceptance(int k) const { return proposals_[k] ? double(accepted_[k]) / double(proposals_[k]) : 0.0; }
  double swap_acceptance(int k) const { return tries_[k] ? double(accepts_[k]) / double(tries_[k]) : 0.0; }
  double sigma(int k) const { return sigma_[k]; }

 private:
  const VectorSpinModel* model_;
  std::vector<double> betas_, sigma_;
  lab::Rng rng_;
  std::vector<MetropolisChain> chains_;
  std::vector<long> tries_, accepts_;
  std::vector<std::int64_t> proposals_, accepted_;
};
}  // namespace

VectorTemperingRun run_vector_tempering(const VectorSpinModel& model, const VectorTemperingOptions& o) {
  if (o.replicas < 2) throw lab::UsageError("--replicas", fmt::format("must be >= 2, got {}", o.replicas));
  if (o.burn_in_sweeps < 0 || o.sweeps < 1)
    throw lab::UsageError("--sweeps", fmt::format("burn-in must be >= 0 and sweeps >= 1, got {} and {}", o.burn_in_sweeps, o.sweeps));
  if (o.thin < 1 || o.thin > o.sweeps) throw lab::UsageError("--thin", fmt::format("must be in [1, sweeps], got {}", o.thin));
  if (o.temperatures.empty()) throw lab::UsageError("--T", "the ladder is empty");
  std::vector<double> betas;
  for (double t : o.temperatures) {
    if (!(std::isfinite(t) && t > 0)) throw lab::UsageError("--T", fmt::format("temperatures must be finite and > 0, got {}", t));
    betas.push_back(1 / t);
  }
  const int R = o.replicas, K = static_cast<int>(betas.size());
  std::vector<Ladder> ladders;
  for (int r = 0; r < R; ++r) ladders.emplace_back(model, betas, thesis_proposal_width(model.N, model.D), o.seed, r);
  // burn-in: adapt every ceil(1000 / N) sweeps (about 1000 proposals per slot, as run_vector_replicas)
  const long block = std::max(1L, static_cast<long>((1000 + model.N - 1) / model.N));
  long k_adapt = 0;
  for (long t = 1; t <= o.burn_in_sweeps; ++t) {
    for (auto& l : ladders) l.sweep();
    if (o.adapt_sigma && t % block == 0) {
      const double gain = 1.0 / std::sqrt(1.0 + static_cast<double>(++k_adapt) / 10.0);
      for (auto& l : ladders) l.adapt(gain, o.target_acceptance);
    }
  }
  for (auto& l : ladders) l.reset_counts();
  VectorTemperingRun run;
  run.temperatures = o.temperatures;
  run.tensor_q2.assign(K, {});
  run.mean_tensor.assign(K, {});
  run.energy_per_spin.assign(K, 0.0);
  for (long t = 1; t <= o.sweeps; ++t) {
    for (auto& l : ladders) l.sweep();
    if (t % o.thin) continue;
    run.record_sweep.push_back(o.burn_in_sweeps + t);
    for (int k = 0; k < K; ++k) {
      std::vector<State> u;
      for (const auto& l : ladders) u.push_back(unit_rows(l.state(k))), run.energy_per_spin[k] += l.energy(k);
      Eigen::MatrixXd q2 = Eigen::MatrixXd::Identity(R, R), mean = Eigen::MatrixXd::Zero(model.D, model.D);
      for (int a = 0; a < R; ++a)
        for (int b = a + 1; b < R; ++b) {
          const Eigen::MatrixXd Q = u[a].transpose() * u[b] / static_cast<double>(model.N);
          q2(a, b) = q2(b, a) = Q.squaredNorm();
          mean += Q + Q.transpose();
        }
      run.tensor_q2[k].push_back(std::move(q2));
      run.mean_tensor[k].push_back(mean / (static_cast<double>(R) * (R - 1)));
    }
  }
  for (double& e : run.energy_per_spin) e /= static_cast<double>(run.record_sweep.size()) * R * model.N;
  const bool field = model.x.squaredNorm() > 0;
  run.alignment.assign(K, {});
  run.acceptance.assign(K, 0.0);
  run.sigma.assign(K, 0.0);
  run.swap_acceptance.assign(K > 1 ? K - 1 : 0, 0.0);
  for (int k = 0; k < K; ++k)
    for (const auto& l : ladders) {
      run.alignment[k].push_back(field ? alignment(l.state(k), model.x) : std::numeric_limits<double>::quiet_NaN());
      run.acceptance[k] += l.acceptance(k) / R;
      run.sigma[k] += l.sigma(k) / R;
      if (k + 1 < K) run.swap_acceptance[k] += l.swap_acceptance(k) / R;
    }
  return run;
}

ReplicaMoments tensor_moments(const VectorTemperingRun& run, int k, std::size_t begin, std::size_t end) {
  const auto& q2 = run.tensor_q2.at(static_cast<std::size_t>(k));
  if (!(begin < end && end <= q2.size())) throw std::invalid_argument("tensor_moments: empty or out-of-range records");
  const Eigen::Index R = q2.front().rows();
  double s = 0;
  Eigen::MatrixXd mean = Eigen::MatrixXd::Zero(run.mean_tensor[k].front().rows(), run.mean_tensor[k].front().cols());
  for (std::size_t t = begin; t < end; ++t) {
    for (Eigen::Index a = 0; a < R; ++a)
      for (Eigen::Index b = a + 1; b < R; ++b) s += q2[t](a, b);
    mean += run.mean_tensor[k][t];
  }
  const double n = static_cast<double>(end - begin);
  return {s / (n * static_cast<double>(R * (R - 1) / 2)), (mean / n).squaredNorm()};
}

double pair_overlap_rhat(const OverlapSeries& q2, std::size_t begin, std::size_t end) {
  if (q2.empty() || end > q2.size() || begin >= end) return std::numeric_limits<double>::quiet_NaN();
  const Eigen::Index R = q2.front().rows();
  if (R < 4) return std::numeric_limits<double>::quiet_NaN();
  std::vector<std::vector<double>> chains;
  for (Eigen::Index p = 0; p + 1 < R; p += 2) {
    std::vector<double> c;
    for (std::size_t t = begin; t < end; ++t) c.push_back(q2[t](p, p + 1));
    chains.push_back(std::move(c));
  }
  return gelman_rubin(chains);
}

}  // namespace spinformer::glass
