// Chapter 6 — the 2D Ising model, where there is a phase transition to learn.
//
//  1. The samplers (multi-spin checkerboard Metropolis and Wolff, src/ising2d) against Kaufman's exact
//     energy and specific heat of the L x L torus at several L and T across T_c, errors from the
//     scatter between independent chains; tau_int at T_c against L and the dynamic exponents.
//  2. Chapter 1's transformer (learned positions, L^2 tokens in raster order) trained on Wolff samples
//     at each temperature of a grid bracketing T_c, several seeds: KL(p || q) per spin on fresh Wolff
//     configurations with the exact log Z, KL(q || p) per spin = beta (f_q - f) and the effective
//     sample size of p / q from model samples, the specific heat and |M| of model samples, and the
//     attention by raster distance. The same model with a 2D torus attention bias beside its learned
//     positions, trained and measured alike (torus.tsv, claims 6.15-6.17).
//  3. Claims (claims.cpp, by the verdict rule) and the values quoted in text.md.
//
// The Config and the jobs are in ising_2d.hpp and ising_2d_measurements.cpp, the steps in
// ising_2d_steps.cpp, the claims and the text's values in claims*.cpp; lab::Chapter runs the command
// line, the job engine, the sidecars and results.json.
#include <chrono>
#include <fmt/format.h>

#include "code_hash.hpp"
#include "gpt/threads.hpp"
#include "lab/chapter.hpp"
#include "lab/report.hpp"

#include "ising_2d.hpp"

using namespace spinformer;

namespace {
constexpr int kWorkers = 2;  // job workers unless --workers says otherwise
}  // namespace

int main(int argc, char** argv) {
  lab::Chapter ch{"ch06", "Chapter 6: the 2D Ising model", SPINFORMER_CODE_HASH, kWorkers};
  // in every process, job-serving MPI ranks included: one LibTorch thread per job unless --threads says
  // otherwise (small matrices parallelise badly)
  ch.on_start([](const lab::Chapter& c) { gpt::set_threads(c.threads_or(1)); });
  ch.step("sampler", sampler_job);          // Metropolis or Wolff chains at one (L, T)
  ch.step("transformer", transformer_job);  // one training on Wolff samples at one (L, T), one seed
  ch.step("variational", variational_job);  // one training by reverse KL at one T, one seed

  return ch.run<Config>(argc, argv, profiles(), [](lab::Chapter& ch, const Config& cfg) {
    const auto t_start = std::chrono::steady_clock::now();
    Measurements ms;
    exact_curves(ch, cfg);      // Kaufman's energy and specific heat on a fine grid
    samplers(ch, cfg, ms);      // 1. the samplers against the exact torus, and tau_int at T_c
    transformers(ch, cfg, ms);  // 2. the transformer over temperature: L, with the torus bias, and L = 16
    variational(ch, cfg, ms);   // 2b. the same network by reverse KL from the Hamiltonian alone
    diagnostics(ch, cfg, ms);   // 2c. causal tests, attention against C, L = 16 (tables of the jobs above)

    // 3. Claims and the values quoted in the text. chapter_claims grades the claims itself and returns
    // claims.json's content beside its values, so claims.json is written here as ch.claims would write it.
    nlohmann::json& results = ch.results();
    results = chapter_claims(cfg, ms);
    lab::write_claims(ch.path("claims.json"), results["claims_json"], "--out");
    results["claims_table"] = lab::claim_details_markdown(results["claims_json"]);
    results.erase("claims_json");
    const nlohmann::json text = chapter_text_values(cfg, ms);
    for (auto it = text.begin(); it != text.end(); ++it) results[it.key()] = it.value();
    results["threads"] = ch.workers_or(kWorkers);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    results["wall_time_s"] = fmt::format("{:.0f}", wall);
    write_plot_vars(ch, cfg, ms);  // by the chapter, not ch.plot_var, whose {:g} would round Tc and z
    fmt::print(stderr, "ch06: done in {:.0f} s\n", wall);
  });
}
