// spinformer report fill|claims: chapter text and the claims table from measured data.
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "lab/atomic_file.hpp"
#include "lab/report.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {
namespace {

nlohmann::json read_json(const std::string& path, const std::string& parameter) {
  const std::string text = lab::read_file(path, parameter);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw lab::UsageError(parameter, fmt::format("'{}' is not valid JSON: {}", path, e.what()));
  }
}

// The text of file with the lines between the begin and end markers replaced by content.
std::string splice_between_markers(const std::string& path, const std::string& content) {
  const std::string begin = "<!-- claims:begin -->", end = "<!-- claims:end -->";
  std::string text = lab::read_file(path, "--readme");
  const auto b = text.find(begin), e = text.find(end);
  if (b == std::string::npos || e == std::string::npos || e < b)
    throw lab::UsageError("--readme", fmt::format("'{}' lacks the markers {} ... {}", path, begin, end));
  return text.substr(0, b + begin.size()) + "\n" + content + text.substr(e);
}

}  // namespace

void add_report_commands(CLI::App& app) {
  auto* report = app.add_subcommand("report", "generate chapter text and the claims table from data");
  report->require_subcommand(1);

  struct FillFlags {
    std::string template_path, values_path, out;
  };
  auto f = std::make_shared<FillFlags>();
  auto* fill = report->add_subcommand("fill", "replace {{key}} in a chapter text by values from a JSON file");
  fill->add_option("--template", f->template_path, "Markdown text with {{key}} placeholders")->required();
  fill->add_option("--values", f->values_path, "flat JSON object of measured values")->required();
  fill->add_option("--out", f->out, "filled Markdown")->required();
  fill->callback([f] {
    lab::require_distinct({{"--template", f->template_path}, {"--values", f->values_path}}, {{"--out", f->out}});
    lab::require_writable(f->out, "--out");
    const std::string text = lab::read_file(f->template_path, "--template");
    const auto values = read_json(f->values_path, "--values");
    lab::write_file_atomically(f->out, lab::fill_template(text, values));
  });

  struct ClaimsFlags {
    std::vector<std::string> files;
    std::string out, readme;
  };
  auto c = std::make_shared<ClaimsFlags>();
  auto* claims = report->add_subcommand("claims", "the table of all claims, from chapters' claims.json files");
  claims->add_option("files", c->files, "claims.json files, in chapter order")->required();
  claims->add_option("--out", c->out, "write the Markdown table here (default: stdout)");
  claims->add_option("--readme", c->readme, "also splice the table into this file between claims markers");
  claims->callback([c] {
    std::vector<lab::NamedPath> inputs;
    for (const auto& path : c->files) inputs.push_back({"claims file", path});
    lab::require_distinct(inputs, {{"--readme", c->readme}, {"--out", c->out}});
    if (!c->readme.empty()) lab::require_writable(c->readme, "--readme");
    if (!c->out.empty()) lab::require_writable(c->out, "--out");
    std::vector<nlohmann::json> chapters;
    for (const auto& path : c->files) {
      chapters.push_back(read_json(path, "claims file"));
      lab::validate_claims(chapters.back(), fmt::format("claims file '{}'", path));
    }
    lab::validate_claims_together(chapters, "claims files");  // the gate across chapters (lab/gate.hpp)
    const std::string table = lab::claims_summary_markdown(chapters);
    // the README and --out change together or not at all
    lab::OutputFiles files;
    if (!c->readme.empty()) files.add(c->readme, "--readme") << splice_between_markers(c->readme, table);
    if (!c->out.empty()) files.add(c->out, "--out") << table;
    files.commit();
    if (c->out.empty()) std::cout << table;
  });
}

}  // namespace spinformer::cli
