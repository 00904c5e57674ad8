// Chapter 5: the measurements behind the chapter (declared in periodic_bias.hpp).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "gpt/eval.hpp"
#include "gpt/gpt.hpp"
#include "gpt/train.hpp"
#include "ising/estimators.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/report.hpp"
#include "lab/run_metadata.hpp"
#include "lab/statistics.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

#include "periodic_bias.hpp"

using namespace spinformer;
using lab::format_key;
using gpt::BiasKind;
using gpt::BiasShape;
using ising::Boundary;
using ising::Chain;
using ising::SpinSamples;

namespace spinformer {

std::vector<Variant> main_variants() {
  return {{"none", "no bias", BiasKind::none, BiasShape::linear, false, 0.0},
          {"distance", "distance bias (linear, learned slope)", BiasKind::distance, BiasShape::linear, true, 0.5},
          {"periodic", "periodic bias (linear, learned slope)", BiasKind::periodic, BiasShape::linear, true, 0.5}};
}
std::vector<Variant> ablation_variants() {  // the other f's, at the long-correlation temperature
  return {{"distance_linear_fixed", "distance, linear, slope 0.5 fixed", BiasKind::distance, BiasShape::linear, false, 0.5},
          {"periodic_linear_fixed", "periodic, linear, slope 0.5 fixed", BiasKind::periodic, BiasShape::linear, false, 0.5},
          {"distance_exp_learned", "distance, exponential, learned slope", BiasKind::distance, BiasShape::exp, true, 0.5},
          {"periodic_exp_learned", "periodic, exponential, learned slope", BiasKind::periodic, BiasShape::exp, true, 0.5}};
}

std::string bname(Boundary b) { return b == Boundary::periodic ? "ring" : "open"; }

std::vector<Training> make_trainings(const Config& cfg) {
  std::vector<Training> jobs;
  // the scale sweep first: its runs are the longest-lived and are needed whole for one figure
  for (double s : cfg.scales)
    for (int k = 0; k < cfg.scale_seeds; ++k) jobs.push_back({"scale", Boundary::periodic, cfg.scale_T, main_variants()[0], k, s});
  for (auto b : cfg.boundaries)
    for (double T : cfg.temperatures) {
      for (const auto& v : main_variants())
        for (int k = 0; k < cfg.seeds; ++k) jobs.push_back({"main", b, T, v, k, 1.0});
      if (T == cfg.long_T)
        for (const auto& v : ablation_variants())
          for (int k = 0; k < cfg.seeds; ++k) jobs.push_back({"ablation", b, T, v, k, 1.0});
    }
  return jobs;
}

nlohmann::json training_parameters(const Config& c, const Training& t) {
  const nlohmann::json config = {{"L", c.L}, {"d_model", c.d_model}, {"n_heads", c.n_heads}, {"n_layers", c.n_layers},
                                 {"steps", c.steps}, {"batch", c.batch}, {"lr", c.lr}, {"warmup", c.warmup},
                                 {"eval_every", c.eval_every}, {"scale_eval_every", c.scale_eval_every},
                                 {"n_train", c.n_train}, {"n_val", c.n_val}, {"n_test", c.n_test},
                                 {"n_model_samples", c.n_model_samples}, {"seed", c.seed}};
  return {{"config", config}, {"group", t.group}, {"boundary", bname(t.boundary)}, {"T", t.T},
          {"variant", t.variant.name}, {"scale", t.scale}};
}

Training training_from(const nlohmann::json& p, std::uint64_t seed) {
  Training t;
  t.group = p.at("group").get<std::string>();
  t.boundary = p.at("boundary") == "ring" ? Boundary::periodic : Boundary::open;
  t.T = p.at("T").get<double>();
  const std::string name = p.at("variant").get<std::string>();
  auto variants = main_variants();
  for (const auto& v : ablation_variants()) variants.push_back(v);
  const auto v = std::find_if(variants.begin(), variants.end(), [&](const Variant& x) { return x.name == name; });
  if (v == variants.end()) throw std::invalid_argument("ch05: unknown variant " + name);
  t.variant = *v;
  t.seed = static_cast<int>(seed);
  t.scale = p.at("scale").get<double>();
  return t;
}

// Data seeds depend on (boundary, T, training seed) only, so every variant sees the same data (paired).
std::uint64_t data_seed(const Config& cfg, Boundary b, double T, int k, int stream) {
  return cfg.seed + 1'000'003ULL * (b == Boundary::periodic ? 1 : 2) + 10'007ULL * static_cast<std::uint64_t>(std::llround(T * 100)) +
         101ULL * static_cast<std::uint64_t>(k) + static_cast<std::uint64_t>(stream);
}

// ---- exact structure: what an ideal model must see ---------------------------------------------------
// I_i = I(s_i ; s_1 | s_{i-1}): the excess loss at position i of the best model that sees only the
// previous spin s_{i-1} (the open chain's structure; h = 0, 0-based i >= 2). Zero on the open chain; on
// the ring the closing bond makes it > 0.
std::vector<double> blind_to_first_excess(const ising::ExactChain& exact) {
  const auto& c = exact.chain();
  const int L = c.L;
  const double t = std::tanh(c.J / c.T);
  std::vector<double> out(L, 0.0);
  for (int i = 2; i < L; ++i) {
    const int r = i - 1;  // distance between s_0 and s_{i-1} (0-based)
    const double corr = c.boundary == Boundary::periodic ? (std::pow(t, r) + std::pow(t, L - r)) / (1 + std::pow(t, L))
                                                         : std::pow(t, r);
    double I = 0;
    for (int b : {1, -1}) {
      double p_first[2], p_cond[2][2], q[2] = {0, 0};  // [a][c]
      for (int ai = 0; ai < 2; ++ai) {
        const int a = ai == 0 ? 1 : -1;
        p_first[ai] = (1 + a * b * corr) / 2;  // p(s_0 = a | s_{i-1} = b)
        const double up = exact.conditional_up(i, static_cast<ising::Spin>(b), static_cast<ising::Spin>(a));
        p_cond[ai][0] = up;
        p_cond[ai][1] = 1 - up;
        for (int ci = 0; ci < 2; ++ci) q[ci] += p_first[ai] * p_cond[ai][ci];
      }
      for (int ai = 0; ai < 2; ++ai)
        for (int ci = 0; ci < 2; ++ci)
          if (p_first[ai] > 0 && p_cond[ai][ci] > 0)
            I += 0.5 * p_first[ai] * p_cond[ai][ci] * (std::log(p_cond[ai][ci]) - std::log(q[ci]));
    }
    out[i] = I;
  }
  return out;
}

// The same I_i by brute force over all 2^L states (L <= 16): E_p[log p(s_i | s_<i) - log p(s_i | s_{i-1})],
// with p(s_i | s_{i-1}) from the pair marginal of the enumerated distribution. A check of the formula above.
std::vector<double> blind_to_first_excess_by_enumeration(const ising::ExactChain& exact) {
  const int L = exact.chain().L;
  const auto all = gpt::all_configurations(L);
  std::vector<double> weight(all.size());
  std::vector<std::array<double, 4>> pair(L, {0, 0, 0, 0});  // [i][(s_{i-1} > 0) * 2 + (s_i > 0)]
  for (std::size_t k = 0; k < all.size(); ++k) {
    weight[k] = std::exp(exact.log_probability(all.row(k)));
    for (int i = 1; i < L; ++i) pair[i][(all.row(k)[i - 1] > 0) * 2 + (all.row(k)[i] > 0)] += weight[k];
  }
  std::vector<double> out(L, 0.0);
  for (std::size_t k = 0; k < all.size(); ++k)
    for (int i = 1; i < L; ++i) {
      const auto* s = all.row(k);
      const int b = s[i - 1] > 0, c = s[i] > 0;
      const double q = pair[i][b * 2 + c] / (pair[i][b * 2] + pair[i][b * 2 + 1]);
      out[i] += weight[k] * (exact.log_conditional(s, i) - std::log(q));
    }
  return out;
}

// ---- one training run and its measurements ----------------------------------------------------------------
nlohmann::json run_training(const Config& cfg, const Training& job) {
  const Chain chain{cfg.L, 1.0, 0.0, job.T, job.boundary};
  const ising::ExactChain exact(chain);
  const ising::ExactSampler sampler(chain);
  const auto train_data = sampler.draw(cfg.n_train, data_seed(cfg, job.boundary, job.T, job.seed, 0));
  const auto val_data = sampler.draw(cfg.n_val, data_seed(cfg, job.boundary, job.T, job.seed, 1));

  gpt::ModelConfig mc;
  mc.L = cfg.L;
  mc.d_model = cfg.d_model;
  mc.n_heads = cfg.n_heads;
  mc.n_layers = cfg.n_layers;
  mc.d_ff = 4 * cfg.d_model;
  mc.dropout = 0;
  mc.attention_scale = job.scale;
  mc.bias = job.variant.kind;
  mc.bias_shape = job.variant.shape;
  mc.bias_slope = job.variant.slope;
  mc.bias_learned = job.variant.learned;

  gpt::TrainOptions opt;
  opt.config.steps = cfg.steps;
  opt.config.batch = cfg.batch;
  opt.config.lr = cfg.lr;
  opt.config.schedule = "cosine";
  opt.config.warmup_steps = cfg.warmup;
  opt.config.eval_every = job.group == "scale" ? cfg.scale_eval_every : cfg.eval_every;
  opt.config.checkpoint_every = 0;
  opt.config.seed = 1 + static_cast<std::uint64_t>(job.seed);
  opt.threads = 1;
  opt.chain = chain;
  opt.progress = false;
  gpt::TrainResult tr;
  const auto model = gpt::train(mc, opt, train_data, val_data, &tr);

  nlohmann::json r;
  r["group"] = job.group;
  r["boundary"] = bname(job.boundary);
  r["T"] = job.T;
  r["variant"] = job.variant.name;
  r["seed"] = job.seed;
  r["scale"] = job.scale;
  r["train_s"] = tr.wall_s;
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& p : tr.curve) curve.push_back({p.step, p.val_kl, p.val_nll});
  r["curve"] = curve;

