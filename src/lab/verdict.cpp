#include "lab/verdict.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "lab/gate.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::lab {

namespace {

const char* direction_name(Direction d) {
  return d == Direction::above ? "above" : d == Direction::below ? "below" : "within";
}

bool valid_kind(const std::string& kind) { return kind == "source" || kind == "reference" || kind == "validation"; }

bool valid_verdict(const std::string& v) {
  return v == "reproduced" || v == "partly" || v == "not reproduced" || v == "inconclusive" || v == kUntestable;
}

std::vector<std::string> string_list(const nlohmann::json& claim, const nlohmann::json& j, const char* what) {
  if (!j.is_array()) throw std::invalid_argument(fmt::format("'{}' is not a list of claim ids", what));
  std::vector<std::string> out;
  for (const auto& x : j) {
    if (!x.is_string() || x.get<std::string>().empty())
      throw std::invalid_argument(fmt::format("'{}' has an entry that is not a claim id", what));
    if (claim.contains("id") && x == claim["id"])
      throw std::invalid_argument(fmt::format("'{}' names the claim itself", what));
    out.push_back(x);
  }
  return out;
}

nlohmann::json condition_json(const Condition& c) {
  nlohmann::json j = {{"label", c.label}, {"statistic", c.statistic}, {"estimate", c.estimate},
                      {"lower", c.lower}, {"upper", c.upper},         {"direction", direction_name(c.direction)}};
  if (c.direction == Direction::within) j["threshold"] = {c.threshold, c.threshold_high};
  else j["threshold"] = c.threshold;
  if (c.convergence) j["convergence"] = to_json(*c.convergence);
  if (c.replicates > 0) j["replicates"] = c.replicates;
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
  if (j.contains("convergence")) {
    try {
      c.convergence = convergence_from_json(j["convergence"]);
    } catch (const std::invalid_argument& e) {
      throw fail(fmt::format("condition '{}': {}", c.label, e.what()));
    }
  }
  if (j.contains("replicates")) {
    if (!j["replicates"].is_number_unsigned() || j["replicates"].get<std::size_t>() < 1)
      throw fail(fmt::format("condition '{}': 'replicates' is not a positive integer", c.label));
    c.replicates = j["replicates"];
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
  if (c.convergence && !converged(*c.convergence)) return ConditionStatus::undecided;
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
  conditions_.push_back({label, statistic, estimate, lower, upper, direction, threshold, threshold_high, std::nullopt, 0});
  return *this;
}

Claim& Claim::condition(const std::string& label, const std::string& statistic, const Interval& interval,
                        Direction direction, double threshold, double threshold_high) {
  return condition(label, statistic, interval.estimate, interval.lower, interval.upper, direction, threshold,
                   threshold_high);
}

Claim& Claim::convergence(const Convergence& check) {
  if (conditions_.empty()) throw std::logic_error(fmt::format("claim {}: convergence before any condition", id_));
  conditions_.back().convergence = check;
  return *this;
}
Claim& Claim::replicates(std::size_t n) {
  if (conditions_.empty()) throw std::logic_error(fmt::format("claim {}: replicates before any condition", id_));
  conditions_.back().replicates = n;
  return *this;
}
Claim& Claim::prerequisites(std::vector<std::string> ids) {
  requires_ = std::move(ids);
  return *this;
}
Claim& Claim::controls(std::vector<std::string> negative, std::vector<std::string> positive) {
  negative_controls_ = std::move(negative);
  positive_controls_ = std::move(positive);
  return *this;
}
Claim& Claim::untestable(std::string why_and_what_would_test_it) {
  untestable_ = std::move(why_and_what_would_test_it);
  return *this;
}
Claim& Claim::family_wise(std::string method) {
  family_wise_ = std::move(method);
  return *this;
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
  if (!untestable_.empty()) return kUntestable;
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
  if (!family_wise_.empty()) j["family_wise"] = family_wise_;
  j["requires"] = requires_;
  if (!negative_controls_.empty() || !positive_controls_.empty())
    j["controls"] = {{"negative", negative_controls_}, {"positive", positive_controls_}};
  if (!untestable_.empty()) j["untestable"] = untestable_;
  j["conditions"] = nlohmann::json::array();
  for (const auto& c : conditions_) j["conditions"].push_back(condition_json(c));
  // prerequisites are resolved by the chapter (Claims::to_json); here only what the claim alone says
  const Judgement judged = judge(j, {});
  j["verdict"] = judged.verdict;
  if (!judged.ungated_verdict.empty()) j["ungated_verdict"] = judged.ungated_verdict;
  if (!judged.why_undecided.empty()) j["why_undecided"] = judged.why_undecided;
  return j;
}

nlohmann::json Claims::to_json() const {
  std::vector<nlohmann::json> chapters;
  chapters.push_back({{"chapter", chapter_}, {"title", title_}, {"claims", claims_}});
  apply_gate(chapters, "claims", context_);
  return chapters[0];
}

std::vector<std::string> prerequisites_of(const nlohmann::json& claim) {
  std::vector<std::string> out;
  auto add = [&](const std::vector<std::string>& ids) {
    for (const auto& id : ids)
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  if (claim.contains("requires")) add(string_list(claim, claim["requires"], "requires"));
  if (claim.contains("controls")) {
    const auto& c = claim["controls"];
    if (!c.is_object()) throw std::invalid_argument("'controls' is not an object {negative, positive}");
    for (const auto& [key, value] : c.items()) {
      if (key != "negative" && key != "positive")
        throw std::invalid_argument(fmt::format("'controls' has '{}', not negative or positive", key));
      (void)value;
    }
    if (c.contains("negative")) add(string_list(claim, c["negative"], "controls.negative"));
    if (c.contains("positive")) add(string_list(claim, c["positive"], "controls.positive"));
  }
  return out;
}

Judgement judge(const nlohmann::json& claim, const std::vector<std::string>& failed_prerequisites) {
  const std::vector<Condition> conditions = parse_conditions(claim);
  std::vector<ConditionStatus> statuses;
  std::vector<std::string> unconverged;
  for (const auto& c : conditions) {
    statuses.push_back(condition_status(c));
    if (c.convergence && !converged(*c.convergence))
      unconverged.push_back(fmt::format("{} ({})", c.label, describe(*c.convergence)));
  }
  const std::string rule = verdict_of(statuses);
  Judgement out{rule, "", ""};
  std::vector<std::string> why;
  if (claim.contains("untestable") && claim["untestable"].is_string()) {
    out = {kUntestable, rule, ""};
    why.push_back(fmt::format("power: untestable as designed: {}", claim["untestable"].get<std::string>()));
  } else if (!failed_prerequisites.empty()) {
    out = {"inconclusive", rule, ""};
    why.push_back(fmt::format("instrument not validated: {}", fmt::join(failed_prerequisites, ", ")));
  }
  if (!unconverged.empty()) why.push_back(fmt::format("not converged: {}", fmt::join(unconverged, "; ")));
  out.why_undecided = fmt::format("{}", fmt::join(why, "; "));
  return out;
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
  for (const char* field : {"ungated_verdict", "why_undecided", "untestable", "family_wise"})
    if (claim.contains(field) && !claim[field].is_string()) throw fail(fmt::format("'{}' is not a string", field));
  try {
    (void)prerequisites_of(claim);
  } catch (const std::invalid_argument& e) {
    throw fail(e.what());
  }
  if (claim.contains("criterion_changed")) {
    const auto& k = claim["criterion_changed"];
    if (!k.is_object() || !k.contains("date") || !k["date"].is_string() || !k.contains("before") ||
        !k["before"].is_string())
      throw fail("'criterion_changed' needs 'date' and 'before' strings");
  }
  const bool untestable = claim.contains("untestable");
  const bool gated = claim.contains("ungated_verdict");
  if (untestable && verdict != kUntestable) throw fail(fmt::format("untestable, but its verdict is '{}'", verdict));
  if (!untestable && verdict == kUntestable) throw fail("verdict 'untestable as designed' without an 'untestable' reason");
  if (untestable || gated) {
    if (!gated) throw fail("untestable without an 'ungated_verdict'");
    const std::string ungated = claim["ungated_verdict"];
    if (ungated != follows)
      throw fail(fmt::format("ungated verdict '{}' does not follow from its conditions, which give '{}'", ungated, follows));
    if (!untestable && verdict != "inconclusive")
      throw fail(fmt::format("gated by its prerequisites, so inconclusive, not '{}'", verdict));
    if (!claim.contains("why_undecided") || claim["why_undecided"].get<std::string>().empty())
      throw fail("gated without a 'why_undecided'");
  } else if (follows != verdict) {
    throw fail(fmt::format("verdict '{}' does not follow from its conditions, which give '{}'", verdict, follows));
  }
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
