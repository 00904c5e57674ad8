// Chapter 1: the measurements behind the chapter (declared in boltzmann_recovery.hpp): one trained model
// per temperature held against the exact answer, and the negative control on an enumerable ring.
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "gpt/eval.hpp"
#include "gpt/gpt.hpp"
#include "gpt/train.hpp"
#include "ising/estimators.hpp"
#include "ising/exact.hpp"
#include "ising/magnetization_distribution.hpp"
#include "ising/samplers.hpp"
#include "lab/atomic_file.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/run_metadata.hpp"
#include "lab/statistics.hpp"
#include "lab/tsv.hpp"
#include "boltzmann_recovery.hpp"

using namespace spinformer;
using lab::format_key;
using ising::Chain;
using ising::SpinSamples;

namespace spinformer {

// Counts over n samples as frequencies with binomial errors (at least 1/n in the variance).
std::vector<std::pair<double, double>> frequencies_with_errors(const std::vector<double>& count, std::size_t n_samples) {
  std::vector<std::pair<double, double>> out;
  const double n = static_cast<double>(n_samples);
  for (double c : count) {
    const double f = c / n;
    out.push_back({f, std::sqrt(std::max(f * (1 - f), 1.0 / n) / n)});
  }
  return out;
}

// Frequencies of the exact energy levels in a set of samples, with binomial errors.
std::vector<std::pair<double, double>> level_frequencies(const Chain& chain, const std::vector<ising::EnergyLevel>& levels,
                                                         const SpinSamples& s) {
  std::vector<double> count(levels.size(), 0.0);
  for (std::size_t k = 0; k < s.size(); ++k) {
    const double e = ising::energy(chain, s.row(k));
    for (std::size_t l = 0; l < levels.size(); ++l)
      if (std::abs(e - levels[l].energy) < 1e-9) count[l] += 1;
  }
  return frequencies_with_errors(count, s.size());
}

// Frequencies of M = 2k - L, k = 0..L, with binomial errors.
std::vector<std::pair<double, double>> magnetization_frequencies(const SpinSamples& s) {
  std::vector<double> count(static_cast<std::size_t>(s.L) + 1, 0.0);
  for (std::size_t k = 0; k < s.size(); ++k) {
    int up = 0;
    for (int i = 0; i < s.L; ++i) up += s.row(k)[i] > 0;
    count[static_cast<std::size_t>(up)] += 1;
  }
  return frequencies_with_errors(count, s.size());
}

// The data-limited reference: a model that knows the exact structure of the ring's conditionals,
// p(s_i | s_<i) = q_i(s_i | s_{i-1}, s_1), with every table q_i estimated by counting on the same
// training data (Krichevsky-Trofimov: add 1/2 to every count). Its KL is set by the finite data alone,
// about (number of free parameters) / (2 n L) nats per spin; no model trained on these data can
// expect to do much better. Returns log q(s) for each row of `configs`.
std::vector<double> counting_model_log_probability(const SpinSamples& train, const SpinSamples& configs) {
  const int L = train.L;
  // counts[i][prev][first][s], spin index 1 = up
  std::vector<double> counts(static_cast<std::size_t>(L) * 8, 0.5);
  auto at = [&](int i, int prev, int first, int s) -> double& {
    return counts[((static_cast<std::size_t>(i) * 2 + prev) * 2 + first) * 2 + s];
  };
  auto context = [](const ising::Spin* row, int i, int& prev, int& first) {
    prev = i >= 1 ? row[i - 1] > 0 : 0;  // position 0: no context
    first = i >= 2 ? row[0] > 0 : 0;     // position 1: the first spin is the previous one
  };
  for (std::size_t k = 0; k < train.size(); ++k)
    for (int i = 0, prev, first; i < L; ++i) {
      context(train.row(k), i, prev, first);
      at(i, prev, first, train.row(k)[i] > 0) += 1;
    }
  std::vector<double> out(configs.size(), 0.0);
  for (std::size_t k = 0; k < configs.size(); ++k)
    for (int i = 0, prev, first; i < L; ++i) {
      context(configs.row(k), i, prev, first);
      const int s = configs.row(k)[i] > 0;
      out[k] += std::log(at(i, prev, first, s) / (at(i, prev, first, 0) + at(i, prev, first, 1)));
    }
  return out;
}

Config with_variant(Config cfg, const Variant& v) {
  if (v.n_train) cfg.n_train = v.n_train;
  if (v.name == "doubled") cfg.train.steps *= 2;
  if (v.name == "dropout" || v.name == "seed_hyperparameters") cfg.model.dropout = 0.1;
  if (v.name == "constant_lr" || v.name == "seed_hyperparameters") {
    cfg.train.schedule = "constant";
    cfg.train.lr = 3e-4;
    cfg.train.warmup_steps = 0;
  }
  return cfg;
}

nlohmann::json to_json(const Variant& v) { return {{"name", v.name}, {"n_train", v.n_train}}; }
Variant variant_from_json(const nlohmann::json& j) {
  return {j.at("name").get<std::string>(), j.at("n_train").get<std::size_t>()};
}

std::vector<Chain> chapter_chains(const Config& cfg) {
  std::vector<Chain> chains;
  for (double T : cfg.temperatures) chains.push_back(Chain{cfg.L, 1.0, 0.0, T, ising::Boundary::periodic});
  chains.push_back(Chain{cfg.L, 1.0, cfg.field_h, cfg.field_T, ising::Boundary::periodic});
  return chains;
}

Run run_one(const Config& cfg, const Chain& chain, std::uint64_t seed, const std::string& out_dir,
            const std::string& tag, const Execution& how) {
  auto path = [&](const std::string& name) { return out_dir + "/" + name; };
  const bool field = chain.h != 0.0;
  fmt::print(stderr, "[ch01] {}: training\n", tag);
  const ising::ExactChain exact(chain);
  const std::uint64_t s0 = seed;
  Run run;
  run.chain = chain;

  // 1a. training data as the seed prescribes: Metropolis, here the multi-spin sampler, one
  //     equilibrated sample per chain; checked against the exact distributions before training.
  const SpinSamples data = ising::multispin_metropolis_samples(chain, cfg.n_train, {cfg.equilibration_sweeps, 1}, 1, s0);
  if (!field) run.p_data_energy = ising::energy_chi_square(chain, data).p_value;
  run.p_data_magnetization = ising::magnetization_chi_square(chain, data).p_value;
  if ((!field && run.p_data_energy < cfg.alpha) || run.p_data_magnetization < cfg.alpha)
    fmt::print(stderr, "[ch01] warning: Metropolis data at {} fail an exact test (p = {:.3g}, {:.3g})\n", tag,
               run.p_data_energy, run.p_data_magnetization);
  const ising::ExactSampler exact_sampler(chain);
  const SpinSamples val = exact_sampler.draw(cfg.n_val, s0 + 1);
  const SpinSamples test = exact_sampler.draw(cfg.n_test, s0 + 2);

  // 1b. training: AdamW, one-cycle schedule, validation NLL on held-out exact samples.
  run.model_file = fmt::format("model_{}.pt", tag);
  gpt::TrainOptions options;
  options.config = cfg.train;
  options.config.seed = s0 + 3;
  options.checkpoint_path = path(run.model_file);
  options.curve_path = path(fmt::format("curve_{}.tsv", tag));
  options.threads = how.threads;
  options.chain = chain;
  options.progress = how.progress;
  options.data = {{"train", "multi-spin Metropolis, one sample per chain"},
                  {"equilibration_sweeps", cfg.equilibration_sweeps},
                  {"train_seed", s0},
                  {"validation", "exact i.i.d. samples"},
                  {"validation_seed", s0 + 1}};
  gpt::TrainResult trained;
  const auto t_train = Clock::now();
  const gpt::Model model = gpt::train(cfg.model, options, data, val, &trained);
  run.train_s = seconds_since(t_train);
  run.best_val_nll = trained.best_val_nll;
  run.final_val_kl = trained.curve.empty() ? NAN : trained.curve.back().val_kl;
  for (const auto& p : trained.curve) run.val_kl_curve.push_back({p.step, p.val_kl});

  // 1c. exact evaluation.
  const auto t_eval = Clock::now();
  run.kl = gpt::kl_per_spin(model, exact, test);
  {
    const auto log_q = counting_model_log_probability(data, test);
    std::vector<double> diff(test.size());
    for (std::size_t i = 0; i < test.size(); ++i) diff[i] = (exact.log_probability(test.row(i)) - log_q[i]) / chain.L;
    run.kl_counting = lab::mean_and_error(diff);
  }
  {  // exact entropy per spin, S/L = (log Z + beta <H>) / L: the floor of the NLL per spin
    const auto th = exact.thermodynamics();
    run.exact_entropy_per_spin = th.log_z / chain.L + chain.beta() * th.energy_per_spin;
  }
  const auto excess = gpt::excess_loss_per_position(model, exact, test);
  lab::Table excess_table{{"position", "excess", "excess_err"}, {}};
  for (int i = 0; i < cfg.L; ++i) {
    excess_table.add({double(i + 1), excess.value[i], excess.error[i]});
    if (excess.value[i] > run.worst_position_excess) run.worst_position_excess = excess.value[i], run.worst_position = i + 1;
  }
  run.last_excess = {excess.value[chain.L - 1], excess.error[chain.L - 1]};
  lab::RunMetadata meta("ch01");
  meta.parameters() = {{"L", chain.L}, {"T", chain.T}, {"J", chain.J}, {"h", chain.h}, {"boundary", "periodic"},
                       {"n_test", cfg.n_test}, {"model", run.model_file}};
  meta.set_seed(s0 + 2);
  lab::write_table(path(fmt::format("excess_{}.tsv", tag)), excess_table);
  meta.write_sidecar(path(fmt::format("excess_{}.tsv", tag)),
                     {{"columns", "position i (1-based spin); E[log p_T(s_i|s_<i) - log p_model(s_i|s_<i)], nats"}});

  const SpinSamples generated = model.sample(cfg.n_model_samples, s0 + 4);
  auto cmp = gpt::compare_samples(exact, generated);
  cmp.model_corr = ising::sample_connected_correlation(chain, generated, cfg.corr_blocks);  // independent samples
  if (cmp.energy_tested) run.p_model_energy = cmp.energy.p_value;
  run.p_model_magnetization = ising::magnetization_chi_square(chain, generated).p_value;
  run.max_corr_z = ising::max_correlation_z(cmp.model_corr, cmp.exact_corr);
  run.c1_z = cmp.model_corr.error[1] > 0 ? (cmp.model_corr.value[1] - cmp.exact_corr[1]) / cmp.model_corr.error[1] : 0;
  meta.parameters()["n_model_samples"] = cfg.n_model_samples;
  meta.set_seed(s0 + 4);

  const auto data_corr = ising::sample_connected_correlation(chain, data);
  lab::Table corr{{"r", "exact", "model", "model_err", "metropolis_data", "metropolis_data_err"}, {}};
  for (int r = 0; r < cfg.L; ++r)
    corr.add({double(r), cmp.exact_corr[r], cmp.model_corr.value[r], cmp.model_corr.error[r], data_corr.value[r],
              data_corr.error[r]});
  lab::write_table(path(fmt::format("corr_{}.tsv", tag)), corr);
  meta.write_sidecar(path(fmt::format("corr_{}.tsv", tag)));

  if (!field) {
    const auto levels = exact.energy_distribution();
    const auto fm = level_frequencies(chain, levels, generated), fd = level_frequencies(chain, levels, data);
    lab::Table hist{{"energy_per_spin", "exact_probability", "model", "model_err", "metropolis_data",
                     "metropolis_data_err"},
                    {}};
    for (std::size_t l = 0; l < levels.size(); ++l)
      hist.add({levels[l].energy / cfg.L, levels[l].probability, fm[l].first, fm[l].second, fd[l].first, fd[l].second});
    lab::write_table(path(fmt::format("energy_hist_{}.tsv", tag)), hist);
    meta.write_sidecar(path(fmt::format("energy_hist_{}.tsv", tag)));
  }
  {
    const auto pM = ising::magnetization_distribution(chain);
    const auto fm = magnetization_frequencies(generated), fd = magnetization_frequencies(data);
    lab::Table hist{{"magnetization_per_spin", "exact_probability", "model", "model_err", "metropolis_data",
                     "metropolis_data_err"},
                    {}};
    for (int u = 0; u <= cfg.L; ++u)
      hist.add({double(2 * u - cfg.L) / cfg.L, pM[u], fm[u].first, fm[u].second, fd[u].first, fd[u].second});
    lab::write_table(path(fmt::format("mag_hist_{}.tsv", tag)), hist);
    meta.write_sidecar(path(fmt::format("mag_hist_{}.tsv", tag)));
  }
  // configurations as images: one row per configuration, model beside exact
  lab::Table image{{"site", "row", "model", "exact"}, {}};
  for (std::size_t row = 0; row < std::min(cfg.n_images, generated.size()); ++row)
    for (int i = 0; i < cfg.L; ++i)
      image.add({double(i + 1), double(row + 1), double(generated.row(row)[i]), double(test.row(row)[i])});
  lab::write_table(path(fmt::format("images_{}.tsv", tag)), image);
  meta.write_sidecar(path(fmt::format("images_{}.tsv", tag)));
  run.eval_s = seconds_since(t_eval);

  fmt::print(stderr, "[ch01] {}: KL/spin {} (train {:.0f} s, eval {:.0f} s)\n", tag, pm(run.kl), run.train_s,
             run.eval_s);
  return run;
}

ControlResult run_control(const Config& cfg, int v, std::uint64_t seed, const std::string& out_dir, const Execution& how) {
  auto path = [&](const std::string& name) { return out_dir + "/" + name; };
  const Chain control_chain{cfg.control_L, 1.0, 0.0, cfg.control_T, ising::Boundary::periodic};
  const ising::ExactChain control_exact(control_chain);
  const std::uint64_t sc = seed;  // the same data for both variants
  const SpinSamples control_data =
      ising::multispin_metropolis_samples(control_chain, cfg.control_n, {cfg.equilibration_sweeps, 1}, 1, sc);
  const SpinSamples control_val = ising::ExactSampler(control_chain).draw(cfg.n_val, sc + 1);
  const char* control_names[2] = {"causal", "literal"};
  gpt::ModelConfig mc = cfg.model;
  mc.L = cfg.control_L;
  mc.seed_literal = v == 1;
  gpt::TrainOptions options;
  options.config = cfg.train;
  options.config.steps = cfg.control_steps;
  options.config.eval_every = std::max(1L, cfg.control_steps / 20);
  options.config.seed = sc + 3;
  options.checkpoint_path = path(fmt::format("control_{}.pt", control_names[v]));
  options.curve_path = path(fmt::format("curve_control_{}.tsv", control_names[v]));
  options.threads = how.threads;
  options.progress = how.progress;
  options.chain = control_chain;
  options.data = {{"train", "multi-spin Metropolis, one sample per chain"}, {"validation", "exact i.i.d. samples"}};
  gpt::TrainResult trained;
  fmt::print(stderr, "[ch01] negative control ({}) at L = {}: training\n", control_names[v], cfg.control_L);
  const gpt::Model model = gpt::train(mc, options, control_data, control_val, &trained);
  ControlResult out;
  out.enumerated = gpt::enumerate_kl(model, control_exact);
  out.final_train_loss = trained.curve.empty() ? NAN : trained.curve.back().train_loss;
  return out;
}

TemperedModel tempered_model(const Chain& chain, double kl_per_spin, std::size_t n, std::uint64_t seed) {
  const ising::ExactChain exact(chain);
  const auto th = exact.thermodynamics();
  const double beta = chain.beta();
  auto at = [&](double beta_prime) { return Chain{chain.L, chain.J, chain.h, 1 / beta_prime, chain.boundary}; };
  // KL(p_beta || p_beta') = (beta' - beta) <H>_beta + log Z(beta') - log Z(beta): convex in beta', zero at beta
  auto exact_kl = [&](double beta_prime) {
    const auto other = ising::ExactChain(at(beta_prime)).thermodynamics();
    return ((beta_prime - beta) * th.energy_per_spin * chain.L + other.log_z - th.log_z) / chain.L;
  };
  double lo = beta, hi = beta * 1.01;
  while (exact_kl(hi) < kl_per_spin) hi = beta + 2 * (hi - beta);
  for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; ++it) (exact_kl(0.5 * (lo + hi)) < kl_per_spin ? lo : hi) = 0.5 * (lo + hi);
  TemperedModel m;
  const double beta_prime = 0.5 * (lo + hi);
  m.T_prime = 1 / beta_prime;
  m.exact_kl = exact_kl(beta_prime);
  const ising::ExactChain model(at(beta_prime));
  const SpinSamples test = ising::ExactSampler(chain).draw(n, seed);
  std::vector<double> diff(n);
  for (std::size_t i = 0; i < n; ++i) diff[i] = (exact.log_probability(test.row(i)) - model.log_probability(test.row(i))) / chain.L;
  m.estimated_kl = lab::mean_and_error(diff);
  return m;
}

