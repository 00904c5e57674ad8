// The job engine: results in job order whatever the number of workers, finished jobs kept and reused,
// a changed parameter reruns only its job, a failed job leaves nothing that looks finished, stale
// temporary directories are swept, and MPI messages survive a round trip.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <unistd.h>

#include "lab/jobs.hpp"
#include "lab/jobs_transport.hpp"
#include "lab/parallel.hpp"
#include "lab/usage_error.hpp"

namespace fs = std::filesystem;
using namespace spinformer::lab;

namespace {

struct Scratch {
  fs::path dir;
  Scratch() {
    char tmpl[] = "/tmp/spinformer-jobs-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~Scratch() { fs::remove_all(dir); }
};

EngineOptions options(const fs::path& cache, int workers) {
  EngineOptions o;
  o.program = "test";
  o.profile = "quick";
  o.cache = cache;
  o.code_hash = "code-v1";
  o.workers = workers;
  o.progress = false;
  return o;
}

// A job whose result depends on its seed and parameters only: a few random draws and a file.
nlohmann::json draw(const Job& job, const JobContext& ctx) {
  std::mt19937_64 rng(job.seed);
  const int n = job.parameters.at("n").get<int>();
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += std::generate_canonical<double, 53>(rng);
  std::ofstream(ctx.file("sum.txt")) << sum << "\n";
  return {{"sum", sum}, {"n", n}};
}

std::vector<Job> jobs(int count) {
  std::vector<Job> out;
  for (int k = 0; k < count; ++k) out.push_back({"job " + std::to_string(k), {{"n", 100 + k}}, 1000u + k, {}});
  return out;
}

}  // namespace

TEST(JobEngine, ResultsInJobOrderWhateverTheWorkers) {
  Scratch a, b;
  Engine one(options(a.dir, 1)), four(options(b.dir, 4));
  one.define("draw", draw);
  four.define("draw", draw);
  const auto r1 = one.run("draw", jobs(12)), r4 = four.run("draw", jobs(12));
  ASSERT_EQ(r1.size(), 12u);
  for (std::size_t k = 0; k < r1.size(); ++k) {
    EXPECT_EQ(r1[k].value, r4[k].value) << k;
    EXPECT_EQ(r1[k].value["n"], 100 + static_cast<int>(k));
    EXPECT_EQ(r1[k].dir.filename(), r4[k].dir.filename());  // same key on both
  }
}

TEST(JobEngine, FinishedJobsAreReusedAndAChangedParameterRerunsOnlyItsJob) {
  Scratch s;
  std::atomic<int> calls{0};
  auto counted = [&](const Job& job, const JobContext& ctx) {
    ++calls;
    return draw(job, ctx);
  };
  {
    Engine e(options(s.dir, 2));
    e.define("draw", counted);
    e.run("draw", jobs(5));
  }
  EXPECT_EQ(calls, 5);
  auto changed = jobs(5);
  changed[3].parameters["n"] = 7;
  Engine e(options(s.dir, 2));
  e.define("draw", counted);
  const auto r = e.run("draw", changed);
  EXPECT_EQ(calls, 6);
  EXPECT_EQ(e.jobs_cached(), 4);
  EXPECT_TRUE(r[0].cached);
  EXPECT_FALSE(r[3].cached);
  EXPECT_EQ(r[3].value["n"], 7);
}

TEST(JobEngine, TheCodeHashAndTheSeedArePartOfTheKey) {
  Scratch s;
  Engine v1(options(s.dir, 1));
  auto o2 = options(s.dir, 1);
  o2.code_hash = "code-v2";
  Engine v2(o2);
  const Job job{"x", {{"n", 3}}, 1, {}};
  Job other_seed = job;
  other_seed.seed = 2;
  EXPECT_NE(v1.key("draw", job), v2.key("draw", job));
  EXPECT_NE(v1.key("draw", job), v1.key("draw", other_seed));
  EXPECT_NE(v1.key("draw", job), v1.key("other", job));
  EXPECT_EQ(v1.key("draw", job), Engine(options(s.dir, 3)).key("draw", job));  // not the workers
}

TEST(JobEngine, AFailedJobLeavesNothingThatLooksFinishedAndIsRethrown) {
  Scratch s;
  Engine e(options(s.dir, 2));
  e.define("draw", [](const Job& job, const JobContext& ctx) -> nlohmann::json {
    if (job.seed == 1002) {
      std::ofstream(ctx.file("partial.txt")) << "half";
      throw std::runtime_error("diverged");
    }
    return draw(job, ctx);
  });
  EXPECT_THROW(e.run("draw", jobs(4)), std::runtime_error);
  const auto bad = job_directory(s.dir, "draw", e.key("draw", jobs(4)[2]));
  EXPECT_FALSE(fs::exists(bad));
  fs::path partial = bad;
  partial += ".partial";
  EXPECT_TRUE(fs::exists(partial / "partial.txt"));  // kept for a resume, but not finished
  EXPECT_FALSE(fs::exists(partial / "result.json"));
}

TEST(JobEngine, AKilledJobResumesInItsOwnDirectory) {
  Scratch s;
  bool first = true;
  auto checkpointing = [&](const Job& job, const JobContext& ctx) -> nlohmann::json {
    if (first) {  // the first attempt writes a checkpoint and dies
      first = false;
      std::ofstream(ctx.file("checkpoint")) << 41;
      throw std::runtime_error("killed");
    }
    int step = 0;
    std::ifstream(ctx.file("checkpoint")) >> step;
    return {{"resumed", ctx.resumed()}, {"step", step + 1}, {"seed", job.seed}};
  };
  Engine e(options(s.dir, 1));
  e.define("train", checkpointing);
  EXPECT_THROW(e.run("train", jobs(1)), std::runtime_error);
  const auto r = e.run("train", jobs(1));
  EXPECT_EQ(r[0].value["resumed"], true);
  EXPECT_EQ(r[0].value["step"], 42);
  fs::path partial = r[0].dir;
  partial += ".partial";
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_FALSE(fs::exists(r[0].dir / ".lock"));
}

TEST(JobEngine, StaleTemporaryDirectoriesOfDeadProcessesAreSwept) {
  Scratch s;
  Engine e(options(s.dir, 1));
  e.define("draw", draw);
  const auto key = e.key("draw", jobs(1)[0]);
  // A killed run's unfinished job: pid 2^22 + 1 is above Linux's pid_max default, so never alive.
  const fs::path stale = s.dir / "draw" / (key + ".tmp.4194305.0");
  fs::create_directories(stale);
  std::ofstream(stale / "result.json") << "{}";  // even a result inside does not make it finished
  const auto r = e.run("draw", jobs(1));
  EXPECT_FALSE(r[0].cached);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(r[0].file("sum.txt")));
}

