// Tests of what lab::Chapter and the claims-from-measurements helpers promise: profiles as patches of
// one Config, one seed rule from a job's coordinates, dotted {{config.L}} keys in the text, claims
// built from named measurements with their criterion written from the same declaration, and the
// number-file reader shared by the glass and kinetic models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

#include "lab/chapter.hpp"
#include "lab/jobs.hpp"
#include "lab/measurements.hpp"
#include "lab/report.hpp"
#include "lab/seeds.hpp"
#include "lab/summaries.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

namespace lab = spinformer::lab;
using nlohmann::json;

TEST(ChapterProfiles, APatchOfTheDefaults) {
  const json defaults = {{"L", 32}, {"n", 50000}, {"temperatures", {0.5, 1.0}}};
  const lab::Profiles profiles{{"paper", json::object()}, {"quick", {{"n", 4000}, {"temperatures", {2.0}}}}};
  EXPECT_EQ(lab::profile_config(profiles, defaults, "paper"), defaults);
  const json quick = lab::profile_config(profiles, defaults, "quick");
  EXPECT_EQ(quick.at("n"), 4000);
  EXPECT_EQ(quick.at("L"), 32);
  EXPECT_EQ(quick.at("temperatures"), json({2.0}));
  EXPECT_THROW(lab::profile_config(profiles, defaults, "medium"), lab::UsageError);  // names --profile
  // A misspelt field in a profile is the chapter's bug, found at once rather than silently ignored.
  EXPECT_THROW(lab::profile_config({{"quick", {{"samples", 1}}}}, defaults, "quick"), std::logic_error);
  EXPECT_THROW(lab::profile_config({{"paper", json::object()}}, defaults, "quick"), std::logic_error);
}

namespace {
struct TinyConfig {
  int n = 2;
  std::uint64_t seed = 7;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TinyConfig, n, seed)

int run_tiny(lab::Chapter& ch, const std::string& out, const std::function<void(lab::Chapter&, const TinyConfig&)>& body,
             std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"ch_test", "--profile", "quick", "--out", out};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return ch.run<TinyConfig>(static_cast<int>(argv.size()), argv.data(), {{"paper", json::object()}, {"quick", json::object()}},
                            body);
}
}  // namespace

// A step that writes files (a trained model) gets the engine's job directory: the files are kept with the
// cached result and copied into the chapter's output, on the first run and again from the cache.
TEST(ChapterSteps, AJobsFilesLiveInItsDirectoryAndReachTheOutput) {
  const std::filesystem::path root = std::filesystem::path(testing::TempDir()) / "chapter_files";
  std::filesystem::remove_all(root);
  std::uint64_t seed_seen = 0;
  int calls = 0;
  for (int run = 0; run < 2; ++run) {
    lab::Chapter ch{"ch_test", "test chapter", "0123456789abcdef0123456789abcdef01234567", 1};
    ch.step("write", [&](const json&, std::uint64_t seed, const lab::JobContext& context) {
      ++calls;
      seed_seen = seed;
      std::ofstream(context.file("model.txt")) << "seed " << seed << "\n";
      return json{{"written", true}};
    });
    const int status = run_tiny(ch, (root / "out").string(), [](lab::Chapter& ch, const TinyConfig&) {
      const auto results = ch.run_jobs("write", {ch.job("write", "one", {{"i", 0}})});
      lab::copy_job_files(results.at(0), ch.path(""));
    });
    ASSERT_EQ(status, 0);
    std::ifstream in(root / "out" / "model.txt");
    std::string word, value;
    in >> word >> value;
    EXPECT_EQ(word, "seed");
    EXPECT_EQ(value, std::to_string(seed_seen));
    EXPECT_TRUE(std::filesystem::exists(root / "out" / "results.json"));
  }
  EXPECT_EQ(calls, 1);  // the second run read the job, and its file, from the cache
}

