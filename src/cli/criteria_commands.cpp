// spinformer report criteria write|check, report gate: criteria frozen before the run (lab/criteria.hpp)
// and the prerequisite gate applied to committed claims (lab/gate.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "lab/atomic_file.hpp"
#include "lab/criteria.hpp"
#include "lab/gate.hpp"
#include "lab/report.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {
namespace {

namespace fs = std::filesystem;

std::string dumped(const nlohmann::json& j) { return j.dump(2) + "\n"; }

// The chapter directory chapters/NN-slug for the run directory chNN, or "" when there is none.
std::string chapter_dir(const std::string& chapters, const std::string& nn) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(chapters))
    if (e.is_directory() && e.path().filename().string().rfind(nn + "-", 0) == 0) found.push_back(e.path().string());
  std::sort(found.begin(), found.end());
  return found.empty() ? std::string() : found.front();
}

nlohmann::json history_of(const std::string& dir) {
  const std::string path = dir + "/criteria-history.json";
  if (!fs::exists(path)) return {{"entries", nlohmann::json::array()}};
  auto h = read_json(path, "criteria history");
  lab::validate_history(h, fmt::format("criteria history '{}'", path));
  return h;
}

// "3.1a" and "3_1a" and "31a" are the same key suffix: results.json spells claim ids all three ways.
std::string squashed(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '.' || c == '_'; }), s.end());
  return s;
}

// The values of a chapter's results.json that quote its claims, brought in line with the claims:
// "claims_json", every "verdict_<id>", the rendered "claims_table" (in the form the chapter renders it)
// and a "verdict_changes" table's "now" column.
void update_results(nlohmann::json& results, const nlohmann::json& claims) {
  std::map<std::string, std::string> verdicts;
  for (const auto& c : claims["claims"]) verdicts[squashed(c["id"].get<std::string>())] = c["verdict"].get<std::string>();
  if (results.contains("claims_json")) results["claims_json"] = claims;
  for (auto& [key, value] : results.items()) {
    if (key.rfind("verdict_", 0) != 0 || !value.is_string() || key == "verdict_changes") continue;
    const auto it = verdicts.find(squashed(key.substr(8)));
    if (it != verdicts.end()) value = it->second;
  }
  if (results.contains("claims_table") && results["claims_table"].is_string()) {
    const bool pipe_table = results["claims_table"].get<std::string>().rfind("| # |", 0) == 0;
    results["claims_table"] = pipe_table ? lab::claims_markdown({claims}) : lab::claim_details_markdown(claims);
  }
  if (results.contains("verdict_changes") && results["verdict_changes"].is_string()) {
    // rows "| id | before | now | changed |"
    std::string out, text = results["verdict_changes"];
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(pos, end - pos);
      std::vector<std::string> cells;
      for (std::size_t a = line.find('|'); a != std::string::npos;) {
        const std::size_t b = line.find('|', a + 1);
        if (b == std::string::npos) break;
        std::string cell = line.substr(a + 1, b - a - 1);
        cell.erase(0, cell.find_first_not_of(' '));
        cell.erase(cell.find_last_not_of(' ') + 1);
        cells.push_back(cell);
        a = b;
      }
      const auto it = cells.size() == 4 ? verdicts.find(squashed(cells[0])) : verdicts.end();
      if (it != verdicts.end()) {
        const std::string changed = cells[1] == "(new)" ? "new claim" : cells[1] == it->second ? "no" : "**yes**";
        line = fmt::format("| {} | {} | {} | {} |", cells[0], cells[1], it->second, changed);
      }
      out += line + (end < text.size() ? "\n" : "");
      pos = end + 1;
    }
    results["verdict_changes"] = out;
  }
}

}  // namespace

