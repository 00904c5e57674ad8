// Chapter 4 — The replica-symmetry-breaking phase diagram.
// 1. The exact SK de Almeida-Thouless line (RS solution by quadrature, replicon by root finding).
// 2. The RSB measurement (5 replicas, overlap matrices, chi = Var(q)/Var_null) validated on binary SK
//    (parallel tempering, two sizes, several disorder samples) against that line.
// 3. The same measurement on the vector-spin model over a grid of field strength h and temperature T
//    (the thesis's Figure 4.2), with the adapted-width Metropolis chain, and the thesis's proposal
//    width at three corners of the grid.
// 4. Verdicts against criteria fixed before the runs.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "code_hash.hpp"
#include "glass/replicas.hpp"
#include "glass/sk.hpp"
#include "glass/metropolis.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter_cli.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

#include "rsb_phase_diagram.hpp"

using namespace spinformer;
using glass::Phase;

double phase_code(Phase p) { return p == Phase::paramagnetic ? 0 : p == Phase::field_aligned ? 1 : 2; }

// Position of value v on a grid of increasing values, in index units, interpolated in log v.
double log_index(const std::vector<double>& grid, double v) {
  if (v <= grid.front()) return (std::log(v) - std::log(grid[0])) / (std::log(grid[1]) - std::log(grid[0]));
  for (std::size_t k = 0; k + 1 < grid.size(); ++k)
    if (v <= grid[k + 1]) return k + (std::log(v) - std::log(grid[k])) / (std::log(grid[k + 1]) - std::log(grid[k]));
  const std::size_t n = grid.size();
  return (n - 1) + (std::log(v) - std::log(grid[n - 1])) / (std::log(grid[n - 1]) - std::log(grid[n - 2]));
}

// The shared rule, except that a claim with nothing to test (total 0) is not reproduced.
std::string verdict_of(std::size_t held, std::size_t total) {
  return total > 0 ? lab::verdict_from_counts(held, total) : "not reproduced";
}

