#pragma once
// A lookup-table autoregressive model of the L x L torus in raster order: the trivial baseline to put
// beside a transformer's KL (issue 33). q(s) = prod_i q(s_i | c_i), where the context c_i holds the
// spins at a few fixed offsets from site i (by default left, up and up-right, as a 2D raster model
// would use them), each read as 0 when that neighbour comes later in raster order (not yet generated).
// One table, shared by every site (the torus is translation-invariant), fitted by counting contexts in
// training configurations with Krichevsky-Trofimov smoothing (1/2 added to each count). Scored with
// the exact log p(s) = -beta H(s) - log Z (Kaufman), KL(p || q) / N is estimated on test
// configurations drawn from p.
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "ising2d/lattice.hpp"

namespace spinformer::ising2d {

using Offset = std::pair<int, int>;  // (dx, dy): the neighbour (x + dx, y + dy) mod L

// left (x - 1, y), up (x, y - 1), up-right (x + 1, y - 1): the context of the referee's baseline.
std::vector<Offset> default_table_context();

class TableModel {
 public:
  // Throws std::invalid_argument for an empty context or one of more than 8 offsets, or an offset
  // (0, 0).
  explicit TableModel(std::vector<Offset> context = default_table_context());

  void fit(const LatticeSamples& samples);  // adds the samples' counts (the model can be refit)
  // log q(s) in nats of one configuration of samples.L^2 spins.
  double log_q(int L, const Spin* s) const;
  // q(s_i = +1 | context) for site i of s (the context read from s).
  double up_probability(int L, const Spin* s, int site) const;
  // Contexts seen in training (of the 3^k possible keys): the table's effective size.
  int contexts_seen() const;
  const std::vector<Offset>& context() const { return context_; }

 private:
  int key(int L, const Spin* s, int site) const;
  std::vector<Offset> context_;
  std::vector<std::array<double, 2>> counts_;  // [key][s == +1]
};

struct KlEstimate {
  double kl_per_spin = 0;      // mean over test configurations of (log p - log q) / N
  double standard_error = 0;   // of that mean (test configurations independent)
  std::size_t n = 0;
};

// KL(p || q) / N with p the exact Boltzmann distribution of `lattice` and q the model, from test
// configurations drawn from p. Throws std::invalid_argument when test is empty or of another L.
KlEstimate table_kl_per_spin(const Lattice& lattice, const TableModel& model, const LatticeSamples& test);

}  // namespace spinformer::ising2d
