#include "lab/parse.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <unistd.h>

#include "lab/usage_error.hpp"

namespace spinformer::lab {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Quoted for the message, cut short so that a hostile argument cannot flood the terminal.
std::string shown(const std::string& text) {
  std::string s = text.size() > 40 ? text.substr(0, 40) + "..." : text;
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  return "'" + s + "'";
}

// Digits after an optional sign, without leading zeros; returns the position of the first digit.
std::size_t check_decimal_integer(const std::string& parameter, const std::string& text, bool allow_sign) {
  std::size_t i = 0;
  if (allow_sign && !text.empty() && (text[0] == '-' || text[0] == '+')) i = 1;
  const bool digits = i < text.size() && std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i), text.end(), is_digit);
  if (!digits) throw UsageError(parameter, fmt::format("must be a decimal integer, got {}", shown(text)));
  if (text[i] == '0' && text.size() > i + 1)
    throw UsageError(parameter, fmt::format("must be a decimal integer without leading zeros, got {}", shown(text)));
  return i;
}

// The magnitude, or nothing above 2^64 - 1.
bool magnitude(const std::string& text, std::size_t first, std::uint64_t& value) {
  value = 0;
  for (std::size_t k = first; k < text.size(); ++k) {
    const std::uint64_t d = static_cast<std::uint64_t>(text[k] - '0');
    if (value > (UINT64_MAX - d) / 10) return false;
    value = value * 10 + d;
  }
  return true;
}

}  // namespace

std::int64_t parse_integer(const std::string& parameter, const std::string& text, std::int64_t lo, std::int64_t hi) {
  const std::size_t first = check_decimal_integer(parameter, text, true);
  const bool negative = text[0] == '-';
  std::uint64_t m = 0;
  const auto out_of_range = [&] {
    return UsageError(parameter, fmt::format("must be in [{}, {}], got {}", lo, hi, shown(text)));
  };
  if (!magnitude(text, first, m)) throw out_of_range();
  std::int64_t value = 0;
  if (negative) {
    if (m > static_cast<std::uint64_t>(INT64_MAX) + 1) throw out_of_range();
    value = m == static_cast<std::uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<std::int64_t>(m);
  } else {
    if (m > static_cast<std::uint64_t>(INT64_MAX)) throw out_of_range();
    value = static_cast<std::int64_t>(m);
  }
  if (value < lo || value > hi) throw out_of_range();
  return value;
}

std::uint64_t parse_seed(const std::string& parameter, const std::string& text) {
  const std::size_t first = check_decimal_integer(parameter, text, false);
  std::uint64_t value = 0;
  if (!magnitude(text, first, value))
    throw UsageError(parameter, fmt::format("must be in [0, 18446744073709551615], got {}", shown(text)));
  return value;
}

double parse_real(const std::string& parameter, const std::string& text, double lo, double hi) {
  // sign? digits* (. digits*)? ([eE] sign? digits+)?, with at least one mantissa digit
  std::size_t i = 0, mantissa_digits = 0;
  bool nonzero_mantissa = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  for (; i < text.size() && is_digit(text[i]); ++i, ++mantissa_digits) nonzero_mantissa |= text[i] != '0';
  if (i < text.size() && text[i] == '.')
    for (++i; i < text.size() && is_digit(text[i]); ++i, ++mantissa_digits) nonzero_mantissa |= text[i] != '0';
  bool ok = mantissa_digits > 0;
  if (ok && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    const std::size_t exponent_start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    ok = i > exponent_start;
  }
  if (!ok || i != text.size()) throw UsageError(parameter, fmt::format("must be a decimal number, got {}", shown(text)));
  errno = 0;
  const double value = std::strtod(text.c_str(), nullptr);
  if (!std::isfinite(value) || (nonzero_mantissa && (value == 0 || !std::isnormal(value))))
    throw UsageError(parameter, fmt::format("must be in [{}, {}], got {} (beyond double precision)", lo, hi, shown(text)));
  if (value < lo || value > hi) throw UsageError(parameter, fmt::format("must be in [{}, {}], got {}", lo, hi, shown(text)));
  return value;
}

double memory_budget_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  const double physical = pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 8.0 * (1 << 30);
  return std::min(0.5 * physical, 64.0 * (1 << 30));
}

void require_memory(const std::string& parameter, double bytes, const std::string& what) {
  const double budget = memory_budget_bytes();
  if (!(bytes <= budget))
    throw UsageError(parameter, fmt::format("{} would need about {:.3g} GB, more than the budget of {:.3g} GB "
                                            "(half the physical memory, at most 64 GiB)",
                                            what, bytes / 1e9, budget / 1e9));
}

void require_work(const std::string& parameter, double steps, const std::string& what, double budget) {
  if (!(steps <= budget))
    throw UsageError(parameter, fmt::format("{} would take {:.3g} operations, more than the budget of {:.0e} (a day "
                                            "or more)", what, steps, budget));
}

}  // namespace spinformer::lab
