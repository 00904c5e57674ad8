// Checkpoints under attack (issue 9): every corruption is refused on load with a UsageError naming the
// flag, a non-finite model is never written and never replaces a good checkpoint, and the same seed
// writes the same bytes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <fmt/format.h>
#include <functional>
#include <limits>
#include <unistd.h>

#include "gpt/gpt.hpp"
#include "gpt/model_impl.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising/samplers.hpp"
#include "lab/usage_error.hpp"

using namespace spinformer;
namespace fs = std::filesystem;

namespace {

const int kThreads = gpt::set_threads(1);

gpt::ModelConfig tiny() {
  gpt::ModelConfig c;
  c.L = 6;
  c.d_model = 16;
  c.n_heads = 2;
  c.n_layers = 1;
  c.d_ff = 32;
  return c;
}

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / fmt::format("spinformer_ckpt_{}_{}", ::getpid(), name)).string();
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::uint64_t fnv1a64(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// Rewrites a checkpoint the way a careful forger would: edit the index or the tensor data, then
// recompute the sizes and the checksum so that only the semantic checks can catch it.
void forge(const std::string& path, const std::function<void(nlohmann::json& index, std::string& data)>& edit) {
  const std::string file = bytes_of(path);
  const auto l1 = file.find('\n'), l2 = file.find('\n', l1 + 1);
  const std::string payload = file.substr(l2 + 1);
  const auto nl = payload.find('\n');
  const std::size_t index_bytes = std::stoul(payload.substr(0, nl));
  auto index = nlohmann::json::parse(payload.substr(nl + 1, index_bytes));
  std::string data = payload.substr(nl + 1 + index_bytes);
  edit(index, data);
  const std::string index_text = index.dump();
  const std::string new_payload = std::to_string(index_text.size()) + "\n" + index_text + data;
  write_bytes(path, file.substr(0, l1 + 1) + fmt::format("{} {:016x}\n", new_payload.size(), fnv1a64(new_payload)) +
                        new_payload);
}

// The message of the UsageError that loading throws (and that it names --model), or "" if none.
std::string load_error(const std::string& path) {
  try {
    gpt::Model::load(path, "--model");
  } catch (const lab::UsageError& e) {
    EXPECT_EQ(e.parameter(), "--model");
    return e.what();
  }
  return "";
}

struct Files {
  std::vector<std::string> paths;
  std::string add(const std::string& name) {
    paths.push_back(temp_path(name));
    return paths.back();
  }
  ~Files() {
    for (const auto& p : paths)
      for (const auto& suffix : {"", ".json", ".curve.tsv", ".curve.tsv.json"}) std::remove((p + suffix).c_str());
  }
};

}  // namespace

TEST(CheckpointFile, TheSameSeedWritesTheSameBytes) {
  Files f;
  const auto a = f.add("a.pt"), b = f.add("b.pt");
  gpt::Model(tiny(), 7).save(a);
  gpt::Model(tiny(), 7).save(b);
  EXPECT_EQ(bytes_of(a), bytes_of(b));
  // and a training run, optimizer state included (LibTorch's own archive held heap addresses)
  const auto data = ising::ExactSampler(ising::Chain{6, 1.0, 0.0, 1.0}).draw(200, 3);
  gpt::TrainOptions o;
  o.config.steps = 6;
  o.config.batch = 16;
  o.config.eval_every = 3;
  o.config.warmup_steps = 0;
  o.progress = false;
  o.checkpoint_path = f.add("run1.pt");
  gpt::train(tiny(), o, data, {});
  const std::string first = bytes_of(o.checkpoint_path);
  o.checkpoint_path = f.add("run2.pt");
  gpt::train(tiny(), o, data, {});
  EXPECT_EQ(first, bytes_of(o.checkpoint_path));
}

TEST(CheckpointFile, FlippedBytesAreACorruptedChecksum) {
  Files f;
  const auto path = f.add("flip.pt");
  gpt::Model(tiny(), 1).save(path);
  std::string bytes = bytes_of(path);
  for (std::size_t k = 0; k < 16; ++k) bytes[bytes.size() - 100 + k] ^= 0x5a;  // 16 bytes inside a tensor
  write_bytes(path, bytes);
  EXPECT_NE(load_error(path).find("checksum"), std::string::npos) << load_error(path);
}

TEST(CheckpointFile, ATruncatedFileIsRefused) {
  Files f;
  const auto path = f.add("cut.pt");
  gpt::Model(tiny(), 1).save(path);
  const std::string bytes = bytes_of(path);
  write_bytes(path, bytes.substr(0, bytes.size() - 37));
  EXPECT_NE(load_error(path).find("truncated"), std::string::npos) << load_error(path);
  write_bytes(path, bytes.substr(0, 10));
  EXPECT_NE(load_error(path), "");
  write_bytes(path, "");
  EXPECT_NE(load_error(path), "");
}

TEST(CheckpointFile, NonFiniteWeightsAreRefusedEvenWithAValidChecksum) {
  Files f;
  const auto path = f.add("nan.pt");
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    gpt::Model(tiny(), 1).save(path);
    forge(path, [bad](nlohmann::json&, std::string& data) { std::memcpy(data.data() + 8, &bad, sizeof bad); });
    EXPECT_NE(load_error(path).find("NaN or infinite"), std::string::npos) << load_error(path);
  }
}

