// Training IsingGPT: AdamW, schedules, clipping, validation, early stopping, atomic checkpoints, resume.
#include "gpt/train.hpp"

#include <ATen/record_function.h>

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <numeric>
#include <unistd.h>

#include "gpt/model_impl.hpp"
#include "gpt/threads.hpp"
#include "ising/exact.hpp"
#include "lab/progress.hpp"
#include "lab/atomic_file.hpp"
#include "lab/rng.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::gpt {
namespace {

using detail::Gpt;
using lab::UsageError;
using Clock = std::chrono::steady_clock;

struct State {
  long step = 0;
  double best_val = std::numeric_limits<double>::infinity();
  long bad_evals = 0;
  bool finished = false, early_stopped = false;
  double loss_sum = 0;
  long loss_count = 0;
  double elapsed_s = 0;
  std::vector<CurvePoint> curve;
};

nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }
double number_or_nan(const nlohmann::json& j) { return j.is_null() ? std::nan("") : j.get<double>(); }

// The training state as the checkpoint records it: no wall times (they go to the sidecar), so that
// the same seed gives the same checkpoint bytes.
nlohmann::json to_json(const State& s) {
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& p : s.curve) curve.push_back({p.step, p.lr, p.train_loss, p.val_nll, number_or_null(p.val_kl)});
  return {{"step", s.step},           {"best_val_nll", number_or_null(s.best_val)},
          {"bad_evals", s.bad_evals}, {"finished", s.finished},
          {"early_stopped", s.early_stopped}, {"loss_sum", s.loss_sum},
          {"loss_count", s.loss_count}, {"curve", curve}};
}

// Wall times of a run, kept beside the checkpoint (in its sidecar) for a resumed run to continue.
nlohmann::json wall_times(const State& s) {
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& p : s.curve) curve.push_back(p.elapsed_s);
  return {{"elapsed_s", s.elapsed_s}, {"curve_elapsed_s", curve}};
}

State state_from_json(const nlohmann::json& j) {
  State s;
  s.step = j.at("step").get<long>();
  s.best_val = j.at("best_val_nll").is_null() ? std::numeric_limits<double>::infinity()
                                               : j.at("best_val_nll").get<double>();
  s.bad_evals = j.at("bad_evals").get<long>();
  s.finished = j.at("finished").get<bool>();
  s.early_stopped = j.at("early_stopped").get<bool>();
  s.loss_sum = j.at("loss_sum").get<double>();
  s.loss_count = j.at("loss_count").get<long>();
  for (const auto& p : j.at("curve"))
    s.curve.push_back({p.at(0).get<long>(), p.at(1).get<double>(), p.at(2).get<double>(), p.at(3).get<double>(),
                       number_or_nan(p.at(4)), std::nan("")});
  return s;
}

// A resumed state must be one that training could have reached: a step within the configured run,
// counts that are counts, a curve of finite values at increasing steps.
void require_consistent(const State& s, const TrainConfig& c) {
  const auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (c.steps > 1'000'000'000) bad(fmt::format("steps = {} is beyond 1e9", c.steps));
  if (s.step < 0 || s.step > c.steps) bad(fmt::format("step {} is outside [0, {}]", s.step, c.steps));
  if (s.bad_evals < 0 || s.loss_count < 0 || s.loss_count > s.step) bad("negative or impossible counts");
  if (!std::isfinite(s.loss_sum)) bad("a non-finite loss sum");
  long previous = 0;
  for (const auto& p : s.curve) {
    if (p.step <= previous || p.step > s.step) bad("curve steps out of order");
    if (!std::isfinite(p.lr) || !std::isfinite(p.train_loss) || !std::isfinite(p.val_nll)) bad("a non-finite curve point");
    previous = p.step;
  }
}

nlohmann::json chain_json(const ising::Chain& c) {
  return {{"L", c.L}, {"T", c.T}, {"J", c.J}, {"h", c.h}, {"boundary", ising::to_string(c.boundary)}};
}

std::optional<ising::Chain> chain_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  ising::Chain c;
  c.L = j.at("L").get<int>();
  c.T = j.at("T").get<double>();
  c.J = j.at("J").get<double>();
  c.h = j.at("h").get<double>();
  c.boundary = ising::parse_boundary(j.at("boundary").get<std::string>());
  return c;
}

