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
  auto model = model_from(p);
  if (p.value("zero_J", false)) model.J.setZero();  // the control: a paramagnet in a field, m_i parallel to x_i
  const double beta = p.at("beta").get<double>();
  glass::KineticOptions ko;
  ko.beta = beta;
  ko.steps = cfg.kinetic_steps;
  ko.runs = p.at("runs").get<long>();
  ko.seed = seed;
  const auto sim = glass::simulate_kinetic(model, ko);
  // TAP with the Bessel readout is measured in the epsilon test (epsilon_job), not here.
  glass::TapVariants variants;
  variants.bessel = false;
  const auto c = glass::compare_mean_field(model, sim, beta, cfg.kinetic_steps, variants);
  // |m_i| / R averaged over sites: the size of the magnetisation beside its direction A (a paramagnet in
  // a field has A -> 1 and |m| -> 0 as beta -> 0).
  const auto size_of = [&](const State& m) { return m.rowwise().norm().mean() / model.R; };
  nlohmann::json out = {{"A_exact", c.alignment_simulation},
                        {"A_nmf", c.alignment_nmf_large_d},
                        {"A_nmf_bessel", c.alignment_nmf_bessel},
                        {"A_tap30", c.alignment_tap_large_d},
                        {"mnorm_exact", size_of(sim.m.back())},
                        {"mnorm_nmf", size_of(c.nmf_large_d_state)},
                        {"mse_nmf", c.final_state.nmf_large_d - c.final_state.noise},
                        {"mse_tap", c.final_state.tap_large_d - c.final_state.noise},
                        {"mse_nmf_bessel", c.final_state.nmf_bessel - c.final_state.noise},
                        {"mse_noise", c.final_state.noise},
                        {"res_tap30", c.tap_residual}};
  // TAP's trajectory mean with the inner equation solved by Newton, the thesis's TAP (Anderson, 1e-3,
  // 100 iterations) and TAP with symmetric J (Newton); skipped where only the comparison is needed (the
  // other sizes, where they would cost the most). The J = 0 control runs Newton's TAP only.
  if (!p.value("tap_runs", true)) return out;
  auto tap = [&](const glass::VectorSpinModel& m, bool newton, const std::string& name) {
    glass::MeanFieldOptions o;
    o.beta = beta;
    o.steps = cfg.tap_steps;
    if (newton) {
      o.solver = glass::InnerSolver::newton;
      o.tolerance = cfg.newton_tolerance;
      o.max_inner = cfg.newton_max;
    }
    const auto r = glass::run_tap(m, o);
    out["A_" + name] = lab::number_or_null(r.alignment);
    out["std_" + name] = lab::number_or_null(trajectory_std(r.alignment_trajectory));
    out["fail_" + name] = double(r.inner_failures) / o.steps;
    out["res_" + name] = lab::number_or_null(r.max_residual);
  };
  tap(model, true, "tap");
  if (p.value("zero_J", false)) return out;
  tap(model, false, "tap_thesis");
  // TAP with symmetric J is read only for its bump (0.1 <= beta <= 30).
  if (beta >= 0.1 * (1 - 1e-9) && beta <= 30.0 * (1 + 1e-9)) tap(model.symmetrized(), true, "tap_sym");
  else out["A_tap_sym"] = nullptr, out["std_tap_sym"] = nullptr, out["fail_tap_sym"] = nullptr, out["res_tap_sym"] = nullptr;
  return out;
}

