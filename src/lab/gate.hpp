#pragma once
// The gate: a claim is only as good as the instrument that measured it. A claim lists the validation
// claims its instrument rests on ("requires": ["4.5", "4.9"], possibly of other chapters) and its
// controls ("controls": {"negative": [...], "positive": [...]}, validation claims run by the same code
// and criterion where the answer is known by construction). Unless every one of these prerequisites is
// reproduced (after its own gate), the claim is inconclusive whatever its conditions say, and carries
//   "ungated_verdict": what its conditions alone give,
//   "why_undecided":   "instrument not validated: 4.5 inconclusive, 4.9 inconclusive".
// Every recomputation of verdicts applies it: lab::Claims::to_json (a chapter's run), validate_claims
// (within a chapter) and validate_claims_together (all chapters: `spinformer report claims`).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace spinformer::lab {

// Recomputes "verdict", "ungated_verdict" and "why_undecided" of every claim of the chapters (claims
// files {"chapter", "claims": [...]}) by the rule and the gate. Prerequisites are looked up among the
// chapters and the context chapters (read, not changed). Throws UsageError(parameter) for an unknown
// id, an id claimed twice, a control that is not a validation claim, or prerequisites in a cycle.
// defer_other_chapters: an id of another chapter that is in neither is skipped instead (a chapter run
// without the other chapter's output; `spinformer report claims` then checks it with all chapters).
void apply_gate(std::vector<nlohmann::json>& chapters, const std::string& parameter,
                const std::vector<nlohmann::json>& context = {}, bool defer_other_chapters = false);

// The same check without changing anything: throws UsageError(parameter) naming the first claim whose
// stored verdict, ungated_verdict or why_undecided differs from the recomputed ones.
// within_chapter: only prerequisites of the claim's own chapter are resolved (a chapter's file on its
// own); a claim naming another chapter's claim is then checked by the rule alone, and an id of the
// same chapter that is not there is still an error. Otherwise every id must resolve.
void check_gate(const std::vector<nlohmann::json>& chapters, const std::string& parameter, bool within_chapter);

// The chapter number a claim id or a chapter name starts with: "4.10" -> "4", "04-rsb-phase-diagram" -> "4".
std::string chapter_number(const std::string& id_or_chapter);

}  // namespace spinformer::lab
