// IsingGPT: causality, normalisation, sampling, training, checkpoints, the seed's flaw, attention bias.
// Uses only the LibTorch-free public interface (fast to compile); tiny models, L <= 8.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "gpt/eval.hpp"
#include "gpt/gpt.hpp"
#include "gpt/threads.hpp"
#include "gpt/train.hpp"
#include "ising/samplers.hpp"
#include "lab/statistics.hpp"
#include "lab/usage_error.hpp"

using namespace spinformer;
using gpt::BiasKind;
using gpt::BiasShape;
using gpt::Model;
using gpt::ModelConfig;

namespace {

const int kThreads = gpt::set_threads(1);  // deterministic and light on a shared machine

ModelConfig tiny(int L, BiasKind bias = BiasKind::none, BiasShape shape = BiasShape::linear, bool learned = false) {
  ModelConfig c;
  c.L = L;
  c.d_model = 32;
  c.n_heads = 4;
  c.n_layers = 2;
  c.d_ff = 64;
  c.bias = bias;
  c.bias_shape = shape;
  c.bias_slope = 0.3;
  c.bias_learned = learned;
  return c;
}

ising::Chain chain(int L, double T) {
  ising::Chain c;
  c.L = L;
  c.T = T;
  return c;
}

gpt::TrainOptions quick_options(long steps) {
  gpt::TrainOptions o;
  o.config.steps = steps;
  o.config.batch = 64;
  o.config.lr = 3e-3;
  o.config.warmup_steps = 20;
  o.config.eval_every = 50;
  o.config.checkpoint_every = 0;
  o.config.seed = 11;
  o.threads = 1;
  o.progress = false;
  return o;
}

// A model trained briefly on exact samples of the L = 6 ring at T = 1 (about a second).
Model trained_model(gpt::TrainResult* result = nullptr, bool seed_literal = false) {
  const auto data = ising::ExactSampler(chain(6, 1.0)).draw(4000, 5);
  auto config = tiny(6);
  config.seed_literal = seed_literal;
  auto o = quick_options(300);
  o.chain = chain(6, 1.0);
  return gpt::train(config, o, data, {}, result);
}

ising::SpinSamples random_configs(int L, std::size_t n, std::uint64_t seed) {
  lab::Rng rng(seed);
  ising::SpinSamples s;
  s.L = L;
  for (std::size_t k = 0; k < n * static_cast<std::size_t>(L); ++k) s.spins.push_back(rng.uniform() < 0.5 ? 1 : -1);
  return s;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("spinformer_gpt_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

std::vector<ModelConfig> bias_variants(int L) {
  return {tiny(L), tiny(L, BiasKind::distance, BiasShape::linear, false),
          tiny(L, BiasKind::periodic, BiasShape::exp, true), tiny(L, BiasKind::periodic, BiasShape::linear, true)};
}

}  // namespace

// ---- causality and normalisation ---------------------------------------------------------------------
// p(s_i | s_<i) must not change when any s_j with j >= i is flipped, and must change for some j < i.
TEST(GptModel, ConditionalsAreCausalWithEveryBias) {
  const int L = 7;
  for (const auto& config : bias_variants(L)) {
    const Model model(config, 3);
    const auto base = random_configs(L, 16, 1);
    const auto p = model.conditional_up(base);
    double largest_earlier_effect = 0;
    for (int j = 0; j < L; ++j) {
      auto flipped = base;
      for (std::size_t k = 0; k < flipped.size(); ++k) flipped.row(k)[j] = static_cast<ising::Spin>(-flipped.row(k)[j]);
      const auto q = model.conditional_up(flipped);
      for (std::size_t k = 0; k < base.size(); ++k)
        for (int i = 0; i < L; ++i) {
          const double d = std::abs(p[k * L + i] - q[k * L + i]);
          if (i <= j) EXPECT_LT(d, 1e-6) << "bias " << to_string(config.bias) << ": p(s_" << i << ") moved with s_" << j;
          else largest_earlier_effect = std::max(largest_earlier_effect, d);
        }
    }
    EXPECT_GT(largest_earlier_effect, 1e-5) << "the model ignores its inputs: the test would be vacuous";
  }
}

TEST(GptModel, ProbabilitiesSumToOneOverAllStates) {
  const int L = 8;
  const auto all = gpt::all_configurations(L);
  for (const auto& config : bias_variants(L)) {
    const Model model(config, 4);
    double total = 0;
    for (double lp : model.log_probability(all)) total += std::exp(lp);
    EXPECT_NEAR(total, 1.0, 1e-5) << "bias " << to_string(config.bias);
  }
}

TEST(GptModel, LogProbabilityIsTheSumOfConditionals) {
  const Model model(tiny(5), 2);
  const auto configs = random_configs(5, 10, 3);
  const auto lc = model.log_conditionals(configs);
  const auto up = model.conditional_up(configs);
  const auto lp = model.log_probability(configs);
  for (std::size_t k = 0; k < configs.size(); ++k) {
    double sum = 0;
    for (int i = 0; i < 5; ++i) {
      sum += lc[k * 5 + i];
      const double p = configs.row(k)[i] > 0 ? up[k * 5 + i] : 1 - up[k * 5 + i];
      EXPECT_NEAR(std::exp(lc[k * 5 + i]), p, 1e-6);
    }
    EXPECT_NEAR(sum, lp[k], 1e-9);
  }
}

TEST(GptModel, SameSeedSameParameters) {
  EXPECT_EQ(Model(tiny(6), 9).parameters_flat(), Model(tiny(6), 9).parameters_flat());
  EXPECT_NE(Model(tiny(6), 9).parameters_flat(), Model(tiny(6), 10).parameters_flat());
}

// ---- the attention bias ------------------------------------------------------------------------------------
TEST(GptBias, MatrixMatchesHandComputedValues) {
  auto config = tiny(5, BiasKind::periodic, BiasShape::linear);
  config.bias_slope = 0.5;
  // d(i, j) = min(|i - j|, 5 - |i - j|), P = -0.5 d
  const std::vector<double> periodic_linear = {0,    -0.5, -1,   -1,   -0.5,  //
                                               -0.5, 0,    -0.5, -1,   -1,    //
                                               -1,   -0.5, 0,    -0.5, -1,    //
                                               -1,   -1,   -0.5, 0,    -0.5,  //
                                               -0.5, -1,   -1,   -0.5, 0};
  const auto m = Model(config, 1).bias_matrix(1, 3);
  ASSERT_EQ(m.size(), 25u);
  for (int k = 0; k < 25; ++k) EXPECT_NEAR(m[k], periodic_linear[k], 1e-7) << "entry " << k;

  config = tiny(5, BiasKind::distance, BiasShape::exp);
  config.bias_slope = 0.3;
  const auto e = Model(config, 1).bias_matrix(0, 0);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_NEAR(e[i * 5 + j], std::exp(-0.3 * std::abs(i - j)), 1e-6);
  EXPECT_NEAR(e[0 * 5 + 4], std::exp(-1.2), 1e-6);  // open distance 4, not the periodic 1

  const auto none = Model(tiny(5), 1).bias_matrix(0, 0);
  for (double x : none) EXPECT_EQ(x, 0.0);
}

TEST(GptBias, LearnedSlopeIsAParameterPerLayerAndHead) {
  const auto fixed = Model(tiny(6, BiasKind::periodic, BiasShape::linear, false), 1).parameter_count();
  const auto learned = Model(tiny(6, BiasKind::periodic, BiasShape::linear, true), 1).parameter_count();
  EXPECT_EQ(learned - fixed, 2 * 4);
}

// ---- training and exact evaluation ---------------------------------------------------------------------------
TEST(GptTraining, BriefTrainingBeatsUniformAndEvaluationsAgree) {
  gpt::TrainResult result;
  const auto model = trained_model(&result);
  EXPECT_TRUE(result.finished);
  EXPECT_EQ(result.step, 300);
  ASSERT_EQ(result.curve.size(), 6u);
  EXPECT_TRUE(std::isfinite(result.curve.back().val_kl));

  const ising::ExactChain exact(chain(6, 1.0));
  const auto e = gpt::enumerate_kl(model, exact);
  const double uniform_kl = std::log(2.0) - e.exact_entropy_per_spin;
  EXPECT_GT(uniform_kl, 0.1);
  EXPECT_NEAR(e.total_probability, 1.0, 1e-5);
  EXPECT_LT(e.kl_per_spin, 0.1 * uniform_kl) << "KL/spin " << e.kl_per_spin << " vs uniform " << uniform_kl;
  EXPECT_GE(e.kl_per_spin, 0.0);

  // the sample estimate of the KL agrees with the enumeration; the per-position excess losses sum to it
  const auto samples = ising::ExactSampler(chain(6, 1.0)).draw(20000, 77);
  const auto kl = gpt::kl_per_spin(model, exact, samples);
  EXPECT_NEAR(kl.value, e.kl_per_spin, 5 * kl.error + 1e-4);
  const auto excess = gpt::excess_loss_per_position(model, exact, samples);
  double sum = 0;
  for (double x : excess.value) sum += x;
  EXPECT_NEAR(sum / 6, kl.value, 1e-9);
}

TEST(GptTraining, SamplesFollowTheModelsProbabilities) {
  const auto model = trained_model();
  const auto all = gpt::all_configurations(6);
  const auto lp = model.log_probability(all);
  std::vector<double> expected;
  for (double x : lp) expected.push_back(std::exp(x));
  const auto samples = model.sample(20000, 123);
  std::vector<double> counts(all.size(), 0.0), uniform(all.size(), 1.0 / all.size());
  for (std::size_t k = 0; k < samples.size(); ++k) {
    std::size_t state = 0;
    for (int i = 0; i < 6; ++i) state |= static_cast<std::size_t>(samples.row(k)[i] > 0) << i;
    counts[state] += 1;
  }
  EXPECT_GT(lab::chi_square_test(counts, expected).p_value, 1e-3);
  EXPECT_LT(lab::chi_square_test(counts, uniform).p_value, 1e-6) << "the test cannot tell the model from uniform";
  EXPECT_EQ(model.sample(500, 9).spins, model.sample(500, 9).spins);
  // and their energies / correlations compare against the exact chain
  const auto cmp = gpt::compare_samples(ising::ExactChain(chain(6, 1.0)), samples);
  EXPECT_TRUE(cmp.energy_tested);
  EXPECT_EQ(cmp.model_corr.value.size(), 6u);
}

TEST(GptTraining, AttentionMapsAreCausalAndNormalised) {
  const auto model = trained_model();
  const auto configs = ising::ExactSampler(chain(6, 1.0)).draw(300, 8);
  const auto a = model.attention(configs);
  ASSERT_EQ(a.layers, 2);
  ASSERT_EQ(a.heads, 4);
  EXPECT_EQ(a.samples, 300u);
  for (int l = 0; l < 2; ++l)
    for (int h = 0; h < 4; ++h)
      for (int i = 0; i < 6; ++i) {
        double row = 0;
        for (int j = 0; j < 6; ++j) {
          row += a.map(l, h, i, j);
          if (j > i) {
            EXPECT_EQ(a.map(l, h, i, j), 0.0);
          }
        }
        EXPECT_NEAR(row, 1.0, 1e-6);
      }
  double manual = 0;
  for (int h = 0; h < 4; ++h)
    for (int i = 2; i < 6; ++i) manual += a.map(1, h, i, i - 2);
  EXPECT_NEAR(a.a(1, 2), manual / (4 * 4), 1e-12);
  EXPECT_NEAR(a.a(0, 0) * 6 * 4, [&] { double s = 0; for (int h = 0; h < 4; ++h) for (int i = 0; i < 6; ++i) s += a.map(0, h, i, i); return s; }(), 1e-9);
}

// ---- checkpoints and resume ------------------------------------------------------------------------------------
TEST(GptCheckpoint, SaveLoadGivesIdenticalOutputs) {
  const auto model = trained_model();
  const auto path = temp_path("saved.pt");
  model.save(path);
  const auto loaded = Model::load(path);
  const auto configs = random_configs(6, 50, 4);
  EXPECT_EQ(model.log_probability(configs), loaded.log_probability(configs));
  EXPECT_EQ(model.parameters_flat(), loaded.parameters_flat());
  EXPECT_EQ(loaded.metadata()["chain"]["T"].get<double>(), 1.0);
  std::remove(path.c_str());
  std::remove((path + ".json").c_str());
}

TEST(GptCheckpoint, ResumeEqualsAnUninterruptedRun) {
  const auto data = ising::ExactSampler(chain(5, 1.5)).draw(600, 21);
  auto config = tiny(5, BiasKind::periodic, BiasShape::linear, true);
  config.dropout = 0.1;  // dropout's random numbers must resume too
  auto o = quick_options(40);
  o.config.eval_every = 10;
  o.config.checkpoint_every = 7;
  const auto whole_path = temp_path("whole.pt"), part_path = temp_path("part.pt");
  o.checkpoint_path = whole_path;
  gpt::TrainResult whole_result, part_result;
  const auto whole = gpt::train(config, o, data, {}, &whole_result);

  o.checkpoint_path = part_path;
  o.stop_after = 17;
  gpt::train(config, o, data, {}, &part_result);
  EXPECT_EQ(part_result.step, 17);
  EXPECT_FALSE(part_result.finished);
  auto resume = o;
  resume.stop_after = 0;
  resume.resume = true;
  resume.config.lr = 1.0;  // ignored: a resumed run keeps its own hyper-parameters
  const auto resumed = gpt::train(tiny(5), resume, data, {}, &part_result);
  EXPECT_EQ(part_result.step, 40);
  EXPECT_TRUE(part_result.finished);
  EXPECT_EQ(whole.parameters_flat(), resumed.parameters_flat());
  ASSERT_EQ(whole_result.curve.size(), part_result.curve.size());
  for (std::size_t k = 0; k < whole_result.curve.size(); ++k)
    EXPECT_EQ(whole_result.curve[k].val_nll, part_result.curve[k].val_nll);

  // resuming against other data is refused
  const auto other = ising::ExactSampler(chain(5, 1.5)).draw(600, 22);
  EXPECT_THROW(gpt::train(tiny(5), resume, other, {}), lab::UsageError);
  for (const auto& p : {whole_path, part_path}) {
    std::remove(p.c_str());
    std::remove((p + ".json").c_str());
  }
}

// Two trainings with dropout on two threads at once give the bits each gives alone: the chapters run
// several trainings at a time on the job engine's workers, and dropout's random numbers belong to each.
TEST(GptTraining, ConcurrentDropoutTrainingsGiveTheBitsOfSequentialOnes) {
  const auto data = ising::ExactSampler(chain(5, 1.5)).draw(600, 21);
  auto config = tiny(5);
  config.dropout = 0.2;
  auto o = quick_options(60);
  o.config.eval_every = 60;
  std::vector<std::vector<float>> alone, together(2);
  for (std::uint64_t s : {3, 4}) {
    o.config.seed = s;
    alone.push_back(gpt::train(config, o, data, {}).parameters_flat());
  }
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < 2; ++k)
    threads.emplace_back([&, k] {
      auto ok = o;
      ok.config.seed = 3 + k;
      together[k] = gpt::train(config, ok, data, {}).parameters_flat();
    });
  for (auto& t : threads) t.join();
  EXPECT_NE(alone[0], alone[1]);
  EXPECT_EQ(alone[0], together[0]);
  EXPECT_EQ(alone[1], together[1]);
}

// ---- the seed's flaw, made visible -------------------------------------------------------------------------------
TEST(GptSeedLiteral, LossFallsBelowTheEntropyButProbabilitiesDoNotSumToOne) {
  gpt::TrainResult result;
  const auto model = trained_model(&result, /*seed_literal=*/true);
  const ising::ExactChain exact(chain(6, 1.0));
  const auto e = gpt::enumerate_kl(model, exact);
  // an honest model cannot go below the entropy per spin; the flawed one copies its input
  EXPECT_LT(result.curve.back().val_nll, 0.1 * e.exact_entropy_per_spin);
  EXPECT_GT(e.total_probability, 2.0) << "the 'probabilities' of the literal model should not be normalised";
  EXPECT_THROW(model.sample(10, 1), lab::UsageError);
}

// ---- bad input ----------------------------------------------------------------------------------------------------
TEST(GptBadInput, ClearErrors) {
  EXPECT_THROW(Model::load(temp_path("does_not_exist.pt")), lab::UsageError);
  const auto junk = temp_path("junk.pt");
  std::ofstream(junk) << "not a checkpoint\n";
  try {
    Model::load(junk, "--model");
    FAIL() << "a malformed checkpoint loaded";
  } catch (const lab::UsageError& e) {
    EXPECT_EQ(e.parameter(), "--model");
  }
  std::remove(junk.c_str());

  const Model model(tiny(6), 1);
  EXPECT_THROW(model.log_probability(random_configs(5, 3, 1)), lab::UsageError);
  const auto data = random_configs(5, 100, 2);
  try {
    gpt::train(tiny(6), quick_options(5), data, {});
    FAIL() << "trained on data of the wrong L";
  } catch (const lab::UsageError& e) {
    EXPECT_EQ(e.parameter(), "--data");
  }
  auto o = quick_options(5);
  o.config.lr = std::nan("");
  EXPECT_THROW(gpt::train(tiny(5), o, data, {}), lab::UsageError);
  auto bad = tiny(6);
  bad.d_model = 30;  // not a multiple of 4 heads
  EXPECT_THROW(gpt::validate(bad), lab::UsageError);
  EXPECT_THROW(gpt::parse_bias_kind("circular"), lab::UsageError);
}

TEST(GptSchedule, OneCycleAndCosineShapes) {
  gpt::TrainConfig c;
  c.steps = 1000;
  c.lr = 1e-3;
  c.schedule = "onecycle";
  EXPECT_NEAR(gpt::learning_rate(c, 0), 1e-3 / 25, 1e-12);
  EXPECT_NEAR(gpt::learning_rate(c, 299), 1e-3, 1e-12);
  EXPECT_NEAR(gpt::learning_rate(c, 999), 1e-3 / 25 / 1e4, 1e-15);
  c.schedule = "cosine";
  c.warmup_steps = 100;
  c.min_lr_ratio = 0.1;
  EXPECT_NEAR(gpt::learning_rate(c, 0), 1e-5, 1e-15);
  EXPECT_NEAR(gpt::learning_rate(c, 100), 1e-3, 1e-12);
  EXPECT_NEAR(gpt::learning_rate(c, 1000), 1e-4, 1e-12);
  EXPECT_NEAR(gpt::learning_rate(c, 550), 0.55e-3, 1e-12);
}
