#pragma once
// The forward problem of Aguilera et al.: simulate the kinetic Ising model exactly, run every
// mean-field method on the same couplings, and score each by its mean squared errors (errors.hpp)
// over t = 1..T. The simulation's own noise enters every MSE: `noise_m` = mean_i,t m_err^2 is the
// part of eps_m that sampling alone would give.
#include <map>

#include "kinetic/errors.hpp"
#include "kinetic/mean_field.hpp"
#include "kinetic/simulation.hpp"

namespace spinformer::kinetic {

struct Comparison {
  std::map<Method, Errors> errors;
  double noise_m = 0;
};

Comparison compare_methods(const KineticIsing& model, const SimulationOptions& options,
                           const std::vector<Method>& methods = {Method::naive, Method::tap, Method::gaussian,
                                                                 Method::pairwise});

}  // namespace spinformer::kinetic
