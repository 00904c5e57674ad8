// Chapter 6: the Config's networks and schedules, its profiles, and the jobs (declared in ising_2d.hpp).
// The samplers and the exact torus are src/ising2d; the transformer is chapter 1's (src/gpt), fed L x L
// configurations as rows of L^2 spins in raster order, so that its learned positional embedding is all
// the 2D geometry it is given.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>

#include "gpt/gpt.hpp"
#include "gpt/train.hpp"
#include "gpt/variational.hpp"
#include "ising/chain.hpp"
#include "ising2d/conditionals.hpp"
#include "ising2d/exact.hpp"
#include "ising2d/lattice.hpp"
#include "ising2d/measurements.hpp"
#include "ising2d/samplers.hpp"
#include "lab/report.hpp"
#include "lab/rng.hpp"

#include "causal_tests.hpp"
#include "ising_2d.hpp"

namespace spinformer {

gpt::ModelConfig raster_model(int L) {
  gpt::ModelConfig m;
  m.L = L * L;
  m.d_model = 32;
  m.n_heads = 4;
  m.n_layers = 2;
  m.d_ff = 128;
  return m;
}

// The 2D variant: the same network and learned positions plus the torus bias -slope d (d: Manhattan
// distance on the L x L torus between the site a query predicts and the site a key holds). Chapter 5's
// choice for its biases (gpt::masked_variant): linear shape, slope learned per layer and head from 1, so
// that the data set how local each head is and a head can switch the bias off (slope -> 0); a fixed
// slope would impose our guess of the locality. Unlike chapter 5 the learned positions stay, so that the
// comparison with `model` measures what the bias adds to them, not a replacement of one by the other.
gpt::ModelConfig torus_variant(const gpt::ModelConfig& model) {
  gpt::ModelConfig m = model;
  m.bias = gpt::BiasKind::torus;
  m.bias_shape = gpt::BiasShape::linear;
  m.bias_slope = 1.0;
  m.bias_learned = true;
  return m;
}

gpt::TrainConfig sample_training() {
  gpt::TrainConfig t;
  t.steps = 2000;
  t.batch = 128;
  t.lr = 1e-3;
  t.schedule = "cosine";
  t.warmup_steps = 100;
  t.eval_every = 250;
  t.checkpoint_every = 0;
  return t;
}

gpt::TrainConfig variational_training(const gpt::TrainConfig& train) {
  gpt::TrainConfig t = train;
  t.steps = 1200;
  t.warmup_steps = 50;
  return t;
}

// L = 16: 256 tokens; a step of batch 64 costs about 0.25 s on one thread (3-4 times one of L = 8, batch 128)
gpt::TrainConfig large_training(const gpt::TrainConfig& train) {
  gpt::TrainConfig t = train;
  t.steps = 1600;  // per temperature 3 seeds x 1600 x ~0.25 s + ~70 s of evaluation each: ~11 min of 2 cores
  t.batch = 64;
  return t;
}

std::map<std::string, nlohmann::json> profiles() {
  const nlohmann::json defaults = Config{};
  // a schedule's patch changes some of its fields and keeps the rest of the default schedule
  auto schedule = [&](const char* key, const nlohmann::json& changes) {
    nlohmann::json j = defaults.at(key);
    j.update(changes);
    return j;
  };
  return {{"paper", nlohmann::json::object()},
          {"quick",
           {{"validation_sizes", {4, 8}}, {"metropolis_sweeps", 10'000}, {"wolff_sweeps", 2'000}, {"wolff_chains", 16},
            {"tau_sizes", {4, 8, 16}}, {"fit_from", 8}, {"tau_metropolis_sweeps", 2000}, {"tau_wolff_sweeps", 500},
            {"temperatures", {2.1, 2.269185314213022, 2.5}}, {"large_temperatures", {2.1, 2.269185314213022, 2.5}},
            {"seeds", 2}, {"n_train", 5'000}, {"n_val", 500}, {"n_test", 2'000}, {"n_model_samples", 2'000},
            {"n_attention", 128},
            {"train", schedule("train", {{"steps", 150}, {"batch", 64}, {"warmup_steps", 20}, {"eval_every", 50}})},
            {"variational_T", {2.1}},
            {"variational", schedule("variational", {{"steps", 60}, {"batch", 64}, {"warmup_steps", 10}})},
            {"n_causal", 40},
            {"large_train", schedule("large_train", {{"steps", 20}, {"batch", 16}, {"warmup_steps", 5}, {"eval_every", 10}})},
            {"large_n_train", 500}, {"large_n_val", 100}, {"large_n_test", 200}, {"large_n_model_samples", 200},
            {"large_n_attention", 32}}}};
}

std::string tkey(double T) { return fmt::format("{:.4g}", T); }

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? NAN : s / double(v.size());
}

double sd_of(const std::vector<double>& v) {
  if (v.size() < 2) return NAN;
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size() - 1));
}

