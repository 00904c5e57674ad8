#pragma once
// Chapter 2's claims: what one trained model's attention gave (ModelStats), the criteria (fixed in the
// program before the models were measured) and the claims judged on them, each graded claim with a
// positive and a negative control run through its own statistic and criterion (attention_claims.cpp).
#include <cmath>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lab/intervals.hpp"
#include "lab/statistics.hpp"

#include "attention_statistics.hpp"

namespace spinformer {

// ---- criteria, fixed before any model was looked at (issue 10), restated for issue 30 -------------
// Issue 30 (2026-12-07): the shape and decay statistics read the spin keys 2..t of each query only (the
// sink on s_1 and the start token left out, reported apart), within-query (attention_statistics.hpp);
// correlations get Fisher-z intervals; 2.3 is a rank trend test; every graded claim has a positive and
// a negative control run through its statistic and criterion. Thresholds as before.
constexpr double kShapeCorrelation = 0.5;   // 2.1: within-query corr(ln w, ln C) over r = 1..L/2 above this
                                            //      (uniform attention: 0; attention equal to C: 1)
constexpr double kDecayFactor = 2.0;        // 2.2a: within-query decay rate of ln w within a factor 2 of C's
constexpr double kTrackAlpha = 0.05;        // 2.3: two-sided rank trend p-value of D_1 in T below this
constexpr int kPermutations = 20000;        // 2.3: label permutations
// 2.2b and 2.3's positive control: attention written by hand that widens with T, w ~ exp(-r / l(T)),
// l(T) = kWidening * T / J sites (focused at low T, diffuse at high T: the reading 2.2b states).
constexpr double kWidening = 2.0;
constexpr double kFlipLow = 0.8, kFlipHigh = 1.25;  // 2.4: response of log p_model(s_L | s_<L) to flipping s_1,
                                                    //      as a fraction of the exact response

// Everything measured on one trained model (one temperature, one training seed).
struct ModelStats {
  double T = 0;
  int seed = 0;
  std::vector<double> A1, A2;  // [r], start token left out, s_1 kept (the raw profile)
  std::vector<double> P1;      // [r]: layer 1, spin keys 2..t renormalised (sink left out)
  double cos1 = NAN, rho1 = NAN, kappa1 = NAN;  // rho1, kappa1: sink-free, within-query (Shape)
  double rho1_sink = NAN;                        // the former statistic, s_1 kept (text only)
  double cos_untrained = NAN, rho_untrained = NAN, kappa_untrained = NAN;
  double prev1 = NAN, prev2 = NAN, start1 = NAN, start2 = NAN, sink1 = NAN, sink2 = NAN, D1 = NAN, D2 = NAN,
         D_untrained = NAN;
  // controls written by hand, with this model's own weights on the start token and on s_1 (layer 1):
  // attention proportional to C(r) (positive for 2.1, 2.2a), uniform (negative), widening with T
  Shape ctrl_C, ctrl_uniform;
  SpinSummary ctrl_C_spins, ctrl_uniform_spins, ctrl_widening_spins;
  double ctrl_C_rho_sink = NAN;  // the C control through the former statistic (s_1 kept)
  double first_best = NAN;  // largest single-head weight on s_1 at the last query, layer 1 or 2
  double flip_slope = NAN;  // sum dm de / sum de^2 at the last spin
  std::vector<double> flip_abs;  // [i]: mean |change of log p_model(s_i | s_<i)| when s_1 flips (i = 1..L-1)
  lab::Estimate last_excess{NAN, NAN};
};

// What the claims read off a model's layer-1 and layer-2 head-mean weights (w1, w2; row-major [t * L + u])
// against the exact C(r), r <= R, at m.T: the sink-free shape, decay, previous-spin weight and distance,
// the weights on the start token and on s_1, the former statistic, and the three controls written by
// hand with this model's weights on the start token and s_1 (proportional to C, uniform, widening with T).
void read_attention(ModelStats& m, const std::vector<double>& w1, const std::vector<double>& w2,
                    const std::vector<double>& C, int L, int R, double J);

// The values of one statistic over the models (training seeds) of temperature T, in model order.
std::vector<double> values_at(const std::vector<ModelStats>& stats, double T,
                              const std::function<double(const ModelStats&)>& statistic);

// A mean correlation over seeds: Student-t interval on Fisher's z = atanh(rho), mapped back, so that it
// stays inside [-1, 1] (inside_unit holds an exact +-1 finite); below two finite values, [-1, 1].
lab::Interval correlation_interval(const std::vector<double>& rhos, double level);

struct Judged {
  nlohmann::json claims;  // the chapter's claims file, the gate applied (context: other chapters' claims)
  lab::Interval p_track, p_track_pos, p_track_neg;  // 2.3's trend test on the models and on its controls
};

// Claims 2.1-2.4 and their controls. temps: ascending; flip_exact, flip_open: per temperature, 2.4's
// controls (the flip slope of the exact and of the open chain's conditionals); seed: the chapter's.
Judged judge_claims(const std::vector<double>& temps, const std::vector<ModelStats>& stats,
                    const std::vector<double>& flip_exact, const std::vector<double>& flip_open, std::uint64_t seed,
                    const std::vector<nlohmann::json>& context);

}  // namespace spinformer
