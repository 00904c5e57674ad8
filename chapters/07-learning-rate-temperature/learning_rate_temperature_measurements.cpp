// Chapter 7: the jobs (declared in learning_rate_temperature.hpp). The exact small cases call
// src/sgd; the transformer runs call gpt::train_sgd on a stream of exact chain samples.
#include <cmath>
#include <fmt/format.h>

#include "gpt/sgd_training.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/statistics.hpp"
#include "sgd/chain_model.hpp"
#include "sgd/double_well.hpp"
#include "sgd/minibatch.hpp"
#include "sgd/quadratic.hpp"

#include "learning_rate_temperature.hpp"

namespace spinformer {

std::string ekey(double eta) { return fmt::format("{:g}", eta); }

nlohmann::json quadratic_job(const nlohmann::json& p, std::uint64_t seed) {
  sgd::Quadratic1d q;
  q.eta = p.at("eta").get<double>();
  q.h = 1;
  q.sigma2 = 1;
  q.B = p.at("B").get<long>();
  q.N = p.at("N").get<long>();
  q.sampling = p.at("without_replacement").get<bool>() ? sgd::Sampling::without_replacement
                                                        : sgd::Sampling::with_replacement;
  nlohmann::json r = {{"variance_exact", sgd::stationary_variance(q)},
                      {"variance_small_eta", sgd::stationary_variance_small_eta(q)}};
  if (const long steps = p.at("steps").get<long>(); steps > 0) {
    const auto s = sgd::simulate_stationary_variance(q, steps, seed);
    r["variance"] = s.value;
    r["variance_error"] = s.error;
  }
  return r;
}

nlohmann::json well_job(const nlohmann::json& p, std::uint64_t seed) {
  sgd::DoubleWellSgd s;
  s.eta = p.at("eta").get<double>();
  const double T = p.at("T").get<double>();
  s.sigma2 = 2.0 * T / s.eta;  // B = 1: T = eta sigma2 / 2 fixed
  s.noise = sgd::parse_well_noise(p.at("noise").get<std::string>());
  s.well.tilt = p.at("tilt").get<double>();
  sgd::validate(s);
  // The barrier the simulation counts the wells by, so that chain and simulation split theta alike.
  const double barrier_theta = s.well.barrier();
  const auto chain = sgd::transfer_operator_density(s);
  nlohmann::json r = {{"gibbs_wide", sgd::gibbs_occupation(s.well, T).wide},
                      {"small_eta_wide", sgd::small_eta_occupation(s).wide},
                      {"chain_wide", chain.occupation(barrier_theta).wide},
                      // The chain's value is SGD's own only while it rarely diverges (see double_well.hpp).
                      {"chain_escape_per_step", chain.escape_per_step}};
  if (const long steps = p.at("steps").get<long>(); steps > 0) {
    const auto sim = sgd::simulate_occupation(s, steps, steps / 20, seed);
    r["steps"] = steps + steps / 20;  // burn-in included: the horizon over which the chain must stay confined
    r["diverged_at"] = sim.diverged_at;
    if (!sim.diverged()) {
      r["wide"] = sim.wide;
      r["wide_error"] = sim.error;
    }
    r["crossings"] = sim.crossings;
  }
  return r;
}

nlohmann::json chain_job(const nlohmann::json& p, std::uint64_t seed) {
  sgd::ChainSgd c;
  c.model.L = p.at("L").get<int>();
  c.model.boundary = ising::Boundary::open;
  c.K_true = p.at("K").get<double>();
  c.eta = p.at("eta").get<double>();
  c.B = p.at("B").get<long>();
  sgd::validate(c);
  const auto pred = sgd::predict(c);
  const auto law = sgd::stationary_distribution(c);
  nlohmann::json r = {{"hessian", pred.hessian},
                      {"variance_linear", pred.variance},
                      {"variance_small_eta", pred.variance_small_eta},
                      {"variance_exact", law.variance},
                      {"excess_linear", pred.excess_kl},
                      {"excess_small_eta", pred.excess_kl_small_eta},
                      {"excess_exact", law.excess_kl},
                      {"mean_K_exact", law.mean_K}};
  if (const long steps = p.at("steps").get<long>(); steps > 0) {
    const auto s = sgd::simulate(c, steps, seed);
    r["variance"] = s.variance.value;
    r["variance_error"] = s.variance.error;
    r["excess"] = s.excess_kl.value;
    r["excess_error"] = s.excess_kl.error;
  }
  return r;
}

nlohmann::json transformer_job(const nlohmann::json& p, std::uint64_t seed) {
  const Config cfg = p.at("config").get<Config>();
  ising::Chain chain;
  chain.L = cfg.model.L;
  chain.T = p.at("T").get<double>();
  chain.boundary = ising::parse_boundary(p.at("boundary").get<std::string>());
  gpt::SgdConfig c;
  c.steps = p.at("steps").get<long>();
  c.batch = p.at("batch").get<int>();
  c.eta = p.at("eta").get<double>();
  c.schedule = p.at("schedule").get<std::string>();
  c.warmup_steps = p.at("warmup_steps").get<long>();
  c.final_ratio = p.at("final_ratio").get<double>();
  c.optimizer = p.at("optimizer").get<std::string>();
  c.eval_every = p.at("eval_every").get<long>();
  c.seed = seed;
  const auto model = gpt::model_config_from_json(p.at("model"));
  const ising::ExactSampler sampler(chain);
  const auto eval = sampler.draw(p.at("n_eval").get<std::size_t>(), p.at("eval_seed").get<std::uint64_t>());
  gpt::SgdResult r;
  const auto trained = gpt::train_sgd(model, c, chain, eval, &r);
  // tr C at the trained model: the sample covariance of per-sample gradients of the loss per spin over
  // n_fisher exact configurations (the same configurations for every run at this T)
  const auto fisher = sampler.draw(p.at("n_fisher").get<std::size_t>(), p.at("eval_seed").get<std::uint64_t>() + 1);
  std::vector<double> mean;
  double square = 0;
  for (std::size_t k = 0; k < fisher.size(); ++k) {
    ising::SpinSamples one{fisher.L, std::vector<ising::Spin>(fisher.row(k), fisher.row(k) + fisher.L)};
    const auto g = gpt::loss_gradient_flat(trained, one);
    if (mean.empty()) mean.assign(g.size(), 0.0);
    for (std::size_t i = 0; i < g.size(); ++i) mean[i] += g[i], square += double(g[i]) * double(g[i]);
  }
  const double n = double(fisher.size());
  double mean_square = 0;
  for (double x : mean) mean_square += (x / n) * (x / n);
  nlohmann::json out = {{"parameter_count", r.parameter_count}, {"wall_s", r.wall_s},
                        {"gradient_trace", (square - n * mean_square) / (n - 1)}};
  for (const auto& q : r.curve) {
    out["step"].push_back(q.step);
    out["eta"].push_back(q.eta);
    out["kl"].push_back(q.kl);
    out["kl_last"].push_back(q.kl_last);
  }
  return out;
}

double closing_bond_information(int L, double T) {
  ising::Chain chain;
  chain.L = L;
  chain.T = T;
  const ising::ExactChain exact(chain);
  // p(s_1, s_2, s_{L-1}, s_L); given s_1 and s_{L-1}, s_L is independent of the rest (Markov ring),
  // so I = sum p log p(s_L | s_1, s_{L-1}) / p(s_L | s_2, s_{L-1}).
  double p[2][2][2][2] = {};
  std::vector<ising::Spin> s(static_cast<std::size_t>(L), ising::Spin(1));
  for (std::uint32_t k = 0; k < (1u << L); ++k) {
    for (int i = 0; i < L; ++i) s[std::size_t(i)] = (k >> i) & 1 ? 1 : -1;
    p[k & 1][(k >> 1) & 1][(k >> (L - 2)) & 1][(k >> (L - 1)) & 1] += std::exp(exact.log_probability(s.data()));
  }
  double info = 0;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 2; ++c)
        for (int d = 0; d < 2; ++d) {
          double p_ac = 0, p_acd = 0, p_bc = 0, p_bcd = 0;
          for (int x = 0; x < 2; ++x)
            for (int y = 0; y < 2; ++y) {
              p_ac += p[a][x][c][y], p_bc += p[x][b][c][y];
            }
          for (int x = 0; x < 2; ++x) p_acd += p[a][x][c][d], p_bcd += p[x][b][c][d];
          info += p[a][b][c][d] * std::log((p_acd / p_ac) / (p_bcd / p_bc));
        }
  return info;
}

