#pragma once
// A chapter program is its Config, its profiles (as data), a few named steps and its claims; lab::Chapter
// runs the rest: the command line (--profile, --out, --workers, --threads, --code-hash), the job engine
// (worker threads or MPI ranks, the job cache), the output folder, a JSON sidecar beside every table,
// gnuplot's plot_vars.gp, claims.json, and results.json written last (its presence marks a finished run).
//
//   lab::Chapter ch{"ch00", "Chapter 0: the Ising chain, exactly", SPINFORMER_CODE_HASH};
//   ch.step("samplers", samplers_job);              // json samplers_job(const json& parameters, uint64 seed)
//   return ch.run<Config>(argc, argv, {{"paper", {}}, {"quick", {{"n", 4000}}}}, [](lab::Chapter& ch, const Config& cfg) {
//     const auto jobs = ...ch.job("samplers", "T = 0.5", {{"t", 0}})...;
//     const auto results = ch.run_jobs("samplers", jobs);
//     ch.table("observables.tsv", table, "samplers");
//     ch.claims(claims);  ch.results()["xi"] = ...;  ch.plot_var("L", cfg.L);
//   });
//
// Config is declared once (NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE beside it) and goes, whole, into
// results.json under "config" (the text says {{config.L}}), into every sidecar and into every job's
// parameters: a job body reads its Config from its parameters, so the job's cache key holds by
// construction everything the job reads. A profile is a JSON patch of the Config's defaults; a key the
// Config does not have is an error. A job's seed is lab::job_seed(config.seed, step, coordinates)
// (lab/seeds.hpp), and the sidecars of a step's tables list that rule and every job's seed.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lab/jobs.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"
#include "lab/verdict.hpp"

namespace spinformer::lab {

struct ChapterOptions;  // lab/chapter_cli.hpp

// Profile name -> JSON patch of the Config's defaults ({} for "the defaults").
using Profiles = std::map<std::string, nlohmann::json>;

// A job's place in the design: named indices in order, e.g. {{"t", 2}, {"replicate", 3}}.
using Coordinates = std::vector<std::pair<std::string, std::uint64_t>>;

// A job's body: its result from its parameters ({"config": ..., and its coordinates}) and its seed.
using StepFunction = std::function<nlohmann::json(const nlohmann::json& parameters, std::uint64_t seed)>;
// A job that writes files (a trained model), checkpoints to resume when killed, or reports its progress:
// the same, with the engine's JobContext (its own directory, kept with the result: lab::copy_job_files
// copies a finished job's files into the chapter's output; resumed(); progress()).
using FileStepFunction =
    std::function<nlohmann::json(const nlohmann::json& parameters, std::uint64_t seed, const JobContext& context)>;

class Chapter {
 public:
  // program: "ch00" (error messages, the job cache); about: the --help line; code_hash: SPINFORMER_CODE_HASH.
  Chapter(std::string program, std::string about, std::string code_hash, int default_workers = 2);
  ~Chapter();
  Chapter(const Chapter&) = delete;
  Chapter& operator=(const Chapter&) = delete;

  // Declares a kind of job (before run).
  void step(const std::string& name, StepFunction body);
  void step(const std::string& name, FileStepFunction body);
  // Declares a chapter's own command-line option (before run), e.g. chapter 2's --models (the folder of
  // another chapter's output it reads): parsed with the common options, into value.
  void option(const std::string& flag, std::string& value, const std::string& help);
  // Runs in every process once the command line is read, before any job or the body: MPI ranks that
  // only serve jobs run no chapter code otherwise (e.g. LibTorch's thread count from --threads).
  void on_start(std::function<void(const Chapter&)> setup);

  // Parses the command line, builds the profile's Config, runs body, then writes plot_vars.gp and
  // results.json. Returns main's exit status (2 with one line on stderr for bad input).
  template <class Config>
  int run(int argc, char** argv, const Profiles& profiles, const std::function<void(Chapter&, const Config&)>& body) {
    return run_json(argc, argv, profiles, nlohmann::json(Config{}),
                    [&](const nlohmann::json& config) { body(*this, config.get<Config>()); });
  }

