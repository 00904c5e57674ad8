#pragma once
// Numeric flags of every command, read by lab/parse.hpp's one policy (CLI11's own conversion reads
// "010" as octal, "0x10" as hex, "" as 0, and saturates out-of-range seeds). Each helper registers a
// flag that takes one text argument and converts it at parse time, so a bad value fails before any
// work with a UsageError naming the flag.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <fmt/format.h>
#include <string>

#include "lab/parse.hpp"

namespace spinformer::cli {

// Threads a command may start (LibTorch, worker pools): far above any core count this code sees, far
// below what exhausts the process table.
constexpr std::int64_t kMaxThreads = 256;

template <class Int>
CLI::Option* add_integer(CLI::App& cmd, const std::string& name, Int& value, std::int64_t lo, std::int64_t hi,
                         const std::string& help) {
  auto* opt = cmd.add_option_function<std::string>(
      name, [&value, name, lo, hi](const std::string& text) { value = static_cast<Int>(lab::parse_integer(name, text, lo, hi)); },
      fmt::format("{} (integer in [{}, {}])", help, lo, hi));
  opt->type_name("INT")->default_str(fmt::format("{}", value));
  return opt;
}

inline CLI::Option* add_real(CLI::App& cmd, const std::string& name, double& value, double lo, double hi,
                             const std::string& help) {
  auto* opt = cmd.add_option_function<std::string>(
      name, [&value, name, lo, hi](const std::string& text) { value = lab::parse_real(name, text, lo, hi); },
      fmt::format("{} (in [{}, {}])", help, lo, hi));
  opt->type_name("FLOAT")->default_str(fmt::format("{}", value));
  return opt;
}

inline CLI::Option* add_seed(CLI::App& cmd, const std::string& name, std::uint64_t& value, const std::string& help) {
  auto* opt = cmd.add_option_function<std::string>(
      name, [&value, name](const std::string& text) { value = lab::parse_seed(name, text); },
      fmt::format("{} (integer in [0, 2^64 - 1])", help));
  opt->type_name("UINT")->default_str(fmt::format("{}", value));
  return opt;
}

inline CLI::Option* add_threads(CLI::App& cmd, int& value, const std::string& help) {
  return add_integer(cmd, "--threads", value, 0, kMaxThreads, help);
}

}  // namespace spinformer::cli
