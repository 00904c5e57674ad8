// spinformer gpt train|sample|logprob|attention: IsingGPT from the command line.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "gpt/gpt.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "lab/atomic_file.hpp"
#include "lab/parse.hpp"
#include "lab/progress.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

#include <unistd.h>

namespace spinformer::cli {
namespace {

using lab::UsageError;

std::vector<std::string> command_line(const CLI::App* cmd, const std::string& name) {
  std::vector<std::string> argv = {"spinformer", "gpt", name};
  for (const auto& opt : cmd->get_options())
    if (opt->count() > 0 && opt->get_name() != "--help") argv.push_back(opt->get_name() + "=" + opt->as<std::string>());
  return argv;
}

ising::SpinSamples read_samples(const std::string& path, const std::string& parameter, int expected_L = 0) {
  auto table = lab::read_spin_table(path, parameter, 0);
  if (expected_L > 0 && table.columns != expected_L)
    throw UsageError(parameter, fmt::format("'{}' has {} spins per row, expected L = {}", path, table.columns,
                                            expected_L));
  ising::SpinSamples s;
  s.L = table.columns;
  s.spins = std::move(table.values);
  return s;
}

constexpr std::int64_t kMaxSteps = 1'000'000'000;

struct TrainFlags {
  std::string data, val, out, curve;
  // chain (recorded in the checkpoint; taken from the data's JSON sidecar when not given)
  int L = 0;
  double T = 1, J = 1, h = 0;
  std::string boundary = "periodic";
  CLI::Option *T_opt = nullptr, *J_opt = nullptr, *h_opt = nullptr, *boundary_opt = nullptr;
  // model
  gpt::ModelConfig model;
  std::string attention_bias = "none", bias_shape = "linear", bias_slope = "0.5";
  double bias_slope_init = 0.5;
  // training
  gpt::TrainConfig train;
  int threads = 0;
  bool resume = false, quiet = false;
  long stop_after = 0;

  CLI::App* cmd = nullptr;  // to ask which flags were given

  TrainFlags() { model.d_ff = 0; }

