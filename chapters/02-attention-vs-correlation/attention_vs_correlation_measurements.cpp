// Chapter 2: the measurements behind the chapter (declared in attention_vs_correlation.hpp).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <nlohmann/json.hpp>
#include <fstream>
#include <numeric>
#include <sstream>

#include "gpt/gpt.hpp"
#include "gpt/train.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/atomic_file.hpp"
#include "lab/report.hpp"
#include "lab/rng.hpp"
#include "lab/statistics.hpp"
#include "lab/usage_error.hpp"

#include "attention_vs_correlation.hpp"

using namespace spinformer;
using lab::format_key;
namespace fs = std::filesystem;

namespace spinformer {

Maps maps_of(const gpt::AttentionSummary& s) { return {s.layers, s.heads, s.L, s.maps}; }

Features features(const Maps& m) {
  Features f;
  const int L = m.L;
  f.A.assign(m.layers, std::vector<double>(L, 0.0));
  f.start.assign(m.layers, 0.0);
  f.prev.assign(m.layers, 0.0);
  f.distance.assign(m.layers, 0.0);
  f.first_head.assign(m.layers, std::vector<double>(m.heads, 0.0));
  for (int l = 0; l < m.layers; ++l) {
    for (int r = 1; r < L; ++r) {  // query t predicts s_{t+1}; key t + 1 - r holds s_{t+1-r}; needs t >= r
      double sum = 0;
      for (int h = 0; h < m.heads; ++h)
        for (int t = r; t < L; ++t) sum += m.at(l, h, t, t + 1 - r);
      f.A[l][r] = sum / (static_cast<double>(m.heads) * (L - r));
    }
    for (int h = 0; h < m.heads; ++h) {
      for (int t = 1; t < L; ++t) {
        f.start[l] += m.at(l, h, t, 0);
        f.prev[l] += m.at(l, h, t, t);
        double spin_mass = 0, moment = 0;
        for (int u = 1; u <= t; ++u) spin_mass += m.at(l, h, t, u), moment += m.at(l, h, t, u) * (t + 1 - u);
        f.distance[l] += spin_mass > 0 ? moment / spin_mass : 0.0;
      }
      f.first_head[l][h] = m.at(l, h, L - 1, 1);
    }
    const double n = static_cast<double>(m.heads) * (L - 1);
    f.start[l] /= n, f.prev[l] /= n, f.distance[l] /= n;
  }
  return f;
}

// ---- similarity measures -----------------------------------------------------------------------------
double cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t k = 0; k < a.size(); ++k) ab += a[k] * b[k], aa += a[k] * a[k], bb += b[k] * b[k];
  return ab / std::sqrt(aa * bb);
}

std::vector<double> range_of(const std::vector<double>& v, int r_max) {
  return std::vector<double>(v.begin() + 1, v.begin() + r_max + 1);  // r = 1..r_max
}

lab::Estimate block_estimate(const std::vector<Features>& blocks, const std::function<double(const Features&)>& g) {
  std::vector<double> x;
  for (const auto& b : blocks) x.push_back(g(b));
  return lab::mean_and_error(x);
}

Measured measure(const gpt::Model& model, const ising::SpinSamples& samples, int blocks) {
  Measured m;
  const int L = samples.L;
  const std::size_t per_block = samples.size() / static_cast<std::size_t>(blocks);
  std::vector<double> sum;
  for (int b = 0; b < blocks; ++b) {
    ising::SpinSamples part{L, std::vector<ising::Spin>(samples.spins.begin() + b * per_block * L,
                                                        samples.spins.begin() + (b + 1) * per_block * L)};
    const Maps maps = maps_of(model.attention(part));
    if (sum.empty()) m.total = maps, sum.assign(maps.w.size(), 0.0);
    for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += maps.w[k] / blocks;
    m.block.push_back(features(maps));
  }
  m.total.w = sum;
  m.f = features(m.total);
  const int layers = std::min(m.total.layers, 2);
  for (int l = 0; l < layers; ++l) {
    m.start[l] = block_estimate(m.block, [l](const Features& f) { return f.start[l]; });
    m.prev[l] = block_estimate(m.block, [l](const Features& f) { return f.prev[l]; });
    m.distance[l] = block_estimate(m.block, [l](const Features& f) { return f.distance[l]; });
  }
  m.A_err.assign(m.total.layers, std::vector<double>(L, 0.0));
  for (int l = 0; l < m.total.layers; ++l)
    for (int r = 1; r < L; ++r) m.A_err[l][r] = block_estimate(m.block, [l, r](const Features& f) { return f.A[l][r]; }).error;
  return m;
}

