#pragma once
// Chapter 7's steps (learning_rate_temperature_steps.cpp): each builds its jobs, runs them through
// lab::Chapter, writes its tables and fills its part of the Measurements.
#include "lab/chapter.hpp"

#include "learning_rate_temperature.hpp"

namespace spinformer {

void quadratic_variance(lab::Chapter& ch, const Config& cfg, Measurements& ms);  // 1a: the 1D quadratic
void double_well(lab::Chapter& ch, const Config& cfg, Measurements& ms);         // 1b: the double well at fixed T
void chain_model(lab::Chapter& ch, const Config& cfg, Measurements& ms);         // 1c: the one-parameter chain model
// 2: the transformer runs (settings over seeds), the controls, and the plateau and curve tables.
void transformer_runs(lab::Chapter& ch, const Config& cfg, Measurements& ms);
// 3: the warmup-decay run in windows against the constant-eta plateaus (rows from chapter_text_values).
void decay_table(lab::Chapter& ch, const Config& cfg, const nlohmann::json& rows);

}  // namespace spinformer
