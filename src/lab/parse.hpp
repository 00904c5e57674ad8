#pragma once
// The one parsing policy for every number on the command line (issue 9), and the resource budget that
// upper bounds are derived from.
//
// Integers: decimal digits with an optional sign; no leading zeros ("010" is not read as octal or as
// 10), no "0x", no exponent, no spaces, not empty; out of [lo, hi] is an error, never a saturation.
// Seeds: decimal integers in [0, 2^64 - 1] under the same rules.
// Reals: optional sign, digits with an optional decimal point, optional exponent; no hex floats, no
// "nan"/"inf", not empty; overflow and underflow to zero are errors; then lo <= x <= hi.
// Every failure is a lab::UsageError naming the parameter.
#include <cstdint>
#include <string>

namespace spinformer::lab {

std::int64_t parse_integer(const std::string& parameter, const std::string& text, std::int64_t lo, std::int64_t hi);
std::uint64_t parse_seed(const std::string& parameter, const std::string& text);
double parse_real(const std::string& parameter, const std::string& text, double lo, double hi);

// Memory a command may plan to use: half of the physical memory (sysconf), at most 64 GiB, so that a
// configuration refused on one machine is refused on every smaller one and nothing can ask for 80 GB.
double memory_budget_bytes();
// UsageError(parameter) when bytes (an estimate; a double, so that products cannot overflow) exceed
// the budget; `what` says what needs the memory.
void require_memory(const std::string& parameter, double bytes, const std::string& what);

// Work a command may plan, so that no flag can start a run that would not end in a day: 1e12
// elementary steps (a Metropolis proposal costs N D of them), or 1e16 floating-point operations of a
// transformer (a day at 1e11 flop/s).
constexpr double kWorkBudget = 1e12;
constexpr double kFlopBudget = 1e16;
void require_work(const std::string& parameter, double steps, const std::string& what, double budget = kWorkBudget);

}  // namespace spinformer::lab
