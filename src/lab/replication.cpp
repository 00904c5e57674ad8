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

#include "lab/tsv.hpp"

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

std::vector<std::string> compare_runs(const fs::path& a, const fs::path& b) {
  std::vector<std::string> diffs;
  std::map<std::string, bool> names;
  for (const auto& dir : {a, b})
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) names[e.path().filename().string()] = true;
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

}  // namespace

Replication replicate(const fs::path& committed, const fs::path& rerun) {
  Tally t;
  // results.json: the values the text quotes
  if (fs::exists(committed / "results.json") && fs::exists(rerun / "results.json")) {
    const auto old_j = nlohmann::json::parse(slurp(committed / "results.json"));
    const auto new_j = nlohmann::json::parse(slurp(rerun / "results.json"));
    for (const auto& [k, ov] : old_j.items()) {
      if (timing_field(k) || !new_j.contains(k)) continue;
      const auto& nv = new_j[k];
      const std::string where = "results.json:" + k;
      if (ov.is_number() && nv.is_number()) {
        t.add(where, ov.get<double>(), nv.get<double>(), 0, 0);
      } else if (ov.is_string() && nv.is_string()) {
        const auto op = plus_minus(ov.get<std::string>()), np = plus_minus(nv.get<std::string>());
        const auto on = number(ov.get<std::string>()), nn = number(nv.get<std::string>());
        if (op && np) t.add(where, op->first, np->first, op->second, np->second);
        else if (on && nn) t.add(where, *on, *nn, 0, 0);
      }
    }
  }
  // tables: every numeric column; a column x with a partner x_err is statistical
  for (const auto& e : fs::directory_iterator(committed)) {
    const std::string name = e.path().filename().string();
    if (!ends_with(name, ".tsv") || !fs::exists(rerun / name)) continue;
    const TextTable a = read_text_table(e.path()), b = read_text_table(rerun / name);
    if (a.columns != b.columns || a.rows.size() != b.rows.size()) {
      t.r.disagreements.push_back({{"where", name}, {"what", "different columns or rows"}});
      continue;
    }
    std::map<std::string, std::size_t> index;
    for (std::size_t c = 0; c < a.columns.size(); ++c) index[a.columns[c]] = c;
    for (std::size_t c = 0; c < a.columns.size(); ++c) {
      const std::string& col = a.columns[c];
      if (timing_field(col) || ends_with(col, "_err")) continue;
      const auto err = index.find(col + "_err");
      for (std::size_t r = 0; r < a.rows.size(); ++r) {
        if (c >= a.rows[r].size() || c >= b.rows[r].size()) continue;
        const auto ov = number(a.rows[r][c]), nv = number(b.rows[r][c]);
        if (!ov || !nv) continue;
        double oe = 0, ne = 0;
        if (err != index.end()) {
          oe = number(a.rows[r][err->second]).value_or(0);
          ne = number(b.rows[r][err->second]).value_or(0);
        }
        t.add(fmt::format("{}:{} row {}", name, col, r + 1), *ov, *nv, oe, ne);
      }
    }
  }
  // verdicts
  if (fs::exists(committed / "claims.json") && fs::exists(rerun / "claims.json")) {
    const auto oc = nlohmann::json::parse(slurp(committed / "claims.json"));
    const auto nc = nlohmann::json::parse(slurp(rerun / "claims.json"));
    std::map<std::string, std::string> old_verdicts;
    for (const auto& c : oc.at("claims")) old_verdicts[c.at("id").get<std::string>()] = c.at("verdict").get<std::string>();
    for (const auto& c : nc.at("claims")) {
      const auto id = c.at("id").get<std::string>();
      const auto v = c.at("verdict").get<std::string>();
      const auto it = old_verdicts.find(id);
      const std::string was = it == old_verdicts.end() ? "(new claim)" : it->second;
      if (was != v) t.r.verdicts_changed.push_back({{"id", id}, {"committed", was}, {"rerun", v}});
    }
  }
  return t.r;
}

nlohmann::json Replication::to_json() const {
  return {{"numbers", numbers}, {"agree", agree}, {"verdicts_changed", verdicts_changed}, {"worst", worst},
          {"disagreements", disagreements}};
}

std::string Replication::summary(const std::string& chapter) const {
  std::string s = fmt::format("[{}] replication: {}/{} numbers agree with the committed data", chapter, agree, numbers);
  if (!worst.empty()) s += fmt::format(" (least agreeing: {})", worst.dump());
  s += "\n";
  if (verdicts_changed.empty()) {
    s += fmt::format("[{}] every verdict as committed\n", chapter);
  } else {
    for (const auto& v : verdicts_changed)
      s += fmt::format("[{}] !!! VERDICT CHANGED: claim {}: committed '{}', this run '{}'\n", chapter,
                       v["id"].get<std::string>(), v["committed"].get<std::string>(), v["rerun"].get<std::string>());
  }
  return s;
}

}  // namespace spinformer::lab
