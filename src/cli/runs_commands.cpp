// spinformer runs compare|replicate|summary|provenance: does a rerun agree with another run, or with the published data?
#include <cmath>
#include <filesystem>
#include <sstream>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "lab/atomic_file.hpp"
#include "lab/replication.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {

namespace {

void require_directory(const std::string& path, const std::string& parameter) {
  if (!std::filesystem::is_directory(path)) throw lab::UsageError(parameter, fmt::format("no directory '{}'", path));
}

// A JSON object from a regular file of at most 64 MiB: anything else (missing, a directory, a device,
// not JSON, an array) is a UsageError naming the parameter.
nlohmann::json read_json_object(const std::string& file, const std::string& parameter) {
  const std::string text = lab::read_file(file, parameter);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw lab::UsageError(parameter, fmt::format("'{}' is not a JSON object", file));
  return j;
}

// A field of a JSON object, or fallback when absent; a field of another type is a UsageError.
template <class T>
T field(const nlohmann::json& j, const char* key, T fallback, const std::string& file, const std::string& parameter) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  try {
    return j[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    throw lab::UsageError(parameter, fmt::format("'{}': field '{}' has the wrong type", file, key));
  }
}

constexpr long kMaxCount = std::numeric_limits<long>::max();

// A count of a replication report: a non-negative integer that fits a long (1e30, 2.5, -1 and
// 2^63 are refused, not wrapped), 0 when absent.
long count_field(const nlohmann::json& j, const char* key, const std::string& file) {
  if (!j.contains(key) || j[key].is_null()) return 0;
  const auto& v = j[key];
  const bool fits = (v.is_number_unsigned() && v.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxCount)) ||
                    (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() >= 0);
  if (!fits)
    throw lab::UsageError("reports", fmt::format("'{}': {} = {} is not a count (an integer in [0, {}])", file, key,
                                                 v.dump(), kMaxCount));
  return static_cast<long>(v.is_number_unsigned() ? static_cast<std::int64_t>(v.get<std::uint64_t>()) : v.get<std::int64_t>());
}

}  // namespace

