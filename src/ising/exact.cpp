#include "ising/exact.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "ising/jet.hpp"

// Numerics (reference sheet: ../../shared/reference/ising-chain.md):
//  * log Z and its beta- and h-derivatives come from closed eigenvalue formulas evaluated on Jets
//    (second-order forward AD). The transfer matrix is scaled by e^{-m} so entries lie in (0, 1];
//    every quantity that can suffer cancellation (lambda_-, 1 - |rho|, 1 + rho^n, the open-chain
//    end-vector term) is written as a sum of same-signed terms or via expm1/log1p.
//  * Conditionals, the open-chain profile and correlations use log-space products of the positive
//    transfer matrix (normalised at each step), so no cancellation and no overflow at any L or T.
namespace spinformer::ising {
namespace {

using detail::Jet;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

int spin_index(Spin s) { return s > 0 ? 0 : 1; }
constexpr double kSpin[2] = {+1.0, -1.0};

double log_add(double x, double y) {
  if (x < y) std::swap(x, y);
  if (y == kNegInf) return x;
  return x + std::log1p(std::exp(y - x));
}

// e^{-|H|} * 2 sinh(H) without overflow (large |H|) or cancellation (small |H|).
Jet two_sinh_scaled(const Jet& H, const Jet& abs_h) {
  if (abs_h.v < 1) return exp(-abs_h) * 2.0 * sinh(H);
  return exp(H - abs_h) - exp(-H - abs_h);
}

// Spectral data of the scaled transfer matrix S = e^{-m} T = [[a, b], [b, d]] as Jets in (K, H).
struct Spectrum {
  Jet half_trace;          // (a + d) / 2
  Jet lambda_plus;         // largest eigenvalue of S
  Jet one_minus_abs_rho;   // 1 - |lambda_- / lambda_+|, cancellation-free
  Jet rho;                 // lambda_- / lambda_+ (computed only when |rho| <= 1/2)
  bool rho_small = false;  // |rho| <= 1/2: use rho directly, else via one_minus_abs_rho
  bool rho_negative = false;
  // Leading eigenvector v_+ proportional to (x, y), components O(1) after rescaling.
  Jet x, y;
  Jet x2_minus_y2;  // x^2 - y^2 without cancellation
};

// m is a Jet equal to the largest exponent of T (K + |H| or -K), so that the dominant entry is exactly 1
// with zero derivatives: derivatives of log Z then come only from the small entries, which keeps the
// specific heat and susceptibility accurate (relatively) even when they are exponentially small.
Spectrum spectrum(const Jet& K, const Jet& H, const Jet& m) {
  const double abs_h0 = std::abs(H.v);
  Spectrum sp;
  const Jet a = exp(K + H - m), d = exp(K - H - m);
  sp.half_trace = 0.5 * (a + d);
  // s = (a - d)/2 and b, both rescaled by e^{-c} (their common magnitude) so that b^2 cannot underflow.
  const double log_abs_s = abs_h0 < 1 ? K.v - m.v + std::log(std::abs(std::sinh(H.v)))
                                      : std::log(0.5 * std::abs(a.v - d.v));
  const double c = std::max(log_abs_s, -K.v - m.v);
  const Jet s = abs_h0 < 1 ? exp(K - m - c) * sinh(H) : (a - d) * (0.5 * std::exp(-c));
  const Jet b = exp(-K - m - c);
  const Jet r = sqrt(s * s + b * b);  // half the eigenvalue gap, in units of e^c
  const Jet r_true = r * std::exp(c);
  sp.lambda_plus = sp.half_trace + r_true;
  // lambda_+ - lambda_- = 2r; lambda_+ + lambda_- = a + d. Pick the one that has no cancellation.
  sp.rho_negative = K.v < 0;
  sp.one_minus_abs_rho = (sp.rho_negative ? 2.0 * sp.half_trace : 2.0 * r_true) / sp.lambda_plus;
  sp.rho_small = sp.one_minus_abs_rho.v >= 0.5;
  if (sp.rho_small) {
    // det S = ad - b^2 = 2 e^{-2m} sinh(2K), written without overflow.
    const Jet det = K.v >= 0 ? -exp(2.0 * K - 2.0 * m) * expm1(-4.0 * K) : exp(-2.0 * K - 2.0 * m) * expm1(4.0 * K);
    sp.rho = det / (sp.lambda_plus * sp.lambda_plus);
  }
  // v_+ ~ (s + r, b) for H >= 0, (b, r - s) for H < 0: both sums of non-negative terms.
  if (H.v >= 0) {
    sp.x = s + r;
    sp.y = b;
    sp.x2_minus_y2 = 2.0 * s * (s + r);
  } else {
    sp.x = b;
    sp.y = r - s;
    sp.x2_minus_y2 = 2.0 * s * (r - s);
  }
  return sp;
}

// rho^n and 1 + rho^n; for |rho| near 1, exp(n log1p(-(1-|rho|))) and expm1 keep full precision.
struct RhoPowerJet {
  Jet power;
  Jet one_plus_power;
};

RhoPowerJet rho_power(const Spectrum& sp, long n) {
  if (sp.rho_small) {
    const Jet p = detail::pow(sp.rho, n);
    return {p, 1.0 + p};
  }
  const Jet x = static_cast<double>(n) * log1p(-sp.one_minus_abs_rho);
  const bool negative = sp.rho_negative && (n % 2 != 0);
  if (negative) return {-exp(x), -expm1(x)};
  const Jet e = exp(x);
  return {e, 1.0 + e};
}

// log Z = offset + reduced as Jets in whatever direction K and H carry. offset = bonds * m (+ |H| for
// the open chain's end weights) is the log weight of the most likely bond pattern; reduced is O(1)-ish.
// Keeping them apart lets log p(s) avoid the cancellation of two numbers of size L |K|.
struct LogPartition {
  Jet offset, reduced;
  double m = 0;  // largest exponent of T
  Jet total() const { return offset + reduced; }
};

LogPartition log_partition_jet(const Chain& chain, const Jet& K, const Jet& H) {
  const Jet abs_h = H.v >= 0 ? H : -H;
  const Jet m = K.v + abs_h.v >= -K.v ? K + abs_h : -K;
  const Spectrum sp = spectrum(K, H, m);
  const long L = chain.L;
  if (chain.boundary == Boundary::periodic) {
    // Z = lambda_+^L (1 + rho^L)
    return {static_cast<double>(L) * m,
            static_cast<double>(L) * log(sp.lambda_plus) + log(rho_power(sp, L).one_plus_power), m.v};
  }
  // Open: Z = lambda_+^(L-1) [(w.v+)^2 + rho^(L-1) (w.v-)^2], w_a = e^{H a / 2} scaled by e^{-|H0|/2}.
  const Jet w_up = exp(0.5 * (H - abs_h)), w_down = exp(-0.5 * (H + abs_h));
  const Jet norm2 = sp.x * sp.x + sp.y * sp.y;
  const Jet along_plus = w_up * sp.x + w_down * sp.y;    // w.v+ * |v|
  const Jet along_minus = w_down * sp.x - w_up * sp.y;   // w.v- * |v|
  const Jet A = along_plus * along_plus / norm2, B = along_minus * along_minus / norm2;
  const RhoPowerJet p = rho_power(sp, L - 1);
  Jet bracket;
  if (p.power.v >= 0) {
    bracket = A + p.power * B;
  } else {
    // A - B = [(w+^2 - w-^2)(x^2 - y^2) + 4 w+ w- x y] / |v|^2 is a sum of non-negative terms, and
    // 1 + rho^n is accurate, so A + rho^n B = (A - B) + B (1 + rho^n) has no cancellation.
    const Jet a_minus_b =
        (two_sinh_scaled(H, abs_h) * sp.x2_minus_y2 + 4.0 * w_up * w_down * sp.x * sp.y) / norm2;
    bracket = a_minus_b + B * p.one_plus_power;
  }
  return {static_cast<double>(L - 1) * m + abs_h, static_cast<double>(L - 1) * log(sp.lambda_plus) + log(bracket),
          m.v};
}

}  // namespace

ExactChain::ExactChain(const Chain& chain) : chain_(chain) {
  validate(chain_);
  const int L = chain_.L;
  const double K = chain_.beta() * chain_.J, H = chain_.beta() * chain_.h;
  const LogPartition log_z = log_partition_jet(chain_, Jet(K), Jet(H));
  log_z_ = log_z.offset.v + log_z.reduced.v;
  log_z_reduced_ = log_z.reduced.v;
  log_scale_ = log_z.m;

  // Value-level spectral data for correlations and the correlation length.
  const double m = std::max(K + std::abs(H), -K);
  const Spectrum sp = spectrum(Jet(K), Jet(H), Jet(m));
  rho_negative_ = sp.rho_negative;
  log_abs_rho_ = sp.rho_small ? std::log(std::abs(sp.rho.v)) : std::log1p(-sp.one_minus_abs_rho.v);
  const double norm2 = sp.x.v * sp.x.v + sp.y.v * sp.y.v;
  bulk_magnetization_ = sp.x2_minus_y2.v / norm2;
  off_diagonal_sq_ = 4 * sp.x.v * sp.x.v * sp.y.v * sp.y.v / (norm2 * norm2);

  // log T_ab (unscaled: only ratios are used below) and log end weights.
  double log_t[2][2];
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b) log_t[a][b] = K * kSpin[a] * kSpin[b] + 0.5 * H * (kSpin[a] + kSpin[b]);
  const double log_w[2] = {0.5 * H, -0.5 * H};

