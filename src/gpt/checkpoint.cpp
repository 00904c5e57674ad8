// IsingGPT checkpoints: written whole (via lab::AtomicFile), verified on load, byte-reproducible.
//
// Layout (all integers decimal, tensors little-endian float32, row-major):
//   line 1  "spinformer-gpt-checkpoint 2"
//   line 2  "<payload bytes> <FNV-1a 64 of the payload, 16 hex digits>"
//   payload "<index bytes>\n" <index: JSON> <tensor data>
// The index holds the metadata (the model configuration, training configuration and state, ...), and
// for each tensor its name, shape, offset and size within the data: "model.<parameter name>" for the
// network, "optimizer.<k>.exp_avg" / ".exp_avg_sq" for AdamW's moments of the k-th parameter (in the
// optimizer's group order), with the step counts in "optimizer_steps". Nothing in it depends on the
// wall clock or on heap addresses (LibTorch's own optimizer archive keys its state by address), so
// two runs with the same seed write the same bytes, and `cmp` compares them.
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>

#include "gpt/model_impl.hpp"
#include "lab/atomic_file.hpp"
#include "lab/parse.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::gpt::detail {
namespace {

std::uint64_t fnv1a64(const char* data, std::size_t size) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t k = 0; k < size; ++k) {
    h ^= static_cast<unsigned char>(data[k]);
    h *= 1099511628211ULL;
  }
  return h;
}

bool all_finite(const torch::Tensor& t) { return t.numel() == 0 || torch::isfinite(t).all().item<bool>(); }

struct NamedTensor {
  std::string name;
  torch::Tensor value;  // float32, contiguous
};

torch::optim::AdamWParamState* adamw_state(torch::optim::Optimizer& optimizer, const torch::Tensor& p) {
  auto it = optimizer.state().find(c10::guts::to_string(p.unsafeGetTensorImpl()));
  if (it == optimizer.state().end()) return nullptr;
  auto* state = dynamic_cast<torch::optim::AdamWParamState*>(it->second.get());
  if (!state) throw std::logic_error("checkpoints hold AdamW state only");
  return state;
}

// A lower bound on the parameters of a configuration, to refuse metadata that claims a network larger
// than the tensors present before building it.
double minimum_parameters(const ModelConfig& c) {
  const double d = c.d_model;
  return c.n_layers * (4 * d * d + 2 * d * c.d_ff) + (3.0 + c.L) * d;
}

}  // namespace

std::string checkpoint_bytes(Gpt& net, const nlohmann::json& metadata, torch::optim::Optimizer* optimizer) {
  torch::NoGradGuard no_grad;
  std::vector<NamedTensor> tensors;
  for (const auto& p : net->named_parameters()) tensors.push_back({"model." + p.key(), p.value()});
  for (const auto& b : net->named_buffers()) tensors.push_back({"model." + b.key(), b.value()});
  nlohmann::json steps = nlohmann::json::array();
  if (optimizer) {
    std::size_t k = 0;
    for (auto& group : optimizer->param_groups())
      for (auto& p : group.params()) {
        const auto* state = adamw_state(*optimizer, p);
        steps.push_back(state ? nlohmann::json(state->step()) : nlohmann::json());
        if (state) {
          tensors.push_back({fmt::format("optimizer.{}.exp_avg", k), state->exp_avg()});
          tensors.push_back({fmt::format("optimizer.{}.exp_avg_sq", k), state->exp_avg_sq()});
        }
        ++k;
      }
  }
  nlohmann::json entries = nlohmann::json::array();
  std::string data;
  for (auto& t : tensors) {
    t.value = t.value.detach().to(torch::kFloat).contiguous();
    if (!all_finite(t.value))
      throw std::runtime_error(fmt::format("refusing to write a checkpoint with non-finite values in {} (training diverged: "
                                           "lower --lr or set --grad-clip); the last good checkpoint stays", t.name));
    const std::size_t bytes = static_cast<std::size_t>(t.value.numel()) * sizeof(float);
    entries.push_back({{"name", t.name}, {"shape", t.value.sizes().vec()}, {"offset", data.size()}, {"bytes", bytes}});
    data.append(static_cast<const char*>(t.value.data_ptr()), bytes);
  }
  nlohmann::json index = {{"metadata", metadata}, {"tensors", entries}};
  if (optimizer) index["optimizer_steps"] = steps;
  const std::string index_text = index.dump();
  const std::string payload = fmt::format("{}\n", index_text.size()) + index_text + data;
  return fmt::format("{}\n{} {:016x}\n", kFormat, payload.size(), fnv1a64(payload.data(), payload.size())) + payload;
}

