#pragma once
// The paper's one verdict rule. A claim declares, before its run, the conditions it covers; each
// condition is a statistic with a confidence interval [lower, upper] (simultaneous over the claim's
// conditions), a direction and a threshold:
//   above t:       supported if lower > t,            refuted if upper < t
//   below t:       supported if upper < t,            refuted if lower > t
//   within [a, b]: supported if a <= lower, upper <= b, refuted if upper < a or lower > b
// and undecided otherwise. The claim is
//   reproduced      when every condition is supported,
//   not reproduced  when none is supported and at least one is refuted,
//   partly          when some are supported and some refuted,
//   inconclusive    otherwise (some supported, none refuted, some undecided; or all undecided).
// claims.json carries every interval, threshold and direction, so the verdict can be recomputed from
// the file alone (lab::validate_claims does, and rejects a verdict that does not follow).
//
// Three things the rule alone cannot see (issue 26) are declared with the claim:
//   - a condition may carry a convergence check (lab/convergence.hpp); failing it makes the condition
//     undecided, never supported or refuted;
//   - a claim lists the validation claims its instrument rests on ("requires") and its negative and
//     positive controls ("controls"); unless every one of them is reproduced, the claim is inconclusive
//     whatever its conditions say (the gate, lab/gate.hpp), with "ungated_verdict" (what the
//     conditions give) and "why_undecided" beside it;
//   - a claim whose criterion cannot fail, or cannot pass, is "untestable as designed": shown, not graded.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lab/convergence.hpp"
#include "lab/intervals.hpp"

namespace spinformer::lab {

enum class Direction { above, below, within };
enum class ConditionStatus { supported, refuted, undecided };

struct Condition {
  std::string label;      // where it applies: "T = 0.5", "L = 32, T = 1"
  std::string statistic;  // what is measured: "tau_int of the energy (samples)"
  double estimate = 0, lower = 0, upper = 0;
  Direction direction = Direction::above;
  double threshold = 0;       // above / below; for within the lower end of the band
  double threshold_high = 0;  // within only: the upper end of the band
  std::optional<Convergence> convergence;  // when set and failed, the condition is undecided
  std::size_t replicates = 0;              // seeds or samples behind the interval (0: not stated)
};

// The verdict of a claim that is shown but not graded: its criterion cannot fail, or cannot pass.
inline constexpr const char* kUntestable = "untestable as designed";

// The rule's status of the interval; undecided whatever the interval when a convergence check fails.
ConditionStatus condition_status(const Condition& c);

// "reproduced", "partly", "not reproduced" or "inconclusive" from the conditions' statuses (rule above).
std::string verdict_of(const std::vector<ConditionStatus>& statuses);

// One claim, built from named values; its verdict always follows from its conditions.
//   lab::Claim c{"0.1", "source", "Metropolis equilibrates in 500-1000 sweeps", "000_...txt, Algorithm, step 3"};
//   const double level = c.simultaneous(temperatures.size());  // Bonferroni: 1 - 0.05 / k per interval
//   c.condition("T = 0.5", "energy bias", lab::normal_interval(bias, level), lab::Direction::within, -0.01, 0.01);
class Claim {
 public:
  // kind: "source" (a claim of a source document), "reference" (of a reference sheet) or
  // "validation" (the project's own check); anything else throws std::invalid_argument.
  Claim(std::string id, std::string kind, std::string claim, std::string source);

  // Declares that the claim has k conditions judged together at family-wise error alpha, and returns
  // the Bonferroni level 1 - alpha / k each interval must have. to_json throws std::logic_error when
  // the number of conditions added differs from k, so the coverage stated is the coverage used.
  double simultaneous(std::size_t k, double alpha = kFamilyAlpha);

  // Adds one condition; numbers must be finite and lower <= estimate <= upper (std::invalid_argument).
  Claim& condition(const std::string& label, const std::string& statistic, double estimate, double lower,
                   double upper, Direction direction, double threshold, double threshold_high = 0);
  Claim& condition(const std::string& label, const std::string& statistic, const Interval& interval,
                   Direction direction, double threshold, double threshold_high = 0);

  // The last condition added carries this convergence check / rests on n seeds or samples (for the
  // number that would decide it); std::logic_error before any condition.
  Claim& convergence(const Convergence& check);
  Claim& replicates(std::size_t n);

