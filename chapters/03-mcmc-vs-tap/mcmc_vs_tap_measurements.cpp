// Chapter 3: the jobs and the estimators (declared in mcmc_vs_tap.hpp).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "glass/kinetic.hpp"
#include "glass/mean_field.hpp"
#include "glass/metropolis.hpp"
#include "kinetic/comparison.hpp"
#include "lab/intervals.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/statistics.hpp"

#include "mcmc_vs_tap.hpp"

namespace spinformer {

using glass::State;

std::vector<double> log_grid(int per_decade) {
  std::vector<double> g;
  for (int k = 0; k <= 6 * per_decade; ++k) g.push_back(std::pow(10.0, -3.0 + double(k) / per_decade));
  return g;
}

std::string bkey(double beta) { return fmt::format("{:.3g}", beta); }

nlohmann::json model_json(const Config& cfg, std::uint64_t model_seed, int N) {
  return {{"N", N > 0 ? N : cfg.N}, {"D", cfg.D}, {"h", cfg.h}, {"model_seed", model_seed}};
}

glass::VectorSpinModel model_from(const nlohmann::json& p) {
  const auto& m = p.at("model");
  return glass::VectorSpinModel::random(m.at("N").get<int>(), m.at("D").get<int>(), m.at("h").get<double>(),
                                        m.at("model_seed").get<std::uint64_t>());
}

State state_from(const nlohmann::json& rows) {
  State s(static_cast<Eigen::Index>(rows.size()), rows.empty() ? 0 : static_cast<Eigen::Index>(rows[0].size()));
  for (Eigen::Index i = 0; i < s.rows(); ++i)
    for (Eigen::Index k = 0; k < s.cols(); ++k) s(i, k) = rows[i][k].get<double>();
  return s;
}

namespace {
nlohmann::json state_json(const State& s) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < s.rows(); ++i) rows.push_back(std::vector<double>(s.row(i).begin(), s.row(i).end()));
  return rows;
}

// Std of A(m_t, x) over the last half of a trajectory: how much TAP's state still moves.
double trajectory_std(const std::vector<double>& a) {
  std::vector<double> tail(a.begin() + static_cast<std::ptrdiff_t>(a.size() / 2), a.end());
  const auto e = lab::mean_and_error(tail);
  return e.error * std::sqrt(double(tail.size()));
}
}  // namespace

// ---- job "kinetic" -----------------------------------------------------------------------------------
nlohmann::json kinetic_job(const Config& cfg, const nlohmann::json& p, std::uint64_t seed) {
  const auto model = model_from(p);
  const double beta = p.at("beta").get<double>();
  glass::KineticOptions ko;
  ko.beta = beta;
  ko.steps = cfg.kinetic_steps;
  ko.runs = p.at("runs").get<long>();
  ko.seed = seed;
  const auto sim = glass::simulate_kinetic(model, ko);
  const auto c = glass::compare_mean_field(model, sim, beta, cfg.kinetic_steps);
  nlohmann::json out = {{"A_exact", c.alignment_simulation},
                        {"A_nmf", c.alignment_nmf_large_d},
                        {"A_nmf_bessel", c.alignment_nmf_bessel},
                        {"A_tap30", c.alignment_tap_large_d},
                        {"mse_nmf", c.final_state.nmf_large_d - c.final_state.noise},
                        {"mse_tap", c.final_state.tap_large_d - c.final_state.noise},
                        {"mse_nmf_bessel", c.final_state.nmf_bessel - c.final_state.noise},
                        {"mse_tap_bessel", c.final_state.tap_bessel - c.final_state.noise},
                        {"mse_noise", c.final_state.noise}};
  // The thesis's TAP, its inner solve made tight and damped, and the thesis's TAP with symmetric J
  // (skipped where only the comparison is needed: the other sizes, where they would cost the most).
  if (!p.value("tap_runs", true)) return out;
  auto tap = [&](const glass::VectorSpinModel& m, bool tight, const std::string& name) {
    glass::MeanFieldOptions o;
    o.beta = beta;
    o.steps = cfg.tap_steps;
    if (tight) {
      o.tolerance = cfg.tight_tolerance;
      o.max_inner = cfg.tight_max_inner;
      o.damping = cfg.tight_damping;
      o.anderson_depth = 10;
    }
    const auto r = glass::run_tap(m, o);
    out["A_" + name] = lab::number_or_null(r.alignment);
    out["std_" + name] = lab::number_or_null(trajectory_std(r.alignment_trajectory));
    out["fail_" + name] = double(r.inner_failures) / o.steps;
  };
  tap(model, false, "tap_thesis");
  tap(model, true, "tap");
  tap(model.symmetrized(), false, "tap_sym");
  return out;
}

