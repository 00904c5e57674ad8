// Chapter 4 — The replica-symmetry-breaking phase diagram.
// 1. The exact SK de Almeida-Thouless line (RS solution by quadrature, replicon by root finding).
// 2. Validation on binary SK at the vector model's sizes: parallel tempering, many disorder samples;
//    equilibration by the Gaussian-coupling energy identity and by the last two log bins; the spin-glass susceptibility chi_SG / N^(1/3), whose
//    curves for different N cross at the transition, judged against the exact line.
// 3. The same method on the vector-spin model (tensor overlap, parallel tempering, many replicas and
//    disorder draws) over field strength h and a temperature ladder; its h = 0 freezing temperature from
//    the crossing; equilibrium (R-hat of pair overlaps, log bins) at the graded points; the thesis's
//    proposal width against the adapted one at the corners, with the R-hat gate's controls.
// 4. Verdicts by the paper's rule (claims.cpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "code_hash.hpp"
#include "glass/sk.hpp"
#include "glass/replicas.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/tsv.hpp"

#include "rsb_phase_diagram.hpp"

using namespace spinformer;

std::vector<double> at_line(const std::vector<double>& fields) {
  std::vector<double> t;
  for (double h : fields) t.push_back(glass::sk::at_temperature(h));
  return t;
}

