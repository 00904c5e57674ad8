#pragma once
// Chapter 4: the configuration, the two kinds of job (parallel tempering on one binary SK sample; the
// replicas of one vector-spin disorder draw at one (N, h, T)) with their results as JSON (defined in
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
  // SK validation: parallel tempering, sk_replicas independent ladders per disorder sample
  std::vector<int> sk_sizes{64, 128, 256};
  std::vector<double> sk_fields{0.0, 0.1, 0.3, 0.5};
  double sk_tmin = 0.3, sk_tmax = 1.5;
  int sk_temperatures = 16;
  int sk_samples = 32;  // disorder samples per (N, h)
  int sk_replicas = 4;
  long sk_burn_in = 8000, sk_sweeps = 16000, sk_thin = 10;
  // vector-spin model: replicas per draw, draws per (N, h, T), sweeps of N proposals per replica
  std::vector<int> sizes{32, 64, 128};
  int D = 8, replicas = 20, draws = 16;
  std::vector<double> fields{0.0, 0.1, 0.4, 0.8, 1.6};
  std::vector<double> temperatures{0.025, 0.05, 0.1, 0.2, 0.4, 0.8};
  long sweeps = 1000, thin_sweeps = 10;
  double burn_in_fraction = 0.5;
  std::uint64_t seed = 20260404;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, sk_sizes, sk_fields, sk_tmin, sk_tmax, sk_temperatures, sk_samples,
                                   sk_replicas, sk_burn_in, sk_sweeps, sk_thin, sizes, D, replicas, draws, fields,
                                   temperatures, sweeps, thin_sweeps, burn_in_fraction, seed)

// The SK ladder: sk_temperatures temperatures, geometric from sk_tmin to sk_tmax.
std::vector<double> sk_ladder(const Config& cfg);

// ---- job "sk": parallel tempering on one binary SK sample (couplings from parameters "instance_seed") --
struct SkPoint {  // one sample, one temperature
  double q2 = 0, mean_norm2 = 0, coupling_energy = 0;
};
struct SkResult {
  std::vector<SkPoint> by_temperature;
  double min_swap = 1;  // smallest swap acceptance along the ladder
};
nlohmann::json sk_parameters(const Config& cfg, const std::vector<double>& temperatures, int N, double h, int sample);
nlohmann::json sk_job(const nlohmann::json& parameters, std::uint64_t seed);
SkResult sk_from_json(const nlohmann::json& j);

// ---- job "vector": the replicas of one vector-spin draw at one (N, h, T) --------------------------------
struct VectorResult {
  double q2 = 0, mean_norm2 = 0;  // tensor-overlap moments
  double alignment = 0;           // mean over replicas of A(final state, x)
  double rhat = 0;                // Gelman-Rubin R-hat of H / N across the replicas' dispersed starts
  double acceptance = 0, sigma = 0;
  std::vector<std::vector<double>> last;  // last recorded ||Q_ab||_F (R x R)
};
nlohmann::json vector_parameters(const Config& cfg, int N, double h, double T, int draw, bool thesis_sigma);
nlohmann::json vector_job(const nlohmann::json& parameters, std::uint64_t seed);
VectorResult vector_from_json(const nlohmann::json& j);

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
  // SK
  int sk_nmin = 0, sk_nmax = 0, sk_samples = 0;
  std::vector<GridPoint> sk_points;
  double sk_margin = 0.1;  // points within this fraction of T_AT are left out of sensitivity/specificity
  std::vector<double> sk_temperatures;
  std::map<double, std::pair<Crossing, double>> sk_crossings;  // h -> (crossing of the two largest N, T_AT)
  struct Identity { std::string label; Samples diff; };
  std::vector<Identity> identity;  // per (N, h) at the lowest T: e_J + (beta/2)(1 - q2), per sample
  // vector model
  int nmin = 0, nmax = 0, draws = 0, replicas = 0;
  std::vector<double> fields, temperatures;
  std::vector<GridPoint> vector_points;        // [ih * nT + iT]
  std::vector<Samples> alignment;              // at nmax, [ih * nT + iT]
  double t_freeze = 0;                         // measured (NaN when no crossing inside the range)
  struct Corner { double h, T; Samples rhat_thesis, rhat_adapted; };
  std::vector<Corner> corners;
};
lab::Claims make_claims(const ClaimInputs& in);
// "a of b supported, c refuted" for one claim of claims.json.
std::string status_count(const nlohmann::json& claim);
// The verdicts of the chapter before this measurement (site-wise cosine, one draw, chi > sqrt(N))
// against the new ones, as a markdown table (the closing note).
std::string verdict_changes(const nlohmann::json& claims);

}  // namespace spinformer
