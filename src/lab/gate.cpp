#include "lab/gate.hpp"

#include <fmt/format.h>

#include <cctype>
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "lab/usage_error.hpp"
#include "lab/verdict.hpp"

namespace spinformer::lab {

std::string chapter_number(const std::string& s) {
  std::size_t end = 0;
  while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
  std::string digits = s.substr(0, end);
  while (digits.size() > 1 && digits[0] == '0') digits.erase(0, 1);
  return digits;
}

namespace {

struct Entry {
  const nlohmann::json* claim;
  std::string chapter;  // its chapter's number
  bool own;             // in the chapters being judged (not context)
};

// Judges every claim once, prerequisites first (memoised depth-first walk).
class Gate {
 public:
  Gate(const std::vector<const nlohmann::json*>& chapters, const std::vector<const nlohmann::json*>& context,
       std::string parameter, bool within_chapter, bool defer_other_chapters = false)
      : parameter_(std::move(parameter)), within_chapter_(within_chapter), defer_(defer_other_chapters) {
    auto index = [&](const nlohmann::json& chapter, bool own) {
      if (!chapter.is_object() || !chapter.contains("claims") || !chapter["claims"].is_array())
        throw UsageError(parameter_, "a claims file needs a 'claims' array");
      const std::string number = chapter_number(chapter.value("chapter", ""));
      for (const auto& c : chapter["claims"]) {
        if (!c.is_object() || !c.contains("id") || !c["id"].is_string())
          throw UsageError(parameter_, "claim without an 'id' string");
        const std::string id = c["id"];
        if (!entries_.emplace(id, Entry{&c, number, own}).second)
          throw UsageError(parameter_, fmt::format("claim {} appears twice", id));
      }
    };
    for (const auto* c : chapters) index(*c, true);
    for (const auto* c : context) index(*c, false);
  }

  // The judgement of claim `id`; within_chapter: prerequisites outside its chapter are skipped.
  const Judgement& judged(const std::string& id) {
    if (auto done = done_.find(id); done != done_.end()) return done->second;
    if (!visiting_.insert(id).second)
      throw UsageError(parameter_, fmt::format("claim {}: its prerequisites form a cycle", id));
    const Entry& e = entries_.at(id);
    const nlohmann::json& claim = *e.claim;
    if (!follows_rule(claim)) {  // old schema: its own verdict, no gate
      visiting_.erase(id);
      return done_[id] = Judgement{claim.value("verdict", "inconclusive"), "", ""};
    }
    std::vector<std::string> prerequisites;
    try {
      prerequisites = prerequisites_of(claim);
    } catch (const std::invalid_argument& ex) {
      throw UsageError(parameter_, fmt::format("claim {}: {}", id, ex.what()));
    }
    std::vector<std::string> controls;
    if (claim.contains("controls"))
      for (const char* k : {"negative", "positive"})
        if (claim["controls"].contains(k))
          for (const auto& c : claim["controls"][k]) controls.push_back(c.get<std::string>());
    std::vector<std::string> failed;
    for (const auto& p : prerequisites) {
      const auto found = entries_.find(p);
      if (found == entries_.end()) {
        if ((within_chapter_ || defer_) && chapter_number(p) != e.chapter) continue;  // checked together
        throw UsageError(parameter_, fmt::format("claim {}: prerequisite {} is not a known claim", id, p));
      }
      if (within_chapter_ && found->second.chapter != e.chapter) continue;
      const bool is_control = std::find(controls.begin(), controls.end(), p) != controls.end();
      if (is_control && found->second.claim->value("kind", "") != "validation")
        throw UsageError(parameter_, fmt::format("claim {}: control {} is not a validation claim", id, p));
      const std::string verdict = judged(p).verdict;
      if (verdict != "reproduced") failed.push_back(fmt::format("{} {}", p, verdict));
    }
    Judgement j = judge(claim, failed);
    // a claim gated by another chapter's prerequisite, judged on its own chapter: keep the stored gate
    if (within_chapter_ && failed.empty() && claim.contains("ungated_verdict") && claim.contains("why_undecided") &&
        !claim.contains("untestable"))
      for (const auto& p : prerequisites)
        if (chapter_number(p) != e.chapter) {
          j = Judgement{claim["verdict"].get<std::string>(), claim["ungated_verdict"].get<std::string>(),
                        claim["why_undecided"].get<std::string>()};
          break;
        }
    visiting_.erase(id);
    return done_[id] = j;
  }

  const std::map<std::string, Entry>& entries() const { return entries_; }

 private:
  std::string parameter_;
  bool within_chapter_, defer_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, Judgement> done_;
  std::set<std::string> visiting_;
};

std::vector<const nlohmann::json*> pointers(const std::vector<nlohmann::json>& v) {
  std::vector<const nlohmann::json*> out;
  for (const auto& x : v) out.push_back(&x);
  return out;
}

}  // namespace

void apply_gate(std::vector<nlohmann::json>& chapters, const std::string& parameter,
                const std::vector<nlohmann::json>& context, bool defer_other_chapters) {
  std::map<std::string, Judgement> results;
  {
    Gate gate(pointers(chapters), pointers(context), parameter, false, defer_other_chapters);
    for (const auto& [id, entry] : gate.entries())
      if (entry.own) results[id] = gate.judged(id);
  }
  for (auto& chapter : chapters)
    for (auto& claim : chapter["claims"]) {
      if (!follows_rule(claim)) continue;
      const Judgement& j = results.at(claim["id"].get<std::string>());
      claim["verdict"] = j.verdict;
      claim.erase("ungated_verdict");
      claim.erase("why_undecided");
      if (!j.ungated_verdict.empty()) claim["ungated_verdict"] = j.ungated_verdict;
      if (!j.why_undecided.empty()) claim["why_undecided"] = j.why_undecided;
    }
}

void check_gate(const std::vector<nlohmann::json>& chapters, const std::string& parameter, bool within_chapter) {
  Gate gate(pointers(chapters), {}, parameter, within_chapter);
  for (const auto& chapter : chapters)
    for (const auto& claim : chapter["claims"]) {
      if (!follows_rule(claim)) continue;
      const std::string id = claim["id"].get<std::string>();
      const Judgement& j = gate.judged(id);
      auto stored = [&](const char* field) { return claim.value(field, std::string()); };
      if (stored("verdict") != j.verdict)
        throw UsageError(parameter, fmt::format("claim {}: verdict '{}' does not follow from its conditions and "
                                                "prerequisites, which give '{}'{}",
                                                id, stored("verdict"), j.verdict,
                                                j.why_undecided.empty() ? "" : " (" + j.why_undecided + ")"));
      if (stored("ungated_verdict") != j.ungated_verdict || stored("why_undecided") != j.why_undecided)
        throw UsageError(parameter, fmt::format("claim {}: 'ungated_verdict' / 'why_undecided' are not what its "
                                                "conditions and prerequisites give ('{}' / '{}')",
                                                id, j.ungated_verdict, j.why_undecided));
    }
}

}  // namespace spinformer::lab
