#pragma once
// One seed per job, derived from the run's base seed, the name of the step that runs the job and the
// job's coordinates in the design (temperature index, replicate, ...), instead of hand-made offsets
// such as seed + 1000 t + 3 + 10 r that collide as soon as a grid grows. The same job gets the same
// seed whatever else the run contains, so a seed never depends on --workers, ranks or job order.
// lab::Chapter writes kJobSeedRule and the base seed into every sidecar of a step's tables.
#include <cstdint>
#include <string>
#include <vector>

#include "lab/rng.hpp"

namespace spinformer::lab {

// FNV-1a of the step's name: a stable number for Rng::stream.
inline std::uint64_t step_code(const std::string& step) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : step) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// seed_0 = Rng::stream(base, step_code(step)).next(); seed_{k+1} = Rng::stream(seed_k, coordinate_k).next().
inline std::uint64_t job_seed(std::uint64_t base, const std::string& step, const std::vector<std::uint64_t>& coordinates) {
  std::uint64_t seed = Rng::stream(base, step_code(step)).next();
  for (std::uint64_t c : coordinates) seed = Rng::stream(seed, c).next();
  return seed;
}

constexpr const char* kJobSeedRule =
    "lab::job_seed(seed, step, coordinates) (src/lab/seeds.hpp): Rng::stream(seed, FNV-1a(step)).next(), then "
    "Rng::stream(previous, coordinate).next() for each coordinate in order";

}  // namespace spinformer::lab
