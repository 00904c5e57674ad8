#include "kinetic/comparison.hpp"

namespace spinformer::kinetic {

Comparison compare_methods(const KineticIsing& model, const SimulationOptions& options,
                           const std::vector<Method>& methods) {
  const Simulation sim = simulate(model, options);
  Comparison c;
  for (Method method : methods)
    c.errors[method] = mean_squared_errors(mean_field(model, method, options.steps, options.correlations), sim.stats);
  for (int t = 1; t <= options.steps; ++t) c.noise_m += sim.m_err[t].squaredNorm() / double(model.size());
  c.noise_m /= options.steps;
  return c;
}

}  // namespace spinformer::kinetic
