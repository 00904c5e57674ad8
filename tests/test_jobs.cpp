// The job engine: results in job order whatever the number of workers, finished jobs kept and reused,
// a changed parameter reruns only its job, a failed job leaves nothing that looks finished, stale
// temporary directories are swept, and MPI messages survive a round trip. A cached job is trusted only
// when its manifest matches its files (issue 29): an edited, truncated or emptied result, a deleted
// file, a file added by hand or a cache from before manifests is run again; every write is checked;
// two engines sharing a cache wait for each other instead of failing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#include "lab/job_manifest.hpp"
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

// ---- the manifest and checked writes (issue 29) ---------------------------------------------------

namespace {

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs jobs(3) once (fresh), lets `spoil` damage the first job's cached directory, runs again and
// returns the second run's results, its stderr and how many jobs the second run computed.
struct Rerun {
  std::vector<JobResult> first, second;
  std::string log;
  int computed = 0;
};
template <class Spoil>
Rerun rerun_after(const fs::path& cache, Spoil spoil) {
  Rerun r;
  std::atomic<int> calls{0};
  auto counted = [&](const Job& job, const JobContext& ctx) {
    ++calls;
    return draw(job, ctx);
  };
  {
    Engine e(options(cache, 1));
    e.define("draw", counted);
    r.first = e.run("draw", jobs(3));
  }
  spoil(r.first[0].dir);
  calls = 0;
  Engine e(options(cache, 1));
  e.define("draw", counted);
  ::testing::internal::CaptureStderr();
  r.second = e.run("draw", jobs(3));
  r.log = ::testing::internal::GetCapturedStderr();
  r.computed = calls;
  return r;
}

}  // namespace

TEST(JobManifest, AFinishedJobListsEveryFileWithItsSizeAndChecksum) {
  Scratch s;
  Engine e(options(s.dir, 1));
  e.define("draw", draw);
  const auto r = e.run("draw", jobs(1));
  const auto manifest = nlohmann::json::parse(slurp(r[0].dir / "manifest.json"));
  std::vector<std::string> names;
  for (const auto& f : manifest["files"]) {
    names.push_back(f["name"]);
    EXPECT_EQ(f["size"].get<std::uintmax_t>(), fs::file_size(r[0].dir / names.back()));
    EXPECT_EQ(f["sha1"], sha1_hex(slurp(r[0].dir / names.back())));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"job.json", "result.json", "sum.txt"}));
  EXPECT_TRUE(check_job_manifest(r[0].dir).ok());
  // nothing of the engine's own bookkeeping is left beside or inside the job
  for (const auto& entry : fs::directory_iterator(r[0].dir.parent_path()))
    EXPECT_EQ(entry.path(), r[0].dir) << "left behind: " << entry.path();
  // and the manifest is no job file: copy_job_files leaves it out
  copy_job_files(r[0], s.dir / "out");
  EXPECT_TRUE(fs::exists(s.dir / "out" / "sum.txt"));
  EXPECT_FALSE(fs::exists(s.dir / "out" / "manifest.json"));
}