// A table's sidecar states lab::job_seed's rule only when the step's jobs ran with it: a chapter that sets
// its own seeds (to keep the seeds its committed data were made with) gets sidecars that say so.
TEST(ChapterSteps, SidecarsClaimTheSeedRuleOnlyWhenTheJobsFollowedIt) {
  const std::filesystem::path root = std::filesystem::path(testing::TempDir()) / "chapter_seed_rule";
  std::filesystem::remove_all(root);
  for (const bool own_seed : {false, true}) {
    lab::Chapter ch{"ch_test", "test chapter", "0123456789abcdef0123456789abcdef01234567", 1};
    ch.step("draw", [](const json&, std::uint64_t seed) { return json{{"seed", seed}}; });
    const std::string out = (root / (own_seed ? "own" : "rule")).string();
    ASSERT_EQ(run_tiny(ch, out,
                       [&](lab::Chapter& ch, const TinyConfig&) {
                         lab::Job job = ch.job("draw", "one", {{"i", 0}});
                         if (own_seed) job.seed = 12345;
                         ch.run_jobs("draw", {job});
                         lab::Table table{{"x"}, {}};
                         table.add({1.0});
                         ch.table("draws.tsv", table, "draw");
                       }),
              0);
    std::ifstream in(out + "/draws.tsv.json");
    const json sidecar = json::parse(in);
    const std::string text = sidecar.dump();
    const bool names_rule = text.find(spinformer::lab::kJobSeedRule) != std::string::npos;
    EXPECT_EQ(names_rule, !own_seed) << text;
    EXPECT_EQ(text.find("12345") != std::string::npos, own_seed);  // the seed that ran is listed
  }
}

// Bad input found once --out exists (a chapter's own option naming a missing file) leaves no folder behind.
TEST(ChapterSteps, ARefusedRunRemovesTheOutFolderItMade) {
  const std::filesystem::path root = std::filesystem::path(testing::TempDir()) / "chapter_refused";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  lab::Chapter ch{"ch_test", "test chapter", "0123456789abcdef0123456789abcdef01234567", 1};
  std::string input;
  ch.option("--input", input, "a file the chapter reads");
  const int status = run_tiny(
      ch, (root / "out").string(),
      [&](lab::Chapter&, const TinyConfig&) {
        if (!std::filesystem::exists(input)) throw lab::UsageError("--input", input + ": no such file");
      },
      {"--input", (root / "missing.txt").string()});
  EXPECT_EQ(status, 2);
  EXPECT_FALSE(std::filesystem::exists(root / "out"));
}

// A chapter run ends with its verdicts, one line each, and says where its output and job cache are
// (issue 35: a chapter program printed no verdicts at the end).
TEST(ChapterSummary, OneLinePerClaimAfterTheCounts) {
  const json claims = {{"claims",
                        {{{"id", "1.1"}, {"claim", "the model recovers p_T"}, {"verdict", "reproduced"}},
                         {{"id", "1.2"}, {"claim", std::string(100, 'x')}, {"verdict", "not reproduced"}},
                         {{"id", "1.3"}, {"claim", "controls"}, {"verdict", "reproduced"}}}}};
  const std::string text = lab::verdict_summary("ch01", claims, "out/ch01", "out/jobs/ch01");
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "[ch01] done, 3 claims: 2 reproduced, 1 not reproduced; output in out/ch01, job cache in out/jobs/ch01");
  EXPECT_NE(text.find("[ch01]   1.1   reproduced      the model recovers p_T\n"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string(69, 'x') + "...\n"), std::string::npos) << text;  // long claims shortened
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
  EXPECT_EQ(lab::verdict_summary("ch09", json::object(), "o", "j"), "[ch09] done, no claims; output in o, job cache in j\n");
}

