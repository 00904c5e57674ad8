#include "lab/convergence.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace spinformer::lab {

namespace {

Convergence checked(Convergence c) {
  if (!std::isfinite(c.value) || !std::isfinite(c.lower) || !std::isfinite(c.upper) || c.lower > c.upper)
    throw std::invalid_argument("convergence check: numbers must be finite and lower <= upper");
  return c;
}

const char* check_name(ConvergenceCheck k) {
  return k == ConvergenceCheck::doubling ? "doubling" : k == ConvergenceCheck::plateau ? "plateau" : "rhat";
}

}  // namespace

Convergence doubling_check(const Interval& at_1x, double at_2x) {
  return checked({ConvergenceCheck::doubling, at_2x, at_1x.lower, at_1x.upper});
}

Convergence plateau_check(const Interval& third_quarter_mean, double last_quarter_mean) {
  return checked({ConvergenceCheck::plateau, last_quarter_mean, third_quarter_mean.lower, third_quarter_mean.upper});
}

Convergence rhat_check(double rhat, double bound) {
  if (!(bound > 1)) throw std::invalid_argument("rhat_check: the bound must exceed 1");
  return checked({ConvergenceCheck::rhat, rhat, 0, bound});
}

bool converged(const Convergence& c) {
  if (c.check == ConvergenceCheck::rhat) return c.value < c.upper;
  return c.lower <= c.value && c.value <= c.upper;
}

std::string describe(const Convergence& c) {
  switch (c.check) {
    case ConvergenceCheck::doubling:
      return fmt::format("value at 2x the run {:.3g} {} [{:.3g}, {:.3g}] of the value at 1x", c.value,
                         converged(c) ? "inside" : "outside", c.lower, c.upper);
    case ConvergenceCheck::plateau:
      return fmt::format("last-quarter mean {:.3g} {} [{:.3g}, {:.3g}] of the third-quarter mean", c.value,
                         converged(c) ? "inside" : "outside", c.lower, c.upper);
    case ConvergenceCheck::rhat:
      return fmt::format("R-hat {:.3g} {} {:.3g}", c.value, converged(c) ? "below" : "not below", c.upper);
  }
  return "";
}

nlohmann::json to_json(const Convergence& c) {
  if (c.check == ConvergenceCheck::rhat) return {{"check", "rhat"}, {"value", c.value}, {"bound", c.upper}};
  return {{"check", check_name(c.check)}, {"value", c.value}, {"lower", c.lower}, {"upper", c.upper}};
}

Convergence convergence_from_json(const nlohmann::json& j) {
  auto number = [&](const char* field) {
    if (!j.contains(field) || !j[field].is_number())
      throw std::invalid_argument(fmt::format("convergence check without a number '{}'", field));
    return j[field].get<double>();
  };
  if (!j.is_object() || !j.contains("check") || !j["check"].is_string())
    throw std::invalid_argument("convergence check without a 'check' string");
  const std::string check = j["check"];
  if (check == "rhat") return rhat_check(number("value"), number("bound"));
  if (check == "doubling") return doubling_check({0, number("lower"), number("upper")}, number("value"));
  if (check == "plateau") return plateau_check({0, number("lower"), number("upper")}, number("value"));
  throw std::invalid_argument(fmt::format("convergence check '{}' is not doubling, plateau or rhat", check));
}

}  // namespace spinformer::lab
