#include "lab/verdict.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "lab/usage_error.hpp"

namespace spinformer::lab {

namespace {

const char* direction_name(Direction d) {
  return d == Direction::above ? "above" : d == Direction::below ? "below" : "within";
}

bool valid_kind(const std::string& kind) { return kind == "source" || kind == "reference" || kind == "validation"; }

bool valid_verdict(const std::string& v) {
  return v == "reproduced" || v == "partly" || v == "not reproduced" || v == "inconclusive";
}

nlohmann::json condition_json(const Condition& c) {
  nlohmann::json j = {{"label", c.label}, {"statistic", c.statistic}, {"estimate", c.estimate},
                      {"lower", c.lower}, {"upper", c.upper},         {"direction", direction_name(c.direction)}};
  if (c.direction == Direction::within) j["threshold"] = {c.threshold, c.threshold_high};
  else j["threshold"] = c.threshold;
  return j;
}

// A rule-schema condition from JSON; throws UsageError(parameter) naming the claim and the field.
Condition parse_condition(const nlohmann::json& j, const std::string& id, const std::string& parameter) {
  auto fail = [&](const std::string& what) { return UsageError(parameter, fmt::format("claim {}: {}", id, what)); };
  if (!j.is_object()) throw fail("a condition is not an object");
  Condition c;
  for (const char* field : {"label", "statistic", "direction"})
    if (!j.contains(field) || !j[field].is_string()) throw fail(fmt::format("condition without a '{}' string", field));
  c.label = j["label"];
  c.statistic = j["statistic"];
  auto number = [&](const char* field) {
    if (!j.contains(field) || !j[field].is_number() || !std::isfinite(j[field].get<double>()))
      throw fail(fmt::format("condition '{}' without a finite '{}'", c.label, field));
    return j[field].get<double>();
  };
  c.estimate = number("estimate");
  c.lower = number("lower");
  c.upper = number("upper");
  if (c.lower > c.upper) throw fail(fmt::format("condition '{}' has lower > upper", c.label));
  const std::string direction = j["direction"];
  const auto& t = j.contains("threshold") ? j["threshold"] : nlohmann::json();
  auto finite = [](const nlohmann::json& x) { return x.is_number() && std::isfinite(x.get<double>()); };
  if (direction == "above" || direction == "below") {
    c.direction = direction == "above" ? Direction::above : Direction::below;
    if (!finite(t)) throw fail(fmt::format("condition '{}' needs a finite number as threshold", c.label));
    c.threshold = t;
  } else if (direction == "within") {
    c.direction = Direction::within;
    if (!t.is_array() || t.size() != 2 || !finite(t[0]) || !finite(t[1]) || t[0].get<double>() > t[1].get<double>())
      throw fail(fmt::format("condition '{}' needs a threshold [lo, hi] with lo <= hi", c.label));
    c.threshold = t[0];
    c.threshold_high = t[1];
  } else {
    throw fail(fmt::format("condition '{}' has direction '{}', not above, below or within", c.label, direction));
  }
  return c;
}

std::vector<Condition> parse_conditions(const nlohmann::json& claim) {
  std::vector<Condition> out;
  for (const auto& j : claim["conditions"]) out.push_back(parse_condition(j, claim["id"], "claims"));
  return out;
}

// Distance of the interval from changing the condition's status (>= 0; 0 = on the threshold).
double margin(const Condition& c) {
  switch (c.direction) {
    case Direction::above: return std::min(std::abs(c.lower - c.threshold), std::abs(c.upper - c.threshold));
    case Direction::below: return std::min(std::abs(c.upper - c.threshold), std::abs(c.lower - c.threshold));
    case Direction::within:
      return std::min({std::abs(c.lower - c.threshold), std::abs(c.upper - c.threshold_high),
                       std::abs(c.upper - c.threshold), std::abs(c.lower - c.threshold_high)});
  }
  return 0;
}

std::string describe(const Condition& c) {
  const std::string claimed = c.direction == Direction::above ? fmt::format("> {:.3g}", c.threshold)
                              : c.direction == Direction::below
                                  ? fmt::format("< {:.3g}", c.threshold)
                                  : fmt::format("[{:.3g}, {:.3g}]", c.threshold, c.threshold_high);
  return fmt::format("{}, {} {:.3g} [{:.3g}, {:.3g}] vs {}", c.label, c.statistic, c.estimate, c.lower, c.upper,
                     claimed);
}

enum class LabelOutcome { holds, fails, undecided };

std::string labels_where(const nlohmann::json& claim, LabelOutcome wanted) {
  const std::vector<Condition> conditions = parse_conditions(claim);
  std::vector<std::string> labels;
  for (const auto& c : conditions)
    if (std::find(labels.begin(), labels.end(), c.label) == labels.end()) labels.push_back(c.label);
  std::vector<std::string> out;
  for (const auto& label : labels) {
    bool all_supported = true, any_refuted = false;
    for (const auto& c : conditions) {
      if (c.label != label) continue;
      const ConditionStatus s = condition_status(c);
      all_supported = all_supported && s == ConditionStatus::supported;
      any_refuted = any_refuted || s == ConditionStatus::refuted;
    }
    const LabelOutcome outcome = all_supported ? LabelOutcome::holds
                                 : any_refuted ? LabelOutcome::fails
                                               : LabelOutcome::undecided;
    if (outcome == wanted) out.push_back(label);
  }
  return out.empty() ? std::string("none") : fmt::format("{}", fmt::join(out, "; "));
}

}  // namespace

ConditionStatus condition_status(const Condition& c) {
  switch (c.direction) {
    case Direction::above:
      return c.lower > c.threshold ? ConditionStatus::supported
             : c.upper < c.threshold ? ConditionStatus::refuted
                                     : ConditionStatus::undecided;
    case Direction::below:
      return c.upper < c.threshold ? ConditionStatus::supported
             : c.lower > c.threshold ? ConditionStatus::refuted
                                     : ConditionStatus::undecided;
    case Direction::within:
      return c.threshold <= c.lower && c.upper <= c.threshold_high         ? ConditionStatus::supported
             : c.upper < c.threshold || c.lower > c.threshold_high ? ConditionStatus::refuted
                                                                      : ConditionStatus::undecided;
  }
  return ConditionStatus::undecided;
}

std::string verdict_of(const std::vector<ConditionStatus>& statuses) {
  const auto supported = std::count(statuses.begin(), statuses.end(), ConditionStatus::supported);
  const auto refuted = std::count(statuses.begin(), statuses.end(), ConditionStatus::refuted);
  if (!statuses.empty() && supported == static_cast<long>(statuses.size())) return "reproduced";
  if (supported == 0 && refuted >= 1) return "not reproduced";
  if (supported >= 1 && refuted >= 1) return "partly";
  return "inconclusive";
}

// ---- Claim -----------------------------------------------------------------------------------------

Claim::Claim(std::string id, std::string kind, std::string claim, std::string source)
    : id_(std::move(id)), kind_(std::move(kind)), claim_(std::move(claim)), source_(std::move(source)) {
  if (!valid_kind(kind_))
    throw std::invalid_argument("Claim: kind must be source, reference or validation, got " + kind_);
}

double Claim::simultaneous(std::size_t k, double alpha) {
  const double level = bonferroni_level(k, alpha);  // checks k and alpha
  declared_k_ = k;
  alpha_ = alpha;
  return level;
}

Claim& Claim::condition(const std::string& label, const std::string& statistic, double estimate, double lower,
                        double upper, Direction direction, double threshold, double threshold_high) {
  if (!std::isfinite(estimate) || !std::isfinite(lower) || !std::isfinite(upper) || !std::isfinite(threshold) ||
      !std::isfinite(threshold_high))
    throw std::invalid_argument(fmt::format("claim {}, condition '{}': numbers must be finite", id_, label));
  if (!(lower <= estimate && estimate <= upper))
    throw std::invalid_argument(fmt::format("claim {}, condition '{}': needs lower <= estimate <= upper", id_, label));
  if (direction == Direction::within && threshold > threshold_high)
    throw std::invalid_argument(fmt::format("claim {}, condition '{}': band [lo, hi] needs lo <= hi", id_, label));
  conditions_.push_back({label, statistic, estimate, lower, upper, direction, threshold, threshold_high});
  return *this;
}

Claim& Claim::condition(const std::string& label, const std::string& statistic, const Interval& interval,
                        Direction direction, double threshold, double threshold_high) {
  return condition(label, statistic, interval.estimate, interval.lower, interval.upper, direction, threshold,
                   threshold_high);
}

Claim& Claim::short_form(std::string words) {
  short_ = std::move(words);
  return *this;
}
Claim& Claim::criterion(std::string text) {
  criterion_ = std::move(text);
  return *this;
}
Claim& Claim::measured(std::string text) {
  measured_ = std::move(text);
  return *this;
}

std::string Claim::verdict() const {
  std::vector<ConditionStatus> statuses;
  for (const auto& c : conditions_) statuses.push_back(condition_status(c));
  return verdict_of(statuses);
}

nlohmann::json Claim::to_json() const {
  if (conditions_.empty()) throw std::logic_error(fmt::format("claim {}: no conditions", id_));
  if (declared_k_ != 0 && declared_k_ != conditions_.size())
    throw std::logic_error(fmt::format("claim {}: declared {} simultaneous conditions but has {}", id_, declared_k_,
                                       conditions_.size()));
  nlohmann::json j = {{"id", id_}, {"kind", kind_}, {"claim", claim_}, {"source", source_}, {"verdict", verdict()}};
  if (!short_.empty()) j["short"] = short_;
  if (!criterion_.empty()) j["criterion"] = criterion_;
  if (!measured_.empty()) j["measured"] = measured_;
  if (declared_k_ != 0)
    j["coverage"] = {
        {"method", "Bonferroni"}, {"family_alpha", alpha_}, {"per_condition_level", 1 - alpha_ / declared_k_}};
  j["conditions"] = nlohmann::json::array();
  for (const auto& c : conditions_) j["conditions"].push_back(condition_json(c));
  return j;
}

nlohmann::json Claims::to_json() const {
  return {{"chapter", chapter_}, {"title", title_}, {"claims", claims_}};
}

// ---- the rule applied to claims.json entries ---------------------------------------------------------

bool follows_rule(const nlohmann::json& claim) {
  return claim.is_object() && claim.contains("conditions");
}

void validate_rule_claim(const nlohmann::json& claim, const std::string& parameter) {
  if (!claim.contains("id") || !claim["id"].is_string()) throw UsageError(parameter, "claim without an 'id' string");
  const std::string id = claim["id"];
  auto fail = [&](const std::string& what) { return UsageError(parameter, fmt::format("claim {}: {}", id, what)); };
  for (const char* field : {"kind", "claim", "verdict"})
    if (!claim.contains(field) || !claim[field].is_string()) throw fail(fmt::format("no '{}' string", field));
  for (const char* field : {"short", "source", "criterion", "measured"})
    if (claim.contains(field) && !claim[field].is_string()) throw fail(fmt::format("'{}' is not a string", field));
  if (!valid_kind(claim["kind"])) throw fail(fmt::format("kind '{}' is not source, reference or validation",
                                                         claim["kind"].get<std::string>()));
  const std::string verdict = claim["verdict"];
  if (!valid_verdict(verdict)) throw fail(fmt::format("unknown verdict '{}'", verdict));
  if (!claim.contains("conditions") || !claim["conditions"].is_array() || claim["conditions"].empty())
    throw fail("no 'conditions' list");
  std::vector<ConditionStatus> statuses;
  for (const auto& j : claim["conditions"]) statuses.push_back(condition_status(parse_condition(j, id, parameter)));
  const std::string follows = verdict_of(statuses);
  if (follows != verdict)
    throw fail(fmt::format("verdict '{}' does not follow from its conditions, which give '{}'", verdict, follows));
}

std::vector<ConditionStatus> condition_statuses(const nlohmann::json& claim) {
  std::vector<ConditionStatus> out;
  for (const auto& c : parse_conditions(claim)) out.push_back(condition_status(c));
  return out;
}

std::string deciding_number(const nlohmann::json& claim) {
  const std::vector<Condition> conditions = parse_conditions(claim);
  std::vector<ConditionStatus> statuses;
  for (const auto& c : conditions) statuses.push_back(condition_status(c));
  const std::string verdict = verdict_of(statuses);
  const auto count = [&](ConditionStatus s) { return std::count(statuses.begin(), statuses.end(), s); };
  const auto refuted = count(ConditionStatus::refuted);
  const std::string tally = fmt::format("{}/{} supported{}", count(ConditionStatus::supported), conditions.size(),
                                        refuted > 0 ? fmt::format(", {} refuted", refuted) : std::string());
  // The status whose condition decides the verdict, and whether the closest one (least margin) or the
  // first one in the claim's order is shown.
  const ConditionStatus deciding = verdict == "reproduced"       ? ConditionStatus::supported
                                   : verdict == "not reproduced" ? ConditionStatus::refuted
                                   : verdict == "partly"         ? ConditionStatus::refuted
                                                                 : ConditionStatus::undecided;
  const bool closest = verdict == "reproduced" || verdict == "not reproduced";
  std::size_t pick = conditions.size();
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    if (statuses[i] != deciding) continue;
    if (pick == conditions.size() || (closest && margin(conditions[i]) < margin(conditions[pick]))) pick = i;
    if (!closest) break;
  }
  if (pick == conditions.size()) return tally;
  const char* role = verdict == "reproduced" ? "weakest" : verdict == "inconclusive" ? "undecided" : "refuted";
  return fmt::format("{}; {}: {}", tally, role, describe(conditions[pick]));
}

std::string labels_where_it_holds(const nlohmann::json& claim) { return labels_where(claim, LabelOutcome::holds); }
std::string labels_where_it_fails(const nlohmann::json& claim) { return labels_where(claim, LabelOutcome::fails); }
std::string labels_where_undecided(const nlohmann::json& claim) {
  return labels_where(claim, LabelOutcome::undecided);
}

}  // namespace spinformer::lab
