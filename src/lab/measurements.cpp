#include "lab/measurements.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>
#include <stdexcept>

#include "lab/report.hpp"

namespace spinformer::lab {

Interval Measurement::interval(double level) const {
  switch (kind) {
    case Kind::replicates: return t_interval(values, level);
    case Kind::estimate: return normal_interval(estimate, level);
    case Kind::exact: break;
  }
  return {estimate.value, estimate.value, estimate.value};
}

MeasurementGrid& MeasurementGrid::statistic(const std::string& name, const std::string& description) {
  descriptions_[name] = description;
  return *this;
}

void MeasurementGrid::put(const std::string& label, const std::string& name, Measurement m) {
  if (!descriptions_.count(name)) throw std::logic_error(fmt::format("statistic '{}' not declared", name));
  if (std::find(labels_.begin(), labels_.end(), label) == labels_.end()) labels_.push_back(label);
  values_[{label, name}] = std::move(m);
}

void MeasurementGrid::replicates(const std::string& label, const std::string& name, std::vector<double> values) {
  Measurement m;
  m.kind = Measurement::Kind::replicates;
  m.values = std::move(values);
  put(label, name, std::move(m));
}

void MeasurementGrid::estimate(const std::string& label, const std::string& name, const Estimate& estimate) {
  put(label, name, {Measurement::Kind::estimate, {}, estimate});
}

void MeasurementGrid::exact(const std::string& label, const std::string& name, double value) {
  put(label, name, {Measurement::Kind::exact, {}, {value, 0}});
}

const Measurement& MeasurementGrid::at(const std::string& label, const std::string& name) const {
  return values_.at({label, name});
}

const std::string& MeasurementGrid::description(const std::string& name) const { return descriptions_.at(name); }

std::string Expectation::text() const {
  switch (direction) {
    case Direction::above: return fmt::format("above {:g}", threshold);
    case Direction::below: return fmt::format("below {:g}", threshold);
    case Direction::within: break;
  }
  return fmt::format("within [{:g}, {:g}]", threshold, threshold_high);
}

Expectation above(double threshold) { return {Direction::above, threshold, 0}; }
Expectation below(double threshold) { return {Direction::below, threshold, 0}; }
Expectation within(double low, double high) { return {Direction::within, low, high}; }

namespace {

std::string method_text(const Measurement& m) {
  switch (m.kind) {
    case Measurement::Kind::replicates:
      return fmt::format("Student-t intervals over {} independent replicates", m.values.size());
    case Measurement::Kind::estimate: return "normal intervals from standard errors";
    case Measurement::Kind::exact: break;
  }
  return "exact numbers, so each interval is a point";
}

}  // namespace

Claim& judge(Claim& claim, const MeasurementGrid& grid, const std::vector<Test>& tests, const std::string& how) {
  const std::size_t k = grid.labels().size() * tests.size();
  bool all_exact = true;
  std::vector<std::string> methods;
  for (const auto& label : grid.labels())
    for (const auto& test : tests) {
      const Measurement& m = grid.at(label, test.statistic);
      all_exact = all_exact && m.kind == Measurement::Kind::exact;
      const std::string method = method_text(m);
      if (std::find(methods.begin(), methods.end(), method) == methods.end()) methods.push_back(method);
    }
  const double level = all_exact ? 1.0 : claim.simultaneous(k);
  for (const auto& label : grid.labels())
    for (const auto& test : tests)
      claim.condition(label, grid.description(test.statistic), grid.at(label, test.statistic).interval(level),
                      test.expected.direction, test.expected.threshold, test.expected.threshold_high);
  std::vector<std::string> expected;
  for (const auto& test : tests) expected.push_back(grid.description(test.statistic) + " " + test.expected.text());
  std::string criterion = fmt::format("at every point ({}): {}", fmt::join(grid.labels(), "; "),
                                      fmt::join(expected, "; "));
  if (!how.empty()) criterion += "; " + how;
  criterion += "; " + fmt::format("{}", fmt::join(methods, ", "));
  if (!all_exact) criterion += fmt::format(", each at level {:.4f} (Bonferroni over {} conditions, family alpha {:g})",
                                           level, k, kFamilyAlpha);
  claim.criterion(criterion);
  return claim;
}

std::string pm(const Estimate& e, const std::string& spec) {
  return fmt::format(fmt::runtime(spec + " ± " + spec), e.value, e.error);
}

}  // namespace spinformer::lab
