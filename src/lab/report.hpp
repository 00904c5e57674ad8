#pragma once
// Chapter text and the claims table are generated from measured data, never typed by hand.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace spinformer::lab {

// Replaces every {{key}} in text by values[key] (strings as they are, numbers with 4 significant
// digits). An unknown key throws UsageError("--values") naming it, so text cannot go stale silently.
std::string fill_template(const std::string& text, const nlohmann::json& values);

// A chapter's claims file:
// {"chapter": "00-ising-chain", "title": "...", "claims": [{"id", "claim", "source", "measured",
//   "criterion", "verdict"}, ...]} with verdict one of "reproduced", "partly", "not reproduced".
// Throws UsageError(parameter) when a field is missing or the verdict is not one of the three.
void validate_claims(const nlohmann::json& claims, const std::string& parameter);

// One Markdown pipe table of all claims, in the order given.
std::string claims_markdown(const std::vector<nlohmann::json>& chapters);

}  // namespace spinformer::lab