  if (job.group == "scale") {  // only the training curve is needed; the final validation KL for the record
    r["kl_per_spin"] = tr.curve.back().val_kl;
    return r;
  }
  // Per-position excess loss against the exact conditionals on exact test samples (the same samples for
  // every variant and seed, so that differences between variants are paired); KL = sum / L.
  const int L = cfg.L;
  const auto test = sampler.draw(cfg.n_test, data_seed(cfg, job.boundary, job.T, 1000, 3));
  const auto profile = gpt::excess_loss_per_position(model, exact, test);
  double kl = 0;
  for (double e : profile.value) kl += e;
  r["excess"] = profile.value;
  r["excess_err"] = profile.error;
  r["kl_per_spin"] = kl / L;

  // Model samples: the fitted correlation length (same estimator as for exact samples) and C(r).
  const auto samples = model.sample(cfg.n_model_samples, data_seed(cfg, job.boundary, job.T, job.seed, 7) + 31 * job.seed);
  const auto xi = ising::sample_correlation_length(chain, samples);
  const auto corr = ising::sample_connected_correlation(chain, samples);
  r["xi"] = {xi.value, xi.error};
  r["corr"] = corr.value;
  // Learned (or fixed) slopes per layer and head, read back from the bias matrix: P(0, 1) = f(1).
  nlohmann::json slopes = nlohmann::json::array();
  if (job.variant.kind != BiasKind::none)
    for (int l = 0; l < cfg.n_layers; ++l)
      for (int h = 0; h < cfg.n_heads; ++h) {
        const double f1 = model.bias_matrix(l, h)[1];
        slopes.push_back(job.variant.shape == BiasShape::linear ? -f1 : -std::log(f1));
      }
  r["slopes"] = slopes;
  return r;
}