TEST(JobEngine, InputsArePartOfTheKey) {
  Scratch s;
  Engine e(options(s.dir, 1));
  const fs::path in = s.dir / "model.bin";
  std::ofstream(in) << "weights v1";
  Job job{"x", {{"n", 1}}, 1, {in}};
  const auto k1 = e.key("draw", job);
  std::ofstream(in) << "weights v2";
  EXPECT_NE(k1, e.key("draw", job));
}

TEST(JobEngine, ParallelismIsBounded) {
  EXPECT_THROW(checked_parallelism(100000, "--threads"), UsageError);
  EXPECT_THROW(checked_parallelism(0, "--workers"), UsageError);
  EXPECT_EQ(checked_parallelism(1, "--workers"), 1);
}

TEST(JobEngine, MessagesRoundTrip) {
  const JobFiles files = {{"a.tsv", "1\t2\n"}, {"model.pt", std::string("\0\1\2\xff", 4)}, {"empty", ""}};
  const auto [header, back] = unpack_message(pack_message({{"index", 7}, {"kind", "run"}}, files));
  EXPECT_EQ(header["index"], 7);
  EXPECT_EQ(back, files);
  EXPECT_THROW(unpack_message("00000000000000ff{}"), std::runtime_error);
}

TEST(ParallelFor, EveryIndexOnceAndTheFirstFailureRethrown) {
  std::vector<int> hits(1000, 0);
  spinformer::lab::parallel_for(1000, 4, [&](long i) { hits[i] += 1; });
  for (int h : hits) EXPECT_EQ(h, 1);
  EXPECT_THROW(spinformer::lab::parallel_for(100, 3,
                                             [](long i) {
                                               if (i == 17) throw std::runtime_error("chain 17 diverged");
                                             }),
               std::runtime_error);
}
