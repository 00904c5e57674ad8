#pragma once
// Convergence checks for numbers presented as limits (a trained model's KL, an SGD plateau, an
// equilibrium average). A condition of a claim may carry one; when the check fails the condition is
// undecided, whatever its interval says, because an unconverged number is a budget, not a limit.
//   doubling: the same run continued to twice its length; the value at 2x must lie inside the
//             interval of the value at 1x.
//   plateau:  the mean over the last quarter of a run must lie inside the interval of the mean over
//             its third quarter (a curve still falling fails).
//   rhat:     Gelman-Rubin R-hat from dispersed starts, on an observable that sees the valley a chain
//             is in (an overlap, not the energy alone), must lie below a bound.
#include <nlohmann/json.hpp>
#include <string>

#include "lab/intervals.hpp"

namespace spinformer::lab {

enum class ConvergenceCheck { doubling, plateau, rhat };

struct Convergence {
  ConvergenceCheck check = ConvergenceCheck::doubling;
  double value = 0;             // the value at 2x, the last-quarter mean, or R-hat
  double lower = 0, upper = 0;  // doubling / plateau: the interval the value must lie in; rhat: upper = bound
};

// Builders; numbers must be finite and the interval ordered (std::invalid_argument otherwise).
Convergence doubling_check(const Interval& at_1x, double at_2x);
Convergence plateau_check(const Interval& third_quarter_mean, double last_quarter_mean);
Convergence rhat_check(double rhat, double bound = 1.1);

bool converged(const Convergence& c);

// "value at 2x 0.5 outside [0.6, 0.7] of the value at 1x" and the like: what failed, in words.
std::string describe(const Convergence& c);

// {"check": "doubling" | "plateau", "value", "lower", "upper"} or {"check": "rhat", "value", "bound"}.
nlohmann::json to_json(const Convergence& c);
// The inverse; throws std::invalid_argument on a malformed object.
Convergence convergence_from_json(const nlohmann::json& j);

}  // namespace spinformer::lab