  // The validation claims the instrument rests on (ids, possibly of other chapters), and the claim's
  // negative and positive controls (validation claims run by the same code and criterion where the
  // claim is false, resp. true, by construction). All are prerequisites: see lab/gate.hpp.
  Claim& prerequisites(std::vector<std::string> ids);
  Claim& controls(std::vector<std::string> negative, std::vector<std::string> positive);
  // The criterion cannot fail or cannot pass: why, and what design would test the claim.
  Claim& untestable(std::string why_and_what_would_test_it);
  // The family-wise method when simultaneous() is not used ("Holm", "none: one condition").
  Claim& family_wise(std::string method);

  Claim& short_form(std::string words);  // the claim in a few words, for the compact table
  Claim& criterion(std::string text);    // the statistic, threshold and interval method, in words
  Claim& measured(std::string text);     // what was found, in words (optional)

  const std::vector<Condition>& conditions() const { return conditions_; }
  std::string verdict() const;
  nlohmann::json to_json() const;

 private:
  std::string id_, kind_, claim_, source_, short_, criterion_, measured_, untestable_, family_wise_;
  std::vector<Condition> conditions_;
  std::vector<std::string> requires_, negative_controls_, positive_controls_;
  std::size_t declared_k_ = 0;
  double alpha_ = kFamilyAlpha;
};

// A chapter's claims file: {"chapter", "title", "claims": [...]}. to_json applies the gate
// (lab/gate.hpp): prerequisites are looked up among these claims and the context chapters' (other
// chapters' claims files, for requires across chapters); an unknown id throws UsageError.
class Claims {
 public:
  Claims(std::string chapter, std::string title) : chapter_(std::move(chapter)), title_(std::move(title)) {}
  void add(const Claim& claim) { claims_.push_back(claim.to_json()); }
  void context(nlohmann::json other_chapter) { context_.push_back(std::move(other_chapter)); }
  nlohmann::json to_json() const;

 private:
  std::string chapter_, title_;
  std::vector<nlohmann::json> claims_, context_;
};

// What a claim's conditions and declarations give: the verdict, and where a gate applies (untestable,
// failed prerequisites) the verdict of the conditions alone; why_undecided collects every reason
// (untestable, prerequisites, convergence) in words, empty when there is none.
struct Judgement {
  std::string verdict, ungated_verdict, why_undecided;
};
// failed_prerequisites: "4.5 inconclusive", one per prerequisite that is not reproduced.
Judgement judge(const nlohmann::json& claim, const std::vector<std::string>& failed_prerequisites);

// The ids a claims.json entry names as prerequisites: "requires", then "controls" negative and
// positive, each once, in that order. Absent fields are empty; malformed ones throw std::invalid_argument.
std::vector<std::string> prerequisites_of(const nlohmann::json& claim);

// ---- the rule applied to claims.json entries -----------------------------------------------------

// true when a claims.json entry has the rule's schema (it has "conditions"); false for the old
// schema ({"id", "claim", "source", "measured", "criterion", "verdict"}) of chapters not yet converted.
bool follows_rule(const nlohmann::json& claim);

// Checks a rule-schema entry field by field and recomputes its verdict from its conditions; throws
// UsageError(parameter) naming the claim on any problem, a verdict that does not follow included. A
// gated entry ("ungated_verdict" present) must be inconclusive with its ungated verdict following from
// the conditions; whether its prerequisites gate it needs the other claims (lab/gate.hpp checks).
void validate_rule_claim(const nlohmann::json& claim, const std::string& parameter);

// The statuses of a rule-schema entry's conditions (the entry must be valid).
std::vector<ConditionStatus> condition_statuses(const nlohmann::json& claim);

// The number that decides a rule-schema verdict, in words: the count of supported conditions and
// the condition closest to changing it (the weakest support for "reproduced", the weakest refutation
// for "not reproduced", the first refuted for "partly", the first undecided for "inconclusive").
std::string deciding_number(const nlohmann::json& claim);

// Where a rule-schema claim holds, fails and is undecided, as lists of condition labels in order,
// each label once: a label holds when all its conditions are supported, fails when any is refuted,
// and is undecided otherwise. "none" when empty.
std::string labels_where_it_holds(const nlohmann::json& claim);
std::string labels_where_it_fails(const nlohmann::json& claim);
std::string labels_where_undecided(const nlohmann::json& claim);

}  // namespace spinformer::lab
