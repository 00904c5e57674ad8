#pragma once
// Chapter text and the claims table are generated from measured data, never typed by hand.
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace spinformer::lab {

// Replaces every {{key}} in text by values[key] (strings as they are, numbers with 4 significant
// digits); a dotted key that is not itself a key walks nested objects ({{config.L}}: values["config"]["L"]).
// An unknown key throws UsageError("--values") naming it, so text cannot go stale silently.
// Integers print in full (also beyond 2^63 - 1); a value that is null, a list or an object throws
// UsageError("--values") naming its key.
std::string fill_template(const std::string& text, const nlohmann::json& values);

// The keys of the {{key}} placeholders in text (report fill warns of values the text never uses).
std::set<std::string> template_keys(const std::string& text);

// Text as one cell of a Markdown pipe table: a pipe escaped once (one its author escaped stays as it
// is), line breaks as spaces, and "<!--" as "&lt;!--", so that no cell can open an HTML comment or
// forge the README's claims markers.
std::string table_cell(const std::string& text);

// A chapter's claims file: {"chapter": "00-ising-chain", "title": "...", "claims": [...]}. Each claim
// has the verdict rule's schema (lab/verdict.hpp): {"id", "kind", "claim", "verdict", "conditions":
// [{"label", "statistic", "estimate", "lower", "upper", "direction", "threshold"}, ...]} and optional
// "short", "source", "criterion", "measured", "coverage"; its verdict is recomputed from the
// conditions and must match. A chapter not yet converted may still write the old schema
// {"id", "claim", "source", "measured", "criterion", "verdict"} (optionally with "kind"); it is
// accepted and shown in the tables as "rule not yet applied".
// Throws UsageError(parameter) when a field is missing, malformed, or a verdict does not follow
// (the gate applied with the prerequisites of the same chapter; see validate_claims_together).
void validate_claims(const nlohmann::json& claims, const std::string& parameter);

// All chapters' claims together: each validated as above, and every verdict recomputed with the gate
// across chapters (lab/gate.hpp): a prerequisite that names no claim of any chapter is an error.
void validate_claims_together(const std::vector<nlohmann::json>& chapters, const std::string& parameter);

// Why a claim is undecided, in words, for the tables' "Why undecided" column: its stored
// "why_undecided" (prerequisites, power, convergence); for an inconclusive claim without one, the
// seeds (or samples) that would decide its first undecided condition at the observed spread; and a
// criterion changed after the data ("criterion changed after data (date); before: not reproduced").
// "" for a decided claim with nothing to say.
std::string why_undecided_text(const nlohmann::json& claim);

// Validates a chapter's claims (UsageError(parameter) as validate_claims) and writes them to `file`
// atomically as indented JSON with a final newline.
void write_claims(const std::string& file, const nlohmann::json& claims, const std::string& parameter);

// "source", "reference" or "validation": the claim's "kind", or for an old-schema claim without one,
// "reference" when its source names a reference sheet, "validation" when its wording starts with
// "Validation", else "source".
std::string claim_kind(const nlohmann::json& claim);

// One Markdown pipe table of the given chapters' claims with their full wording, source, measured
// values, criterion and verdict (a rule-schema claim shows its deciding number as measured). Chapters
// not yet on the verdict rule use it for their own claims section; converted chapters use
// claim_details_markdown, which also lists every condition.
std::string claims_markdown(const std::vector<nlohmann::json>& chapters);

// The paper's opening tables: one compact Markdown table per kind (claims of the source documents,
// of the reference sheets, the project's own validations), one line per claim: id, the claim in a
// few words, verdict, the deciding number. Kinds without claims are left out; old-schema verdicts
// carry a dagger and a footnote.
std::string claims_summary_markdown(const std::vector<nlohmann::json>& chapters);

// A chapter's own claims section: per claim its full wording, source, criterion, verdict, where it
// holds and fails, and a table of its conditions with intervals, thresholds and statuses.
std::string claim_details_markdown(const nlohmann::json& chapter);

// ---- helpers the chapter programs share -----------------------------------------------------------

// true for "quick", false for "paper"; anything else throws UsageError("--profile").
bool quick_profile(const std::string& name);

// A parameter value as a key or a word of text: 0.5 -> "0.5", 1.0 -> "1", 31.6227766016838 -> "31.6228".
std::string format_key(double x);

// Values as format_key writes them, separated by single spaces (for gnuplot's word lists).
std::string format_keys(const std::vector<double>& values);

// 50000 -> "50,000".
std::string format_thousands(std::size_t n);

// The old schema's verdict of a claim that must hold at every one of `total` points: all ->
// "reproduced", none -> "not reproduced", otherwise "partly". It ignores uncertainties; chapters
// converted to the verdict rule use lab::Claim (lab/verdict.hpp) instead.
std::string verdict_from_counts(std::size_t held, std::size_t total);

// "none" when empty, else prefix followed by the items joined with ", " ("T = 0.5, 2").
std::string list_or_none(const std::vector<std::string>& items, const std::string& prefix = "T = ");

// Kept for callers that still name it: run_chapter now turns every error into an exit status.
enum class ChapterErrors {
  usage,
  all,
};

// Runs a chapter program's body: "<name>: error: <what>" (one line) on stderr and exit status 2 for a
// UsageError, 1 for any other failure (a full disk, a corrupted file, out of memory); 0 when the body
// returns. Nothing ends in std::terminate.
int run_chapter(const std::string& name, const std::function<void()>& body, ChapterErrors errors = ChapterErrors::all);

}  // namespace spinformer::lab