std::unique_ptr<torch::optim::AdamW> make_optimizer(Gpt& net, const TrainConfig& c) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& p : net->parameters()) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  auto options = torch::optim::AdamWOptions(c.lr)
                     .betas(std::make_tuple(c.beta1, c.beta2))
                     .eps(c.eps)
                     .weight_decay(c.weight_decay);
  auto options_no_decay = options;
  options_no_decay.weight_decay(0.0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(options));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(options_no_decay));
  return std::make_unique<torch::optim::AdamW>(std::move(groups), options);
}

// Rows in a fresh permutation per epoch; the batch of a step depends only on (seed, step).
class Batcher {
 public:
  Batcher(std::int64_t rows, std::uint64_t seed) : rows_(rows), seed_(seed ^ 0xBA7C4E5D15EA5EULL) {}
  torch::Tensor indices(long step, int batch) {
    auto out = torch::empty({batch}, torch::kLong);
    auto* p = out.data_ptr<std::int64_t>();
    for (int b = 0; b < batch; ++b) {
      const std::int64_t g = static_cast<std::int64_t>(step) * batch + b;
      ensure_epoch(g / rows_);
      p[b] = permutation_[static_cast<std::size_t>(g % rows_)];
    }
    return out;
  }

 private:
  void ensure_epoch(std::int64_t epoch) {
    if (epoch == epoch_) return;
    epoch_ = epoch;
    permutation_.resize(static_cast<std::size_t>(rows_));
    std::iota(permutation_.begin(), permutation_.end(), 0);
    auto rng = lab::Rng::stream(seed_, static_cast<std::uint64_t>(epoch));
    for (std::int64_t i = rows_ - 1; i > 0; --i)
      std::swap(permutation_[static_cast<std::size_t>(i)],
                permutation_[rng.below(static_cast<std::uint32_t>(i + 1))]);
  }
  std::int64_t rows_;
  std::uint64_t seed_;
  std::int64_t epoch_ = -1;
  std::vector<std::int64_t> permutation_;
};

// One optimisation step; returns the batch loss per spin (before the update).
double train_step(Gpt& net, torch::optim::AdamW& optimizer, const TrainConfig& c, Batcher& batcher,
                  const torch::Tensor& tokens, long step) {
  const double lr = learning_rate(c, step);
  for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  if (net->cfg.dropout > 0) detail::seed_dropout(c.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(step) + 1);
  net->train();
  torch::Tensor loss;
  double value = 0;
  {
    RECORD_FUNCTION("step: forward", std::vector<c10::IValue>());  // phases for the benchmark's profile
    auto batch = tokens.index_select(0, batcher.indices(step, c.batch));
    loss = -detail::position_log_probs(net, batch).mean();
    value = loss.item<double>();
  }
  if (!std::isfinite(value))
    throw std::runtime_error(fmt::format("training loss is {} at step {} (lr {:.3g}): stopping; lower --lr or "
                                         "set --grad-clip", value, step, lr));
  {
    RECORD_FUNCTION("step: backward", std::vector<c10::IValue>());
    optimizer.zero_grad();
    loss.backward();
  }
  RECORD_FUNCTION("step: optimizer", std::vector<c10::IValue>());
  if (c.grad_clip > 0) torch::nn::utils::clip_grad_norm_(net->parameters(), c.grad_clip);
  optimizer.step();
  return value;
}

// Per-row log p_model [n] in eval mode.
std::vector<double> row_log_probs(Gpt& net, const torch::Tensor& tokens) {
  torch::NoGradGuard no_grad;
  net->eval();
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(tokens.size(0)));
  for (std::int64_t begin = 0; begin < tokens.size(0); begin += 4096) {
    const std::int64_t end = std::min(tokens.size(0), begin + 4096);
    auto lp = detail::position_log_probs(net, tokens.slice(0, begin, end)).sum(1).to(torch::kDouble).contiguous();
    out.insert(out.end(), lp.data_ptr<double>(), lp.data_ptr<double>() + lp.numel());
  }
  return out;
}