TEST(JobManifest, AResultEditedByHandIsRunAgainAndSaysWhichAndWhy) {
  Scratch s;
  const auto r = rerun_after(s.dir, [](const fs::path& dir) {
    auto value = nlohmann::json::parse(slurp(dir / "result.json"));
    value["sum"] = value["sum"].get<double>() * 50;
    std::ofstream(dir / "result.json") << value.dump(2) << "\n";
  });
  EXPECT_EQ(r.computed, 1);
  EXPECT_FALSE(r.second[0].cached);
  EXPECT_TRUE(r.second[1].cached);
  EXPECT_EQ(r.second[0].value, r.first[0].value);  // the right number, not 50 times it
  EXPECT_EQ(slurp(r.second[0].dir / "result.json").size(), fs::file_size(r.first[0].dir / "result.json"));
  // one line naming the job (its key and label) and the reason
  EXPECT_EQ(std::count(r.log.begin(), r.log.end(), '\n'), 1) << r.log;
  EXPECT_NE(r.log.find(r.first[0].dir.filename().string().substr(0, 12)), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("job 0"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("result.json"), std::string::npos) << r.log;
}

TEST(JobManifest, ATruncatedOrEmptiedResultIsRunAgain) {
  for (const std::string spoiled : {"", "{}", "{\"sum\": 0."}) {
    Scratch s;
    const auto r = rerun_after(s.dir, [&](const fs::path& dir) { std::ofstream(dir / "result.json") << spoiled; });
    EXPECT_EQ(r.computed, 1) << "'" << spoiled << "'";
    EXPECT_EQ(r.second[0].value, r.first[0].value);
    EXPECT_NE(r.log.find("not trusted"), std::string::npos) << r.log;
  }
}

TEST(JobManifest, ADeletedOrAddedFileIsRunAgain) {
  for (const std::string file : {"sum.txt", "job.json", "result.json"}) {
    Scratch s;
    const auto r = rerun_after(s.dir, [&](const fs::path& dir) { fs::remove(dir / file); });
    EXPECT_EQ(r.computed, 1) << file;
    EXPECT_TRUE(fs::exists(r.second[0].file(file))) << file;
    EXPECT_NE(r.log.find(file + " is missing"), std::string::npos) << r.log;
  }
  Scratch s;
  const auto r = rerun_after(s.dir, [](const fs::path& dir) { std::ofstream(dir / "stale_T0.25.tsv") << "1\n"; });
  EXPECT_EQ(r.computed, 1);
  EXPECT_FALSE(fs::exists(r.second[0].file("stale_T0.25.tsv")));
  EXPECT_NE(r.log.find("stale_T0.25.tsv is not in the manifest"), std::string::npos) << r.log;
}

TEST(JobManifest, ACacheFromBeforeManifestsIsRunAgainWithOneLine) {
  Scratch s;
  Rerun r;
  std::atomic<int> calls{0};
  {
    Engine e(options(s.dir, 1));
    e.define("draw", draw);
    r.first = e.run("draw", jobs(3));
  }
  for (const auto& job : r.first) fs::remove(job.dir / "manifest.json");
  Engine e(options(s.dir, 2));
  e.define("draw", [&](const Job& job, const JobContext& ctx) {
    ++calls;
    return draw(job, ctx);
  });
  ::testing::internal::CaptureStderr();
  const auto second = e.run("draw", jobs(3));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  EXPECT_NE(log.find("3 cached job(s) were written without a manifest"), std::string::npos) << log;
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(second[k].value, r.first[k].value);
    EXPECT_TRUE(check_job_manifest(second[k].dir).ok());
  }
}

TEST(JobManifest, ResultsReceivedFromAnotherRankGetTheSameManifest) {
  Scratch local, remote;
  Engine e(options(local.dir, 1));
  e.define("draw", draw);
  const auto r = e.run("draw", jobs(1));
  // what rank 0 does with a result shipped back over MPI: the job's files travel as bytes
  const auto job_json = nlohmann::json::parse(slurp(r[0].dir / "job.json"));
  const fs::path dir = publish_job(remote.dir, "draw", r[0].dir.filename().string(), job_json, r[0].value,
                                   {{"sum.txt", slurp(r[0].file("sum.txt"))}}, {});
  EXPECT_EQ(slurp(dir / "manifest.json"), slurp(r[0].dir / "manifest.json"));
  EXPECT_TRUE(check_job_manifest(dir).ok());
}

TEST(CheckedWrites, AFullDiskIsAnErrorNamingTheFileAndTheReason) {
  try {
    write_file_checked("/dev/full", "a result");
    FAIL() << "a write to a full device succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/full"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos) << e.what();
  }
  Scratch s;
  EXPECT_THROW(write_file_checked(s.dir / "no-such-folder" / "x", "x"), std::runtime_error);
  EXPECT_THROW(rename_checked(s.dir / "absent", s.dir / "b"), std::runtime_error);
  write_file_checked(s.dir / "x", std::string(100000, 'x'));
  EXPECT_EQ(fs::file_size(s.dir / "x"), 100000u);
}