void add_criteria_commands(CLI::App& report) {
  auto* criteria = report.add_subcommand("criteria", "the criteria each claim is graded on, frozen before the run");
  criteria->require_subcommand(1);

  struct WriteFlags {
    std::string claims, out;
  };
  auto w = std::make_shared<WriteFlags>();
  auto* write = criteria->add_subcommand("write", "a chapter's criteria file from its claims.json");
  write->add_option("claims", w->claims, "the chapter's claims.json")->required();
  write->add_option("--out", w->out, "criteria.json to write (default: stdout)");
  write->callback([w] {
    if (!w->out.empty()) {
      lab::require_distinct({{"claims", w->claims}}, {{"--out", w->out}});
      lab::require_writable(w->out, "--out");
    }
    const auto claims = read_json(w->claims, "claims");
    lab::validate_claims(claims, "claims");
    const std::string text = dumped(lab::criteria_of(claims));
    if (w->out.empty()) std::cout << text;
    else lab::write_file_atomically(w->out, text, "--out");
  });

  struct CheckFlags {
    std::string runs = "build/paper", chapters = "chapters";
  };
  auto k = std::make_shared<CheckFlags>();
  auto* check = criteria->add_subcommand(
      "check", "before make publish: refuse a criterion that changed without a dated history entry; "
               "then update each rerun chapter's criteria.json and mark its claims");
  check->add_option("--runs", k->runs, "the paper runs (build/paper): chNN directories")->capture_default_str();
  check->add_option("--chapters", k->chapters, "the chapters directory")->capture_default_str();
  check->callback([k] {
    for (const auto& [flag, dir] : {std::pair{"--runs", k->runs}, std::pair{"--chapters", k->chapters}})
      if (!fs::is_directory(dir)) throw lab::UsageError(flag, fmt::format("'{}' is not a directory", dir));
    lab::OutputFiles files;
    int checked = 0;
    std::vector<fs::path> runs;
    for (const auto& e : fs::directory_iterator(k->runs)) runs.push_back(e.path());
    std::sort(runs.begin(), runs.end());
    for (const auto& run : runs) {
      const std::string name = run.filename().string();
      if (name.size() != 4 || name.rfind("ch", 0) != 0 || !fs::exists(run / "results.json") ||
          !fs::exists(run / "claims.json") || fs::exists(run / ".from-committed-data"))
        continue;
      const std::string dir = chapter_dir(k->chapters, name.substr(2));
      if (dir.empty()) continue;
      const std::string parameter = fmt::format("criteria of {}", name);
      auto claims = read_json((run / "claims.json").string(), parameter);
      lab::validate_claims(claims, parameter);
      const auto now = lab::criteria_of(claims);
      const auto history = history_of(dir);
      if (fs::exists(dir + "/criteria.json"))
        lab::require_history(read_json(dir + "/criteria.json", parameter), now, history, parameter);
      lab::mark_changed_criteria(claims, history);
      files.add(dir + "/criteria.json", parameter) << dumped(now);
      files.add((run / "claims.json").string(), parameter) << dumped(claims);
      ++checked;
    }
    files.commit();
    fmt::print("criteria: {} rerun chapter(s) checked against their committed criteria\n", checked);
  });

  struct GateFlags {
    std::string map;
    std::vector<std::string> dirs;
  };
  auto g = std::make_shared<GateFlags>();
  auto* gate = report.add_subcommand(
      "gate", "apply declared prerequisites and the gate to committed claims (chapters/NN-slug/data), no rerun");
  gate->add_option("--declarations", g->map,
                   "JSON {\"requires\": {id: [ids]}, \"controls\": {id: {negative, positive}}, "
                   "\"family_wise\": {id: method}}; ids not named keep theirs (requires: [] when absent)")
      ->required();
  gate->add_option("chapters", g->dirs, "every chapter directory, in order (prerequisites cross chapters)")->required();
  gate->callback([g] {
    const auto map = read_json(g->map, "--declarations");
    if (!map.is_object()) throw lab::UsageError("--declarations", "not a JSON object");
    std::vector<nlohmann::json> chapters, results;
    for (const auto& dir : g->dirs) {
      chapters.push_back(read_json(dir + "/data/claims.json", "chapters"));
      lab::validate_claims(chapters.back(), fmt::format("claims of '{}'", dir));
      results.push_back(fs::exists(dir + "/data/results.json") ? read_json(dir + "/data/results.json", "chapters")
                                                               : nlohmann::json());
    }
    for (auto& chapter : chapters)
      for (auto& c : chapter["claims"]) {
        const std::string id = c["id"].get<std::string>();
        auto declared = [&](const char* what) -> const nlohmann::json* {
          return map.contains(what) && map[what].contains(id) ? &map[what][id] : nullptr;
        };
        if (auto* r = declared("requires")) c["requires"] = *r;
        else if (!c.contains("requires")) c["requires"] = nlohmann::json::array();
        if (auto* r = declared("controls")) c["controls"] = *r;
        if (auto* r = declared("family_wise"); r && !c.contains("coverage")) c["family_wise"] = *r;
      }
    lab::apply_gate(chapters, "--declarations");
    for (std::size_t i = 0; i < chapters.size(); ++i) lab::mark_changed_criteria(chapters[i], history_of(g->dirs[i]));
    lab::validate_claims_together(chapters, "--declarations");
    lab::OutputFiles files;
    for (std::size_t i = 0; i < chapters.size(); ++i) {
      const std::string& dir = g->dirs[i];
      files.add(dir + "/data/claims.json", "chapters") << dumped(chapters[i]);
      if (fs::exists(dir + "/claims.json")) files.add(dir + "/claims.json", "chapters") << dumped(chapters[i]);
      files.add(dir + "/criteria.json", "chapters") << dumped(lab::criteria_of(chapters[i]));
      if (!results[i].is_null()) {
        update_results(results[i], chapters[i]);
        files.add(dir + "/data/results.json", "chapters") << dumped(results[i]);
      }
    }
    files.commit();
  });
}

}  // namespace spinformer::cli
