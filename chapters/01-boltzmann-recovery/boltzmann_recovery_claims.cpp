// Chapter 1's claims (declared in boltzmann_recovery_steps.hpp): per-condition intervals over training
// seeds, verdicts by one rule (claims.hpp), written to claims.json through the gate.
#include <cmath>
#include <fmt/format.h>

#include "lab/report.hpp"

#include "boltzmann_recovery_steps.hpp"

namespace spinformer {

using lab::format_key;

GradedClaims chapter_claims(lab::Chapter& ch, const Config& cfg, const Trainings& t, const Tempered& tempered,
                            const Summaries& sums) {
  const auto& chains = t.chains;
  const std::size_t nT = t.nT, nS = t.nS;
  const int nC = t.control_seeds;
  auto total_p = [](const ControlResult& c) { return c.enumerated.total_probability; };
  auto enum_kl = [](const ControlResult& c) { return c.enumerated.kl_per_spin; };
  auto train_loss = [](const ControlResult& c) { return c.final_train_loss; };
  const std::string source = "000_700600b7864feadb.txt";
  const std::string seeds_words = fmt::format("mean over {} training seeds, 95% simultaneous t-interval", nS);
  std::vector<claims::Condition> c11, c12, c13, c14, c15, c16, c17;
  // the doubling check of condition c for chain k: the estimate moved by seed 0's change at 2x steps
  auto doubling_check = [&](const claims::Condition& c, std::size_t k) {
    return lab::doubling_check({c.estimate, c.lower, c.upper}, c.estimate + t.doubled[k].kl.value - t.at(k, 0).kl.value);
  };
  std::string kl_list;
  for (std::size_t k = 0; k < nT; ++k) {
    c11.push_back(claims::seed_condition(fmt::format("T = {}", format_key(chains[k].T)),
                                         "KL(p_T || p_model) per spin (nats), " + seeds_words, t.kl_seeds(k),
                                         static_cast<int>(nT), "below", cfg.kl_goal));
    c11.back().convergence = doubling_check(c11.back(), k);
    kl_list += fmt::format("{}T = {}: {:.2g} [{:.2g}, {:.2g}]", k ? "; " : "", format_key(chains[k].T),
                           c11.back().estimate, c11.back().lower, c11.back().upper);
  }
  c12.push_back(claims::seed_condition("sum over states", fmt::format("sum_s p_model(s) over all 2^{} states, mean over {} seeds",
                                                                      cfg.control_L, nC),
                                       t.control_values(1, total_p), 2, "within", 0.99, 1.01));
  // a density model's cross-entropy cannot fall below the entropy per spin (its KL is >= 0); its final
  // training loss (a minibatch average, on the training samples) scatters about it by ~1e-3 nats, so
  // the criterion allows 0.01 nats per spin below it (issue 30: with 0 no correct model could pass)
  constexpr double kLossMargin = 0.01;
  c12.push_back(claims::seed_condition("loss above the entropy",
                                       fmt::format("final training loss minus the exact entropy per spin (nats), mean "
                                                   "over {} seeds",
                                                   nC),
                                       t.control_values(1, [](const ControlResult& c) {
                                         return c.final_train_loss - c.enumerated.exact_entropy_per_spin;
                                       }),
                                       2, "above", -kLossMargin));
  c13.push_back(claims::seed_condition(fmt::format("T = {}, h = {}", format_key(cfg.field_T), format_key(cfg.field_h)),
                                       "KL(p_T || p_model) per spin (nats), " + seeds_words, t.kl_seeds(nT), 1, "below",
                                       cfg.kl_goal));
  c13.back().convergence = doubling_check(c13.back(), nT);
  c14.push_back(claims::seed_condition("sum over states", fmt::format("sum_s p_model(s) over all 2^{} states, mean over {} seeds",
                                                                      cfg.control_L, nC),
                                       t.control_values(0, total_p), 1, "within", 1 - 1e-4, 1 + 1e-4));
  // 1.5: 1.2's criterion, unchanged, on the corrected setup (must pass)
  c15.push_back(claims::seed_condition("sum over states", fmt::format("sum_s p_model(s) over all 2^{} states, mean over {} seeds",
                                                                      cfg.control_L, nC),
                                       t.control_values(0, total_p), 2, "within", 0.99, 1.01));
  c15.push_back(claims::seed_condition("loss above the entropy",
                                       fmt::format("final training loss minus the exact entropy per spin (nats), mean "
                                                   "over {} seeds",
                                                   nC),
                                       t.control_values(0, [](const ControlResult& c) {
                                         return c.final_train_loss - c.enumerated.exact_entropy_per_spin;
                                       }),
                                       2, "above", -kLossMargin));
  // 1.6: the KL criterion on hand-written models of known KL: the first must pass, the second fail
  std::string tempered_words;
  for (std::size_t k = 0; k < chains.size(); ++k)
    for (std::size_t w = 0; w < tempered.target_kl.size(); ++w) {
      const auto& m = tempered.models[k][w][0];
      c16.push_back(claims::seed_condition(
          fmt::format("T = {}, h = {}, exact KL {:g}{}", format_key(chains[k].T), format_key(chains[k].h), m.exact_kl,
                      w == 0 ? " (must pass)" : " (must fail)"),
          fmt::format("KL(p_T || p_T') per spin (nats) of the exact chain at T' = {:.6g}, estimated on each training "
                      "seed's {} test samples, mean over {} seeds",
                      m.T_prime, lab::format_thousands(cfg.n_test), nS),
          tempered.estimates(k, w), static_cast<int>(2 * chains.size()), w == 0 ? "below" : "above", cfg.kl_goal));
      tempered_words += fmt::format("{}T = {}, h = {}, exact {:g}: {:.2g} [{:.2g}, {:.2g}]", tempered_words.empty() ? "" : "; ",
                                    format_key(chains[k].T), format_key(chains[k].h), m.exact_kl, c16.back().estimate,
                                    c16.back().lower, c16.back().upper);
    }
  // 1.7: the same architecture and training on too few samples (the sample-size curve's smallest n,
  // data-limited by design) must fail the KL criterion
  std::vector<double> few_kl;
  for (int s = 0; s < cfg.curve_seeds; ++s) few_kl.push_back(t.variant_runs[kAblations.size() * cfg.ablation_seeds + s].kl.value);
  c17.push_back(claims::seed_condition(fmt::format("T = {}, n = {}", format_key(cfg.temperatures[t.ablation_k]),
                                                   lab::format_thousands(cfg.curve_n.front())),
                                       fmt::format("KL(p_T || p_model) per spin (nats), mean over {} training seeds",
                                                   cfg.curve_seeds),
                                       few_kl, 1, "above", cfg.kl_goal));
  const auto field_I = sums.kl_interval[nT];
  const auto lit_p = claims::seed_interval(t.control_values(1, total_p)), lit_kl = claims::seed_interval(t.control_values(1, enum_kl));
  const auto lit_loss = claims::seed_interval(t.control_values(1, train_loss));
  const auto causal_p = claims::seed_interval(t.control_values(0, total_p)), causal_kl = claims::seed_interval(t.control_values(0, enum_kl));
  auto claim = [&](const char* id, const char* kind, const std::string& text, const std::string& src,
                   const std::string& measured, const std::string& criterion, const std::vector<claims::Condition>& c) {
    return nlohmann::json{{"id", id}, {"kind", kind}, {"claim", text}, {"source", src}, {"measured", measured},
                          {"criterion", criterion}, {"conditions", claims::to_json(c)}, {"verdict", claims::verdict(c)}};
  };
  nlohmann::json chapter_claims = {
      {"chapter", "01-boltzmann-recovery"},
      {"title", "Does the transformer recover the Boltzmann distribution?"},
      {"claims",
       {claim("1.1", "source", "Accurate Boltzmann distribution: sampled configurations from p_theta match those from Metropolis",
              source + ", What the model learns, 1",
              fmt::format("KL per spin, mean over {} training seeds [95% simultaneous interval]: {}", nS, kl_list),
              fmt::format("upper bound of KL(p_T || p_model) per spin below {:g} nats at every T (KL on {} exact "
                          "samples per seed; intervals over training seeds, Bonferroni over the {} temperatures)",
                          cfg.kl_goal, lab::format_thousands(cfg.n_test), nT),
              c11),
        claim("1.2", "source",
              "The seed's model and training loop (no causal mask, target = input) learn p_T(s) by maximum likelihood",
              source + ", Architecture and training loop",
              fmt::format("L = {}, T = {}, {} seeds: final training loss {:.2g} nats per spin (entropy {:.3f}); sum of "
                          "'p'(s) over all {} states {:.3g} [{:.3g}, {:.3g}]; 'KL' per spin {:.3g} (correct model: sum "
                          "{:.6f}, KL {:.2g})",
                          cfg.control_L, format_key(cfg.control_T), nC, lit_loss.mean,
                          t.control(1, 0).enumerated.exact_entropy_per_spin, 1L << cfg.control_L, lit_p.mean, lit_p.lower,
                          lit_p.upper, lit_kl.mean, causal_p.mean, causal_kl.mean),
              "by enumeration, over training seeds: sum_s p_model(s) within [0.99, 1.01], and the training loss "
              "at most 0.01 nats per spin below the entropy (no density model can beat it beyond sampling noise)",
              c12),
        claim("1.3", "source",
              "Without seeing the Hamiltonian (J, h) the model learns the Boltzmann distribution from samples, field h included",
              source + ", ML narrative, key insight",
              fmt::format("T = {}, h = {}: KL per spin {:.2g} [{:.2g}, {:.2g}] over {} training seeds", format_key(cfg.field_T),
                          format_key(cfg.field_h), field_I.mean, field_I.lower, field_I.upper, nS),
              fmt::format("upper bound of KL per spin below {:g} nats (95% t-interval over training seeds)", cfg.kl_goal),
              c13),
        claim("1.4", "validation",
              "The corrected setup (causal mask, shifted targets) defines a normalised distribution",
              "this chapter, A transformer as a density model",
              fmt::format("L = {}: sum of p_model(s) over all {} states {:.8f} (mean over {} seeds)", cfg.control_L,
                          1L << cfg.control_L, causal_p.mean, nC),
              "sum_s p_model(s) within 1 ± 1e-4 over training seeds (95% t-interval)", c14),
        claim("1.5", "validation", "Positive control of 1.2: the corrected setup passes 1.2's criterion",
              "this chapter, A transformer as a density model",
              fmt::format("L = {}, {} seeds: sum {:.6f}; final training loss minus entropy {:.3g}", cfg.control_L, nC,
                          causal_p.mean, c15.back().estimate),
              "1.2's criterion unchanged: sum_s p_model(s) within [0.99, 1.01], and the training loss at most 0.01 "
              "nats per spin below the entropy",
              c15),
        claim("1.6", "validation",
              "The KL criterion of 1.1 and 1.3 can pass and can fail: it passes a hand-written model with exact KL "
              "half the threshold and fails one with twice the threshold",
              "this chapter, How the KL is measured",
              tempered_words,
              fmt::format("each interval on the claimed side of {:g} (the first of each pair below, the second above), "
                          "intervals over training seeds' test samples, Bonferroni over the {} conditions",
                          cfg.kl_goal, c16.size()),
              c16),
        claim("1.7", "validation",
              "Negative control of 1.1 and 1.3: the same transformer and training on too few samples fails the KL criterion",
              "this chapter, How many samples",
              fmt::format("n = {}: KL per spin {:.2g} [{:.2g}, {:.2g}] over {} seeds", lab::format_thousands(cfg.curve_n.front()),
                          c17.back().estimate, c17.back().lower, c17.back().upper, cfg.curve_seeds),
              fmt::format("lower bound of KL per spin above {:g} nats (95% t-interval over training seeds)", cfg.kl_goal),
              c17)}}};
  claims::write_claims(ch.path("claims.json"), chapter_claims, "--out");
  GradedClaims graded{chapter_claims, c11};
  graded.kl_conditions.push_back(c13[0]);
  return graded;
}

}  // namespace spinformer