  // Normalised log powers of T: P_0 = 1, P_n = P_{n-1} T, each shifted so that its max entry is 0.
  log_powers_.assign(4 * static_cast<std::size_t>(L + 1), 0.0);
  log_powers_[1] = log_powers_[2] = kNegInf;
  for (int n = 1; n <= L; ++n) {
    const double* prev = &log_powers_[4 * static_cast<std::size_t>(n - 1)];
    double* next = &log_powers_[4 * static_cast<std::size_t>(n)];
    for (int a = 0; a < 2; ++a)
      for (int c = 0; c < 2; ++c) next[2 * a + c] = log_add(prev[2 * a] + log_t[0][c], prev[2 * a + 1] + log_t[1][c]);
    const double shift = *std::max_element(next, next + 4);
    for (int k = 0; k < 4; ++k) next[k] -= shift;
  }
  auto power = [&](int n, int a, int b) { return log_powers_[4 * static_cast<std::size_t>(n) + 2 * a + b]; };

  // log_conditional_[i][prev][first][s]; every entry is log(num_s / (num_+ + num_-)).
  log_conditional_.assign(8 * static_cast<std::size_t>(L), 0.0);
  auto store = [&](int i, int prev, int first, double num_up, double num_down) {
    const double norm = log_add(num_up, num_down);
    double* out = &log_conditional_[8 * static_cast<std::size_t>(i) + 4 * prev + 2 * first];
    out[0] = num_up - norm;
    out[1] = num_down - norm;
  };

