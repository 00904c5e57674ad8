#pragma once
// The exact conditional of one spin given all others for a nearest-neighbour chain with site fields,
// the yardstick of a masked-spin model (chapter 5):
//   p(s_i | rest) = exp(s_i x_i) / (2 cosh x_i),   x_i = K (s_{i-1} + s_{i+1}) + h_i,
// on the ring (s_0 and s_{L+1} wrap round to s_L and s_1) or on an open chain (a missing neighbour
// counts 0). K = J / T and h_i (already divided by T) are dimensionless. Because the chain is Markov,
// p(s_i | rest) = p(s_i | s_{i-1}, s_{i+1}): a masked spin whose two neighbours are visible has this
// conditional whatever else is masked (spaced_mask below builds such masks).
// Spin indices are 0-based here (spin i = 0 is "position 1" of the text).
// A ring may also carry a next-nearest coupling K2 = J2 / T (ring_next_nearest_chain): then
//   x_i = K (s_{i-1} + s_{i+1}) + K2 (s_{i-2} + s_{i+2}) + h_i,
// and a masked spin has this conditional when its four neighbours are visible (spaced masks with
// spacing >= 3 leave them visible). Its exact influence reaches distance 2: data whose right answer is
// an influence length above 1 (chapter 5, claim 5.2).
#include <cstdint>
#include <vector>

#include "ising/chain.hpp"

namespace spinformer::ising {

struct LocalChain {
  int L = 0;
  double K = 0;               // J / T
  std::vector<double> field;  // h_i / T, one per site
  bool periodic = true;
  double K2 = 0;              // J2 / T, next-nearest (ring only; 0 on every nearest-neighbour chain)
};

// The ring H = -J sum s_i s_{i+1} - h sum s_i at temperature T (UsageError for bad L, T).
LocalChain ring_chain(int L, double J, double h, double T);
// The open chain with a field h_edge on its two end spins only (and none elsewhere): its ends differ
// from its bulk, but nothing wraps round.
LocalChain open_chain_with_edge_fields(int L, double J, double h_edge, double T);

// The ring H = -J1 sum s_i s_{i+1} - J2 sum s_i s_{i+2} at h = 0 and temperature T; needs L >= 5 so
// that the four neighbours of a spin are distinct (UsageError("--L")).
LocalChain ring_next_nearest_chain(int L, double J1, double J2, double T);

// x_i = K (s_{i-1} + s_{i+1}) + K2 (s_{i-2} + s_{i+2}) + h_i for one configuration s[0..L-1].
double local_field(const LocalChain& chain, const Spin* s, int i);
// p(s_i = +1 | rest).
double conditional_up(const LocalChain& chain, const Spin* s, int i);
// log p(s_i = s[i] | rest), stable for large |x_i|.
double log_conditional(const LocalChain& chain, const Spin* s, int i);

// n independent exact samples (transfer-matrix messages, then forward sampling; on the ring the first
// spin is drawn from its exact marginal first; with K2 != 0 the transfer matrix acts on pairs
// (s_i, s_{i+1}), 4 states, and the first pair is drawn from its exact marginal). Same seed, same samples.
SpinSamples sample_exact(const LocalChain& chain, std::size_t n, std::uint64_t seed);

// Spins i with (i - offset) mod spacing == 0, dropping any whose neighbour (ring or open) is already
// masked, so that every masked spin has both neighbours visible. spacing >= 3 (UsageError("--mask-spacing")).
// When spacing divides L, the offsets 0..spacing-1 mask every site exactly once.
std::vector<std::uint8_t> spaced_mask(int L, int spacing, int offset, bool periodic);

// The exact log-probability of a whole configuration up to the normalisation (-H / T), for tests.
double log_weight(const LocalChain& chain, const Spin* s);

}  // namespace spinformer::ising
