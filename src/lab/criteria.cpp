#include "lab/criteria.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <regex>

#include "lab/usage_error.hpp"
#include "lab/verdict.hpp"

namespace spinformer::lab {

namespace {

const nlohmann::json* find_id(const nlohmann::json& criteria, const std::string& id) {
  for (const auto& c : criteria.at("criteria"))
    if (c.at("id") == id) return &c;
  return nullptr;
}

}  // namespace

std::string criterion_hash(const nlohmann::json& criterion) {
  nlohmann::json copy = criterion;
  copy.erase("hash");
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a 64: stable across machines, unlike std::hash
  for (unsigned char ch : copy.dump()) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

nlohmann::json criteria_of(const nlohmann::json& chapter_claims) {
  nlohmann::json out = {{"chapter", chapter_claims.value("chapter", "")}, {"criteria", nlohmann::json::array()}};
  for (const auto& c : chapter_claims.at("claims")) {
    if (!follows_rule(c)) continue;
    nlohmann::json k = {{"id", c.at("id")}, {"kind", c.value("kind", "")}, {"conditions", nlohmann::json::array()}};
    for (const auto& cond : c.at("conditions")) {
      nlohmann::json x = {{"label", cond.at("label")},
                          {"statistic", cond.at("statistic")},
                          {"direction", cond.at("direction")},
                          {"threshold", cond.at("threshold")}};
      if (cond.contains("convergence")) x["convergence"] = cond["convergence"].value("check", "");
      k["conditions"].push_back(x);
    }
    const bool bonferroni = c.contains("coverage");
    k["family_wise"] = bonferroni ? c["coverage"].value("method", "Bonferroni") : c.value("family_wise", "undeclared");
    k["family_alpha"] = bonferroni ? nlohmann::json(c["coverage"].value("family_alpha", 0.05)) : nlohmann::json(nullptr);
    k["level"] = bonferroni ? nlohmann::json(c["coverage"].value("per_condition_level", 0.0)) : nlohmann::json(nullptr);
    k["requires"] = c.value("requires", nlohmann::json::array());
    if (c.contains("controls")) k["controls"] = c["controls"];
    if (c.contains("untestable")) k["untestable"] = c["untestable"];
    k["hash"] = criterion_hash(k);
    out["criteria"].push_back(k);
  }
  return out;
}

void validate_history(const nlohmann::json& history, const std::string& parameter) {
  if (!history.is_object() || !history.contains("entries") || !history["entries"].is_array())
    throw UsageError(parameter, "a criteria history needs an 'entries' array");
  static const std::regex date(R"(\d{4}-\d{2}-\d{2})");
  for (const auto& e : history["entries"]) {
    for (const char* field : {"date", "claim", "what", "why", "verdict_before", "criterion_hash"})
      if (!e.is_object() || !e.contains(field) || !e[field].is_string())
        throw UsageError(parameter, fmt::format("a history entry without a '{}' string", field));
    if (!std::regex_match(e["date"].get<std::string>(), date))
      throw UsageError(parameter, fmt::format("claim {}: date '{}' is not YYYY-MM-DD", e["claim"].get<std::string>(),
                                              e["date"].get<std::string>()));
    if (!e.contains("after_data") || !e["after_data"].is_boolean())
      throw UsageError(parameter, fmt::format("claim {}: 'after_data' is not true or false", e["claim"].get<std::string>()));
  }
}

std::vector<std::string> changed_criteria(const nlohmann::json& committed, const nlohmann::json& run) {
  std::vector<std::string> out;
  for (const auto& old : committed.at("criteria")) {
    const std::string id = old.at("id");
    const nlohmann::json* now = find_id(run, id);
    if (now == nullptr || criterion_hash(*now) != criterion_hash(old)) out.push_back(id);
  }
  return out;
}

void require_history(const nlohmann::json& committed, const nlohmann::json& run, const nlohmann::json& history,
                     const std::string& parameter) {
  validate_history(history, parameter);
  std::vector<std::string> missing;
  for (const auto& id : changed_criteria(committed, run)) {
    const nlohmann::json* now = find_id(run, id);
    const std::string hash = now == nullptr ? "" : criterion_hash(*now);
    const bool covered = std::any_of(history["entries"].begin(), history["entries"].end(), [&](const auto& e) {
      return e["claim"] == id && e["criterion_hash"] == hash;
    });
    if (!covered) missing.push_back(id);
  }
  if (!missing.empty())
    throw UsageError(parameter, fmt::format("criterion of claim{} {} changed since the committed criteria without a "
                                            "dated entry in the criteria history (what changed, why, the verdict before)",
                                            missing.size() > 1 ? "s" : "", fmt::join(missing, ", ")));
}

void mark_changed_criteria(nlohmann::json& chapter_claims, const nlohmann::json& history) {
  // per claim: its first after-data change (the verdict under the criterion first declared) and how many
  std::map<std::string, std::pair<const nlohmann::json*, int>> first;
  for (const auto& e : history.at("entries"))
    if (e.value("after_data", false)) {
      auto& [entry, count] = first[e.at("claim").get<std::string>()];
      if (entry == nullptr || e.at("date").get<std::string>() < entry->at("date").get<std::string>()) entry = &e;
      ++count;
    }
  for (auto& c : chapter_claims.at("claims")) {
    c.erase("criterion_changed");
    const auto it = first.find(c.value("id", ""));
    if (it == first.end()) continue;
    const auto& [entry, count] = it->second;
    c["criterion_changed"] = {{"date", entry->at("date")}, {"before", entry->at("verdict_before")},
                              {"what", entry->at("what")}, {"changes", count}};
  }
}

}  // namespace spinformer::lab