  if (chain_.boundary == Boundary::periodic) {
    // p(s_0) = (T^L)_{s s} / Z; p(s_i | prev, first) = T_{prev s} (T^{L-i})_{s first} / (T^{L-i+1})_{prev first}.
    for (int prev = 0; prev < 2; ++prev)
      for (int first = 0; first < 2; ++first) store(0, prev, first, power(L, 0, 0), power(L, 1, 1));
    for (int i = 1; i < L; ++i)
      for (int prev = 0; prev < 2; ++prev)
        for (int first = 0; first < 2; ++first)
          store(i, prev, first, log_t[prev][0] + power(L - i, 0, first), log_t[prev][1] + power(L - i, 1, first));
    return;
  }

  // Open chain: forward f_i = w^T T^i and backward g_i = T^{L-1-i} w, both normalised in log space.
  log_forward_.assign(2 * static_cast<std::size_t>(L), 0.0);
  log_backward_.assign(2 * static_cast<std::size_t>(L), 0.0);
  auto normalise = [](double* v) {
    const double shift = std::max(v[0], v[1]);
    v[0] -= shift;
    v[1] -= shift;
  };
  double* f = log_forward_.data();
  double* g = log_backward_.data();
  f[0] = log_w[0];
  f[1] = log_w[1];
  g[2 * (L - 1)] = log_w[0];
  g[2 * (L - 1) + 1] = log_w[1];
  for (int i = 1; i < L; ++i) {
    for (int b = 0; b < 2; ++b) f[2 * i + b] = log_add(f[2 * (i - 1)] + log_t[0][b], f[2 * (i - 1) + 1] + log_t[1][b]);
    normalise(f + 2 * i);
    const int j = L - 1 - i;
    for (int a = 0; a < 2; ++a) g[2 * j + a] = log_add(log_t[a][0] + g[2 * (j + 1)], log_t[a][1] + g[2 * (j + 1) + 1]);
    normalise(g + 2 * j);
  }
  // p(s_0) ~ w_s g_0(s); p(s_i | prev) ~ T_{prev s} g_i(s).
  for (int prev = 0; prev < 2; ++prev)
    for (int first = 0; first < 2; ++first) {
      store(0, prev, first, log_w[0] + g[0], log_w[1] + g[1]);
      for (int i = 1; i < L; ++i) store(i, prev, first, log_t[prev][0] + g[2 * i], log_t[prev][1] + g[2 * i + 1]);
    }
}

