#pragma once
// Chapter 6: what a trained model does with each earlier spin, measured against the exact raster-order
// conditionals of the torus (ising2d/conditionals.hpp), and its attention set beside it.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gpt/gpt.hpp"
#include "ising2d/lattice.hpp"

namespace spinformer {

// The lattice relations of an earlier spin to the query site (x, y), y >= 1, in this order: left
// (x - 1, y), up (x, y - 1), up-left (x - 1, y - 1), two left (x - 2, y), far (x + L/2 mod L, y - 1);
// the first, third and fourth exist only when x is large enough (the periodic ones come later).
const std::vector<std::string>& relation_names();

// On the first n_causal test configurations: the per-site excess loss log p - log q (exact p), and for
// every relation the interventions: flip the related spin, Delta = log c(s_i | flipped prefix) -
// log c(s_i | prefix) for the model (q) and the exact conditionals (p), summarised as mean |Delta_p|,
// mean |Delta_q - Delta_p|, their ratio, the signed means, and the layer-1 attention (mean over heads)
// of the query on that key against the uniform 1 / (keys). Requires L <= 10 (exact first row).
nlohmann::json causal_tests(const gpt::Model& model, const ising2d::Lattice& lattice,
                            const ising2d::LatticeSamples& test, std::size_t n_causal, const gpt::AttentionSummary& att);

// Attention against the correlation function: C(a, b) on the torus displacement classes (a, b) =
// (min(|dx|, L - |dx|), min(|dy|, L - |dy|)) from the test samples (a sample estimate), and per class the
// mean over queries, keys and heads of A / A_uniform (A_uniform = 1 / number of keys) in the first and
// last layer; the Pearson correlation over classes (a, b) != (0, 0) with C > 0 of ln(A / A_uniform) with
// ln C, and the same for the constant-A null (every key the same weight before normalisation over the
// classes, so A / A_uniform is the number of keys: what averaging over queries alone produces), and the
// recency null (layer 1: the model's attention profile over raster distance made non-increasing, so that
// it prefers recent keys as much as the model does and knows nothing of the lattice).
nlohmann::json attention_correlation(const ising2d::Lattice& lattice, const ising2d::LatticeSamples& test,
                                     const gpt::AttentionSummary& att);

}  // namespace spinformer
