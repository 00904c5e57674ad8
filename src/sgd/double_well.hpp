#pragma once
// A double well with a narrow and a wide minimum of equal depth, and where SGD spends its time.
//
//   U(theta) = (theta^2 - 1)^2 / 8 * g(theta),  g(theta) = k_wide + (k_narrow - k_wide) / (1 + exp(-theta / w)),
//
// U >= 0 with U = 0 exactly at theta = -1 (curvature g(-1) ~ k_wide: the wide well) and theta = +1
// (curvature g(+1) ~ k_narrow: the narrow well), so the depths are equal by construction; g > 0 keeps
// the two zeros the only minima. The barrier top lies between them.
//
// SGD: theta' = theta - eta (U'(theta) + xi), xi Gaussian with variance sigma2 / B (constant noise) or
// sigma2 g(theta) / B (noise that follows the curvature, as the Fisher information does for a
// well-specified model). For small eta this is the Langevin (Ito) SDE d theta = -U' dt + sqrt(2 D) dW
// with D(theta) = eta Var(xi) / 2, whose stationary density is
//   p(theta) ∝ exp(-int^theta U'/D) / D(theta);
// with constant noise this is the Gibbs density exp(-U/T), T = eta sigma2 / (2 B), and the occupation
// ratio P(wide)/P(narrow) -> sqrt(k_narrow / k_wide) as T -> 0: the entropic preference for the wide
// well. At finite eta the discrete chain is not Gibbs; its stationary density is computed here as the
// leading eigenvector of a fine-grid transfer operator.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace spinformer::sgd {

struct DoubleWell {
  double k_narrow = 4.0;
  double k_wide = 1.0;
  double switch_width = 0.25;  // w: how sharply the curvature switches between the wells
  // A linear term tilt * theta: the wells are no longer equal in depth. tilt < 0 raises the wide well
  // (theta ~ -1) and lowers the narrow one by |tilt| each, so the flatter minimum is shallower by 2|tilt|
  // (chapter 7's negative control: a wide minimum that energy, not entropy, should make SGD leave).
  double tilt = 0.0;

  double profile(double theta) const;   // g(theta)
  double potential(double theta) const;  // U(theta)
  double gradient(double theta) const;   // U'(theta)
  double barrier() const;                // the maximum of U between the two minima
};

enum class WellNoise { constant, curvature };
WellNoise parse_well_noise(const std::string& name);  // "constant" | "curvature", else UsageError("--noise")
std::string to_string(WellNoise noise);

struct DoubleWellSgd {
  DoubleWell well;
  double eta = 0.05;
  double sigma2 = 1.0;  // per-sample gradient noise scale
  long B = 1;
  WellNoise noise = WellNoise::constant;

  double noise_variance(double theta) const;  // Var(xi) at theta
  double temperature() const { return eta * sigma2 / (2.0 * static_cast<double>(B)); }  // constant noise
};

void validate(const DoubleWellSgd& sgd);  // UsageError naming --eta, --sigma2, --batch, --k-narrow, ...

struct Occupation {
  double wide = 0;    // probability of theta < barrier
  double narrow = 0;  // probability of theta > barrier
  double ratio() const { return wide / narrow; }
};

// Gibbs exp(-U/T): adaptive Gauss-Kronrod quadrature split at the minima and the barrier.
Occupation gibbs_occupation(const DoubleWell& well, double T);
// The small-eta stationary density exp(-int U'/D)/D (equal to gibbs_occupation for constant noise).
Occupation small_eta_occupation(const DoubleWellSgd& sgd);

// The density SGD settles into, from the discrete chain on `points` cells of [lo, hi]: the transfer
// operator K_ij = P(theta' in cell i | theta = x_j) of the Gaussian step, with a step that leaves the
// grid lost (absorbed). Its leading eigenvector K p = lambda p, sum p = 1 (by inverse iteration) is the
// quasi-stationary density, and 1 - lambda the probability per step of leaving the grid from it. On a
// quartic potential SGD is never confined for good: beyond the period-2 orbit (eta U'(theta) ~ 2 theta,
// see divergence_window) each step overshoots further and the run diverges. So the density is the
// chain's own only over horizons with escape_per_step * steps << 1 (confined_over), and with a grid
// reaching past that orbit, leaving it is diverging. The Gaussian step must be resolved: eta sqrt(Var xi)
// >> cell.
struct StationaryDensity {
  std::vector<double> theta;        // cell centres
  std::vector<double> probability;  // mass of each cell
  double escape_per_step = 0;       // 1 - lambda: the probability per step of leaving [lo, hi]
  bool confined_over(double steps) const;  // sgd::confined_over(escape_per_step, steps)
  Occupation occupation(double barrier) const;
  double mean() const;
  double variance() const;
};
// True when a density is the chain's own over `steps` steps: it leaves its grid with probability < 1%.
inline bool confined_over(double escape_per_step, double steps) { return escape_per_step * steps < 0.01; }
inline bool StationaryDensity::confined_over(double steps) const {
  return sgd::confined_over(escape_per_step, steps);
}
// |theta| of the period-2 orbit theta -> -theta of the softer well's quartic, theta^2 = 1 + 4 / (eta k_min):
// beyond it each step overshoots further.
double period_two_orbit(const DoubleWellSgd& sgd);
// Half-width of a grid whose edges lie beyond period_two_orbit (by a factor 1.25), so that leaving it is
// diverging; capped at 8, where at any temperature this library
// meets (T < 1) the density is below exp(-U(8) / T) < e^-400 and the cap only overstates the escape.
double divergence_window(const DoubleWellSgd& sgd);
// The chain on [-divergence_window, divergence_window] with cells of 0.005 (at most 5000).
StationaryDensity transfer_operator_density(const DoubleWellSgd& sgd);
StationaryDensity transfer_operator_density(const DoubleWellSgd& sgd, double lo, double hi, int points = 1000);
// The same for any one-dimensional SGD theta' = theta - eta (U'(theta) + xi), Var(xi) = noise_variance(theta).
StationaryDensity transfer_operator_density(const std::function<double(double)>& gradient,
                                            const std::function<double(double)>& noise_variance, double eta,
                                            double lo, double hi, int points);

// Simulated fraction of steps in the wide well (theta < barrier), started at the barrier, after
// `burn_in` steps; the error uses batch means over 200 blocks (the indicator's autocorrelation time is
// the barrier-crossing time, too long for the direct autocorrelation sum). A run that diverges
// (|theta| > runaway_theta(sgd), or not finite) stops there: diverged_at is that step (counted from the
// start of burn-in) and wide and error are NaN.
struct SimulatedOccupation {
  double wide = 0;
  double error = 0;
  long crossings = 0;
  long diverged_at = -1;  // -1: did not diverge
  bool diverged() const { return diverged_at >= 0; }
};
// |theta| taken as divergence: ten times period_two_orbit (and at least 100), where eta |U'| ~
// eta k theta^3 / 2 exceeds 200 |theta|, so that each step multiplies |theta| a hundredfold.
double runaway_theta(const DoubleWellSgd& sgd);
SimulatedOccupation simulate_occupation(const DoubleWellSgd& sgd, long steps, long burn_in, std::uint64_t seed);

}  // namespace spinformer::sgd
