#include "glass/vector_spin.hpp"

#include <cmath>
#include <fmt/format.h>
#include <vector>

#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::glass {

double sphere_radius(int D) {
  if (D < 3) throw lab::UsageError("--D", fmt::format("must be at least 3 (R = sqrt(D/2 - 1) > 0), got {}", D));
  return std::sqrt(D / 2.0 - 1.0);
}

double standard_normal(lab::Rng& rng) {
  // Box-Muller; 1 - uniform() lies in (0, 1], so the log is finite.
  const double u1 = 1.0 - rng.uniform();
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

namespace {

void require_size(const char* parameter, int value, int max) {
  if (value < 1 || value > max) throw lab::UsageError(parameter, fmt::format("must be in 1..{}, got {}", max, value));
}

}  // namespace

VectorSpinModel VectorSpinModel::random(int N, int D, double h, std::uint64_t seed) {
  require_size("--N", N, 100000);
  require_size("--D", D, 100000);
  lab::require_finite("--h", h);
  VectorSpinModel model;
  model.N = N;
  model.D = D;
  model.R = sphere_radius(D);
  model.J.resize(N, N);
  lab::Rng rj = lab::Rng::stream(seed, 0);
  const double scale = 1.0 / std::sqrt(double(N));
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) model.J(i, j) = scale * standard_normal(rj);
  model.x.resize(N, D);
  lab::Rng rx = lab::Rng::stream(seed, 1);
  for (int i = 0; i < N; ++i) {
    for (int a = 0; a < D; ++a) model.x(i, a) = standard_normal(rx);
    model.x.row(i) *= h * model.R / model.x.row(i).norm();
  }
  return model;
}

VectorSpinModel VectorSpinModel::from_files(const std::string& couplings_path, const std::string& field_path,
                                            double h) {
  lab::require_finite("--h", h);
  const auto j = lab::read_number_rows(couplings_path, "--couplings", true);
  const auto f = lab::read_number_rows(field_path, "--field", true);
  const int N = static_cast<int>(j.size());
  if (static_cast<int>(j.front().size()) != N)
    throw lab::UsageError("--couplings", fmt::format("'{}' must be square: {} rows of {} numbers", couplings_path, N,
                                                     j.front().size()));
  if (static_cast<int>(f.size()) != N)
    throw lab::UsageError("--field", fmt::format("'{}' has {} rows, the couplings have N = {}", field_path, f.size(), N));
  VectorSpinModel model;
  model.N = N;
  model.D = static_cast<int>(f.front().size());
  if (model.D < 3) throw lab::UsageError("--field", fmt::format("rows of '{}' need D >= 3 numbers", field_path));
  model.R = sphere_radius(model.D);
  model.J.resize(N, N);
  model.x.resize(N, model.D);
  for (int i = 0; i < N; ++i) {
    for (int k = 0; k < N; ++k) model.J(i, k) = j[i][k];
    for (int a = 0; a < model.D; ++a) model.x(i, a) = h * f[i][a];
  }
  return model;
}

VectorSpinModel VectorSpinModel::symmetrized() const {
  VectorSpinModel sym = *this;
  sym.J = (J + J.transpose()) / std::sqrt(2.0);
  return sym;
}

State VectorSpinModel::initial_state() const { return State::Constant(N, D, 1.0 / std::sqrt(double(D))); }

State VectorSpinModel::field_aligned_state() const {
  State s = x;
  for (int i = 0; i < N; ++i) {
    const double n = s.row(i).norm();
    if (n > 0) s.row(i) *= R / n;
  }
  return s;
}

State VectorSpinModel::targets(const State& s) const {
  State u = x;
  u.noalias() += J * s;
  return u;
}

double VectorSpinModel::energy(const State& s) const {
  const State u = targets(s);
  double h = 0;
  for (int i = 0; i < N; ++i) h += (s.row(i) - (R / u.row(i).norm()) * u.row(i)).squaredNorm();
  return 0.5 * h;
}

double alignment(const State& a, const State& b) {
  double sum = 0;
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    const double na = a.row(i).norm(), nb = b.row(i).norm();
    if (na > 0 && nb > 0) sum += a.row(i).dot(b.row(i)) / (na * nb);
  }
  return sum / double(a.rows());
}

double overlap(const State& a, const State& b) { return (a.array() * b.array()).sum() / double(a.rows()); }

}  // namespace spinformer::glass
