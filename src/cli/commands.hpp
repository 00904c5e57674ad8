#pragma once
// Each subcommand group of the `spinformer` command registers itself here.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace spinformer::cli {

// The whole command: parses argv, runs the subcommand, prints one line on failure. Returns the exit
// status: 0 success, 2 bad input (one line naming the parameter), 1 any other failure.
int run(int argc, char** argv);

void add_ising_commands(CLI::App& app);   // spinformer ising exact|sample
void add_report_commands(CLI::App& app);  // spinformer report fill|claims
void add_gpt_commands(CLI::App& app);     // spinformer gpt train|sample|logprob|attention
void add_glass_commands(CLI::App& app);   // spinformer glass mcmc|nmf|tap|overlaps
void add_sk_commands(CLI::App& app);      // spinformer sk rs|at-line
void add_runs_commands(CLI::App& app);    // spinformer runs compare|replicate
void add_ising2d_commands(CLI::App& app); // spinformer ising2d exact|sample|tau
void add_sgd_commands(CLI::App& app);     // spinformer sgd quadratic|chain|double-well
void add_kinetic_commands(CLI::App& app); // spinformer kinetic simulate|enumerate|nmf|tap|gaussian|pairwise|compare
// spinformer glass overlaps (replicas); called by add_glass_commands on the `glass` subcommand.
void add_glass_overlaps_command(CLI::App& glass);
// spinformer ising2d table-baseline; add_ising2d_commands calls it on the `ising2d` subcommand.
void add_ising2d_baseline_command(CLI::App& ising2d);
// spinformer glass kinetic (the vector kinetic model); main() calls it on the `glass` subcommand.
void add_glass_kinetic_command(CLI::App& glass);
// spinformer report criteria write|check and report gate; run() calls it on the `report` subcommand.
void add_criteria_commands(CLI::App& report);

// The JSON in a file; a file that is missing, unreadable or not JSON (a syntax error, or a number beyond a
// double such as 1e400) is a UsageError naming the parameter and the file.
nlohmann::json read_json(const std::string& path, const std::string& parameter);

}  // namespace spinformer::cli