TEST(ChapterSummary, PrintedAtTheEndOfARun) {
  const std::filesystem::path root = std::filesystem::path(testing::TempDir()) / "chapter_summary";
  std::filesystem::remove_all(root);
  lab::Chapter ch{"ch_test", "test chapter", "0123456789abcdef0123456789abcdef01234567", 1};
  testing::internal::CaptureStderr();
  const int status = run_tiny(ch, (root / "out").string(), [](lab::Chapter& ch, const TinyConfig&) {
    std::ofstream(ch.path("claims.json")) << R"({"claims": [{"id": "9.1", "claim": "c", "verdict": "partly"}]})";
  });
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(status, 0);
  EXPECT_NE(out.find("[ch_test] done, 1 claim: 1 partly; output in "), std::string::npos) << out;
  EXPECT_NE(out.find((root / "jobs" / "ch_test").string()), std::string::npos) << out;
  EXPECT_NE(out.find("[ch_test]   9.1   partly          c\n"), std::string::npos) << out;
}

TEST(JobSeeds, OneRuleFromTheCoordinates) {
  // Reproducible, and distinct across steps, coordinates and their order, where the hand-made
  // "seed + 1000 t + 3 + 10 r" collided (t = 0, r = 100 and t = 1, r = 0 gave the same seed).
  EXPECT_EQ(lab::job_seed(7, "samplers", {1, 2}), lab::job_seed(7, "samplers", {1, 2}));
  std::set<std::uint64_t> seeds;
  for (const char* step : {"samplers", "equilibration"})
    for (std::uint64_t t = 0; t < 20; ++t)
      for (std::uint64_t r = 0; r < 120; ++r) seeds.insert(lab::job_seed(20261125, step, {t, r}));
  EXPECT_EQ(seeds.size(), 2u * 20 * 120);
  EXPECT_NE(lab::job_seed(1, "a", {1, 2}), lab::job_seed(1, "a", {2, 1}));
  EXPECT_NE(lab::job_seed(1, "a", {}), lab::job_seed(2, "a", {}));
  EXPECT_NE(lab::job_seed(1, "a", {0}), lab::job_seed(1, "a", {}));
}

TEST(FillTemplate, DottedKeysReadTheConfig) {
  const json values = {{"config", {{"L", 32}, {"train", {{"lr", 0.001}}}}}, {"xi_T0.5", "1.23"}};
  EXPECT_EQ(lab::fill_template("L = {{config.L}}, lr = {{config.train.lr}}", values), "L = 32, lr = 0.001");
  EXPECT_EQ(lab::fill_template("{{xi_T0.5}}", values), "1.23");  // a key with a dot is read as it is
  EXPECT_THROW(lab::fill_template("{{config.M}}", values), lab::UsageError);
  EXPECT_THROW(lab::fill_template("{{config.L.x}}", values), lab::UsageError);
  EXPECT_THROW(lab::fill_template("{{xi_T0.5.1}}", values), lab::UsageError);
}

