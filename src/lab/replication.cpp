#include "lab/replication.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "lab/atomic_file.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

namespace fs = std::filesystem;

namespace spinformer::lab {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// JSON without its timing fields, recursively.
nlohmann::json without_timing(const nlohmann::json& j) {
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : j.items())
      if (!timing_field(k)) out[k] = without_timing(v);
    return out;
  }
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : j) out.push_back(without_timing(v));
    return out;
  }
  return j;
}

// A table as header + rows of text fields (comment header "# a\tb" as lab::write_table writes it).
struct TextTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> out;
  std::stringstream s(line);
  for (std::string f; std::getline(s, f, separator);) out.push_back(f);
  return out;
}

TextTable read_text_table(const fs::path& file) {
  TextTable t;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0 && t.columns.empty()) t.columns = split(line.substr(2), '\t');
    else if (!line.empty() && line[0] != '#') t.rows.push_back(split(line, '\t'));
  }
  return t;
}

std::optional<double> number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') return std::nullopt;
  return x;
}

}  // namespace

bool timing_field(const std::string& name) {
  // git_commit and workers say where and how a run was made, not what it found.
  static const char* exact[] = {"wall_time_s", "finished_at", "started_at", "data_file", "elapsed_s", "git_commit",
                                "workers"};
  for (const char* e : exact)
    if (name == e) return true;
  // A trailing size index does not hide the unit: sk_core_s_256 is seconds at N = 256.
  std::string base = name;
  if (const auto cut = base.find_last_of('_'); cut != std::string::npos && cut + 1 < base.size() &&
                                                base.find_first_not_of("0123456789", cut + 1) == std::string::npos)
    base.resize(cut);
  if (ends_with(base, "_s") || ends_with(base, "_ms") || ends_with(base, "_seconds") || ends_with(base, "_minutes"))
    return true;
  // Core or wall time in a unit anywhere in the name (sk_core_h_512_study, large_wall_min_per_T: a
  // measured time, or a cost scaled from one, varies with the machine); "_min" alone is a minimum.
  const auto tokens = split(name, '_');
  static const std::set<std::string> clocks = {"core", "wall"};
  static const std::set<std::string> units = {"s", "ms", "seconds", "min", "minutes", "h", "hours"};
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i)
    if (clocks.count(tokens[i]) && units.count(tokens[i + 1])) return true;
  return false;
}

bool provenance_file(const std::string& name) {
  return name == "code_hash" || name == "provenance.json" || name == "restamps.tsv";
}

std::vector<std::string> compare_provenance(const fs::path& a, const fs::path& b) {
  std::vector<std::string> diffs;
  for (const char* name : {"code_hash", "provenance.json", "restamps.tsv"}) {
    const fs::path fa = a / name, fb = b / name;
    if (!fs::exists(fa) && !fs::exists(fb)) continue;
    if (!fs::exists(fa) || !fs::exists(fb))
      diffs.push_back(fmt::format("{}: only in {}", name, fs::exists(fa) ? a.string() : b.string()));
    else if (slurp(fa) != slurp(fb))
      diffs.push_back(fmt::format("{}: differs", name));
  }
  return diffs;
}

std::vector<std::string> compare_runs(const fs::path& a, const fs::path& b) {
  std::vector<std::string> diffs;
  std::map<std::string, bool> names;
  // Hidden files are the pipeline's bookkeeping about a run (scripts/run-chapter's .outputs, .wall_s,
  // .code_hash, .from-committed-data), not what it found: a chapter run by hand has none of them.
  // Provenance files (compare_provenance) say where the data came from, not what they are.
  for (const auto& dir : {a, b})
    for (const auto& e : fs::directory_iterator(dir))
      if (const std::string name = e.path().filename().string();
          e.is_regular_file() && name.rfind('.', 0) != 0 && !provenance_file(name))
        names[name] = true;
  for (const auto& [name, _] : names) {
    const fs::path fa = a / name, fb = b / name;
    if (!fs::exists(fa) || !fs::exists(fb)) {
      diffs.push_back(fmt::format("{}: only in {}", name, fs::exists(fa) ? a.string() : b.string()));
      continue;
    }
    if (ends_with(name, ".json")) {
      nlohmann::json ja, jb;
      try {
        ja = without_timing(nlohmann::json::parse(slurp(fa)));
        jb = without_timing(nlohmann::json::parse(slurp(fb)));
      } catch (const std::exception& e) {
        diffs.push_back(fmt::format("{}: not JSON ({})", name, e.what()));
        continue;
      }
      if (ja != jb) {
        const auto patch = nlohmann::json::diff(ja, jb);
        diffs.push_back(fmt::format("{}: {}", name, patch.dump().substr(0, 300)));
      }
    } else if (ends_with(name, ".tsv")) {
      const TextTable ta = read_text_table(fa), tb = read_text_table(fb);
      if (ta.columns != tb.columns || ta.rows.size() != tb.rows.size()) {
        diffs.push_back(fmt::format("{}: different columns or row count", name));
        continue;
      }
      for (std::size_t r = 0; r < ta.rows.size(); ++r) {
        bool same = ta.rows[r].size() == tb.rows[r].size();
        for (std::size_t c = 0; same && c < ta.rows[r].size(); ++c)
          same = (c < ta.columns.size() && timing_field(ta.columns[c])) || ta.rows[r][c] == tb.rows[r][c];
        if (!same) {
          diffs.push_back(fmt::format("{}: row {} differs", name, r + 1));
          break;
        }
      }
    } else if (slurp(fa) != slurp(fb)) {
      diffs.push_back(fmt::format("{}: bytes differ", name));
    }
  }
  return diffs;
}