  // ---- inside the body -------------------------------------------------------------------------------
  const std::string& profile() const { return profile_; }
  const nlohmann::json& config() const { return config_; }
  int threads_or(int fallback) const;      // --threads, else fallback
  int workers_or(int fallback) const;      // --workers, else fallback (the chapter's default)
  std::string path(const std::string& file) const;  // <out>/<file>

  // A job of `step` at `at`: parameters {"config": the Config, and each coordinate}, seed
  // lab::job_seed(config.seed, step, indices).
  Job job(const std::string& step, std::string label, const Coordinates& at) const;
  // Runs (or reads from the cache) a step's jobs; results in job order.
  std::vector<JobResult> run_jobs(const std::string& step, const std::vector<Job>& jobs);

  // Writes a table and its sidecar together. The sidecar holds the program, the Config, `parameters`
  // (which slice of the design the table holds, e.g. {"T": 0.5}), and, when a step's jobs made it, the
  // seed rule and the seeds of that step's jobs whose coordinates match `at` (all of them for {}).
  void table(const std::string& file, const Table& table, const std::string& step = "", const Coordinates& at = {},
             const nlohmann::json& parameters = nlohmann::json::object());

  // Writes claims.json (validated) and puts the claims section into the results as "claims_table".
  void claims(const Claims& claims);
  // Values the chapter text quotes ({{key}}); written last with "config" and "profile" added.
  nlohmann::json& results() { return results_; }
  // A variable for the figure scripts (plot_vars.gp): strings are quoted, numbers written as {:g}.
  void plot_var(const std::string& name, const nlohmann::json& value);

 private:
  int run_json(int argc, char** argv, const Profiles& profiles, const nlohmann::json& defaults,
               const std::function<void(const nlohmann::json&)>& body);
  void run_body(const ChapterOptions& options, const Profiles& profiles, const nlohmann::json& defaults,
                const std::function<void(const nlohmann::json&)>& body);

  std::string program_, about_, code_hash_, profile_, out_, cache_;
  int default_workers_;
  long workers_ = -1, threads_ = -1;
  std::map<std::string, FileStepFunction> steps_;
  struct Option {
    std::string flag, help;
    std::string* value;
  };
  std::vector<Option> options_;
  std::function<void(const Chapter&)> setup_;
  std::map<std::string, std::vector<Job>> jobs_run_;  // per step, for the sidecars' seeds
  // The rule's seed of every job made by job(), by step and parameters: a step whose jobs run with other
  // seeds (a chapter keeping the seeds its committed data were made with) is named in own_seed_steps_,
  // and its sidecars do not claim the rule.
  mutable std::map<std::string, std::uint64_t> rule_seeds_;
  std::set<std::string> own_seed_steps_;
  std::unique_ptr<Engine> engine_;
  nlohmann::json config_, results_ = nlohmann::json::object();
  std::vector<std::pair<std::string, nlohmann::json>> plot_vars_;
  RunMetadata meta_;
};

// The closing summary of a chapter run (on stderr, after the progress lines): one line with the verdict counts and where the output and the
// job cache are, then one line per claim of claims.json ("  0.1  reproduced      <claim>"), so that a
// reader sees the verdicts without opening a file. Empty claims give the first line alone.
std::string verdict_summary(const std::string& program, const nlohmann::json& claims, const std::string& out,
                            const std::string& cache);

// The Config a profile gives: the defaults with the profile's patch applied. UsageError("--profile")
// for a name other than quick or paper; std::logic_error (a chapter's bug) for a profile the chapter
// does not define or a patch key the Config does not have.
nlohmann::json profile_config(const Profiles& profiles, const nlohmann::json& defaults, const std::string& name);

}  // namespace spinformer::lab
