#pragma once
// Each subcommand group of the `spinformer` command registers itself here.
#include <CLI/CLI.hpp>

namespace spinformer::cli {

void add_ising_commands(CLI::App& app);   // spinformer ising exact|sample
void add_report_commands(CLI::App& app);  // spinformer report fill|claims

}  // namespace spinformer::cli