TEST(MeasurementClaims, ConditionsIntervalsAndCriterionFromOneDeclaration) {
  lab::MeasurementGrid grid;
  grid.statistic("tau", "tau_int of the energy (samples)").statistic("ratio", "xi / formula");
  grid.replicates("T = 0.5", "tau", {1.1, 1.2, 1.3, 1.2});
  grid.replicates("T = 2", "tau", {3.0, 3.1, 2.9, 3.0});
  grid.exact("T = 0.5", "ratio", 1.0);
  grid.exact("T = 2", "ratio", 1.5);
  EXPECT_EQ(grid.labels(), (std::vector<std::string>{"T = 0.5", "T = 2"}));

  lab::Claim tau{"9.1", "source", "decorrelated", "a sheet"};
  lab::judge(tau, grid, {{"tau", lab::below(2)}}, "samples 10 sweeps apart");
  ASSERT_EQ(tau.conditions().size(), 2u);
  const double level = lab::bonferroni_level(2);
  const lab::Interval expected = lab::t_interval({1.1, 1.2, 1.3, 1.2}, level);
  EXPECT_DOUBLE_EQ(tau.conditions()[0].upper, expected.upper);
  EXPECT_EQ(tau.conditions()[0].statistic, "tau_int of the energy (samples)");
  EXPECT_EQ(tau.conditions()[1].label, "T = 2");
  EXPECT_EQ(tau.verdict(), "partly");  // supported at T = 0.5, refuted at T = 2
  const std::string criterion = tau.to_json().at("criterion");
  EXPECT_NE(criterion.find("T = 0.5; T = 2"), std::string::npos) << criterion;
  EXPECT_NE(criterion.find("tau_int of the energy (samples) below 2"), std::string::npos) << criterion;
  EXPECT_NE(criterion.find("samples 10 sweeps apart"), std::string::npos) << criterion;
  EXPECT_NE(criterion.find("Student-t intervals over 4 independent replicates"), std::string::npos) << criterion;
  EXPECT_NE(criterion.find("Bonferroni over 2 conditions"), std::string::npos) << criterion;

  // Exact numbers: point intervals, no Bonferroni.
  lab::Claim ratio{"9.2", "source", "xi", "a sheet"};
  lab::judge(ratio, grid, {{"ratio", lab::within(0.9, 1.1)}});
  EXPECT_EQ(ratio.conditions()[1].lower, 1.5);
  EXPECT_EQ(ratio.conditions()[1].upper, 1.5);
  EXPECT_EQ(ratio.verdict(), "partly");
  EXPECT_EQ(ratio.to_json().at("criterion").get<std::string>().find("Bonferroni"), std::string::npos);
  EXPECT_THROW(grid.replicates("T = 1", "undeclared", {1, 2}), std::logic_error);
}

TEST(MeasurementClaims, EstimatesGetNormalIntervals) {
  lab::MeasurementGrid grid;
  grid.statistic("x", "x");
  grid.estimate("a", "x", {1.0, 0.1});
  lab::Claim c{"9.3", "validation", "x near 1", "here"};
  lab::judge(c, grid, {{"x", lab::within(0.5, 1.5)}});
  const lab::Interval expected = lab::normal_interval({1.0, 0.1}, lab::bonferroni_level(1));
  EXPECT_DOUBLE_EQ(c.conditions()[0].lower, expected.lower);
  EXPECT_EQ(c.verdict(), "reproduced");
}

TEST(Summaries, MeanPlusMinusAndBinomialError) {
  EXPECT_DOUBLE_EQ(lab::mean_of({1, 2, 3, 6}), 3.0);
  EXPECT_TRUE(std::isnan(lab::mean_of({})));
  EXPECT_EQ(lab::pm({0.12345, 0.00123}, "{:.4f}"), "0.1235 ± 0.0012");
  EXPECT_DOUBLE_EQ(lab::binomial_frequency_error(0.25, 100), std::sqrt(0.25 * 0.75 / 100));
  EXPECT_DOUBLE_EQ(lab::binomial_frequency_error(0.0, 100), std::sqrt(0.01 / 100));  // one count's error
}

TEST(NumberRows, ReadsAndRejects) {
  const std::string path = testing::TempDir() + "/numbers.txt";
  auto write = [&](const std::string& text) { std::ofstream(path) << text; };
  write("# couplings\n1 2.5\n\n-3 4e-1\n");
  const auto rows = lab::read_number_rows(path, "--couplings", true);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (std::vector<double>{-3, 0.4}));
  write("1 2\n3\n");
  EXPECT_EQ(lab::read_number_rows(path, "--fields", false).size(), 2u);  // ragged rows allowed
  EXPECT_THROW(lab::read_number_rows(path, "--couplings", true), lab::UsageError);
  write("1 nan\n");
  EXPECT_THROW(lab::read_number_rows(path, "--couplings", false), lab::UsageError);
  write("1 2x\n");
  EXPECT_THROW(lab::read_number_rows(path, "--couplings", false), lab::UsageError);
  write("# nothing\n");
  EXPECT_THROW(lab::read_number_rows(path, "--couplings", false), lab::UsageError);
  EXPECT_THROW(lab::read_number_rows(path + ".missing", "--couplings", false), lab::UsageError);
  std::remove(path.c_str());
}
