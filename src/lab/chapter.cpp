#include "lab/chapter.hpp"

#include <filesystem>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "lab/atomic_file.hpp"
#include "lab/chapter_cli.hpp"
#include "lab/report.hpp"
#include "lab/seeds.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::lab {

nlohmann::json profile_config(const Profiles& profiles, const nlohmann::json& defaults, const std::string& name) {
  quick_profile(name);  // UsageError("--profile") unless quick or paper
  const auto it = profiles.find(name);
  if (it == profiles.end()) throw std::logic_error(fmt::format("the chapter defines no profile '{}'", name));
  nlohmann::json config = defaults;
  for (const auto& [key, value] : it->second.items()) {
    if (!config.contains(key)) throw std::logic_error(fmt::format("profile '{}' sets '{}', which Config lacks", name, key));
    config[key] = value;
  }
  return config;
}

std::string verdict_summary(const std::string& program, const nlohmann::json& claims, const std::string& out,
                            const std::string& cache) {
  const nlohmann::json list = claims.is_object() ? claims.value("claims", nlohmann::json::array()) : claims;
  // counts in the verdict rule's order, then anything else (untestable as designed) as it comes
  std::vector<std::pair<std::string, int>> counts{
      {"reproduced", 0}, {"partly", 0}, {"not reproduced", 0}, {"inconclusive", 0}};
  std::string lines;
  for (const auto& c : list) {
    const std::string verdict = c.value("verdict", std::string("no verdict"));
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& p) { return p.first == verdict; });
    if (it == counts.end()) counts.emplace_back(verdict, 1);
    else ++it->second;
    std::string text = c.value("claim", std::string());
    if (text.size() > 72) text = text.substr(0, 69) + "...";
    lines += fmt::format("[{}]   {:<5} {:<15} {}\n", program, c.value("id", std::string("?")), verdict, text);
  }
  std::vector<std::string> parts;
  for (const auto& [verdict, n] : counts)
    if (n > 0) parts.push_back(fmt::format("{} {}", n, verdict));
  const std::string tally = list.empty() ? std::string("no claims")
                                         : fmt::format("{} claim{}: {}", list.size(), list.size() == 1 ? "" : "s",
                                                       fmt::join(parts, ", "));
  return fmt::format("[{}] done, {}; output in {}, job cache in {}\n", program, tally, out, cache) + lines;
}

Chapter::Chapter(std::string program, std::string about, std::string code_hash, int default_workers)
    : program_(std::move(program)),
      about_(std::move(about)),
      code_hash_(std::move(code_hash)),
      default_workers_(default_workers),
      meta_(program_) {}

Chapter::~Chapter() = default;

void Chapter::step(const std::string& name, StepFunction body) {
  steps_[name] = [f = std::move(body)](const nlohmann::json& parameters, std::uint64_t seed, const JobContext&) {
    return f(parameters, seed);
  };
}

void Chapter::step(const std::string& name, FileStepFunction body) { steps_[name] = std::move(body); }

void Chapter::option(const std::string& flag, std::string& value, const std::string& help) {
  options_.push_back({flag, help, &value});
}

int Chapter::threads_or(int fallback) const { return threads_ == -1 ? fallback : static_cast<int>(threads_); }

int Chapter::workers_or(int fallback) const { return workers_ == -1 ? fallback : static_cast<int>(workers_); }

void Chapter::on_start(std::function<void(const Chapter&)> setup) { setup_ = std::move(setup); }

std::string Chapter::path(const std::string& file) const { return out_ + "/" + file; }

Job Chapter::job(const std::string& step, std::string label, const Coordinates& at) const {
  if (!steps_.count(step)) throw std::logic_error(fmt::format("no step '{}' declared", step));
  nlohmann::json parameters = {{"config", config_}};
  std::vector<std::uint64_t> indices;
  for (const auto& [name, index] : at) {
    parameters[name] = index;
    indices.push_back(index);
  }
  const std::uint64_t seed = job_seed(config_.at("seed").get<std::uint64_t>(), step, indices);
  rule_seeds_[step + "\n" + parameters.dump()] = seed;
  return {std::move(label), std::move(parameters), seed, {}};
}

std::vector<JobResult> Chapter::run_jobs(const std::string& step, const std::vector<Job>& jobs) {
  for (const Job& j : jobs) {
    const auto rule = rule_seeds_.find(step + "\n" + j.parameters.dump());
    if (rule == rule_seeds_.end() || rule->second != j.seed) own_seed_steps_.insert(step);
  }
  auto& run = jobs_run_[step];
  run.insert(run.end(), jobs.begin(), jobs.end());
  return engine_->run(step, jobs);
}

