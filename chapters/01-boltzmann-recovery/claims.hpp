#pragma once
// Claims graded on intervals (issue 10): every claim is a list of conditions, each an interval for one
// statistic with a direction and a threshold, and its verdict follows from them by one rule:
// reproduced when every condition is supported, not reproduced when none is supported and at least
// one is refuted, partly when some are supported and some refuted, inconclusive otherwise
// (supported: the interval lies wholly on the claimed side of the threshold; refuted: wholly on the
// other side). Intervals across training seeds are Student-t intervals, Bonferroni-corrected over the
// conditions of one claim, so that all of a claim's intervals cover at 95% together and each includes
// the spread between training seeds. Chapter 2 uses the same code (its claims_verdict.cpp includes
// chapter 1's). The implementation lives in claims_verdict.cpp, outside the code hash: changing a
// verdict rule reruns no training.
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lab/convergence.hpp"

namespace spinformer::claims {

struct Condition {
  std::string label;      // "T = 0.5"
  std::string statistic;  // "KL per spin (nats), mean over 5 training seeds"
  double estimate = NAN, lower = NAN, upper = NAN;
  std::string direction;  // above | below | within
  double threshold = NAN, threshold_hi = NAN;  // within: [threshold, threshold_hi]
  std::optional<lab::Convergence> convergence;  // when set and failed, the condition is undecided
};

constexpr double kFamilyAlpha = 0.05;  // 95% family-wise over a claim's conditions

// Student-t quantile t_{1 - p, dof}.
double t_quantile(double p, double dof);

// Mean of per-seed values with a t-interval at confidence 1 - alpha / m (m: conditions in the claim).
Condition seed_condition(std::string label, std::string statistic, const std::vector<double>& per_seed, int m,
                         std::string direction, double threshold, double threshold_hi = NAN);
// Difference of two means (a - b) over independent seeds, Welch standard error, t with the smaller
// sample's degrees of freedom (conservative), at confidence 1 - alpha / m.
Condition difference_condition(std::string label, std::string statistic, const std::vector<double>& a,
                               const std::vector<double>& b, int m, std::string direction, double threshold);
// An exactly known value (enumeration) or a quantity with its own interval.
Condition interval_condition(std::string label, std::string statistic, double estimate, double lower, double upper,
                             std::string direction, double threshold, double threshold_hi = NAN);

// "supported" | "refuted" | "undecided"
std::string status(const Condition& c);
// The rule above.
std::string verdict(const std::vector<Condition>& conditions);
nlohmann::json to_json(const std::vector<Condition>& conditions);

// Validates and writes a chapter's claims: each claim carries "conditions" and "kind"
// (source | reference | validation); its "verdict" must be the rule's. The gate (lab/gate.hpp) updates
// chapter_claims in place, so that the verdicts the caller quotes afterwards are the gated ones.
void write_claims(const std::string& file, nlohmann::json& chapter_claims, const std::string& parameter);

// Mean over seeds and the t-interval half-width at confidence 1 - alpha / m (NaN width below two seeds).
struct SeedInterval {
  double mean = NAN, lower = NAN, upper = NAN, min = NAN, max = NAN;
  std::size_t n = 0;
};
SeedInterval seed_interval(const std::vector<double>& per_seed, int m = 1);

}  // namespace spinformer::claims
