#include "sgd/double_well.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <limits>
#include <vector>

#include "lab/rng.hpp"
#include "lab/usage_error.hpp"
#include "sgd/minibatch.hpp"

namespace spinformer::sgd {
namespace {

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double integrate(const std::function<double(double)>& f, double a, double b) {
  return boost::math::quadrature::gauss_kronrod<double, 61>::integrate(f, a, b, 15, 1e-13);
}

// Integrates a density over both wells out to +-reach, split at the two minima (where it peaks) and the
// barrier, so that adaptive quadrature sees every peak at an end point.
Occupation integrate_wells(const DoubleWell& well, const std::function<double(double)>& density, double reach) {
  const double b = well.barrier();
  Occupation occ;
  occ.wide = integrate(density, -reach, -1.0) + integrate(density, -1.0, b);
  occ.narrow = integrate(density, b, 1.0) + integrate(density, 1.0, reach);
  const double total = occ.wide + occ.narrow;
  occ.wide /= total;
  occ.narrow /= total;
  return occ;
}

// |theta| beyond which U / T > 60 in the softer direction, plus a margin.
double reach_for(const DoubleWell& well, double T) {
  const double k_min = std::min(well.k_narrow, well.k_wide);
  return std::sqrt(1.0 + std::sqrt(8.0 * 60.0 * T / k_min)) + 0.25;
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

}  // namespace

double DoubleWell::profile(double theta) const {
  return k_wide + (k_narrow - k_wide) * logistic(theta / switch_width);
}

double DoubleWell::potential(double theta) const {
  const double q = theta * theta - 1.0;
  return q * q / 8.0 * profile(theta) + tilt * theta;
}

double DoubleWell::gradient(double theta) const {
  const double q = theta * theta - 1.0;
  const double s = logistic(theta / switch_width);
  const double dprofile = (k_narrow - k_wide) * s * (1.0 - s) / switch_width;
  return 0.5 * theta * q * profile(theta) + q * q / 8.0 * dprofile + tilt;
}

double DoubleWell::barrier() const {
  // The highest point of U on a fine grid of (-1, 1), then bisection of U' (> 0 left of the maximum, < 0
  // right of it) within one grid cell of it. A tilt moves the minima off +-1, so the sign of U' at +-1
  // is no bracket by itself.
  constexpr int cells = 4000;
  const double h = 2.0 / cells;
  double best = -1.0 + h, best_u = potential(best);
  for (int i = 2; i < cells; ++i) {
    const double t = -1.0 + i * h, u = potential(t);
    if (u > best_u) best = t, best_u = u;
  }
  double lo = best - h, hi = best + h;
  for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
    const double mid = 0.5 * (lo + hi);
    (gradient(mid) > 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

WellNoise parse_well_noise(const std::string& name) {
  if (name == "constant") return WellNoise::constant;
  if (name == "curvature") return WellNoise::curvature;
  throw lab::UsageError("--noise", fmt::format("must be 'constant' or 'curvature', got '{}'", name));
}

std::string to_string(WellNoise noise) { return noise == WellNoise::constant ? "constant" : "curvature"; }

double DoubleWellSgd::noise_variance(double theta) const {
  const double base = sigma2 / static_cast<double>(B);
  return noise == WellNoise::constant ? base : base * well.profile(theta);
}

void validate(const DoubleWellSgd& sgd) {
  lab::require_positive("--k-narrow", sgd.well.k_narrow);
  lab::require_positive("--k-wide", sgd.well.k_wide);
  lab::require_positive("--switch-width", sgd.well.switch_width);
  // Both minima must survive the tilt: |tilt| up to a tenth of the softer curvature keeps them.
  if (!std::isfinite(sgd.well.tilt) || std::abs(sgd.well.tilt) > 0.1 * std::min(sgd.well.k_narrow, sgd.well.k_wide))
    throw lab::UsageError("--tilt", fmt::format("must be finite with |tilt| <= 0.1 min(k_narrow, k_wide), got {}",
                                                sgd.well.tilt));
  lab::require_positive("--eta", sgd.eta);
  lab::require_positive("--sigma2", sgd.sigma2);
  if (sgd.B < 1) throw lab::UsageError("--batch", fmt::format("must be >= 1, got {}", sgd.B));
  const double k_max = std::max(sgd.well.k_narrow, sgd.well.k_wide);
  if (!(sgd.eta * k_max < 2.0))
    throw lab::UsageError("--eta", fmt::format("eta k = {} >= 2 in the sharper well: SGD is unstable there",
                                               sgd.eta * k_max));
}

Occupation gibbs_occupation(const DoubleWell& well, double T) {
  lab::require_positive("--T", T);
  return integrate_wells(well, [&](double t) { return std::exp(-well.potential(t) / T); }, reach_for(well, T));
}

Occupation small_eta_occupation(const DoubleWellSgd& sgd) {
  validate(sgd);
  const auto diffusion = [&](double t) { return 0.5 * sgd.eta * sgd.noise_variance(t); };
  if (sgd.noise == WellNoise::constant) return gibbs_occupation(sgd.well, diffusion(0.0));
  // phi(theta) = int_{-1}^{theta} U'/D (-1 is a minimum, so phi >= 0 near it and the exponent is tame),
  // tabulated at nodes by 15-point Gauss-Kronrod per interval and interpolated by cubic Hermite with the
  // exact derivative phi' = U'/D: error O(h^4), far below the outer quadrature's tolerance, and no
  // nested adaptive quadrature.
  const double T_max = 0.5 * sgd.eta * sgd.sigma2 / static_cast<double>(sgd.B) *
                       std::max({1.0, sgd.well.k_narrow, sgd.well.k_wide});
  const double reach = reach_for(sgd.well, T_max / std::min({1.0, sgd.well.k_narrow, sgd.well.k_wide}));
  const auto dphi = [&](double u) { return sgd.well.gradient(u) / diffusion(u); };
  constexpr int nodes = 8001;
  const double h = 2.0 * reach / (nodes - 1);
  std::vector<double> phi_at(nodes), dphi_at(nodes);
  const int reference = static_cast<int>(std::lround((reach - 1.0) / h));  // node nearest to -1
  const auto node = [&](int i) { return -reach + i * h; };
  phi_at[static_cast<std::size_t>(reference)] =
      boost::math::quadrature::gauss_kronrod<double, 15>::integrate(dphi, -1.0, node(reference), 0);
  for (int i = reference + 1; i < nodes; ++i)
    phi_at[static_cast<std::size_t>(i)] = phi_at[static_cast<std::size_t>(i - 1)] +
        boost::math::quadrature::gauss_kronrod<double, 15>::integrate(dphi, node(i - 1), node(i), 0);
  for (int i = reference - 1; i >= 0; --i)
    phi_at[static_cast<std::size_t>(i)] = phi_at[static_cast<std::size_t>(i + 1)] -
        boost::math::quadrature::gauss_kronrod<double, 15>::integrate(dphi, node(i), node(i + 1), 0);
  for (int i = 0; i < nodes; ++i) dphi_at[static_cast<std::size_t>(i)] = dphi(node(i));
  const auto phi = [&](double t) {
    const int i = std::clamp(static_cast<int>(std::floor((t + reach) / h)), 0, nodes - 2);
    const double s = (t - node(i)) / h, s2 = s * s, s3 = s2 * s;
    const auto k = static_cast<std::size_t>(i);
    return (2 * s3 - 3 * s2 + 1) * phi_at[k] + (s3 - 2 * s2 + s) * h * dphi_at[k] + (-2 * s3 + 3 * s2) * phi_at[k + 1] +
           (s3 - s2) * h * dphi_at[k + 1];
  };
  return integrate_wells(sgd.well, [&](double t) { return std::exp(-phi(t)) / diffusion(t); }, reach);
}

Occupation StationaryDensity::occupation(double barrier) const {
  Occupation occ;
  if (theta.size() < 2) return occ;
  const double dx = theta[1] - theta[0];
  for (std::size_t i = 0; i < theta.size(); ++i) {
    // The fraction of cell i left of the barrier.
    const double left = std::clamp((barrier - (theta[i] - 0.5 * dx)) / dx, 0.0, 1.0);
    occ.wide += left * probability[i];
    occ.narrow += (1.0 - left) * probability[i];
  }
  return occ;
}

double StationaryDensity::mean() const {
  double m = 0;
  for (std::size_t i = 0; i < theta.size(); ++i) m += theta[i] * probability[i];
  return m;
}

double StationaryDensity::variance() const {
  const double m = mean();
  double v = 0;
  for (std::size_t i = 0; i < theta.size(); ++i) v += (theta[i] - m) * (theta[i] - m) * probability[i];
  return v;
}

StationaryDensity transfer_operator_density(const DoubleWellSgd& sgd, double lo, double hi, int points) {
  validate(sgd);
  return transfer_operator_density([&](double t) { return sgd.well.gradient(t); },
                                   [&](double t) { return sgd.noise_variance(t); }, sgd.eta, lo, hi, points);
}

StationaryDensity transfer_operator_density(const std::function<double(double)>& gradient,
                                            const std::function<double(double)>& noise_variance, double eta,
                                            double lo, double hi, int points) {
  if (!(hi > lo) || points < 10 || points > 5000)
    throw lab::UsageError("--grid", "needs hi > lo and 10..5000 points");
  const double dx = (hi - lo) / points;
  StationaryDensity out;
  out.theta.resize(static_cast<std::size_t>(points));
  for (int i = 0; i < points; ++i) out.theta[static_cast<std::size_t>(i)] = lo + (i + 0.5) * dx;

  // system = K - I: the grid's own transitions; what leaves the grid is lost.
  Eigen::MatrixXd system = -Eigen::MatrixXd::Identity(points, points);
  std::vector<double> leaves(static_cast<std::size_t>(points), 0.0);  // P(step leaves the grid | cell j)
  for (int j = 0; j < points; ++j) {
    const double x = out.theta[static_cast<std::size_t>(j)];
    const double m = x - eta * gradient(x);
    const double s = eta * std::sqrt(noise_variance(x));
    // The mass outside [lo, hi], from the two tails directly (1 - total would lose it to round-off).
    leaves[static_cast<std::size_t>(j)] = std::min(1.0, normal_cdf((lo - m) / s) + normal_cdf((m - hi) / s));
    const int first = std::max(0, static_cast<int>(std::floor((m - 12 * s - lo) / dx)));
    const int last = std::min(points - 1, static_cast<int>(std::ceil((m + 12 * s - lo) / dx)));
    for (int i = first; i <= last; ++i) {
      const double edge = lo + i * dx;
      const double p = normal_cdf((edge + dx - m) / s) - normal_cdf((edge - m) / s);
      if (p > 0) system(i, j) += p;
    }
  }
  // Inverse iteration with shift 1: (K - I)^-1 amplifies the eigenvector whose eigenvalue is nearest 1 by
  // 1 / (1 - lambda), so the quasi-stationary density separates from the next mode (the crossing between
  // the wells) by the ratio of their escape and relaxation rates per iteration.
  const auto lu = system.partialPivLu();
  Eigen::VectorXd p = Eigen::VectorXd::Constant(points, 1.0 / points);
  for (int it = 0; it < 500; ++it) {
    Eigen::VectorXd next = lu.solve(p);
    next /= next.sum();
    const double change = (next - p).lpNorm<1>();
    p = next;
    if (change < 1e-14) break;
  }
  out.probability.assign(p.data(), p.data() + points);
  double total = 0;
  for (auto& v : out.probability) total += (v = std::max(v, 0.0));  // round-off in the empty tails
  for (auto& v : out.probability) v /= total;
  for (int j = 0; j < points; ++j)
    out.escape_per_step += out.probability[static_cast<std::size_t>(j)] * leaves[static_cast<std::size_t>(j)];
  return out;
}

double period_two_orbit(const DoubleWellSgd& sgd) {
  return std::sqrt(1.0 + 4.0 / (sgd.eta * std::min(sgd.well.k_narrow, sgd.well.k_wide)));
}

double divergence_window(const DoubleWellSgd& sgd) { return std::min(1.25 * period_two_orbit(sgd), 8.0); }

StationaryDensity transfer_operator_density(const DoubleWellSgd& sgd) {
  const double R = divergence_window(sgd);
  return transfer_operator_density(sgd, -R, R, std::min(5000, static_cast<int>(std::ceil(2 * R / 0.005))));
}

double runaway_theta(const DoubleWellSgd& sgd) { return 10.0 * std::max(period_two_orbit(sgd), 10.0); }

SimulatedOccupation simulate_occupation(const DoubleWellSgd& sgd, long steps, long burn_in, std::uint64_t seed) {
  validate(sgd);
  constexpr long blocks = 200;
  if (steps < blocks) throw lab::UsageError("--steps", fmt::format("needs >= {} steps, got {}", blocks, steps));
  const double b = sgd.well.barrier();
  lab::Rng rng(seed);
  double theta = b;
  SimulatedOccupation out;
  long step = 0;
  const double runaway = runaway_theta(sgd);
  const auto diverged = [&] {
    if (std::abs(theta) <= runaway) return false;  // also catches NaN
    out.diverged_at = step;
    out.wide = out.error = std::numeric_limits<double>::quiet_NaN();
    return true;
  };
  for (long t = 0; t < burn_in; ++t, ++step) {
    theta -= sgd.eta * (sgd.well.gradient(theta) + std::sqrt(sgd.noise_variance(theta)) * standard_normal(rng));
    if (diverged()) return out;
  }
  const long per_block = steps / blocks;
  std::vector<double> block_mean(blocks, 0.0);
  bool in_wide = theta < b;
  for (long k = 0; k < blocks; ++k) {
    long wide = 0;
    for (long t = 0; t < per_block; ++t, ++step) {
      theta -= sgd.eta * (sgd.well.gradient(theta) + std::sqrt(sgd.noise_variance(theta)) * standard_normal(rng));
      if (diverged()) return out;
      // Crossings are counted between the minima (hysteresis), not at every jitter across the barrier.
      if (in_wide && theta > 1.0) in_wide = false, ++out.crossings;
      if (!in_wide && theta < -1.0) in_wide = true, ++out.crossings;
      wide += theta < b;
    }
    block_mean[static_cast<std::size_t>(k)] = static_cast<double>(wide) / static_cast<double>(per_block);
  }
  double mean = 0, ss = 0;
  for (double v : block_mean) mean += v;
  mean /= blocks;
  for (double v : block_mean) ss += (v - mean) * (v - mean);
  out.wide = mean;
  out.error = std::sqrt(ss / (blocks - 1) / blocks);
  return out;
}

}  // namespace spinformer::sgd
