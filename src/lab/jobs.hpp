#pragma once
// The experiment engine: a chapter declares independent units of work (jobs: a kind, parameters and
// a seed) and a function per kind that turns one job into a JSON result plus files; the engine runs
// them on local worker threads or on every rank of an MPI run, caches each result under a content
// hash of everything that determines it, and hands the results back in job order for aggregation.
//
// Why this shape:
// - Seeds belong to jobs, never to workers, and results come back in job order, so the bytes of
//   every output do not depend on how many workers or ranks ran, or in which order they finished.
// - A finished job is a directory <cache>/<kind>/<key>/ that appears by one rename, holding a
//   manifest (lab/job_manifest.hpp: every file's size and checksum) written last, after every write
//   was checked; a directory whose manifest is missing or does not match its files is run again, with
//   one line saying which and why. A killed run leaves only <key>.partial directories (kept: a job
//   that checkpoints there resumes) and <key>.tmp.<pid> directories (results received over MPI, swept
//   on the next start), neither of which looks finished. Rerunning the same command keeps every
//   finished job and runs only the rest.
// - Two processes sharing a cache never run one job at once: a job runs under a lock (<key>.lock), and
//   a process that finds it held waits, says so, and then takes the job from the cache.
// - The key hashes the job (kind, parameters, seed), the profile and the hash of the sources that
//   compute its numbers (fixed at build time), so a changed parameter reruns only the jobs it
//   touches and a changed physics or model source reruns everything it could affect, while editing
//   a report, a figure script or the text reruns nothing.
// - Under MPI (started by mpirun) rank 0 runs the chapter and hands jobs out one at a time (jobs
//   differ in cost); other ranks only serve jobs. Results travel back to rank 0 over MPI, so no
//   shared file system is needed; inputs a job reads (e.g. another job's model) travel with it.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace spinformer::lab {

struct Job {
  std::string label;              // for progress lines: "T = 0.5, seed 3"
  nlohmann::json parameters;      // everything besides the seed and the code that determines the result
  std::uint64_t seed = 0;
  // Files the job reads that another job or phase produced; they are shipped with the job under MPI
  // and appear in the job's context under their file names. Their content is part of the key.
  std::vector<std::filesystem::path> inputs;
};

// What a running job sees.
class JobContext {
 public:
  JobContext(std::filesystem::path dir, std::map<std::string, std::filesystem::path> inputs,
             std::function<void(double)> report, bool resumed = false);
  // The job's own directory: write result files here (they are kept with the result). It survives a
  // killed run: a long job may checkpoint here and resume from the checkpoint when resumed() is true.
  // Files it wrote before the kill are still there; write them again (atomically) when resuming.
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path file(const std::string& name) const { return dir_ / name; }
  // The local path of input `name` (the file name of one of Job::inputs).
  std::filesystem::path input(const std::string& name) const;
  // The fraction of this job done, in [0, 1], for the time-left estimate (optional).
  void progress(double fraction) const { report_(fraction); }
  // True when an earlier run started this job in the same directory and was killed.
  bool resumed() const { return resumed_; }

 private:
  std::filesystem::path dir_;
  std::map<std::string, std::filesystem::path> inputs_;
  std::function<void(double)> report_;
  bool resumed_ = false;
};

// A finished job: its JSON result and the directory holding its files (inside the cache).
struct JobResult {
  nlohmann::json value;
  std::filesystem::path dir;
  bool cached = false;  // true when it was found finished rather than run now
  std::filesystem::path file(const std::string& name) const { return dir / name; }
};

using JobFunction = std::function<nlohmann::json(const Job&, const JobContext&)>;

struct EngineOptions {
  std::string program;        // "ch01"
  std::string profile;        // "quick" | "paper"
  std::filesystem::path cache;  // build/<profile>/jobs
  std::string code_hash;      // hash of the sources that compute the numbers (see source_hash.hpp)
  int workers = 1;            // local worker threads per process (per rank under MPI)
  bool progress = true;
};

// Upper bound on --workers and --threads: a few times the machine's cores (the request is an error
// above it, not that many threads).
int max_parallelism();
// Throws UsageError(parameter) unless 1 <= value <= max_parallelism().
int checked_parallelism(long value, const std::string& parameter);

class Engine {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Declares a kind of job. Every rank must declare the same kinds before run() or serve().
  void define(const std::string& kind, JobFunction function);

  // Rank 0 (and every single-process run): true. Other MPI ranks: false; they call serve().
  bool root() const;
  int ranks() const;
  // Runs jobs for other ranks until rank 0 finishes; returns the exit status for main.
  int serve();

  // Runs every job not yet in the cache and returns all results in job order. The first job that
  // throws stops the run (the others finish or are abandoned) and its exception is rethrown here.
  std::vector<JobResult> run(const std::string& kind, const std::vector<Job>& jobs);

  // The cache key of a job (hex), as run() computes it.
  std::string key(const std::string& kind, const Job& job) const;

  // Jobs run and found cached so far, for the chapter's log line.
  long jobs_run() const { return run_; }
  long jobs_cached() const { return cached_; }

  struct Transport;  // the MPI side, when there is one

 private:
  JobResult run_local_one(const std::string& kind, const Job& job, const std::string& key,
                          const std::function<void(double)>& report);
  EngineOptions options_;
  std::map<std::string, JobFunction> kinds_;
  std::unique_ptr<Transport> transport_;
  long run_ = 0, cached_ = 0;
};

// The result directory layout, shared with tests: <cache>/<kind>/<key>/{job.json,result.json,files}.
std::filesystem::path job_directory(const std::filesystem::path& cache, const std::string& kind,
                                    const std::string& key);

// The engine a chapter program uses: cache under <out>/../jobs/<program> (out's canonical form: any
// spelling of one folder gives one cache), progress on. Also removes the temporaries (<file>.tmp.<pid>)
// that killed processes left in out.
EngineOptions chapter_engine(const std::string& program, const std::string& profile, const std::filesystem::path& out,
                             int workers, const std::string& code_hash);

// Copies a finished job's files (all but job.json, result.json and manifest.json) into dir, for figures
// and readers.
void copy_job_files(const JobResult& result, const std::filesystem::path& dir);

// JSON has no NaN: results store non-finite numbers as null and read null back as NaN.
inline nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }
inline double number_or_nan(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : NAN; }

// Hex SHA-1 of a string and of a file's bytes (content hashes for keys; not for security).
std::string sha1_hex(const std::string& bytes);
std::string sha1_file(const std::filesystem::path& file);

}  // namespace spinformer::lab
