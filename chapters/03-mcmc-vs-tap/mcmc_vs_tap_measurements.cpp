// Chapter 3: the jobs and the pooled-chain estimators (declared in mcmc_vs_tap.hpp).
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <functional>

#include "lab/jobs.hpp"
#include "lab/report.hpp"

#include "mcmc_vs_tap.hpp"

namespace spinformer {

using glass::State;

Config profile(const std::string& name) {
  Config c;
  if (lab::quick_profile(name)) {
    c.N = 16;
    c.D = 8;
    c.fine_per_decade = 2;
    c.mcmc_per_decade = 1;
    c.proposals = 60'000;
    c.thin = 160;
    c.long_betas = {0.1};
    c.long_proposals = 200'000;
    c.long_thin = 1'000;
  }
  return c;
}

std::vector<double> log_grid(int per_decade) {
  std::vector<double> g;
  for (int k = 0; k <= 6 * per_decade; ++k) g.push_back(std::pow(10.0, -3.0 + double(k) / per_decade));
  return g;
}

std::string bkey(double beta) { return fmt::format("{:.3g}", beta); }

nlohmann::json model_json(const Config& cfg) {
  return {{"N", cfg.N}, {"D", cfg.D}, {"h", cfg.h}, {"model_seed", cfg.model_seed}};
}

namespace {
nlohmann::json state_json(const State& s) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < s.rows(); ++i) rows.push_back(std::vector<double>(s.row(i).begin(), s.row(i).end()));
  return rows;
}

State state_from(const nlohmann::json& rows) {
  State s(static_cast<Eigen::Index>(rows.size()), rows.empty() ? 0 : static_cast<Eigen::Index>(rows[0].size()));
  for (Eigen::Index i = 0; i < s.rows(); ++i)
    for (Eigen::Index k = 0; k < s.cols(); ++k) s(i, k) = rows[i][k].get<double>();
  return s;
}

// A(.) is NaN only for degenerate states; JSON has no NaN.
nlohmann::json numbers_json(const std::vector<double>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (double x : v) a.push_back(lab::number_or_null(x));
  return a;
}

std::vector<double> numbers_from(const nlohmann::json& a) {
  std::vector<double> v;
  for (const auto& x : a) v.push_back(lab::number_or_nan(x));
  return v;
}
}  // namespace

// ---- job "mean_field" ----------------------------------------------------------------------------------
nlohmann::json mean_field_job(const glass::VectorSpinModel& model, const glass::VectorSpinModel& symmetric, double beta) {
  nlohmann::json out = nlohmann::json::array();
  for (int v = 0; v < NVAR; ++v) {
    glass::MeanFieldOptions o;
    o.beta = beta;
    glass::MeanFieldResult r;
    if (v == NMF || v == NMF_BESSEL) {
      o.steps = 30;
      o.readout = v == NMF ? glass::Readout::large_d : glass::Readout::bessel;
      r = glass::run_nmf(model, o);
    } else {
      o.steps = 100;  // the thesis's TAP: 100 steps, Anderson tolerance 1e-3, at most 100 inner iterations
      o.convention = v == TAP_DERIVED ? glass::TapConvention::derived : glass::TapConvention::code;
      r = glass::run_tap(v == TAP_SYM ? symmetric : model, o);
    }
    out.push_back({{"alignment", lab::number_or_null(r.alignment)}, {"inner_failures", r.inner_failures},
                   {"alignment_trajectory", numbers_json(r.alignment_trajectory)}});
  }
  return out;
}

MeanFieldPoint mean_field_from_json(const nlohmann::json& j) {
  MeanFieldPoint p;
  for (int v = 0; v < NVAR; ++v) {
    p[v].alignment = lab::number_or_nan(j.at(v).at("alignment"));
    p[v].inner_failures = j.at(v).at("inner_failures").get<int>();
    p[v].alignment_trajectory = numbers_from(j.at(v).at("alignment_trajectory"));
  }
  return p;
}

// ---- job "chain" -----------------------------------------------------------------------------------------
nlohmann::json chain_parameters(const Config& cfg, const ChainJob& job) {
  return {{"model", model_json(cfg)}, {"beta", job.beta}, {"proposals", job.proposals}, {"thin", job.thin},
          {"adapt_sigma", job.adapt}, {"field_start", job.field_start}};
}