Curve curve_from(const nlohmann::json& j) {
  Curve c;
  for (std::size_t k = 0; k < j.at("step").size(); ++k) {
    c.step.push_back(j["step"][k].get<double>());
    c.eta.push_back(j["eta"][k].get<double>());
    c.kl.push_back(lab::number_or_nan(j["kl"][k]));
    c.kl_last.push_back(lab::number_or_nan(j["kl_last"][k]));
  }
  return c;
}

double quarter_mean(const std::vector<double>& series, int q) {
  const std::size_t n = series.size(), first = n * std::size_t(q) / 4, last = n * std::size_t(q + 1) / 4;
  double s = 0;
  for (std::size_t i = first; i < last; ++i) s += series[i];
  return last > first ? s / double(last - first) : NAN;
}

double curvature_per_spin(const Config& cfg, double T) {
  sgd::CouplingModel m;
  m.L = cfg.model.L;
  m.boundary = ising::Boundary::open;
  return m.bond_sum_variance(1.0 / T) / double(cfg.model.L);
}

Controls compute_controls(const Config& cfg) {
  Controls c;
  sgd::Quadratic1d q;
  q.h = cfg.control_h;
  q.sigma2 = 1;
  q.N = 1000;
  // 7.1 and 7.5: the transformer's (eta, B) grid on the reference quadratic
  const auto grid = [&](int B, const std::vector<double>& etas) {
    for (double e : etas) {
      q.eta = e, q.B = B;
      c.minibatch[B].push_back({e, sgd::excess_loss(q)});
      // per-step noise eta h (xbar - mu) of variance control_step_noise whatever eta and B
      c.step_noise[B].push_back({e, sgd::excess_loss(sgd::with_gradient_variance(
                                        q, cfg.control_step_noise * double(B) / (e * e)))});
    }
  };
  grid(cfg.small_batch, cfg.eta_small_batch);
  grid(cfg.large_batch, cfg.eta_large_batch);
  // 7.2: the warmup-decay schedule, started far from the minimum (variance 1), at the evaluation steps
  {
    gpt::SgdConfig s;
    s.steps = cfg.decay_steps;
    s.eta = cfg.eta_peak;
    s.schedule = "warmup_decay";
    s.warmup_steps = cfg.warmup_steps;
    s.final_ratio = cfg.final_ratio;
    std::vector<double> etas;
    for (long t = 0; t < s.steps; ++t) etas.push_back(gpt::learning_rate(s, t));
    q.eta = cfg.eta_peak, q.B = cfg.small_batch;
    const auto v = sgd::variance_under_schedule(q, etas, 1.0);
    const long every = std::max(1L, cfg.decay_steps / cfg.eval_points);
    for (long t = 0; t < s.steps; ++t)
      if ((t + 1) % every == 0 || t + 1 == s.steps) {
        c.decay_step.push_back(double(t + 1));
        c.decay_eta.push_back(etas[std::size_t(t)]);
        c.decay_excess.push_back(q.h / 2 * v[std::size_t(t)]);
      }
  }
  // 7.3: constant isotropic gradient noise (variance 1) at the one-parameter model's two curvatures per spin
  c.h_hot = curvature_per_spin(cfg, cfg.T), c.h_cold = curvature_per_spin(cfg, cfg.T_cold);
  for (double e : cfg.eta_cold) {
    sgd::Quadratic1d a;
    a.eta = e, a.B = cfg.small_batch, a.N = 1000;
    a.h = c.h_hot;
    const double hot = sgd::excess_loss(sgd::with_gradient_variance(a, 1.0));
    a.h = c.h_cold;
    c.isotropic.push_back({e, hot, sgd::excess_loss(sgd::with_gradient_variance(a, 1.0))});
  }
  return c;
}

Plateau plateau(const std::vector<double>& series, double fraction) {
  const std::size_t n = series.size(), first = n - std::max<std::size_t>(2, std::size_t(fraction * double(n)));
  const std::vector<double> tail(series.begin() + long(first), series.end());
  const auto m = sgd::mean_with_autocorrelation(tail);
  return {m.value, m.error, m.tau_int};
}

const Setting* Measurements::find(const std::string& name, double eta, int batch, double T) const {
  for (const auto& s : settings)
    if (s.name == name && std::abs(s.eta - eta) <= 1e-12 * eta && s.batch == batch && s.T == T) return &s;
  return nullptr;
}

}  // namespace spinformer