nlohmann::json chain_json(const Chain& c) {
  return {{"L", c.L}, {"J", c.J}, {"h", c.h}, {"T", c.T},
          {"boundary", c.boundary == ising::Boundary::periodic ? "periodic" : "open"}};
}

Chain chain_from_json(const nlohmann::json& j) {
  return Chain{j.at("L").get<int>(), j.at("J").get<double>(), j.at("h").get<double>(), j.at("T").get<double>(),
               j.at("boundary") == "periodic" ? ising::Boundary::periodic : ising::Boundary::open};
}

namespace {
nlohmann::json estimate_json(const lab::Estimate& e) { return {lab::number_or_null(e.value), lab::number_or_null(e.error)}; }
lab::Estimate estimate_from(const nlohmann::json& j) { return {lab::number_or_nan(j.at(0)), lab::number_or_nan(j.at(1))}; }
}  // namespace

nlohmann::json to_json(const Run& r) {
  using lab::number_or_null;
  return {{"chain", chain_json(r.chain)}, {"model_file", r.model_file},
          {"p_data_energy", number_or_null(r.p_data_energy)}, {"p_data_magnetization", number_or_null(r.p_data_magnetization)},
          {"kl", estimate_json(r.kl)}, {"kl_counting", estimate_json(r.kl_counting)},
          {"exact_entropy_per_spin", r.exact_entropy_per_spin}, {"final_val_kl", number_or_null(r.final_val_kl)},
          {"best_val_nll", number_or_null(r.best_val_nll)}, {"p_model_energy", number_or_null(r.p_model_energy)},
          {"p_model_magnetization", number_or_null(r.p_model_magnetization)}, {"c1_z", number_or_null(r.c1_z)},
          {"max_corr_z", number_or_null(r.max_corr_z)}, {"worst_position_excess", r.worst_position_excess},
          {"worst_position", r.worst_position}, {"last_excess", estimate_json(r.last_excess)},
          {"train_s", r.train_s}, {"eval_s", r.eval_s}, {"val_kl_curve", [&] {
             nlohmann::json c = nlohmann::json::array();
             for (const auto& [step, kl] : r.val_kl_curve) c.push_back({step, number_or_null(kl)});
             return c;
           }()}};
}

