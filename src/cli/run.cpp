// The `spinformer` command: parse, run, map failures to the exit status (see commands.hpp).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "lab/atomic_file.hpp"
#include "lab/usage_error.hpp"

namespace {

// A write to stdout that failed (a full disk, a closed pipe) is an error, not a success: flush what
// is buffered and look at the stream's error state.
bool stdout_ok() {
  errno = 0;  // std::cout shares stdout's buffer: its flush is the write that fails and sets errno
  std::cout.flush();
  const bool flushed = std::fflush(stdout) == 0;
  return flushed && !std::ferror(stdout) && static_cast<bool>(std::cout);
}

int finish(int status) {
  if (!stdout_ok()) {
    const int error = errno;
    std::clearerr(stdout);
    fmt::print(stderr, "spinformer: error: stdout: write failed: {}\n", std::strerror(error ? error : EIO));
    return 2;
  }
  return status;
}

// CLI11 checks for a missing subcommand before it looks at the arguments it could not place, so
// `spinformer --frobnicate` (or `spinformer ising --frobnicate`) would say only "A subcommand is
// required": name the first unplaced argument of the deepest command reached instead.
std::string parse_error_text(CLI::App& app, const CLI::ParseError& e) {
  CLI::App* deepest = &app;
  std::string where = "spinformer";
  for (auto selected = deepest->get_subcommands(); !selected.empty(); selected = deepest->get_subcommands()) {
    deepest = selected.front();
    where += " " + deepest->get_name();
  }
  const auto rest = deepest->remaining();
  const bool subcommand_missing = dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
                                  deepest->get_require_subcommand_min() > 0;
  if (!subcommand_missing || rest.empty()) return e.what();
  const std::string& word = rest.front();
  return fmt::format("{}: {} of {}; {} needs a subcommand (see --help)", word,
                     word.rfind("-", 0) == 0 ? "unknown flag" : "unknown command", where, where);
}

}  // namespace

namespace spinformer::cli {

int run(int argc, char** argv) {
  spinformer::lab::install_signal_cleanup();
  CLI::App app{"spinformer: the statistical physics of transformers, reproducibly"};
  app.require_subcommand(1);
  spinformer::cli::add_ising_commands(app);
  spinformer::cli::add_report_commands(app);
  spinformer::cli::add_gpt_commands(app);
  spinformer::cli::add_glass_commands(app);
  spinformer::cli::add_sk_commands(app);
  spinformer::cli::add_runs_commands(app);
  spinformer::cli::add_ising2d_commands(app);
  spinformer::cli::add_sgd_commands(app);
  spinformer::cli::add_kinetic_commands(app);
  spinformer::cli::add_glass_kinetic_command(*app.get_subcommand("glass"));
  spinformer::cli::add_criteria_commands(*app.get_subcommand("report"));
  spinformer::cli::apply_number_policy(app);  // last: it covers every command registered above
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return finish(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return finish(app.exit(e));
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "spinformer: error: {}\n", parse_error_text(app, e));
    return 2;
  } catch (const spinformer::lab::UsageError& e) {
    fmt::print(stderr, "spinformer: error: {}\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "spinformer: failed: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));  // one line, never a backtrace
    fmt::print(stderr, "spinformer: failed: {}\n", what);
    return 1;
  }
  return finish(0);
}

}  // namespace spinformer::cli
