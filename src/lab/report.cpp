#include "lab/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <exception>
#include <new>
#include <set>

#include "lab/atomic_file.hpp"
#include "lab/gate.hpp"
#include "lab/intervals.hpp"
#include "lab/usage_error.hpp"
#include "lab/verdict.hpp"

namespace spinformer::lab {

namespace {

// values[key], or for a dotted key that is not itself a key ("config.L") the member path through
// nested objects; UsageError("--values") naming the key when there is none.
const nlohmann::json& template_value(const nlohmann::json& values, const std::string& key) {
  if (values.contains(key)) return values.at(key);
  const nlohmann::json* value = &values;
  for (std::size_t begin = 0; value;) {
    const std::size_t dot = key.find('.', begin);
    const std::string part = key.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
    value = value->is_object() && value->contains(part) ? &value->at(part) : nullptr;
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  if (!value) throw UsageError("--values", fmt::format("no value for '{{{{{}}}}}'", key));
  return *value;
}

}  // namespace

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
    const auto& value = template_value(values, key);
    if (value.is_string()) out += value.get<std::string>();
    else if (value.is_number_unsigned()) out += std::to_string(value.get<std::uint64_t>());  // beyond 2^63 - 1 too
    else if (value.is_number_integer()) out += std::to_string(value.get<std::int64_t>());
    else if (value.is_number()) out += fmt::format("{:.4g}", value.get<double>());
    else if (value.is_boolean()) out += value.dump();
    else  // null, a list or an object is no word of text: a chapter that wrote one has a bug to show
      throw UsageError("--values", fmt::format("'{}' is {}, not a value to print", key,
                                               value.is_null() ? "null" : value.is_array() ? "a list" : "an object"));
    pos = close + 2;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

std::set<std::string> template_keys(const std::string& text) {
  std::set<std::string> keys;
  for (std::size_t open = text.find("{{"); open != std::string::npos; open = text.find("{{", open + 2)) {
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    keys.insert(text.substr(open + 2, close - open - 2));
    open = close;
  }
  return keys;
}

std::string table_cell(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\\' && i + 1 < text.size() && text[i + 1] == '|') {
      out += "\\|";  // already escaped by its author: escaping it again would leave a bare pipe
      ++i;
    } else if (ch == '|') {
      out += "\\|";
    } else if (ch == '\n' || ch == '\r') {
      out += ' ';
    } else if (ch == '<' && text.compare(i, 4, "<!--") == 0) {
      out += "&lt;!--";  // an HTML comment opener could end the README's claims markers' section
      i += 3;
    } else {
      out += ch;
    }
  }
  return out;
}

namespace {

std::string cell(const std::string& s) { return table_cell(s); }

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

// The first undecided condition of an inconclusive claim and the seeds (or samples) that would decide
// it at the observed spread: the interval's half-width on the side facing the threshold against the
// estimate's distance from it (for a band, from the nearer edge).
std::string seeds_to_decide(const nlohmann::json& claim) {
  const auto statuses = condition_statuses(claim);
  const double level = claim.contains("coverage") ? claim["coverage"].value("per_condition_level", 0.95) : 0.95;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i] != ConditionStatus::undecided) continue;
    const auto& k = claim["conditions"][i];
    const double est = k["estimate"], lo = k["lower"], hi = k["upper"];
    double t = 0;
    if (k["direction"] == "within") {
      const double a = k["threshold"][0], b = k["threshold"][1];
      t = est < a ? a : est > b ? b : (est - a < b - est ? a : b);
    } else {
      t = k["threshold"];
    }
    const double half = t < est ? est - lo : hi - est;
    const std::size_t n = k.value("replicates", std::size_t{0});
    const std::size_t m = replicates_to_decide(half, std::abs(est - t), n, level > 0 && level < 1 ? level : 0.95);
    if (m == 0) return fmt::format("seeds: {}: the estimate sits on the threshold", k["label"].get<std::string>());
    if (n >= 2) return fmt::format("seeds: {}: about {} at the observed spread (now {})", k["label"].get<std::string>(), m, n);
    return fmt::format("seeds: {}: about {}x the seeds or samples at the observed spread",
                       k["label"].get<std::string>(), m);
  }
  return "";
}