double ExactChain::log_partition() const { return log_z_; }

Thermodynamics ExactChain::thermodynamics() const {
  const double beta = chain_.beta(), K = beta * chain_.J, H = beta * chain_.h, L = chain_.L;
  // beta direction: dK/dbeta = J, dH/dbeta = h. h direction: dH/dh = beta.
  const Jet along_beta = log_partition_jet(chain_, Jet(K, chain_.J), Jet(H, chain_.h)).total();
  const Jet along_h = log_partition_jet(chain_, Jet(K), Jet(H, beta)).total();
  Thermodynamics t;
  t.log_z = log_z_;
  t.energy_per_spin = -along_beta.d1 / L;
  t.specific_heat_per_spin = beta * beta * along_beta.second_derivative() / L;
  t.magnetization_per_spin = along_h.d1 / (beta * L);
  t.susceptibility_per_spin = along_h.second_derivative() / (beta * L);
  return t;
}

double ExactChain::correlation_length() const {
  if (log_abs_rho_ == kNegInf) return 0.0;  // J = 0: lambda_- = 0
  return -1.0 / log_abs_rho_;
}

namespace {

// Value-level rho^n with sign, and the combinations 1 +- rho^n, rho^r + rho^s, accurate as |rho| -> 1.
struct RhoPower {
  double log_abs;
  bool negative;