void write_checkpoint(const std::string& path, const std::string& parameter, Gpt& net, const nlohmann::json& metadata,
                      torch::optim::Optimizer* optimizer) {
  const std::string bytes = checkpoint_bytes(net, metadata, optimizer);
  lab::AtomicFile file(path, parameter);
  file.stream() << bytes;
  file.commit();
}

CheckpointReader::CheckpointReader(const std::string& path, const std::string& parameter)
    : path_(path), parameter_(parameter) {
  constexpr std::uintmax_t kMaxBytes = std::uintmax_t{4} << 30;
  lab::require_readable(path, parameter, kMaxBytes);
  std::string file = lab::read_file(path, parameter, kMaxBytes);
  // header: the format line, then "<payload bytes> <checksum>"
  const auto line1 = file.find('\n');
  if (line1 == std::string::npos || file.compare(0, line1, kFormat) != 0)
    fail(fmt::format("no '{}' header", kFormat));
  const auto line2 = file.find('\n', line1 + 1);
  if (line2 == std::string::npos || line2 - line1 > 64) fail("no size and checksum line");
  const std::string sizes = file.substr(line1 + 1, line2 - line1 - 1);
  const auto space = sizes.find(' ');
  if (space == std::string::npos || sizes.size() - space - 1 != 16) fail("malformed size and checksum line");
  std::uint64_t expected_size = 0, expected_sum = 0;
  try {
    expected_size = lab::parse_seed("size", sizes.substr(0, space));
    expected_sum = std::stoull(sizes.substr(space + 1), nullptr, 16);
  } catch (const std::exception&) {
    fail("malformed size and checksum line");
  }
  payload_ = file.substr(line2 + 1);
  file = std::string();
  if (payload_.size() != expected_size)
    fail(fmt::format("{}: the header promises {} bytes, the file holds {}",
                     payload_.size() < expected_size ? "truncated" : "trailing bytes", expected_size, payload_.size()));
  if (fnv1a64(payload_.data(), payload_.size()) != expected_sum) fail("checksum mismatch: the file is corrupted");
  try {
    const auto newline = payload_.find('\n');
    if (newline == std::string::npos || newline > 20) fail("no index");
    const std::size_t index_bytes = static_cast<std::size_t>(lab::parse_seed("index", payload_.substr(0, newline)));
    if (index_bytes > payload_.size() - newline - 1) fail("index beyond the end of the file");
    index_ = nlohmann::json::parse(payload_.substr(newline + 1, index_bytes));
    data_offset_ = newline + 1 + index_bytes;
    metadata_ = index_.at("metadata");
    if (!metadata_.is_object() || !metadata_.contains("model")) fail("metadata without a model configuration");
    // every tensor record lies within the data, back to back, with as many bytes as its shape says
    std::size_t offset = 0;
    double model_values = 0;
    for (const auto& t : index_.at("tensors")) {
      double count = 1;
      for (const auto& d : t.at("shape")) {
        if (d.get<std::int64_t>() < 0) fail(fmt::format("tensor {} has a negative dimension", t.at("name").dump()));
        count *= d.get<double>();
      }
      const auto bytes = t.at("bytes").get<std::size_t>();
      if (t.at("offset").get<std::size_t>() != offset || count * sizeof(float) != static_cast<double>(bytes) ||
          bytes > payload_.size() - data_offset_ - offset)
        fail(fmt::format("tensor record {} is inconsistent or truncated", t.at("name").dump()));
      offset += bytes;
      if (t.at("name").get<std::string>().rfind("model.", 0) == 0) model_values += count;
    }
    if (offset != payload_.size() - data_offset_) fail("data beyond the last tensor record");
    const ModelConfig config = model_config_from_json(metadata_.at("model"));
    validate(config);
    if (minimum_parameters(config) > model_values)
      fail(fmt::format("the metadata describes a network of at least {:.0f} parameters, the file holds {:.0f}",
                       minimum_parameters(config), model_values));
  } catch (const lab::UsageError&) {
    throw;
  } catch (const std::exception& e) {
    const std::string what = e.what();
    fail(what.substr(0, what.find('\n')));
  }
}