int main(int argc, char** argv) {
  lab::install_signal_cleanup();
  lab::ChapterOptions opt;
  CLI::App app{"Chapter 4: the replica-symmetry-breaking phase diagram"};
  lab::add_chapter_options(app, opt, SPINFORMER_CODE_HASH);
  if (const int status = lab::parse_chapter_args(app, argc, argv, "ch04"); status >= 0) return status;
  return lab::run_chapter("ch04", [&] {
    opt.check();
    const std::string &profile_name = opt.profile, &out_dir = opt.out;
    Config cfg = profile(profile_name);
    cfg.workers = opt.workers_or(cfg.workers);  // every job is one thread: --threads changes nothing here
    // ---- 0. the jobs: parallel tempering on one SK sample; the replicas at one vector-spin grid point ----
    lab::Engine engine(lab::chapter_engine("ch04", profile_name, out_dir, cfg.workers, SPINFORMER_CODE_HASH));
    engine.define("sk", [](const lab::Job& job, const lab::JobContext&) { return sk_job(job.parameters, job.seed); });
    engine.define("vector", [](const lab::Job& job, const lab::JobContext&) { return vector_job(job.parameters, job.seed); });
    if (!engine.root()) return (void)engine.serve();
    lab::require_writable(out_dir + "/results.json", "--out");
    auto path = [&](const std::string& name) { return out_dir + "/" + name; };
    const auto wall_start = std::chrono::steady_clock::now();
    nlohmann::json results;
    results["profile"] = profile_name;

    // ---- 1. the exact SK AT line ---------------------------------------------------------------
    lab::RunMetadata meta("ch04");
    lab::Table line{{"h", "T_AT", "q_at_line"}, {}};
    for (double h = 0; h <= 2.0001; h += 0.02) {
      const double t = glass::sk::at_temperature(h);
      line.add({h, t, glass::sk::rs_overlap(t, h)});
    }
    lab::write_table(path("sk_at_line.tsv"), line);
    meta.write_sidecar(path("sk_at_line.tsv"), {{"what", "exact SK de Almeida-Thouless line, J = 1"}});
    for (double h : {0.1, 0.5, 1.0}) results[fmt::format("T_AT_h{:g}", h)] = fmt::format("{:.4f}", glass::sk::at_temperature(h));
    results["small_h_ratio"] = fmt::format("{:.4f}", 1e-6 / (4.0 / 3.0 * std::pow(1 - glass::sk::at_temperature(1e-3), 3)));

    // ---- 2. SK validation: the replica measurement on binary SK ---------------------------------
    std::vector<double> sk_temps;
    for (int k = 0; k < cfg.sk_temperatures; ++k)
      sk_temps.push_back(cfg.sk_tmin * std::pow(cfg.sk_tmax / cfg.sk_tmin, k / double(cfg.sk_temperatures - 1)));
    struct SkTask { int N; double h; int sample; };
    std::vector<SkTask> sk_tasks;
    for (int N : cfg.sk_sizes)
      for (double h : cfg.sk_fields)
        for (int s = 0; s < cfg.sk_samples; ++s) sk_tasks.push_back({N, h, s});
    std::vector<lab::Job> sk_jobs;
    for (std::size_t i = 0; i < sk_tasks.size(); ++i) {
      const auto& t = sk_tasks[i];
      sk_jobs.push_back({fmt::format("SK N = {}, h = {:g}, sample {}", t.N, t.h, t.sample),
                         sk_parameters(cfg, sk_temps, t.N, t.h, t.sample), cfg.seed + 100003 * i, {}});
    }
    std::vector<SkResult> sk_runs;
    for (const auto& r : engine.run("sk", sk_jobs)) sk_runs.push_back(sk_from_json(r.value));
    // disorder average of chi and q at each (N, h, T)
    lab::Table sk_table{{"N", "h", "T", "chi", "chi_err", "q", "q_err", "T_AT", "phase", "chi_over_sqrtN"}, {}};
    struct SkPoint { int N; double h, T, chi, chi_err, q, T_AT; Phase phase; };
    std::vector<SkPoint> sk_points;
    double min_swap = 1;
    for (const auto& r : sk_runs) min_swap = std::min(min_swap, r.min_swap);
    for (int N : cfg.sk_sizes)
      for (double h : cfg.sk_fields) {
        const double t_at = glass::sk::at_temperature(h);
        for (std::size_t k = 0; k < sk_temps.size(); ++k) {
          std::vector<double> chis, qs;
          double var_within = 0;
          for (std::size_t i = 0; i < sk_tasks.size(); ++i)
            if (sk_tasks[i].N == N && sk_tasks[i].h == h) {
              const auto& point = sk_runs[i].by_temperature[k];
              chis.push_back(point.chi.value), qs.push_back(point.q);
              var_within += std::pow(point.chi.error, 2);
            }
          const auto c = lab::mean_and_error(chis);
          const double n = static_cast<double>(chis.size());
          const double chi_err = chis.size() > 1 ? c.error : std::sqrt(var_within) / n;
          const double q = lab::mean_and_error(qs).value;
          glass::OverlapStatistics avg;
          avg.chi = {c.value, chi_err};
          avg.q = {q, 0};
          const Phase p = glass::classify(avg, N);
          sk_points.push_back({N, h, sk_temps[k], c.value, chi_err, q, t_at, p});
          sk_table.add({double(N), h, sk_temps[k], c.value, chi_err, q, lab::mean_and_error(qs).error, t_at,
                        phase_code(p), c.value / glass::rsb_threshold(N)});
        }
      }
    lab::write_table(path("sk_replicas.tsv"), sk_table);
    meta.parameters() = {{"sizes", cfg.sk_sizes}, {"fields", cfg.sk_fields}, {"temperatures", sk_temps},
                         {"samples", cfg.sk_samples}, {"replicas", cfg.replicas}, {"burn_in_sweeps", cfg.sk_burn_in},
                         {"sweeps", cfg.sk_sweeps}, {"thin", cfg.sk_thin}};
    meta.set_seed(cfg.seed);
    meta.write_sidecar(path("sk_replicas.tsv"), {{"phase_codes", {"paramagnetic", "field-aligned", "RSB"}},
                                                 {"rule", "RSB if chi > sqrt(N); else paramagnetic if q < 0.2"}});
    // SK verdict: at the largest N, well below (T <= 0.6 T_AT) -> RSB, well above (T >= 1.4 T_AT) -> RS
    const int n_max = cfg.sk_sizes.back(), n_min = cfg.sk_sizes.front();
    std::size_t below_ok = 0, below_n = 0, above_ok = 0, above_n = 0;
    std::vector<std::string> sk_fail;
    for (const auto& p : sk_points) {
      if (p.N != n_max) continue;
      if (p.T <= 0.6 * p.T_AT) {
        ++below_n;
        if (p.phase == Phase::rsb) ++below_ok; else sk_fail.push_back(fmt::format("(h {:g}, T {:.2f})", p.h, p.T));
      } else if (p.T >= 1.4 * p.T_AT) {
        ++above_n;
        if (p.phase != Phase::rsb) ++above_ok; else sk_fail.push_back(fmt::format("(h {:g}, T {:.2f})", p.h, p.T));
      }
    }
    // finite-size boundary: for each h the highest T classified RSB at each N, against T_AT(h)
    lab::Table sk_boundary{{"h", "T_AT", "T_rsb_Nmin", "T_rsb_Nmax"}, {}};
    std::string boundary_rows;
    for (double h : cfg.sk_fields) {
      double tb[2] = {NAN, NAN};
      for (int s = 0; s < 2; ++s)
        for (const auto& p : sk_points)
          if (p.N == (s ? n_max : n_min) && p.h == h && p.phase == Phase::rsb && !(p.T <= tb[s])) tb[s] = p.T;
      sk_boundary.add({h, glass::sk::at_temperature(h), tb[0], tb[1]});
      boundary_rows += fmt::format("| {:g} | {:.3f} | {} | {} |\n", h, glass::sk::at_temperature(h),
                                   std::isnan(tb[0]) ? "none" : fmt::format("{:.2f}", tb[0]),
                                   std::isnan(tb[1]) ? "none" : fmt::format("{:.2f}", tb[1]));
    }
    lab::write_table(path("sk_boundary.tsv"), sk_boundary);
    meta.write_sidecar(path("sk_boundary.tsv"));
    results["sk_boundary_table"] = "| h | T_AT (exact) | highest T with RSB, N = " + std::to_string(n_min) +
                                   " | highest T with RSB, N = " + std::to_string(n_max) + " |\n|---|---|---|---|\n" +
                                   boundary_rows;
    // chi growth with N at h = 0, lowest T and highest T
    auto sk_chi_at = [&](int N, double h, std::size_t k) {
      for (const auto& p : sk_points)
        if (p.N == N && p.h == h && p.T == sk_temps[k]) return p;
      return SkPoint{};
    };
    {
      const auto lo_small = sk_chi_at(n_min, 0.0, 0), lo_big = sk_chi_at(n_max, 0.0, 0);
      const auto hi_small = sk_chi_at(n_min, 0.0, sk_temps.size() - 1), hi_big = sk_chi_at(n_max, 0.0, sk_temps.size() - 1);
      results["sk_chi_low"] = fmt::format("{:.1f} ± {:.1f} (N = {}) and {:.1f} ± {:.1f} (N = {})", lo_small.chi,
                                          lo_small.chi_err, n_min, lo_big.chi, lo_big.chi_err, n_max);
      results["sk_chi_high"] = fmt::format("{:.2f} ± {:.2f} (N = {}) and {:.2f} ± {:.2f} (N = {})", hi_small.chi,
                                           hi_small.chi_err, n_min, hi_big.chi, hi_big.chi_err, n_max);
      results["sk_chi_high_exact"] = fmt::format("{:.2f}", 1 / (1 - 1 / (sk_temps.back() * sk_temps.back())));
    }
    results["sk_tmin"] = fmt::format("{:.2f}", cfg.sk_tmin);
    results["sk_tmax"] = fmt::format("{:.2f}", cfg.sk_tmax);
    results["sk_sizes"] = fmt::format("{}", fmt::join(cfg.sk_sizes, " and "));
    results["sk_samples"] = cfg.sk_samples;
    results["sk_sweeps"] = cfg.sk_sweeps;
    results["sk_burn_in"] = cfg.sk_burn_in;
    results["sk_ntemps"] = cfg.sk_temperatures;
    results["sk_min_swap"] = fmt::format("{:.2f}", min_swap);

    // ---- 3. the vector-spin model on the (h, T) grid -------------------------------------------------
    struct VTask { int ih, iT; bool thesis_sigma; };
    std::vector<VTask> vtasks;
    const int nH = static_cast<int>(cfg.fields.size()), nT = static_cast<int>(cfg.temperatures.size());
    for (int ih = 0; ih < nH; ++ih)
      for (int iT = 0; iT < nT; ++iT) vtasks.push_back({ih, iT, false});
    // the thesis's proposal width at three corners: low h low T, high h low T, low h high T
    const std::vector<std::pair<int, int>> corners{{0, 0}, {nH - 1, 0}, {0, nT - 1}};
    for (auto [ih, iT] : corners) vtasks.push_back({ih, iT, true});
    std::vector<lab::Job> vector_jobs;
    for (const auto& t : vtasks)  // same starts for both widths
      vector_jobs.push_back({fmt::format("h = {:g}, T = {:g}{}", cfg.fields[t.ih], cfg.temperatures[t.iT],
                                         t.thesis_sigma ? ", thesis width" : ""),
                             vector_parameters(cfg, cfg.fields[t.ih], cfg.temperatures[t.iT], t.thesis_sigma),
                             cfg.seed + 1000 * (t.ih * nT + t.iT) + 1, {}});
    std::vector<VectorResult> vruns;
    std::vector<glass::OverlapStatistics> vstats;
    for (const auto& r : engine.run("vector", vector_jobs)) {
      vruns.push_back(vector_from_json(r.value));
      vstats.push_back(vruns.back().stats);
    }
    lab::Table grid{{"h", "T", "ih", "iT", "q", "q_err", "chi", "chi_err", "spread", "spread_err", "alignment",
                     "acceptance", "sigma", "phase", "T_AT_sk", "thesis_sigma"}, {}};
    std::vector<std::vector<Phase>> phase(nH, std::vector<Phase>(nT));
    // the matrices as one image: block (iT, ih) of size (R + 1) x (R + 1), NaN between blocks
    const int B = cfg.replicas + 1;
    std::vector<std::vector<double>> image(nH * B, std::vector<double>(nT * B, NAN));
    for (std::size_t i = 0; i < vtasks.size(); ++i) {
      const auto& t = vtasks[i];
      const auto& st = vstats[i];
      const Phase p = glass::classify(st, cfg.N);
      const double h = cfg.fields[t.ih], T = cfg.temperatures[t.iT];
      const double align = vruns[i].alignment;
      grid.add({h, T, double(t.ih), double(t.iT), st.q.value, st.q.error, st.chi.value, st.chi.error, st.spread.value,
                st.spread.error, align, vruns[i].acceptance, vruns[i].sigma, phase_code(p),
                glass::sk::at_temperature(h), t.thesis_sigma ? 1.0 : 0.0});
      if (t.thesis_sigma) continue;
      phase[t.ih][t.iT] = p;
      for (int a = 0; a < cfg.replicas; ++a)
        for (int b = 0; b < cfg.replicas; ++b)  // replica a counts downwards: the diagonal runs from top left
          image[t.ih * B + (cfg.replicas - 1 - a)][t.iT * B + b] = st.last(a, b);
    }
    lab::write_table(path("vector_grid.tsv"), grid);
    meta.parameters() = {{"N", cfg.N}, {"D", cfg.D}, {"replicas", cfg.replicas}, {"fields", cfg.fields},
                         {"temperatures", cfg.temperatures}, {"proposals", cfg.proposals}, {"thin", cfg.thin},
                         {"burn_in_fraction", cfg.burn_in_fraction}};
    meta.write_sidecar(path("vector_grid.tsv"), {{"phase_codes", {"paramagnetic", "field-aligned", "RSB"}}});
    lab::Table img{{"x", "y", "q"}, {}};
    for (int y = 0; y < nH * B; ++y)
      for (int x = 0; x < nT * B; ++x) img.add({double(x), double(y), image[y][x]});
    lab::write_table(path("vector_matrices.tsv"), img);
    meta.write_sidecar(path("vector_matrices.tsv"), {{"layout", "block (iT, ih) at x = iT (R+1) + b, y = ih (R+1) + (R-1-a); "
                                                                "the last recorded overlap matrix"}});
    // the SK line in block coordinates of that image (log-interpolated between grid values)
    lab::Table line_blocks{{"x", "y"}, {}};
    for (double h = cfg.fields.front() * 0.7; h <= cfg.fields.back() * 1.3; h *= 1.02) {
      const double t = glass::sk::at_temperature(h);
      line_blocks.add({log_index(cfg.temperatures, t) * B + (B - 1) / 2.0, log_index(cfg.fields, h) * B + (B - 1) / 2.0});
    }
    lab::write_table(path("sk_line_blocks.tsv"), line_blocks);
    meta.write_sidecar(path("sk_line_blocks.tsv"));

    // ---- 4. verdicts --------------------------------------------------------------------------------
    auto block = [&](std::vector<int> hs, std::vector<int> ts, Phase want, std::vector<std::string>& got) {
      std::size_t held = 0;
      for (int ih : hs)
        for (int iT : ts) {
          held += phase[ih][iT] == want;
          got.push_back(fmt::format("(h {:g}, T {:g}): {}", cfg.fields[ih], cfg.temperatures[iT],
                                    glass::to_string(phase[ih][iT])));
        }
      return held;
    };
    std::vector<std::string> g1, g2, g3;
    const std::size_t c1 = block({0, 1}, {0, 1}, Phase::rsb, g1);
    const std::size_t c2 = block({nH - 2, nH - 1}, {0, 1}, Phase::field_aligned, g2);
    const std::size_t c3 = block({0, 1}, {nT - 2, nT - 1}, Phase::paramagnetic, g3);
    std::size_t agree = 0, para_below = 0, rsb_count = 0;
    for (int ih = 0; ih < nH; ++ih)
      for (int iT = 0; iT < nT; ++iT) {
        const bool below = cfg.temperatures[iT] < glass::sk::at_temperature(cfg.fields[ih]);
        agree += (phase[ih][iT] == Phase::rsb) == below;
        para_below += below && phase[ih][iT] == Phase::paramagnetic;
        rsb_count += phase[ih][iT] == Phase::rsb;
      }
    const std::size_t total = static_cast<std::size_t>(nH * nT);
    const double agreement = double(agree) / double(total);
    // thesis width vs adapted width at the corners: same phase?
    std::size_t same = 0;
    std::vector<std::string> width_rows;
    for (std::size_t i = vtasks.size() - corners.size(); i < vtasks.size(); ++i) {
      const auto& t = vtasks[i];
      const Phase thesis = glass::classify(vstats[i], cfg.N);
      same += thesis == phase[t.ih][t.iT];
      std::size_t j = static_cast<std::size_t>(t.ih * nT + t.iT);
      width_rows.push_back(fmt::format("| {:g} | {:g} | {:.4f} / {:.3f} | {:.3f} / {:.3f} | {:.3f} / {:.3f} | {:.1f} / {:.1f} | {} / {} |",
                                       cfg.fields[t.ih], cfg.temperatures[t.iT], vruns[i].sigma, vruns[j].sigma,
                                       vruns[i].acceptance, vruns[j].acceptance,
                                       vstats[i].q.value, vstats[j].q.value, vstats[i].chi.value, vstats[j].chi.value,
                                       glass::to_string(thesis), glass::to_string(phase[t.ih][t.iT])));
    }
    const std::string source = "002_1df8271bdc20b922.txt";
    const std::string rule = fmt::format("rule fixed before the runs: RSB if chi > sqrt(N) = {:.1f}; otherwise "
                                         "paramagnetic if the mean off-diagonal overlap < 0.2, field-aligned above",
                                         glass::rsb_threshold(cfg.N));
    const double sk_frac = double(below_ok + above_ok) / double(std::max<std::size_t>(1, below_n + above_n));
    nlohmann::json claims = {
        {"chapter", "04-rsb-phase-diagram"},
        {"title", "The replica-symmetry-breaking phase diagram"},
        {"claims",
         {{{"id", "4.1"},
           {"claim", "Overlap matrices show replica symmetry breaking at low h and low T"},
           {"source", source + ", section 4.2, Fig. 4.2"},
           {"measured", fmt::format("{}/4 of the lowest-h, lowest-T block are RSB: {}", c1, fmt::join(g1, "; "))},
           {"criterion", "all 4 grid points with the two lowest h and the two lowest T classified RSB; " + rule},
           {"verdict", verdict_of(c1, 4)}},
          {{"id", "4.2"},
           {"claim", "High h and low T give a field-aligned phase (uniform overlaps)"},
           {"source", source + ", section 4.2, Fig. 4.2"},
           {"measured", fmt::format("{}/4 of the highest-h, lowest-T block are field-aligned: {}", c2, fmt::join(g2, "; "))},
           {"criterion", "all 4 grid points with the two highest h and the two lowest T field-aligned (same rule)"},
           {"verdict", verdict_of(c2, 4)}},
          {{"id", "4.3"},
           {"claim", "Low h and high T give a paramagnetic phase (zero off-diagonal overlaps)"},
           {"source", source + ", section 4.2, Fig. 4.2"},
           {"measured", fmt::format("{}/4 of the lowest-h, highest-T block are paramagnetic: {}", c3, fmt::join(g3, "; "))},
           {"criterion", "all 4 grid points with the two lowest h and the two highest T paramagnetic (same rule)"},
           {"verdict", verdict_of(c3, 4)}},
          {{"id", "4.4"},
           {"claim", "The RSB boundary resembles the SK de Almeida-Thouless line, the paramagnet reaching below it at low h"},
           {"source", source + ", section 4.2"},
           {"measured", fmt::format("RSB <=> below the SK line at {}/{} grid points ({:.0f}%); {} RSB points; {} "
                                    "paramagnetic points below the line",
                                    agree, total, 100 * agreement, rsb_count, para_below)},
           {"criterion", "agreement >= 80%: reproduced; >= 60%: partly; below: not reproduced"},
           {"verdict", agreement >= 0.8 ? "reproduced" : agreement >= 0.6 ? "partly" : "not reproduced"}},
          {{"id", "4.5"},
           {"claim", "Validation: the same replica measurement finds the AT line of binary SK"},
           {"source", "de Almeida and Thouless 1978; issue 3"},
           {"measured", fmt::format("N = {}: RSB at {}/{} points well below the line, RS at {}/{} well above{}", n_max,
                                    below_ok, below_n, above_ok, above_n,
                                    sk_fail.empty() ? std::string() : fmt::format(" (wrong: {})", fmt::join(sk_fail, ", ")))},
           {"criterion", "at the largest N every grid point with T <= 0.6 T_AT(h) is RSB and every point with "
                         "T >= 1.4 T_AT(h) is not (all: reproduced; >= 75%: partly)"},
           {"verdict", sk_frac == 1.0 ? "reproduced" : sk_frac >= 0.75 ? "partly" : "not reproduced"}},
          {{"id", "4.6"},
           {"claim", "Local proposals (sigma = 1/(N sqrt D)) cause no issue with ergodicity"},
           {"source", source + ", section 4.2 and appendix B.3"},
           {"measured", fmt::format("same phase as the adapted-width chain at {}/{} corner points, {} proposals per replica",
                                    same, corners.size(), cfg.proposals)},
           {"criterion", "the thesis's width gives the same phase as the adapted width at all three corners"},
           {"verdict", verdict_of(same, corners.size())}}}}};
    lab::write_claims(path("claims.json"), claims, "claims.json");

    // ---- 5. values for the text and the figures --------------------------------------------------------
    std::string vtable = "| h (rows), T (columns) | " + fmt::format("{}", fmt::join(cfg.temperatures, " | ")) + " |\n|---|";
    for (int iT = 0; iT < nT; ++iT) vtable += "---|";
    vtable += "\n";
    for (int ih = nH - 1; ih >= 0; --ih) {
      vtable += fmt::format("| {:g} |", cfg.fields[ih]);
      for (int iT = 0; iT < nT; ++iT) {
        const auto& st = vstats[static_cast<std::size_t>(ih * nT + iT)];
        vtable += fmt::format(" {} (q {:.2f}, chi {:.1f} ± {:.1f}) |", glass::to_string(phase[ih][iT]), st.q.value,
                              st.chi.value, st.chi.error);
      }
      vtable += "\n";
    }
    results["vector_table"] = vtable;
    results["width_table"] = "| h | T | sigma (thesis / adapted) | acceptance (thesis / adapted) | q (thesis / adapted) | "
                             "chi (thesis / adapted) | phase (thesis / adapted) |\n|---|---|---|---|---|---|---|\n" +
                             fmt::format("{}", fmt::join(width_rows, "\n")) + "\n";
    results["claims_table"] = lab::claims_markdown({claims});
    results["N"] = cfg.N;
    results["D"] = cfg.D;
    results["replicas"] = cfg.replicas;
    results["proposals"] = fmt::format("{:.0e}", double(cfg.proposals));
    results["thin"] = fmt::format("{:.0e}", double(cfg.thin));
    results["threshold"] = fmt::format("{:.1f}", glass::rsb_threshold(cfg.N));
    results["sk_threshold"] = fmt::format("{:.1f}", glass::rsb_threshold(n_max));
    results["agreement"] = fmt::format("{}/{}", agree, total);
    results["para_below"] = para_below;
    results["sk_below"] = fmt::format("{}/{}", below_ok, below_n);
    results["sk_above"] = fmt::format("{}/{}", above_ok, above_n);
    results["thesis_sigma"] = fmt::format("{:.4f}", glass::thesis_proposal_width(cfg.N, cfg.D));
    results["fields"] = fmt::format("{}", fmt::join(cfg.fields, ", "));
    results["temperatures"] = fmt::format("{}", fmt::join(cfg.temperatures, ", "));
    results["wall_s"] = fmt::format("{:.0f}", std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count());
    results["threads"] = cfg.workers;

    lab::write_file_atomically(
        path("plot_vars.gp"),
        fmt::format("fields = \"{}\"\ntemps = \"{}\"\nB = {}\nnH = {}\nnT = {}\nNvec = {}\nsk_nmin = {}\nsk_nmax = {}\n"
                    "sk_fields = \"{}\"\nthr = {:g}\n",
                    lab::format_keys(cfg.fields), lab::format_keys(cfg.temperatures), B, nH, nT, cfg.N, n_min, n_max,
                    lab::format_keys(cfg.sk_fields), glass::rsb_threshold(cfg.N)));
    lab::write_file_atomically(path("results.json"), results.dump(2) + "\n");
  });
}
