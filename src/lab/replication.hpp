#pragma once
// Does a rerun agree with the published numbers? Two comparisons of a chapter's output directory:
// - compare_runs: exact, for runs that must give the same bytes (one process against MPI ranks, a
//   resumed run against an uninterrupted one); timing fields aside.
// - replicate: statistical, a rerun (any machine) against the committed data. Numbers quoted with an
//   error ("a ± e" in results.json, a column with a *_err partner in a table) agree when
//   z = |new - old| / sqrt(err_new^2 + err_old^2) <= 3; numbers without an error (exact values,
//   counts, settings) agree when equal to a relative 1e-9; and every claim's verdict is compared.
//   Whatever the committed data have and the rerun lacks (a table, a column, rows, a results.json key,
//   a claim) is a disagreement: listed under "missing", and its numbers counted as disagreeing.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace spinformer::lab {

// Fields that measure time or place rather than results: wall_time_s, finished_at, data_file, git_commit,
// workers, and keys and columns ending in _s, _ms, _minutes, also before a size index (core_s_256).
bool timing_field(const std::string& name);

// Files that say where data came from, not what they are: code_hash, provenance.json, restamps.tsv
// (the committed data carry them; a fresh run has none, or others).
bool provenance_file(const std::string& name);

// The differences between two run directories' results (empty: the same results), one line each;
// provenance files aside.
std::vector<std::string> compare_runs(const std::filesystem::path& a, const std::filesystem::path& b);
// The provenance files that differ or exist on one side only, one line each: reported, never a
// difference of results.
std::vector<std::string> compare_provenance(const std::filesystem::path& a, const std::filesystem::path& b);

struct Replication {
  long numbers = 0, agree = 0;
  nlohmann::json verdicts_changed = nlohmann::json::array();  // [{"id", "committed", "rerun"}]
  nlohmann::json worst = nlohmann::json::object();            // the least agreeing number
  nlohmann::json disagreements = nlohmann::json::array();     // up to 20 of them
  // [{"where", "what"}]: what the committed data have and the rerun lacks (each also a disagreement;
  // a claim also a changed verdict, to "(missing)")
  nlohmann::json missing = nlohmann::json::array();
  // [{"where", "what"}]: tables, columns, rows, keys and claims only in the rerun. Reported, not a
  // disagreement: a rerun of changed sources may add outputs, and there is nothing to compare them with.
  nlohmann::json extra = nlohmann::json::array();
  // The profiles of the two runs (results.json "profile") when they differ: a quick rerun against paper
  // data compares other sizes, so its disagreements and changed verdicts are expected, not evidence.
  std::string committed_profile, rerun_profile;
  bool profiles_differ() const { return committed_profile != rerun_profile; }
  nlohmann::json to_json() const;
  std::string summary(const std::string& chapter) const;      // a few lines for the end of a run
};

// Both directories must hold a readable results.json (a JSON object) and claims.json (a "claims"
// array of objects with "id" and "verdict" strings): otherwise UsageError("--committed" or "--rerun")
// naming the file, never a report that finds nothing to compare.
Replication replicate(const std::filesystem::path& committed, const std::filesystem::path& rerun);

}  // namespace spinformer::lab