void Chapter::table(const std::string& file, const Table& table, const std::string& step, const Coordinates& at,
                    const nlohmann::json& parameters) {
  meta_.set_seed(config_.at("seed").get<std::uint64_t>());
  meta_.parameters() = {{"config", config_}};
  for (const auto& [key, value] : parameters.items()) meta_.parameters()[key] = value;
  nlohmann::json extra = nlohmann::json::object();
  if (!step.empty()) {
    nlohmann::json seeds = nlohmann::json::array();
    for (const Job& j : jobs_run_.at(step)) {
      bool match = true;
      for (const auto& [name, index] : at) match = match && j.parameters.at(name).get<std::uint64_t>() == index;
      if (!match) continue;
      nlohmann::json entry = j.parameters;
      entry.erase("config");
      entry["seed"] = j.seed;
      seeds.push_back(entry);
    }
    const std::string rule = own_seed_steps_.count(step)
                                 ? "set by the chapter, not lab::job_seed: each job's seed is listed below, and the "
                                   "chapter's source says how it is made"
                                 : kJobSeedRule;
    extra["job_seeds"] = {{"rule", rule}, {"step", step}, {"jobs", seeds}};
  }
  write_with_sidecar(
      path(file), "--out", [&](std::ostream& out) { write_table(out, table); }, meta_, extra);
}

void Chapter::claims(const Claims& claims) {
  const nlohmann::json json = claims.to_json();
  write_claims(path("claims.json"), json, "--out");
  results_["claims_table"] = claim_details_markdown(json);
}

void Chapter::plot_var(const std::string& name, const nlohmann::json& value) { plot_vars_.emplace_back(name, value); }

int Chapter::run_json(int argc, char** argv, const Profiles& profiles, const nlohmann::json& defaults,
                      const std::function<void(const nlohmann::json&)>& body) {
  install_signal_cleanup();
  ChapterOptions options;
  CLI::App app{about_};
  add_chapter_options(app, options, code_hash_.c_str());
  for (const auto& o : options_) app.add_option(o.flag, *o.value, o.help);
  if (const int status = parse_chapter_args(app, argc, argv, program_.c_str()); status >= 0) return status;
  // Bad input found once --out exists (a missing input file of the chapter's own options) must leave
  // nothing behind: an --out this run created is removed again while it is still empty.
  std::error_code ec;
  const bool out_existed = !options.out.empty() && std::filesystem::exists(options.out, ec);
  return run_chapter(program_, [&] {
    try {
      run_body(options, profiles, defaults, body);
    } catch (const UsageError&) {
      if (!out_existed && !options.out.empty()) std::filesystem::remove(options.out, ec);  // only if empty
      throw;
    }
  });
}

void Chapter::run_body(const ChapterOptions& options, const Profiles& profiles, const nlohmann::json& defaults,
                       const std::function<void(const nlohmann::json&)>& body) {
  options.check();
  profile_ = options.profile;
  out_ = options.out;
  workers_ = options.workers;
  threads_ = options.threads;
  config_ = profile_config(profiles, defaults, profile_);
  if (setup_) setup_(*this);
  EngineOptions engine_options =
      chapter_engine(program_, profile_, out_, options.workers_or(default_workers_), code_hash_);
  cache_ = engine_options.cache.string();
  engine_ = std::make_unique<Engine>(std::move(engine_options));
  for (const auto& [name, function] : steps_)
    engine_->define(name, [f = function](const Job& j, const JobContext& c) { return f(j.parameters, j.seed, c); });
  if (!engine_->root()) return (void)engine_->serve();
  require_writable(path("results.json"), "--out");
  body(config_);
  std::string vars;
  for (const auto& [name, value] : plot_vars_)
    vars += value.is_string() ? fmt::format("{} = \"{}\"\n", name, value.get<std::string>())
            : value.is_number_integer() ? fmt::format("{} = {}\n", name, value.get<long long>())
                                        : fmt::format("{} = {:g}\n", name, value.get<double>());
  if (!plot_vars_.empty()) write_file_atomically(path("plot_vars.gp"), vars);
  results_["profile"] = profile_;
  results_["config"] = config_;
  // results.json last: its presence marks a finished run for make.
  write_file_atomically(path("results.json"), results_.dump(2) + "\n");
  // The verdicts, one line each: claims.json as written (by ch.claims or by the chapter itself).
  nlohmann::json claims = nlohmann::json::object();
  std::error_code ec;
  if (std::filesystem::is_regular_file(path("claims.json"), ec)) {
    try {
      claims = nlohmann::json::parse(read_file(path("claims.json"), "--out"));
    } catch (const std::exception&) {
      claims = nlohmann::json::object();  // written and validated above; a summary never fails a run
    }
  }
  // on stderr with the progress lines: a chapter program's stdout stays empty
  std::fputs(verdict_summary(program_, claims, out_, cache_).c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace spinformer::lab
