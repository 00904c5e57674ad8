// Chapter 6: interventions against exact conditionals and attention against C (causal_tests.hpp).
// A flip of site j changes the conditionals of every later site, so one flipped configuration per
// (test configuration, j) serves all relations: the model evaluates n (N - 1) rows in one batch.
#include "causal_tests.hpp"

#include <cmath>

#include "ising2d/conditionals.hpp"

namespace spinformer {

const std::vector<std::string>& relation_names() {
  static const std::vector<std::string> names{"left", "up", "up-left", "two left", "far"};
  return names;
}

namespace {

// The earlier site in relation r to query site i (y >= 1), or -1 where it is not earlier.
int related_site(int r, int i, int L) {
  const int x = i % L, y = i / L;
  switch (r) {
    case 0: return x >= 1 ? i - 1 : -1;
    case 1: return i - L;
    case 2: return x >= 1 ? i - L - 1 : -1;
    case 3: return x >= 2 ? i - 2 : -1;
    default: return (y - 1) * L + (x + L / 2) % L;
  }
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = double(a.size());
  if (a.size() < 3) return NAN;
  double ma = 0, mb = 0;
  for (std::size_t k = 0; k < a.size(); ++k) ma += a[k] / n, mb += b[k] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    sab += (a[k] - ma) * (b[k] - mb);
    saa += (a[k] - ma) * (a[k] - ma);
    sbb += (b[k] - mb) * (b[k] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;  // a constant has no correlation
}

}  // namespace

nlohmann::json causal_tests(const gpt::Model& model, const ising2d::Lattice& lat, const ising2d::LatticeSamples& test,
                            std::size_t n_causal, const gpt::AttentionSummary& att) {
  const int L = lat.L, N = L * L;
  const std::size_t n = std::min(n_causal, test.size()), sites = std::size_t(N);
  const ising2d::RasterConditionals exact(L, lat.beta());
  ising::SpinSamples rows, flipped;
  rows.L = flipped.L = N;
  rows.spins.assign(test.spins.begin(), test.spins.begin() + std::ptrdiff_t(n * sites));
  flipped.spins.reserve(n * (sites - 1) * sites);
  for (std::size_t k = 0; k < n; ++k)
    for (int j = 0; j + 1 < N; ++j) {
      flipped.spins.insert(flipped.spins.end(), rows.row(k), rows.row(k) + N);
      flipped.spins[flipped.spins.size() - sites + std::size_t(j)] *= -1;
    }
  const auto q = model.log_conditionals(rows);
  const auto q_flip = model.log_conditionals(flipped);

  const std::size_t R = relation_names().size();
  std::vector<double> excess(sites, 0.0), abs_p(R, 0), abs_diff(R, 0), dp(R, 0), dq(R, 0), count(R, 0);
  for (std::size_t k = 0; k < n; ++k) {
    const auto p = exact.log_conditionals(rows.row(k));
    for (std::size_t i = 0; i < sites; ++i) excess[i] += (p[i] - q[k * sites + i]) / double(n);
    std::vector<std::vector<double>> p_flip(sites - 1);  // exact conditionals after flipping site j, on demand
    for (std::size_t r = 0; r < R; ++r)
      for (int i = L; i < N; ++i) {
        const int j = related_site(int(r), i, L);
        if (j < 0) continue;
        auto& pf = p_flip[std::size_t(j)];
        if (pf.empty()) pf = exact.log_conditionals(flipped.row(k * (sites - 1) + std::size_t(j)));
        const double delta_p = pf[std::size_t(i)] - p[std::size_t(i)];
        const double delta_q = q_flip[(k * (sites - 1) + std::size_t(j)) * sites + std::size_t(i)] - q[k * sites + std::size_t(i)];
        abs_p[r] += std::abs(delta_p), abs_diff[r] += std::abs(delta_q - delta_p);
        dp[r] += delta_p, dq[r] += delta_q, count[r] += 1;
      }
  }
  // layer-1 attention of the query predicting site i (sequence position i) on the key holding site j
  // (position j + 1), mean over heads and the queries where the relation exists
  std::vector<double> attention(R, 0), uniform(R, 0), att_count(R, 0);
  for (std::size_t r = 0; r < R; ++r)
    for (int i = L; i < N; ++i) {
      const int j = related_site(int(r), i, L);
      if (j < 0) continue;
      for (int h = 0; h < att.heads; ++h) attention[r] += att.map(0, h, i, j + 1) / att.heads;
      uniform[r] += 1.0 / (i + 1);
      att_count[r] += 1;
    }
  nlohmann::json out;
  out["excess_by_site"] = excess;
  std::vector<double> mean_abs_p(R), mean_abs_diff(R), ratio(R), mean_dp(R), mean_dq(R), att_mean(R), uni_mean(R);
  for (std::size_t r = 0; r < R; ++r) {
    mean_abs_p[r] = abs_p[r] / count[r], mean_abs_diff[r] = abs_diff[r] / count[r];
    ratio[r] = abs_diff[r] / abs_p[r];
    mean_dp[r] = dp[r] / count[r], mean_dq[r] = dq[r] / count[r];
    att_mean[r] = attention[r] / att_count[r], uni_mean[r] = uniform[r] / att_count[r];
  }
  out["relation_abs_delta_p"] = mean_abs_p;
  out["relation_abs_error"] = mean_abs_diff;
  out["relation_error_ratio"] = ratio;
  out["relation_delta_p"] = mean_dp;
  out["relation_delta_q"] = mean_dq;
  out["relation_attention"] = att_mean;
  out["relation_attention_uniform"] = uni_mean;
  out["n_causal"] = n;
  return out;
}

nlohmann::json attention_correlation(const ising2d::Lattice& lat, const ising2d::LatticeSamples& test,
                                     const gpt::AttentionSummary& att) {
  const int L = lat.L, N = L * L, H = L / 2 + 1;
  auto cls = [&](int i, int k) {
    int dx = std::abs(i % L - k % L), dy = std::abs(i / L - k / L);
    dx = std::min(dx, L - dx), dy = std::min(dy, L - dy);
    return std::size_t(dy * H + dx);
  };
  // C per class from every configuration and every pair of sites (translation average)
  std::vector<double> c(std::size_t(H * H), 0.0), c_count(c.size(), 0.0);
  for (std::size_t s = 0; s < test.size(); ++s) {
    const auto* row = test.row(s);
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < N; ++k) c[cls(i, k)] += row[i] * row[k], c_count[cls(i, k)] += 1;
  }
  for (std::size_t a = 0; a < c.size(); ++a) c[a] /= c_count[a];
  nlohmann::json out;
  out["correlation_function"] = c;
  std::vector<double> corr;
  for (int layer : {0, att.layers - 1}) {
    std::vector<double> ratio(c.size(), 0.0), constant(c.size(), 0.0), n(c.size(), 0.0);
    for (int i = 1; i < N; ++i)  // queries with at least one earlier spin: keys k = 0..i-1 at positions k + 1
      for (int k = 0; k < i; ++k) {
        double a = 0;
        for (int h = 0; h < att.heads; ++h) a += att.map(layer, h, i, k + 1) / att.heads;
        ratio[cls(i, k)] += a * (i + 1), constant[cls(i, k)] += i + 1, n[cls(i, k)] += 1;
      }
    // The recency null: the model's own attention profile over raster distance d = i - k (mean over all pairs
    // at that d), replaced by its best non-increasing approximation (weighted least squares, pool adjacent
    // violators). It keeps how strongly the model prefers recent keys and drops every bump, such as the one
    // at d = L (the spin above): attention by sequence proximity alone, which knows nothing of the lattice.
    std::vector<double> by_distance(std::size_t(N), 0.0), d_count(std::size_t(N), 0.0), recency(c.size(), 0.0);
    for (int i = 1; i < N; ++i)
      for (int k = 0; k < i; ++k) {
        double a = 0;
        for (int h = 0; h < att.heads; ++h) a += att.map(layer, h, i, k + 1) / att.heads;
        by_distance[std::size_t(i - k)] += a * (i + 1), d_count[std::size_t(i - k)] += 1;
      }
    std::vector<double> profile(std::size_t(N), 0.0);
    {
      std::vector<double> value, weight;
      std::vector<std::size_t> length;
      for (std::size_t d = 1; d < std::size_t(N); ++d) {
        value.push_back(by_distance[d] / d_count[d]), weight.push_back(d_count[d]), length.push_back(1);
        while (value.size() > 1 && value[value.size() - 2] < value.back()) {  // violates non-increasing: pool
          const std::size_t b = value.size() - 1;
          value[b - 1] = (value[b - 1] * weight[b - 1] + value[b] * weight[b]) / (weight[b - 1] + weight[b]);
          weight[b - 1] += weight[b], length[b - 1] += length[b];
          value.pop_back(), weight.pop_back(), length.pop_back();
        }
      }
      std::size_t d = 1;
      for (std::size_t b = 0; b < value.size(); ++b)
        for (std::size_t k = 0; k < length[b]; ++k) profile[d++] = value[b];
    }
    for (int i = 1; i < N; ++i)
      for (int k = 0; k < i; ++k) recency[cls(i, k)] += profile[std::size_t(i - k)];
    std::vector<double> lc, la, l0, lr;
    for (std::size_t a = 1; a < c.size(); ++a)
      if (n[a] > 0 && c[a] > 0 && ratio[a] > 0) {
        lc.push_back(std::log(c[a]));
        la.push_back(std::log(ratio[a] / n[a]));
        l0.push_back(std::log(constant[a] / n[a]));
        lr.push_back(std::log(recency[a] / n[a]));
      }
    corr.push_back(pearson(la, lc));
    if (layer == 0) {
      out["attention_c_constant_null"] = pearson(l0, lc), out["attention_c_classes"] = lc.size();
      out["attention_c_recency_null"] = pearson(lr, lc);
    }
    out[layer == 0 ? "attention_ratio_layer1" : "attention_ratio_last"] = [&] {
      std::vector<double> x(ratio.size());
      for (std::size_t a = 0; a < x.size(); ++a) x[a] = n[a] > 0 ? ratio[a] / n[a] : 0.0;  // (0, 0): no earlier key
      return x;
    }();
  }
  out["attention_c_layer1"] = corr[0];
  out["attention_c_last"] = corr[1];
  return out;
}

}  // namespace spinformer
