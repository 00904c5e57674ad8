#include "lab/usage_error.hpp"

#include <cmath>
#include <fmt/format.h>

namespace spinformer::lab {

void require_finite(const std::string& parameter, double x) {
  if (!std::isfinite(x)) throw UsageError(parameter, fmt::format("must be a finite number, got {}", x));
}

void require_range(const std::string& parameter, double x, double lo, double hi) {
  require_finite(parameter, x);
  if (x < lo || x > hi) throw UsageError(parameter, fmt::format("must lie in [{}, {}], got {}", lo, hi, x));
}

void require_positive(const std::string& parameter, double x) {
  require_finite(parameter, x);
  if (!(x > 0)) throw UsageError(parameter, fmt::format("must be > 0, got {}", x));
}

}  // namespace spinformer::lab
