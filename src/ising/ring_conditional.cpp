// Exact single-spin conditionals and exact sampling for chains with site fields.
#include "ising/ring_conditional.hpp"

#include <array>
#include <cmath>

#include "lab/rng.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::ising {
namespace {
void check(int L, double J, double T) {
  if (L < 3) throw lab::UsageError("--L", "needs L >= 3");
  if (!std::isfinite(J)) throw lab::UsageError("--J", "must be finite");
  if (!(T > 0) || !std::isfinite(T)) throw lab::UsageError("--T", "must be positive and finite");
}

inline double spin_value(int index) { return index == 0 ? 1.0 : -1.0; }  // index 0: +1, 1: -1

// log(e^a + e^b) without overflow.
inline double log_add(double a, double b) {
  const double m = std::max(a, b);
  return m + std::log(std::exp(a - m) + std::exp(b - m));
}
}  // namespace

LocalChain ring_chain(int L, double J, double h, double T) {
  check(L, J, T);
  if (!std::isfinite(h)) throw lab::UsageError("--h", "must be finite");
  return LocalChain{L, J / T, std::vector<double>(static_cast<std::size_t>(L), h / T), true};
}

LocalChain ring_next_nearest_chain(int L, double J1, double J2, double T) {
  check(L, J1, T);
  if (L < 5) throw lab::UsageError("--L", "needs L >= 5 with a next-nearest coupling");
  if (!std::isfinite(J2)) throw lab::UsageError("--J2", "must be finite");
  LocalChain c{L, J1 / T, std::vector<double>(static_cast<std::size_t>(L), 0.0), true};
  c.K2 = J2 / T;
  return c;
}

LocalChain open_chain_with_edge_fields(int L, double J, double h_edge, double T) {
  check(L, J, T);
  if (!std::isfinite(h_edge)) throw lab::UsageError("--h-edge", "must be finite");
  LocalChain c{L, J / T, std::vector<double>(static_cast<std::size_t>(L), 0.0), false};
  c.field.front() = c.field.back() = h_edge / T;
  return c;
}

double local_field(const LocalChain& c, const Spin* s, int i) {
  double neighbours = 0;
  if (i > 0) neighbours += s[i - 1];
  else if (c.periodic) neighbours += s[c.L - 1];
  if (i < c.L - 1) neighbours += s[i + 1];
  else if (c.periodic) neighbours += s[0];
  double second = 0;  // next-nearest, ring only (ring_next_nearest_chain)
  if (c.K2 != 0) second = s[(i + c.L - 2) % c.L] + s[(i + 2) % c.L];
  return c.K * neighbours + c.K2 * second + c.field[static_cast<std::size_t>(i)];
}

double conditional_up(const LocalChain& c, const Spin* s, int i) {
  return 1.0 / (1.0 + std::exp(-2.0 * local_field(c, s, i)));
}

double log_conditional(const LocalChain& c, const Spin* s, int i) {
  // log p = s x - log(2 cosh x) = -log(1 + exp(-2 s x))
  const double y = -2.0 * s[i] * local_field(c, s, i);
  return y > 0 ? -(y + std::log1p(std::exp(-y))) : -std::log1p(std::exp(y));
}

double log_weight(const LocalChain& c, const Spin* s) {
  double w = 0;
  for (int i = 0; i < c.L; ++i) {
    w += c.field[static_cast<std::size_t>(i)] * s[i];
    if (i + 1 < c.L) w += c.K * s[i] * s[i + 1];
  }
  if (c.periodic) w += c.K * s[c.L - 1] * s[0];
  if (c.K2 != 0)
    for (int i = 0; i < c.L; ++i) w += c.K2 * s[i] * s[(i + 2) % c.L];
  return w;
}

