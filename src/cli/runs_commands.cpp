// spinformer runs compare|replicate: does a rerun agree with another run, or with the published data?
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
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

}  // namespace

void add_runs_commands(CLI::App& app) {
  auto* runs = app.add_subcommand("runs", "compare a chapter's outputs with another run or with the committed data");
  runs->require_subcommand(1);

  auto* compare = runs->add_subcommand("compare", "exact comparison of two output directories, timing aside "
                                                  "(exit 0: the same results, 1: different)");
  static std::string a, b;
  compare->add_option("--a", a, "first output directory")->required();
  compare->add_option("--b", b, "second output directory")->required();
  compare->callback([] {
    require_directory(a, "--a");
    require_directory(b, "--b");
    const auto diffs = lab::compare_runs(a, b);
    if (diffs.empty()) {
      fmt::print("the same results (timing aside): {} and {}\n", a, b);
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
  });

  auto* summary = runs->add_subcommand("summary", "one summary of several replication.json files");
  static std::vector<std::string> reports;
  summary->add_option("reports", reports, "replication.json files");
  summary->callback([] {
    long numbers = 0, agree = 0, changed = 0;
    for (const auto& file : reports) {
      std::ifstream in(file);
      if (!in) throw lab::UsageError("reports", fmt::format("cannot read '{}'", file));
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(in);
      } catch (const std::exception&) {
        throw lab::UsageError("reports", fmt::format("'{}' is not JSON", file));
      }
      const std::string chapter = std::filesystem::path(file).parent_path().filename().string();
      numbers += j.value("numbers", 0L), agree += j.value("agree", 0L);
      changed += static_cast<long>(j.value("verdicts_changed", nlohmann::json::array()).size());
      fmt::print("{}: {}/{} numbers agree; verdicts changed: {}\n", chapter, j.value("agree", 0L), j.value("numbers", 0L),
                 j.value("verdicts_changed", nlohmann::json::array()).empty() ? "none"
                                                                              : j["verdicts_changed"].dump());
    }
    fmt::print("replication summary: {} chapter(s) rerun, {}/{} numbers agree with the committed data, {} verdict(s) "
               "changed{}\n", reports.size(), agree, numbers, changed, changed ? "  <-- READ THE LINES ABOVE" : "");
  });

  auto* provenance = runs->add_subcommand("provenance", "the paper's section on where its numbers come from");
  static std::vector<std::string> stamps;
  static std::string runs_dir, prov_out;
  provenance->add_option("stamps", stamps, "chapters/NN-slug/data/provenance.json files");
  provenance->add_option("--runs", runs_dir, "the build's output root (build/<profile>): chapters rerun here")->required();
  provenance->add_option("--out", prov_out, "Markdown file to write")->required();
  provenance->callback([] {
    lab::require_writable(prov_out, "--out");
    std::string md = "# Where the numbers come from {.unnumbered}\n\n"
                     "Each chapter's figures and numbers are drawn from its data. The committed data were produced "
                     "by the commit and machine below; `make paper` reads them when the sources that compute a "
                     "chapter's numbers are unchanged (same code hash) and reruns the chapter otherwise.\n\n"
                     "| chapter | data of this PDF | commit | machine | date | wall time |\n|---|---|---|---|---|---|\n";
    for (const auto& file : stamps) {
      std::ifstream in(file);
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(in);
      } catch (const std::exception&) {
        throw lab::UsageError("stamps", fmt::format("cannot read '{}'", file));
      }
      const std::string ch = j.value("chapter", "?");
      const bool rerun = std::filesystem::exists(std::filesystem::path(runs_dir) / ch / "results.json") &&
                         !std::filesystem::exists(std::filesystem::path(runs_dir) / ch / ".from-committed-data");
      const auto wall = j.contains("wall_s") && j["wall_s"].is_number()
                            ? fmt::format("{:.1f} min", j["wall_s"].get<double>() / 60) : std::string("–");
      md += fmt::format("| {} | {} | `{}` | {} | {} | {} |\n", ch, rerun ? "rerun in this build" : "committed",
                        j.value("commit", "?").substr(0, 12), j.value("machine", "?") + ", " + j.value("cpu", ""),
                        j.value("date", "?"), wall);
    }
    if (stamps.empty()) md += "| (no committed data yet) | | | | | |\n";
    lab::write_file_atomically(prov_out, md, "--out");
  });
}

}  // namespace spinformer::cli
