// Chapter 4 — The replica-symmetry-breaking phase diagram.
// 1. The exact SK de Almeida-Thouless line (RS solution by quadrature, replicon by root finding).
// 2. Validation on binary SK: parallel tempering, several sizes, many disorder samples; equilibration
//    by the Gaussian-coupling energy identity; the spin-glass susceptibility chi_SG / N^(1/3), whose
//    curves for different N cross at the transition, judged against the exact line.
// 3. The same method on the vector-spin model (tensor overlap, many replicas and disorder draws) over
//    a grid of field strength h and temperature T; its h = 0 freezing temperature from the crossing;
//    R-hat across dispersed starts for the thesis's proposal width and the adapted one at the corners.
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

// 2. SK validation: parallel tempering, the crossings against the exact line, the cost; returns its seconds.
double sk_validation(lab::Chapter& ch, const Config& cfg, int workers, ClaimInputs& ci) {
  const auto start = std::chrono::steady_clock::now();
  nlohmann::json& results = ch.results();
  const std::vector<double> sk_T = sk_ladder(cfg);
  const std::size_t nN = cfg.sk_sizes.size(), nF = cfg.sk_fields.size(), nS = static_cast<std::size_t>(cfg.sk_samples);
  std::vector<lab::Job> sk_jobs;
  for (std::size_t in = 0; in < nN; ++in)
    for (std::size_t ih = 0; ih < nF; ++ih)
      for (std::size_t s = 0; s < nS; ++s) {
        lab::Job job = ch.job("sk", fmt::format("SK N = {}, h = {:g}, sample {}", cfg.sk_sizes[in], cfg.sk_fields[ih], s),
                              {{"n", in}, {"h", ih}, {"sample", s}});
        // the seed the committed data were made with (the job's place in this order), not lab::job_seed:
        // the data are re-stamped, not rerun, so every number must stay the same
        job.seed = cfg.seed + 100003 * sk_jobs.size();
        sk_jobs.push_back(std::move(job));
      }
  const auto sk_runs = ch.run_jobs("sk", sk_jobs);
  const bool sk_ran = std::any_of(sk_runs.begin(), sk_runs.end(), [](const lab::JobResult& r) { return !r.cached; });
  const double sk_seconds = seconds_since(start);
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
  ch.table("sk_replicas.tsv", sk_table, "sk", {},
           {{"temperatures", sk_T},
            {"chi_scaled", "disorder mean of chi_SG / N^(1/3); chi_SG = N [<q^2>] at h = 0, N [<q^2> - <q>^2] in a field"},
            {"identity", "disorder mean of e_J + (beta/2)(1 - <q^2>), zero in equilibrium"}});
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
  const double per_job = sk_ran ? sk_seconds * workers / static_cast<double>(sk_jobs.size()) : NAN;
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

  return sk_seconds;
}