Run run_from_json(const nlohmann::json& j) {
  using lab::number_or_nan;
  Run r;
  r.chain = chain_from_json(j.at("chain"));
  r.model_file = j.at("model_file").get<std::string>();
  r.p_data_energy = number_or_nan(j.at("p_data_energy"));
  r.p_data_magnetization = number_or_nan(j.at("p_data_magnetization"));
  r.kl = estimate_from(j.at("kl"));
  r.kl_counting = estimate_from(j.at("kl_counting"));
  r.exact_entropy_per_spin = j.at("exact_entropy_per_spin").get<double>();
  r.final_val_kl = number_or_nan(j.at("final_val_kl"));
  r.best_val_nll = number_or_nan(j.at("best_val_nll"));
  r.p_model_energy = number_or_nan(j.at("p_model_energy"));
  r.p_model_magnetization = number_or_nan(j.at("p_model_magnetization"));
  r.c1_z = number_or_nan(j.at("c1_z"));
  r.max_corr_z = number_or_nan(j.at("max_corr_z"));
  r.worst_position_excess = j.at("worst_position_excess").get<double>();
  r.worst_position = j.at("worst_position").get<int>();
  r.last_excess = estimate_from(j.at("last_excess"));
  r.train_s = j.at("train_s").get<double>();
  r.eval_s = j.at("eval_s").get<double>();
  for (const auto& p : j.at("val_kl_curve")) r.val_kl_curve.push_back({p.at(0).get<long>(), number_or_nan(p.at(1))});
  return r;
}

nlohmann::json to_json(const ControlResult& c) {
  using lab::number_or_null;
  return {{"kl_per_spin", number_or_null(c.enumerated.kl_per_spin)},
          {"total_probability", number_or_null(c.enumerated.total_probability)},
          {"model_entropy_per_spin", number_or_null(c.enumerated.model_entropy_per_spin)},
          {"exact_entropy_per_spin", number_or_null(c.enumerated.exact_entropy_per_spin)},
          {"final_train_loss", number_or_null(c.final_train_loss)}};
}

ControlResult control_from_json(const nlohmann::json& j) {
  using lab::number_or_nan;
  ControlResult c;
  c.enumerated.kl_per_spin = number_or_nan(j.at("kl_per_spin"));
  c.enumerated.total_probability = number_or_nan(j.at("total_probability"));
  c.enumerated.model_entropy_per_spin = number_or_nan(j.at("model_entropy_per_spin"));
  c.enumerated.exact_entropy_per_spin = number_or_nan(j.at("exact_entropy_per_spin"));
  c.final_train_loss = number_or_nan(j.at("final_train_loss"));
  return c;
}

}  // namespace spinformer
