#pragma once
// Chapter 2: attention maps and what is read off them (with the model), similarity measures,
// chapter 1's models and the exact structure of the conditionals (defined in
// attention_vs_correlation_measurements.cpp). The program that runs the chapter is attention_vs_correlation.cpp.
#include <cmath>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gpt/gpt.hpp"
#include "ising/exact.hpp"
#include "ising/samplers.hpp"
#include "lab/statistics.hpp"

#include "attention_statistics.hpp"

namespace spinformer {

// ---- attention maps and what is read off them ------------------------------------------------------
// Maps, uniform_maps and the sink-free statistics: attention_statistics.hpp.
Maps maps_of(const gpt::AttentionSummary& s);

// Quantities that are linear in the weights (so block means and standard errors make sense).
struct Features {
  std::vector<std::vector<double>> A;  // [l][r], r = 0..L-1 (r = 0 unused): mean over heads and queries of w(t, t + 1 - r)
  std::vector<double> start;           // [l]: mean weight on the start token (queries t >= 1)
  std::vector<double> prev;            // [l]: mean weight on the previous spin (key t, queries t >= 1)
  std::vector<double> distance;        // [l]: mean spin distance of the attended keys (start token left out)
  std::vector<std::vector<double>> first_head;  // [l][h]: weight on s_1 (key 1) at the last query
};

Features features(const Maps& m);

// ---- similarity measures -----------------------------------------------------------------------------
double cosine(const std::vector<double>& a, const std::vector<double>& b);

std::vector<double> range_of(const std::vector<double>& v, int r_max);

// ---- one model's attention on samples, in blocks -----------------------------------------------------
struct Measured {
  Maps total;                         // over all samples
  Features f;                         // of the total
  std::vector<Features> block;        // per block
  lab::Estimate start[2], prev[2], distance[2];
  std::vector<std::vector<double>> A_err;  // [l][r] standard error over blocks
};

lab::Estimate block_estimate(const std::vector<Features>& blocks, const std::function<double(const Features&)>& g);

Measured measure(const gpt::Model& model, const ising::SpinSamples& samples, int blocks);

// ---- chapter 1's models ---------------------------------------------------------------------------------
struct Entry {
  ising::Chain chain;
  std::string path;
  int seed_index = 0;  // chapter 1's training seed
  std::string tag;     // chapter 1's file tag (excess_<tag>.tsv)
};

ising::Chain chain_from(const nlohmann::json& j);

std::vector<Entry> read_models(const std::string& ch01);

// ---- exact structure of the conditionals ---------------------------------------------------------------
// How much p(s_k | s_<k) changes when the first spin (or the previous spin) is flipped, for the spin
// predicted by query t (0-based spin index t): mean |p(+ | prev, first) - p(+ | prev, -first)|.
std::vector<double> first_spin_dependence(const ising::ExactChain& exact, bool previous);

// Chapter 1's excess loss E[log p_T(s_L | s_<L) - log p_model(s_L | s_<L)] at the last spin, from its
// excess_<tag>.tsv (columns: position, excess, excess_err; 1-based positions); NaN where absent.
lab::Estimate last_excess(const std::string& ch01, const std::string& tag, int L);

// Samples with the spins of each configuration in a random order (positions carry no information).
ising::SpinSamples shuffle_positions(ising::SpinSamples s, std::uint64_t seed);

// gnuplot input: per layer and head one data set (index l * heads + h) of rows "key query weight"
// for the keys a query can see (key <= query), drawn as boxes (no NaN cells: `with image` mis-draws them).
void write_maps(const std::string& path, const Maps& m);

}  // namespace spinformer
