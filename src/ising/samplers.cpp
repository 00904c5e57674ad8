#include "ising/samplers.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace spinformer::ising {

// ---- exact i.i.d. sampling ------------------------------------------------------------------------

ExactSampler::ExactSampler(const Chain& chain) : exact_(chain), up_(4 * static_cast<std::size_t>(chain.L)) {
  // The conditionals depend on (i, s_{i-1}, s_0) only: cache them so a draw is L uniforms and lookups.
  for (int i = 0; i < chain.L; ++i)
    for (int prev = 0; prev < 2; ++prev)
      for (int first = 0; first < 2; ++first)
        up_[(2 * static_cast<std::size_t>(i) + prev) * 2 + first] =
            exact_.conditional_up(i, prev ? Spin(1) : Spin(-1), first ? Spin(1) : Spin(-1));
}

void ExactSampler::draw(lab::Rng& rng, Spin* out) const {
  const int L = exact_.chain().L;
  out[0] = rng.uniform() < up_[0] ? Spin(1) : Spin(-1);
  const std::size_t first = out[0] > 0;
  for (int i = 1; i < L; ++i) {
    const double p = up_[(2 * static_cast<std::size_t>(i) + (out[i - 1] > 0)) * 2 + first];
    out[i] = rng.uniform() < p ? Spin(1) : Spin(-1);
  }
}

SpinSamples ExactSampler::draw(std::size_t n, std::uint64_t seed) const {
  lab::Rng rng(seed);
  SpinSamples samples;
  samples.L = exact_.chain().L;
  samples.spins.resize(n * static_cast<std::size_t>(samples.L));
  for (std::size_t k = 0; k < n; ++k) draw(rng, samples.row(k));
  return samples;
}

// ---- the seed's scalar Metropolis -----------------------------------------------------------------

ScalarMetropolis::ScalarMetropolis(const Chain& chain, std::uint64_t seed)
    : chain_(chain), rng_(seed), spins_(static_cast<std::size_t>(chain.L)) {
  for (auto& s : spins_) s = (rng_.next() >> 63) ? Spin(1) : Spin(-1);  // infinite-temperature start
  // accept_[n + 2][(s + 1) / 2] = min(1, exp(-beta dE)), dE = 2 J s n + 2 h s, n = sum of neighbours.
  for (int n = -2; n <= 2; ++n)
    for (int s = -1; s <= 1; s += 2) {
      const double dE = 2 * chain.J * s * n + 2 * chain.h * s;
      accept_[n + 2][(s + 1) / 2] = dE <= 0 ? 1.0 : std::exp(-chain.beta() * dE);
    }
}

void ScalarMetropolis::sweep() {
  const int L = chain_.L;
  const bool ring = chain_.boundary == Boundary::periodic;
  Spin* s = spins_.data();
  for (int a = 0; a < L; ++a) {
    const int i = static_cast<int>(rng_.below(static_cast<std::uint32_t>(L)));
    const int left = i > 0 ? s[i - 1] : (ring ? s[L - 1] : 0);  // missing bond at an open end counts 0
    const int right = i + 1 < L ? s[i + 1] : (ring ? s[0] : 0);
    const double acc = accept_[left + right + 2][(s[i] + 1) / 2];
    // As in the seed: dE <= 0 is accepted without drawing; otherwise accept if uniform < exp(-beta dE).
    if (acc >= 1.0 || rng_.uniform() < acc) {
      s[i] = static_cast<Spin>(-s[i]);
      ++accepted_;
    }
  }
  attempts_ += static_cast<std::uint64_t>(L);
}

SpinSamples scalar_metropolis_samples(const Chain& chain, std::size_t n, const MetropolisSchedule& schedule,
                                      std::uint64_t seed) {
  // The seed's generator re-runs 500 "equilibration" sweeps before every sample and then L * 10 sweeps
  // (it multiplies its thinning by L). Both only lengthen the gap between samples of one equilibrated
  // chain, so they leave the sampled distribution unchanged; we equilibrate once and then thin by
  // sweeps_between, which is the same algorithm at a fraction of the cost.
  ScalarMetropolis m(chain, seed);
  for (long k = 0; k < schedule.equilibration_sweeps; ++k) m.sweep();
  SpinSamples samples;
  samples.L = chain.L;
  samples.spins.resize(n * static_cast<std::size_t>(chain.L));
  for (std::size_t k = 0; k < n; ++k) {
    if (k > 0)
      for (long t = 0; t < schedule.sweeps_between; ++t) m.sweep();
    std::copy(m.spins().begin(), m.spins().end(), samples.row(k));
  }
  return samples;
}

// ---- multi-spin coded heat bath ------------------------------------------------------------------

