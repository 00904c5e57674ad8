#include "ising2d/table_baseline.hpp"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "ising2d/exact.hpp"

namespace spinformer::ising2d {

std::vector<Offset> default_table_context() { return {{-1, 0}, {0, -1}, {1, -1}}; }

TableModel::TableModel(std::vector<Offset> context) : context_(std::move(context)) {
  if (context_.empty() || context_.size() > 8)
    throw std::invalid_argument(fmt::format("table context of {} offsets (1 to 8)", context_.size()));
  for (const auto& [dx, dy] : context_)
    if (dx == 0 && dy == 0) throw std::invalid_argument("table context offset (0, 0) is the site itself");
  int keys = 1;
  for (std::size_t k = 0; k < context_.size(); ++k) keys *= 3;
  counts_.assign(static_cast<std::size_t>(keys), {0.0, 0.0});
}

int TableModel::key(int L, const Spin* s, int site) const {
  const int x = site % L, y = site / L;
  int k = 0;
  for (const auto& [dx, dy] : context_) {
    const int nx = ((x + dx) % L + L) % L, ny = ((y + dy) % L + L) % L;
    const int neighbour = ny * L + nx;
    // a neighbour at or after site i in raster order is not generated yet: it reads as 0
    const int value = neighbour < site ? (s[neighbour] > 0 ? 2 : 0) : 1;
    k = 3 * k + value;
  }
  return k;
}

void TableModel::fit(const LatticeSamples& samples) {
  const int L = samples.L;
  for (std::size_t r = 0; r < samples.size(); ++r) {
    const Spin* s = samples.row(r);
    for (int i = 0; i < L * L; ++i) counts_[static_cast<std::size_t>(key(L, s, i))][s[i] > 0 ? 1 : 0] += 1.0;
  }
}

double TableModel::up_probability(int L, const Spin* s, int site) const {
  const auto& c = counts_[static_cast<std::size_t>(key(L, s, site))];
  return (c[1] + 0.5) / (c[0] + c[1] + 1.0);  // Krichevsky-Trofimov: an unseen context gives 1/2
}

double TableModel::log_q(int L, const Spin* s) const {
  double sum = 0;
  for (int i = 0; i < L * L; ++i) {
    const double up = up_probability(L, s, i);
    sum += std::log(s[i] > 0 ? up : 1.0 - up);
  }
  return sum;
}

int TableModel::contexts_seen() const {
  int n = 0;
  for (const auto& c : counts_) n += (c[0] + c[1] > 0) ? 1 : 0;
  return n;
}

KlEstimate table_kl_per_spin(const Lattice& lattice, const TableModel& model, const LatticeSamples& test) {
  if (test.size() == 0) throw std::invalid_argument("no test configurations");
  if (test.L != lattice.L) throw std::invalid_argument(fmt::format("test configurations of L = {}, lattice L = {}", test.L, lattice.L));
  const double log_z = kaufman_thermodynamics(lattice).log_z;
  const double N = lattice.sites();
  double sum = 0, sum2 = 0;
  for (std::size_t r = 0; r < test.size(); ++r) {
    const Spin* s = test.row(r);
    const double log_p = -lattice.beta() * energy(lattice, s) - log_z;
    const double d = (log_p - model.log_q(lattice.L, s)) / N;
    sum += d;
    sum2 += d * d;
  }
  const double n = static_cast<double>(test.size());
  const double mean = sum / n;
  const double var = n > 1 ? std::max(0.0, (sum2 - n * mean * mean) / (n - 1)) : 0.0;
  return {mean, std::sqrt(var / n), test.size()};
}

}  // namespace spinformer::ising2d
