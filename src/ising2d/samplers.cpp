#include "ising2d/samplers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace spinformer::ising2d {
namespace {

// p * 2^64 rounded; long double keeps the rounding near 2^-64 on x86.
std::uint64_t fixed_point(long double p) {
  const long double scaled = std::ldexp(p, 64);
  if (scaled >= 18446744073709551615.0L) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(scaled + 0.5L);
}

void require_even(const Lattice& lattice, const char* who) {
  if (lattice.L < 2 || lattice.L % 2 != 0)
    throw std::invalid_argument(std::string(who) + ": checkerboard sweeps need an even L >= 2");
}

Spin random_spin(lab::Rng& rng) { return (rng.next() >> 63) ? Spin(1) : Spin(-1); }

}  // namespace

// ---- scalar checkerboard Metropolis ---------------------------------------------------------------

ScalarMetropolis::ScalarMetropolis(const Lattice& lattice, std::uint64_t seed)
    : lattice_(lattice), rng_(seed), spins_(static_cast<std::size_t>(lattice.sites())) {
  require_even(lattice, "ScalarMetropolis");
  for (auto& s : spins_) s = random_spin(rng_);
  for (int k = 0; k < 5; ++k) {  // s_i * sum = 2 (k - 2), dE = 2 J s_i sum
    const double dE = 4.0 * lattice.J * (k - 2);
    accept_[k] = dE <= 0 ? 1.0 : std::exp(-lattice.beta() * dE);
  }
}

void ScalarMetropolis::sweep() {
  const int L = lattice_.L;
  Spin* s = spins_.data();
  for (int parity = 0; parity < 2; ++parity)
    for (int y = 0; y < L; ++y) {
      const Spin* up = s + static_cast<std::size_t>((y + L - 1) % L) * L;
      const Spin* down = s + static_cast<std::size_t>((y + 1) % L) * L;
      Spin* row = s + static_cast<std::size_t>(y) * L;
      for (int x = (y + parity) & 1; x < L; x += 2) {
        const int sum = row[x > 0 ? x - 1 : L - 1] + row[x + 1 < L ? x + 1 : 0] + up[x] + down[x];
        const double acc = accept_[(row[x] * sum) / 2 + 2];
        if (acc >= 1.0 || rng_.uniform() < acc) {
          row[x] = static_cast<Spin>(-row[x]);
          ++accepted_;
        }
      }
    }
  attempts_ += static_cast<std::uint64_t>(L) * static_cast<std::uint64_t>(L);
}

// ---- multi-spin checkerboard Metropolis -----------------------------------------------------------

CheckerboardMetropolis::CheckerboardMetropolis(const Lattice& lattice, int words, std::uint64_t seed)
    : lattice_(lattice), words_(words), rng_(seed) {
  require_even(lattice, "CheckerboardMetropolis");
  if (words < 1) throw std::invalid_argument("CheckerboardMetropolis: words must be >= 1");
  bits_.resize(static_cast<std::size_t>(lattice.sites()) * static_cast<std::size_t>(words));
  for (auto& w : bits_) w = rng_.next();  // infinite-temperature start, independent per lane
  const long double beta_j = static_cast<long double>(lattice.beta()) * lattice.J;
  threshold_one_ = fixed_point(std::exp(-4.0L * beta_j));
  threshold_none_ = fixed_point(std::exp(-8.0L * beta_j));
}