Runs select(const Runs& runs, const std::string& boundary, double T, const std::string& variant) {
  Runs out;
  for (const auto& r : runs)
    if (r["group"] != "scale" && r["boundary"] == boundary && r["T"].get<double>() == T && r["variant"] == variant)
      out.push_back(r);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a["seed"].template get<int>() < b["seed"].template get<int>(); });
  return out;
}

double end_excess(const nlohmann::json& r, int L) {  // summed over the last L/4 positions
  double s = 0;
  for (int i = L - L / 4; i < L; ++i) s += r["excess"][i].get<double>();
  return s;
}

lab::Estimate over_seeds(const Runs& runs, const std::function<double(const nlohmann::json&)>& f) {
  std::vector<double> x;
  for (const auto& r : runs) x.push_back(f(r));
  if (x.size() < 2) return {x.empty() ? NAN : x[0], NAN};
  return lab::mean_and_error(x);
}

// Paired difference f(a) - f(b) over seeds (same data, same seed).
lab::Estimate paired(const Runs& a, const Runs& b, const std::function<double(const nlohmann::json&)>& f) {
  std::vector<double> d;
  for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k) d.push_back(f(a[k]) - f(b[k]));
  if (d.size() < 2) return {d.empty() ? NAN : d[0], NAN};
  return lab::mean_and_error(d);
}

std::string pm(const lab::Estimate& e, const char* fmtspec) {
  return fmt::format(fmt::runtime(std::string(fmtspec) + " ± " + fmtspec), e.value, e.error);
}

}  // namespace spinformer