ising::SpinSamples rows(const ising::SpinSamples& s, std::size_t begin, std::size_t end) {
  ising::SpinSamples out;
  out.L = s.L;
  out.spins.assign(s.spins.begin() + static_cast<std::ptrdiff_t>(begin * s.L),
                   s.spins.begin() + static_cast<std::ptrdiff_t>(end * s.L));
  return out;
}

// The training curve and its sidecar, added to a commit (no wall times in the table: same seed, same
// bytes; the wall times are in the checkpoint's sidecar).
void add_curve(lab::OutputFiles& files, const std::string& path, const std::vector<CurvePoint>& curve,
               const nlohmann::json& metadata, std::uint64_t seed) {
  lab::Table table;
  table.columns = {"step", "lr", "train_loss", "val_nll", "val_kl"};
  for (const auto& p : curve) table.add({static_cast<double>(p.step), p.lr, p.train_loss, p.val_nll, p.val_kl});
  lab::write_table(files.add(path, "--curve"), table);
  lab::RunMetadata meta("spinformer gpt train");
  meta.set_seed(seed);
  meta.parameters() = metadata.value("chain", nlohmann::json());
  files.add(path + ".json", "--curve")
      << meta.sidecar_text(path, {{"model", metadata.at("model")}, {"train", metadata.at("train")},
                                  {"columns", "train_loss and val_nll: nats per spin; val_kl: mean (log p_T - log "
                                              "p_model) / L on the validation rows (NaN without the chain)"}});
}

// The wall times recorded beside a checkpoint (its sidecar), if they match its curve.
void restore_wall_times(const std::string& checkpoint_path, State& s) {
  try {
    const auto side = nlohmann::json::parse(lab::read_file(checkpoint_path + ".json", "--resume"));
    const auto& w = side.at("wall_times");
    const auto& curve = w.at("curve_elapsed_s");
    if (curve.size() != s.curve.size()) return;
    s.elapsed_s = w.at("elapsed_s").get<double>();
    for (std::size_t k = 0; k < curve.size(); ++k) s.curve[k].elapsed_s = curve[k].get<double>();
  } catch (const std::exception&) {
    // no sidecar or another one: wall times before the resume stay unknown (NaN)
  }
}

}  // namespace