namespace {

// Collects one comparison at a time; the least agreeing one is kept as "worst".
struct Tally {
  Replication r;
  double worst_score = -1;
  void add(const std::string& where, double old_v, double new_v, double old_e, double new_e) {
    ++r.numbers;
    double score;  // z for statistical numbers, relative difference / 1e-9 for exact ones
    bool ok;
    const bool statistical = old_e > 0 || new_e > 0;
    if (std::isnan(old_v) && std::isnan(new_v)) {
      score = 0, ok = true;
    } else if (statistical) {
      score = std::abs(new_v - old_v) / std::sqrt(old_e * old_e + new_e * new_e);
      ok = score <= 3;
    } else {
      const double scale = std::max({std::abs(old_v), std::abs(new_v), 1e-300});
      score = old_v == new_v ? 0 : std::abs(new_v - old_v) / scale / 1e-9;
      ok = score <= 1;
    }
    if (std::isnan(score)) score = INFINITY, ok = false;
    if (ok) ++r.agree;
    nlohmann::json entry = {{"where", where}, {"committed", old_v}, {"rerun", new_v}};
    if (statistical) entry["z"] = score;
    if (!ok && r.disagreements.size() < 20) r.disagreements.push_back(entry);
    if (score > worst_score) worst_score = score, r.worst = entry;
  }
  // A committed number whose rerun value is not a number (or absent from its row): a disagreement.
  void unpaired(const std::string& where, double old_v, const std::string& rerun_text) {
    ++r.numbers;
    if (r.disagreements.size() < 20)
      r.disagreements.push_back({{"where", where}, {"committed", old_v}, {"rerun", rerun_text}});
  }
};

// "a ± e" (as the chapters quote statistical numbers) -> (a, e).
std::optional<std::pair<double, double>> plus_minus(const std::string& s) {
  static const std::regex re(R"(^\s*([-+0-9.eE]+)\s*±\s*([-+0-9.eE]+)\s*$)");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  const auto a = number(m[1]), e = number(m[2]);
  if (!a || !e) return std::nullopt;
  return std::make_pair(*a, *e);
}

// A number as the chapters write it in results.json: a JSON number, "a ± e", or a number in a string.
// Returns (value, error), error 0 for an exact number.
std::optional<std::pair<double, double>> quoted_number(const nlohmann::json& v) {
  if (v.is_number()) return std::make_pair(v.get<double>(), 0.0);
  if (!v.is_string()) return std::nullopt;
  if (const auto pm = plus_minus(v.get<std::string>())) return pm;
  if (const auto x = number(v.get<std::string>())) return std::make_pair(*x, 0.0);
  return std::nullopt;
}

// A file the report cannot do without: missing, unreadable, truncated or of the wrong shape is a
// UsageError naming it (read with lab::read_file's limits).
nlohmann::json read_json_object(const fs::path& file, const std::string& parameter) {
  const std::string text = read_file(file.string(), parameter);
  const auto j = nlohmann::json::parse(text, nullptr, false);  // no exception: a truncated file is ours to name
  if (j.is_discarded() || !j.is_object())
    throw UsageError(parameter, fmt::format("'{}' is not a JSON object (truncated or malformed)", file.string()));
  return j;
}

// claim id -> verdict, in the file's order.
std::vector<std::pair<std::string, std::string>> read_verdicts(const fs::path& file, const std::string& parameter) {
  const auto j = read_json_object(file, parameter);
  if (!j.contains("claims") || !j["claims"].is_array())
    throw UsageError(parameter, fmt::format("'{}' has no 'claims' list", file.string()));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : j["claims"]) {
    if (!c.is_object() || !c.contains("id") || !c["id"].is_string() || !c.contains("verdict") || !c["verdict"].is_string())
      throw UsageError(parameter, fmt::format("'{}': a claim without an 'id' and a 'verdict' string", file.string()));
    out.emplace_back(c["id"].get<std::string>(), c["verdict"].get<std::string>());
  }
  return out;
}