namespace {

// Flip mask of one word: lanes with >= 2 antiparallel neighbours (dE <= 0) always flip; lanes with
// exactly one (dE = 4J) flip iff U < t_one, lanes with none (dE = 8J) iff U < t_none, where U is a
// lane's own uniform 64-bit number generated one bit-plane (one rng word for all lanes) at a time from
// the top. At the first plane where U's bit differs from the lane's threshold bit the lane is decided
// (U < t iff t has the 1); a lane still tied after 64 planes has U == t and is rejected. So
// P(flip) = t / 2^64 exactly, and since each plane settles half of the undecided lanes, about
// log2(lanes) + 2 words are drawn.
inline std::uint64_t flip_mask(lab::Rng& rng, std::uint64_t s, std::uint64_t n1, std::uint64_t n2, std::uint64_t n3,
                               std::uint64_t n4, std::uint64_t t_one, std::uint64_t t_none) {
  const std::uint64_t x1 = s ^ n1, x2 = s ^ n2, x3 = s ^ n3, x4 = s ^ n4;  // 1 = antiparallel
  const std::uint64_t o12 = x1 | x2, a12 = x1 & x2, o34 = x3 | x4, a34 = x3 & x4;
  const std::uint64_t two_or_more = a12 | a34 | (o12 & o34);
  const std::uint64_t any = o12 | o34;
  const std::uint64_t one = any & ~two_or_more, none = ~any;
  std::uint64_t accept = 0, undecided = ~two_or_more;
  for (int b = 63; b >= 0 && undecided; --b) {
    const std::uint64_t r = rng.next();
    const std::uint64_t t = (one & (std::uint64_t(0) - ((t_one >> b) & 1))) |
                            (none & (std::uint64_t(0) - ((t_none >> b) & 1)));  // lane's threshold bit
    accept |= undecided & t & ~r;
    undecided &= ~(r ^ t);
  }
  return two_or_more | accept;
}

}  // namespace

void CheckerboardMetropolis::half_sweep(int parity) {
  const int L = lattice_.L;
  const std::size_t W = static_cast<std::size_t>(words_);
  const std::size_t row_words = static_cast<std::size_t>(L) * W;
  const std::uint64_t t_one = threshold_one_, t_none = threshold_none_;
  lab::Rng rng = rng_;  // local copy keeps the generator state in registers
  std::uint64_t* b = bits_.data();
  for (int y = 0; y < L; ++y) {
    std::uint64_t* row = b + static_cast<std::size_t>(y) * row_words;
    const std::uint64_t* up = b + static_cast<std::size_t>((y + L - 1) % L) * row_words;
    const std::uint64_t* down = b + static_cast<std::size_t>((y + 1) % L) * row_words;
    for (int x = (y + parity) & 1; x < L; x += 2) {
      const std::size_t here = static_cast<std::size_t>(x) * W;
      const std::size_t left = static_cast<std::size_t>(x > 0 ? x - 1 : L - 1) * W;
      const std::size_t right = static_cast<std::size_t>(x + 1 < L ? x + 1 : 0) * W;
      for (std::size_t w = 0; w < W; ++w) {
        const std::uint64_t s = row[here + w];
        row[here + w] = s ^ flip_mask(rng, s, row[left + w], row[right + w], up[here + w], down[here + w], t_one,
                                      t_none);
      }
    }
  }
  rng_ = rng;
}

void CheckerboardMetropolis::sweep() {
  // Sites of one colour only have neighbours of the other, so each half sweep is a product of
  // independent single-site Metropolis updates, each in detailed balance.
  half_sweep(0);
  half_sweep(1);
  attempts_ += static_cast<std::uint64_t>(lattice_.sites()) * 64u * static_cast<std::uint64_t>(words_);
}

void CheckerboardMetropolis::copy_chain(int c, Spin* out) const {
  const std::size_t w = static_cast<std::size_t>(c / 64), W = static_cast<std::size_t>(words_);
  const int bit = c % 64;
  for (std::size_t i = 0; i < static_cast<std::size_t>(lattice_.sites()); ++i)
    out[i] = ((bits_[i * W + w] >> bit) & 1) ? Spin(1) : Spin(-1);
}