// ---- job "epsilon" ---------------------------------------------------------------------------------------
nlohmann::json epsilon_job(const Config& cfg, const nlohmann::json& p, std::uint64_t seed) {
  auto model = model_from(p);
  model.J *= p.at("eps").get<double>();
  glass::KineticOptions ko;
  ko.beta = p.at("beta").get<double>();
  ko.steps = p.at("steps").get<int>();
  ko.runs = p.at("runs").get<long>();
  ko.seed = seed;
  ko.control_variate = true;
  const auto sim = glass::simulate_kinetic(model, ko);
  const auto c = glass::compare_mean_field(model, sim, ko.beta, ko.steps).final_state;
  (void)cfg;
  // TAP's response to the couplings, its J = 0 offset removed: (m_TAP(eps) - m_TAP(0)) against
  // (m(eps) - m(0)), where the exact m(0) is the Bessel readout of x (a fixed field, no noise).
  glass::MeanFieldOptions o;
  o.beta = ko.beta;
  o.steps = ko.steps;
  o.readout = glass::Readout::bessel;
  o.tolerance = 1e-10;
  o.max_inner = 500;
  auto free_model = model;
  free_model.J.setZero();
  const State tap = glass::run_tap(model, o).final_state, tap0 = glass::run_tap(free_model, o).final_state;
  const State exact0 = glass::readout(model.x, ko.beta, model.R, glass::Readout::bessel);
  const double shift = ((tap - tap0) - (sim.m.back() - exact0)).squaredNorm() / double(model.N * model.D);
  return {{"nmf", c.nmf_bessel}, {"tap", c.tap_bessel}, {"tap_shift", shift}, {"second", c.second_order},
          {"nmf_large_d", c.nmf_large_d}, {"tap_large_d", c.tap_large_d}, {"noise", c.noise}};
}

// ---- job "chain" -----------------------------------------------------------------------------------------
nlohmann::json chain_job(const nlohmann::json& p, std::uint64_t seed) {
  auto model = model_from(p);
  if (p.at("zero_J").get<bool>()) model.J.setZero();  // the control: pi is a product of Gaussians around R x_i/|x_i|
  glass::MetropolisOptions o;
  o.beta = p.at("beta").get<double>();
  o.proposals = p.at("proposals").get<std::int64_t>();
  o.thin = p.at("thin").get<std::int64_t>();
  o.adapt_sigma = p.at("adapt_sigma").get<bool>();
  o.seed = seed;
  const auto r = glass::run_metropolis(model, o, p.at("field_start").get<bool>() ? model.field_aligned_state()
                                                                                  : model.initial_state());
  nlohmann::json a = nlohmann::json::array();
  for (double v : r.alignment) a.push_back(lab::number_or_null(v));
  return {{"A", lab::number_or_null(glass::alignment(r.mean, model.x))}, {"mean", state_json(r.mean)},
          {"alignment", a}, {"acceptance", r.acceptance}, {"sigma", r.sigma}};
}

// ---- job "ising" -------------------------------------------------------------------------------------------
nlohmann::json ising_job(const Config& cfg, const nlohmann::json& p, std::uint64_t seed) {
  const double beta = p.at("ratio").get<double>() * kinetic::kAguileraBetaC;
  const auto model = kinetic::KineticIsing::asymmetric_sk(cfg.ising_N, beta, p.at("model_seed").get<std::uint64_t>());
  kinetic::SimulationOptions so;
  so.steps = cfg.ising_steps;
  so.runs = cfg.ising_runs;
  so.seed = seed;
  const auto c = kinetic::compare_methods(model, so);
  nlohmann::json out = {{"noise_m", c.noise_m}};
  for (const auto& [method, e] : c.errors) {
    const std::string name = kinetic::method_name(method);
    out["m_" + name] = e.m;
    out["C_" + name] = e.C;
    out["D_" + name] = e.D;
  }
  return out;
}

// ---- estimators ----------------------------------------------------------------------------------------------
double corrected_alignment(const std::vector<State>& means, const State& x) {
  const std::size_t K = means.size();
  double sum = 0;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    Eigen::RowVectorXd mbar = Eigen::RowVectorXd::Zero(x.cols());
    for (const auto& m : means) mbar += m.row(i) / double(K);
    double pair = 0;
    for (std::size_t a = 0; a < K; ++a)
      for (std::size_t b = a + 1; b < K; ++b) pair += means[a].row(i).dot(means[b].row(i));
    pair /= double(K * (K - 1) / 2);
    const double xn = x.row(i).norm();
    if (pair > 0 && xn > 0) sum += std::clamp(mbar.dot(x.row(i)) / (xn * std::sqrt(pair)), -1.0, 1.0);
  }
  return sum / double(x.rows());
}

double gelman_rubin_of(const std::vector<std::vector<double>>& series) { return glass::gelman_rubin(series); }

double Grid::mean(const std::string& name, std::size_t b) const {
  const auto& v = at(name, b);
  double s = 0;
  for (double x : v) s += x;
  return s / double(v.size());
}

double Grid::half_width(const std::string& name, std::size_t b) const {
  const auto i = lab::t_interval(at(name, b), 0.95);
  return 0.5 * (i.upper - i.lower);
}

}  // namespace spinformer
