// Chapter 4: the jobs (declared in rsb_phase_diagram.hpp).
#include <algorithm>

#include "glass/sk_monte_carlo.hpp"
#include "glass/vector_replicas.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"

#include "rsb_phase_diagram.hpp"

namespace spinformer {

Config profile(const std::string& name) {
  Config c;
  if (lab::quick_profile(name)) {
    c.sk_sizes = {32, 64};
    c.sk_fields = {0.0, 0.3, 1.0, 1.5};
    c.sk_temperatures = 10;
    c.sk_samples = 1;
    c.sk_burn_in = 500, c.sk_sweeps = 2000, c.sk_thin = 5;
    c.N = 16, c.D = 8;
    c.fields = {0.05, 0.4, 1.6};
    c.temperatures = {0.025, 0.2, 0.8};
    c.proposals = 100'000, c.thin = 2'000;
  }
  return c;
}

namespace {
nlohmann::json estimate_json(const lab::Estimate& e) { return {lab::number_or_null(e.value), lab::number_or_null(e.error)}; }
lab::Estimate estimate_from(const nlohmann::json& j) { return {lab::number_or_nan(j.at(0)), lab::number_or_nan(j.at(1))}; }
}  // namespace

// ---- job "sk" ----------------------------------------------------------------------------------------------
nlohmann::json sk_parameters(const Config& cfg, const std::vector<double>& temperatures, int N, double h, int sample) {
  // the same couplings for every h (their seed depends on N and the sample only)
  return {{"N", N}, {"h", h}, {"instance_seed", cfg.seed + 7919 * N + sample}, {"temperatures", temperatures},
          {"replicas", cfg.replicas}, {"burn_in_sweeps", cfg.sk_burn_in}, {"sweeps", cfg.sk_sweeps}, {"thin", cfg.sk_thin}};
}

nlohmann::json sk_job(const nlohmann::json& p, std::uint64_t seed) {
  const int N = p.at("N").get<int>();
  const auto inst = glass::sk::Instance::random(N, p.at("h").get<double>(), p.at("instance_seed").get<std::uint64_t>());
  glass::sk::ReplicaRunOptions o;
  o.replicas = p.at("replicas").get<int>(), o.burn_in_sweeps = p.at("burn_in_sweeps").get<long>(),
  o.sweeps = p.at("sweeps").get<long>(), o.thin = p.at("thin").get<long>(), o.seed = seed;
  const auto run = glass::sk::run_replicas(inst, p.at("temperatures").get<std::vector<double>>(), o);
  nlohmann::json points = nlohmann::json::array();
  for (const auto& series : run.overlaps) {
    const auto st = glass::overlap_statistics(series, 1.0 / N);
    points.push_back({{"q", lab::number_or_null(st.q.value)}, {"chi", estimate_json(st.chi)}});
  }
  return {{"by_temperature", points},
          {"min_swap", *std::min_element(run.swap_acceptance.begin(), run.swap_acceptance.end())}};
}

SkResult sk_from_json(const nlohmann::json& j) {
  SkResult r;
  for (const auto& p : j.at("by_temperature"))
    r.by_temperature.push_back({lab::number_or_nan(p.at("q")), estimate_from(p.at("chi"))});
  r.min_swap = j.at("min_swap").get<double>();
  return r;
}

// ---- job "vector" ------------------------------------------------------------------------------------------
nlohmann::json vector_parameters(const Config& cfg, double h, double T, bool thesis_sigma) {
  // the same J and field directions at every grid point (model seed = cfg.seed); h scales the field
  return {{"N", cfg.N}, {"D", cfg.D}, {"h", h}, {"model_seed", cfg.seed}, {"beta", 1 / T}, {"replicas", cfg.replicas},
          {"proposals", cfg.proposals}, {"thin", cfg.thin}, {"burn_in_fraction", cfg.burn_in_fraction},
          {"adapt_sigma", !thesis_sigma}};
}

nlohmann::json vector_job(const nlohmann::json& p, std::uint64_t seed) {
  const int N = p.at("N").get<int>(), D = p.at("D").get<int>();
  const auto model = glass::VectorSpinModel::random(N, D, p.at("h").get<double>(), p.at("model_seed").get<std::uint64_t>());
  glass::VectorReplicaOptions o;
  o.replicas = p.at("replicas").get<int>(), o.beta = p.at("beta").get<double>(),
  o.proposals = p.at("proposals").get<std::int64_t>(), o.thin = p.at("thin").get<std::int64_t>(),
  o.burn_in_fraction = p.at("burn_in_fraction").get<double>(), o.adapt_sigma = p.at("adapt_sigma").get<bool>();
  o.seed = seed;
  const auto run = glass::run_vector_replicas(model, o);
  const auto st = glass::overlap_statistics(run.overlaps, glass::cosine_null_variance(N, D));
  double align = 0;
  for (double a : run.alignment) align += a / o.replicas;
  nlohmann::json last = nlohmann::json::array();
  for (Eigen::Index a = 0; a < st.last.rows(); ++a) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index b = 0; b < st.last.cols(); ++b) row.push_back(lab::number_or_null(st.last(a, b)));
    last.push_back(row);
  }
  return {{"replicas", st.replicas}, {"snapshots", st.snapshots}, {"last", last}, {"q", estimate_json(st.q)},
          {"abs_q", estimate_json(st.abs_q)}, {"spread", estimate_json(st.spread)}, {"chi", estimate_json(st.chi)},
          {"null_variance", st.null_variance}, {"alignment", lab::number_or_null(align)},
          {"acceptance", run.acceptance}, {"sigma", run.sigma}};
}

VectorResult vector_from_json(const nlohmann::json& j) {
  VectorResult r;
  auto& st = r.stats;
  st.replicas = j.at("replicas").get<int>();
  st.snapshots = j.at("snapshots").get<int>();
  const auto& last = j.at("last");
  st.last.resize(static_cast<Eigen::Index>(last.size()), last.empty() ? 0 : static_cast<Eigen::Index>(last[0].size()));
  for (Eigen::Index a = 0; a < st.last.rows(); ++a)
    for (Eigen::Index b = 0; b < st.last.cols(); ++b) st.last(a, b) = lab::number_or_nan(last[a][b]);
  st.q = estimate_from(j.at("q"));
  st.abs_q = estimate_from(j.at("abs_q"));
  st.spread = estimate_from(j.at("spread"));
  st.chi = estimate_from(j.at("chi"));
  st.null_variance = j.at("null_variance").get<double>();
  r.alignment = lab::number_or_nan(j.at("alignment"));
  r.acceptance = j.at("acceptance").get<double>();
  r.sigma = j.at("sigma").get<double>();
  return r;
}

}  // namespace spinformer