// chi_SG ~ N^(1/3) at the transition
double scale(int N) { return std::cbrt(static_cast<double>(N)); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// 1. The exact SK AT line: its table and the values the text quotes.
void exact_line(lab::Chapter& ch) {
  nlohmann::json& results = ch.results();
  lab::Table line{{"h", "T_AT", "q_at_line"}, {}};
  for (double h = 0; h <= 2.0001; h += 0.02) {
    const double t = glass::sk::at_temperature(h);
    line.add({h, t, glass::sk::rs_overlap(t, h)});
  }
  ch.table("sk_at_line.tsv", line, "", {}, {{"what", "exact SK de Almeida-Thouless line, J = 1"}});
  for (double h : {0.1, 0.3, 0.5, 1.0}) results[fmt::format("T_AT_h{:g}", h)] = fmt::format("{:.4f}", glass::sk::at_temperature(h));
  results["small_h_ratio"] = fmt::format("{:.4f}", 1e-6 / (4.0 / 3.0 * std::pow(1 - glass::sk::at_temperature(1e-3), 3)));
}

// chi_SG / N^(1/3) of one run at one temperature from its last log bin, and the relative change from the bin before.
double scaled_chi(int N, const BinMoments& m, bool field) {
  return glass::spin_glass_susceptibility(N, {m.q2, m.mean_norm2}, field) / scale(N);
}
double early_scaled_chi(int N, const BinMoments& m, bool field) {
  return glass::spin_glass_susceptibility(N, {m.early_q2, m.early_mean_norm2}, field) / scale(N);
}

// 2. SK validation: parallel tempering, the crossings against the exact line, the cost; returns its seconds.
double sk_validation(lab::Chapter& ch, const Config& cfg, int workers, ClaimInputs& ci) {
  const auto start = std::chrono::steady_clock::now();
  nlohmann::json& results = ch.results();
  const std::vector<double> sk_T = sk_ladder(cfg);
  const std::size_t nN = cfg.sk_sizes.size(), nF = cfg.sk_fields.size(), nS = static_cast<std::size_t>(cfg.sk_samples);
  std::vector<lab::Job> sk_jobs;
  for (std::size_t in = 0; in < nN; ++in)
    for (std::size_t ih = 0; ih < nF; ++ih)
      for (std::size_t s = 0; s < nS; ++s)
        sk_jobs.push_back(ch.job("sk", fmt::format("SK N = {}, h = {:g}, sample {}", cfg.sk_sizes[in], cfg.sk_fields[ih], s),
                                 {{"n", in}, {"h", ih}, {"sample", s}}));
  const auto sk_runs = ch.run_jobs("sk", sk_jobs);
  const bool sk_ran = std::any_of(sk_runs.begin(), sk_runs.end(), [](const lab::JobResult& r) { return !r.cached; });
  const double sk_seconds = seconds_since(start);
  // chi[in][ih][k]: chi_SG / N^(1/3) per sample (last log bin); early: the bin before; ident: the identity
  std::vector<std::vector<std::vector<Samples>>> chi(nN, std::vector<std::vector<Samples>>(nF, std::vector<Samples>(sk_T.size())));
  std::vector<std::vector<std::vector<Samples>>> ident = chi, early = chi;
  double min_swap = 1;
  for (std::size_t j = 0; j < sk_runs.size(); ++j) {
    const std::size_t in = j / (nF * nS), ih = (j / nS) % nF;
    const auto r = sk_from_json(sk_runs[j].value);
    min_swap = std::min(min_swap, r.min_swap);
    const int N = cfg.sk_sizes[in];
    const bool field = cfg.sk_fields[ih] != 0;
    for (std::size_t k = 0; k < sk_T.size(); ++k) {
      const auto& p = r.by_temperature[k];
      chi[in][ih][k].push_back(scaled_chi(N, p, field));
      early[in][ih][k].push_back(early_scaled_chi(N, p, field));
      ident[in][ih][k].push_back(p.coupling_energy + 0.5 / sk_T[k] * (1 - p.identity_q2));
    }
  }
  lab::Table sk_table{{"N", "h", "T", "chi_scaled", "chi_scaled_err", "chi_scaled_early", "identity", "identity_err", "T_AT"}, {}};
  for (std::size_t in = 0; in < nN; ++in)
    for (std::size_t ih = 0; ih < nF; ++ih)
      for (std::size_t k = 0; k < sk_T.size(); ++k) {
        const auto c = sample_mean(chi[in][ih][k]), d = sample_mean(ident[in][ih][k]);
        sk_table.add({double(cfg.sk_sizes[in]), cfg.sk_fields[ih], sk_T[k], c.value, c.error, sample_mean(early[in][ih][k]).value,
                      d.value, d.error, glass::sk::at_temperature(cfg.sk_fields[ih])});
      }
  ch.table("sk_replicas.tsv", sk_table, "sk", {},
           {{"temperatures", sk_T},
            {"chi_scaled", "disorder mean of chi_SG / N^(1/3) over the last log bin of sweeps [2B, 4B); chi_SG = N [<q^2>] at h = 0, N [<q^2> - <q>^2] in a field"},
            {"chi_scaled_early", "the same over the bin before, [B, 2B)"},
            {"identity", "disorder mean of e_J + (beta/2)(1 - <q^2>) over all recorded sweeps, zero in equilibrium"}});
  // crossings of every pair of neighbouring sizes, per field; the claim uses the two largest
  ci.sk_nmin = cfg.sk_sizes.front(), ci.sk_nmax = cfg.sk_sizes.back(), ci.sk_samples = cfg.sk_samples;
  ci.sk_temperatures = sk_T;
  const double cross_level = lab::bonferroni_level(nF);
  lab::Table cross_table{{"h", "T_AT", "N_small", "N_large", "T_cross", "T_lower", "T_upper", "inside"}, {}};
  std::string cross_rows, needed;
  for (std::size_t ih = 0; ih < nF; ++ih) {
    const double h = cfg.sk_fields[ih], t_at = glass::sk::at_temperature(h);
    cross_rows += fmt::format("| {:g} | {:.3f} |", h, t_at);
    for (std::size_t in = 0; in + 1 < nN; ++in) {
      const auto c = crossing(sk_T, chi[in][ih], chi[in + 1][ih], cross_level, cfg.seed + 31 * ih + in);
      cross_table.add({h, t_at, double(cfg.sk_sizes[in]), double(cfg.sk_sizes[in + 1]), c.T.estimate, c.T.lower, c.T.upper, double(c.inside)});
      const std::string upper = c.T.upper > sk_T.back() ? fmt::format("> {:.2f}", sk_T.back()) : fmt::format("{:.3f}", c.T.upper);
      cross_rows += c.inside ? fmt::format(" {:.3f} [{:.3f}, {}] |", c.T.estimate, c.T.lower, upper)
                             : fmt::format(" none in [{:.2f}, {:.2f}] |", sk_T.front(), sk_T.back());
      if (in + 2 == nN) {
        ci.sk_crossings[h] = {c, t_at};
        // samples the largest pair would need for a crossing interval of +-15% of T_AT (interval ~ 1/sqrt(samples))
        const double ratio = (c.T.upper - c.T.lower) / 2 / (0.15 * t_at);
        needed += fmt::format("{}h = {:g}: {}", needed.empty() ? "" : "; ", h,
                              c.inside ? fmt::format("{:.0f}", std::ceil(cfg.sk_samples * std::max(1.0, ratio * ratio)))
                                       : std::string("no crossing in range at these sizes"));
      }
    }
    cross_rows += "\n";
  }
  ch.table("sk_crossings.tsv", cross_table, "sk", {},
           {{"interval", "bootstrap over disorder samples, percentiles, Bonferroni over fields"}});
  std::string cross_head = "| h | T_AT (exact) |", cross_rule = "|---|---|";
  for (std::size_t in = 0; in + 1 < nN; ++in)
    cross_head += fmt::format(" crossing N = {} / {} |", cfg.sk_sizes[in], cfg.sk_sizes[in + 1]), cross_rule += "---|";
  results["sk_samples_needed"] = needed;
  results["sk_crossing_table"] = cross_head + "\n" + cross_rule + "\n" + cross_rows;
  for (std::size_t ih = 0; ih < nF; ++ih)
    for (std::size_t k = 0; k < sk_T.size(); ++k) ci.sk_points.push_back({cfg.sk_fields[ih], sk_T[k], chi[0][ih][k], chi[nN - 1][ih][k]});
  double worst_identity = 0, worst_bin = 0;
  for (std::size_t in_ = 0; in_ < nN; ++in_)
    for (std::size_t ih = 0; ih < nF; ++ih) {
      const std::string label = fmt::format("N = {}, h = {:g}, T = {:.2f}", cfg.sk_sizes[in_], cfg.sk_fields[ih], sk_T[0]);
      ci.identity.push_back({label, ident[in_][ih][0]});
      ci.sk_bins.push_back({label, chi[in_][ih][0], early[in_][ih][0]});
      worst_identity = std::max(worst_identity, std::abs(sample_mean(ident[in_][ih][0]).value));
      const double late_mean = sample_mean(chi[in_][ih][0]).value, early_mean = sample_mean(early[in_][ih][0]).value;
      worst_bin = std::max(worst_bin, std::abs(late_mean - early_mean) / late_mean);
    }
  results["sk_worst_identity"] = fmt::format("{:.4f}", worst_identity);
  results["sk_worst_bin_change"] = fmt::format("{:.1f}%", 100 * worst_bin);
  results["sk_sizes"] = fmt::format("{}", fmt::join(cfg.sk_sizes, ", "));
  results["sk_fields"] = fmt::format("{}", fmt::join(cfg.sk_fields, ", "));
  results["sk_samples"] = cfg.sk_samples;
  results["sk_nmax"] = cfg.sk_sizes.back();
  results["sk_replicas"] = cfg.sk_replicas;
  results["sk_sweeps"] = cfg.sk_sweeps;
  results["sk_burn_in"] = cfg.sk_burn_in;
  results["sk_bin_split"] = 2 * cfg.sk_burn_in;
  results["sk_ntemps"] = cfg.sk_temperatures;
  results["sk_tmin"] = fmt::format("{:.2f}", cfg.sk_tmin);
  results["sk_tmax"] = fmt::format("{:.2f}", cfg.sk_tmax);
  results["sk_min_swap"] = fmt::format("{:.2f}", min_swap);
  results["sk_seconds"] = fmt::format("{:.0f}", sk_seconds);
  // core-seconds per sample at the largest N (an estimate: the run's core time split over sizes by N^2)
  const double per_job = sk_ran ? sk_seconds * workers / static_cast<double>(sk_jobs.size()) : NAN;
  double n2 = 0;
  for (int N : cfg.sk_sizes) n2 += double(N) * N;
  const double nmax = cfg.sk_sizes.back();
  results["sk_core_s_nmax"] = std::isfinite(per_job) ? fmt::format("{:.2f}", per_job * double(nN) * nmax * nmax / n2) : "(cached run: not measured)";
  return sk_seconds;
}

// 3. The vector-spin model: parallel tempering per (N, h, draw) over the whole ladder; the h = 0 freezing
// temperature; equilibrium at the graded points; the proposal widths and the R-hat gate's controls.
void vector_model(lab::Chapter& ch, const Config& cfg, ClaimInputs& ci) {
  nlohmann::json& results = ch.results();
  const std::vector<double> temps = vector_ladder(cfg);
  const std::size_t nV = cfg.sizes.size(), nH = cfg.fields.size(), nT = temps.size();
  const std::size_t nD = static_cast<std::size_t>(cfg.draws);
  std::vector<lab::Job> ljobs;
  for (std::size_t iv = 0; iv < nV; ++iv)
    for (std::size_t ih = 0; ih < nH; ++ih)
      for (std::size_t d = 0; d < nD; ++d)
        ljobs.push_back(ch.job("ladder", fmt::format("N = {}, h = {:g}, draw {}", cfg.sizes[iv], cfg.fields[ih], d), {{"n", iv}, {"h", ih}, {"draw", d}}));
  std::vector<std::vector<LadderPoint>> lr;
  for (const auto& r : ch.run_jobs("ladder", ljobs)) lr.push_back(ladder_from_json(r.value));
  auto at = [&](std::size_t iv, std::size_t ih, std::size_t iT, std::size_t d) -> const LadderPoint& {
    return lr[(iv * nH + ih) * nD + d][iT];
  };
  std::vector<std::vector<Samples>> vchi(nV, std::vector<Samples>(nH * nT)), vearly = vchi, vrhat = vchi;
  lab::Table vgrid{{"N", "h", "T", "chi_scaled", "chi_scaled_err", "chi_scaled_early", "alignment", "rhat", "acceptance", "sigma", "swap", "T_AT_sk"}, {}};
  double min_swap = 1;
  for (std::size_t iv = 0; iv < nV; ++iv)
    for (std::size_t ih = 0; ih < nH; ++ih)
      for (std::size_t iT = 0; iT < nT; ++iT) {
        const int N = cfg.sizes[iv];
        const bool field = cfg.fields[ih] != 0;
        Samples align;
        double acc = 0, sig = 0, swap = 0;
        for (std::size_t d = 0; d < nD; ++d) {
          const auto& r = at(iv, ih, iT, d);
          vchi[iv][ih * nT + iT].push_back(scaled_chi(N, r, field));
          vearly[iv][ih * nT + iT].push_back(early_scaled_chi(N, r, field));
          vrhat[iv][ih * nT + iT].push_back(r.rhat);
          align.push_back(r.alignment);
          acc += r.acceptance / double(nD), sig += r.sigma / double(nD), swap += r.swap / double(nD);
        }
        if (iT + 1 < nT) min_swap = std::min(min_swap, swap);
        const auto c = sample_mean(vchi[iv][ih * nT + iT]);
        vgrid.add({double(N), cfg.fields[ih], temps[iT], c.value, c.error, sample_mean(vearly[iv][ih * nT + iT]).value,
                   sample_mean(align).value, sample_mean(vrhat[iv][ih * nT + iT]).value, acc, sig, swap,
                   glass::sk::at_temperature(cfg.fields[ih])});
        if (iv + 1 == nV) ci.alignment.push_back(align);
      }
  ch.table("vector_grid.tsv", vgrid, "ladder", {},
           {{"chi_scaled", "disorder mean of chi_SG / N^(1/3) from the tensor overlap, last log bin of sweeps"},
            {"chi_scaled_early", "the same over the bin before"},
            {"rhat", "mean over draws of the R-hat of ||Q_ab||_F^2 across disjoint replica pairs"},
            {"swap", "swap acceptance with the next temperature of the ladder (0 at the top)"}});
  results["vector_min_swap"] = fmt::format("{:.2f}", min_swap);
  // the h = 0 freezing temperature: crossing of the two largest sizes at h = 0 (fields[0] must be 0)
  {
    std::vector<Samples> small, large;
    for (std::size_t iT = 0; iT < nT; ++iT) small.push_back(vchi[nV - 2][iT]), large.push_back(vchi[nV - 1][iT]);
    const auto c = crossing(temps, small, large, 0.95, cfg.seed + 999);
    ci.t_freeze = cfg.fields[0] == 0 && c.inside ? c.T.estimate : NAN;
    results["t_freeze"] = c.inside ? fmt::format("{:.3f} (95% bootstrap interval [{:.3f}, {:.3f}])", c.T.estimate, c.T.lower, c.T.upper)
                                   : fmt::format("not found in [{:.3g}, {:.3g}]", temps.front(), temps.back());
  }
  ci.nmin = cfg.sizes.front(), ci.nmax = cfg.sizes.back(), ci.draws = cfg.draws, ci.replicas = cfg.replicas;
  ci.fields = cfg.fields, ci.temperatures = temps;
  ci.rhat_bound = cfg.rhat_bound, ci.bin_band = cfg.bin_band;
  for (std::size_t ih = 0; ih < nH; ++ih)
    for (std::size_t iT = 0; iT < nT; ++iT) ci.vector_points.push_back({cfg.fields[ih], temps[iT], vchi[0][ih * nT + iT], vchi[nV - 1][ih * nT + iT]});
  // the graded points: the lowest field (0) and the highest, the two lowest and the two highest temperatures
  ci.graded_fields = {0, nH - 1}, ci.low_temperatures = {0, 1}, ci.high_temperatures = {nT - 2, nT - 1};
  for (std::size_t iv : {std::size_t{0}, nV - 1})
    for (std::size_t ih : ci.graded_fields)
      for (std::size_t iT : {std::size_t{0}, std::size_t{1}, nT - 2, nT - 1})
        ci.vector_equilibrium.push_back({fmt::format("N = {}, h = {:g}, T = {:.3g}", cfg.sizes[iv], cfg.fields[ih], temps[iT]),
                                         vrhat[iv][ih * nT + iT], vchi[iv][ih * nT + iT], vearly[iv][ih * nT + iT]});
  // corners without tempering at the smallest N: thesis width, adapted width, and the R-hat gate's controls
  const std::vector<std::string> modes{"thesis", "adapted", "frozen", "independent"};
  const std::vector<std::pair<std::size_t, std::size_t>> corners{{0, 0}, {nH - 1, 0}, {0, nT - 1}, {nH - 1, nT - 1}};
  std::vector<lab::Job> cjobs;
  for (std::size_t c = 0; c < corners.size(); ++c)
    for (std::size_t m = 0; m < modes.size(); ++m)
      for (std::size_t d = 0; d < nD; ++d)
        cjobs.push_back(ch.job("corner", fmt::format("N = {}, h = {:g}, T = {:.3g}, draw {}, {}", cfg.sizes.front(), cfg.fields[corners[c].first],
                                                     temps[corners[c].second], d, modes[m]),
                               {{"h", corners[c].first}, {"t", corners[c].second}, {"mode", m}, {"draw", d}}));
  std::vector<CornerResult> cr;
  for (const auto& r : ch.run_jobs("corner", cjobs)) cr.push_back(corner_from_json(r.value));
  std::string width_rows;
  for (std::size_t c = 0; c < corners.size(); ++c) {
    const auto [ih, iT] = corners[c];
    ClaimInputs::Corner k{cfg.fields[ih], temps[iT], {}, {}, {}, {}};
    double acc[2] = {0, 0};
    for (std::size_t d = 0; d < nD; ++d) {
      auto get = [&](std::size_t m) -> const CornerResult& { return cr[(c * modes.size() + m) * nD + d]; };
      k.rhat_thesis.push_back(get(0).rhat), k.rhat_adapted.push_back(get(1).rhat);
      k.rhat_frozen.push_back(get(2).rhat), k.rhat_independent.push_back(get(3).rhat);
      acc[0] += get(0).acceptance / double(nD), acc[1] += get(1).acceptance / double(nD);
    }
    width_rows += fmt::format("| {:g} | {:.3g} | {:.3f} / {:.3f} | {:.2f} / {:.2f} | {:.3g} / {:.3f} |\n", k.h, k.T, acc[0], acc[1],
                              sample_mean(k.rhat_thesis).value, sample_mean(k.rhat_adapted).value,
                              sample_mean(k.rhat_frozen).value, sample_mean(k.rhat_independent).value);
    ci.corners.push_back(k);
  }
  results["width_table"] = "| h | T | acceptance (thesis / adapted) | R-hat of pair overlaps (thesis / adapted) | R-hat controls (frozen / independent) |\n"
                           "|---|---|---|---|---|\n" + width_rows;
  // the last tensor-overlap matrices of draw 0 at the largest N, one block per (h, T) (thesis Fig. 4.2):
  // every cell of every block, and the gaps between blocks as missing cells, so the picture is a full grid
  const int R = cfg.replicas, B = R + 1;
  lab::Table blocks{{"x", "y", "Q"}, {}};
  for (std::size_t ih = 0; ih < nH; ++ih)
    for (std::size_t iT = 0; iT < nT; ++iT) {
      const auto& last = at(nV - 1, ih, iT, 0).last;
      for (int a = 0; a < R; ++a)
        for (int b = 0; b < R; ++b) blocks.add({double(iT * B + b), double(ih * B + a), last[a][b]});
    }
  ch.table("vector_matrices.tsv", blocks, "ladder", {{"n", nV - 1}, {"draw", 0}},
           {{"what", "||Q_ab||_F of the last recorded states, draw 0, largest N; x = iT (R + 1) + b, y = ih (R + 1) + a"}});
}

int main(int argc, char** argv) {
  constexpr int default_workers = 2;  // every job is one thread: --threads changes nothing here
  lab::Chapter ch{"ch04", "Chapter 4: the replica-symmetry-breaking phase diagram", SPINFORMER_CODE_HASH, default_workers};
  // parallel tempering on one SK sample: size n, field h, disorder sample
  ch.step("sk", [](const nlohmann::json& p, std::uint64_t seed) {
    const auto cfg = p.at("config").get<Config>();
    return sk_job(sk_parameters(cfg, sk_ladder(cfg), cfg.sk_sizes.at(p.at("n").get<std::size_t>()),
                                cfg.sk_fields.at(p.at("h").get<std::size_t>()), p.at("sample").get<int>()),
                  seed);
  });
  // parallel tempering of one vector-spin draw at (size n, field h), every temperature of the ladder
  ch.step("ladder", [](const nlohmann::json& p, std::uint64_t seed) {
    const auto cfg = p.at("config").get<Config>();
    return ladder_job(ladder_parameters(cfg, cfg.sizes.at(p.at("n").get<std::size_t>()), cfg.fields.at(p.at("h").get<std::size_t>()),
                                        p.at("draw").get<int>()),
                      seed);
  });
  // replicas without tempering at a corner (field h, ladder temperature t) of the grid, smallest size
  ch.step("corner", [](const nlohmann::json& p, std::uint64_t seed) {
    const auto cfg = p.at("config").get<Config>();
    static const std::vector<std::string> modes{"thesis", "adapted", "frozen", "independent"};
    return corner_job(corner_parameters(cfg, cfg.fields.at(p.at("h").get<std::size_t>()), vector_ladder(cfg).at(p.at("t").get<std::size_t>()),
                                        p.at("draw").get<int>(), modes.at(p.at("mode").get<std::size_t>())),
                      seed);
  });
  const lab::Profiles profiles{
      {"paper", nlohmann::json::object()},
      {"quick", {{"sk_sizes", {8, 16}}, {"sk_fields", {0.0, 0.5}}, {"sk_temperatures", 8}, {"sk_samples", 16},
                 {"sk_burn_in", 100}, {"sk_sweeps", 300}, {"sk_thin", 3}, {"sizes", {8, 16}}, {"D", 4},
                 {"replicas", 4}, {"draws", 4}, {"fields", {0.0, 1.6}}, {"ntemps", 5}, {"tmin", 0.1},
                 {"burn_in", 50}, {"sweeps", 150}, {"thin_sweeps", 5}, {"corner_sweeps", 200}}}};

  return ch.run<Config>(argc, argv, profiles, [&](lab::Chapter& ch, const Config& cfg) {
    const int workers = ch.workers_or(default_workers);
    const auto wall_start = std::chrono::steady_clock::now();
    nlohmann::json& results = ch.results();
    // 1.-3. Measurements; what the claims need is gathered in ci.
    exact_line(ch);
    ClaimInputs ci;
    ci.source = "002_1df8271bdc20b922.txt";
    const double sk_seconds = sk_validation(ch, cfg, workers, ci);
    vector_model(ch, cfg, ci);

    // 4. Verdicts by the paper's rule.
    // written here, not with ch.claims: results.json's claims table stays the summary the text was made with
    const auto claims = make_claims(ci).to_json();
    lab::write_claims(ch.path("claims.json"), claims, "--out");

    // 5. Values for the text and the figures.
    results["claims_table"] = lab::claims_markdown({claims});
    results["verdict_changes"] = verdict_changes(claims);
    for (const auto& c : claims.at("claims")) results["status_" + c.at("id").get<std::string>()] = status_count(c);
    results["sizes"] = fmt::format("{}", fmt::join(cfg.sizes, ", "));
    results["D"] = cfg.D;
    results["nmax"] = cfg.sizes.back();
    results["replicas"] = cfg.replicas;
    results["draws"] = cfg.draws;
    results["sweeps"] = cfg.sweeps;
    results["burn_in"] = cfg.burn_in;
    results["bin_split"] = 2 * cfg.burn_in;
    results["corner_sweeps"] = cfg.corner_sweeps;
    results["ntemps"] = cfg.ntemps;
    results["tmin"] = fmt::format("{:g}", cfg.tmin);
    results["tmax"] = fmt::format("{:g}", cfg.tmax);
    results["rhat_bound"] = fmt::format("{:g}", cfg.rhat_bound);
    results["bin_band"] = fmt::format("{:.0f}%", 100 * cfg.bin_band);
    results["fields"] = fmt::format("{}", fmt::join(cfg.fields, ", "));
    {
      std::vector<std::string> t;
      for (double x : vector_ladder(cfg)) t.push_back(fmt::format("{:.3g}", x));
      results["temperatures"] = fmt::format("{}", fmt::join(t, ", "));
    }
    {
      const auto t = vector_ladder(cfg);
      results["graded_temperatures"] = fmt::format("{:.3g} and {:.3g} (low), {:.3g} and {:.3g} (high)", t[0], t[1], t[t.size() - 2], t.back());
    }
    const double wall = seconds_since(wall_start);
    results["wall_s"] = fmt::format("{:.0f}", wall);
    results["vector_seconds"] = fmt::format("{:.0f}", wall - sk_seconds);
    results["threads"] = workers;
    // written here, not with ch.plot_var: tf is NaN when no crossing is found, which plot_var cannot write
    lab::write_file_atomically(
        ch.path("plot_vars.gp"),
        fmt::format("fields = \"{}\"\ntemps = \"{}\"\nB = {}\nnH = {}\nnT = {}\nsizes = \"{}\"\nsk_sizes = \"{}\"\n"
                    "sk_fields = \"{}\"\nsk_tat = \"{}\"\nvec_tat = \"{}\"\ntf = {}\n",
                    lab::format_keys(cfg.fields), lab::format_keys(vector_ladder(cfg)), cfg.replicas + 1, cfg.fields.size(), cfg.ntemps, fmt::join(cfg.sizes, " "),
                    fmt::join(cfg.sk_sizes, " "), lab::format_keys(cfg.sk_fields), lab::format_keys(at_line(cfg.sk_fields)),
                    lab::format_keys(at_line(cfg.fields)), std::isfinite(ci.t_freeze) ? fmt::format("{:g}", ci.t_freeze) : "NaN"));
  });
}
