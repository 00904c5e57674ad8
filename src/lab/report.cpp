#include "lab/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <exception>
#include <new>

#include "lab/atomic_file.hpp"
#include "lab/usage_error.hpp"
#include "lab/verdict.hpp"

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

namespace {

// A pipe inside a table cell would split it; a line break would end the row.
std::string cell(std::string s) {
  for (std::size_t p = s.find('|'); p != std::string::npos; p = s.find('|', p + 2)) s.replace(p, 1, "\\|");
  for (char& ch : s)
    if (ch == '\n') ch = ' ';
  return s;
}

std::string text_or(const nlohmann::json& claim, const char* field, const std::string& fallback) {
  return claim.contains(field) && claim[field].is_string() ? claim[field].get<std::string>() : fallback;
}

void validate_old_claim(const nlohmann::json& claim, const std::string& parameter) {
  for (const char* field : {"id", "claim", "source", "measured", "criterion", "verdict"})
    if (!claim.contains(field) || !claim[field].is_string())
      throw UsageError(parameter, fmt::format("claim without a '{}' string", field));
  const std::string id = claim["id"], verdict = claim["verdict"];
  if (verdict != "reproduced" && verdict != "partly" && verdict != "not reproduced" && verdict != "inconclusive")
    throw UsageError(parameter, fmt::format("claim {}: unknown verdict '{}'", id, verdict));
  if (claim.contains("kind")) {
    const auto& k = claim["kind"];
    if (!k.is_string() || (k != "source" && k != "reference" && k != "validation"))
      throw UsageError(parameter, fmt::format("claim {}: kind must be source, reference or validation", id));
  }
}

// The first words of text, at most `limit` characters, cut at a space ("..." marks the cut).
std::string first_words(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = text.rfind(' ', limit - 3);
  if (cut == std::string::npos || cut == 0) cut = limit - 3;
  while (cut > 0 && (text[cut - 1] == ',' || text[cut - 1] == ';' || text[cut - 1] == ':')) --cut;
  return text.substr(0, cut) + "...";
}

const char* kDagger = "\u2020";  // marks a verdict the rule has not yet been applied to

}  // namespace

void validate_claims(const nlohmann::json& claims, const std::string& parameter) {
  if (!claims.is_object() || !claims.contains("chapter") || !claims.contains("claims") ||
      !claims["claims"].is_array())
    throw UsageError(parameter, "a claims file needs 'chapter' and a 'claims' array");
  for (const auto& claim : claims["claims"]) {
    if (!claim.is_object()) throw UsageError(parameter, "a claim is not an object");
    if (follows_rule(claim)) validate_rule_claim(claim, parameter);
    else validate_old_claim(claim, parameter);
  }
}

void write_claims(const std::string& file, const nlohmann::json& claims, const std::string& parameter) {
  validate_claims(claims, parameter);
  write_file_atomically(file, claims.dump(2) + "\n");
}

std::string claim_kind(const nlohmann::json& claim) {
  if (claim.contains("kind") && claim["kind"].is_string()) return claim["kind"];
  if (text_or(claim, "source", "").find("reference sheet") != std::string::npos) return "reference";
  if (text_or(claim, "claim", "").rfind("Validation", 0) == 0) return "validation";
  return "source";
}

std::string claims_markdown(const std::vector<nlohmann::json>& chapters) {
  std::string out = "| # | Claim (source) | Measured | Criterion | Verdict |\n"
      // the dashes set the relative column widths of the PDF table
      "|---|------------------------------|------------------------------------|----------------------|----------|\n";
  for (const auto& chapter : chapters)
    for (const auto& c : chapter["claims"])
      out += fmt::format("| {} | {} ({}) | {} | {} | **{}** |\n", cell(c["id"]), cell(c["claim"]),
                         cell(text_or(c, "source", "")),
                         cell(follows_rule(c) ? deciding_number(c) : text_or(c, "measured", "")),
                         cell(text_or(c, "criterion", "")), cell(c["verdict"]));
  return out;
}

