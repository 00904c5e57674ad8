#pragma once
// The paper's one correlation length of a finite chain, for sampled and exact C(r) alike.
//
// xi = -1 / b, where exp(a + b r) is the weighted least-squares fit to the connected correlation C(r)
// over the FIXED window r = 1 .. max(2, floor(L / 4)), with weights 1 / error(r)^2 (error: the
// standard error of a sampled C(r)). The window does not depend on the data: it starts at r = 1 (C(0)
// = 1 - m^2 is a variance, not a correlation), and it stops at L/4 so that on the ring the second path
// t^(L-r) and the finite-size bend it causes stay a documented, computable part of the definition.
// The fit is made to C(r) itself rather than to ln C(r): at high T the window reaches r where C(r) is
// far below its noise (T = 5, L = 32: C(8) = 3e-6 against errors of 1e-3) and sampled values are
// negative; to first order both fits are the same (Var ln C = (error / C)^2), and this one keeps every
// point of the window, so the definition is the same at every T.
//
// The reference for a sampled xi is the same fit to the chain's exact C(r) (ExactChain::
// connected_correlation, e.g. (t^r + t^(L-r)) / (1 + t^L) on the ring at h = 0) with the SAME weights,
// so samples and exact are compared like with like. On the infinite chain (C(r) = t^r) any weights
// give xi = -1 / ln t exactly.
#include <vector>

#include "ising/chain.hpp"

namespace spinformer::ising {

struct CorrelationWindow {
  int first = 1, last = 2;  // inclusive
};
CorrelationWindow correlation_window(int L);  // r = 1 .. max(2, floor(L / 4)); needs L >= 3

// xi of C(r), r = 0..L-1 (L = c.size()), weighted by error (same size; empty: equal weights).
// +infinity when the fitted C(r) does not decay; NaN when no fit exists (fewer than two positive C(r)
// in the window). Throws std::invalid_argument for L < 3, sizes that differ, or an error <= 0 or
// non-finite inside the window.
double fit_correlation_length(const std::vector<double>& c, const std::vector<double>& error = {});

// The reference: the same fit to the chain's exact C(r), with the given weights (the samples' errors).
double exact_fitted_correlation_length(const Chain& chain, const std::vector<double>& error = {});

}  // namespace spinformer::ising