nlohmann::json chain_job(const glass::VectorSpinModel& model, const nlohmann::json& p, std::uint64_t seed) {
  glass::MetropolisOptions o;
  o.beta = p.at("beta").get<double>();
  o.proposals = p.at("proposals").get<std::int64_t>();
  o.thin = p.at("thin").get<std::int64_t>();
  o.adapt_sigma = p.at("adapt_sigma").get<bool>();
  o.seed = seed;
  const auto r = glass::run_metropolis(model, o, p.at("field_start").get<bool>() ? model.field_aligned_state()
                                                                                 : model.initial_state());
  return {{"mean", state_json(r.mean)}, {"energy", numbers_json(r.energy)}, {"alignment", numbers_json(r.alignment)},
          {"running_alignment", numbers_json(r.running_alignment)}, {"acceptance", r.acceptance},
          {"sigma", r.sigma}, {"proposals", r.proposals}, {"chain_s", r.seconds}};
}

glass::MetropolisRun chain_from_json(const nlohmann::json& j) {
  glass::MetropolisRun r;
  r.mean = state_from(j.at("mean"));
  r.energy = numbers_from(j.at("energy"));
  r.alignment = numbers_from(j.at("alignment"));
  r.running_alignment = numbers_from(j.at("running_alignment"));
  r.acceptance = j.at("acceptance").get<double>();
  r.sigma = j.at("sigma").get<double>();
  r.proposals = j.at("proposals").get<std::int64_t>();
  r.seconds = j.at("chain_s").get<double>();
  return r;
}

// ---- pooled chains ----------------------------------------------------------------------------------------
namespace {
double corrected_alignment(const std::vector<const State*>& means, const State& x, std::size_t skip) {
  const int N = static_cast<int>(x.rows());
  std::vector<const State*> use;
  for (std::size_t c = 0; c < means.size(); ++c)
    if (c != skip) use.push_back(means[c]);
  const std::size_t K = use.size();
  double sum = 0;
  int counted = 0;
  for (int i = 0; i < N; ++i) {
    Eigen::RowVectorXd mbar = Eigen::RowVectorXd::Zero(x.cols());
    for (auto* m : use) mbar += m->row(i) / double(K);
    double pair = 0;
    for (std::size_t a = 0; a < K; ++a)
      for (std::size_t b = a + 1; b < K; ++b) pair += use[a]->row(i).dot(use[b]->row(i));
    pair /= double(K * (K - 1) / 2);
    const double xn = x.row(i).norm();
    if (pair > 0 && xn > 0) sum += std::clamp(mbar.dot(x.row(i)) / (xn * std::sqrt(pair)), -1.0, 1.0);
    ++counted;
  }
  return sum / counted;
}
}  // namespace

PooledAlignment pooled_alignment(const std::vector<const State*>& means, const State& x) {
  const std::size_t K = means.size();
  auto plain = [&](std::size_t skip) {
    State m = State::Zero(x.rows(), x.cols());
    for (std::size_t c = 0; c < K; ++c)
      if (c != skip) m += *means[c];
    return glass::alignment(m, x);
  };
  auto jack = [&](const std::function<double(std::size_t)>& f) {
    lab::Estimate e;
    e.value = f(K);  // K: skip none
    double mean = 0;
    std::vector<double> loo(K);
    for (std::size_t c = 0; c < K; ++c) mean += (loo[c] = f(c)) / double(K);
    double v = 0;
    for (double l : loo) v += (l - mean) * (l - mean);
    e.error = std::sqrt(double(K - 1) / double(K) * v);
    return e;
  };
  PooledAlignment p;
  p.plain = jack(plain);
  p.corrected = K >= 3 ? jack([&](std::size_t s) { return corrected_alignment(means, x, s); })
                       : lab::Estimate{corrected_alignment(means, x, K), NAN};
  return p;
}

double rhat_prefix(const std::vector<const glass::MetropolisRun*>& runs, std::size_t n) {
  std::vector<std::vector<double>> a;
  for (auto* r : runs) a.emplace_back(r->alignment.begin(), r->alignment.begin() + std::min(n, r->alignment.size()));
  return glass::gelman_rubin(a);
}

double trajectory_std(const std::vector<double>& a) {
  std::vector<double> tail(a.begin() + a.size() / 2, a.end());
  const auto e = lab::mean_and_error(tail);
  return e.error * std::sqrt(double(tail.size()));
}

}  // namespace spinformer