  bool odd_negative(long n) const { return negative && (n % 2 != 0); }
  double abs_pow(long n) const { return n == 0 ? 1.0 : std::exp(static_cast<double>(n) * log_abs); }
  double pow(long n) const { return odd_negative(n) ? -abs_pow(n) : abs_pow(n); }
  double one_plus_pow(long n) const {
    if (n == 0) return 2.0;
    return odd_negative(n) ? -std::expm1(static_cast<double>(n) * log_abs) : 1.0 + abs_pow(n);
  }
  double one_minus_pow(long n) const {
    if (n == 0) return 0.0;
    return odd_negative(n) ? 1.0 + abs_pow(n) : -std::expm1(static_cast<double>(n) * log_abs);
  }
  double sum_pow(long r, long s) const {
    if (r > s) std::swap(r, s);
    if (odd_negative(r) == odd_negative(s)) return pow(r) + pow(s);
    // Opposite signs: |rho|^r - |rho|^s = -|rho|^r expm1((s - r) log|rho|) >= 0.
    const double diff = -abs_pow(r) * std::expm1(static_cast<double>(s - r) * log_abs);
    return odd_negative(r) ? -diff : diff;
  }
};

}  // namespace

std::vector<double> ExactChain::magnetization_profile() const {
  const int L = chain_.L;
  if (chain_.boundary == Boundary::periodic) {
    // <s_i> = tr(sigma T^L) / tr(T^L) = mu (1 - rho^L) / (1 + rho^L).
    const RhoPower rho{log_abs_rho_, rho_negative_};
    return std::vector<double>(L, bulk_magnetization_ * rho.one_minus_pow(L) / rho.one_plus_pow(L));
  }
  std::vector<double> profile(L);
  for (int i = 0; i < L; ++i) {
    const double u = log_forward_[2 * i] + log_backward_[2 * i];
    const double d = log_forward_[2 * i + 1] + log_backward_[2 * i + 1];
    // (e^u - e^d) / (e^u + e^d) = tanh((u - d) / 2)
    profile[i] = std::tanh(0.5 * (u - d));
  }
  return profile;
}

std::vector<double> ExactChain::connected_correlation() const {
  const int L = chain_.L;
  std::vector<double> corr(L);
  if (chain_.boundary == Boundary::periodic) {
    // In the eigenbasis sigma_z = [[mu, nu], [nu, -mu]]: C(r) = nu^2 (rho^r + rho^(L-r)) / (1 + rho^L)
    // + 4 mu^2 rho^L / (1 + rho^L)^2 (the second term is the finite-ring correction to <s>^2).
    const RhoPower rho{log_abs_rho_, rho_negative_};
    const double one_plus = rho.one_plus_pow(L);
    const double tail = 4 * bulk_magnetization_ * bulk_magnetization_ * rho.pow(L) / (one_plus * one_plus);
    for (int r = 0; r < L; ++r) corr[r] = off_diagonal_sq_ * rho.sum_pow(r, L - r) / one_plus + tail;
    return corr;
  }
  // Open chain: <s_i s_j> = sum_ab a b f_i(a) (T^{j-i})_ab g_j(b) / (same without a b); O(L^2) pairs.
  // Linear-space copies normalised to max 1; fall back to log space if every term underflows.
  const std::vector<double> profile = magnetization_profile();
  std::vector<double> f(2 * L), g(2 * L), p(4 * L);
  for (int k = 0; k < 2 * L; ++k) {
    f[k] = std::exp(log_forward_[k]);
    g[k] = std::exp(log_backward_[k]);
  }
  for (int k = 0; k < 4 * L; ++k) p[k] = std::exp(log_powers_[k]);
  for (int r = 0; r < L; ++r) {
    const double* M = &p[4 * static_cast<std::size_t>(r)];
    const double* logM = &log_powers_[4 * static_cast<std::size_t>(r)];
    double sum = 0;
    for (int i = 0; i + r < L; ++i) {
      const int j = i + r;
      const double gu = g[2 * j], gd = g[2 * j + 1];
      const double up = f[2 * i] * (M[0] * gu - M[1] * gd), down = f[2 * i + 1] * (M[2] * gu - M[3] * gd);
      const double den = f[2 * i] * (M[0] * gu + M[1] * gd) + f[2 * i + 1] * (M[2] * gu + M[3] * gd);
      double pair;
      if (den > 1e-280) {
        pair = (up - down) / den;
      } else {
        double lw[4], num = 0, tot = 0, mx = kNegInf;
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b) {
            lw[2 * a + b] = log_forward_[2 * i + a] + logM[2 * a + b] + log_backward_[2 * j + b];
            mx = std::max(mx, lw[2 * a + b]);
          }
        for (int k = 0; k < 4; ++k) {
          const double w = std::exp(lw[k] - mx);
          tot += w;
          num += kSpin[k / 2] * kSpin[k % 2] * w;
        }
        pair = num / tot;
      }
      sum += pair - profile[i] * profile[j];
    }
    corr[r] = sum / (L - r);
  }
  return corr;
}

