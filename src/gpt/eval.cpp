// Exact evaluation of IsingGPT against the exact chain (no LibTorch: only Model's public interface).
#include "gpt/eval.hpp"

#include <cmath>
#include <fmt/format.h>

#include "lab/usage_error.hpp"

namespace spinformer::gpt {

namespace {
void require_same_L(const Model& model, const ising::ExactChain& exact, const ising::SpinSamples& samples) {
  if (exact.chain().L != model.L())
    throw lab::UsageError("--L", fmt::format("the chain has L = {}, the model {}", exact.chain().L, model.L()));
  if (samples.L != model.L())
    throw lab::UsageError("--configs", fmt::format("samples have {} spins, the model expects {}", samples.L, model.L()));
}
}  // namespace

lab::Estimate kl_per_spin(const Model& model, const ising::ExactChain& exact, const ising::SpinSamples& exact_samples) {
  require_same_L(model, exact, exact_samples);
  const auto log_model = model.log_probability(exact_samples);
  std::vector<double> diff(log_model.size());
  const double L = model.L();
  for (std::size_t k = 0; k < diff.size(); ++k)
    diff[k] = (exact.log_probability(exact_samples.row(k)) - log_model[k]) / L;
  return lab::mean_and_error(diff);
}

ising::SpinSamples all_configurations(int L) {
  if (L < 1 || L > 24) throw lab::UsageError("--L", fmt::format("enumeration needs L <= 24, got {}", L));
  ising::SpinSamples all;
  all.L = L;
  const std::size_t states = std::size_t{1} << L;
  all.spins.resize(states * static_cast<std::size_t>(L));
  for (std::size_t k = 0; k < states; ++k)
    for (int i = 0; i < L; ++i) all.spins[k * L + i] = ((k >> i) & 1U) ? 1 : -1;
  return all;
}

EnumerationResult enumerate_kl(const Model& model, const ising::ExactChain& exact) {
  const int L = model.L();
  if (L > 16) throw lab::UsageError("--L", fmt::format("exact KL by enumeration needs L <= 16, got {}", L));
  const auto all = all_configurations(L);
  require_same_L(model, exact, all);
  const auto log_model = model.log_probability(all);
  EnumerationResult r;
  for (std::size_t k = 0; k < all.size(); ++k) {
    const double log_p = exact.log_probability(all.row(k));
    const double p = std::exp(log_p), q = std::exp(log_model[k]);
    r.kl_per_spin += p * (log_p - log_model[k]);
    r.total_probability += q;
    r.model_entropy_per_spin -= q * log_model[k];
    r.exact_entropy_per_spin -= p * log_p;
  }
  r.kl_per_spin /= L;
  r.model_entropy_per_spin /= L;
  r.exact_entropy_per_spin /= L;
  return r;
}

PositionProfile excess_loss_per_position(const Model& model, const ising::ExactChain& exact,
                                         const ising::SpinSamples& exact_samples) {
  require_same_L(model, exact, exact_samples);
  const auto log_model = model.log_conditionals(exact_samples);
  const std::size_t n = exact_samples.size(), L = static_cast<std::size_t>(model.L());
  PositionProfile out;
  std::vector<double> column(n);
  for (std::size_t i = 0; i < L; ++i) {
    for (std::size_t k = 0; k < n; ++k)
      column[k] = exact.log_conditional(exact_samples.row(k), static_cast<int>(i)) - log_model[k * L + i];
    const auto e = lab::mean_and_error(column);
    out.value.push_back(e.value);
    out.error.push_back(e.error);
  }
  return out;
}

SampleComparison compare_samples(const ising::ExactChain& exact, const ising::SpinSamples& model_samples) {
  SampleComparison out;
  const auto& chain = exact.chain();
  if (model_samples.L != chain.L)
    throw lab::UsageError("--configs", fmt::format("samples have {} spins, the chain {}", model_samples.L, chain.L));
  if (chain.h == 0.0) {
    out.energy = ising::energy_chi_square(chain, model_samples);
    out.energy_tested = true;
  } else {
    out.energy.chi2 = std::nan("");
    out.energy.p_value = std::nan("");
  }
  out.model_corr = ising::sample_connected_correlation(chain, model_samples);
  out.exact_corr = exact.connected_correlation();
  return out;
}

void fill_attention_by_distance(AttentionSummary& s) {
  s.by_distance.assign(static_cast<std::size_t>(s.layers) * s.L, 0.0);
  for (int l = 0; l < s.layers; ++l)
    for (int r = 0; r < s.L; ++r) {
      double sum = 0;
      for (int h = 0; h < s.heads; ++h)
        for (int i = r; i < s.L; ++i) sum += s.map(l, h, i, i - r);
      s.by_distance[static_cast<std::size_t>(l) * s.L + r] = sum / (static_cast<double>(s.heads) * (s.L - r));
    }
}

}  // namespace spinformer::gpt
