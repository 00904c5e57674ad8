#include "glass/kinetic.hpp"

#include <atomic>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <mutex>

#include <Eigen/Eigenvalues>

#include "glass/mean_field.hpp"
#include "lab/parallel.hpp"
#include "lab/progress.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::glass {

double gamma_variate(double shape, lab::Rng& rng) {
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double z, v;
    do {
      z = standard_normal(rng);
      v = 1.0 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const double u = 1.0 - rng.uniform();  // (0, 1]
    if (u < 1.0 - 0.0331 * z * z * z * z) return d * v;
    if (std::log(u) < 0.5 * z * z + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double sample_vmf_cosine(int D, double kappa, lab::Rng& rng) {
  const double p1 = D - 1.0;
  // b = (-2 kappa + sqrt(4 kappa^2 + (D-1)^2)) / (D-1), written without cancellation.
  const double b = p1 / (2.0 * kappa + std::sqrt(4.0 * kappa * kappa + p1 * p1));
  const double x0 = (1.0 - b) / (1.0 + b);
  const double one_minus_x0_sq = 4.0 * b / ((1.0 + b) * (1.0 + b));
  const double c = kappa * x0 + p1 * std::log(one_minus_x0_sq);
  const double a = 0.5 * p1;
  for (;;) {
    const double g1 = gamma_variate(a, rng), g2 = gamma_variate(a, rng);
    const double z = g1 / (g1 + g2);
    const double w = (1.0 - (1.0 + b) * z) / (1.0 - (1.0 - b) * z);
    const double u = 1.0 - rng.uniform();
    if (kappa * w + p1 * std::log(1.0 - x0 * w) - c >= std::log(u)) return w;
  }
}

Eigen::RowVectorXd sample_vmf(const Eigen::RowVectorXd& mu, double kappa, lab::Rng& rng) {
  const int D = static_cast<int>(mu.size());
  Eigen::RowVectorXd v(D);
  for (int a = 0; a < D; ++a) v[a] = standard_normal(rng);
  if (kappa == 0) return v / v.norm();
  const double w = sample_vmf_cosine(D, kappa, rng);
  v -= v.dot(mu) * mu;  // a uniform direction orthogonal to mu
  return w * mu + std::sqrt(std::max(0.0, 1.0 - w * w)) * v / v.norm();
}

namespace {

State readout_fn(const VectorSpinModel& model, const State& m, double beta, Readout kind) {
  return readout(model.targets(m), beta, model.R, kind);
}

// f'(theta) v for the exact readout f(theta) = R A(kappa) theta/|theta|, kappa = beta R |theta|:
// R [beta R A'(kappa) (u.v) u + A(kappa)/|theta| (v - (u.v) u)], u = theta/|theta|,
// A'(kappa) = 1 - A^2 - (2 nu - 1) A/kappa (nu = D/2); at theta = 0 it is R beta R/D v.
Eigen::RowVectorXd readout_response(const Eigen::RowVectorXd& theta, const Eigen::RowVectorXd& v, double beta, double R,
                                    double nu) {
  const double norm = theta.norm(), kappa = beta * R * norm;
  if (kappa < 1e-12) return (R * beta * R / (2.0 * nu)) * v;
  const Eigen::RowVectorXd u = theta / norm;
  const double A = bessel_ratio(nu, kappa), along = u.dot(v);
  const double slope = 1.0 - A * A - (2.0 * nu - 1.0) * A / kappa;
  return R * (beta * R * slope * along * u + (A / norm) * (v - along * u));
}

constexpr long kChunk = 8;  // runs per unit of work; chunk sums are added in chunk order

struct Sums {
  std::vector<State> sum, sum_sq;
  Sums(int steps, int N, int D) : sum(steps + 1, State::Zero(N, D)), sum_sq(steps + 1, State::Zero(N, D)) {}
  void add(const Sums& o) {
    for (std::size_t t = 0; t < sum.size(); ++t) {
      sum[t] += o.sum[t];
      sum_sq[t] += o.sum_sq[t];
    }
  }
};

void run_chunk(const VectorSpinModel& model, const KineticOptions& o, long first, long count, Sums& sums) {
  const int N = model.N, D = model.D;
  const double R = model.R, nu = D / 2.0;
  const bool cv = o.control_variate && o.conditional_mean;
  State s(N, D), theta(N, D), mean(N, D), previous_mean(N, D), kick(N, D);
  for (long r = first; r < first + count; ++r) {
    lab::Rng rng = lab::Rng::stream(o.seed, static_cast<std::uint64_t>(r));
    s = model.initial_state();
    previous_mean = s;  // s_0 is deterministic: no sampling noise to correct at t = 1
    sums.sum[0] += s;
    sums.sum_sq[0] += s.array().square().matrix();
    for (int t = 1; t <= o.steps; ++t) {
      theta = model.x;
      theta.noalias() += model.J * s;
      if (cv) kick.noalias() = model.J * (s - previous_mean);
      for (int i = 0; i < N; ++i) {
        const double norm = theta.row(i).norm();
        const double kappa = o.beta * R * norm;
        if (norm > 0) {
          const Eigen::RowVectorXd mu = theta.row(i) / norm;
          mean.row(i) = R * bessel_ratio(nu, kappa) * mu;
          s.row(i) = R * sample_vmf(mu, kappa, rng);
        } else {
          mean.row(i).setZero();
          s.row(i) = R * sample_vmf(Eigen::RowVectorXd::Unit(D, 0), 0.0, rng);
        }
      }
      if (cv) {
        previous_mean = mean;  // E[s_t | s_t-1], for the next step's correction
        for (int i = 0; i < N; ++i) mean.row(i) -= readout_response(theta.row(i) - kick.row(i), kick.row(i), o.beta, R, nu);
      }
      const State& estimate = cv ? mean : (o.conditional_mean ? mean : s);
      sums.sum[t] += estimate;
      sums.sum_sq[t] += estimate.array().square().matrix();
    }
  }
}

}  // namespace

KineticResult simulate_kinetic(const VectorSpinModel& model, const KineticOptions& o) {
  lab::require_positive("--beta", o.beta);
  if (o.steps < 1 || o.steps > 1'000'000) throw lab::UsageError("--steps", fmt::format("must be in 1..1e6, got {}", o.steps));
  if (o.runs < 2 || o.runs > 1'000'000'000L) throw lab::UsageError("--runs", fmt::format("must be in 2..1e9, got {}", o.runs));
  if (o.threads < 1 || o.threads > 256) throw lab::UsageError("--threads", fmt::format("must be in 1..256, got {}", o.threads));
  const long chunks = (o.runs + kChunk - 1) / kChunk;
  Sums total(o.steps, model.N, model.D);
  std::map<long, std::unique_ptr<Sums>> pending;  // finished chunks waiting for their turn
  long next_to_add = 0;
  std::atomic<long> next{0};
  std::mutex mutex;
  std::unique_ptr<lab::Progress> progress;
  if (o.progress) progress = std::make_unique<lab::Progress>("glass kinetic (runs)", o.runs);
  // Chunks handed out dynamically; the seeds belong to the runs (chunk k starts at run k * kChunk).
  const long workers = std::min<long>(o.threads, chunks);
  lab::parallel_for(workers, static_cast<int>(workers), [&](long) {
    for (long k; (k = next++) < chunks;) {
      auto sums = std::make_unique<Sums>(o.steps, model.N, model.D);
      const long first = k * kChunk, count = std::min(kChunk, o.runs - first);
      try {
        run_chunk(model, o, first, count, *sums);
      } catch (...) {
        next = chunks;  // stop handing out chunks; parallel_for rethrows the first failure
        throw;
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (progress) progress->advance(count);
      pending[k] = std::move(sums);
      // Floating-point sums depend on their order: add chunks strictly in index order.
      for (auto it = pending.find(next_to_add); it != pending.end(); it = pending.find(next_to_add)) {
        total.add(*it->second);
        pending.erase(it);
        ++next_to_add;
      }
    }
  });
  if (progress) progress->finish();

  KineticResult r;
  r.runs = o.runs;
  const double n = static_cast<double>(o.runs);
  r.trajectory_mean = State::Zero(model.N, model.D);
  for (int t = 0; t <= o.steps; ++t) {
    const State m = total.sum[t] / n;
    const State var = (((total.sum_sq[t] / n).array() - m.array().square()).max(0.0) * (n / (n - 1.0))).matrix();
    r.m.push_back(m);
    r.m_err.push_back((var.array() / n).sqrt().matrix());
    if (t > 0) r.trajectory_mean += m / double(o.steps);
  }
  r.alignment = alignment(r.m.back(), model.x);
  return r;
}

std::vector<State> run_second_order(const VectorSpinModel& model, double beta, int steps) {
  lab::require_positive("--beta", beta);
  const int N = model.N, D = model.D;
  const double R = model.R, nu = D / 2.0;
  const auto f = [&](const Eigen::RowVectorXd& theta) -> Eigen::RowVectorXd {
    const double norm = theta.norm();
    if (norm == 0) return Eigen::RowVectorXd::Zero(D);
    return R * bessel_ratio(nu, beta * R * norm) / norm * theta;
  };
  std::vector<State> out = {model.initial_state()};
  // Covariance parameters of the spins of the previous step: s_0 is deterministic.
  Eigen::VectorXd a = Eigen::VectorXd::Zero(N), b = Eigen::VectorXd::Zero(N);
  State mu = State::Zero(N, D);
  for (int t = 1; t <= steps; ++t) {
    const State theta = model.targets(out.back());
    const Eigen::MatrixXd J2 = model.J.array().square().matrix();
    const Eigen::VectorXd iso = J2 * b;                       // sum_j J_ij^2 b_j
    const Eigen::MatrixXd w = J2 * (a - b).asDiagonal();      // J_ij^2 (a_j - b_j)
    State m(N, D);
    for (int i = 0; i < N; ++i) {
      Eigen::MatrixXd M = R * R * (mu.transpose() * w.row(i).transpose().asDiagonal() * mu);
      M.diagonal().array() += R * R * iso[i];
      const Eigen::RowVectorXd center = f(theta.row(i));
      Eigen::RowVectorXd mean = center;
      if (M.norm() > 0) {
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(M);
        for (int k = 0; k < D; ++k) {
          const double lambda = std::max(es.eigenvalues()[k], 0.0);
          if (lambda == 0) continue;
          const Eigen::RowVectorXd step = std::sqrt(lambda) * es.eigenvectors().col(k).transpose();
          mean += 0.5 * (f(theta.row(i) + step) - 2.0 * center + f(theta.row(i) - step));
        }
      }
      m.row(i) = mean;
      // The spin just drawn is vMF given theta_i: its covariance parameters for the next step.
      const double norm = theta.row(i).norm(), kappa = beta * R * norm;
      if (norm > 0) {
        const double A = bessel_ratio(nu, kappa);
        b[i] = A / kappa;
        a[i] = 1.0 - A * A - (D - 1) * A / kappa;
        mu.row(i) = theta.row(i) / norm;
      } else {
        a[i] = b[i] = 1.0 / D;
        mu.row(i).setZero();
      }
    }
    out.push_back(m);
  }
  return out;
}

KineticComparison compare_mean_field(const VectorSpinModel& model, const KineticResult& sim, double beta, int steps,
                                     const TapVariants& variants) {
  const double size = double(model.N) * model.D;
  const State& target = sim.m.at(steps);
  KineticComparison c;
  c.final_state.noise = sim.m_err.at(steps).squaredNorm() / size;
  State noise_mean = State::Zero(model.N, model.D);  // error of the trajectory mean: bounded by the mean error
  for (int t = 1; t <= steps; ++t) noise_mean += sim.m_err[t] / double(steps);
  c.trajectory_mean.noise = noise_mean.squaredNorm() / size;
  c.alignment_simulation = alignment(target, model.x);
  {
    const auto second = run_second_order(model, beta, steps);
    c.final_state.second_order = (second.back() - target).squaredNorm() / size;
    State mean = State::Zero(model.N, model.D);
    for (int t = 1; t <= steps; ++t) mean += second[t] / double(steps);
    c.trajectory_mean.second_order = (mean - sim.trajectory_mean).squaredNorm() / size;
  }
  // kind 0: nMF, 1: TAP with the large-D phi^-1 (the thesis's), 2: TAP with the readout's own inverse.
  for (Readout readout : {Readout::bessel, Readout::large_d})
    for (int kind : {0, 1, 2}) {
      const bool tap = kind > 0, bessel = readout == Readout::bessel;
      if (kind == 2 && !bessel) continue;  // with the large-D readout kinds 1 and 2 coincide
      if ((kind == 2 && !variants.consistent) || (kind == 1 && bessel && !variants.bessel)) {
        (kind == 2 ? c.final_state.tap_consistent : c.final_state.tap_bessel) = NAN;
        (kind == 2 ? c.trajectory_mean.tap_consistent : c.trajectory_mean.tap_bessel) = NAN;
        if (kind == 1) c.alignment_tap_bessel = NAN;
        continue;
      }
      MeanFieldOptions o;
      o.beta = beta;
      o.steps = steps;
      o.readout = readout;
      o.tolerance = 1e-11;
      o.max_inner = 100;
      o.solver = InnerSolver::newton;
      o.inverse = kind == 2 ? Readout::bessel : Readout::large_d;
      State sum = State::Zero(model.N, model.D);
      State final_state;
      if (tap) {
        const MeanFieldResult r = run_tap(model, o);
        final_state = r.final_state;
        sum = r.m * double(steps);
        c.tap_residual = std::max(c.tap_residual, r.max_residual);
      } else {
        // nMF's trajectory, step by step, for its trajectory mean.
        State m = model.initial_state();
        for (int t = 0; t < steps; ++t) {
          m = readout_fn(model, m, beta, readout);
          sum += m;
        }
        final_state = m;
      }
      const double e_final = (final_state - target).squaredNorm() / size;
      const double e_mean = (sum / double(steps) - sim.trajectory_mean).squaredNorm() / size;
      const double a = alignment(final_state, model.x);
      if (kind == 2) {
        c.final_state.tap_consistent = e_final;
        c.trajectory_mean.tap_consistent = e_mean;
        c.tap_consistent_state = final_state;
        continue;
      }
      (tap ? (bessel ? c.final_state.tap_bessel : c.final_state.tap_large_d)
           : (bessel ? c.final_state.nmf_bessel : c.final_state.nmf_large_d)) = e_final;
      (tap ? (bessel ? c.trajectory_mean.tap_bessel : c.trajectory_mean.tap_large_d)
           : (bessel ? c.trajectory_mean.nmf_bessel : c.trajectory_mean.nmf_large_d)) = e_mean;
      (tap ? (bessel ? c.alignment_tap_bessel : c.alignment_tap_large_d)
           : (bessel ? c.alignment_nmf_bessel : c.alignment_nmf_large_d)) = a;
      if (!bessel) (tap ? c.tap_large_d_state : c.nmf_large_d_state) = final_state;
      if (bessel && !tap) c.nmf_bessel_state = final_state;
    }
  return c;
}

}  // namespace spinformer::glass
