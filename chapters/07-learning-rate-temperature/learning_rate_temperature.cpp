// Chapter 7 — is the learning rate a temperature? The five claims of seed 001 (T_train ∝ eta with the
// batch noise setting the scale, warmup-decay anneals, equipartition, an entropic preference for flat
// minima, eta -> 0 freezes), measured where they can be computed exactly and then on the transformer.
//
//  1. Exact small cases (src/sgd): the 1D quadratic's stationary variance against eta (exact discrete,
//     small-eta limit, simulation; with and without replacement); the double well's occupation
//     against eta at fixed T (Gibbs, the exact discrete chain, simulation; constant and
//     curvature-following noise); the one-parameter chain model's Var(K) and excess KL against eta
//     and B (exact law, linearised, simulation over seeds).
//  2. The transformer (gpt::train_sgd: plain SGD on fresh exact samples of an open chain, L = 16,
//     T = 2): constant eta over two decades at two batch sizes with equal eta / B pairs, seeds; T = 0.5
//     (equipartition); eta -> 0; a warmup-decay schedule; the periodic ring (chapter 1's boundary) and
//     AdamW, labelled apart.
//  3. Tables, claims (claims.cpp, by the verdict rule) and the values quoted in the text (report.cpp).
//
// The Config is in learning_rate_temperature.hpp, the steps in learning_rate_temperature_steps.cpp, the
// jobs in learning_rate_temperature_measurements.cpp; lab::Chapter runs the command line, the job engine,
// the sidecars, plot_vars.gp and results.json.
#include <chrono>
#include <fmt/format.h>

#include "code_hash.hpp"
#include "gpt/threads.hpp"
#include "lab/report.hpp"

#include "learning_rate_temperature_steps.hpp"

using namespace spinformer;

namespace {
constexpr int kWorkers = 2;  // job workers unless --workers says otherwise
}  // namespace

int main(int argc, char** argv) {
  lab::Chapter ch{"ch07", "Chapter 7: is the learning rate a temperature?", SPINFORMER_CODE_HASH, kWorkers};
  // in every process, job-serving MPI ranks included: one LibTorch thread per job unless --threads says
  // otherwise (small matrices parallelise badly)
  ch.on_start([](const lab::Chapter& c) { gpt::set_threads(c.threads_or(1)); });
  ch.step("quadratic", quadratic_job);      // the 1D quadratic: exact variance, or a simulation
  ch.step("well", well_job);                // the double well: Gibbs and the exact chain, or a simulation
  ch.step("chain", chain_job);              // the one-parameter chain model: exact law, or a simulation
  ch.step("transformer", transformer_job);  // one training of the transformer, one seed
  const lab::Profiles profiles{
      {"paper", nlohmann::json::object()},
      {"quick", {{"quad_eta_h", {0.4, 1.2}}, {"quad_steps", 50'000}, {"well_eta", {0.1, 0.2}}, {"well_steps", 2'000'000},
                 {"chain_eta", {0.005, 0.02}}, {"chain_steps", 50'000}, {"chain_seeds", 2},
                 {"eta_small_batch", {0.01, 0.1, 0.3}}, {"eta_large_batch", {0.04}}, {"eta_cold", {0.1}}, {"steps", 1000},
                 {"ring_steps", 500}, {"decay_steps", 1500}, {"warmup_steps", 100}, {"eval_points", 20}, {"n_eval", 512},
                 {"n_fisher", 64}, {"seeds", 2}}}};

  return ch.run<Config>(argc, argv, profiles, [&](lab::Chapter& ch, const Config& cfg) {
    const auto t_start = std::chrono::steady_clock::now();
    Measurements ms;
    quadratic_variance(ch, cfg, ms);  // 1a. stationary variance against eta h, exact and simulated
    double_well(ch, cfg, ms);         // 1b. P(wide) against eta at fixed T
    chain_model(ch, cfg, ms);         // 1c. Var(K) and the excess KL against eta and B
    transformer_runs(ch, cfg, ms);    // 2. the plateaus and curves of the transformer, and the controls

    // 3. Claims and the values quoted in the text. chapter_claims grades the claims itself and returns
    // claims.json's content beside its values, so claims.json is written here as ch.claims would write it.
    nlohmann::json& results = ch.results();
    results = chapter_claims(cfg, ms);
    lab::write_claims(ch.path("claims.json"), results["claims_json"], "--out");
    results["claims_table"] = lab::claim_details_markdown(results["claims_json"]);
    results.erase("claims_json");
    const nlohmann::json text = chapter_text_values(cfg, ms);
    for (auto it = text.begin(); it != text.end(); ++it)
      if (it.key() != "decay_table_rows") results[it.key()] = it.value();
    decay_table(ch, cfg, text["decay_table_rows"]);
    results["threads"] = ch.workers_or(kWorkers);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    results["wall_time_s"] = fmt::format("{:.0f}", wall);
    for (const char* name : {"T", "T_cold", "small_batch", "large_batch", "well_T", "quad_B", "quad_N"})
      ch.plot_var(name, ch.config().at(name));
    ch.plot_var("L", cfg.model.L);
    ch.plot_var("warmup", cfg.warmup_steps);
    fmt::print(stderr, "ch07: done in {:.0f} s\n", wall);
  });
}
