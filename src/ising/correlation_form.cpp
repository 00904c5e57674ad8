#include "ising/correlation_form.hpp"

#include <Eigen/Dense>
#include <boost/math/distributions/fisher_f.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "ising/correlation_length.hpp"

namespace spinformer::ising {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// The shape in terms of u = 1/xi, t = e^{-u}: the ring's (t^r + t^(L-r)) / (1 + t^L) does not
// overflow where cosh(L u / 2) would (xi below L / 1400).
double shape_of_u(CorrelationForm form, int L, double u, double r) {
  if (form == CorrelationForm::exponential) return std::exp(-u * r);
  return (std::exp(-u * r) + std::exp(-u * (L - r))) / (1 + std::exp(-u * L));
}

struct Window {
  int first, last;
  int points() const { return last - first + 1; }
};

Window window_of(int L) {
  const CorrelationWindow w = correlation_window(L);
  return {w.first, w.last};
}

// chi^2 at u with the amplitude solved for (the model is linear in it); amplitude returned in a.
double profile_chi_square(CorrelationForm form, int L, const Window& win, const std::vector<double>& c,
                          const std::vector<double>& W, double u, double& a) {
  const int k = win.points();
  std::vector<double> f(k), y(k);
  for (int i = 0; i < k; ++i) {
    f[i] = shape_of_u(form, L, u, win.first + i);
    y[i] = c[win.first + i];
  }
  auto dot = [&](const std::vector<double>& x, const std::vector<double>& z) {
    double s = 0;
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) s += x[i] * (W.empty() ? (i == j ? 1.0 : 0.0) : W[i * k + j]) * z[j];
    return s;
  };
  const double ff = dot(f, f), fy = dot(f, y), yy = dot(y, y);
  if (!(ff > 0)) {
    a = 0;
    return yy;
  }
  a = fy / ff;
  return std::max(0.0, yy - fy * fy / ff);
}

}  // namespace

double correlation_shape(CorrelationForm form, int L, double xi, double r) {
  return shape_of_u(form, L, 1 / xi, r);
}

FormFit fit_correlation_form(CorrelationForm form, const std::vector<double>& c,
                             const std::vector<double>& inverse_covariance) {
  const int L = static_cast<int>(c.size());
  if (L < 3) throw std::invalid_argument("fit_correlation_form: needs L >= 3");
  const Window win = window_of(L);
  const int k = win.points();
  if (!inverse_covariance.empty() && inverse_covariance.size() != static_cast<std::size_t>(k * k))
    throw std::invalid_argument("fit_correlation_form: the inverse covariance is not points x points");
  for (int r = win.first; r <= win.last; ++r)
    if (!std::isfinite(c[r])) throw std::invalid_argument("fit_correlation_form: C(r) must be finite in the window");

  // Scan ln u over xi from 1e-2 to 1e6 sites, then refine the best bracket by golden section. The
  // profile chi^2 of a one-parameter family is smooth; the scan guards against a distant local minimum.
  constexpr int kScan = 800;
  const double lo = std::log(1e-6), hi = std::log(1e2);
  double a = 0;
  int best = 0;
  double best_chi = std::numeric_limits<double>::infinity();
  std::vector<double> grid(kScan + 1);
  for (int s = 0; s <= kScan; ++s) {
    grid[s] = lo + (hi - lo) * s / kScan;
    const double chi = profile_chi_square(form, L, win, c, inverse_covariance, std::exp(grid[s]), a);
    if (chi < best_chi) best_chi = chi, best = s;
  }
  FormFit fit;
  fit.points = k;
  fit.dof = k - 2;
  if (best == 0) {  // flat within the window: the best fit does not decay
    fit.chi_square = profile_chi_square(form, L, win, c, inverse_covariance, 0.0, fit.amplitude);
    fit.xi = std::numeric_limits<double>::infinity();
    return fit;
  }
  double x0 = grid[best - 1], x3 = grid[std::min(best + 1, kScan)];
  const double g = (std::sqrt(5.0) - 1) / 2;
  double x1 = x3 - g * (x3 - x0), x2 = x0 + g * (x3 - x0);
  auto chi_at = [&](double x) { return profile_chi_square(form, L, win, c, inverse_covariance, std::exp(x), a); };
  double f1 = chi_at(x1), f2 = chi_at(x2);
  for (int it = 0; it < 200 && x3 - x0 > 1e-15; ++it) {
    if (f1 <= f2) {
      x3 = x2, x2 = x1, f2 = f1;
      x1 = x3 - g * (x3 - x0);
      f1 = chi_at(x1);
    } else {
      x0 = x1, x1 = x2, f1 = f2;
      x2 = x0 + g * (x3 - x0);
      f2 = chi_at(x2);
    }
  }
  const double u = std::exp((x0 + x3) / 2);
  fit.chi_square = profile_chi_square(form, L, win, c, inverse_covariance, u, fit.amplitude);
  fit.xi = 1 / u;
  return fit;
}

double ring_correlation_length(const std::vector<double>& c) {
  return fit_correlation_form(CorrelationForm::ring, c).xi;
}

namespace {

double hotelling_p_value(double chi_square, int dof, std::size_t blocks) {
  const double nu = static_cast<double>(blocks) - 1, d = dof;
  if (dof < 1 || !(nu - d + 1 > 0) || !std::isfinite(chi_square)) return kNan;
  const double F = chi_square * (nu - d + 1) / (nu * d);
  const boost::math::fisher_f_distribution<double> dist(d, nu - d + 1);
  return boost::math::cdf(boost::math::complement(dist, F));
}

}  // namespace

