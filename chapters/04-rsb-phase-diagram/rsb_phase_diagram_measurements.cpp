// Chapter 4: the jobs (declared in rsb_phase_diagram.hpp).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

#include "glass/metropolis.hpp"
#include "glass/replicas.hpp"
#include "glass/sk_monte_carlo.hpp"
#include "glass/vector_replicas.hpp"
#include "glass/vector_tempering.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/rng.hpp"

#include "rsb_phase_diagram.hpp"

namespace spinformer {

namespace {
std::vector<double> geometric(double lo, double hi, int n) {
  std::vector<double> t;
  for (int k = 0; k < n; ++k) t.push_back(n == 1 ? lo : lo * std::pow(hi / lo, k / double(n - 1)));
  return t;
}
// The records of the last log bin start a third of the way into the recorded sweeps (burn-in B, 3B recorded:
// [B, 2B) and [2B, 4B)).
std::size_t bin_split(std::size_t records) { return records / 3; }
nlohmann::json bins_json(const BinMoments& m) {
  return {{"q2", m.q2}, {"mean_norm2", m.mean_norm2}, {"early_q2", m.early_q2}, {"early_mean_norm2", m.early_mean_norm2}};
}
void bins_from_json(const nlohmann::json& j, BinMoments& m) {
  m.q2 = j.at("q2").get<double>(), m.mean_norm2 = j.at("mean_norm2").get<double>();
  m.early_q2 = j.at("early_q2").get<double>(), m.early_mean_norm2 = j.at("early_mean_norm2").get<double>();
}
}  // namespace

std::vector<double> sk_ladder(const Config& cfg) { return geometric(cfg.sk_tmin, cfg.sk_tmax, cfg.sk_temperatures); }
std::vector<double> vector_ladder(const Config& cfg) { return geometric(cfg.tmin, cfg.tmax, cfg.ntemps); }

// ---- job "sk" ----------------------------------------------------------------------------------------------
nlohmann::json sk_parameters(const Config& cfg, const std::vector<double>& temperatures, int N, double h, int sample) {
  // the same couplings for every h (their seed depends on N and the sample only)
  return {{"N", N}, {"h", h}, {"instance_seed", cfg.seed + 7919 * N + sample}, {"temperatures", temperatures},
          {"replicas", cfg.sk_replicas}, {"burn_in_sweeps", cfg.sk_burn_in}, {"sweeps", cfg.sk_sweeps},
          {"thin", cfg.sk_thin}};
}

nlohmann::json sk_job(const nlohmann::json& p, std::uint64_t seed) {
  const int N = p.at("N").get<int>();
  const auto inst = glass::sk::Instance::random(N, p.at("h").get<double>(), p.at("instance_seed").get<std::uint64_t>());
  glass::sk::ReplicaRunOptions o;
  o.replicas = p.at("replicas").get<int>(), o.burn_in_sweeps = p.at("burn_in_sweeps").get<long>(),
  o.sweeps = p.at("sweeps").get<long>(), o.thin = p.at("thin").get<long>(), o.seed = seed;
  const auto run = glass::sk::run_replicas(inst, p.at("temperatures").get<std::vector<double>>(), o);
  nlohmann::json points = nlohmann::json::array();
  for (std::size_t k = 0; k < run.overlaps.size(); ++k) {
    const auto& series = run.overlaps[k];
    const auto split = static_cast<std::ptrdiff_t>(bin_split(series.size()));
    const auto late = glass::binary_moments({series.begin() + split, series.end()});
    const auto early = glass::binary_moments({series.begin(), series.begin() + split});
    auto j = bins_json({late.q2, late.mean_norm2, early.q2, early.mean_norm2});
    j["coupling_energy"] = run.coupling_energy_per_spin[k];
    j["identity_q2"] = glass::binary_moments(series).q2;
    points.push_back(j);
  }
  return {{"by_temperature", points},
          {"min_swap", *std::min_element(run.swap_acceptance.begin(), run.swap_acceptance.end())}};
}

SkResult sk_from_json(const nlohmann::json& j) {
  SkResult r;
  for (const auto& p : j.at("by_temperature")) {
    SkPoint s;
    bins_from_json(p, s);
    s.coupling_energy = p.at("coupling_energy").get<double>(), s.identity_q2 = p.at("identity_q2").get<double>();
    r.by_temperature.push_back(s);
  }
  r.min_swap = j.at("min_swap").get<double>();
  return r;
}

// ---- job "ladder" ------------------------------------------------------------------------------------------
nlohmann::json ladder_parameters(const Config& cfg, int N, double h, int draw) {
  // one draw = one J and one set of field directions, the same at every h; h scales the field
  return {{"N", N}, {"D", cfg.D}, {"h", h}, {"model_seed", cfg.seed + 104729 * N + draw}, {"temperatures", vector_ladder(cfg)},
          {"replicas", cfg.replicas}, {"burn_in_sweeps", cfg.burn_in}, {"sweeps", cfg.sweeps}, {"thin", cfg.thin_sweeps}};
}

nlohmann::json ladder_job(const nlohmann::json& p, std::uint64_t seed) {
  const int N = p.at("N").get<int>(), D = p.at("D").get<int>();
  const auto model = glass::VectorSpinModel::random(N, D, p.at("h").get<double>(), p.at("model_seed").get<std::uint64_t>());
  glass::VectorTemperingOptions o;
  o.temperatures = p.at("temperatures").get<std::vector<double>>();
  o.replicas = p.at("replicas").get<int>(), o.burn_in_sweeps = p.at("burn_in_sweeps").get<long>(),
  o.sweeps = p.at("sweeps").get<long>(), o.thin = p.at("thin").get<long>(), o.seed = seed;
  const auto run = glass::run_vector_tempering(model, o);
  const std::size_t n = run.record_sweep.size(), split = bin_split(n);
  nlohmann::json points = nlohmann::json::array();
  for (std::size_t k = 0; k < o.temperatures.size(); ++k) {
    const int kk = static_cast<int>(k);
    const auto late = glass::tensor_moments(run, kk, split, n), early = glass::tensor_moments(run, kk, 0, split);
    auto j = bins_json({late.q2, late.mean_norm2, early.q2, early.mean_norm2});
    double align = 0;
    for (double a : run.alignment[k]) align += a / o.replicas;
    nlohmann::json last = nlohmann::json::array();
    const auto& q = run.tensor_q2[k].back();
    for (Eigen::Index a = 0; a < q.rows(); ++a) {
      nlohmann::json row = nlohmann::json::array();
      for (Eigen::Index b = 0; b < q.cols(); ++b) row.push_back(std::sqrt(q(a, b)));
      last.push_back(row);
    }
    j["alignment"] = lab::number_or_null(align);
    j["rhat"] = lab::number_or_null(glass::pair_overlap_rhat(run.tensor_q2[k], 0, n));
    j["acceptance"] = run.acceptance[k], j["sigma"] = run.sigma[k];
    j["swap"] = k < run.swap_acceptance.size() ? run.swap_acceptance[k] : 0.0;
    j["last"] = last;
    points.push_back(j);
  }
  return {{"by_temperature", points}};
}

std::vector<LadderPoint> ladder_from_json(const nlohmann::json& j) {
  std::vector<LadderPoint> out;
  for (const auto& p : j.at("by_temperature")) {
    LadderPoint r;
    bins_from_json(p, r);
    r.alignment = lab::number_or_nan(p.at("alignment"));
    r.rhat = lab::number_or_nan(p.at("rhat"));
    r.acceptance = p.at("acceptance").get<double>(), r.sigma = p.at("sigma").get<double>(), r.swap = p.at("swap").get<double>();
    for (const auto& row : p.at("last")) r.last.push_back(row.get<std::vector<double>>());
    out.push_back(std::move(r));
  }
  return out;
}

// ---- job "corner" ------------------------------------------------------------------------------------------
nlohmann::json corner_parameters(const Config& cfg, double h, double T, int draw, const std::string& mode) {
  const int N = cfg.sizes.front();
  return {{"N", N}, {"D", cfg.D}, {"h", h}, {"model_seed", cfg.seed + 104729 * N + draw}, {"beta", 1 / T},
          {"replicas", cfg.replicas}, {"proposals", cfg.corner_sweeps * N}, {"thin", cfg.thin_sweeps * N}, {"mode", mode}};
}

nlohmann::json corner_job(const nlohmann::json& p, std::uint64_t seed) {
  const int N = p.at("N").get<int>(), D = p.at("D").get<int>();
  const auto model = glass::VectorSpinModel::random(N, D, p.at("h").get<double>(), p.at("model_seed").get<std::uint64_t>());
  const std::string mode = p.at("mode").get<std::string>();
  glass::VectorReplicaOptions o;
  o.replicas = p.at("replicas").get<int>(), o.beta = p.at("beta").get<double>(),
  o.proposals = p.at("proposals").get<std::int64_t>(), o.thin = p.at("thin").get<std::int64_t>();
  o.burn_in_fraction = 0.5, o.tensor = true, o.seed = seed;
  if (mode == "independent") {
    // as many records as the chains below keep, each a fresh independent random state of every replica
    const auto records = (o.proposals - static_cast<std::int64_t>(o.burn_in_fraction * double(o.proposals))) / o.thin;
    glass::OverlapSeries q2;
    for (std::int64_t t = 0; t < records; ++t) {
      std::vector<glass::State> s;
      for (int a = 0; a < o.replicas; ++a) s.push_back(glass::random_state(model, seed, static_cast<std::uint64_t>(t * o.replicas + a)));
      Eigen::MatrixXd m = Eigen::MatrixXd::Identity(o.replicas, o.replicas);
      for (int a = 0; a < o.replicas; ++a)
        for (int b = a + 1; b < o.replicas; ++b) m(a, b) = m(b, a) = glass::tensor_overlap(s[a], s[b]).squaredNorm();
      q2.push_back(std::move(m));
    }
    return {{"rhat", lab::number_or_null(glass::pair_overlap_rhat(q2, 0, q2.size()))}, {"acceptance", 1.0}};
  }
  if (mode == "adapted") o.adapt_sigma = true;
  else if (mode == "frozen") o.sigma = 1e-6;
  else if (mode != "thesis") throw std::invalid_argument("corner_job: unknown mode " + mode);
  const auto run = glass::run_vector_replicas(model, o);
  return {{"rhat", lab::number_or_null(glass::pair_overlap_rhat(run.tensor_q2, 0, run.tensor_q2.size()))},
          {"acceptance", run.acceptance}};
}

CornerResult corner_from_json(const nlohmann::json& j) {
  return {lab::number_or_nan(j.at("rhat")), j.at("acceptance").get<double>()};
}

}  // namespace spinformer