double ExactChain::log_probability(const Spin* s) const {
  // -beta H(s) - log Z = sum_bonds (log T_{s s'} - m) [+ open-chain end terms] - reduced log Z. Every bond
  // term is <= 0 and exactly 0 for the most likely bond, so likely states lose no digits to cancellation.
  const int L = chain_.L;
  const double K = chain_.beta() * chain_.J, H = chain_.beta() * chain_.h, m = log_scale_;
  auto bond = [&](Spin a, Spin b) { return (K * a * b + 0.5 * H * (a + b)) - m; };
  double log_weight = 0;
  for (int i = 0; i + 1 < L; ++i) log_weight += bond(s[i], s[i + 1]);
  if (chain_.boundary == Boundary::periodic) {
    log_weight += bond(s[L - 1], s[0]);
  } else {
    log_weight += 0.5 * H * (s[0] + s[L - 1]) - std::abs(H);
  }
  return log_weight - log_z_reduced_;
}

double ExactChain::conditional_up(int i, Spin prev, Spin first) const {
  if (i < 0 || i >= chain_.L) throw std::out_of_range("ExactChain::conditional_up: site " + std::to_string(i));
  const int p = i == 0 ? 0 : spin_index(prev);
  const int f = (i == 0 || chain_.boundary == Boundary::open) ? 0 : spin_index(first);
  return std::exp(log_conditional_[8 * static_cast<std::size_t>(i) + 4 * p + 2 * f]);
}

double ExactChain::log_conditional(const Spin* s, int i) const {
  if (i < 0 || i >= chain_.L) throw std::out_of_range("ExactChain::log_conditional: site " + std::to_string(i));
  const int p = i == 0 ? 0 : spin_index(s[i - 1]);
  const int f = (i == 0 || chain_.boundary == Boundary::open) ? 0 : spin_index(s[0]);
  return log_conditional_[8 * static_cast<std::size_t>(i) + 4 * p + 2 * f + spin_index(s[i])];
}

std::vector<EnergyLevel> ExactChain::energy_distribution() const {
  if (chain_.h != 0) throw std::logic_error("ExactChain::energy_distribution: needs h = 0");
  const bool ring = chain_.boundary == Boundary::periodic;
  const int bonds = chain_.bonds();
  // Ring: k domain walls (k even) among L bonds, 2 binom(L, k) configurations; open: any k among L-1.
  std::vector<EnergyLevel> levels;
  for (int k = 0; k <= bonds; k += ring ? 2 : 1) {
    EnergyLevel level;
    level.domain_walls = k;
    level.energy = -chain_.J * (bonds - 2 * k);
    level.log_count = std::log(2.0) + std::lgamma(bonds + 1.0) - std::lgamma(k + 1.0) - std::lgamma(bonds - k + 1.0);
    levels.push_back(level);
  }
  const double beta = chain_.beta();
  double log_norm = kNegInf;
  for (const auto& level : levels) log_norm = log_add(log_norm, level.log_count - beta * level.energy);
  for (auto& level : levels) level.probability = std::exp(level.log_count - beta * level.energy - log_norm);
  std::stable_sort(levels.begin(), levels.end(),
                   [](const EnergyLevel& x, const EnergyLevel& y) { return x.energy < y.energy; });
  return levels;
}

}  // namespace spinformer::ising
