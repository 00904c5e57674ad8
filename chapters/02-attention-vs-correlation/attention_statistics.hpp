#pragma once
// Chapter 2: the statistics read off an attention map, free of the model (so tests can check them on
// maps written by hand). Sequence position t holds the start token (t = 0) or spin s_t; the query at t
// predicts s_{t+1}, and the key u holds s_u, at distance r = t + 1 - u from the predicted spin.
//
// The attention sink (issue 30). Trained heads put much of their weight on the first spin s_1 (key 1)
// at *every* query, as they do on the start token: a resting place, not a read-out of s_1 at distance
// r = t. Kept in A(r), that weight sits at the largest distance of every query and dominates the
// correlation of ln A with ln C (per-seed values from +0.14 to -0.996 at one temperature). So every
// shape, decay and distance statistic here reads only the spin keys u = 2..t of a query, renormalised
// over them; the weights on the start token and on s_1 are reported separately (SpinSummary).
#include <cstdint>
#include <functional>
#include <vector>

namespace spinformer {

// w[l][h][t][u]: weight of key u for query t (sequence positions), averaged over samples.
struct Maps {
  int layers = 0, heads = 0, L = 0;
  std::vector<double> w;
  double at(int l, int h, int t, int u) const {
    return w[((static_cast<std::size_t>(l) * heads + h) * L + t) * L + u];
  }
};

// Uniform causal attention: every query spreads its weight evenly over the keys it can see.
Maps uniform_maps(int layers, int heads, int L);

// One layer's weights averaged over its heads, row-major [t * L + u].
std::vector<double> head_mean(const Maps& m, int layer);

// Shape of a layer's attention against the exact C(r), with the sink handled: for every query t >= 3,
// the log-weights on its spin keys u = 2..t at distances r = 1..min(t - 1, R), centred within the query
// (which removes the query's normalisation, so dropping s_1 and renormalising changes nothing else).
//   rho:        pooled within-query correlation of ln w(t, t+1-r) with ln C(r) (1: w proportional to C
//               at every query; 0: uniform attention; needs C > 0 for r <= R);
//   rate:       pooled within-query least-squares decay rate of ln w in r (1/sites), negated slope;
//   rate_C:     the same for ln C(r) on the same (t, r) pairs;
//   rate_ratio: rate / rate_C (1: attention decays as C does; 0: uniform).
struct Shape {
  double rho = 0, rate = 0, rate_C = 0, rate_ratio = 0;
};
Shape shape_against(const std::vector<double>& w, int L, const std::vector<double>& C, int R);

// The same correlation with the sink kept (the statistic issue 30 refuted), for the text only:
// corr over r = 1..R of ln A(r) - ln A_uniform(r) and ln C(r), A(r) the mean weight at distance r over
// the queries t >= r, s_1 included.
double rho_with_sink(const std::vector<double>& w, int L, const std::vector<double>& C, int R);

// Where a layer's attention goes, over the queries t = 2..L-1 (those with at least one spin key besides s_1):
//   start, sink: mean weight on the start token and on s_1 (key 1);
//   prev:        mean weight on the previous spin (key t), renormalised over the keys 2..t;
//   distance:    mean distance r of the keys 2..t under the renormalised weights (sites);
//   profile:     [r], r = 1..L-2: mean renormalised weight at distance r over the queries t >= r + 1.
struct SpinSummary {
  double start = 0, sink = 0, prev = 0, distance = 0;
  std::vector<double> profile;
};
SpinSummary spin_summary(const std::vector<double>& w, int L);

// Attention written by hand (controls): at every query the weights on the start token and on s_1 are
// those of `like` (a measured head-mean map, so that the sink is there as in the trained model), and the
// rest is spread over the spin keys u = 2..t in proportion to shape(r), r = t + 1 - u.
std::vector<double> hand_attention(const std::vector<double>& like, int L, const std::function<double(int)>& shape);

// A correlation held inside (-1, 1) for Fisher's z: an exact +-1 (a control written by hand) becomes
// +-(1 - 1e-9), z = +-10.7.
double inside_unit(double rho);

// Rank trend test of x over ordered groups (temperatures), the replicates of a group being its training
// seeds: the Jonckheere-Terpstra statistic S = sum over group pairs g < h of sum over (a in g, b in h) of
// sign(x_b - x_a), two-sided: p = (1 + #{|S_perm| >= |S|}) / (1 + permutations), the group labels
// permuted. A monotone trend in either direction gives a small p; a rise and fall (10.9, 11.4, 9.3) does not.
// Values within a relative 1e-9 of each other count as ties (sign 0).
double trend_statistic(const std::vector<double>& x, const std::vector<int>& group);
double trend_p(const std::vector<double>& x, const std::vector<int>& group, int permutations, std::uint64_t seed);

}  // namespace spinformer
