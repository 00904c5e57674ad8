#pragma once
// Numeric flags of every command, read by lab/parse.hpp's one policy (CLI11's own conversion reads
// "010" as octal, "0x10" as hex, "" as 0, and saturates out-of-range seeds). Each helper registers a
// flag that takes one text argument and converts it at parse time, so a bad value fails before any
// work with a UsageError naming the flag.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstring>
#include <functional>
#include <fmt/format.h>
#include <string>

#include "lab/parse.hpp"
#include "lab/usage_error.hpp"

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

// The safety net: every numeric option of app and its subcommands, however it was registered (a plain
// add_option bound to an int or a double, by any command group), gets the policy's syntax as a
// validator, which runs on the text before CLI11 converts it: decimal integers that fit in 64 bits,
// decimal finite reals, seeds in [0, 2^64 - 1]. Ranges stay with each command. Call once, after every
// command is registered.
inline void apply_number_policy(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    // the type name is "INT", "UINT" or "FLOAT", followed by ":..." when validators describe themselves
    const std::string type = opt->get_type_name(), name = opt->get_name();
    const auto is = [&type](const char* kind) { return type.rfind(kind, 0) == 0 && (type.size() == std::strlen(kind) || type[std::strlen(kind)] == ':'); };
    std::function<void(const std::string&)> check;
    if (is("INT")) check = [name](const std::string& s) { lab::parse_integer(name, s, INT64_MIN, INT64_MAX); };
    else if (is("UINT")) check = [name](const std::string& s) { lab::parse_seed(name, s); };
    else if (is("FLOAT")) check = [name](const std::string& s) { lab::parse_real(name, s, -1.7e308, 1.7e308); };
    else continue;
    opt->check(CLI::Validator(
        [check](std::string& text) -> std::string {
          try {
            check(text);
          } catch (const lab::UsageError& e) {
            const std::string what = e.what();
            return what.substr(what.find(": ") + 2);
          }
          return {};
        },
        "", "decimal number"));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) apply_number_policy(*sub);
}

}  // namespace spinformer::cli
