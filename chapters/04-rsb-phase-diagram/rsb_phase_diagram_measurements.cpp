// Chapter 4: the jobs (declared in rsb_phase_diagram.hpp).
#include <algorithm>
#include <cmath>

#include "glass/metropolis.hpp"
#include "glass/replicas.hpp"
#include "glass/sk_monte_carlo.hpp"
#include "glass/vector_replicas.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"

#include "rsb_phase_diagram.hpp"

namespace spinformer {

std::vector<double> sk_ladder(const Config& cfg) {
  std::vector<double> t;
  for (int k = 0; k < cfg.sk_temperatures; ++k)
    t.push_back(cfg.sk_tmin * std::pow(cfg.sk_tmax / cfg.sk_tmin, k / double(cfg.sk_temperatures - 1)));
  return t;
}

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
    const auto m = glass::binary_moments(run.overlaps[k]);
    points.push_back({{"q2", m.q2}, {"mean_norm2", m.mean_norm2}, {"coupling_energy", run.coupling_energy_per_spin[k]}});
  }
  return {{"by_temperature", points},
          {"min_swap", *std::min_element(run.swap_acceptance.begin(), run.swap_acceptance.end())}};
}

SkResult sk_from_json(const nlohmann::json& j) {
  SkResult r;
  for (const auto& p : j.at("by_temperature"))
    r.by_temperature.push_back({p.at("q2").get<double>(), p.at("mean_norm2").get<double>(),
                                p.at("coupling_energy").get<double>()});
  r.min_swap = j.at("min_swap").get<double>();
  return r;
}

// ---- job "vector" ------------------------------------------------------------------------------------------
nlohmann::json vector_parameters(const Config& cfg, int N, double h, double T, int draw, bool thesis_sigma) {
  // one draw = one J and one set of field directions, the same at every (h, T); h scales the field
  return {{"N", N}, {"D", cfg.D}, {"h", h}, {"model_seed", cfg.seed + 104729 * N + draw}, {"beta", 1 / T},
          {"replicas", cfg.replicas}, {"proposals", cfg.sweeps * N}, {"thin", cfg.thin_sweeps * N},
          {"burn_in_fraction", cfg.burn_in_fraction}, {"adapt_sigma", !thesis_sigma}};
}

nlohmann::json vector_job(const nlohmann::json& p, std::uint64_t seed) {
  const int N = p.at("N").get<int>(), D = p.at("D").get<int>();
  const auto model = glass::VectorSpinModel::random(N, D, p.at("h").get<double>(), p.at("model_seed").get<std::uint64_t>());
  glass::VectorReplicaOptions o;
  o.replicas = p.at("replicas").get<int>(), o.beta = p.at("beta").get<double>(),
  o.proposals = p.at("proposals").get<std::int64_t>(), o.thin = p.at("thin").get<std::int64_t>(),
  o.burn_in_fraction = p.at("burn_in_fraction").get<double>(), o.adapt_sigma = p.at("adapt_sigma").get<bool>();
  o.tensor = true;
  o.seed = seed;
  const auto run = glass::run_vector_replicas(model, o);
  double q2 = 0, count = 0;
  for (const auto& m : run.tensor_q2)
    for (int a = 0; a < o.replicas; ++a)
      for (int b = a + 1; b < o.replicas; ++b) q2 += m(a, b), count += 1;
  double align = 0;
  for (double a : run.alignment) align += a / o.replicas;
  nlohmann::json last = nlohmann::json::array();
  for (Eigen::Index a = 0; a < run.tensor_q2.back().rows(); ++a) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index b = 0; b < run.tensor_q2.back().cols(); ++b) row.push_back(std::sqrt(run.tensor_q2.back()(a, b)));
    last.push_back(row);
  }
  return {{"q2", q2 / count}, {"mean_norm2", run.mean_tensor.squaredNorm()}, {"alignment", lab::number_or_null(align)},
          {"rhat", lab::number_or_null(glass::gelman_rubin(run.energy))}, {"acceptance", run.acceptance},
          {"sigma", run.sigma}, {"last", last}};
}

VectorResult vector_from_json(const nlohmann::json& j) {
  VectorResult r;
  r.q2 = j.at("q2").get<double>();
  r.mean_norm2 = j.at("mean_norm2").get<double>();
  r.alignment = lab::number_or_nan(j.at("alignment"));
  r.rhat = lab::number_or_nan(j.at("rhat"));
  r.acceptance = j.at("acceptance").get<double>();
  r.sigma = j.at("sigma").get<double>();
  for (const auto& row : j.at("last")) r.last.push_back(row.get<std::vector<double>>());
  return r;
}

}  // namespace spinformer