namespace {

// Per-lane population counts of a stream of 64-bit masks, kept bit-sliced (plane k holds bit k of
// every lane's count): adding a mask is a ripple-carry add that stops when the carry is empty.
class LaneCounter {
 public:
  void add(std::uint64_t m) {
    for (int k = 0; m; ++k) {
      const std::uint64_t carry = planes_[k] & m;
      planes_[k] ^= m;
      m = carry;
    }
  }
  long count(int lane) const {
    long c = 0;
    for (int k = 0; k < kPlanes; ++k) c |= static_cast<long>((planes_[k] >> lane) & 1) << k;
    return c;
  }

 private:
  static constexpr int kPlanes = 40;  // counts < 2^40 (2 L^2 with L <= 65536 needs 33)
  std::uint64_t planes_[kPlanes] = {};
};

}  // namespace

std::vector<long> CheckerboardMetropolis::unsatisfied_bonds() const {
  const int L = lattice_.L;
  const std::size_t W = static_cast<std::size_t>(words_);
  std::vector<long> out(static_cast<std::size_t>(chains()));
  for (std::size_t w = 0; w < W; ++w) {
    LaneCounter counter;
    for (int y = 0; y < L; ++y)
      for (int x = 0; x < L; ++x) {
        const std::uint64_t s = bits_[(static_cast<std::size_t>(y) * L + x) * W + w];
        counter.add(s ^ bits_[(static_cast<std::size_t>(y) * L + (x + 1) % L) * W + w]);
        counter.add(s ^ bits_[(static_cast<std::size_t>((y + 1) % L) * L + x) * W + w]);
      }
    for (int k = 0; k < 64; ++k) out[w * 64 + static_cast<std::size_t>(k)] = counter.count(k);
  }
  return out;
}

std::vector<long> CheckerboardMetropolis::magnetizations() const {
  const std::size_t W = static_cast<std::size_t>(words_), N = static_cast<std::size_t>(lattice_.sites());
  std::vector<long> out(static_cast<std::size_t>(chains()));
  for (std::size_t w = 0; w < W; ++w) {
    LaneCounter up;
    for (std::size_t i = 0; i < N; ++i) up.add(bits_[i * W + w]);
    for (int k = 0; k < 64; ++k) out[w * 64 + static_cast<std::size_t>(k)] = 2 * up.count(k) - static_cast<long>(N);
  }
  return out;
}

// ---- Wolff -------------------------------------------------------------------------------------------

Wolff::Wolff(const Lattice& lattice, std::uint64_t seed)
    : lattice_(lattice), rng_(seed), spins_(static_cast<std::size_t>(lattice.sites())) {
  if (lattice.L < 2) throw std::invalid_argument("Wolff: L must be >= 2");
  for (auto& s : spins_) s = random_spin(rng_);
  add_threshold_ = fixed_point(-std::expm1(-2.0L * static_cast<long double>(lattice.beta()) * lattice.J));
  stack_.reserve(spins_.size());
}

int Wolff::step() {
  const int L = lattice_.L, N = lattice_.sites();
  Spin* s = spins_.data();
  lab::Rng rng = rng_;
  const std::uint64_t threshold = add_threshold_;
  const int seed_site = static_cast<int>(rng.below(static_cast<std::uint32_t>(N)));
  const Spin old = s[seed_site];
  const Spin flipped = static_cast<Spin>(-old);
  // A site joins when it still has the old spin and its bond is activated (probability p_add); it is
  // flipped on joining, which also marks it as visited.
  s[seed_site] = flipped;
  stack_.clear();
  stack_.push_back(seed_site);
  int size = 1;
  auto visit = [&](int j) {
    if (s[j] == old && rng.next() < threshold) {
      s[j] = flipped;
      stack_.push_back(j);
      ++size;
    }
  };
  while (!stack_.empty()) {
    const int i = stack_.back();
    stack_.pop_back();
    const int x = i % L, row = i - x;
    visit(x > 0 ? i - 1 : i + L - 1);
    visit(x + 1 < L ? i + 1 : i - L + 1);
    visit(row > 0 ? i - L : i + N - L);
    visit(row + L < N ? i + L : i - N + L);
  }
  rng_ = rng;
  flipped_ += static_cast<std::uint64_t>(size);
  ++clusters_;
  return size;
}

