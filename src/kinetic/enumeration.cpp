#include "kinetic/enumeration.hpp"

#include <cmath>
#include <fmt/format.h>

#include "lab/usage_error.hpp"

namespace spinformer::kinetic {

namespace {

double spin(std::size_t state, int i) { return (state >> i) & 1U ? 1.0 : -1.0; }

}  // namespace

ExactDistribution enumerate(const KineticIsing& model, int steps) {
  check(model, steps);
  const int N = model.size();
  if (N > kMaxEnumerationSize)
    throw lab::UsageError("--N", fmt::format("exact enumeration needs N <= {}, got {}", kMaxEnumerationSize, N));
  const std::size_t states = std::size_t{1} << N;
  const Eigen::MatrixXd bJ = model.beta_J();
  const Eigen::VectorXd bH = model.beta_H();

  // Conditional means tanh(beta h_i(s)) for every state s (row s).
  Eigen::MatrixXd conditional(states, N);
  Eigen::VectorXd s(N);
  for (std::size_t k = 0; k < states; ++k) {
    for (int i = 0; i < N; ++i) s[i] = spin(k, i);
    conditional.row(k) = (bJ * s + bH).array().tanh().matrix().transpose();
  }
  Eigen::MatrixXd spins(states, N);
  for (std::size_t k = 0; k < states; ++k)
    for (int i = 0; i < N; ++i) spins(k, i) = spin(k, i);

  ExactDistribution out;
  Eigen::VectorXd p = Eigen::VectorXd::Zero(states);
  p[states - 1] = 1.0;  // all +1
  const auto moments = [&](const Eigen::VectorXd& prob) {
    const Eigen::VectorXd m = spins.transpose() * prob;
    const Eigen::MatrixXd C = spins.transpose() * prob.asDiagonal() * spins - m * m.transpose();
    return std::make_pair(m, C);
  };
  {
    auto [m, C] = moments(p);
    out.stats.m.push_back(m);
    out.stats.C.push_back(C);
    out.stats.D.push_back(Eigen::MatrixXd::Zero(N, N));
    out.p.push_back(p);
  }
  Eigen::VectorXd column(states);
  for (int t = 1; t <= steps; ++t) {
    Eigen::VectorXd next = Eigen::VectorXd::Zero(states);
    for (std::size_t k = 0; k < states; ++k) {
      if (p[k] == 0) continue;
      // Product measure over the new state, built bit by bit: after bit i, entries 0..2^(i+1)-1 hold
      // the probabilities of the low bits 0..i.
      column[0] = p[k];
      for (int i = 0; i < N; ++i) {
        const double up = 0.5 * (1.0 + conditional(k, i));
        const std::size_t half = std::size_t{1} << i;
        for (std::size_t l = 0; l < half; ++l) {
          column[l + half] = column[l] * up;
          column[l] *= 1.0 - up;
        }
      }
      next += column;
    }
    // D_t,il = E[tanh(beta h_i(s_t-1)) s_l,t-1] - m_i,t m_l,t-1 (the new spin's conditional mean).
    const Eigen::MatrixXd cross = conditional.transpose() * p.asDiagonal() * spins;
    p = next;
    auto [m, C] = moments(p);
    out.stats.D.push_back(cross - m * out.stats.m.back().transpose());
    out.stats.m.push_back(m);
    out.stats.C.push_back(C);
    out.p.push_back(p);
  }
  return out;
}

}  // namespace spinformer::kinetic
