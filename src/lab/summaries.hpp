#pragma once
// Small summaries the chapters compute again and again, written once. Header-only and counted in the
// code hash of every chapter that includes it (CMakeLists.txt, SPINFORMER_HASHED_LAB_SOURCES).
#include <algorithm>
#include <cmath>
#include <vector>

namespace spinformer::lab {

// Arithmetic mean (NaN for an empty vector).
inline double mean_of(const std::vector<double>& x) {
  if (x.empty()) return NAN;
  double sum = 0;
  for (double v : x) sum += v;
  return sum / static_cast<double>(x.size());
}

// Standard error of a frequency f observed in n_eff effectively independent trials:
// sqrt(f (1 - f) / n_eff), floored at the error of one count (1 / n_eff), so that a bin observed
// empty or full still gets an error bar (sqrt(max(f (1 - f), 1 / n_eff) / n_eff)).
inline double binomial_frequency_error(double f, double n_eff) {
  return std::sqrt(std::max(f * (1 - f), 1.0 / n_eff) / n_eff);
}

}  // namespace spinformer::lab
