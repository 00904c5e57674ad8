#include "lab/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <exception>

#include "lab/atomic_file.hpp"
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

void write_claims(const std::string& file, const nlohmann::json& claims, const std::string& parameter) {
  validate_claims(claims, parameter);
  write_file_atomically(file, claims.dump(2) + "\n");
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

bool quick_profile(const std::string& name) {
  if (name == "quick") return true;
  if (name != "paper") throw UsageError("--profile", fmt::format("must be quick or paper, got '{}'", name));
  return false;
}

std::string format_key(double x) { return fmt::format("{:g}", x); }

std::string format_keys(const std::vector<double>& values) {
  std::string out;
  for (double x : values) out += (out.empty() ? "" : " ") + format_key(x);
  return out;
}

std::string format_thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string verdict_from_counts(std::size_t held, std::size_t total) {
  return held == total ? "reproduced" : held == 0 ? "not reproduced" : "partly";
}

std::string list_or_none(const std::vector<std::string>& items, const std::string& prefix) {
  return items.empty() ? std::string("none") : fmt::format("{}{}", prefix, fmt::join(items, ", "));
}

int run_chapter(const std::string& name, const std::function<void()>& body, ChapterErrors errors) {
  auto report = [&](const std::exception& e, int status) {
    fmt::print(stderr, "{}: error: {}\n", name, e.what());
    return status;
  };
  if (errors == ChapterErrors::usage) {  // other exceptions are not caught at all
    try {
      body();
    } catch (const UsageError& e) {
      return report(e, 2);
    }
    return 0;
  }
  try {
    body();
  } catch (const UsageError& e) {
    return report(e, 2);
  } catch (const std::exception& e) {
    return report(e, 1);
  }
  return 0;
}

}  // namespace spinformer::lab
