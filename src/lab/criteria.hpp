#pragma once
// Criteria frozen before the run. A chapter's criteria file is generated from its claims (what each
// claim is graded on: the statistic, direction and threshold of every condition, the level and the
// family-wise method, the prerequisites) and committed with the data. A criterion that differs at
// publish time from the committed one changed after its data, and needs a dated entry in the
// chapter's criteria history (what changed, why, the verdict under the old criterion); without one,
// publishing is refused. The tables mark a claim whose criterion changed after its data.
//
// criteria.json:          {"chapter", "criteria": [{"id", "kind", "conditions": [{"label", "statistic",
//                          "direction", "threshold"}], "level", "family_alpha", "family_wise", "requires",
//                          "controls", "untestable", "hash"}]}
// criteria-history.json:  {"chapter", "entries": [{"date": "YYYY-MM-DD", "claim", "what", "why",
//                          "verdict_before", "after_data": true|false, "criterion_hash"}]}
//   criterion_hash is the hash of the criterion the entry introduced (so an old entry cannot cover a
//   later change); verdict_before is the verdict under the old criterion (applied to the new numbers
//   where the statistic is unchanged, else the last published one).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace spinformer::lab {

// The criteria of a chapter's claims file (rule-schema claims; old-schema ones are left out).
nlohmann::json criteria_of(const nlohmann::json& chapter_claims);

// The hash of one criterion (FNV-1a 64 of its JSON without "hash"), 16 hex digits.
std::string criterion_hash(const nlohmann::json& criterion);

// Throws UsageError(parameter) when a history file is malformed (date YYYY-MM-DD, strings, hash).
void validate_history(const nlohmann::json& history, const std::string& parameter);

// Ids whose criterion differs between the committed criteria and the run's, or that the run dropped.
// A claim new in the run is not a change: it is declared with the run that grades it.
std::vector<std::string> changed_criteria(const nlohmann::json& committed, const nlohmann::json& run);

// Refuses (UsageError(parameter), naming every claim) a changed criterion without a history entry for
// the claim whose criterion_hash is the run's criterion (a dropped claim needs an entry with hash "").
void require_history(const nlohmann::json& committed, const nlohmann::json& run, const nlohmann::json& history,
                     const std::string& parameter);

// Marks every claim with an after-data entry in the history: "criterion_changed": {"date", "before",
// "what", "changes"} of its first such entry (before: the verdict under the criterion first declared)
// and the number of such entries (entries of claims that are not there are ignored).
void mark_changed_criteria(nlohmann::json& chapter_claims, const nlohmann::json& history);

}  // namespace spinformer::lab