void add_runs_commands(CLI::App& app) {
  auto* runs = app.add_subcommand("runs", "compare a chapter's outputs with another run or with the committed data");
  runs->require_subcommand(1);

  auto* compare = runs->add_subcommand("compare", "exact comparison of two output directories, timing and provenance "
                                                  "(code_hash, provenance.json, restamps.tsv) aside (exit 0: the same "
                                                  "results, 1: different)");
  static std::string a, b;
  compare->add_option("--a", a, "first output directory")->required();
  compare->add_option("--b", b, "second output directory")->required();
  compare->callback([] {
    require_directory(a, "--a");
    require_directory(b, "--b");
    const auto diffs = lab::compare_runs(a, b);
    // where the data came from (a rerun against the committed data differs here by design): said, not failed
    for (const auto& d : lab::compare_provenance(a, b)) fmt::print("provenance, not results: {}\n", d);
    if (diffs.empty()) {
      fmt::print("the same results (timing and provenance aside): {} and {}\n", a, b);
      return;
    }
    for (const auto& d : diffs) fmt::print("differs: {}\n", d);
    throw std::runtime_error(fmt::format("{} file(s) differ", diffs.size()));
  });

  auto* replicate = runs->add_subcommand("replicate", "statistical comparison of a rerun with the committed data: "
                                                      "writes replication.json and prints a summary");
  static std::string committed, rerun, out, chapter = "chapter";
  replicate->add_option("--committed", committed, "the committed data (chapters/NN-slug/data)")->required();
  replicate->add_option("--rerun", rerun, "the rerun's output directory")->required();
  replicate->add_option("--out", out, "replication.json to write")->required();
  replicate->add_option("--chapter", chapter, "label for the summary lines");
  replicate->callback([] {
    require_directory(committed, "--committed");
    require_directory(rerun, "--rerun");
    lab::require_writable(out, "--out");
    const auto r = lab::replicate(committed, rerun);
    lab::write_file_atomically(out, r.to_json().dump(2) + "\n", "--out");
    fmt::print("{}", r.summary(chapter));
    // Numbers outside z <= 3 are expected now and then, and a changed verdict is printed above; a rerun
    // that lacks part of the committed data did not replicate it.
    if (!r.missing.empty())
      throw std::runtime_error(fmt::format("the rerun lacks {} part(s) of the committed data (listed above and in {})",
                                           r.missing.size(), out));
  });

  auto* summary = runs->add_subcommand("summary", "one summary of several replication.json files");
  static std::vector<std::string> reports;
  summary->add_option("reports", reports, "replication.json files");
  summary->callback([] {
    long numbers = 0, agree = 0, changed = 0, missing = 0;
    std::string text;  // printed only when every report has been read
    for (const auto& file : reports) {
      const nlohmann::json j = read_json_object(file, "reports");
      const std::string chapter = std::filesystem::path(file).parent_path().filename().string();
      const long n = count_field(j, "numbers", file), a = count_field(j, "agree", file);
      if (a > n) throw lab::UsageError("reports", fmt::format("'{}': agree = {} exceeds numbers = {}", file, a, n));
      const auto verdicts = field<nlohmann::json>(j, "verdicts_changed", nlohmann::json::array(), file, "reports");
      if (!verdicts.is_array()) throw lab::UsageError("reports", fmt::format("'{}': verdicts_changed is not a list", file));
      const auto lacks = field<nlohmann::json>(j, "missing", nlohmann::json::array(), file, "reports");
      if (!lacks.is_array()) throw lab::UsageError("reports", fmt::format("'{}': missing is not a list", file));
      if (__builtin_add_overflow(numbers, n, &numbers) || __builtin_add_overflow(agree, a, &agree))
        throw lab::UsageError("reports", fmt::format("'{}': the counts add up beyond {}", file, kMaxCount));
      changed += static_cast<long>(verdicts.size());
      missing += static_cast<long>(lacks.size());
      text += fmt::format("{}: {}/{} numbers agree; verdicts changed: {}{}\n", chapter, a, n,
                          verdicts.empty() ? "none" : verdicts.dump(),
                          lacks.empty() ? "" : fmt::format("; missing in the rerun: {}", lacks.dump()));
    }
    const bool read_above = changed > 0 || missing > 0;
    fmt::print("{}replication summary: {} chapter(s) rerun, {}/{} numbers agree with the committed data, {} verdict(s) "
               "changed{}{}\n", text, reports.size(), agree, numbers, changed,
               missing ? fmt::format(", {} part(s) of the committed data missing in the reruns", missing) : "",
               read_above ? "  <-- READ THE LINES ABOVE" : "");
  });

  auto* provenance = runs->add_subcommand("provenance", "the paper's section on where its numbers come from");
  static std::vector<std::string> stamps;
  static std::string runs_dir, prov_out;
  provenance->add_option("stamps", stamps, "chapters/NN-slug/data/provenance.json files");
  provenance->add_option("--runs", runs_dir, "the build's output root (build/<profile>): chapters rerun here")->required();
  provenance->add_option("--out", prov_out, "Markdown file to write")->required();
  provenance->callback([] {
    require_directory(runs_dir, "--runs");
    lab::require_writable(prov_out, "--out");
    std::string md = "# Where the numbers come from {.unnumbered}\n\n"
                     "Each chapter's figures and numbers are drawn from its data. The committed data were produced "
                     "by the commit and machine below; `make paper` reads them when the sources that compute a "
                     "chapter's numbers are unchanged (same code hash) and reruns the chapter otherwise.\n\n"
                     "| chapter | data of this PDF | commit | machine | date | wall time |\n|---|---|---|---|---|---|\n";
    for (const auto& file : stamps) {
      const nlohmann::json j = read_json_object(file, "stamps");
      const auto text = [&](const char* key) { return field<std::string>(j, key, "?", file, "stamps"); };
      const std::string ch = text("chapter");
      if (ch.find('/') != std::string::npos || ch == "." || ch == "..")
        throw lab::UsageError("stamps", fmt::format("'{}': chapter '{}' is not a chapter name", file, ch));
      const bool rerun = std::filesystem::exists(std::filesystem::path(runs_dir) / ch / "results.json") &&
                         !std::filesystem::exists(std::filesystem::path(runs_dir) / ch / ".from-committed-data");
      const auto wall = j.contains("wall_s") && j["wall_s"].is_number() && std::isfinite(j["wall_s"].get<double>())
                            ? fmt::format("{:.1f} min", j["wall_s"].get<double>() / 60) : std::string("–");
      md += fmt::format("| {} | {} | `{}` | {} | {} | {} |\n", ch, rerun ? "rerun in this build" : "committed",
                        text("commit").substr(0, 12), text("machine") + ", " + field<std::string>(j, "cpu", "", file, "stamps"),
                        text("date"), wall);
    }
    if (stamps.empty()) md += "| (no committed data yet) | | | | | |\n";
    // Data re-stamped by scripts/restamp-data (a change to counted sources whose quick profile gave
    // the same results) say so: the stamp then vouches for sources other than those that ran.
    std::string restamped;
    for (const auto& file : stamps) {
      const auto log = std::filesystem::path(file).parent_path() / "restamps.tsv";
      if (!std::filesystem::exists(log)) continue;
      std::istringstream lines(lab::read_file(log.string(), "stamps"));
      for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> f;
        for (std::size_t begin = 0, tab;; begin = tab + 1) {
          tab = line.find('\t', begin);
          f.push_back(line.substr(begin, tab == std::string::npos ? std::string::npos : tab - begin));
          if (tab == std::string::npos) break;
        }
        if (f.size() != 5) throw lab::UsageError("stamps", fmt::format("'{}': a line without 5 fields", log.string()));
        restamped += fmt::format("- {}: code hash `{}` -> `{}` on {} (commit `{}`): {}\n",
                                 std::filesystem::path(file).parent_path().parent_path().filename().string(),
                                 f[0].substr(0, 12), f[1].substr(0, 12), f[2], f[3].substr(0, 12), f[4]);
      }
    }
    if (!restamped.empty())
      md += "\nRe-stamped data: these chapters' sources changed after their data were made, in ways that "
            "left their numbers alone (the quick profile, run by the old and the new build from empty job caches, "
            "gave the same results), so their data carry the new code hash instead of being rerun:\n\n" + restamped;
    lab::write_file_atomically(prov_out, md, "--out");
  });
}

}  // namespace spinformer::cli
