// Chapter 4 — The replica-symmetry-breaking phase diagram.
// 1. The exact SK de Almeida-Thouless line (RS solution by quadrature, replicon by root finding).
// 2. Validation on binary SK: parallel tempering, several sizes, many disorder samples; equilibration
//    by the Gaussian-coupling energy identity; the spin-glass susceptibility chi_SG / N^(1/3), whose
//    curves for different N cross at the transition, judged against the exact line.
// 3. The same method on the vector-spin model (tensor overlap, many replicas and disorder draws) over
//    a grid of field strength h and temperature T; its h = 0 freezing temperature from the crossing;
//    R-hat across dispersed starts for the thesis's proposal width and the adapted one at the corners.
// 4. Verdicts by the paper's rule (claims.cpp).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "code_hash.hpp"
#include "glass/sk.hpp"
#include "glass/replicas.hpp"
#include "lab/atomic_file.hpp"
#include "lab/chapter_cli.hpp"
#include "lab/jobs.hpp"
#include "lab/report.hpp"
#include "lab/run_metadata.hpp"
#include "lab/tsv.hpp"
#include "lab/usage_error.hpp"

#include "rsb_phase_diagram.hpp"

using namespace spinformer;

std::vector<double> at_line(const std::vector<double>& fields) {
  std::vector<double> t;
  for (double h : fields) t.push_back(glass::sk::at_temperature(h));
  return t;
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
    // ---- 0. the jobs: parallel tempering on one SK sample; the replicas of one vector-spin draw ----------
    lab::Engine engine(lab::chapter_engine("ch04", profile_name, out_dir, cfg.workers, SPINFORMER_CODE_HASH));
    engine.define("sk", [](const lab::Job& job, const lab::JobContext&) { return sk_job(job.parameters, job.seed); });
    engine.define("vector", [](const lab::Job& job, const lab::JobContext&) { return vector_job(job.parameters, job.seed); });
    if (!engine.root()) return (void)engine.serve();
    lab::require_writable(out_dir + "/results.json", "--out");
    auto path = [&](const std::string& name) { return out_dir + "/" + name; };
    const auto wall_start = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count(); };
    nlohmann::json results;
    results["profile"] = profile_name;
    auto scale = [](int N) { return std::cbrt(static_cast<double>(N)); };  // chi_SG ~ N^(1/3) at the transition

    // ---- 1. the exact SK AT line ---------------------------------------------------------------
    lab::RunMetadata meta("ch04");
    lab::Table line{{"h", "T_AT", "q_at_line"}, {}};
    for (double h = 0; h <= 2.0001; h += 0.02) {
      const double t = glass::sk::at_temperature(h);
      line.add({h, t, glass::sk::rs_overlap(t, h)});
    }
    lab::write_table(path("sk_at_line.tsv"), line);
    meta.write_sidecar(path("sk_at_line.tsv"), {{"what", "exact SK de Almeida-Thouless line, J = 1"}});
    for (double h : {0.1, 0.3, 0.5, 1.0}) results[fmt::format("T_AT_h{:g}", h)] = fmt::format("{:.4f}", glass::sk::at_temperature(h));
    results["small_h_ratio"] = fmt::format("{:.4f}", 1e-6 / (4.0 / 3.0 * std::pow(1 - glass::sk::at_temperature(1e-3), 3)));

    // ---- 2. SK validation -------------------------------------------------------------------------
    std::vector<double> sk_T;
    for (int k = 0; k < cfg.sk_temperatures; ++k)
      sk_T.push_back(cfg.sk_tmin * std::pow(cfg.sk_tmax / cfg.sk_tmin, k / double(cfg.sk_temperatures - 1)));
    const std::size_t nN = cfg.sk_sizes.size(), nF = cfg.sk_fields.size(), nS = static_cast<std::size_t>(cfg.sk_samples);
    std::vector<lab::Job> sk_jobs;
    for (std::size_t in = 0; in < nN; ++in)
      for (std::size_t ih = 0; ih < nF; ++ih)
        for (std::size_t s = 0; s < nS; ++s)
          sk_jobs.push_back({fmt::format("SK N = {}, h = {:g}, sample {}", cfg.sk_sizes[in], cfg.sk_fields[ih], s),
                             sk_parameters(cfg, sk_T, cfg.sk_sizes[in], cfg.sk_fields[ih], static_cast<int>(s)),
                             cfg.seed + 100003 * sk_jobs.size(), {}});
    const auto sk_runs = engine.run("sk", sk_jobs);
    const double sk_seconds = seconds();
    // chi[in][ih][k]: chi_SG / N^(1/3) per sample; ident[in][ih]: the identity at the lowest T per sample
    std::vector<std::vector<std::vector<Samples>>> chi(nN, std::vector<std::vector<Samples>>(nF, std::vector<Samples>(sk_T.size())));
    std::vector<std::vector<std::vector<Samples>>> ident = chi;
    double min_swap = 1;
    for (std::size_t j = 0; j < sk_runs.size(); ++j) {
      const std::size_t in = j / (nF * nS), ih = (j / nS) % nF;
      const auto r = sk_from_json(sk_runs[j].value);
      min_swap = std::min(min_swap, r.min_swap);
      const int N = cfg.sk_sizes[in];
      for (std::size_t k = 0; k < sk_T.size(); ++k) {
        const auto& p = r.by_temperature[k];
        chi[in][ih][k].push_back(glass::spin_glass_susceptibility(N, {p.q2, p.mean_norm2}, cfg.sk_fields[ih] != 0) / scale(N));
        ident[in][ih][k].push_back(p.coupling_energy + 0.5 / sk_T[k] * (1 - p.q2));
      }
    }
    lab::Table sk_table{{"N", "h", "T", "chi_scaled", "chi_scaled_err", "identity", "identity_err", "T_AT"}, {}};
    for (std::size_t in = 0; in < nN; ++in)
      for (std::size_t ih = 0; ih < nF; ++ih)
        for (std::size_t k = 0; k < sk_T.size(); ++k) {
          const auto c = sample_mean(chi[in][ih][k]), d = sample_mean(ident[in][ih][k]);
          sk_table.add({double(cfg.sk_sizes[in]), cfg.sk_fields[ih], sk_T[k], c.value, c.error, d.value, d.error,
                        glass::sk::at_temperature(cfg.sk_fields[ih])});
        }
    lab::write_table(path("sk_replicas.tsv"), sk_table);
    meta.parameters() = {{"sizes", cfg.sk_sizes}, {"fields", cfg.sk_fields}, {"temperatures", sk_T},
                         {"samples", cfg.sk_samples}, {"replicas", cfg.sk_replicas}, {"burn_in_sweeps", cfg.sk_burn_in},
                         {"sweeps", cfg.sk_sweeps}, {"thin", cfg.sk_thin}};
    meta.set_seed(cfg.seed);
    meta.write_sidecar(path("sk_replicas.tsv"), {{"chi_scaled", "disorder mean of chi_SG / N^(1/3); chi_SG = N [<q^2>] at h = 0, N [<q^2> - <q>^2] in a field"},
                                                 {"identity", "disorder mean of e_J + (beta/2)(1 - <q^2>), zero in equilibrium"}});
    // crossings of every pair of neighbouring sizes, per field; the claim uses the two largest
    ClaimInputs ci;
    ci.source = "002_1df8271bdc20b922.txt";
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
    lab::write_table(path("sk_crossings.tsv"), cross_table);
    meta.write_sidecar(path("sk_crossings.tsv"), {{"interval", "bootstrap over disorder samples, percentiles, Bonferroni over fields"}});
    std::string cross_head = "| h | T_AT (exact) |", cross_rule = "|---|---|";
    for (std::size_t in = 0; in + 1 < nN; ++in)
      cross_head += fmt::format(" crossing N = {} / {} |", cfg.sk_sizes[in], cfg.sk_sizes[in + 1]), cross_rule += "---|";
    results["sk_samples_needed"] = needed;
    results["sk_crossing_table"] = cross_head + "\n" + cross_rule + "\n" + cross_rows;
    for (std::size_t ih = 0; ih < nF; ++ih)
      for (std::size_t k = 0; k < sk_T.size(); ++k) ci.sk_points.push_back({cfg.sk_fields[ih], sk_T[k], chi[0][ih][k], chi[nN - 1][ih][k]});
    double worst_identity = 0;
    for (std::size_t in_ = 0; in_ < nN; ++in_)
      for (std::size_t ih = 0; ih < nF; ++ih) {
        ci.identity.push_back({fmt::format("N = {}, h = {:g}, T = {:.2f}", cfg.sk_sizes[in_], cfg.sk_fields[ih], sk_T[0]), ident[in_][ih][0]});
        worst_identity = std::max(worst_identity, std::abs(sample_mean(ident[in_][ih][0]).value));
      }
    results["sk_worst_identity"] = fmt::format("{:.4f}", worst_identity);
    results["sk_sizes"] = fmt::format("{}", fmt::join(cfg.sk_sizes, ", "));
    results["sk_fields"] = fmt::format("{}", fmt::join(cfg.sk_fields, ", "));
    results["sk_samples"] = cfg.sk_samples;
    results["sk_replicas"] = cfg.sk_replicas;
    results["sk_sweeps"] = cfg.sk_sweeps;
    results["sk_burn_in"] = cfg.sk_burn_in;
    results["sk_ntemps"] = cfg.sk_temperatures;
    results["sk_tmin"] = fmt::format("{:.2f}", cfg.sk_tmin);
    results["sk_tmax"] = fmt::format("{:.2f}", cfg.sk_tmax);
    results["sk_min_swap"] = fmt::format("{:.2f}", min_swap);
    // cost per sample at the largest N, for sizing bigger studies (measured on this run's fresh jobs)
    const double per_job = engine.jobs_run() > 0 ? sk_seconds * cfg.workers / static_cast<double>(sk_jobs.size()) : NAN;
    results["sk_seconds"] = fmt::format("{:.0f}", sk_seconds);
    // per-sweep cost grows as N^2: split the measured core time over sizes by N^2 (an estimate)
    double n2 = 0;
    for (int N : cfg.sk_sizes) n2 += double(N) * N;
    const double per_256 = per_job * double(nN) * 256 * 256 / n2;
    const double sweeps_total = double(cfg.sk_burn_in + cfg.sk_sweeps);
    results["sk_core_s_256"] = std::isfinite(per_job) ? fmt::format("{:.1f}", per_256) : "(cached run: not measured)";
    results["sk_core_h_256_study"] = std::isfinite(per_job) ? fmt::format("{:.2f}", per_256 * 32 * double(nF) / 3600) : "?";
    results["sk_core_h_512_study"] = std::isfinite(per_job) ? fmt::format("{:.1f}", 4 * 4 * per_256 * 32 * double(nF) / 3600) : "?";
    results["sk_total_sweeps"] = fmt::format("{:.0f}", sweeps_total);

    // ---- 3. the vector-spin model -------------------------------------------------------------------
    const std::size_t nV = cfg.sizes.size(), nH = cfg.fields.size(), nT = cfg.temperatures.size();
    const std::size_t nD = static_cast<std::size_t>(cfg.draws);
    std::vector<lab::Job> vjobs;
    auto vjob = [&](std::size_t iv, std::size_t ih, std::size_t iT, std::size_t d, bool thesis) {
      const int N = cfg.sizes[iv];
      vjobs.push_back({fmt::format("N = {}, h = {:g}, T = {:g}, draw {}{}", N, cfg.fields[ih], cfg.temperatures[iT], d, thesis ? ", thesis width" : ""),
                       vector_parameters(cfg, N, cfg.fields[ih], cfg.temperatures[iT], static_cast<int>(d), thesis),
                       cfg.seed + 7 * (((iv * nH + ih) * nT + iT) * nD + d) + 1, {}});  // same starts for both widths
    };
    for (std::size_t iv = 0; iv < nV; ++iv)
      for (std::size_t ih = 0; ih < nH; ++ih)
        for (std::size_t iT = 0; iT < nT; ++iT)
          for (std::size_t d = 0; d < nD; ++d) vjob(iv, ih, iT, d, false);
    const std::vector<std::pair<std::size_t, std::size_t>> corners{{0, 0}, {nH - 1, 0}, {0, nT - 1}, {nH - 1, nT - 1}};
    for (auto [ih, iT] : corners)
      for (std::size_t d = 0; d < nD; ++d) vjob(0, ih, iT, d, true);
    std::vector<VectorResult> vr;
    for (const auto& r : engine.run("vector", vjobs)) vr.push_back(vector_from_json(r.value));
    auto at = [&](std::size_t iv, std::size_t ih, std::size_t iT, std::size_t d) -> const VectorResult& {
      return vr[((iv * nH + ih) * nT + iT) * nD + d];
    };
    std::vector<std::vector<Samples>> vchi(nV, std::vector<Samples>(nH * nT));
    lab::Table vgrid{{"N", "h", "T", "chi_scaled", "chi_scaled_err", "alignment", "rhat", "acceptance", "sigma", "T_AT_sk"}, {}};
    for (std::size_t iv = 0; iv < nV; ++iv)
      for (std::size_t ih = 0; ih < nH; ++ih)
        for (std::size_t iT = 0; iT < nT; ++iT) {
          const int N = cfg.sizes[iv];
          Samples align, rhat;
          double acc = 0, sig = 0;
          for (std::size_t d = 0; d < nD; ++d) {
            const auto& r = at(iv, ih, iT, d);
            vchi[iv][ih * nT + iT].push_back(glass::spin_glass_susceptibility(N, {r.q2, r.mean_norm2}, cfg.fields[ih] != 0) / scale(N));
            align.push_back(r.alignment), rhat.push_back(r.rhat);
            acc += r.acceptance / double(nD), sig += r.sigma / double(nD);
          }
          const auto c = sample_mean(vchi[iv][ih * nT + iT]);
          vgrid.add({double(N), cfg.fields[ih], cfg.temperatures[iT], c.value, c.error, sample_mean(align).value,
                     sample_mean(rhat).value, acc, sig, glass::sk::at_temperature(cfg.fields[ih])});
          if (iv + 1 == nV) ci.alignment.push_back(align);
        }
    lab::write_table(path("vector_grid.tsv"), vgrid);
    meta.parameters() = {{"sizes", cfg.sizes}, {"D", cfg.D}, {"replicas", cfg.replicas}, {"draws", cfg.draws},
                         {"fields", cfg.fields}, {"temperatures", cfg.temperatures}, {"sweeps", cfg.sweeps},
                         {"thin_sweeps", cfg.thin_sweeps}, {"burn_in_fraction", cfg.burn_in_fraction}};
    meta.write_sidecar(path("vector_grid.tsv"), {{"chi_scaled", "disorder mean of chi_SG / N^(1/3) from the tensor overlap"}});
    // the h = 0 freezing temperature: crossing of the two largest sizes at h = 0 (fields[0] must be 0)
    {
      std::vector<Samples> small, large;
      for (std::size_t iT = 0; iT < nT; ++iT) small.push_back(vchi[nV - 2][iT]), large.push_back(vchi[nV - 1][iT]);
      const auto c = crossing(cfg.temperatures, small, large, 0.95, cfg.seed + 999);
      ci.t_freeze = cfg.fields[0] == 0 && c.inside ? c.T.estimate : NAN;
      results["t_freeze"] = c.inside ? fmt::format("{:.3f} (95% bootstrap interval [{:.3f}, {:.3f}])", c.T.estimate, c.T.lower, c.T.upper)
                                     : fmt::format("not found in [{:g}, {:g}]", cfg.temperatures.front(), cfg.temperatures.back());
    }
    ci.nmin = cfg.sizes.front(), ci.nmax = cfg.sizes.back(), ci.draws = cfg.draws, ci.replicas = cfg.replicas;
    ci.fields = cfg.fields, ci.temperatures = cfg.temperatures;
    for (std::size_t ih = 0; ih < nH; ++ih)
      for (std::size_t iT = 0; iT < nT; ++iT) ci.vector_points.push_back({cfg.fields[ih], cfg.temperatures[iT], vchi[0][ih * nT + iT], vchi[nV - 1][ih * nT + iT]});
    std::string width_rows;
    for (std::size_t c = 0; c < corners.size(); ++c) {
      const auto [ih, iT] = corners[c];
      ClaimInputs::Corner k{cfg.fields[ih], cfg.temperatures[iT], {}, {}};
      double acc_t = 0, acc_a = 0;
      for (std::size_t d = 0; d < nD; ++d) {
        const auto& thesis = vr[nV * nH * nT * nD + c * nD + d];
        k.rhat_thesis.push_back(thesis.rhat), k.rhat_adapted.push_back(at(0, ih, iT, d).rhat);
        acc_t += thesis.acceptance / double(nD), acc_a += at(0, ih, iT, d).acceptance / double(nD);
      }
      width_rows += fmt::format("| {:g} | {:g} | {:.3f} / {:.3f} | {:.2f} / {:.2f} |\n", k.h, k.T, acc_t, acc_a,
                                sample_mean(k.rhat_thesis).value, sample_mean(k.rhat_adapted).value);
      ci.corners.push_back(k);
    }
    results["width_table"] = "| h | T | acceptance (thesis / adapted) | R-hat of H/N (thesis / adapted) |\n|---|---|---|---|\n" + width_rows;
    // the last tensor-overlap matrices of draw 0 at the largest N, one block per grid point (thesis Fig. 4.2)
    const int R = cfg.replicas, B = R + 1;
    lab::Table blocks{{"x", "y", "Q"}, {}};
    for (std::size_t ih = 0; ih < nH; ++ih)
      for (std::size_t iT = 0; iT < nT; ++iT) {
        const auto& last = at(nV - 1, ih, iT, 0).last;
        for (int a = 0; a < B; ++a)
          for (int b = 0; b < B; ++b)
            blocks.add({double(iT * B + b), double(ih * B + a), a < R && b < R ? last[a][b] : NAN});
      }
    lab::write_table(path("vector_matrices.tsv"), blocks);
    meta.write_sidecar(path("vector_matrices.tsv"), {{"what", "||Q_ab||_F of the last recorded states, draw 0, largest N"}});

    // ---- 4. verdicts ----------------------------------------------------------------------------------
    const auto claims = make_claims(ci).to_json();
    lab::write_claims(path("claims.json"), claims, "claims.json");

    // ---- 5. values for the text and the figures --------------------------------------------------------
    results["claims_table"] = lab::claims_markdown({claims});
    results["verdict_changes"] = verdict_changes(claims);
    for (const auto& c : claims.at("claims")) results["status_" + c.at("id").get<std::string>()] = status_count(c);
    results["sizes"] = fmt::format("{}", fmt::join(cfg.sizes, ", "));
    results["D"] = cfg.D;
    results["replicas"] = cfg.replicas;
    results["draws"] = cfg.draws;
    results["sweeps"] = cfg.sweeps;
    results["fields"] = fmt::format("{}", fmt::join(cfg.fields, ", "));
    results["temperatures"] = fmt::format("{}", fmt::join(cfg.temperatures, ", "));
    results["wall_s"] = fmt::format("{:.0f}", seconds());
    results["vector_seconds"] = fmt::format("{:.0f}", seconds() - sk_seconds);
    results["threads"] = cfg.workers;
    lab::write_file_atomically(
        path("plot_vars.gp"),
        fmt::format("fields = \"{}\"\ntemps = \"{}\"\nB = {}\nnH = {}\nnT = {}\nsizes = \"{}\"\nsk_sizes = \"{}\"\n"
                    "sk_fields = \"{}\"\nsk_tat = \"{}\"\nvec_tat = \"{}\"\ntf = {}\n",
                    lab::format_keys(cfg.fields), lab::format_keys(cfg.temperatures), B, nH, nT, fmt::join(cfg.sizes, " "),
                    fmt::join(cfg.sk_sizes, " "), lab::format_keys(cfg.sk_fields), lab::format_keys(at_line(cfg.sk_fields)),
                    lab::format_keys(at_line(cfg.fields)), std::isfinite(ci.t_freeze) ? fmt::format("{:g}", ci.t_freeze) : "NaN"));
    lab::write_file_atomically(path("results.json"), results.dump(2) + "\n");
  });
}