namespace {

ising2d::Lattice lattice_of(int L, double T) {
  ising2d::Lattice lat;
  lat.L = L;
  lat.J = 1.0;
  lat.T = T;
  ising2d::validate(lat);
  return lat;
}

nlohmann::json estimate_json(const lab::Estimate& e) { return {e.value, e.error}; }

ising::SpinSamples as_rows(const ising2d::LatticeSamples& s) {
  ising::SpinSamples out;
  out.L = static_cast<int>(s.sites());
  out.spins = s.spins;
  return out;
}

// Mean with the standard error of independent draws.
lab::Estimate mean_error(const std::vector<double>& x) {
  const double m = mean_of(x);
  double v = 0;
  for (double y : x) v += (y - m) * (y - m);
  v /= double(x.size() - 1);
  return {m, std::sqrt(v / double(x.size()))};
}

// Specific heat per spin beta^2 N Var(e) of independent draws of the energy per spin e, with the
// standard error of a sample variance, sqrt((m4 - m2^2) / n).
lab::Estimate heat_of(const std::vector<double>& e, double beta, double N) {
  const double m = mean_of(e);
  double m2 = 0, m4 = 0;
  for (double x : e) {
    const double d = (x - m) * (x - m);
    m2 += d;
    m4 += d * d;
  }
  m2 /= double(e.size());
  m4 /= double(e.size());
  const double f = beta * beta * N;
  return {f * m2 * double(e.size()) / double(e.size() - 1), f * std::sqrt(std::max(0.0, m4 - m2 * m2) / double(e.size()))};
}

// Everything measured on a trained model against the exact torus and fresh Wolff samples `test`.
nlohmann::json evaluate(const gpt::Model& model, const ising2d::Lattice& lat, const ising2d::LatticeSamples& test,
                        std::size_t n_model, std::size_t n_attention, std::uint64_t sample_seed,
                        std::size_t n_causal = 0) {
  const int L = lat.L;
  const double T = lat.T, beta = lat.beta(), N = lat.sites();
  const auto exact = ising2d::kaufman_thermodynamics(lat);
  const std::size_t n_test = test.size();
  const ising::SpinSamples test_rows = as_rows(test);
  // KL(p || q) per spin on fresh Wolff configurations: log p = -beta E - log Z exactly.
  const auto lq_test = model.log_probability(test_rows);
  std::vector<double> fwd(n_test);
  std::vector<double> hist_wolff(std::size_t(N) / 2 + 1, 0.0);
  for (std::size_t k = 0; k < n_test; ++k) {
    const double lp = -beta * ising2d::energy(lat, test.row(k)) - exact.log_z;
    fwd[k] = (lp - lq_test[k]) / N;
    hist_wolff[std::size_t(std::labs(ising2d::magnetization(L, test.row(k)))) / 2] += 1.0 / double(n_test);
  }
  const lab::Estimate kl_forward = mean_error(fwd);

  // Model samples: KL(q || p) per spin = beta (f_q - f) = mean(log q - log p) / N, importance weights
  // w = p / q (their effective sample size per sample), energy, specific heat and |M|.
  const auto ms = model.sample(n_model, sample_seed);
  const auto lq_model = model.log_probability(ms);
  std::vector<double> rev(n_model), log_w(n_model), e(n_model), absm(n_model);
  std::vector<double> hist_model(hist_wolff.size(), 0.0);
  double positive = 0;
  for (std::size_t k = 0; k < n_model; ++k) {
    const double E = ising2d::energy(lat, ms.row(k));
    const long M = ising2d::magnetization(L, ms.row(k));
    const double lp = -beta * E - exact.log_z;
    rev[k] = (lq_model[k] - lp) / N;
    log_w[k] = lp - lq_model[k];
    e[k] = E / N;
    absm[k] = std::abs(double(M)) / N;
    hist_model[std::size_t(std::labs(M)) / 2] += 1.0 / double(n_model);
    positive += M > 0 ? 1.0 : M == 0 ? 0.5 : 0.0;
  }
  const lab::Estimate kl_reverse = mean_error(rev);
  const double ess_per_sample = std::exp(2 * ising2d::log_sum_exp(log_w) - ising2d::log_sum_exp([&] {
                                            std::vector<double> d(log_w);
                                            for (double& x : d) x *= 2;
                                            return d;
                                          }())) / double(n_model);
  std::vector<double> e_test(n_test), absm_test(n_test);
  for (std::size_t k = 0; k < n_test; ++k) {
    e_test[k] = ising2d::energy(lat, test.row(k)) / N;
    absm_test[k] = std::abs(double(ising2d::magnetization(L, test.row(k)))) / N;
  }

  // Attention by distance r along the raster sequence (a query predicting site t + 1 attending key
  // t - r: r = 0 is the left neighbour, r = L - 1 the one above), every layer.
  ising::SpinSamples att_rows;
  att_rows.L = test_rows.L;
  const std::size_t n_att = std::min(n_attention, n_test);
  att_rows.spins.assign(test_rows.spins.begin(), test_rows.spins.begin() + std::ptrdiff_t(n_att * N));
  const gpt::AttentionSummary att = model.attention(att_rows);

  nlohmann::json r = {{"T", T},
          {"L", L},
          {"kl_forward", estimate_json(kl_forward)},
          {"kl_reverse", estimate_json(kl_reverse)},
          {"ess_per_sample", ess_per_sample},
          {"energy_model", estimate_json(mean_error(e))},
          {"heat_model", estimate_json(heat_of(e, beta, N))},
          {"abs_m_model", estimate_json(mean_error(absm))},
          {"energy_wolff", estimate_json(mean_error(e_test))},
          {"heat_wolff", estimate_json(heat_of(e_test, beta, N))},
          {"abs_m_wolff", estimate_json(mean_error(absm_test))},
          {"p_positive", positive / double(n_model)},
          {"exact_energy", exact.energy_per_spin},
          {"exact_heat", exact.specific_heat_per_spin},
          {"exact_free_energy", exact.free_energy_per_spin},
          {"hist_abs_m_model", hist_model},
          {"hist_abs_m_wolff", hist_wolff},
          {"attention_by_distance", att.by_distance},
          {"attention_layers", att.layers},
          {"parameter_count", model.parameter_count()}};
  r.update(attention_correlation(lat, test, att));
  if (n_causal > 0 && L <= 10) r.update(causal_tests(model, lat, test, n_causal, att));
  return r;
}

}  // namespace

