#pragma once
// Chapter 4: the configuration, the three kinds of job (parallel tempering on one binary SK sample;
// parallel tempering of one vector-spin draw at one (N, h); replicas without tempering at a corner of the
// grid, with the R-hat gate's controls) with their results as JSON (defined in
// rsb_phase_diagram_measurements.cpp), the disorder averages and finite-size crossings the program
// and the claims share, and the claims (claims.cpp). The program is rsb_phase_diagram.cpp.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lab/intervals.hpp"
#include "lab/verdict.hpp"

namespace spinformer {

struct Config {
  // SK validation at the vector model's sizes (the same instrument at the same N): parallel tempering,
  // sk_replicas independent ladders per disorder sample. Burn-in B and 3B recorded sweeps give the two
  // last log bins [B, 2B) and [2B, 4B); the claims use the last one and compare the two.
  std::vector<int> sk_sizes{8, 16, 32};
  std::vector<double> sk_fields{0.0, 0.3, 0.5};
  double sk_tmin = 0.3, sk_tmax = 1.5;
  int sk_temperatures = 16;
  int sk_samples = 512;  // disorder samples per (N, h): the identity's interval is +-0.03 at 512
  int sk_replicas = 4;
  long sk_burn_in = 1000, sk_sweeps = 3000, sk_thin = 5;
  // vector-spin model: parallel tempering over a geometric ladder of ntemps temperatures from tmin to
  // tmax (swap acceptance about 0.25 at N = 32, D = 8), `replicas` independent ladders per draw,
  // `draws` disorder draws per (N, h); burn-in and recorded sweeps as for SK (log bins)
  std::vector<int> sizes{8, 16, 32};
  int D = 8, replicas = 6, draws = 16;
  std::vector<double> fields{0.0, 0.4, 1.6};
  double tmin = 0.05, tmax = 0.4;
  int ntemps = 16;
  long burn_in = 2000, sweeps = 6000, thin_sweeps = 10;
  // the thesis's proposal width against the adapted one (no tempering, as the thesis samples) at the
  // corners of the grid, at the smallest N, with the R-hat gate's controls (frozen and independent chains)
  long corner_sweeps = 4000;
  double rhat_bound = 1.1;  // Gelman-Rubin bound of the pair overlaps
  double bin_band = 0.1;    // relative change of chi_SG between the last two log bins allowed
  std::uint64_t seed = 20260404;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, sk_sizes, sk_fields, sk_tmin, sk_tmax, sk_temperatures, sk_samples,
                                   sk_replicas, sk_burn_in, sk_sweeps, sk_thin, sizes, D, replicas, draws, fields,
                                   tmin, tmax, ntemps, burn_in, sweeps, thin_sweeps, corner_sweeps, rhat_bound,
                                   bin_band, seed)

// The SK ladder: sk_temperatures temperatures, geometric from sk_tmin to sk_tmax; the vector ladder likewise.
std::vector<double> sk_ladder(const Config& cfg);
std::vector<double> vector_ladder(const Config& cfg);

// Moments of the last two log bins of one run at one temperature.
struct BinMoments {
  double q2 = 0, mean_norm2 = 0;              // last bin [2B, 4B): what the claims use
  double early_q2 = 0, early_mean_norm2 = 0;  // the bin before, [B, 2B)
};

// ---- job "sk": parallel tempering on one binary SK sample (couplings from parameters "instance_seed") --
struct SkPoint : BinMoments {  // one sample, one temperature
  double coupling_energy = 0;  // over all recorded sweeps
  double identity_q2 = 0;      // q2 over the same sweeps, for the identity
};
struct SkResult {
  std::vector<SkPoint> by_temperature;
  double min_swap = 1;  // smallest swap acceptance along the ladder
};
nlohmann::json sk_parameters(const Config& cfg, const std::vector<double>& temperatures, int N, double h, int sample);
nlohmann::json sk_job(const nlohmann::json& parameters, std::uint64_t seed);
SkResult sk_from_json(const nlohmann::json& j);

// ---- job "ladder": parallel tempering of one vector-spin draw at one (N, h), every temperature ----------
struct LadderPoint : BinMoments {  // one draw, one temperature
  double alignment = 0;      // mean over replicas of A(final state, x) (NaN at h = 0)
  double rhat = 0;           // R-hat of ||Q_ab||_F^2 across disjoint replica pairs, recorded sweeps
  double acceptance = 0, sigma = 0, swap = 0;  // swap: with the next temperature (0 at the top)
  std::vector<std::vector<double>> last;       // last recorded ||Q_ab||_F (R x R)
};
nlohmann::json ladder_parameters(const Config& cfg, int N, double h, int draw);
nlohmann::json ladder_job(const nlohmann::json& parameters, std::uint64_t seed);
std::vector<LadderPoint> ladder_from_json(const nlohmann::json& j);

// ---- job "corner": replicas without tempering at one (h, T), smallest N: the R-hat gate and its controls --
// mode: "thesis" (width 1/(N sqrt D)), "adapted" (30% acceptance), "frozen" (width 1e-6: chains that
// cannot move, the negative control) or "independent" (every record a fresh independent random state:
// chains that mix perfectly, the positive control).
struct CornerResult {
  double rhat = 0, acceptance = 0;
};
nlohmann::json corner_parameters(const Config& cfg, double h, double T, int draw, const std::string& mode);
nlohmann::json corner_job(const nlohmann::json& parameters, std::uint64_t seed);
CornerResult corner_from_json(const nlohmann::json& j);

// ---- disorder averages and finite-size crossings ---------------------------------------------------------
// chi_SG / N^(1/3) of each sample at one (N, h, T).
using Samples = std::vector<double>;
// Mean and standard error over samples.
lab::Estimate sample_mean(const Samples& x);
// The difference of the scaled susceptibility between the larger and the smaller size, with its
// interval at `level` (independent samples at the two sizes: normal interval on the difference).
lab::Interval growth_interval(const Samples& small, const Samples& large, double level);
// Where two sizes' mean curves (scaled chi against T, increasing T) cross: the last T at which the
// larger size's curve drops below the smaller's, linearly interpolated; below the first T (the
// larger is lower everywhere) it is T.front() with lower end 0, above the last T.back(). The interval
// is the bootstrap over samples (percentiles at `level`, deterministic seed).
struct Crossing {
  lab::Interval T;
  bool inside = false;  // found inside the temperature range
};
Crossing crossing(const std::vector<double>& T, const std::vector<Samples>& small, const std::vector<Samples>& large,
                  double level, std::uint64_t seed);

// ---- what the claims need, gathered by the program --------------------------------------------------------
struct GridPoint {  // one (h, T): per-sample scaled chi at the two extreme sizes
  double h = 0, T = 0;
  Samples small, large;
};
struct ClaimInputs {
  std::string source;
  double rhat_bound = 1.1, bin_band = 0.1;
  // SK
  int sk_nmin = 0, sk_nmax = 0, sk_samples = 0;
  std::vector<GridPoint> sk_points;
  double sk_margin = 0.1;  // points within this fraction of T_AT are left out of sensitivity/specificity
  std::vector<double> sk_temperatures;
  std::map<double, std::pair<Crossing, double>> sk_crossings;  // h -> (crossing of the two largest N, T_AT)
  struct Identity { std::string label; Samples diff; };
  std::vector<Identity> identity;  // per (N, h) at the lowest T: e_J + (beta/2)(1 - q2), per sample
  // per (N, h) at the lowest T: chi_SG of the last log bin and of the bin before, per sample (paired)
  struct Bins { std::string label; Samples late, early; };
  std::vector<Bins> sk_bins;
  // vector model
  int nmin = 0, nmax = 0, draws = 0, replicas = 0;
  std::vector<double> fields, temperatures;
  std::vector<GridPoint> vector_points;        // [ih * nT + iT]
  std::vector<Samples> alignment;              // at nmax, [ih * nT + iT]
  double t_freeze = 0;                         // measured (NaN when no crossing inside the range)
  // per graded point (N in {nmin, nmax}, h, T): R-hat per draw and the two log bins' chi_SG per draw
  struct Equilibrium { std::string label; Samples rhat, late, early; };
  std::vector<Equilibrium> vector_equilibrium;
  std::vector<std::size_t> graded_fields, low_temperatures, high_temperatures;  // indices
  struct Corner { double h, T; Samples rhat_thesis, rhat_adapted, rhat_frozen, rhat_independent; };
  std::vector<Corner> corners;
};
lab::Claims make_claims(const ClaimInputs& in);
// "a of b supported, c refuted" for one claim of claims.json.
std::string status_count(const nlohmann::json& claim);
// The verdicts of the chapter before this measurement (site-wise cosine, one draw, chi > sqrt(N))
// against the new ones, as a markdown table (the closing note).
std::string verdict_changes(const nlohmann::json& claims);

}  // namespace spinformer
