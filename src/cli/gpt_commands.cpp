// spinformer gpt train|sample|logprob|attention: IsingGPT from the command line.
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "gpt/gpt.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "lab/atomic_file.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

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

  TrainFlags() { model.d_ff = 0; }

  void add_to(CLI::App& cmd) {
    cmd.add_option("--data", data, "training configurations (rows of +-1, as `spinformer ising sample` writes)")
        ->required();
    cmd.add_option("--val", val, "validation configurations (default: the last 5% of --data are held out)");
    cmd.add_option("--out", out, "checkpoint to write (atomically; JSON sidecar OUT.json)")->required();
    cmd.add_option("--curve", curve, "training-curve TSV (default: OUT.curve.tsv)");
    cmd.add_option("--L", L, "expected chain length (default: the data's row length)");
    T_opt = cmd.add_option("--T", T, "temperature of the data (recorded; default: the data's sidecar)");
    J_opt = cmd.add_option("--J", J, "coupling J of the data (recorded)");
    h_opt = cmd.add_option("--h", h, "field h of the data (recorded)");
    boundary_opt = cmd.add_option("--boundary", boundary, "periodic | open (recorded)");
    cmd.add_option("--d-model", model.d_model, "model width")->capture_default_str();
    cmd.add_option("--n-heads", model.n_heads, "attention heads")->capture_default_str();
    cmd.add_option("--n-layers", model.n_layers, "transformer blocks")->capture_default_str();
    cmd.add_option("--d-ff", model.d_ff, "feed-forward width (default 4 d_model)");
    cmd.add_option("--dropout", model.dropout, "dropout probability (the seed used 0.1)")->capture_default_str();
    cmd.add_flag("--seed-literal", model.seed_literal,
                 "the seed's flawed setup (no causal mask, target = input token): a negative control");
    cmd.add_option("--attention-scale", model.attention_scale, "multiplies 1/sqrt(d_head) in the attention logits")
        ->capture_default_str();
    cmd.add_option("--attention-bias", attention_bias, "additive attention bias: none | distance | periodic")
        ->capture_default_str();
    cmd.add_option("--bias-shape", bias_shape, "linear: -slope d | exp: exp(-slope d)")->capture_default_str();
    cmd.add_option("--bias-slope", bias_slope, "a number (fixed, all heads) or 'learned' (per layer and head)")
        ->capture_default_str();
    cmd.add_option("--bias-slope-init", bias_slope_init, "initial slope when --bias-slope learned")
        ->capture_default_str();
    cmd.add_option("--steps", train.steps, "optimisation steps")->capture_default_str();
    cmd.add_option("--batch", train.batch, "configurations per batch")->capture_default_str();
    cmd.add_option("--lr", train.lr, "peak learning rate (AdamW)")->capture_default_str();
    cmd.add_option("--weight-decay", train.weight_decay, "AdamW weight decay (matrices and embeddings)")
        ->capture_default_str();
    cmd.add_option("--beta1", train.beta1, "AdamW beta1")->capture_default_str();
    cmd.add_option("--beta2", train.beta2, "AdamW beta2")->capture_default_str();
    cmd.add_option("--eps", train.eps, "AdamW epsilon")->capture_default_str();
    cmd.add_option("--schedule", train.schedule, "cosine | onecycle | constant")->capture_default_str();
    cmd.add_option("--warmup-steps", train.warmup_steps, "linear warm-up (cosine, constant)")->capture_default_str();
    cmd.add_option("--min-lr-ratio", train.min_lr_ratio, "cosine: final lr / lr")->capture_default_str();
    cmd.add_option("--pct-start", train.pct_start, "onecycle: fraction of steps rising")->capture_default_str();
    cmd.add_option("--grad-clip", train.grad_clip, "max gradient norm (0 = off)")->capture_default_str();
    cmd.add_option("--eval-every", train.eval_every, "steps between validation evaluations")->capture_default_str();
    cmd.add_option("--patience", train.patience, "early stopping: evaluations without improvement (0 = off)")
        ->capture_default_str();
    cmd.add_option("--checkpoint-every", train.checkpoint_every, "steps between checkpoints (0 = only at the end)")
        ->capture_default_str();
    cmd.add_option("--seed", train.seed, "seed of initialisation, batch order and dropout")->capture_default_str();
    cmd.add_option("--threads", threads, "LibTorch threads (0 = all cores)")->capture_default_str();
    cmd.add_flag("--resume", resume, "continue the run in --out with its own hyper-parameters");
    cmd.add_option("--stop-after", stop_after, "stop (with a checkpoint) after this many steps in this call")
        ->capture_default_str();
    cmd.add_flag("--quiet", quiet, "no progress or log lines");
  }
};

