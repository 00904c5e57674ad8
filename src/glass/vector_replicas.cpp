// Vector-spin replicas: see vector_replicas.hpp.
#include "glass/vector_replicas.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "lab/usage_error.hpp"

namespace spinformer::glass {

State random_state(const VectorSpinModel& model, std::uint64_t seed, std::uint64_t k) {
  auto rng = lab::Rng::stream(seed, 1000 + k);
  State s(model.N, model.D);
  for (int i = 0; i < model.N; ++i) {
    for (int d = 0; d < model.D; ++d) s(i, d) = standard_normal(rng);
    s.row(i) *= model.R / s.row(i).norm();
  }
  return s;
}

namespace {
State unit_rows(const State& s) {
  State u = s;
  for (Eigen::Index i = 0; i < u.rows(); ++i) {
    const double n = u.row(i).norm();
    if (n > 0) u.row(i) /= n;
  }
  return u;
}
}  // namespace

Eigen::MatrixXd tensor_overlap(const State& a, const State& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols() || a.rows() == 0)
    throw std::invalid_argument("tensor_overlap: states differ in shape");
  return unit_rows(a).transpose() * unit_rows(b) / static_cast<double>(a.rows());
}

double cosine_null_variance(int N, int D) { return 1.0 / (static_cast<double>(N) * D); }

VectorReplicaRun run_vector_replicas(const VectorSpinModel& model, const VectorReplicaOptions& o) {
  if (o.replicas < 2) throw lab::UsageError("--replicas", fmt::format("must be >= 2, got {}", o.replicas));
  if (o.proposals < 1) throw lab::UsageError("--steps", fmt::format("must be >= 1, got {}", o.proposals));
  if (o.thin < 1) throw lab::UsageError("--thin", fmt::format("must be >= 1, got {}", o.thin));
  if (!(o.burn_in_fraction >= 0 && o.burn_in_fraction < 1))
    throw lab::UsageError("--burn-in", fmt::format("must be in [0, 1), got {}", o.burn_in_fraction));
  const double sigma = o.sigma > 0 ? o.sigma : thesis_proposal_width(model.N, model.D);
  std::vector<MetropolisChain> chains;
  chains.reserve(o.replicas);
  for (int r = 0; r < o.replicas; ++r)
    chains.emplace_back(model, o.beta, sigma, random_state(model, o.seed, r), lab::Rng::stream(o.seed, r).next());
  const auto burn = static_cast<std::int64_t>(o.burn_in_fraction * static_cast<double>(o.proposals));
  if (o.adapt_sigma) {
    const std::int64_t block = 1000;
    for (auto& c : chains) {
      std::int64_t done = 0, k = 0;
      while (done < burn) {
        const std::int64_t step = std::min(block, burn - done);
        c.reset_counters();
        c.run(step);
        done += step;
        const double gain = 1.0 / std::sqrt(1.0 + static_cast<double>(++k) / 10.0);
        const double next = c.sigma() * std::exp(gain * (c.acceptance_rate() - o.target_acceptance) / 0.3);
        c.set_sigma(std::clamp(next, 1e-6, 10.0 * model.R));
      }
    }
  } else {
    for (auto& c : chains) c.run(burn);
  }
  for (auto& c : chains) c.reset_counters();
  VectorReplicaRun run;
  const int R = o.replicas;
  std::int64_t done = burn;
  auto record = [&] {
    Eigen::MatrixXd q = Eigen::MatrixXd::Identity(R, R);
    for (int a = 0; a < R; ++a)
      for (int b = a + 1; b < R; ++b) q(a, b) = q(b, a) = alignment(chains[a].state(), chains[b].state());
    run.overlaps.push_back(std::move(q));
    for (int a = 0; a < R; ++a) run.energy[a].push_back(chains[a].energy() / model.N);
    if (!o.tensor) return;
    std::vector<State> u;
    for (const auto& c : chains) u.push_back(unit_rows(c.state()));
    Eigen::MatrixXd q2 = Eigen::MatrixXd::Identity(R, R);
    for (int a = 0; a < R; ++a)
      for (int b = a + 1; b < R; ++b) {
        const Eigen::MatrixXd Q = u[a].transpose() * u[b] / static_cast<double>(model.N);
        q2(a, b) = q2(b, a) = Q.squaredNorm();
        run.mean_tensor += Q + Q.transpose();
      }
    run.tensor_q2.push_back(std::move(q2));
  };
  run.energy.assign(R, {});
  run.mean_tensor = Eigen::MatrixXd::Zero(model.D, model.D);
  while (done < o.proposals) {
    const std::int64_t step = std::min(o.thin, o.proposals - done);
    for (auto& c : chains) c.run(step);
    done += step;
    record();
  }
  if (run.overlaps.empty()) record();
  if (o.tensor) run.mean_tensor /= static_cast<double>(run.tensor_q2.size()) * R * (R - 1);
  const bool has_field = model.x.squaredNorm() > 0;
  for (auto& c : chains) {
    run.final_states.push_back(c.state());
    run.alignment.push_back(has_field ? alignment(c.state(), model.x) : NAN);
    run.acceptance += c.acceptance_rate() / R;
    run.sigma += c.sigma() / R;
  }
  return run;
}

}  // namespace spinformer::glass
