#include "kinetic/simulation.hpp"

#include <atomic>
#include <cmath>
#include <fmt/format.h>
#include <memory>
#include <mutex>

#include "lab/parallel.hpp"
#include "lab/progress.hpp"
#include "lab/rng.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::kinetic {

namespace {

constexpr int kBlock = 64;

struct Sums {
  std::vector<Eigen::VectorXd> s;    // sum over runs of s_t
  std::vector<Eigen::MatrixXd> ss;   // sum of s_t s_t^T
  std::vector<Eigen::MatrixXd> sd;   // sum of s_t s_t-1^T

  Sums(int N, int steps, bool correlations)
      : s(steps + 1, Eigen::VectorXd::Zero(N)) {
    if (correlations) {
      ss.assign(steps + 1, Eigen::MatrixXd::Zero(N, N));
      sd.assign(steps + 1, Eigen::MatrixXd::Zero(N, N));
    }
  }
  void add(const Sums& o) {
    for (std::size_t t = 0; t < s.size(); ++t) s[t] += o.s[t];
    for (std::size_t t = 0; t < ss.size(); ++t) {
      ss[t] += o.ss[t];
      sd[t] += o.sd[t];
    }
  }
};

// Advances runs [first, first + count) through all steps, adding their statistics to `sums`.
void run_block(const Eigen::MatrixXd& bJ, const Eigen::VectorXd& bH, long first, int count, int steps,
               std::uint64_t seed, Sums& sums) {
  const int N = static_cast<int>(bH.size());
  std::vector<lab::Rng> rng;
  rng.reserve(count);
  for (int b = 0; b < count; ++b) rng.push_back(lab::Rng::stream(seed, static_cast<std::uint64_t>(first + b)));
  Eigen::MatrixXd S = Eigen::MatrixXd::Ones(N, count), previous(N, count), field(N, count);
  const bool correlations = !sums.ss.empty();
  sums.s[0] += S.rowwise().sum();
  if (correlations) sums.ss[0].noalias() += S * S.transpose();
  for (int t = 1; t <= steps; ++t) {
    previous.swap(S);
    field.noalias() = bJ * previous;
    field.colwise() += bH;
    for (int b = 0; b < count; ++b)
      for (int i = 0; i < N; ++i) {
        // P(s = +1) = e^{h} / (2 cosh h) = 1 / (1 + e^{-2h}).
        const double up = 1.0 / (1.0 + std::exp(-2.0 * field(i, b)));
        S(i, b) = rng[b].uniform() < up ? 1.0 : -1.0;
      }
    sums.s[t] += S.rowwise().sum();
    if (correlations) {
      sums.ss[t].noalias() += S * S.transpose();
      sums.sd[t].noalias() += S * previous.transpose();
    }
  }
}

}  // namespace

Simulation simulate(const KineticIsing& model, const SimulationOptions& o) {
  check(model, o.steps);
  if (o.runs < 2 || o.runs > 1'000'000'000L)
    throw lab::UsageError("--runs", fmt::format("must be in 2..1e9, got {}", o.runs));
  if (o.threads < 1 || o.threads > 256) throw lab::UsageError("--threads", fmt::format("must be in 1..256, got {}", o.threads));
  const int N = model.size();
  const Eigen::MatrixXd bJ = model.beta_J();
  const Eigen::VectorXd bH = model.beta_H();
  const long blocks = (o.runs + kBlock - 1) / kBlock;

  Sums total(N, o.steps, o.correlations);
  std::atomic<long> next{0};
  std::mutex mutex;
  std::unique_ptr<lab::Progress> progress;
  if (o.progress) progress = std::make_unique<lab::Progress>("kinetic simulate (runs)", o.runs);
  // One accumulator per worker, blocks handed out dynamically; the seeds belong to the runs (block k
  // starts at run k * kBlock), never to the worker.
  const long workers = std::min<long>(o.threads, blocks);
  lab::parallel_for(workers, static_cast<int>(workers), [&](long) {
    Sums local(N, o.steps, o.correlations);
    for (long k; (k = next++) < blocks;) {
      const long first = k * kBlock;
      const int count = static_cast<int>(std::min<long>(kBlock, o.runs - first));
      try {
        run_block(bJ, bH, first, count, o.steps, o.seed, local);
      } catch (...) {
        next = blocks;  // stop handing out blocks; parallel_for rethrows the first failure
        throw;
      }
      if (progress) {
        std::lock_guard<std::mutex> lock(mutex);
        progress->advance(count);
      }
    }
    std::lock_guard<std::mutex> lock(mutex);
    total.add(local);  // integer-valued sums: the order of addition is immaterial
  });
  if (progress) progress->finish();

  Simulation sim;
  sim.runs = o.runs;
  const double R = static_cast<double>(o.runs);
  for (int t = 0; t <= o.steps; ++t) {
    const Eigen::VectorXd m = total.s[t] / R;
    sim.stats.m.push_back(m);
    sim.m_err.push_back(((1.0 - m.array().square()).max(0.0) / (R - 1.0)).sqrt().matrix());
    if (o.correlations) {
      sim.stats.C.push_back(total.ss[t] / R - m * m.transpose());
      sim.stats.D.push_back(t == 0 ? Eigen::MatrixXd::Zero(N, N)
                                   : Eigen::MatrixXd(total.sd[t] / R - m * sim.stats.m[t - 1].transpose()));
    }
  }
  return sim;
}

}  // namespace spinformer::kinetic
