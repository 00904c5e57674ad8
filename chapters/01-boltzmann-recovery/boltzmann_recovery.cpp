// Chapter 1 — Does the transformer recover the Boltzmann distribution?
// IsingGPT (the seed's sizes, with a causal mask and shifted targets) is trained on 50,000 Metropolis
// samples of the L = 32 ring at each temperature, as the seed prescribes, and held against the exact
// answer: KL(p_T || p_model) per spin on exact i.i.d. samples, the per-position excess loss against the
// exact conditionals, energy and magnetisation histograms and C(r) of model samples. One run with a
// field h != 0. The seed's literal setup (no causal mask, unshifted targets) is the negative control,
// on a ring small enough to enumerate. The trained models stay beside the data for chapter 2.
//
// The Config and what one model measures are in boltzmann_recovery.hpp and _measurements.cpp, the
// steps in boltzmann_recovery_steps.cpp, the claims in boltzmann_recovery_claims.cpp and the text's
// values in boltzmann_recovery_report.cpp; lab::Chapter runs the command line, the job engine, the
// sidecars, plot_vars.gp and results.json.
#include <fmt/format.h>
#include <stdexcept>

#include "code_hash.hpp"
#include "gpt/threads.hpp"
#include "lab/chapter.hpp"

#include "boltzmann_recovery_steps.hpp"

using namespace spinformer;

namespace {

// Jobs at a time unless --workers says otherwise, in every profile (where and beside what a job runs
// changes no number; CI and a loaded machine can pass --workers 1).
constexpr int kWorkers = 2;

// A JSON patch of the Config's defaults: base with some of its fields changed.
nlohmann::json patched(nlohmann::json base, const nlohmann::json& changes) {
  base.update(changes);
  return base;
}

}  // namespace

int main(int argc, char** argv) {
  lab::Chapter ch{"ch01", "Chapter 1: does the transformer recover the Boltzmann distribution?", SPINFORMER_CODE_HASH,
                  kWorkers};
  // in every process, job-serving MPI ranks included: one LibTorch thread per job unless --threads says
  // otherwise; training prints its steps only when it runs alone (one worker)
  int threads = 1;
  bool progress = false;
  ch.on_start([&](const lab::Chapter& c) {
    threads = gpt::set_threads(c.threads_or(1));
    progress = c.workers_or(kWorkers) == 1;
  });
  auto training = [&progress](const nlohmann::json& p, std::uint64_t seed, const lab::JobContext& context) {
    return training_job(p, seed, context, progress);
  };
  ch.step("run", training);      // every chain (temperatures, the field run) x training seeds
  ch.step("variant", training);  // the ablation and the sample-size curve at ablation_T
  ch.step("doubled", training);  // seed 0 of every chain at twice the steps (convergence)
  ch.step("control", [&progress](const nlohmann::json& p, std::uint64_t seed, const lab::JobContext& context) {
    return control_job(p, seed, context, progress);
  });
  // The quick profile: the machinery of seeds, intervals and verdicts, not their paper-profile power.
  const Config paper;
  const lab::Profiles profiles{
      {"paper", nlohmann::json::object()},
      {"quick", {{"L", 16}, {"model", patched(paper.model, {{"L", 16}})}, {"temperatures", {0.5, 2.0}}, {"seeds", 3},
                 {"control_seeds", 3}, {"ablation_T", 2.0}, {"ablation_seeds", 2}, {"curve_n", {1'000}},
                 {"curve_seeds", 2}, {"n_train", 4'000}, {"equilibration_sweeps", 512}, {"n_val", 1'000},
                 {"n_test", 2'000}, {"n_model_samples", 1'000}, {"n_images", 32},
                 {"train", patched(paper.train, {{"steps", 120}, {"batch", 64}, {"eval_every", 20}})},
                 {"control_L", 8}, {"control_n", 4'000}, {"control_steps", 120}}}};

  return ch.run<Config>(argc, argv, profiles, [&](lab::Chapter& ch, const Config& cfg) {
    const auto start = Clock::now();
    if (cfg.model.L != cfg.L) throw std::logic_error("the model's context (model.L) must be the ring's L");
    const Trainings trainings = train_models(ch, cfg, threads);       // every model and both controls
    const Tempered tempered = tempered_models(cfg, trainings);        // models of known KL: the criterion's power
    const Summaries sums = write_tables(ch, cfg, trainings, tempered, threads);
    const GradedClaims graded = chapter_claims(ch, cfg, trainings, tempered, sums);
    text_values(ch, cfg, trainings, tempered, sums, graded);
    plot_variables(ch, cfg, trainings);
    ch.results()["threads"] = threads;
    ch.results()["workers"] = ch.workers_or(kWorkers);
    ch.results()["wall_minutes"] = fmt::format("{:.1f}", seconds_since(start) / 60);
    fmt::print(stderr, "[ch01] done in {:.1f} min\n", seconds_since(start) / 60);
  });
}