// 3. The vector-spin model over (h, T): the grid, the h = 0 freezing temperature, the proposal widths.
void vector_model(lab::Chapter& ch, const Config& cfg, ClaimInputs& ci) {
  nlohmann::json& results = ch.results();
  const std::size_t nV = cfg.sizes.size(), nH = cfg.fields.size(), nT = cfg.temperatures.size();
  const std::size_t nD = static_cast<std::size_t>(cfg.draws);
  std::vector<lab::Job> vjobs;
  auto vjob = [&](std::size_t iv, std::size_t ih, std::size_t iT, std::size_t d, bool thesis) {
    lab::Job job = ch.job("vector", fmt::format("N = {}, h = {:g}, T = {:g}, draw {}{}", cfg.sizes[iv], cfg.fields[ih], cfg.temperatures[iT], d, thesis ? ", thesis width" : ""),
                          {{"n", iv}, {"h", ih}, {"t", iT}, {"draw", d}, {"thesis", thesis ? 1u : 0u}});
    // the seed the committed data were made with, not lab::job_seed (the data are re-stamped, not rerun);
    // the same starts for both widths
    job.seed = cfg.seed + 7 * (((iv * nH + ih) * nT + iT) * nD + d) + 1;
    vjobs.push_back(std::move(job));
  };
  for (std::size_t iv = 0; iv < nV; ++iv)
    for (std::size_t ih = 0; ih < nH; ++ih)
      for (std::size_t iT = 0; iT < nT; ++iT)
        for (std::size_t d = 0; d < nD; ++d) vjob(iv, ih, iT, d, false);
  const std::vector<std::pair<std::size_t, std::size_t>> corners{{0, 0}, {nH - 1, 0}, {0, nT - 1}, {nH - 1, nT - 1}};
  for (auto [ih, iT] : corners)
    for (std::size_t d = 0; d < nD; ++d) vjob(0, ih, iT, d, true);
  std::vector<VectorResult> vr;
  for (const auto& r : ch.run_jobs("vector", vjobs)) vr.push_back(vector_from_json(r.value));
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
  ch.table("vector_grid.tsv", vgrid, "vector", {}, {{"chi_scaled", "disorder mean of chi_SG / N^(1/3) from the tensor overlap"}});
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
  ch.table("vector_matrices.tsv", blocks, "vector", {{"n", nV - 1}, {"draw", 0}},
           {{"what", "||Q_ab||_F of the last recorded states, draw 0, largest N"}});
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
  // the replicas of one vector-spin draw at (size n, field h, temperature t), adapted or thesis proposal width
  ch.step("vector", [](const nlohmann::json& p, std::uint64_t seed) {
    const auto cfg = p.at("config").get<Config>();
    return vector_job(vector_parameters(cfg, cfg.sizes.at(p.at("n").get<std::size_t>()), cfg.fields.at(p.at("h").get<std::size_t>()),
                                        cfg.temperatures.at(p.at("t").get<std::size_t>()), p.at("draw").get<int>(),
                                        p.at("thesis").get<int>() != 0),
                      seed);
  });
  const lab::Profiles profiles{
      {"paper", nlohmann::json::object()},
      {"quick", {{"sk_sizes", {16, 32, 64}}, {"sk_fields", {0.0, 0.3}}, {"sk_temperatures", 10}, {"sk_samples", 8},
                 {"sk_burn_in", 300}, {"sk_sweeps", 600}, {"sk_thin", 3}, {"sizes", {8, 16, 32}}, {"D", 4},
                 {"replicas", 8}, {"draws", 4}, {"fields", {0.0, 0.4, 1.6}}, {"temperatures", {0.025, 0.1, 0.4}},
                 {"sweeps", 200}, {"thin_sweeps", 10}}}};

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
    results["replicas"] = cfg.replicas;
    results["draws"] = cfg.draws;
    results["sweeps"] = cfg.sweeps;
    results["fields"] = fmt::format("{}", fmt::join(cfg.fields, ", "));
    results["temperatures"] = fmt::format("{}", fmt::join(cfg.temperatures, ", "));
    const double wall = seconds_since(wall_start);
    results["wall_s"] = fmt::format("{:.0f}", wall);
    results["vector_seconds"] = fmt::format("{:.0f}", wall - sk_seconds);
    results["threads"] = workers;
    // written here, not with ch.plot_var: tf is NaN when no crossing is found, which plot_var cannot write
    lab::write_file_atomically(
        ch.path("plot_vars.gp"),
        fmt::format("fields = \"{}\"\ntemps = \"{}\"\nB = {}\nnH = {}\nnT = {}\nsizes = \"{}\"\nsk_sizes = \"{}\"\n"
                    "sk_fields = \"{}\"\nsk_tat = \"{}\"\nvec_tat = \"{}\"\ntf = {}\n",
                    lab::format_keys(cfg.fields), lab::format_keys(cfg.temperatures), cfg.replicas + 1, cfg.fields.size(), cfg.temperatures.size(), fmt::join(cfg.sizes, " "),
                    fmt::join(cfg.sk_sizes, " "), lab::format_keys(cfg.sk_fields), lab::format_keys(at_line(cfg.sk_fields)),
                    lab::format_keys(at_line(cfg.fields)), std::isfinite(ci.t_freeze) ? fmt::format("{:g}", ci.t_freeze) : "NaN"));
  });
}