Model train(const ModelConfig& model_config, const TrainOptions& o, const ising::SpinSamples& train_in,
            const ising::SpinSamples& validation_in, TrainResult* result) {
  const auto call_start = Clock::now();
  set_threads(o.threads);
  ModelConfig mc = model_config;
  TrainConfig tc = o.config;
  State st;
  std::optional<ising::Chain> chain = o.chain;
  nlohmann::json data = o.data.is_object() ? o.data : nlohmann::json::object();
  std::unique_ptr<detail::CheckpointReader> reader;
  if (o.resume) {
    if (o.checkpoint_path.empty() || !std::ifstream(o.checkpoint_path))
      throw UsageError("--resume", fmt::format("no checkpoint to resume at '{}'", o.checkpoint_path));
    reader = std::make_unique<detail::CheckpointReader>(o.checkpoint_path, "--resume");
    const auto& meta = reader->metadata();
    try {
      mc = model_config_from_json(meta.at("model"));
      tc = train_config_from_json(meta.at("train"));
      st = state_from_json(meta.at("state"));
      require_consistent(st, tc);
      if (!chain) chain = chain_from_json(meta.value("chain", nlohmann::json()));
      data = meta.at("data");
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      throw UsageError("--resume", fmt::format("'{}' lacks a consistent training state ({})", o.checkpoint_path, e.what()));
    }
    restore_wall_times(o.checkpoint_path, st);
  }
  validate(mc);
  validate(tc);
  if (train_in.L != mc.L || train_in.size() == 0)
    throw UsageError("--data", fmt::format("rows have {} spins, the model expects L = {}", train_in.L, mc.L));
  if (validation_in.size() > 0 && validation_in.L != mc.L)
    throw UsageError("--val", fmt::format("rows have {} spins, the model expects L = {}", validation_in.L, mc.L));
  if (chain && chain->L != mc.L)
    throw UsageError("--L", fmt::format("the chain has L = {}, the data {}", chain->L, mc.L));

  ising::SpinSamples train_set, val_set;
  if (validation_in.size() > 0) {
    train_set = train_in;
    val_set = validation_in;
  } else {
    const std::size_t n = train_in.size();
    if (n < 2) throw UsageError("--data", "needs at least 2 rows to hold one out for validation");
    const std::size_t n_val = std::max<std::size_t>(1, n / 20);
    train_set = rows(train_in, 0, n - n_val);
    val_set = rows(train_in, n - n_val, n);
  }
  const std::uint64_t train_fp = fingerprint(train_set), val_fp = fingerprint(val_set);
  if (reader) {
    if (data.value("train_fingerprint", std::uint64_t{0}) != train_fp ||
        data.value("val_fingerprint", std::uint64_t{0}) != val_fp)
      throw UsageError("--data", fmt::format("differs from the data that '{}' was trained on", o.checkpoint_path));
  } else {
    data["train_rows"] = train_set.size();
    data["val_rows"] = val_set.size();
    data["train_fingerprint"] = train_fp;
    data["val_fingerprint"] = val_fp;
    data["validation"] = validation_in.size() > 0 ? "separate file" : "last 5% of the training rows";
  }

  auto net = detail::make_network(mc, tc.seed);
  auto optimizer = make_optimizer(net, tc);
  if (reader) {
    reader->load_model(net);
    reader->load_optimizer(*optimizer);
    reader.reset();
  }
  nlohmann::json metadata = {{"model", to_json(mc)},
                             {"train", to_json(tc)},
                             {"chain", chain ? chain_json(*chain) : nlohmann::json()},
                             {"data", data},
                             {"parameter_count", 0}};
  long parameter_count = 0;
  for (const auto& p : net->parameters()) parameter_count += p.numel();
  metadata["parameter_count"] = parameter_count;

  const auto train_tokens = detail::to_tokens(train_set);
  const auto val_tokens = detail::to_tokens(val_set);
  std::vector<double> val_log_exact;
  if (chain) {
    const ising::ExactChain exact(*chain);
    for (std::size_t k = 0; k < val_set.size(); ++k) val_log_exact.push_back(exact.log_probability(val_set.row(k)));
  }
  Batcher batcher(train_tokens.size(0), tc.seed);

  // The checkpoint, its sidecar, the curve and its sidecar: all four or none. A step that made the
  // parameters non-finite fails here (checkpoint_bytes refuses them), so the last good checkpoint stays.
  const auto save = [&]() {
    metadata["state"] = to_json(st);
    // finite weights can still give NaN (overflowing logits): such a model is no checkpoint either
    const auto probe = row_log_probs(net, val_tokens.slice(0, 0, std::min<std::int64_t>(64, val_tokens.size(0))));
    for (double lp : probe)
      if (!std::isfinite(lp))
        throw std::runtime_error(fmt::format("the model's log-probabilities are not finite at step {}: stopping with "
                                             "the last good checkpoint; lower --lr or set --grad-clip", st.step));
    lab::OutputFiles files;
    if (!o.checkpoint_path.empty()) {
      files.add(o.checkpoint_path, "--out") << detail::checkpoint_bytes(net, metadata, optimizer.get());
      lab::RunMetadata meta("spinformer gpt train");
      meta.set_seed(tc.seed);
      meta.parameters() = metadata["chain"].is_null() ? nlohmann::json::object() : metadata["chain"];
      nlohmann::json extra = metadata;
      extra["state"].erase("curve");
      extra["wall_times"] = wall_times(st);
      files.add(o.checkpoint_path + ".json", "--out") << meta.sidecar_text(o.checkpoint_path, extra);
    }
    if (!o.curve_path.empty()) add_curve(files, o.curve_path, st.curve, metadata, tc.seed);
    files.commit();
  };

  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  const long remaining = std::max(0L, tc.steps - st.step);
  const long this_call = o.stop_after > 0 ? std::min(remaining, o.stop_after) : remaining;
  std::optional<lab::Progress> progress;
  if (o.progress && !st.finished && this_call > 0) progress.emplace("gpt train", this_call);
  auto segment_start = Clock::now();
  const double elapsed_before = st.elapsed_s;
  long done_here = 0;
  while (!st.finished && st.step < tc.steps && done_here < this_call) {
    const double loss = train_step(net, *optimizer, tc, batcher, train_tokens, st.step);
    st.loss_sum += loss;
    st.loss_count += 1;
    st.step += 1;
    done_here += 1;
    if (progress) progress->advance();
    st.elapsed_s = elapsed_before + std::chrono::duration<double>(Clock::now() - segment_start).count();
    if (st.step % tc.eval_every == 0 || st.step == tc.steps) {
      const auto log_model = row_log_probs(net, val_tokens);
      double nll = 0, kl = 0;
      for (std::size_t k = 0; k < log_model.size(); ++k) {
        nll -= log_model[k];
        if (!val_log_exact.empty()) kl += val_log_exact[k] - log_model[k];
      }
      const double per = static_cast<double>(log_model.size()) * mc.L;
      if (!std::isfinite(nll))
        throw std::runtime_error(fmt::format("validation NLL is {} at step {} (lr {:.3g}): stopping with the last good "
                                             "checkpoint; lower --lr or set --grad-clip", nll / per, st.step,
                                             learning_rate(tc, st.step - 1)));
      CurvePoint point{st.step, learning_rate(tc, st.step - 1), st.loss_sum / std::max(1L, st.loss_count), nll / per,
                       val_log_exact.empty() ? std::nan("") : kl / per, st.elapsed_s};
      st.curve.push_back(point);
      st.loss_sum = 0;
      st.loss_count = 0;
      if (point.val_nll < st.best_val) {
        st.best_val = point.val_nll;
        st.bad_evals = 0;
      } else if (++st.bad_evals >= tc.patience && tc.patience > 0) {
        st.early_stopped = true;
        st.finished = true;
      }
      if (o.progress) {
        const std::string kl_text = std::isfinite(point.val_kl) ? fmt::format(", val KL/spin {:.3g}", point.val_kl) : "";
        fmt::print(stderr, "{}step {}/{}: lr {:.3g}, train loss {:.5f}, val NLL {:.5f}{}{}\n", terminal ? "\r\033[K" : "",
                   st.step, tc.steps, point.lr, point.train_loss, point.val_nll, kl_text,
                   st.early_stopped ? " (early stop)" : "");
      }
    }
    if (st.step >= tc.steps) st.finished = true;
    if (tc.checkpoint_every > 0 && st.step % tc.checkpoint_every == 0 && !st.finished && done_here < this_call) save();
  }
  if (progress) progress->finish();
  save();
  if (result) {
    result->step = st.step;
    result->finished = st.finished;
    result->early_stopped = st.early_stopped;
    result->best_val_nll = st.best_val;
    result->curve = st.curve;
    result->wall_s = std::chrono::duration<double>(Clock::now() - call_start).count();
  }
  auto impl = std::make_unique<Model::Impl>();
  impl->config = mc;
  impl->net = net;
  impl->metadata = metadata;
  return Model(std::move(impl));
}

