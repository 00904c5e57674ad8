#pragma once
// A bad input from the user: one line naming the parameter, exit status 2.
#include <stdexcept>
#include <string>

namespace spinformer::lab {

class UsageError : public std::runtime_error {
 public:
  UsageError(const std::string& parameter, const std::string& problem)
      : std::runtime_error(parameter + ": " + problem), parameter_(parameter) {}
  const std::string& parameter() const { return parameter_; }

 private:
  std::string parameter_;
};

// Throws UsageError unless x is finite and lo <= x <= hi (either bound may be +-inf).
void require_finite(const std::string& parameter, double x);
void require_range(const std::string& parameter, double x, double lo, double hi);
void require_positive(const std::string& parameter, double x);

}  // namespace spinformer::lab
