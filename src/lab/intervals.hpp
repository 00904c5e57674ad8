#pragma once
// Confidence intervals with simultaneous coverage: a claim that covers k conditions is judged on k
// intervals at once, so each interval is widened (Bonferroni: level 1 - alpha / k) or the k tests
// are stepped down (Holm), and the family as a whole is wrong with probability at most alpha.
#include <cstddef>
#include <vector>

#include "lab/statistics.hpp"

namespace spinformer::lab {

// The family-wise error rate the paper uses unless a claim states another one.
constexpr double kFamilyAlpha = 0.05;

struct Interval {
  double estimate = 0, lower = 0, upper = 0;
};

// Per-interval confidence level that gives k intervals joint coverage >= 1 - alpha: 1 - alpha / k.
// Throws std::invalid_argument for k = 0 or alpha outside (0, 1).
double bonferroni_level(std::size_t k, double alpha = kFamilyAlpha);

// Quantiles of the standard normal and of Student's t with dof degrees of freedom (Boost.Math).
double normal_quantile(double p);
double student_t_quantile(double p, double dof);

// Two-sided interval estimate +- z_{(1+level)/2} * error for an estimator that is close to normal
// (a mean over many independent samples, a jackknife estimate).
Interval normal_interval(const Estimate& e, double level);

// Two-sided Student-t interval of the mean of independent replicates (seeds, disorder samples):
// mean +- t_{(1+level)/2, n-1} s / sqrt(n). The spread between replicates carries every source of
// variance that differs between them. Needs n >= 2 finite values (std::invalid_argument otherwise).
Interval t_interval(const std::vector<double>& replicates, double level);

// The same over the finite replicates only (a statistic undefined for some seeds or draws): with fewer
// than two of them, an interval that decides nothing, [-1e6, 1e6], around the lone value (or 0).
Interval finite_t_interval(const std::vector<double>& replicates, double level);

// Welch's interval of mean(a) - mean(b) for two independent sets of replicates with unequal variances:
// standard error sqrt(s_a^2 / n_a + s_b^2 / n_b), Student t with the Welch-Satterthwaite degrees of
// freedom (s_a^2/n_a + s_b^2/n_b)^2 / ((s_a^2/n_a)^2 / (n_a - 1) + (s_b^2/n_b)^2 / (n_b - 1)). Needs n >= 2
// finite values in each (std::invalid_argument otherwise); both spreads zero gives the point interval.
Interval welch_interval(const std::vector<double>& a, const std::vector<double>& b, double level);

// Holm's step-down procedure: which of the k null hypotheses with these p-values are rejected at
// family-wise error rate alpha. Sorted ascending, the j-th smallest (j = 0..k-1) is rejected while
// p_(j) <= alpha / (k - j); the first failure stops the walk.
std::vector<bool> holm_reject(const std::vector<double>& p_values, double alpha = kFamilyAlpha);

// Holm-adjusted p-values (monotone, capped at 1): reject hypothesis i at level alpha iff adjusted[i] <= alpha.
std::vector<double> holm_adjusted(const std::vector<double>& p_values);

// ---- intervals on a scale where the statistic is unbounded, mapped back ---------------------------
// A normal or t interval on a bounded statistic can leave its range (a correlation interval
// [-1.32, 0.32]); on the transformed scale it cannot, and the mapped-back interval is asymmetric.

// Mean of per-replicate correlations: Student-t interval of atanh r (Fisher's z), mapped back by tanh;
// the estimate is tanh of the mean z. Needs n >= 2 values in (-1, 1) (std::invalid_argument otherwise).
Interval fisher_z_t_interval(const std::vector<double>& correlations, double level);

// One correlation over n >= 4 points: atanh r +- z_{(1+level)/2} / sqrt(n - 3), mapped back.
Interval fisher_z_interval(double r, std::size_t n, double level);

// A proportion k / n (n >= 1): logit p +- z / sqrt(n p (1 - p)), mapped back by the logistic function;
// with k = 0 or k = n half a count is added to each side (Haldane) so that the scale stays finite.
Interval logit_interval(std::size_t k, std::size_t n, double level);

// Mean of per-replicate positive ratios: Student-t interval of ln x, mapped back by exp (the
// estimate is the geometric mean). Needs n >= 2 finite positive values.
Interval log_t_interval(const std::vector<double>& ratios, double level);

// ---- what would decide an undecided condition -----------------------------------------------------

// The number of replicates (seeds, samples) at which an interval of the same spread would no longer
// reach the threshold: half_width is the interval's half-width at n replicates and level, distance
// the gap from the estimate to the threshold it straddles. With n >= 2 the half-width is taken as
// t_{(1+level)/2, m-1} s / sqrt(m) with s fixed by the observed one; with n < 2 (unknown) as
// half_width sqrt(n0 / m) for n0 = 1, i.e. the answer is the factor on today's count. Returns 0 when
// no number decides it (distance 0 or non-finite input); capped at 10^9.
std::size_t replicates_to_decide(double half_width, double distance, std::size_t n, double level);

}  // namespace spinformer::lab
