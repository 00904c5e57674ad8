#pragma once
// Claims from named measurements. A chapter records what it measured in a grid: per point of its design
// ("T = 0.5") and per named statistic, either independent replicates (seeds), an estimate with its
// standard error, or an exact number. A claim is then (grid, statistic, expectation) tests: one
// condition per point and test, intervals simultaneous over all of them (Bonferroni), and the criterion
// text written from the same declaration, so the words cannot drift from what is judged.
//
//   lab::MeasurementGrid g;
//   g.statistic("tau_e", "tau_int of the energy (samples)");
//   g.replicates("T = 0.5", "tau_e", taus);                       // one value per seed
//   lab::Claim c{"0.2", "source", "10-20 sweeps between samples decorrelate them", "000_...txt"};
//   lab::judge(c, g, {{"tau_e", lab::below(2)}}, "in samples 10 sweeps apart");
//
// Built on lab::Claim's public API (lab/verdict.hpp); the verdict rule itself lives there.
#include <map>
#include <string>
#include <vector>

#include "lab/intervals.hpp"
#include "lab/statistics.hpp"
#include "lab/verdict.hpp"

namespace spinformer::lab {

// One measured value and how its interval is made.
struct Measurement {
  enum class Kind { replicates, estimate, exact };
  Kind kind = Kind::exact;
  std::vector<double> values;  // replicates: one per independent seed
  Estimate estimate;           // estimate: value and standard error; exact: value (error 0)
  // Student-t over the replicates, normal from the standard error, or the point itself.
  Interval interval(double level) const;
};

class MeasurementGrid {
 public:
  // Declares a statistic: its key and what it is, in words (the claims table's "statistic" column).
  MeasurementGrid& statistic(const std::string& name, const std::string& description);
  void replicates(const std::string& label, const std::string& name, std::vector<double> values);
  void estimate(const std::string& label, const std::string& name, const Estimate& estimate);
  void exact(const std::string& label, const std::string& name, double value);

  const std::vector<std::string>& labels() const { return labels_; }  // points, in the order first recorded
  const Measurement& at(const std::string& label, const std::string& name) const;  // std::out_of_range if absent
  const std::string& description(const std::string& name) const;

 private:
  void put(const std::string& label, const std::string& name, Measurement m);
  std::vector<std::string> labels_;
  std::map<std::string, std::string> descriptions_;
  std::map<std::pair<std::string, std::string>, Measurement> values_;
};

// What a claim says of a statistic.
struct Expectation {
  Direction direction = Direction::above;
  double threshold = 0, threshold_high = 0;
  std::string text() const;  // "above 2", "below 2", "within [-0.01, 0.01]"
};
Expectation above(double threshold);
Expectation below(double threshold);
Expectation within(double low, double high);

struct Test {
  std::string statistic;  // a name declared in the grid
  Expectation expected;
};

// Adds one condition per point of the grid and test to `claim` and sets its criterion: "at every point
// (labels): <statistic> <expectation>; ...; <how>; <interval method>, each at level L (Bonferroni over
// k conditions, family alpha 0.05)". `how` says how the statistics were measured (may be empty).
// Intervals are simultaneous over all conditions unless every measurement is exact.
Claim& judge(Claim& claim, const MeasurementGrid& grid, const std::vector<Test>& tests, const std::string& how = "");

// "value ± error" with one format for both ("{:.4f}" -> "0.1234 ± 0.0012").
std::string pm(const Estimate& e, const std::string& spec = "{:.2g}");

}  // namespace spinformer::lab
