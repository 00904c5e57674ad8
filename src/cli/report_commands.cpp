// spinformer report fill|claims: chapter text and the claims table from measured data.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "lab/atomic_file.hpp"
#include "lab/report.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {

nlohmann::json read_json(const std::string& path, const std::string& parameter) {
  const std::string text = lab::read_file(path, parameter);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number beyond a double (1e400)
    throw lab::UsageError(parameter, fmt::format("'{}' is not valid JSON: {}", path, e.what()));
  }
}

namespace {

std::size_t occurrences(const std::string& text, const std::string& word) {
  std::size_t n = 0;
  for (auto p = text.find(word); p != std::string::npos; p = text.find(word, p + word.size())) ++n;
  return n;
}

// The text of file with the lines between the begin and end markers replaced by content. A README
// with a marker missing, doubled or out of order is refused (splicing it would keep stale rows), and so
// is content that holds a marker (it would corrupt the README for every later splice).
std::string splice_between_markers(const std::string& path, const std::string& content) {
  const std::string begin = "<!-- claims:begin -->", end = "<!-- claims:end -->";
  for (const auto& marker : {begin, end})
    if (content.find(marker) != std::string::npos)
      throw lab::UsageError("claims file", fmt::format("the claims table would contain the README marker {}", marker));
  std::string text = lab::read_file(path, "--readme");
  const auto b = text.find(begin), e = text.find(end);
  if (b == std::string::npos || e == std::string::npos || e < b)
    throw lab::UsageError("--readme", fmt::format("'{}' lacks the markers {} ... {}", path, begin, end));
  if (occurrences(text, begin) > 1 || occurrences(text, end) > 1)
    throw lab::UsageError("--readme", fmt::format("'{}' holds the markers {} ... {} more than once: remove the stale "
                                                  "copies by hand", path, begin, end));
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
    if (!values.is_object()) throw lab::UsageError("--values", fmt::format("'{}' is not a JSON object", f->values_path));
    lab::write_file_atomically(f->out, lab::fill_template(text, values));
    // results.json also feeds the replication report and the figures, so a value the text does not
    // quote is no error; but a key no placeholder names is often a misspelt or forgotten one
    // a dotted placeholder ({{config.L}}) uses the object it walks into ("config")
    auto used = lab::template_keys(text);
    for (const auto& key : lab::template_keys(text)) used.insert(key.substr(0, key.find('.')));
    std::vector<std::string> unused;
    for (const auto& [key, value] : values.items())
      if (!used.count(key)) unused.push_back(key);
    if (!unused.empty())
      fmt::print(stderr, "spinformer: warning: --values: {} key(s) of '{}' the text '{}' never uses: {}\n", unused.size(),
                 f->values_path, f->template_path, fmt::join(unused, ", "));
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
