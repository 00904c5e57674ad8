#pragma once
// The command line every chapter program shares: --profile, --out, --workers, --threads, --code-hash.
// Header-only so that lab itself does not link CLI11.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "lab/jobs.hpp"
#include "lab/parse.hpp"
#include "lab/report.hpp"  // quick_profile
#include "lab/usage_error.hpp"

namespace spinformer::lab {

struct ChapterOptions {
  std::string profile = "paper";
  std::string out;
  long workers = -1;  // -1: the profile's default (not a value the command line can give)
  long threads = -1;

  // Throws UsageError naming the flag: --profile not quick or paper, --out missing, not a directory or
  // not creatable, --workers or --threads outside [1, max_parallelism()]. Creates --out (and its
  // parents) when it does not exist, after every other check, as a reader following a chapter's
  // "Rerun it" expects; the job cache lives beside it, in <out>/../jobs.
  void check() const {
    if (out.empty()) throw UsageError("--out", "required");
    quick_profile(profile);  // UsageError("--profile") unless quick or paper: before --out is created
    std::error_code ec;
    const auto status = std::filesystem::status(out, ec);
    if (std::filesystem::exists(status) && !std::filesystem::is_directory(status))
      throw UsageError("--out", "'" + out + "' is not a directory");
    if (workers != -1) checked_parallelism(workers, "--workers");
    if (threads != -1) checked_parallelism(threads, "--threads");
    if (!std::filesystem::exists(status) && !std::filesystem::create_directories(out, ec))
      throw UsageError("--out", "cannot create '" + out + "'" + (ec ? ": " + ec.message() : std::string()));
  }
  int workers_or(int fallback) const { return workers == -1 ? fallback : static_cast<int>(workers); }
  int threads_or(int fallback) const { return threads == -1 ? fallback : static_cast<int>(threads); }
};

// code_hash: SPINFORMER_CODE_HASH from the chapter's generated code_hash.hpp; --code-hash prints it.
// --workers and --threads are read by lab/parse.hpp's one policy, as `spinformer` reads its numbers:
// decimal digits only ("0x2", "010", "+2", " 2" and "-1" are errors naming the flag, exit 2).
inline void add_chapter_options(CLI::App& app, ChapterOptions& o, const char* code_hash) {
  app.add_option("--profile", o.profile, "quick | paper")->capture_default_str();
  app.add_option("--out", o.out, "output directory (job results are cached in <out>/../jobs)");
  auto parallelism = [](long& value, const char* name) {
    return [&value, name](const std::string& text) {
      // the range as checked_parallelism words it; the syntax as every command's
      if (text.empty() || text[0] == '+' || text[0] == '-')
        throw UsageError(name, "must be a decimal integer of at least 1, got '" + text + "'");
      value = checked_parallelism(static_cast<long>(parse_integer(name, text, 0, INT32_MAX)), name);
    };
  };
  app.add_option_function<std::string>("--workers", parallelism(o.workers, "--workers"),
                                       "jobs run at a time in this process (per rank under mpirun)")
      ->type_name("INT");
  app.add_option_function<std::string>("--threads", parallelism(o.threads, "--threads"), "threads per job")
      ->type_name("INT");
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
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return 2;
  }
}

}  // namespace spinformer::lab
