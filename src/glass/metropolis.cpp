#include "glass/metropolis.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "lab/usage_error.hpp"

namespace spinformer::glass {

double thesis_proposal_width(int N, int D) { return 1.0 / (double(N) * std::sqrt(double(D))); }

MetropolisChain::MetropolisChain(const VectorSpinModel& model, double beta, double sigma, const State& start,
                                 std::uint64_t seed, EnergyUpdate update)
    : model_(&model), beta_(beta), sigma_(sigma), update_(update), rng_(seed), s_(start) {
  lab::require_positive("--beta", beta);
  lab::require_positive("--sigma", sigma);
  if (start.rows() != model.N || start.cols() != model.D)
    throw lab::UsageError("--start", fmt::format("state is {} x {}, the model is N x D = {} x {}", start.rows(),
                                                 start.cols(), model.N, model.D));
  scratch_ud_.resize(model.N);
  scratch_sd_.resize(model.N);
  new_unorm2_.resize(model.N);
  new_inv_unorm_.resize(model.N);
  delta_.resize(model.D);
  refresh();
}

void MetropolisChain::set_sigma(double sigma) {
  lab::require_positive("--sigma", sigma);
  sigma_ = sigma;
}

void MetropolisChain::refresh() {
  u_ = model_->targets(s_);
  unorm2_ = u_.rowwise().squaredNorm();
  inv_unorm_ = unorm2_.array().rsqrt().matrix();
  snorm2_ = s_.rowwise().squaredNorm();
  su_ = (s_.array() * u_.array()).rowwise().sum();
  since_refresh_ = 0;
}

// H = 1/2 sum_i (||s_i||^2 - 2 R s_i.u_i / ||u_i|| + R^2).
double MetropolisChain::energy() const {
  const double R = model_->R;
  double h = 0;
  for (int i = 0; i < model_->N; ++i) h += snorm2_[i] - 2.0 * R * su_[i] * inv_unorm_[i] + R * R;
  return 0.5 * h;
}

double MetropolisChain::delta_energy(int k, const Eigen::VectorXd& delta) const {
  const auto& m = *model_;
  if (update_ == EnergyUpdate::full_recompute) {
    // The thesis's way: the energy of the proposed state from scratch, minus the current one.
    State proposed = s_;
    proposed.row(k) += delta.transpose();
    return m.energy(proposed) - m.energy(s_);
  }
  const double R = m.R;
  const int N = m.N;
  // For every i: u_i' = u_i + J_ik delta;  s_i' = s_i (+ delta if i == k).
  auto& ud = scratch_ud_;
  auto& sd = scratch_sd_;
  ud.noalias() = u_ * delta;  // u_i . delta
  sd.noalias() = s_ * delta;  // s_i . delta
  const double dd = delta.squaredNorm();
  const auto Jk = m.J.col(k);
  double dh = 0;
  for (int i = 0; i < N; ++i) {
    const double jik = Jk[i];
    const double un2 = unorm2_[i] + 2.0 * jik * ud[i] + jik * jik * dd;
    new_unorm2_[i] = un2;
    double su = su_[i] + jik * sd[i];
    if (i == k) su += ud[i] + jik * dd;  // (s_k + delta).(u_k + J_kk delta) - s_k.u_k - J_kk s_k.delta
    const double inv = 1.0 / std::sqrt(un2);
    new_inv_unorm_[i] = inv;
    dh += -R * (su * inv - su_[i] * inv_unorm_[i]);
  }
  dh += 0.5 * (2.0 * sd[k] + dd);  // ||s_k + delta||^2 - ||s_k||^2
  return dh;
}

void MetropolisChain::accept(int k, const Eigen::VectorXd& delta) {
  ++accepted_;
  const auto& m = *model_;
  if (++since_refresh_ >= refresh_interval || update_ == EnergyUpdate::full_recompute) {
    s_.row(k) += delta.transpose();
    refresh();
    return;
  }
  // scratch_ud_/scratch_sd_ still hold u_i.delta and s_i.delta from delta_energy.
  const double dd = delta.squaredNorm();
  const auto Jk = m.J.col(k);
  unorm2_.swap(new_unorm2_);
  inv_unorm_.swap(new_inv_unorm_);
  for (int i = 0; i < m.N; ++i) su_[i] += Jk[i] * scratch_sd_[i];
  su_[k] += scratch_ud_[k] + Jk[k] * dd;
  snorm2_[k] += 2.0 * scratch_sd_[k] + dd;
  s_.row(k) += delta.transpose();
  u_.noalias() += Jk * delta.transpose();
}

bool MetropolisChain::step() {
  ++proposals_;
  const int k = static_cast<int>(rng_.below(static_cast<std::uint32_t>(model_->N)));
  for (int a = 0; a < model_->D; a += 2) {  // Box-Muller, both variates of each pair
    const double r = sigma_ * std::sqrt(-2.0 * std::log(1.0 - rng_.uniform()));
    const double phase = 2.0 * M_PI * rng_.uniform();
    delta_[a] = r * std::cos(phase);
    if (a + 1 < model_->D) delta_[a + 1] = r * std::sin(phase);
  }
  const double dh = delta_energy(k, delta_);
  // Accept with min(1, exp(-beta dH)); the uniform is drawn only when needed.
  if (dh <= 0 || rng_.uniform() < std::exp(-beta_ * dh)) {
    if (update_ == EnergyUpdate::full_recompute) {
      // full_recompute did not fill the scratch dot products
      s_.row(k) += delta_.transpose();
      ++accepted_;
      refresh();
    } else {
      accept(k, delta_);
    }
    return true;
  }
  return false;
}

void MetropolisChain::run(std::int64_t proposals) {
  for (std::int64_t t = 0; t < proposals; ++t) step();
}

MetropolisRun run_metropolis(const VectorSpinModel& model, const MetropolisOptions& o, const State& start) {
  lab::require_positive("--beta", o.beta);
  if (!(o.sigma >= 0) || !std::isfinite(o.sigma)) throw lab::UsageError("--sigma", "must be >= 0 (0: the thesis's width)");
  if (o.thin < 1) throw lab::UsageError("--thin", fmt::format("must be >= 1, got {}", o.thin));
  if (o.proposals < 2 * o.thin)
    throw lab::UsageError("--steps", fmt::format("must be at least 2 * thin = {}, got {}", 2 * o.thin, o.proposals));
  lab::require_range("--burn-in", o.burn_in_fraction, 0.0, 0.9);
  lab::require_range("--target-acceptance", o.target_acceptance, 0.01, 0.99);
  const auto t0 = std::chrono::steady_clock::now();
  const double sigma0 = o.sigma > 0 ? o.sigma : thesis_proposal_width(model.N, model.D);
  MetropolisChain chain(model, o.beta, sigma0, start, o.seed);
  const std::int64_t stored = o.proposals / o.thin;
  const std::int64_t burn = static_cast<std::int64_t>(std::floor(o.burn_in_fraction * double(stored)));
  MetropolisRun run;
  run.mean = State::Zero(model.N, model.D);
  double log_sigma = std::log(sigma0);
  std::int64_t blocks = 0;  // adaptation blocks of one sweep (N proposals) so far
  for (std::int64_t t = 0; t < stored; ++t) {
    if (o.adapt_sigma && t < burn) {
      // Robbins-Monro on log sigma towards the target acceptance, step size decaying with the block.
      for (std::int64_t done = 0; done < o.thin;) {
        const std::int64_t n = std::min<std::int64_t>(model.N, o.thin - done);
        const auto acc0 = chain.accepted(), prop0 = chain.proposals();
        chain.run(n);
        const double rate = double(chain.accepted() - acc0) / double(chain.proposals() - prop0);
        log_sigma += 2.0 * (rate - o.target_acceptance) / std::sqrt(1.0 + double(blocks++) / 10.0);
        log_sigma = std::min(log_sigma, std::log(1e6));
        chain.set_sigma(std::exp(log_sigma));
        done += n;
      }
    } else {
      chain.run(o.thin);
    }
    if (t < burn) {
      if (t == burn - 1) chain.reset_counters();  // acceptance counts the kept part only
      continue;
    }
    const State& s = chain.state();
    run.mean += s;
    const double kept = double(t - burn + 1);
    run.energy.push_back(chain.energy());
    run.alignment.push_back(alignment(s, model.x));
    run.running_alignment.push_back(alignment(run.mean / kept, model.x));
  }
  run.mean /= double(stored - burn);
  run.final_state = chain.state();
  run.acceptance = chain.acceptance_rate();
  run.sigma = chain.sigma();
  run.proposals = o.proposals;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return run;
}

double gelman_rubin(const std::vector<std::vector<double>>& chains) {
  const std::size_t m = chains.size();
  if (m < 2) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t n = chains.front().size();
  for (const auto& c : chains)
    if (c.size() != n || n < 2) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> means(m);
  double grand = 0, W = 0;
  for (std::size_t c = 0; c < m; ++c) {
    double s = 0;
    for (double v : chains[c]) s += v;
    means[c] = s / double(n);
    grand += means[c];
    double ss = 0;
    for (double v : chains[c]) ss += (v - means[c]) * (v - means[c]);
    W += ss / double(n - 1);
  }
  grand /= double(m);
  W /= double(m);
  double B = 0;  // B / n in Gelman's notation: variance of the chain means
  for (double mu : means) B += (mu - grand) * (mu - grand);
  B /= double(m - 1);
  if (!(W > 0)) return std::numeric_limits<double>::quiet_NaN();
  const double var_plus = double(n - 1) / double(n) * W + B;
  return std::sqrt(var_plus / W);
}

ChainDiagnostics diagnose(const MetropolisRun& run) {
  ChainDiagnostics d;
  d.acceptance = run.acceptance;
  d.energy = lab::integrated_autocorrelation(run.energy);
  d.alignment = lab::integrated_autocorrelation(run.alignment);
  return d;
}

}  // namespace spinformer::glass
