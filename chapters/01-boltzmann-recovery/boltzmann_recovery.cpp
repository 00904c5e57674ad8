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
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <stdexcept>

#include "code_hash.hpp"
#include "gpt/threads.hpp"
#include "lab/chapter.hpp"

#include "boltzmann_recovery_steps.hpp"

using namespace spinformer;

namespace {

// Jobs at a time by default: one in the quick profile (CI runs the quick profiles beside each other),
// two in the paper profile (two models on one thread each train nearly twice as fast as one on two).
// lab::Chapter owns --profile and --workers but takes one default for every profile and does not say
// which number it used; the text quotes it ({{workers}}) and training prints its steps only when it
// runs alone, so the chapter reads the two options here first (lab::Chapter still checks them).
int workers_of(int argc, char** argv) {
  CLI::App app;
  app.allow_extras();
  app.set_help_flag();
  std::string profile = "paper";
  long workers = -1;
  app.add_option("--profile", profile);
  app.add_option("--workers", workers);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Error&) {  // lab::Chapter reports bad input
  }
  return workers > 0 ? static_cast<int>(workers) : profile == "quick" ? 1 : 2;
}

// A JSON patch of the Config's defaults: base with some of its fields changed.
nlohmann::json patched(nlohmann::json base, const nlohmann::json& changes) {
  base.update(changes);
  return base;
}

}  // namespace

int main(int argc, char** argv) {
  const int workers = workers_of(argc, argv);
  const bool progress = workers == 1;
  lab::Chapter ch{"ch01", "Chapter 1: does the transformer recover the Boltzmann distribution?", SPINFORMER_CODE_HASH,
                  workers};
  auto training = [progress](const nlohmann::json& p, std::uint64_t seed) { return training_job(p, seed, progress); };
  ch.step("run", training);      // every chain (temperatures, the field run) x training seeds
  ch.step("variant", training);  // the ablation and the sample-size curve at ablation_T
  ch.step("doubled", training);  // seed 0 of every chain at twice the steps (convergence)
  ch.step("control", [progress](const nlohmann::json& p, std::uint64_t seed) { return control_job(p, seed, progress); });
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
    const int threads = gpt::set_threads(ch.threads_or(1));  // LibTorch threads per job
    const Trainings trainings = train_models(ch, cfg, threads);       // every model and both controls
    const Tempered tempered = tempered_models(cfg, trainings);        // models of known KL: the criterion's power
    const Summaries sums = write_tables(ch, cfg, trainings, tempered, threads);
    const GradedClaims graded = chapter_claims(ch, cfg, trainings, tempered, sums);
    text_values(ch, cfg, trainings, tempered, sums, graded);
    plot_variables(ch, cfg, trainings);
    ch.results()["threads"] = threads;
    ch.results()["workers"] = workers;
    ch.results()["wall_minutes"] = fmt::format("{:.1f}", seconds_since(start) / 60);
    fmt::print(stderr, "[ch01] done in {:.1f} min\n", seconds_since(start) / 60);
  });
}
