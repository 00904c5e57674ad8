#pragma once
// Chapter text and the claims table are generated from measured data, never typed by hand.
#include <cstddef>
#include <functional>
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

// Validates a chapter's claims (UsageError(parameter) as validate_claims) and writes them to `file`
// atomically as indented JSON with a final newline.
void write_claims(const std::string& file, const nlohmann::json& claims, const std::string& parameter);

// One Markdown pipe table of all claims, in the order given.
std::string claims_markdown(const std::vector<nlohmann::json>& chapters);

// ---- helpers the chapter programs share -----------------------------------------------------------

// true for "quick", false for "paper"; anything else throws UsageError("--profile").
bool quick_profile(const std::string& name);

// A parameter value as a key or a word of text: 0.5 -> "0.5", 1.0 -> "1", 31.6227766016838 -> "31.6228".
std::string format_key(double x);

// Values as format_key writes them, separated by single spaces (for gnuplot's word lists).
std::string format_keys(const std::vector<double>& values);

// 50000 -> "50,000".
std::string format_thousands(std::size_t n);

// The verdict of a claim that must hold at every one of `total` points:
// all -> "reproduced", none -> "not reproduced", otherwise "partly".
std::string verdict_from_counts(std::size_t held, std::size_t total);

// "none" when empty, else prefix followed by the items joined with ", " ("T = 0.5, 2").
std::string list_or_none(const std::vector<std::string>& items, const std::string& prefix = "T = ");

// Which errors run_chapter turns into an exit status.
enum class ChapterErrors {
  usage,  // UsageError -> one line on stderr, exit 2; anything else escapes
  all,    // also any other std::exception -> one line on stderr, exit 1
};

// Runs a chapter program's body: "<name>: error: <what>" on stderr and exit status 2 for a UsageError
// (and 1 for another std::exception when errors is ChapterErrors::all); 0 when the body returns.
int run_chapter(const std::string& name, const std::function<void()>& body, ChapterErrors errors = ChapterErrors::usage);

}  // namespace spinformer::lab
