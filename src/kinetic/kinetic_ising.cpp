#include "kinetic/kinetic_ising.hpp"

#include <cmath>
#include <fmt/format.h>

#include "lab/rng.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::kinetic {

namespace {

double normal(lab::Rng& rng) {  // Box-Muller, as glass::standard_normal (kept local: kinetic <- lab only)
  const double u1 = 1.0 - rng.uniform();
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace

KineticIsing KineticIsing::asymmetric_sk(int N, double beta, std::uint64_t seed, double J0, double Js, double H0) {
  if (N < 1 || N > 100000) throw lab::UsageError("--N", fmt::format("must be in 1..100000, got {}", N));
  lab::require_positive("--beta", beta);
  KineticIsing model;
  model.beta = beta;
  model.J.resize(N, N);
  lab::Rng rj = lab::Rng::stream(seed, 0);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) model.J(i, j) = J0 / N + Js / std::sqrt(double(N)) * normal(rj);
  model.H.resize(N);
  lab::Rng rh = lab::Rng::stream(seed, 1);
  for (int i = 0; i < N; ++i) model.H[i] = H0 * (2.0 * rh.uniform() - 1.0);
  return model;
}

KineticIsing KineticIsing::from_files(const std::string& couplings_path, const std::string& fields_path, double beta) {
  lab::require_positive("--beta", beta);
  const auto j = lab::read_number_rows(couplings_path, "--couplings", false);
  const int N = static_cast<int>(j.size());
  for (const auto& row : j)
    if (static_cast<int>(row.size()) != N)
      throw lab::UsageError("--couplings", fmt::format("'{}' must be square: {} rows, a row of {} numbers",
                                                       couplings_path, N, row.size()));
  std::vector<double> h;
  for (const auto& row : lab::read_number_rows(fields_path, "--fields", false)) h.insert(h.end(), row.begin(), row.end());
  if (static_cast<int>(h.size()) != N)
    throw lab::UsageError("--fields", fmt::format("'{}' holds {} numbers, the couplings have N = {}", fields_path,
                                                  h.size(), N));
  KineticIsing model;
  model.beta = beta;
  model.J.resize(N, N);
  model.H.resize(N);
  for (int i = 0; i < N; ++i) {
    for (int k = 0; k < N; ++k) model.J(i, k) = j[i][k];
    model.H[i] = h[i];
  }
  return model;
}

void check(const KineticIsing& model, int steps) {
  lab::require_positive("--beta", model.beta);
  if (steps < 0 || steps > 1'000'000) throw lab::UsageError("--steps", fmt::format("must be in 0..1e6, got {}", steps));
  if (model.size() < 1 || model.J.rows() != model.size() || model.J.cols() != model.size())
    throw lab::UsageError("--couplings", "need an N x N coupling matrix and N fields");
  if (!model.J.allFinite() || !model.H.allFinite()) throw lab::UsageError("--couplings", "non-finite couplings or fields");
}

}  // namespace spinformer::kinetic