namespace {

constexpr int kMaxClasses = 6;  // (up, down) x (0, 1, 2 aligned neighbours)

// One independent Bernoulli bit per lane of `lanes` (0 elsewhere); lane k flips with probability
// threshold_k / 2^64, threshold_k being the threshold of the class whose mask holds lane k (the masks
// are disjoint). Bit-sliced: every lane compares its own uniform 64-bit U with its threshold, U drawn
// one bit-plane (one rng word for all lanes) at a time from the most significant bit. At the first
// plane where U's bit differs from the threshold's the lane is decided (U < threshold iff the
// threshold has the 1); a lane still tied after 64 planes has U == threshold and does not flip. So
// P(flip) = threshold / 2^64 exactly, every lane uses its own bits, and since half of the undecided
// lanes are settled per plane, only ~log2(lanes) + 2 words are drawn for all classes together.
// with_one[m] is the union of the masks of the classes in the set m; plane[b] names the classes whose
// threshold has a 1 in plane b.
inline std::uint64_t bernoulli_lanes(lab::Rng& rng, const std::uint64_t* with_one, const std::uint8_t* plane,
                                     std::uint64_t lanes) {
  std::uint64_t flip = 0, undecided = lanes;
  for (int b = 63; b >= 0 && undecided; --b) {
    const std::uint64_t t = with_one[plane[b]];  // lanes whose threshold has a 1 in plane b
    const std::uint64_t r = rng.next();
    flip |= undecided & t & ~r;
    undecided &= ~(t ^ r);
  }
  return flip;
}

// 1 / (1 + exp(beta dE)) as a 64-bit fixed-point fraction; long double keeps the rounding near 2^-64.
std::uint64_t heat_bath_threshold(double beta_dE) {
  const long double p = 1.0L / (1.0L + std::exp(static_cast<long double>(beta_dE)));
  const long double scaled = std::ldexp(p, 64);
  if (scaled >= 18446744073709551615.0L) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(scaled + 0.5L);
}

}  // namespace

MultispinMetropolis::MultispinMetropolis(const Chain& chain, int words, std::uint64_t seed)
    : chain_(chain), words_(words), rng_(seed) {
  if (words < 1) throw std::invalid_argument("MultispinMetropolis: words must be >= 1");
  bits_.resize(static_cast<std::size_t>(chain.L) * static_cast<std::size_t>(words));
  for (auto& w : bits_) w = rng_.next();  // infinite-temperature start, independent per lane

  // Flip classes: spin s (up/down) with `aligned` of its `bonds` neighbours parallel has
  // s * (sum of neighbours) = 2 aligned - bonds and dE = 2 J (2 aligned - bonds) + 2 h s.
  const double beta = chain.beta();
  auto build = [&](int bonds) {
    std::vector<FlipClass> classes;
    for (int aligned = 0; aligned <= bonds; ++aligned) {
      FlipClass c[2];
      for (int spin = 0; spin < 2; ++spin) {
        const double s = spin == 0 ? 1.0 : -1.0;
        const double dE = 2 * chain.J * (2 * aligned - bonds) + 2 * chain.h * s;
        c[spin] = {spin, aligned, heat_bath_threshold(beta * dE)};
      }
      if (c[0].threshold == c[1].threshold) {
        c[0].spin = 2;  // same probability for both spins (always at h = 0): one mask instead of two
        if (c[0].threshold) classes.push_back(c[0]);
      } else {
        for (const FlipClass& x : c)
          if (x.threshold) classes.push_back(x);  // threshold 0: never flips
      }
    }
    return classes;
  };
  auto with_planes = [](std::vector<FlipClass> list) {
    FlipClasses c{std::move(list), {}};
    for (int b = 0; b < 64; ++b) {
      c.plane[b] = 0;
      for (std::size_t k = 0; k < c.list.size(); ++k)
        c.plane[b] |= static_cast<std::uint8_t>(((c.list[k].threshold >> b) & 1) << k);
    }
    return c;
  };
  bulk_classes_ = with_planes(build(2));
  end_classes_ = with_planes(build(1));
}