// ---- StepTrainer (benchmarks) ---------------------------------------------------------------------------
struct StepTrainer::Impl {
  TrainConfig config;
  Gpt net{nullptr};
  std::unique_ptr<torch::optim::AdamW> optimizer;
  torch::Tensor tokens;
  std::unique_ptr<Batcher> batcher;
  long step = 0;
};

StepTrainer::StepTrainer(const ModelConfig& model_config, const TrainConfig& config, const ising::SpinSamples& data)
    : impl_(std::make_unique<Impl>()) {
  validate(model_config);
  validate(config);
  if (data.L != model_config.L || data.size() == 0) throw UsageError("--data", "rows do not match the model's L");
  impl_->config = config;
  impl_->net = detail::make_network(model_config, config.seed);
  impl_->optimizer = make_optimizer(impl_->net, config);
  impl_->tokens = detail::to_tokens(data).clone();
  impl_->batcher = std::make_unique<Batcher>(impl_->tokens.size(0), config.seed);
}

StepTrainer::~StepTrainer() = default;

double StepTrainer::step() {
  auto& i = *impl_;
  const long s = i.step++ % i.config.steps;
  return train_step(i.net, *i.optimizer, i.config, i.batcher ? *i.batcher : *i.batcher, i.tokens, s);
}

}  // namespace spinformer::gpt