  void add_to(CLI::App& cmd) {
    this->cmd = &cmd;
    cmd.add_option("--data", data,
                   "training configurations (rows of +-1, as `spinformer ising sample` writes; with --resume, "
                   "default: the checkpoint's)");
    cmd.add_option("--val", val, "validation configurations (default: the last 5% of --data are held out)");
    cmd.add_option("--out", out, "checkpoint to write (atomically; JSON sidecar OUT.json)")->required();
    cmd.add_option("--curve", curve, "training-curve TSV (default: OUT.curve.tsv)");
    add_integer(cmd, "--L", L, 2, 4096, "expected chain length (default: the data's row length)")->default_str("");
    T_opt = add_real(cmd, "--T", T, 1e-3, 1e6, "temperature of the data (recorded; default: the data's sidecar)");
    J_opt = add_real(cmd, "--J", J, -1e3, 1e3, "coupling J of the data (recorded)");
    h_opt = add_real(cmd, "--h", h, -1e3, 1e3, "field h of the data (recorded)");
    boundary_opt = cmd.add_option("--boundary", boundary, "periodic | open (recorded)");
    add_integer(cmd, "--d-model", model.d_model, 1, 65536, "model width");
    add_integer(cmd, "--n-heads", model.n_heads, 1, 4096, "attention heads");
    add_integer(cmd, "--n-layers", model.n_layers, 1, 256, "transformer blocks");
    add_integer(cmd, "--d-ff", model.d_ff, 1, 1 << 20, "feed-forward width (default 4 d_model)")->default_str("4 d_model");
    add_real(cmd, "--dropout", model.dropout, 0, 0.99, "dropout probability (the seed used 0.1)");
    cmd.add_flag("--seed-literal", model.seed_literal,
                 "the seed's flawed setup (no causal mask, target = input token): a negative control");
    add_real(cmd, "--attention-scale", model.attention_scale, 1e-6, 1e6, "multiplies 1/sqrt(d_head) in the attention logits");
    cmd.add_option("--attention-bias", attention_bias, "additive attention bias: none | distance | periodic | torus (L = a^2, raster order)")
        ->capture_default_str();
    cmd.add_option("--bias-shape", bias_shape, "linear: -slope d | exp: exp(-slope d)")->capture_default_str();
    cmd.add_option("--bias-slope", bias_slope, "a number (fixed, all heads) or 'learned' (per layer and head)")
        ->capture_default_str();
    add_real(cmd, "--bias-slope-init", bias_slope_init, -1e6, 1e6, "initial slope when --bias-slope learned");
    add_integer(cmd, "--steps", train.steps, 1, kMaxSteps, "optimisation steps");
    add_integer(cmd, "--batch", train.batch, 1, 1 << 24, "configurations per batch");
    add_real(cmd, "--lr", train.lr, 1e-12, 10, "peak learning rate (AdamW)");
    add_real(cmd, "--weight-decay", train.weight_decay, 0, 10, "AdamW weight decay (matrices and embeddings)");
    add_real(cmd, "--beta1", train.beta1, 0, 0.999999, "AdamW beta1");
    add_real(cmd, "--beta2", train.beta2, 0, 0.999999999, "AdamW beta2");
    add_real(cmd, "--eps", train.eps, 1e-30, 1, "AdamW epsilon");
    cmd.add_option("--schedule", train.schedule, "cosine | onecycle | constant")->capture_default_str();
    add_integer(cmd, "--warmup-steps", train.warmup_steps, 0, kMaxSteps, "linear warm-up (cosine, constant)");
    add_real(cmd, "--min-lr-ratio", train.min_lr_ratio, 0, 1, "cosine: final lr / lr");
    add_real(cmd, "--pct-start", train.pct_start, 1e-6, 0.999999, "onecycle: fraction of steps rising");
    add_real(cmd, "--grad-clip", train.grad_clip, 0, 1e12, "max gradient norm (0 = off)");
    add_integer(cmd, "--eval-every", train.eval_every, 1, kMaxSteps, "steps between validation evaluations");
    add_integer(cmd, "--patience", train.patience, 0, kMaxSteps, "early stopping: evaluations without improvement (0 = off)");
    add_integer(cmd, "--checkpoint-every", train.checkpoint_every, 0, kMaxSteps,
                "steps between checkpoints (0 = only at the end)");
    add_seed(cmd, "--seed", train.seed, "seed of initialisation, batch order and dropout");
    add_threads(cmd, threads, "LibTorch threads (0 = all cores)");
    cmd.add_flag("--resume", resume, "continue the run in --out with its own hyper-parameters");
    add_integer(cmd, "--stop-after", stop_after, 0, kMaxSteps, "stop (with a checkpoint) after this many steps in this call");
    cmd.add_flag("--quiet", quiet, "no progress or log lines");
  }
};

// Memory of training, estimated from the configuration (floats of 4 bytes): weights, gradients and
// the two AdamW moments (16 bytes per parameter, plus the serialised checkpoint), then the larger of
// two phases that never overlap. Training keeps, for the backward pass, every layer's attention maps
// (B H L^2) and the B L (d_model, d_ff) streams, each a few times, at the training batch B. Validation
// runs in chunks of 4096 rows without gradients, so nothing is stored across layers: at most one
// layer's attention map (H L^2 per row) and its streams are alive at a time (measured at L = 256,
// d_model 32, 4 heads, d_ff 128: 2.0 GB peak for this estimate's 8.1 GB). When the estimate exceeds
// the budget the flag named is the one furthest above its default.
double training_bytes(const gpt::ModelConfig& m, const gpt::TrainConfig& t, int L) {
  const double d = m.d_model, ff = m.d_ff > 0 ? m.d_ff : 4.0 * m.d_model, layers = m.n_layers, H = m.n_heads;
  const double params = layers * (4 * d * d + 2 * d * ff + 9 * d + ff) + (3.0 + L) * d + 4 * d + 2;
  const double training = 4 * layers * L * (4 * H * L + 12 * d + 4 * ff) * double(t.batch);
  const double evaluation = 4 * L * (H * L + 12 * d + 4 * ff) * 4096.0;
  return 20 * params + std::max(training, evaluation);
}

void require_training_fits(const gpt::ModelConfig& m, const gpt::TrainConfig& t, int L) {
  const double bytes = training_bytes(m, t, L);
  if (bytes <= lab::memory_budget_bytes()) return;
  const std::pair<const char*, double> ratios[] = {
      {"--batch", t.batch / 256.0}, {"--d-model", m.d_model / 64.0}, {"--n-heads", m.n_heads / 4.0},
      {"--d-ff", m.d_ff > 0 ? m.d_ff / 256.0 : 0.0}, {"--n-layers", m.n_layers / 2.0}, {"--L", L / 32.0}};
  const auto* worst = &ratios[0];
  for (const auto& r : ratios)
    if (r.second > worst->second) worst = &r;
  lab::require_memory(worst->first, bytes,
                      fmt::format("training (d_model {}, n_heads {}, d_ff {}, n_layers {}, batch {}, L {})", m.d_model,
                                  m.n_heads, m.d_ff > 0 ? m.d_ff : 4 * m.d_model, m.n_layers, t.batch, L));
}

// --resume continues a run with the hyper-parameters in its checkpoint (the learning-rate schedule of
// the steps already taken depends on --steps, so not even --steps can change midway). A model or
// training flag given with --resume must therefore say what the checkpoint says; one that contradicts
// it is refused rather than silently ignored. f.model and f.train hold the flags' values.
void require_flags_match_checkpoint(const TrainFlags& f) {
  static const char* model_flags[] = {"--d-model",        "--n-heads",        "--n-layers",  "--d-ff",
                                      "--dropout",        "--seed-literal",   "--attention-scale",
                                      "--attention-bias", "--bias-shape"};
  static const char* train_flags[] = {"--steps",        "--batch",        "--lr",         "--weight-decay",
                                      "--beta1",        "--beta2",        "--eps",        "--schedule",
                                      "--warmup-steps", "--min-lr-ratio", "--pct-start",  "--grad-clip",
                                      "--eval-every",   "--patience",     "--checkpoint-every", "--seed"};
  const auto given = [&](const char* flag) { return f.cmd->count(flag) > 0; };
  bool any = given("--bias-slope") || given("--bias-slope-init");
  for (const char* flag : model_flags) any = any || given(flag);
  for (const char* flag : train_flags) any = any || given(flag);
  if (!any) return;
  if (!std::filesystem::exists(f.out)) return;  // gpt::train says there is nothing to resume
  const auto checkpoint = gpt::Model::load(f.out, "--resume").metadata();
  const nlohmann::json mine_model = gpt::to_json(f.model), mine_train = gpt::to_json(f.train);
  const auto check = [&](const char* flag, const char* group, const nlohmann::json& mine, const std::string& key) {
    const auto& theirs = checkpoint.at(group);
    if (theirs.contains(key) && theirs[key] == mine[key]) return;
    throw UsageError(flag, fmt::format("{} contradicts the checkpoint '{}' ({} {}): --resume continues a run with its "
                                       "own hyper-parameters (leave the flag out, or train anew without --resume)",
                                       mine[key].dump(), f.out, key,
                                       theirs.contains(key) ? theirs[key].dump() : std::string("not recorded")));
  };
  const auto key_of = [](const char* flag) {
    std::string key = flag + 2;
    for (char& ch : key)
      if (ch == '-') ch = '_';
    return key;
  };
  for (const char* flag : model_flags)
    if (given(flag)) check(flag, "model", mine_model, key_of(flag));
  for (const char* flag : train_flags)
    if (given(flag)) check(flag, "train", mine_train, key_of(flag));
  if (given("--bias-slope")) {
    check("--bias-slope", "model", mine_model, "bias_learned");
    if (!f.model.bias_learned) check("--bias-slope", "model", mine_model, "bias_slope");
  }
  if (given("--bias-slope-init") && f.model.bias_learned) check("--bias-slope-init", "model", mine_model, "bias_slope");
}

// SIGINT or SIGTERM during training: the signal is noted and training stops at the end of the current
// segment with a checkpoint (gpt::train runs in segments of about kSegmentSeconds, each ending with
// one); a second signal exits at once, as every command does (lab::install_signal_cleanup).
volatile std::sig_atomic_t stop_signal = 0;
constexpr double kSegmentSeconds = 15.0;

extern "C" void request_stop(int signal) {
  stop_signal = signal;
  static const char text[] =
      "\nspinformer gpt train: stopping with a checkpoint at the end of this segment (seconds); a second "
      "Ctrl-C quits at once and loses the steps since the last checkpoint\n";
  const ssize_t ignored = ::write(STDERR_FILENO, text, sizeof text - 1);
  (void)ignored;
  lab::install_signal_cleanup();  // signal(2) is async-signal-safe
}

// --resume without --data: the data (and validation) files the checkpoint recorded.
void data_from_checkpoint(TrainFlags& f) {
  if (!f.resume || !f.data.empty()) return;
  if (!std::filesystem::exists(f.out)) throw UsageError("--resume", fmt::format("no checkpoint to resume at '{}'", f.out));
  const auto meta = gpt::Model::load(f.out, "--resume").metadata();
  const auto data = meta.value("data", nlohmann::json::object());
  f.data = data.is_object() ? data.value("data_file", std::string()) : std::string();
  if (f.val.empty() && data.is_object()) f.val = data.value("val_file", std::string());
  if (f.data.empty())
    throw UsageError("--data", fmt::format("the checkpoint '{}' records no data file: give --data", f.out));
  if (!std::filesystem::exists(f.data))
    throw UsageError("--data", fmt::format("the checkpoint's data file '{}' is not there (a relative path is read from "
                                           "the current folder): give --data",
                                           f.data));
}

void run_train(TrainFlags& f, const std::vector<std::string>& argv) {
  if (f.data.empty() && !f.resume) throw UsageError("--data", "required (only --resume reads it from the checkpoint)");
  data_from_checkpoint(f);
  // flags first, then files
  f.model.bias = gpt::parse_bias_kind(f.attention_bias);
  f.model.bias_shape = gpt::parse_bias_shape(f.bias_shape);
  if (f.bias_slope == "learned") {
    f.model.bias_learned = true;
    f.model.bias_slope = f.bias_slope_init;
  } else {
    f.model.bias_slope = lab::parse_real("--bias-slope", f.bias_slope, -1e6, 1e6);
  }
  gpt::validate(f.train);
  if (f.curve.empty()) f.curve = f.out + ".curve.tsv";
  // every file read and written, sidecars included: none may be another (on --resume, --out is read
  // and rewritten by the same flag, which is the point of --resume)
  lab::require_distinct({{"--data", f.data}, {"--data", f.data + ".json"}, {"--val", f.val}},
                        {{"--out", f.out}, {"--out", f.out + ".json"}, {"--curve", f.curve},
                         {"--curve", f.curve + ".json"}});
  for (const auto& [parameter, path] : std::vector<lab::NamedPath>{
           {"--out", f.out}, {"--out", f.out + ".json"}, {"--curve", f.curve}, {"--curve", f.curve + ".json"}})
    lab::require_writable(path, parameter);
  if (!f.resume) require_training_fits(f.model, f.train, f.L > 0 ? f.L : 2);  // a lower bound before the data is read

  const auto data = read_samples(f.data, "--data", f.L);
  if (f.L == 0) f.L = data.L;
  ising::SpinSamples val;
  if (!f.val.empty()) val = read_samples(f.val, "--val", data.L);
  f.model.L = data.L;
  if (f.model.d_ff == 0) f.model.d_ff = 4 * f.model.d_model;  // not given (a given --d-ff is >= 1)
  gpt::validate(f.model);
  if (f.resume) require_flags_match_checkpoint(f);
  if (!f.resume) {
    require_training_fits(f.model, f.train, data.L);
    // forward and backward: about 6 operations per parameter and token, plus the attention's L^2 terms
    const auto& m = f.model;
    const double params = m.n_layers * (4.0 * m.d_model * m.d_model + 2.0 * m.d_model * m.d_ff);
    lab::require_work("--steps", 6.0 * f.train.steps * f.train.batch * data.L * (params + 2.0 * m.n_layers * data.L * m.d_model),
                      "training", lab::kFlopBudget);
  }

  // the chain: from the flags, else from the data's sidecar
  std::optional<ising::Chain> chain;
  nlohmann::json data_meta = {{"data_file", f.data}, {"val_file", f.val}};
  const bool chain_flags = f.T_opt->count() + f.J_opt->count() + f.h_opt->count() + f.boundary_opt->count() > 0;
  nlohmann::json sidecar;
  std::error_code no_sidecar;
  if (std::filesystem::is_regular_file(f.data + ".json", no_sidecar)) {
    try {
      sidecar = nlohmann::json::parse(lab::read_file(f.data + ".json", "--data"));
      data_meta["data_sidecar"] = sidecar.value("parameters", nlohmann::json());
    } catch (const std::exception&) {
      sidecar = nlohmann::json();
    }
  }
  if (chain_flags) {
    ising::Chain c;
    c.L = data.L;
    c.T = f.T;
    c.J = f.J;
    c.h = f.h;
    c.boundary = ising::parse_boundary(f.boundary);
    ising::validate(c);
    chain = c;
  } else if (sidecar.is_object() && sidecar.contains("parameters") && sidecar["parameters"].contains("T")) {
    try {
      const auto& p = sidecar["parameters"];
      ising::Chain c;
      c.L = p.at("L").get<int>();
      c.T = p.at("T").get<double>();
      c.J = p.value("J", 1.0);
      c.h = p.value("h", 0.0);
      c.boundary = ising::parse_boundary(p.value("boundary", std::string("periodic")));
      if (c.L == data.L) chain = c;
    } catch (const std::exception&) {
      chain.reset();
    }
  }

  gpt::TrainOptions options;
  options.config = f.train;
  options.checkpoint_path = f.out;
  options.curve_path = f.curve;
  options.resume = f.resume;
  options.stop_after = f.stop_after;
  options.threads = f.threads;
  options.chain = chain;
  options.data = data_meta;
  options.data["command_line"] = argv;
  // Training runs in segments that each end with a checkpoint (a resumed run gives the bits of an
  // uninterrupted one: tests/gpt, GptCheckpoint.ResumeEqualsAnUninterruptedRun), so that SIGINT and
  // SIGTERM lose nothing: they end the current segment, not the process. The first segment is short,
  // so that the time left is known after a few seconds; the others take about kSegmentSeconds.
  // Progress is this loop's: one line updated in place on a terminal, a few lines in a log.
  long step = 0, total = f.train.steps;
  if (f.resume && std::filesystem::exists(f.out)) {
    const auto meta = gpt::Model::load(f.out, "--resume").metadata();
    step = meta.at("state").value("step", 0L);
    total = meta.at("train").value("steps", total);
  }
  const long goal = f.stop_after > 0 ? std::min(f.stop_after, std::max(0L, total - step)) : std::max(0L, total - step);
  std::optional<lab::Progress> progress;
  if (!f.quiet && goal > 0) progress.emplace("gpt train (steps)", goal);
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  options.progress = false;
  stop_signal = 0;
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  gpt::TrainResult result;
  std::optional<gpt::Model> model;
  long taken = 0, segment = std::min<long>(std::max(1L, goal), 20);
  std::size_t shown = 0;
  for (;;) {
    options.stop_after = std::max(1L, std::min(segment, goal - taken));
    const auto start = std::chrono::steady_clock::now();
    model.emplace(gpt::train(f.model, options, data, val, &result));
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const long done = std::max(0L, result.step - step);
    step = result.step;
    taken += done;
    if (progress) progress->advance(done);
    for (; !f.quiet && shown < result.curve.size(); ++shown) {
      const auto& point = result.curve[shown];
      if (point.step <= step - done) continue;  // shown by an earlier segment
      const std::string kl = std::isfinite(point.val_kl) ? fmt::format(", val KL/spin {:.3g}", point.val_kl) : "";
      fmt::print(stderr, "{}step {}/{}: lr {:.3g}, train loss {:.5f}, val NLL {:.5f}{}\n", terminal ? "\r\033[K" : "",
                 point.step, total, point.lr, point.train_loss, point.val_nll, kl);
    }
    if (result.finished || taken >= goal || stop_signal || done == 0) break;
    options.resume = true;
    segment = std::clamp<long>(std::lround(kSegmentSeconds * done / std::max(wall, 1e-3)), 10, 1'000'000);
  }
  lab::install_signal_cleanup();
  if (progress) progress->finish();
  if (stop_signal && !result.finished) {
    fmt::print(stderr, "{}: stopped at step {}/{} with a checkpoint in {}; continue with: spinformer gpt train --out {} --resume\n",
               stop_signal == SIGINT ? "SIGINT" : "SIGTERM", result.step, total, f.out, f.out);
    std::exit(128 + stop_signal);
  }
  if (!f.quiet)
    fmt::print(stderr, "{} at step {}/{}{}: best val NLL {:.6f} nats/spin; wrote {}\n",
               result.finished ? "finished" : "stopped", result.step, model->metadata()["train"]["steps"].get<long>(),
               result.early_stopped ? " (early stop)" : "", result.best_val_nll, f.out);
  (void)model;
}

struct ModelFlags {
  std::string model;
  int threads = 0;
  void add_to(CLI::App& cmd) {
    cmd.add_option("--model", model, "checkpoint written by `spinformer gpt train`")->required();
    add_threads(cmd, threads, "LibTorch threads (0 = all cores)");
  }
  gpt::Model load() const {
    gpt::set_threads(threads);
    return gpt::Model::load(model, "--model");
  }
};

void run_sample(const ModelFlags& mf, long long n, std::uint64_t seed, const std::string& out,
                const std::vector<std::string>& argv) {
  lab::require_distinct({{"--model", mf.model}, {"--model", mf.model + ".json"}},
                        {{"--out", out}, {"--out", out + ".json"}});
  lab::require_writable(out, "--out");
  lab::require_writable(out + ".json", "--out");
  lab::RunMetadata meta("spinformer gpt sample");
  const auto model = mf.load();
  // the samples (a byte per spin, and their text) and one chunk's key/value caches
  const auto& c = model.config();
  const double spins = static_cast<double>(n) * c.L;
  lab::require_memory("--n", 3 * spins + 2.0 * 4 * c.n_layers * 4096.0 * c.L * c.d_model, "the samples");
  lab::require_work("--n", 2 * spins * static_cast<double>(model.parameter_count()), "sampling", lab::kFlopBudget);
  const auto samples = model.sample(static_cast<std::size_t>(n), seed);
  meta.set_seed(seed);
  nlohmann::json parameters = model.metadata().value("chain", nlohmann::json());
  if (!parameters.is_object()) parameters = nlohmann::json::object();
  parameters["L"] = model.L();
  parameters["sampler"] = "gpt";
  parameters["model"] = mf.model;
  parameters["n"] = n;
  meta.parameters() = parameters;
  const lab::SpinTable table{samples.L, samples.spins};
  lab::write_with_sidecar(out, "--out", [&](std::ostream& stream) { lab::write_spin_table(stream, table); }, meta,
                          {{"command_line", argv}, {"threads", gpt::set_threads(mf.threads)}});
  fmt::print(stderr, "wrote {} configurations of {} spins to {}\n", n, samples.L, out);
}

void run_logprob(const ModelFlags& mf, const std::string& configs) {
  const auto model = mf.load();
  const auto samples = read_samples(configs, "--configs", model.L());
  const auto lp = model.log_probability(samples);
  std::string text;
  for (double x : lp) text += fmt::format("{:.17g}\n", x);
  std::cout << text << std::flush;
}

std::string table_text(const lab::Table& table) {
  std::ostringstream text;
  lab::write_table(text, table);
  return text.str();
}

void run_attention(const ModelFlags& mf, const std::string& configs, const std::string& out, const std::string& maps,
                   const std::vector<std::string>& argv) {
  lab::require_distinct({{"--model", mf.model}, {"--configs", configs}},
                        {{"--out", out}, {"--out", out.empty() ? "" : out + ".json"}, {"--maps", maps},
                         {"--maps", maps.empty() ? "" : maps + ".json"}});
  if (!out.empty()) lab::require_writable(out, "--out"), lab::require_writable(out + ".json", "--out");
  if (!maps.empty()) lab::require_writable(maps, "--maps"), lab::require_writable(maps + ".json", "--maps");
  const auto model = mf.load();
  const auto samples = read_samples(configs, "--configs", model.L());
  const auto a = model.attention(samples);
  lab::Table table;
  table.columns = {"r"};
  for (int l = 0; l < a.layers; ++l) table.columns.push_back(fmt::format("A_layer{}", l + 1));
  for (int r = 0; r < a.L; ++r) {
    std::vector<double> row{static_cast<double>(r)};
    for (int l = 0; l < a.layers; ++l) row.push_back(a.a(l, r));
    table.add(row);
  }
  lab::RunMetadata meta("spinformer gpt attention");
  meta.parameters() = {{"model", mf.model}, {"configs", configs}, {"samples", a.samples}};
  const nlohmann::json note = {
      {"command_line", argv},
      {"definition", "A(r): attention weight of query position i on key position i - r, averaged over heads, samples "
                     "and queries i >= r; key 0 is the start token, key j >= 1 holds spin j (1-based); query i predicts "
                     "spin i + 1, so r = 0 is the spin just before the predicted one"}};
  // --out and --maps (each with its sidecar) are committed together
  lab::OutputFiles files;
  if (!maps.empty()) {
    lab::Table m;
    m.columns = {"layer", "head", "i", "j", "weight"};
    for (int l = 0; l < a.layers; ++l)
      for (int h = 0; h < a.heads; ++h)
        for (int i = 0; i < a.L; ++i)
          for (int j = 0; j < a.L; ++j)
            m.add({static_cast<double>(l + 1), static_cast<double>(h + 1), static_cast<double>(i),
                   static_cast<double>(j), a.map(l, h, i, j)});
    files.add(maps, "--maps") << table_text(m);
    files.add(maps + ".json", "--maps") << meta.sidecar_text(maps, note);
  }
  if (out.empty()) {
    std::string text = "# r";
    for (int l = 0; l < a.layers; ++l) text += fmt::format("\tA_layer{}", l + 1);
    text += "\n";
    for (const auto& row : table.rows) {
      text += fmt::format("{}", row[0]);
      for (std::size_t k = 1; k < row.size(); ++k) text += fmt::format("\t{:.10g}", row[k]);
      text += "\n";
    }
    files.commit();
    std::cout << text << std::flush;
  } else {
    files.add(out, "--out") << table_text(table);
    files.add(out + ".json", "--out") << meta.sidecar_text(out, note);
    files.commit();
  }
}

}  // namespace

void add_gpt_commands(CLI::App& app) {
  auto* gpt = app.add_subcommand("gpt", "IsingGPT: a causal transformer trained on spin configurations");
  gpt->require_subcommand(1);

  auto tf = std::make_shared<TrainFlags>();
  auto* train = gpt->add_subcommand("train", "train IsingGPT by maximum likelihood (AdamW), write a checkpoint");
  tf->add_to(*train);
  train->callback([tf, train] { run_train(*tf, command_line(train, "train")); });

  auto sample_model = std::make_shared<ModelFlags>();
  auto n = std::make_shared<long long>(1000);
  auto seed = std::make_shared<std::uint64_t>(1);
  auto sample_out = std::make_shared<std::string>();
  auto* sample = gpt->add_subcommand("sample", "draw configurations from a trained model (autoregressive)");
  sample_model->add_to(*sample);
  add_integer(*sample, "--n", *n, 1, 1'000'000'000, "number of configurations");
  add_seed(*sample, "--seed", *seed, "random seed");
  sample->add_option("--out", *sample_out, "output file (rows of +-1) with a JSON sidecar")->required();
  sample->callback([=] { run_sample(*sample_model, *n, *seed, *sample_out, command_line(sample, "sample")); });

  auto lp_model = std::make_shared<ModelFlags>();
  auto lp_configs = std::make_shared<std::string>();
  auto* logprob = gpt->add_subcommand("logprob", "print log p_model(s) (natural log), one line per configuration");
  lp_model->add_to(*logprob);
  logprob->add_option("--configs", *lp_configs, "configurations (rows of +-1)")->required();
  logprob->callback([=] { run_logprob(*lp_model, *lp_configs); });

  auto at_model = std::make_shared<ModelFlags>();
  auto at_configs = std::make_shared<std::string>();
  auto at_out = std::make_shared<std::string>();
  auto at_maps = std::make_shared<std::string>();
  auto* attention = gpt->add_subcommand("attention", "attention weights averaged over configurations: A(r) per layer");
  at_model->add_to(*attention);
  attention->add_option("--configs", *at_configs, "configurations (rows of +-1)")->required();
  attention->add_option("--out", *at_out, "A(r) table (default: print it)");
  attention->add_option("--maps", *at_maps, "full maps: rows layer head i j weight (sample means)");
  attention->callback(
      [=] { run_attention(*at_model, *at_configs, *at_out, *at_maps, command_line(attention, "attention")); });
}

}  // namespace spinformer::cli