std::string claims_summary_markdown(const std::vector<nlohmann::json>& chapters) {
  const std::pair<const char*, const char*> kinds[] = {
      {"source", "Claims of the source documents"},
      {"reference", "Claims of the reference sheets"},
      {"validation", "The project's own validations"}};
  std::string out;
  bool any_old = false;
  for (const auto& [kind, heading] : kinds) {
    std::string rows;
    for (const auto& chapter : chapters)
      for (const auto& c : chapter["claims"]) {
        if (claim_kind(c) != kind) continue;
        const bool rule = follows_rule(c);
        any_old = any_old || !rule;
        // old-schema claims have no short form or deciding number: their first words stand in
        rows += fmt::format("| {} | {} | **{}**{} | {} |\n", cell(c["id"]),
                            cell(first_words(text_or(c, "short", c["claim"]), 90)), cell(c["verdict"]),
                            rule ? "" : kDagger,
                            cell(rule ? deciding_number(c) : first_words(text_or(c, "measured", ""), 120)));
      }
    if (rows.empty()) continue;
    // the dashes set the relative column widths of the PDF table
    out += fmt::format("**{}.**\n\n| # | Claim | Verdict | Deciding number |\n"
                       "|---|------------------------------|--------------|----------------------------------------|\n"
                       "{}\n",
                       heading, rows);
  }
  if (any_old)
    out += fmt::format("{} Rule not yet applied: the chapter still grades this claim by its own criterion "
                       "(see the chapter); its verdict has not been recomputed from per-condition intervals.\n",
                       kDagger);
  return out;
}

std::string claim_details_markdown(const nlohmann::json& chapter) {
  auto status_name = [](ConditionStatus s) {
    return s == ConditionStatus::supported ? "supported" : s == ConditionStatus::refuted ? "refuted" : "undecided";
  };
  std::string out;
  for (const auto& c : chapter["claims"]) {
    const std::string id = c["id"], verdict = c["verdict"];
    out += fmt::format("**Claim {}** ({}; {}). {}\n\n", id, claim_kind(c), text_or(c, "source", "no source given"),
                       text_or(c, "claim", ""));
    if (!follows_rule(c)) {
      out += fmt::format("*Measured:* {} *Criterion:* {} *Verdict:* **{}**{} (rule not yet applied).\n\n",
                         text_or(c, "measured", ""), text_or(c, "criterion", ""), verdict, kDagger);
      continue;
    }
    if (c.contains("criterion")) out += fmt::format("*Criterion:* {}\n\n", c["criterion"].get<std::string>());
    if (c.contains("measured")) out += fmt::format("*Measured:* {}\n\n", c["measured"].get<std::string>());
    out += fmt::format("*Verdict:* **{}**", verdict);
    if (verdict == "partly" || verdict == "inconclusive") {
      out += fmt::format("; holds at {}", labels_where_it_holds(c));
      const std::string fails = labels_where_it_fails(c), undecided = labels_where_undecided(c);
      if (fails != "none") out += fmt::format("; fails at {}", fails);
      if (undecided != "none") out += fmt::format("; undecided at {}", undecided);
    }
    out += ".\n\n| condition | statistic | estimate | interval | claimed | status |\n|---|---|---|---|---|---|\n";
    const auto statuses = condition_statuses(c);
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      const auto& k = c["conditions"][i];
      const std::string direction = k["direction"];
      const std::string claimed =
          direction == "within"
              ? fmt::format("in [{:.4g}, {:.4g}]", k["threshold"][0].get<double>(), k["threshold"][1].get<double>())
              : fmt::format("{} {:.4g}", direction == "above" ? ">" : "<", k["threshold"].get<double>());
      out += fmt::format("| {} | {} | {:.4g} | [{:.4g}, {:.4g}] | {} | {} |\n", cell(k["label"]), cell(k["statistic"]),
                         k["estimate"].get<double>(), k["lower"].get<double>(), k["upper"].get<double>(), claimed,
                         status_name(statuses[i]));
    }
    out += "\n";
  }
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

int run_chapter(const std::string& name, const std::function<void()>& body, ChapterErrors) {
  // One line, never a backtrace or `terminate called` (a library message may span lines).
  auto report = [&](const std::string& what, int status) {
    fmt::print(stderr, "{}: error: {}\n", name, what.substr(0, what.find('\n')));
    return status;
  };
  try {
    body();
  } catch (const UsageError& e) {
    return report(e.what(), 2);
  } catch (const std::bad_alloc&) {
    return report("out of memory", 1);
  } catch (const std::exception& e) {
    return report(e.what(), 1);
  } catch (...) {
    return report("unknown failure", 1);
  }
  return 0;
}

}  // namespace spinformer::lab