void MultispinMetropolis::update_site(int i, int left, int right, const FlipClasses& classes) {
  const std::size_t W = static_cast<std::size_t>(words_);
  std::uint64_t* site = bits_.data() + static_cast<std::size_t>(i) * W;
  const std::uint64_t* lp = left >= 0 ? bits_.data() + static_cast<std::size_t>(left) * W : nullptr;
  const std::uint64_t* rp = right >= 0 ? bits_.data() + static_cast<std::size_t>(right) * W : nullptr;
  const FlipClass* cls = classes.list.data();
  const std::size_t n_cls = classes.list.size();
  std::uint64_t with_one[1 << kMaxClasses];
  with_one[0] = 0;
  lab::Rng rng = rng_;  // local copy keeps the generator state in registers
  for (std::size_t w = 0; w < W; ++w) {
    const std::uint64_t s = site[w];
    std::uint64_t aligned[3];  // lanes with 0, 1, 2 neighbours parallel to their own spin
    if (lp && rp) {
      const std::uint64_t x = ~(s ^ lp[w]), y = ~(s ^ rp[w]);
      aligned[0] = ~(x | y);
      aligned[1] = x ^ y;
      aligned[2] = x & y;
    } else {  // open end: one bond
      const std::uint64_t x = ~(s ^ (lp ? lp[w] : rp[w]));
      aligned[0] = ~x;
      aligned[1] = x;
      aligned[2] = 0;
    }
    const std::uint64_t spin_lanes[3] = {s, ~s, ~std::uint64_t(0)};
    for (std::size_t k = 0; k < n_cls; ++k) {  // unions of class masks, built up one class at a time
      const std::uint64_t mask = spin_lanes[cls[k].spin] & aligned[cls[k].aligned];
      const std::size_t half = std::size_t(1) << k;
      for (std::size_t m = 0; m < half; ++m) with_one[half + m] = with_one[m] | mask;
    }
    site[w] = s ^ bernoulli_lanes(rng, with_one, classes.plane, with_one[(std::size_t(1) << n_cls) - 1]);
  }
  rng_ = rng;
}

void MultispinMetropolis::sweep() {
  // Sequential sweep i = 0..L-1. Why not the seed's random sites: multi-spin coding updates all lanes
  // of a word at one site, so a random site is shared by 64 chains, and chains that share a random
  // site sequence are dependent (far from equilibrium, a site the sequence skips stays unrelaxed in
  // all of them: intraclass correlation 0.004 of the energy after 2 sweeps at T = 5, and chi-square
  // p = 3.5e-34 after 4 sweeps). A fixed visiting order carries no randomness, so with per-lane flip
  // bits the chains are independent. Why not the Metropolis rule min(1, exp(-beta dE)) in that order:
  // at h = 0 it always flips a spin with dE = 0, which carries domain walls ballistically along the
  // sweep; the composed sweep then does not mix (chi-square 3e5 on all configurations of L = 6, see
  // tests/test_samplers.cpp), and
  // a checkerboard order has the same defect (walls still move ballistically). The heat
  // bath flips with probability in (0, 1) for every dE, so each update is an exact Gibbs update of
  // one spin, the sweep keeps the Boltzmann distribution, and it is irreducible and aperiodic.
  const int L = chain_.L;
  const bool ring = chain_.boundary == Boundary::periodic;
  for (int i = 0; i < L; ++i) {
    if (ring) {
      update_site(i, i > 0 ? i - 1 : L - 1, i + 1 < L ? i + 1 : 0, bulk_classes_);
    } else if (i == 0) {
      update_site(0, -1, 1, end_classes_);
    } else if (i == L - 1) {
      update_site(L - 1, L - 2, -1, end_classes_);
    } else {
      update_site(i, i - 1, i + 1, bulk_classes_);
    }
  }
  attempts_ += static_cast<std::uint64_t>(L) * 64u * static_cast<std::uint64_t>(words_);
}

void MultispinMetropolis::copy_chain(int c, Spin* out) const {
  const std::size_t w = static_cast<std::size_t>(c / 64);
  const int bit = c % 64;
  for (int i = 0; i < chain_.L; ++i)
    out[i] = ((bits_[static_cast<std::size_t>(i) * static_cast<std::size_t>(words_) + w] >> bit) & 1) ? Spin(1)
                                                                                                       : Spin(-1);
}

SpinSamples multispin_metropolis_samples(const Chain& chain, std::size_t n, const MetropolisSchedule& schedule,
                                         std::size_t samples_per_chain, std::uint64_t seed) {
  if (samples_per_chain == 0) throw std::invalid_argument("multispin_metropolis_samples: samples_per_chain = 0");
  SpinSamples samples;
  samples.L = chain.L;
  if (n == 0) return samples;
  const std::size_t chains_needed = (n + samples_per_chain - 1) / samples_per_chain;
  const int words = static_cast<int>((chains_needed + 63) / 64);
  MultispinMetropolis m(chain, words, seed);
  for (long k = 0; k < schedule.equilibration_sweeps; ++k) m.sweep();
  samples.spins.resize(n * static_cast<std::size_t>(chain.L));
  const std::size_t chains = static_cast<std::size_t>(m.chains());
  // Row j * chains + c is the j-th sample of chain c; rows of one round come from independent chains.
  std::size_t k = 0;
  for (std::size_t j = 0; k < n; ++j) {
    if (j > 0)
      for (long t = 0; t < schedule.sweeps_between; ++t) m.sweep();
    for (std::size_t c = 0; c < chains && k < n; ++c, ++k) m.copy_chain(static_cast<int>(c), samples.row(k));
  }
  return samples;
}

}  // namespace spinformer::ising