TextTable read_table_file(const fs::path& file, const std::string& parameter) {
  require_readable(file.string(), parameter);
  return read_text_table(file);
}

// The compared (not timing, not _err) columns of a table, by index.
std::vector<std::size_t> compared_columns(const TextTable& t) {
  std::vector<std::size_t> out;
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    if (!timing_field(t.columns[c]) && !ends_with(t.columns[c], "_err")) out.push_back(c);
  return out;
}

// How many numbers the committed table holds in the given columns and rows (those a rerun must match).
long numbers_in(const TextTable& t, const std::vector<std::size_t>& columns, std::size_t first_row, std::size_t end_row) {
  long n = 0;
  for (std::size_t r = first_row; r < end_row && r < t.rows.size(); ++r)
    for (std::size_t c : columns)
      if (c < t.rows[r].size() && number(t.rows[r][c])) ++n;
  return n;
}

}  // namespace

Replication replicate(const fs::path& committed, const fs::path& rerun) {
  Tally t;
  const auto missing = [&](const std::string& where, const std::string& what, long numbers) {
    t.r.missing.push_back({{"where", where}, {"what", what}});
    t.r.numbers += numbers;  // each a disagreeing number
  };
  const auto extra = [&](const std::string& where, const std::string& what) {
    t.r.extra.push_back({{"where", where}, {"what", what}});
  };
  // results.json: the values the text quotes
  const auto old_j = read_json_object(committed / "results.json", "--committed");
  const auto new_j = read_json_object(rerun / "results.json", "--rerun");
  t.r.committed_profile = old_j.value("profile", std::string());
  t.r.rerun_profile = new_j.value("profile", std::string());
  for (const auto& [k, ov] : old_j.items()) {
    if (timing_field(k)) continue;
    const std::string where = "results.json:" + k;
    const auto op = quoted_number(ov);
    if (!new_j.contains(k)) {
      missing(where, "key not in the rerun", op ? 1 : 0);
      continue;
    }
    if (!op) continue;  // text (a profile name, a list of temperatures): not a number to compare
    if (const auto np = quoted_number(new_j[k])) t.add(where, op->first, np->first, op->second, np->second);
    else t.unpaired(where, op->first, new_j[k].dump());
  }
  for (const auto& [k, nv] : new_j.items())
    if (!timing_field(k) && !old_j.contains(k)) extra("results.json:" + k, "key only in the rerun");
  // tables: every numeric column; a column x with a partner x_err is statistical
  std::set<std::string> committed_tables;
  for (const auto& e : fs::directory_iterator(committed))
    if (ends_with(e.path().filename().string(), ".tsv")) committed_tables.insert(e.path().filename().string());
  for (const auto& name : committed_tables) {
    const TextTable a = read_table_file(committed / name, "--committed");
    const auto columns = compared_columns(a);
    if (!fs::exists(rerun / name)) {
      missing(name, "table not in the rerun", numbers_in(a, columns, 0, a.rows.size()));
      continue;
    }
    const TextTable b = read_table_file(rerun / name, "--rerun");
    std::map<std::string, std::size_t> index_a, index_b;
    for (std::size_t c = 0; c < a.columns.size(); ++c) index_a[a.columns[c]] = c;
    for (std::size_t c = 0; c < b.columns.size(); ++c) index_b[b.columns[c]] = c;
    const std::size_t rows = std::min(a.rows.size(), b.rows.size());
    if (b.rows.size() < a.rows.size())
      missing(name, fmt::format("rows {}-{} not in the rerun ({} of {} rows)", rows + 1, a.rows.size(), b.rows.size(),
                                a.rows.size()),
              numbers_in(a, columns, rows, a.rows.size()));
    else if (b.rows.size() > a.rows.size())
      extra(name, fmt::format("rows {}-{} only in the rerun", rows + 1, b.rows.size()));
    for (const auto& col : b.columns)
      if (!timing_field(col) && !index_a.count(col)) extra(name, fmt::format("column {} only in the rerun", col));
    for (const auto& col : a.columns)  // an error column is not counted as a number, but is part of the data
      if (ends_with(col, "_err") && !timing_field(col) && !index_b.count(col))
        missing(name, fmt::format("column {} not in the rerun", col), 0);
    // the same header: columns pair by position (a name may repeat, as chapter 6's tau.tsv "err");
    // another header: by name
    const bool same_columns = a.columns == b.columns;
    for (std::size_t c : columns) {
      const std::string& col = a.columns[c];
      const auto in_b = same_columns ? index_b.end() : index_b.find(col);
      if (!same_columns && in_b == index_b.end()) {
        missing(name, fmt::format("column {} not in the rerun", col), numbers_in(a, {c}, 0, rows));
        continue;
      }
      const std::size_t cb = same_columns ? c : in_b->second;
      const auto err_a = index_a.find(col + "_err"), err_b = same_columns ? err_a : index_b.find(col + "_err");
      const auto err_b_end = same_columns ? index_a.end() : index_b.end();
      for (std::size_t r = 0; r < rows; ++r) {
        if (c >= a.rows[r].size()) continue;
        const auto ov = number(a.rows[r][c]);
        if (!ov) continue;  // text in the committed table: nothing to compare
        const std::string where = fmt::format("{}:{} row {}", name, col, r + 1);
        const auto nv = cb < b.rows[r].size() ? number(b.rows[r][cb]) : std::nullopt;
        if (!nv) {
          t.unpaired(where, *ov, cb < b.rows[r].size() ? b.rows[r][cb] : "(no field)");
          continue;
        }
        double oe = 0, ne = 0;
        if (err_a != index_a.end() && err_a->second < a.rows[r].size())
          oe = number(a.rows[r][err_a->second]).value_or(0);
        if (err_b != err_b_end && err_b->second < b.rows[r].size())
          ne = number(b.rows[r][err_b->second]).value_or(0);
        t.add(where, *ov, *nv, oe, ne);
      }
    }
  }
  for (const auto& e : fs::directory_iterator(rerun)) {
    const std::string name = e.path().filename().string();
    if (ends_with(name, ".tsv") && !committed_tables.count(name)) extra(name, "table only in the rerun");
  }
  // verdicts: a claim the rerun lacks is a verdict changed to "(missing)"
  const auto old_claims = read_verdicts(committed / "claims.json", "--committed");
  const auto new_claims = read_verdicts(rerun / "claims.json", "--rerun");
  const std::map<std::string, std::string> old_verdicts(old_claims.begin(), old_claims.end()),
      new_verdicts(new_claims.begin(), new_claims.end());
  for (const auto& [id, v] : new_claims) {
    const auto it = old_verdicts.find(id);
    const std::string was = it == old_verdicts.end() ? "(new claim)" : it->second;
    if (it == old_verdicts.end()) extra("claims.json", fmt::format("claim {} only in the rerun", id));
    if (was != v) t.r.verdicts_changed.push_back({{"id", id}, {"committed", was}, {"rerun", v}});
  }
  for (const auto& [id, v] : old_claims)
    if (!new_verdicts.count(id)) {
      missing("claims.json", fmt::format("claim {} not in the rerun", id), 0);
      t.r.verdicts_changed.push_back({{"id", id}, {"committed", v}, {"rerun", "(missing)"}});
    }
  return t.r;
}