FormTest test_correlation_form(CorrelationForm form, const Chain& chain, const SpinSamples& samples, int blocks) {
  if (samples.L != chain.L) throw std::invalid_argument("test_correlation_form: sample length differs from chain L");
  const std::size_t n = samples.size();
  if (blocks < 3 || static_cast<std::size_t>(blocks) > n)
    throw std::invalid_argument("test_correlation_form: needs 3 <= blocks <= samples");
  const int L = chain.L;
  const bool ring = chain.boundary == Boundary::periodic;
  const std::size_t B = static_cast<std::size_t>(blocks);
  auto pairs = [&](int r) { return ring ? L : L - r; };
  auto begin = [&](std::size_t b) { return b * n / B; };

  // Per block: sums of s_i per site and of the pair products averaged over the pairs at distance r.
  std::vector<double> site(B * L, 0.0), pair(B * L, 0.0), site_total(L, 0.0), pair_total(L, 0.0);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t k = begin(b); k < begin(b + 1); ++k) {
      const Spin* s = samples.row(k);
      for (int i = 0; i < L; ++i) site[b * L + i] += s[i];
      for (int r = 0; r < L; ++r) {
        long acc = 0;
        for (int i = 0; i < pairs(r); ++i) acc += s[i] * s[(i + r) % L];
        pair[b * L + r] += static_cast<double>(acc) / pairs(r);
      }
    }
  for (std::size_t b = 0; b < B; ++b)
    for (int i = 0; i < L; ++i) site_total[i] += site[b * L + i], pair_total[i] += pair[b * L + i];
  // C(r) = <s_i s_{i+r}> - <s_i><s_{i+r}>, averaged over pairs, on all blocks but `excluded` (B: none).
  std::vector<double> mean(L);
  auto correlation = [&](std::size_t excluded) {
    double count = static_cast<double>(n);
    for (int i = 0; i < L; ++i) mean[i] = site_total[i];
    if (excluded < B) {
      count -= static_cast<double>(begin(excluded + 1) - begin(excluded));
      for (int i = 0; i < L; ++i) mean[i] -= site[excluded * L + i];
    }
    std::vector<double> c(L);
    for (int r = 0; r < L; ++r) {
      const double p = pair_total[r] - (excluded < B ? pair[excluded * L + r] : 0.0);
      double mm = 0;
      for (int i = 0; i < pairs(r); ++i) mm += mean[i] * mean[(i + r) % L];
      c[r] = p / count - mm / (count * count * pairs(r));
    }
    return c;
  };

  FormTest out;
  out.blocks = B;
  out.correlation = correlation(B);
  std::vector<std::vector<double>> replica(B);
  for (std::size_t b = 0; b < B; ++b) replica[b] = correlation(b);

  const Window win = window_of(L);
  const int k = win.points();
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(k, k);
  Eigen::VectorXd avg = Eigen::VectorXd::Zero(k);
  for (std::size_t b = 0; b < B; ++b)
    for (int i = 0; i < k; ++i) avg(i) += replica[b][win.first + i] / static_cast<double>(B);
  for (std::size_t b = 0; b < B; ++b) {
    Eigen::VectorXd d(k);
    for (int i = 0; i < k; ++i) d(i) = replica[b][win.first + i] - avg(i);
    cov += d * d.transpose();
  }
  cov *= static_cast<double>(B - 1) / static_cast<double>(B);
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(cov);
  if (ldlt.info() != Eigen::Success || !(ldlt.vectorD().minCoeff() > 0)) {
    out.fit = fit_correlation_form(form, out.correlation);
    out.xi = {kNan, kNan};
    out.p_value = kNan;
    return out;
  }
  const Eigen::MatrixXd W = ldlt.solve(Eigen::MatrixXd::Identity(k, k));
  out.inverse_covariance.resize(static_cast<std::size_t>(k * k));
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j) out.inverse_covariance[i * k + j] = (W(i, j) + W(j, i)) / 2;

  out.fit = fit_correlation_form(form, out.correlation, out.inverse_covariance);
  out.p_value = hotelling_p_value(out.fit.chi_square, out.fit.dof, B);
  // Jackknife of the fitted xi: every replica refitted with the same W.
  double sum = 0, sum2 = 0;
  bool finite = std::isfinite(out.fit.xi);
  std::vector<double> xis(B);
  for (std::size_t b = 0; b < B && finite; ++b) {
    xis[b] = fit_correlation_form(form, replica[b], out.inverse_covariance).xi;
    finite = std::isfinite(xis[b]);
    sum += xis[b];
  }
  if (!finite) {
    out.xi = {out.fit.xi, kNan};
    return out;
  }
  const double m = sum / static_cast<double>(B);
  for (double x : xis) sum2 += (x - m) * (x - m);
  out.xi = {out.fit.xi, std::sqrt(static_cast<double>(B - 1) / static_cast<double>(B) * sum2)};
  return out;
}

double form_p_value(CorrelationForm form, const std::vector<double>& c, const FormTest& noise) {
  if (noise.inverse_covariance.empty()) return kNan;
  const FormFit fit = fit_correlation_form(form, c, noise.inverse_covariance);
  return hotelling_p_value(fit.chi_square, fit.dof, noise.blocks);
}

}  // namespace spinformer::ising
