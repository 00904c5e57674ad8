// Replica overlap statistics: see replicas.hpp.
#include "glass/replicas.hpp"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "lab/usage_error.hpp"

namespace spinformer::glass {

OverlapStatistics overlap_statistics(const OverlapSeries& series, double null_variance, int blocks) {
  if (series.empty()) throw std::invalid_argument("overlap_statistics: empty series");
  const int R = static_cast<int>(series.front().rows());
  if (R < 2) throw lab::UsageError("--replicas", fmt::format("must be >= 2, got {}", R));
  for (const auto& m : series)
    if (m.rows() != R || m.cols() != R) throw std::invalid_argument("overlap_statistics: ragged series");
  OverlapStatistics st;
  st.replicas = R;
  st.snapshots = static_cast<int>(series.size());
  st.null_variance = null_variance;
  st.mean = Eigen::MatrixXd::Zero(R, R);
  for (const auto& m : series) st.mean += m;
  st.mean /= static_cast<double>(series.size());
  st.last = series.back();

  const std::size_t n = series.size();
  const int nb = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(blocks, 2)), n));
  // statistic `which` over all recorded times outside [lo, hi) and all pairs not involving replica `skip`.
  auto compute = [&](int which, std::size_t lo, std::size_t hi, int skip) {
    double m1 = 0, m2 = 0, ma = 0, count = 0;
    for (std::size_t t = 0; t < n; ++t) {
      if (t >= lo && t < hi) continue;
      for (int a = 0; a < R; ++a)
        for (int b = a + 1; b < R; ++b) {
          if (a == skip || b == skip) continue;
          const double q = series[t](a, b);
          m1 += q, m2 += q * q, ma += std::abs(q), count += 1;
        }
    }
    m1 /= count, m2 /= count, ma /= count;
    const double var = std::max(0.0, m2 - m1 * m1);
    switch (which) {
      case 0: return m1;
      case 1: return ma;
      case 2: return std::sqrt(var);
      default: return var / null_variance;
    }
  };
  // Two sources of uncertainty, added in quadrature: the finite run (delete-one-block jackknife over
  // time) and the finite set of replicas (delete-one-replica jackknife; with R = 2 it is not available).
  // The second dominates when replicas are trapped in different states.
  auto estimate = [&](int which) {
    lab::Estimate e{compute(which, 0, 0, -1), 0.0};
    if (n >= 2) {
      const auto time = lab::jackknife(n, nb, [&](std::size_t lo, std::size_t hi) { return compute(which, lo, hi, -1); });
      e.error = time.error * time.error;
    } else {
      e.error = NAN;
    }
    if (R >= 3) {
      std::vector<double> partial(R);
      double mean = 0;
      for (int r = 0; r < R; ++r) mean += partial[r] = compute(which, 0, 0, r);
      mean /= R;
      double ss = 0;
      for (double p : partial) ss += (p - mean) * (p - mean);
      e.error += ss * (R - 1.0) / R;
    }
    e.error = std::sqrt(e.error);
    return e;
  };
  st.q = estimate(0);
  st.abs_q = estimate(1);
  st.spread = estimate(2);
  st.chi = estimate(3);
  return st;
}

std::string to_string(Phase phase) {
  switch (phase) {
    case Phase::paramagnetic: return "paramagnetic";
    case Phase::field_aligned: return "field-aligned";
    case Phase::rsb: return "RSB";
  }
  return "?";
}

double rsb_threshold(int N) { return std::sqrt(static_cast<double>(N)); }

Phase classify(const OverlapStatistics& stats, int N, double q_threshold) {
  if (stats.chi.value > rsb_threshold(N)) return Phase::rsb;
  return stats.q.value < q_threshold ? Phase::paramagnetic : Phase::field_aligned;
}

ReplicaMoments binary_moments(const OverlapSeries& series) {
  if (series.empty()) throw std::invalid_argument("binary_moments: empty series");
  const Eigen::Index R = series.front().rows();
  double sum = 0, sum2 = 0, count = 0;
  for (const auto& m : series)
    for (Eigen::Index a = 0; a < R; ++a)
      for (Eigen::Index b = a + 1; b < R; ++b) sum += m(a, b), sum2 += m(a, b) * m(a, b), count += 1;
  if (count == 0) throw std::invalid_argument("binary_moments: needs >= 2 replicas");
  return {sum2 / count, (sum / count) * (sum / count)};
}

double spin_glass_susceptibility(int N, const ReplicaMoments& m, bool field) {
  return static_cast<double>(N) * (field ? m.q2 - m.mean_norm2 : m.q2);
}

double binary_overlap(const std::vector<signed char>& a, const std::vector<signed char>& b) {
  if (a.size() != b.size() || a.empty()) throw std::invalid_argument("binary_overlap: sizes differ");
  long sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return static_cast<double>(sum) / static_cast<double>(a.size());
}

}  // namespace spinformer::glass