// ---- job "order" -------------------------------------------------------------------------------------------
nlohmann::json order_job(const Config& cfg, const nlohmann::json& p, std::uint64_t) {
  const auto base = model_from(p);
  const double beta = cfg.eps_beta, h = cfg.order_eps;
  const int steps = cfg.eps_steps, D = base.D;
  // Each method's m_T minus the second-order theory's at coupling strength eps.
  const auto errors = [&](double eps) {
    auto model = base;
    model.J *= eps;
    const State ref = glass::run_second_order(model, beta, steps).back();
    glass::MeanFieldOptions o;
    o.beta = beta;
    o.steps = steps;
    o.readout = glass::Readout::bessel;
    const State nmf = glass::run_nmf(model, o).final_state;
    o.solver = glass::InnerSolver::newton;
    o.tolerance = cfg.newton_tolerance;
    o.max_inner = cfg.newton_max;
    o.inverse = glass::Readout::bessel;
    const auto tap = glass::run_tap(model, o);
    o.onsager_scale = 0.5;
    const auto half = glass::run_tap(model, o);
    std::map<std::string, State> e{{"nmf", nmf - ref}, {"tap", tap.final_state - ref}, {"tap_half", half.final_state - ref}};
    // The positive control: nMF moved (1 - 1/D) of the way to the second-order theory: its error is
    // exactly nMF's divided by D.
    e["handmade"] = e["nmf"] / double(D);
    return std::make_pair(e, std::max(tap.max_residual, half.max_residual));
  };
  const auto [e1, r1] = errors(h);
  const auto [e2, r2] = errors(h / 2);
  nlohmann::json out{{"residual", std::max(r1, r2)}};
  const double size = double(base.N) * D;
  for (const auto& [name, err] : e1) {
    const State coefficient = (8.0 * e2.at(name) - err) / (h * h);  // Richardson: the eps^3 term cancels
    out["c2_" + name] = std::sqrt(coefficient.squaredNorm() / size);
  }
  for (const char* name : {"tap", "tap_half", "handmade"})
    out[std::string("ratio_") + name] = out["c2_" + std::string(name)].get<double>() / out["c2_nmf"].get<double>();
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
  glass::TapVariants variants;
  variants.consistent = true;
  const auto c = glass::compare_mean_field(model, sim, ko.beta, ko.steps, variants).final_state;
  // TAP's response to the couplings, its J = 0 offset removed: (m_TAP(eps) - m_TAP(0)) against
  // (m(eps) - m(0)), where the exact m(0) is the Bessel readout of x (a fixed field, no noise).
  glass::MeanFieldOptions o;
  o.beta = ko.beta;
  o.steps = ko.steps;
  o.readout = glass::Readout::bessel;
  o.solver = glass::InnerSolver::newton;
  o.tolerance = cfg.newton_tolerance;
  o.max_inner = cfg.newton_max;
  auto free_model = model;
  free_model.J.setZero();
  const State tap = glass::run_tap(model, o).final_state, tap0 = glass::run_tap(free_model, o).final_state;
  const State exact0 = glass::readout(model.x, ko.beta, model.R, glass::Readout::bessel);
  const double shift = ((tap - tap0) - (sim.m.back() - exact0)).squaredNorm() / double(model.N * model.D);
  return {{"nmf", c.nmf_bessel}, {"tap", c.tap_bessel}, {"tap_consistent", c.tap_consistent}, {"tap_shift", shift},
          {"second", c.second_order}, {"nmf_large_d", c.nmf_large_d}, {"tap_large_d", c.tap_large_d},
          {"noise", c.noise}};
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

// Over the finite values only: a quantity not measured at a point (TAP with symmetric J outside
// 0.1 <= beta <= 30) is NaN there, and its table cells are NaN.
double Grid::mean(const std::string& name, std::size_t b) const {
  double s = 0, n = 0;
  for (double x : at(name, b))
    if (std::isfinite(x)) s += x, n += 1;
  return n > 0 ? s / n : NAN;
}

double Grid::half_width(const std::string& name, std::size_t b) const {
  std::vector<double> finite;
  for (double x : at(name, b))
    if (std::isfinite(x)) finite.push_back(x);
  if (finite.size() < 2) return NAN;
  const auto i = lab::t_interval(finite, 0.95);
  return 0.5 * (i.upper - i.lower);
}

}  // namespace spinformer
