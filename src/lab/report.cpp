#include "lab/report.hpp"

#include <fmt/format.h>

#include "lab/usage_error.hpp"

namespace spinformer::lab {

std::string fill_template(const std::string& text, const nlohmann::json& values) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) throw UsageError("--template", "unclosed '{{'");
    out.append(text, pos, open - pos);
    const std::string key = text.substr(open + 2, close - open - 2);
    if (!values.contains(key)) throw UsageError("--values", fmt::format("no value for '{{{{{}}}}}'", key));
    const auto& value = values.at(key);
    if (value.is_string()) out += value.get<std::string>();
    else if (value.is_number_integer()) out += std::to_string(value.get<long long>());
    else if (value.is_number()) out += fmt::format("{:.4g}", value.get<double>());
    else out += value.dump();
    pos = close + 2;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

void validate_claims(const nlohmann::json& claims, const std::string& parameter) {
  if (!claims.is_object() || !claims.contains("chapter") || !claims.contains("claims") ||
      !claims["claims"].is_array())
    throw UsageError(parameter, "a claims file needs 'chapter' and a 'claims' array");
  for (const auto& claim : claims["claims"]) {
    for (const char* field : {"id", "claim", "source", "measured", "criterion", "verdict"})
      if (!claim.contains(field) || !claim[field].is_string())
        throw UsageError(parameter, fmt::format("claim without a '{}' string", field));
    const std::string verdict = claim["verdict"];
    if (verdict != "reproduced" && verdict != "partly" && verdict != "not reproduced")
      throw UsageError(parameter, fmt::format("claim {}: unknown verdict '{}'", claim["id"].get<std::string>(), verdict));
  }
}

std::string claims_markdown(const std::vector<nlohmann::json>& chapters) {
  auto cell = [](std::string s) {  // a pipe inside a cell would split it
    for (std::size_t p = s.find('|'); p != std::string::npos; p = s.find('|', p + 2)) s.replace(p, 1, "\\|");
    return s;
  };
  std::string out = "| # | Claim (source) | Measured | Criterion | Verdict |\n"
      // the dashes set the relative column widths of the PDF table
      "|---|------------------------------|------------------------------------|----------------------|----------|\n";
  for (const auto& chapter : chapters)
    for (const auto& c : chapter["claims"])
      out += fmt::format("| {} | {} ({}) | {} | {} | **{}** |\n", cell(c["id"]), cell(c["claim"]), cell(c["source"]),
                         cell(c["measured"]), cell(c["criterion"]), cell(c["verdict"]));
  return out;
}

}  // namespace spinformer::lab