void run_train(TrainFlags& f, const std::vector<std::string>& argv) {
  // flags first, then files
  f.model.bias = gpt::parse_bias_kind(f.attention_bias);
  f.model.bias_shape = gpt::parse_bias_shape(f.bias_shape);
  if (f.bias_slope == "learned") {
    f.model.bias_learned = true;
    f.model.bias_slope = f.bias_slope_init;
  } else {
    try {
      std::size_t used = 0;
      f.model.bias_slope = std::stod(f.bias_slope, &used);
      if (used != f.bias_slope.size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      throw UsageError("--bias-slope", fmt::format("must be a number or 'learned', got '{}'", f.bias_slope));
    }
  }
  if (f.threads < 0) throw UsageError("--threads", fmt::format("must be >= 0, got {}", f.threads));
  if (f.stop_after < 0) throw UsageError("--stop-after", fmt::format("must be >= 0, got {}", f.stop_after));
  if (f.L != 0 && f.L < 2) throw UsageError("--L", fmt::format("must be >= 2, got {}", f.L));
  gpt::validate(f.train);
  lab::require_writable(f.out, "--out");
  if (f.curve.empty()) f.curve = f.out + ".curve.tsv";
  lab::require_writable(f.curve, "--curve");

  const auto data = read_samples(f.data, "--data", f.L);
  if (f.L == 0) f.L = data.L;
  ising::SpinSamples val;
  if (!f.val.empty()) val = read_samples(f.val, "--val", data.L);
  f.model.L = data.L;
  if (f.model.d_ff == 0) f.model.d_ff = 4 * f.model.d_model;
  gpt::validate(f.model);

  // the chain: from the flags, else from the data's sidecar
  std::optional<ising::Chain> chain;
  nlohmann::json data_meta = {{"data_file", f.data}, {"val_file", f.val}};
  const bool chain_flags = f.T_opt->count() + f.J_opt->count() + f.h_opt->count() + f.boundary_opt->count() > 0;
  nlohmann::json sidecar;
  if (std::ifstream in(f.data + ".json"); in) {
    try {
      in >> sidecar;
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
  options.progress = !f.quiet;
  gpt::TrainResult result;
  const auto model = gpt::train(f.model, options, data, val, &result);
  if (!f.quiet)
    fmt::print(stderr, "{} at step {}/{}{}: best val NLL {:.6f} nats/spin; wrote {}\n",
               result.finished ? "finished" : "stopped", result.step, model.metadata()["train"]["steps"].get<long>(),
               result.early_stopped ? " (early stop)" : "", result.best_val_nll, f.out);
}

struct ModelFlags {
  std::string model;
  int threads = 0;
  void add_to(CLI::App& cmd) {
    cmd.add_option("--model", model, "checkpoint written by `spinformer gpt train`")->required();
    cmd.add_option("--threads", threads, "LibTorch threads (0 = all cores)")->capture_default_str();
  }
  gpt::Model load() const {
    if (threads < 0) throw UsageError("--threads", fmt::format("must be >= 0, got {}", threads));
    gpt::set_threads(threads);
    return gpt::Model::load(model, "--model");
  }
};

void run_sample(const ModelFlags& mf, long long n, std::uint64_t seed, const std::string& out,
                const std::vector<std::string>& argv) {
  if (n <= 0) throw UsageError("--n", fmt::format("must be > 0, got {}", n));
  lab::require_writable(out, "--out");
  lab::RunMetadata meta("spinformer gpt sample");
  const auto model = mf.load();
  const auto samples = model.sample(static_cast<std::size_t>(n), seed);
  lab::write_spin_table(out, lab::SpinTable{samples.L, samples.spins}, "--out");
  meta.set_seed(seed);
  nlohmann::json parameters = model.metadata().value("chain", nlohmann::json());
  if (!parameters.is_object()) parameters = nlohmann::json::object();
  parameters["L"] = model.L();
  parameters["sampler"] = "gpt";
  parameters["model"] = mf.model;
  parameters["n"] = n;
  meta.parameters() = parameters;
  meta.write_sidecar(out, {{"command_line", argv}, {"threads", gpt::set_threads(mf.threads)}});
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

void run_attention(const ModelFlags& mf, const std::string& configs, const std::string& out, const std::string& maps,
                   const std::vector<std::string>& argv) {
  if (!out.empty()) lab::require_writable(out, "--out");
  if (!maps.empty()) lab::require_writable(maps, "--maps");
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
  if (!maps.empty()) {
    lab::Table m;
    m.columns = {"layer", "head", "i", "j", "weight"};
    for (int l = 0; l < a.layers; ++l)
      for (int h = 0; h < a.heads; ++h)
        for (int i = 0; i < a.L; ++i)
          for (int j = 0; j < a.L; ++j)
            m.add({static_cast<double>(l + 1), static_cast<double>(h + 1), static_cast<double>(i),
                   static_cast<double>(j), a.map(l, h, i, j)});
    lab::write_table(maps, m, "--maps");
    meta.write_sidecar(maps, note);
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
    std::cout << text << std::flush;
  } else {
    lab::write_table(out, table, "--out");
    meta.write_sidecar(out, note);
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
  sample->add_option("--n", *n, "number of configurations")->capture_default_str();
  sample->add_option("--seed", *seed, "random seed")->capture_default_str();
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