void Wolff::burn_in(double sweeps) {
  const std::uint64_t target = flipped_ + static_cast<std::uint64_t>(std::ceil(sweeps * lattice_.sites()));
  while (flipped_ < target) step();
}

long wolff_clusters_per_sweep(const Lattice& lattice, std::uint64_t seed, long pilot_clusters) {
  Wolff pilot(lattice, lab::Rng::stream(seed, 0x5717).next());
  pilot.burn_in(20);
  const std::uint64_t f0 = pilot.flipped();
  for (long k = 0; k < pilot_clusters; ++k) pilot.step();
  const double mean_cluster = static_cast<double>(pilot.flipped() - f0) / static_cast<double>(pilot_clusters);
  return std::max(1L, static_cast<long>(std::ceil(lattice.sites() / mean_cluster)));
}

// ---- sample sets ----------------------------------------------------------------------------------

long sample_sweeps(std::size_t n, const MetropolisSchedule& schedule, std::size_t samples_per_chain) {
  if (n == 0 || samples_per_chain == 0) return 0;
  const std::size_t chains_needed = (n + samples_per_chain - 1) / samples_per_chain;
  const std::size_t chains = (chains_needed + 63) / 64 * 64;
  const long rounds = static_cast<long>((n + chains - 1) / chains);
  return schedule.equilibration_sweeps + (rounds - 1) * schedule.sweeps_between;
}

LatticeSamples checkerboard_metropolis_samples(const Lattice& lattice, std::size_t n, const MetropolisSchedule& schedule,
                                               std::size_t samples_per_chain, std::uint64_t seed,
                                               lab::Progress* progress) {
  if (samples_per_chain == 0) throw std::invalid_argument("checkerboard_metropolis_samples: samples_per_chain = 0");
  LatticeSamples samples;
  samples.L = lattice.L;
  if (n == 0) return samples;
  const std::size_t chains_needed = (n + samples_per_chain - 1) / samples_per_chain;
  CheckerboardMetropolis m(lattice, static_cast<int>((chains_needed + 63) / 64), seed);
  for (long k = 0; k < schedule.equilibration_sweeps; ++k) {
    m.sweep();
    if (progress) progress->advance();
  }
  samples.spins.resize(n * samples.sites());
  const std::size_t chains = static_cast<std::size_t>(m.chains());
  std::size_t k = 0;
  for (std::size_t j = 0; k < n; ++j) {
    if (j > 0)
      for (long t = 0; t < schedule.sweeps_between; ++t) {
        m.sweep();
        if (progress) progress->advance();
      }
    for (std::size_t c = 0; c < chains && k < n; ++c, ++k) m.copy_chain(static_cast<int>(c), samples.row(k));
  }
  return samples;
}

LatticeSamples wolff_samples(const Lattice& lattice, std::size_t n, const MetropolisSchedule& schedule,
                             std::uint64_t seed, lab::Progress* progress) {
  LatticeSamples samples;
  samples.L = lattice.L;
  samples.spins.resize(n * samples.sites());
  const long per_sweep = wolff_clusters_per_sweep(lattice, seed);
  Wolff w(lattice, seed);
  w.burn_in(static_cast<double>(schedule.equilibration_sweeps));
  for (long k = 0; k < schedule.equilibration_sweeps; ++k) {
    for (long c = 0; c < per_sweep; ++c) w.step();
    if (progress) progress->advance();
  }
  for (std::size_t k = 0; k < n; ++k) {
    if (k > 0)
      for (long t = 0; t < schedule.sweeps_between; ++t) {
        for (long c = 0; c < per_sweep; ++c) w.step();
        if (progress) progress->advance();
      }
    std::copy(w.spins().begin(), w.spins().end(), samples.row(k));
  }
  return samples;
}

}  // namespace spinformer::ising2d