nlohmann::json sampler_job(const nlohmann::json& p, std::uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto lat = lattice_of(p.at("L").get<int>(), p.at("T").get<double>());
  ising2d::MeasurementPlan plan;
  plan.sweeps = p.at("sweeps").get<long>();
  plan.equilibration_sweeps = p.at("equilibration").get<long>();
  plan.record_every = p.at("record_every").get<long>();
  plan.chains = p.at("chains").get<int>();
  const std::string sampler = p.at("sampler").get<std::string>();
  const ising2d::ChainMeasurement m = sampler == "wolff" ? ising2d::measure_wolff(lat, plan, seed)
                                                         : ising2d::measure_checkerboard_metropolis(lat, plan, seed);
  const auto exact = ising2d::kaufman_thermodynamics(lat);
  return {{"energy", estimate_json(m.energy_per_spin)},
          {"heat", estimate_json(m.specific_heat_per_spin)},
          {"tau_energy", estimate_json(m.tau_energy)},
          {"tau_abs_m", estimate_json(m.tau_abs_magnetization)},
          {"abs_m", estimate_json(m.abs_magnetization_per_spin)},
          {"chains", m.chains},
          {"sweeps_per_chain", m.sweeps_per_chain},
          {"mean_cluster_size", m.mean_cluster_size},
          {"exact_energy", exact.energy_per_spin},
          {"exact_heat", exact.specific_heat_per_spin},
          {"wall_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
}

nlohmann::json transformer_job(const nlohmann::json& p, std::uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  const int L = p.at("L").get<int>();
  const double T = p.at("T").get<double>();
  const auto lat = lattice_of(L, T);
  const double N = lat.sites();
  const auto n_train = p.at("n_train").get<std::size_t>(), n_val = p.at("n_val").get<std::size_t>();
  const auto n_test = p.at("n_test").get<std::size_t>(), n_model = p.at("n_model_samples").get<std::size_t>();

  // Data: one Wolff chain for training and validation, an independent one for the test set, a
  // third stream for the model's own samples (seeds from the job seed, never from the worker).
  ising2d::MetropolisSchedule train_schedule{200, p.at("train_spacing").get<long>()};
  ising2d::MetropolisSchedule test_schedule{200, p.at("test_spacing").get<long>()};
  const auto all = ising2d::wolff_samples(lat, n_train + n_val, train_schedule, lab::Rng::stream(seed, 1).next());
  const auto test = ising2d::wolff_samples(lat, n_test, test_schedule, lab::Rng::stream(seed, 2).next());
  ising::SpinSamples train_rows = as_rows(all), val_rows;
  val_rows.L = train_rows.L;
  val_rows.spins.assign(train_rows.spins.end() - std::ptrdiff_t(n_val * N), train_rows.spins.end());
  train_rows.spins.resize(n_train * std::size_t(N));

  gpt::TrainOptions opt;
  opt.config = gpt::train_config_from_json(p.at("train"));
  opt.config.seed = lab::Rng::stream(seed, 3).next();
  opt.threads = 1;
  opt.progress = false;
  opt.data = {{"dimension", 2}, {"L", L}, {"T", T}, {"sampler", "wolff"}};
  gpt::TrainResult tr;
  const auto t_train = std::chrono::steady_clock::now();
  const gpt::Model model = gpt::train(gpt::model_config_from_json(p.at("model")), opt, train_rows, val_rows, &tr);
  const double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_train).count();

  nlohmann::json r = evaluate(model, lat, test, n_model, p.at("n_attention").get<std::size_t>(), lab::Rng::stream(seed, 4).next(),
                              p.value("n_causal", std::size_t(0)));
  r["best_val_nll"] = tr.best_val_nll;
  r["steps"] = tr.step;
  r["train_s"] = train_s;
  r["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

nlohmann::json variational_job(const nlohmann::json& p, std::uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto lat = lattice_of(p.at("L").get<int>(), p.at("T").get<double>());
  gpt::TrainConfig tc = gpt::train_config_from_json(p.at("train"));
  tc.seed = lab::Rng::stream(seed, 3).next();
  std::vector<gpt::VariationalCurvePoint> curve;
  const gpt::Model model = gpt::train_variational(
      gpt::model_config_from_json(p.at("model")), tc, lat.beta(),
      [&lat](const ising::Spin* s) { return ising2d::energy(lat, s); }, &curve);
  const double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ising2d::MetropolisSchedule test_schedule{200, p.at("test_spacing").get<long>()};
  const auto test = ising2d::wolff_samples(lat, p.at("n_test").get<std::size_t>(), test_schedule, lab::Rng::stream(seed, 2).next());
  nlohmann::json r = evaluate(model, lat, test, p.at("n_model_samples").get<std::size_t>(),
                              p.at("n_attention").get<std::size_t>(), lab::Rng::stream(seed, 4).next());
  std::vector<double> steps, fq;
  for (const auto& c : curve) steps.push_back(double(c.step)), fq.push_back(c.free_energy);
  r["curve_step"] = steps;
  r["curve_beta_f_q"] = fq;
  r["steps"] = tc.steps;
  r["train_s"] = train_s;
  r["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace spinformer