nlohmann::json Replication::to_json() const {
  return {{"numbers", numbers}, {"agree", agree}, {"verdicts_changed", verdicts_changed}, {"worst", worst},
          {"disagreements", disagreements}, {"missing", missing}, {"extra", extra},
          {"profiles", {{"committed", committed_profile}, {"rerun", rerun_profile}}}};
}

std::string Replication::summary(const std::string& chapter) const {
  std::string s;
  if (profiles_differ())
    s += fmt::format("[{}] note: the committed data are the '{}' profile, this run the '{}' profile: other sizes, so "
                     "disagreements and changed verdicts below are expected and say nothing about replication\n",
                     chapter, committed_profile.empty() ? "(unstated)" : committed_profile,
                     rerun_profile.empty() ? "(unstated)" : rerun_profile);
  s += fmt::format("[{}] replication: {}/{} numbers agree with the committed data", chapter, agree, numbers);
  if (!worst.empty()) s += fmt::format(" (least agreeing: {})", worst.dump());
  s += "\n";
  for (const auto& m : missing)
    s += fmt::format("[{}] !!! MISSING in the rerun: {}: {}\n", chapter, m["where"].get<std::string>(),
                     m["what"].get<std::string>());
  if (!extra.empty()) {
    std::string list;
    for (std::size_t k = 0; k < extra.size() && k < 10; ++k)
      list += fmt::format("{}{} ({})", k ? ", " : "", extra[k]["where"].get<std::string>(), extra[k]["what"].get<std::string>());
    if (extra.size() > 10) list += fmt::format(" and {} more", extra.size() - 10);
    s += fmt::format("[{}] only in the rerun, not compared: {}\n", chapter, list);
  }
  if (verdicts_changed.empty()) {
    s += fmt::format("[{}] every verdict as committed\n", chapter);
  } else {
    for (const auto& v : verdicts_changed)
      s += fmt::format("[{}] {} claim {}: committed '{}', this run '{}'\n", chapter,
                       profiles_differ() ? "verdict differs (other profile):" : "!!! VERDICT CHANGED:",
                       v["id"].get<std::string>(), v["committed"].get<std::string>(), v["rerun"].get<std::string>());
  }
  return s;
}

}  // namespace spinformer::lab
