#pragma once
// Mean squared errors of a predicted trajectory against a reference one (simulation or enumeration),
// as scored by Aguilera et al.: over sites for m_t, over pairs i < k for the equal-time covariances
// C_t (the diagonal is fixed by m), over all pairs for the delayed covariances D_t.
#include "kinetic/kinetic_ising.hpp"

namespace spinformer::kinetic {

struct Errors {
  double m = 0, C = 0, D = 0;  // NaN where a trajectory did not record C and D
};

Errors squared_errors(const Trajectory& predicted, const Trajectory& reference, int t);
// Mean over t = first..T of the per-step errors.
Errors mean_squared_errors(const Trajectory& predicted, const Trajectory& reference, int first = 1);

}  // namespace spinformer::kinetic
