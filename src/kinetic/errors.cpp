#include "kinetic/errors.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace spinformer::kinetic {

Errors squared_errors(const Trajectory& p, const Trajectory& r, int t) {
  if (t < 0 || t >= static_cast<int>(p.m.size()) || t >= static_cast<int>(r.m.size()))
    throw std::out_of_range("squared_errors: step outside both trajectories");
  Errors e;
  e.m = (p.m[t] - r.m[t]).squaredNorm() / double(p.m[t].size());
  const bool corr = t < static_cast<int>(p.C.size()) && t < static_cast<int>(r.C.size());
  if (!corr) {
    e.C = e.D = NAN;
    return e;
  }
  const Eigen::Index N = p.m[t].size();
  double c = 0;
  for (Eigen::Index i = 0; i < N; ++i)
    for (Eigen::Index k = i + 1; k < N; ++k) c += std::pow(p.C[t](i, k) - r.C[t](i, k), 2);
  e.C = N > 1 ? c / (0.5 * N * (N - 1)) : 0.0;
  e.D = (p.D[t] - r.D[t]).squaredNorm() / double(N * N);
  return e;
}

Errors mean_squared_errors(const Trajectory& p, const Trajectory& r, int first) {
  const int last = std::min(p.steps(), r.steps());
  Errors sum;
  int count = 0;
  for (int t = first; t <= last; ++t, ++count) {
    const Errors e = squared_errors(p, r, t);
    sum.m += e.m;
    sum.C += e.C;
    sum.D += e.D;
  }
  if (count == 0) throw std::out_of_range("mean_squared_errors: no steps");
  sum.m /= count;
  sum.C /= count;
  sum.D /= count;
  return sum;
}

}  // namespace spinformer::kinetic
