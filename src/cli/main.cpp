// spinformer: every computation of the paper, rerunnable by hand.
// Exit status: 0 success, 2 bad input (one line naming the parameter), 1 any other failure.
#include <cstdio>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "lab/atomic_file.hpp"
#include "lab/usage_error.hpp"

int main(int argc, char** argv) {
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "spinformer: error: {}\n", e.what());
    return 2;
  } catch (const spinformer::lab::UsageError& e) {
    fmt::print(stderr, "spinformer: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "spinformer: failed: {}\n", e.what());
    return 1;
  }
  return 0;
}