namespace {
// Exact samples of a ring with a next-nearest coupling: the pair a_i = (s_i, s_{i+1}) (index 2 x + y,
// x, y in {0: +1, 1: -1}) is a Markov chain round the ring; the step a_i -> a_{i+1} = (y, z) carries
// exp(K x y + K2 x z + h_i x), so every bond and field is counted once. For each first pair f,
// back[f][i][a] is the log weight of the pairs i+1..L-1 given a_i = a, closed by a_{L-1} -> a_0 = f.
SpinSamples sample_next_nearest(const LocalChain& c, std::size_t n, std::uint64_t seed) {
  const int L = c.L;
  auto step = [&](int i, int a, int b) -> double {  // log weight of a_i = a -> a_{i+1} = b; -inf when they disagree
    if ((a & 1) != (b >> 1)) return -INFINITY;
    const double x = spin_value(a >> 1), y = spin_value(a & 1), z = spin_value(b & 1);
    return c.K * x * y + c.K2 * x * z + c.field[static_cast<std::size_t>(i)] * x;
  };
  using Messages = std::vector<std::array<double, 4>>;
  std::array<Messages, 4> back;
  std::array<double, 4> first_log{};
  for (int f = 0; f < 4; ++f) {
    auto& m = back[static_cast<std::size_t>(f)];
    m.resize(static_cast<std::size_t>(L));
    for (int a = 0; a < 4; ++a) m[static_cast<std::size_t>(L - 1)][a] = step(L - 1, a, f);
    for (int i = L - 2; i >= 0; --i)
      for (int a = 0; a < 4; ++a) {
        double acc = -INFINITY;
        for (int b = 0; b < 4; ++b) {
          const double w = step(i, a, b) + m[static_cast<std::size_t>(i + 1)][b];
          if (w > -INFINITY) acc = log_add(acc, w);  // log_add(-inf, -inf) would be NaN
        }
        m[static_cast<std::size_t>(i)][a] = acc;
      }
    first_log[f] = m[0][f];
  }
  double norm = -INFINITY;
  for (double v : first_log)
    if (v > -INFINITY) norm = log_add(norm, v);
  SpinSamples out;
  out.L = L;
  out.spins.resize(n * static_cast<std::size_t>(L));
  lab::Rng rng(seed);
  auto draw = [&](const std::array<double, 4>& logw, double total) {
    double u = rng.uniform(), acc = 0;
    for (int b = 0; b < 4; ++b) {
      if (logw[b] == -INFINITY) continue;
      acc += std::exp(logw[b] - total);
      if (u < acc) return b;
    }
    for (int b = 3; b >= 0; --b)  // rounding: the last allowed state
      if (logw[b] > -INFINITY) return b;
    return 0;
  };
  for (std::size_t k = 0; k < n; ++k) {
    Spin* s = out.row(k);
    const int f = draw(first_log, norm);
    const auto& m = back[static_cast<std::size_t>(f)];
    int a = f;
    s[0] = static_cast<Spin>(spin_value(a >> 1));
    for (int i = 0; i + 1 < L; ++i) {
      std::array<double, 4> logw{};
      double total = -INFINITY;
      for (int b = 0; b < 4; ++b) {
        logw[b] = step(i, a, b) + m[static_cast<std::size_t>(i + 1)][b];
        if (logw[b] > -INFINITY) total = log_add(total, logw[b]);
      }
      a = draw(logw, total);
      s[i + 1] = static_cast<Spin>(spin_value(a >> 1));
    }
  }
  return out;
}
}  // namespace

SpinSamples sample_exact(const LocalChain& c, std::size_t n, std::uint64_t seed) {
  if (c.K2 != 0) {
    if (!c.periodic) throw lab::UsageError("--J2", "a next-nearest coupling needs the ring");
    return sample_next_nearest(c, n, seed);
  }
  const int L = c.L;
  // back[f][i][a]: log of the weight of spins i+1..L-1 given s_i = a (and, on the ring, s_0 = f,
  // which closes the last bond); f = 0 only on the open chain.
  const int firsts = c.periodic ? 2 : 1;
  std::vector<std::array<std::array<double, 2>, 2>> back(static_cast<std::size_t>(L));
  std::array<double, 2> first_log{};  // log weight of s_0 = +1, -1 summed over the rest
  for (int f = 0; f < firsts; ++f) {
    for (int a = 0; a < 2; ++a)
      back[static_cast<std::size_t>(L - 1)][f][a] = c.periodic ? c.K * spin_value(a) * spin_value(f) : 0.0;
    for (int i = L - 2; i >= 0; --i)
      for (int a = 0; a < 2; ++a) {
        double acc = -INFINITY;
        for (int b = 0; b < 2; ++b)
          acc = log_add(acc, c.K * spin_value(a) * spin_value(b) + c.field[static_cast<std::size_t>(i + 1)] * spin_value(b) +
                                 back[static_cast<std::size_t>(i + 1)][f][b]);
        back[static_cast<std::size_t>(i)][f][a] = acc;
      }
  }
  for (int a = 0; a < 2; ++a) {
    const int f = c.periodic ? a : 0;
    first_log[a] = c.field[0] * spin_value(a) + back[0][f][a];
  }
  const double p_first_up = 1.0 / (1.0 + std::exp(first_log[1] - first_log[0]));
  SpinSamples out;
  out.L = L;
  out.spins.resize(n * static_cast<std::size_t>(L));
  lab::Rng rng(seed);
  for (std::size_t k = 0; k < n; ++k) {
    Spin* s = out.row(k);
    int a = rng.uniform() < p_first_up ? 0 : 1;
    const int f = c.periodic ? a : 0;
    s[0] = static_cast<Spin>(spin_value(a));
    for (int i = 1; i < L; ++i) {
      const auto& m = back[static_cast<std::size_t>(i)][f];
      const double h = c.field[static_cast<std::size_t>(i)];
      const double up = c.K * spin_value(a) + h + m[0], down = -c.K * spin_value(a) - h + m[1];
      a = rng.uniform() < 1.0 / (1.0 + std::exp(down - up)) ? 0 : 1;
      s[i] = static_cast<Spin>(spin_value(a));
    }
  }
  return out;
}

std::vector<std::uint8_t> spaced_mask(int L, int spacing, int offset, bool periodic) {
  if (spacing < 3) throw lab::UsageError("--mask-spacing", "needs spacing >= 3");
  std::vector<std::uint8_t> m(static_cast<std::size_t>(L), 0);
  offset = ((offset % spacing) + spacing) % spacing;
  for (int i = offset; i < L; i += spacing) {
    const bool left = i > 0 ? m[static_cast<std::size_t>(i - 1)] : (periodic && m[static_cast<std::size_t>(L - 1)]);
    const bool right = i < L - 1 ? false : (periodic && m[0]);
    if (!left && !right) m[static_cast<std::size_t>(i)] = 1;
  }
  return m;
}

}  // namespace spinformer::ising
