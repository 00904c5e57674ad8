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

Run run_one(const Config& cfg, const Chain& chain, std::size_t k, const std::string& out_dir) {
  auto path = [&](const std::string& name) { return out_dir + "/" + name; };
  const bool field = chain.h != 0.0;
  const std::string tag = field ? fmt::format("T{}_h{}", format_key(chain.T), format_key(chain.h))
                                : fmt::format("T{}", format_key(chain.T));
  fmt::print(stderr, "[ch01] {}: training\n", tag);
  const ising::ExactChain exact(chain);
  const std::uint64_t s0 = cfg.seed + 1000 * k;
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
  options.threads = cfg.threads;
  options.chain = chain;
  options.progress = cfg.workers == 1;
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
  const auto cmp = gpt::compare_samples(exact, generated);
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

ControlResult run_control(const Config& cfg, int v, const std::string& out_dir) {
  auto path = [&](const std::string& name) { return out_dir + "/" + name; };
  const Chain control_chain{cfg.control_L, 1.0, 0.0, cfg.control_T, ising::Boundary::periodic};
  const ising::ExactChain control_exact(control_chain);
  const std::uint64_t sc = cfg.seed + 999'000;  // the same data for both variants
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
  options.threads = cfg.threads;
  options.progress = cfg.workers == 1;
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

void run_tasks(const std::vector<std::function<void()>>& tasks, int workers) {
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto worker = [&]() {
    for (std::size_t t; (t = next++) < tasks.size();) {
      {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (error) return;
      }
      try {
        tasks[t]();
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace spinformer