// Why an inconclusive claim is undecided: its stored reason, else the seeds that would decide it.
std::string undecided_reason(const nlohmann::json& c) {
  if (c.contains("why_undecided") && c["why_undecided"].is_string()) return c["why_undecided"];
  if (follows_rule(c) && c.value("verdict", "") == "inconclusive") return seeds_to_decide(c);
  return "";
}

// "criterion changed after data (2026-11-29, 2 changes); before: not reproduced", or "".
std::string criterion_mark(const nlohmann::json& c) {
  if (!c.contains("criterion_changed") || !c["criterion_changed"].is_object()) return "";
  const auto& k = c["criterion_changed"];
  const int changes = k.value("changes", 1);
  return fmt::format("criterion changed after data ({}{}); before: {}", k.value("date", "?"),
                     changes > 1 ? fmt::format(", {} changes", changes) : std::string(), k.value("before", "?"));
}

// The compact table's column: the reason cut to a few words, the changed-criterion mark whole.
std::string compact_why(const nlohmann::json& c) {
  std::string out = first_words(undecided_reason(c), 100);
  if (const std::string mark = criterion_mark(c); !mark.empty()) out += (out.empty() ? "" : "; ") + mark;
  return out;
}

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
  check_gate(std::vector<nlohmann::json>(1, claims), parameter, true);
}

void validate_claims_together(const std::vector<nlohmann::json>& chapters, const std::string& parameter) {
  for (const auto& chapter : chapters) validate_claims(chapter, parameter);
  check_gate(chapters, parameter, false);
}

std::string why_undecided_text(const nlohmann::json& c) {
  std::string out;
  for (const auto& p : {undecided_reason(c), criterion_mark(c)})
    if (!p.empty()) out += (out.empty() ? "" : "; ") + p;
  return out;
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
  std::string out = "| # | Claim (source) | Measured | Criterion | Verdict | Why undecided |\n"
      // the dashes set the relative column widths of the PDF table
      "|---|------------------------------|------------------------------------|----------------------|----------|"
      "------------------|\n";
  for (const auto& chapter : chapters)
    for (const auto& c : chapter["claims"])
      out += fmt::format("| {} | {} ({}) | {} | {} | **{}** | {} |\n", cell(c["id"]), cell(c["claim"]),
                         cell(text_or(c, "source", "")),
                         cell(follows_rule(c) ? deciding_number(c) : text_or(c, "measured", "")),
                         cell(text_or(c, "criterion", "")), cell(c["verdict"]), cell(why_undecided_text(c)));
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
        rows += fmt::format("| {} | {} | **{}**{} | {} | {} |\n", cell(c["id"]),
                            cell(first_words(text_or(c, "short", c["claim"]), 90)), cell(c["verdict"]),
                            rule ? "" : kDagger,
                            cell(rule ? deciding_number(c) : first_words(text_or(c, "measured", ""), 120)),
                            cell(compact_why(c)));
      }
    if (rows.empty()) continue;
    // the dashes set the relative column widths of the PDF table
    out += fmt::format("**{}.**\n\n| # | Claim | Verdict | Deciding number | Why undecided |\n"
                       "|---|------------------------------|--------------|----------------------------------------|"
                       "------------------------|\n"
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
    if (c.contains("ungated_verdict")) out += fmt::format(" (its conditions alone: {})", c["ungated_verdict"].get<std::string>());
    if (const std::string why = undecided_reason(c); !why.empty()) out += fmt::format("; why undecided: {}", why);
    if (const std::string mark = criterion_mark(c); !mark.empty()) out += fmt::format("; {}", mark);
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