TEST(CheckedWrites, AJobWhoseResultCannotBeSavedFailsAndLeavesNothingFinished) {
  Scratch s;
  Engine e(options(s.dir, 1));
  // the job's result.json cannot be written (a directory stands in its way): an error, not a cache
  // entry with an empty result
  e.define("draw", [](const Job& job, const JobContext& ctx) {
    fs::create_directories(ctx.file("result.json.part") / "x");
    return draw(job, ctx);
  });
  EXPECT_THROW(e.run("draw", jobs(1)), std::runtime_error);
  EXPECT_FALSE(fs::exists(job_directory(s.dir, "draw", e.key("draw", jobs(1)[0]))));
}

TEST(JobLocking, TwoEnginesSharingACacheWaitForEachOtherAndRunEachJobOnce) {
  Scratch s;
  std::atomic<int> calls{0};
  std::atomic<bool> first_started{false};
  auto slow = [&](const Job& job, const JobContext& ctx) {
    ++calls;
    first_started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // still running when the second engine asks
    return draw(job, ctx);
  };
  std::vector<JobResult> a, b;
  std::exception_ptr error_a, error_b;
  std::thread first([&] {
    try {
      Engine e(options(s.dir, 1));
      e.define("draw", slow);
      a = e.run("draw", jobs(1));
    } catch (...) {
      error_a = std::current_exception();
    }
  });
  while (!first_started) std::this_thread::yield();
  ::testing::internal::CaptureStderr();
  try {
    Engine e(options(s.dir, 1));
    e.define("draw", slow);
    b = e.run("draw", jobs(1));
  } catch (...) {
    error_b = std::current_exception();
  }
  first.join();
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(error_a);
  ASSERT_FALSE(error_b) << "the second engine failed instead of waiting";
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(a[0].value, b[0].value);
  EXPECT_TRUE(b[0].cached);
  EXPECT_NE(log.find("waiting for it"), std::string::npos) << log;
}

TEST(ChapterEngine, TheCacheDoesNotDependOnHowTheOutputFolderIsSpelled) {
  Scratch s;
  fs::create_directories(s.dir / "w" / "ch00");
  const auto plain = chapter_engine("ch00", "quick", s.dir / "w" / "ch00", 1, "h").cache;
  EXPECT_EQ(plain, s.dir / "w" / "jobs" / "ch00");
  for (const fs::path& spelled : {s.dir / "w" / "ch00" / ".", s.dir / "w" / "ch00" / "", s.dir / "w" / "ch00" / "x" / "..",
                                 s.dir / "w" / "." / "ch00" / "."})
    EXPECT_EQ(chapter_engine("ch00", "quick", spelled, 1, "h").cache, plain) << spelled;
}

TEST(ChapterEngine, TemporariesOfKilledRunsAreSweptFromTheOutputFolder) {
  Scratch s;
  const fs::path out = s.dir / "ch00";
  fs::create_directories(out);
  const std::string mine = ".tmp." + std::to_string(::getpid());
  for (const std::string& name : std::vector<std::string>{"results.json.tmp.4194305", "observables.tsv.tmp.4194305",
                                                         "results.json" + mine, "observables.tsv"})
    std::ofstream(out / name) << "x";
  chapter_engine("ch00", "quick", out, 1, "h");
  EXPECT_FALSE(fs::exists(out / "results.json.tmp.4194305"));
  EXPECT_FALSE(fs::exists(out / "observables.tsv.tmp.4194305"));
  EXPECT_TRUE(fs::exists(out / ("results.json" + mine)));  // a live process's temporary stays
  EXPECT_TRUE(fs::exists(out / "observables.tsv"));
  // an MPI rank killed midway left its scratch directory
  fs::create_directories(s.dir / "spinformer-rank1-4194305" / "job");
  fs::create_directories(s.dir / ("spinformer-rank2-" + std::to_string(::getpid())));
  sweep_dead_rank_scratch(s.dir);
  EXPECT_FALSE(fs::exists(s.dir / "spinformer-rank1-4194305"));
  EXPECT_TRUE(fs::exists(s.dir / ("spinformer-rank2-" + std::to_string(::getpid()))));
}