void CheckpointReader::fail(const std::string& what) const {
  throw lab::UsageError(parameter_, fmt::format("'{}' is not a valid spinformer gpt checkpoint ({})", path_, what));
}

torch::Tensor CheckpointReader::tensor(const std::string& name, at::IntArrayRef shape) const {
  for (const auto& t : index_.at("tensors")) {
    if (t.at("name").get<std::string>() != name) continue;
    const auto stored = t.at("shape").get<std::vector<std::int64_t>>();
    if (stored != shape.vec())
      fail(fmt::format("{} has shape [{}], the metadata's model needs [{}]", name, fmt::join(stored, ", "),
                       fmt::join(shape.vec(), ", ")));
    auto out = torch::empty(shape, torch::kFloat);
    std::memcpy(out.data_ptr(), payload_.data() + data_offset_ + t.at("offset").get<std::size_t>(),
                t.at("bytes").get<std::size_t>());
    if (!all_finite(out)) fail(fmt::format("{} holds NaN or infinite values", name));
    return out;
  }
  fail(fmt::format("no tensor {}", name));
}

void CheckpointReader::load_model(Gpt& net) {
  torch::NoGradGuard no_grad;
  std::size_t expected = 0;
  for (auto& p : net->named_parameters()) p.value().copy_(tensor("model." + p.key(), p.value().sizes())), ++expected;
  for (auto& b : net->named_buffers()) b.value().copy_(tensor("model." + b.key(), b.value().sizes())), ++expected;
  std::size_t present = 0;
  for (const auto& t : index_.at("tensors")) present += t.at("name").get<std::string>().rfind("model.", 0) == 0;
  if (present != expected)
    fail(fmt::format("it holds {} network tensors, the metadata's model has {}", present, expected));
}

void CheckpointReader::load_optimizer(torch::optim::Optimizer& optimizer) {
  if (!index_.contains("optimizer_steps") || !index_["optimizer_steps"].is_array())
    fail("no optimizer state to resume from");
  const auto& steps = index_["optimizer_steps"];
  std::size_t k = 0;
  for (auto& group : optimizer.param_groups())
    for (auto& p : group.params()) {
      if (k >= steps.size()) fail("optimizer state for fewer parameters than the model has");
      const auto& step = steps[k];
      if (!step.is_null()) {
        if (!step.is_number_integer() || step.get<std::int64_t>() < 0)
          fail(fmt::format("optimizer step {} is not a count", k));
        auto state = std::make_unique<torch::optim::AdamWParamState>();
        state->step(step.get<std::int64_t>());
        state->exp_avg(tensor(fmt::format("optimizer.{}.exp_avg", k), p.sizes()));
        state->exp_avg_sq(tensor(fmt::format("optimizer.{}.exp_avg_sq", k), p.sizes()));
        optimizer.state()[c10::guts::to_string(p.unsafeGetTensorImpl())] = std::move(state);
      }
      ++k;
    }
  if (k != steps.size()) fail("optimizer state for more parameters than the model has");
}

}  // namespace spinformer::gpt::detail