ising::Chain chain_from(const nlohmann::json& j) {
  ising::Chain c;
  c.L = j.at("L").get<int>();
  c.T = j.at("T").get<double>();
  c.J = j.value("J", 1.0);
  c.h = j.value("h", 0.0);
  c.boundary = ising::parse_boundary(j.value("boundary", std::string("periodic")));
  return c;
}

std::vector<Entry> read_models(const std::string& ch01) {
  const std::string list_path = ch01 + "/models.json";
  if (!fs::exists(list_path))
    throw lab::UsageError("--models", fmt::format("{} not found: run chapter 1 first (make ch01)", list_path));
  nlohmann::json list = nlohmann::json::parse(lab::read_file(list_path, "--models"));
  if (list.is_object() && list.contains("models")) list = list["models"];
  std::vector<Entry> out;
  for (const auto& item : list) {
    std::string path = item.at("path").get<std::string>();
    if (!fs::exists(path) && fs::exists(ch01 + "/" + path)) path = ch01 + "/" + path;
    if (!fs::exists(path)) path = ch01 + "/" + fs::path(path).filename().string();
    nlohmann::json side;
    if (fs::exists(path + ".json")) side = nlohmann::json::parse(lab::read_file(path + ".json", "--models"));
    nlohmann::json cj = side.contains("chain") && side["chain"].is_object() ? side["chain"] : side;
    if (!cj.contains("L") || !cj.contains("T")) cj = item;  // fall back on the list entry
    if (!cj.contains("L")) cj["L"] = side.contains("model") ? side["model"].value("L", 0) : 0;
    Entry e{chain_from(cj), path, item.value("seed_index", 0),
            item.value("tag", fmt::format("T{}", format_key(cj.at("T").get<double>())))};
    if (side.contains("model") && side["model"].value("seed_literal", false)) continue;  // the negative control
    if (e.chain.h != 0.0 || e.chain.boundary != ising::Boundary::periodic) continue;      // the h = 0 ring only
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.chain.T != b.chain.T ? a.chain.T < b.chain.T : a.seed_index < b.seed_index;
  });
  if (out.empty()) throw lab::UsageError("--models", fmt::format("{} lists no h = 0 ring models", list_path));
  return out;
}

// ---- exact structure of the conditionals ---------------------------------------------------------------
// How much p(s_k | s_<k) changes when the first spin (or the previous spin) is flipped, for the spin
// predicted by query t (0-based spin index t): mean |p(+ | prev, first) - p(+ | prev, -first)|.
std::vector<double> first_spin_dependence(const ising::ExactChain& exact, bool previous) {
  const int L = exact.chain().L;
  std::vector<double> d(L, 0.0);
  for (int t = 1; t < L; ++t) {
    double sum = 0;
    for (ising::Spin a : {ising::Spin(1), ising::Spin(-1)})
      sum += previous ? std::abs(exact.conditional_up(t, 1, a) - exact.conditional_up(t, -1, a))
                      : std::abs(exact.conditional_up(t, a, 1) - exact.conditional_up(t, a, -1));
    d[t] = sum / 2;
  }
  return d;
}

// Chapter 1's excess loss E[log p_T(s_L | s_<L) - log p_model(s_L | s_<L)] at the last spin, from its
// excess_T<T>.tsv (columns: position, excess, excess_err; 1-based positions); NaN where absent.
lab::Estimate last_excess(const std::string& ch01, const std::string& tag, int L) {
  std::ifstream in(ch01 + "/excess_" + tag + ".tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream row(line);
    double position = 0, value = 0, error = 0;
    if (row >> position >> value >> error && static_cast<int>(position) == L) return {value, error};
  }
  return {NAN, NAN};
}

// Samples with the spins of each configuration in a random order (positions carry no information).
ising::SpinSamples shuffle_positions(ising::SpinSamples s, std::uint64_t seed) {
  lab::Rng rng(seed);
  for (std::size_t k = 0; k < s.size(); ++k) {
    ising::Spin* row = s.row(k);
    for (int i = s.L - 1; i > 0; --i) std::swap(row[i], row[rng.below(static_cast<std::uint32_t>(i + 1))]);
  }
  return s;
}

// Per layer and head one data set (index l * heads + h) of rows "key query weight", key <= query.
void write_maps(const std::string& path, const Maps& m) {
  std::string out = "# key query weight; data set index = layer * heads + head\n";
  for (int l = 0; l < m.layers; ++l)
    for (int h = 0; h < m.heads; ++h) {
      for (int t = 0; t < m.L; ++t) {
        for (int u = 0; u <= t; ++u) out += fmt::format("{} {} {:.6g}\n", u, t, m.at(l, h, t, u));
      }
      out += "\n\n";
    }
  lab::write_file_atomically(path, out);
}

}  // namespace spinformer