TEST(CheckpointFile, MetadataThatDisagreesWithTheWeightsIsRefused) {
  Files f;
  const auto path = f.add("meta.pt");
  gpt::Model(tiny(), 1).save(path);
  forge(path, [](nlohmann::json& index, std::string&) { index["metadata"]["model"]["d_ff"] = 16; });
  EXPECT_NE(load_error(path).find("shape"), std::string::npos) << load_error(path);
  // a network far larger than the tensors present is refused before it is built
  gpt::Model(tiny(), 1).save(path);
  forge(path, [](nlohmann::json& index, std::string&) {
    index["metadata"]["model"]["d_model"] = 4096;
    index["metadata"]["model"]["d_ff"] = 16384;
  });
  EXPECT_NE(load_error(path).find("at least"), std::string::npos) << load_error(path);
  // a tensor record pointing beyond the data
  gpt::Model(tiny(), 1).save(path);
  forge(path, [](nlohmann::json& index, std::string&) { index["tensors"][0]["bytes"] = 1 << 30; });
  EXPECT_NE(load_error(path).find("inconsistent or truncated"), std::string::npos) << load_error(path);
}

TEST(CheckpointFile, FiniteWeightsWithNonFiniteOutputsAreRefused) {
  Files f;
  const auto path = f.add("overflow.pt");
  gpt::Model(tiny(), 1).save(path);
  forge(path, [](nlohmann::json& index, std::string& data) {
    for (const auto& t : index["tensors"])  // the head's weights, huge but finite: the logits overflow
      if (t["name"] == "model.head.weight")
        for (std::size_t k = 0; k < t["bytes"].get<std::size_t>(); k += 4) {
          const float big = (k / 4) % 2 ? 3e38f : -3e38f;
          std::memcpy(data.data() + t["offset"].get<std::size_t>() + k, &big, 4);
        }
  });
  EXPECT_NE(load_error(path).find("non-finite log-probabilities"), std::string::npos) << load_error(path);
}

TEST(CheckpointFile, ANonFiniteModelIsNeverWrittenAndTheGoodOneStays) {
  Files f;
  const auto path = f.add("good.pt");
  gpt::Model good(tiny(), 1);
  good.save(path);
  const std::string before = bytes_of(path), sidecar = bytes_of(path + ".json");
  gpt::Model bad(tiny(), 2);
  {
    torch::NoGradGuard no_grad;
    bad.impl().net->parameters()[0].view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
  }
  EXPECT_THROW(bad.save(path), std::runtime_error);
  EXPECT_EQ(bytes_of(path), before);
  EXPECT_EQ(bytes_of(path + ".json"), sidecar);
  for (const auto& e : fs::directory_iterator(fs::path(path).parent_path()))
    EXPECT_EQ(e.path().string().find(fs::path(path).filename().string() + ".tmp"), std::string::npos);
}

TEST(CheckpointFile, TrainingThatDivergesKeepsTheLastGoodCheckpoint) {
  Files f;
  const auto data = ising::ExactSampler(ising::Chain{6, 1.0, 0.0, 1.0}).draw(400, 5);
  gpt::TrainOptions o;
  o.config.steps = 40;
  o.config.batch = 32;
  o.config.eval_every = 1;
  o.config.checkpoint_every = 1;
  o.config.lr = 10;  // diverges within a few steps
  o.config.grad_clip = 0;
  o.config.schedule = "constant";
  o.config.warmup_steps = 0;
  o.config.beta2 = 0;
  o.config.eps = 1e-30;
  o.progress = false;
  o.checkpoint_path = f.add("diverge.pt");
  EXPECT_THROW(gpt::train(tiny(), o, data, {}), std::runtime_error);
  // what is on disk is a good checkpoint of an earlier step: it loads and gives finite probabilities
  const auto model = gpt::Model::load(o.checkpoint_path);
  const auto lp = model.log_probability(data);
  for (double x : lp) ASSERT_TRUE(std::isfinite(x));
  EXPECT_LT(model.metadata()["state"]["step"].get<long>(), 40);
}

TEST(CheckpointFile, AnImpossibleResumeStateIsRefused) {
  Files f;
  const auto data = ising::ExactSampler(ising::Chain{6, 1.0, 0.0, 1.0}).draw(200, 3);
  gpt::TrainOptions o;
  o.config.steps = 10;
  o.config.batch = 16;
  o.config.eval_every = 5;
  o.progress = false;
  o.stop_after = 5;
  o.checkpoint_path = f.add("resume.pt");
  gpt::train(tiny(), o, data, {});
  forge(o.checkpoint_path, [](nlohmann::json& index, std::string&) {
    index["metadata"]["state"]["step"] = std::int64_t{1} << 62;  // issue 9: accepted before
  });
  o.resume = true;
  o.stop_after = 0;
  try {
    gpt::train(tiny(), o, data, {});
    FAIL() << "resumed at step 2^62";
  } catch (const lab::UsageError& e) {
    EXPECT_EQ(e.parameter(), "--resume");
  }
}
