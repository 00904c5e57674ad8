#pragma once
// Chapter 4: the configuration and the two kinds of job (parallel tempering on one binary SK sample; the
// replica measurement at one (h, T) point of the vector-spin model) with their results as JSON (defined
// in rsb_phase_diagram_measurements.cpp). The program that runs the chapter is rsb_phase_diagram.cpp.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "glass/replicas.hpp"

namespace spinformer {

struct Config {
  // SK validation
  std::vector<int> sk_sizes{64, 128};
  std::vector<double> sk_fields{0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5};
  double sk_tmin = 0.3, sk_tmax = 1.6;
  int sk_temperatures = 16;
  int sk_samples = 4;  // disorder samples per (N, h)
  long sk_burn_in = 5000, sk_sweeps = 20000, sk_thin = 10;
  // vector-spin grid (the thesis: N = 64, D = 32, 5 replicas)
  int N = 64, D = 32, replicas = 5;
  std::vector<double> fields{0.05, 0.1, 0.2, 0.4, 0.8, 1.6};
  std::vector<double> temperatures{0.025, 0.05, 0.1, 0.2, 0.4, 0.8};
  std::int64_t proposals = 2'000'000, thin = 20'000;
  double burn_in_fraction = 0.5;
  int workers = 2;  // jobs run at a time
  std::uint64_t seed = 20260404;
};

Config profile(const std::string& name);

// ---- job "sk": parallel tempering on one binary SK sample (couplings from parameters "instance_seed") --
struct SkPointStatistics {
  double q = 0;
  lab::Estimate chi;
};
struct SkResult {
  std::vector<SkPointStatistics> by_temperature;
  double min_swap = 1;  // smallest swap acceptance along the ladder
};
nlohmann::json sk_parameters(const Config& cfg, const std::vector<double>& temperatures, int N, double h, int sample);
nlohmann::json sk_job(const nlohmann::json& parameters, std::uint64_t seed);
SkResult sk_from_json(const nlohmann::json& j);

// ---- job "vector": the replica measurement on the vector-spin model at one (h, T) ----------------------
struct VectorResult {
  glass::OverlapStatistics stats;  // without the time-averaged matrix
  double alignment = 0;            // mean over replicas of A(final state, x)
  double acceptance = 0, sigma = 0;
};
nlohmann::json vector_parameters(const Config& cfg, double h, double T, bool thesis_sigma);
nlohmann::json vector_job(const nlohmann::json& parameters, std::uint64_t seed);
VectorResult vector_from_json(const nlohmann::json& j);

}  // namespace spinformer
