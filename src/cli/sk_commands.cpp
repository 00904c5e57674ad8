// spinformer sk rs|at-line: the SK model's replica-symmetric overlap and de Almeida-Thouless line.
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "glass/sk.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::cli {

void add_sk_commands(CLI::App& app) {
  auto* sk = app.add_subcommand("sk", "the Sherrington-Kirkpatrick model (binary spins, J = 1): RS solution, AT line");
  sk->require_subcommand(1);

  struct RsFlags {
    double T = 0.5, h = 0.0;
    bool json = false;
  };
  auto rs_flags = std::make_shared<RsFlags>();
  auto* rs = sk->add_subcommand("rs", "replica-symmetric overlap q(T, h) = E tanh^2(beta (sqrt(q) z + h))");
  add_real(*rs, "--T", rs_flags->T, 1e-6, 1e6, "temperature T (units of J)");
  add_real(*rs, "--h", rs_flags->h, -50, 50, "uniform field h");
  rs->add_flag("--json", rs_flags->json, "print one JSON object {\"T\", \"h\", \"q\"}");
  rs->callback([rs_flags] {
    const double q = glass::sk::rs_overlap(rs_flags->T, rs_flags->h);
    if (rs_flags->json) {
      std::cout << nlohmann::json{{"T", rs_flags->T}, {"h", rs_flags->h}, {"q", q}}.dump() << '\n';
      return;
    }
    const double lambda = glass::sk::replicon(rs_flags->T, rs_flags->h);
    fmt::print("SK replica-symmetric solution at T = {}, h = {}\n", rs_flags->T, rs_flags->h);
    fmt::print("  q        {:.12g}\n", q);
    fmt::print("  replicon {:.12g} ({})\n", lambda, lambda > 0 ? "RS stable" : "RS unstable: below the AT line");
  });

  struct AtFlags {
    double h = 0.5;
    bool json = false;
  };
  auto at_flags = std::make_shared<AtFlags>();
  auto* at = sk->add_subcommand("at-line", "de Almeida-Thouless temperature T_AT(h)");
  add_real(*at, "--h", at_flags->h, -4.5, 4.5, "uniform field h");
  at->add_flag("--json", at_flags->json, "print one JSON object {\"h\", \"T_AT\"}");
  at->callback([at_flags] {
    const double t_at = glass::sk::at_temperature(at_flags->h);
    if (at_flags->json) {
      std::cout << nlohmann::json{{"h", at_flags->h}, {"T_AT", t_at}}.dump() << '\n';
      return;
    }
    fmt::print("SK de Almeida-Thouless line at h = {}: T_AT = {:.12g} (q there = {:.12g})\n", at_flags->h, t_at,
               glass::sk::rs_overlap(t_at, at_flags->h));
  });
}

}  // namespace spinformer::cli
