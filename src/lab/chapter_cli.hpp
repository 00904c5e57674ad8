#pragma once
// The command line every chapter program shares: --profile, --out, --workers, --threads, --code-hash.
// Header-only so that lab itself does not link CLI11.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lab/jobs.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::lab {

struct ChapterOptions {
  std::string profile = "paper";
  std::string out;
  long workers = -1;  // -1: the profile's default
  long threads = -1;

  // Throws UsageError naming the flag: --out missing, --workers or --threads outside [1, max_parallelism()].
  void check() const {
    if (out.empty()) throw UsageError("--out", "required");
    if (workers != -1) checked_parallelism(workers, "--workers");
    if (threads != -1) checked_parallelism(threads, "--threads");
  }
  int workers_or(int fallback) const { return workers == -1 ? fallback : static_cast<int>(workers); }
  int threads_or(int fallback) const { return threads == -1 ? fallback : static_cast<int>(threads); }
};

// code_hash: SPINFORMER_CODE_HASH from the chapter's generated code_hash.hpp; --code-hash prints it.
inline void add_chapter_options(CLI::App& app, ChapterOptions& o, const char* code_hash) {
  app.add_option("--profile", o.profile, "quick | paper")->capture_default_str();
  app.add_option("--out", o.out, "output directory (job results are cached in <out>/../jobs)");
  app.add_option("--workers", o.workers, "jobs run at a time in this process (per rank under mpirun)");
  app.add_option("--threads", o.threads, "threads per job");
  app.add_flag_callback(
      "--code-hash", [code_hash] { std::puts(code_hash); std::exit(0); },
      "print the hash of the sources that compute this chapter's numbers, and exit");
}

// Parses the command line: -1 to go on, else the exit status (0 after --help; 2 with one line on
// stderr naming the problem, for an unknown flag or a malformed value).
inline int parse_chapter_args(CLI::App& app, int argc, char** argv, const char* program) {
  try {
    app.parse(argc, argv);
    return -1;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return 2;
  }
}

}  // namespace spinformer::lab
