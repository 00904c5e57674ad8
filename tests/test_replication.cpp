// The replication report: statistical numbers agree within z <= 3, exact ones only when equal, timing
// fields are never compared, and a changed verdict is reported.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "lab/replication.hpp"
#include "lab/usage_error.hpp"

namespace fs = std::filesystem;
using namespace spinformer::lab;

namespace {

struct Dirs {
  fs::path root, old_dir, new_dir;
  Dirs() {
    char tmpl[] = "/tmp/spinformer-repl-XXXXXX";
    root = ::mkdtemp(tmpl);
    old_dir = root / "old";
    new_dir = root / "new";
    fs::create_directories(old_dir);
    fs::create_directories(new_dir);
    // the two files every chapter's data hold (replicate refuses a directory without them)
    for (const auto& dir : {old_dir, new_dir}) {
      write(dir, "results.json", "{}");
      write(dir, "claims.json", R"({"claims": []})");
    }
  }
  ~Dirs() { fs::remove_all(root); }
  void write(const fs::path& dir, const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; }
};

}  // namespace

TEST(Replication, StatisticalExactAndTimingNumbers) {
  Dirs d;
  d.write(d.old_dir, "results.json", R"({"kl": "1.0e-04 ± 1e-05", "L": 32, "wall_minutes": "3.0", "far": "5 ± 1"})");
  d.write(d.new_dir, "results.json", R"({"kl": "1.3e-04 ± 1e-05", "L": 32, "wall_minutes": "9.0", "far": "20 ± 1"})");
  const auto r = replicate(d.old_dir, d.new_dir);
  EXPECT_EQ(r.numbers, 3);  // kl, L, far; not the wall time
  EXPECT_EQ(r.agree, 2);    // kl: z = 0.3e-4 / (sqrt(2) 1e-5) = 2.1; far: z = 10.6
  EXPECT_EQ(r.worst["where"], "results.json:far");
}

TEST(Replication, TablesUseTheirErrorColumnsAndExactColumnsMustBeEqual) {
  Dirs d;
  d.write(d.old_dir, "corr.tsv", "# r\texact\tmodel\tmodel_err\ttrain_s\n1\t0.5\t0.48\t0.01\t10\n2\t0.25\t0.2\t0.01\t11\n");
  d.write(d.new_dir, "corr.tsv", "# r\texact\tmodel\tmodel_err\ttrain_s\n1\t0.5\t0.49\t0.01\t99\n2\t0.26\t0.2\t0.01\t98\n");
  const auto r = replicate(d.old_dir, d.new_dir);
  EXPECT_EQ(r.numbers, 6);  // r, exact, model in two rows
  EXPECT_EQ(r.agree, 5);    // exact 0.25 -> 0.26 disagrees
}

TEST(Replication, AChangedVerdictIsReported) {
  Dirs d;
  d.write(d.old_dir, "claims.json", R"({"claims": [{"id": "1.1", "verdict": "reproduced"}, {"id": "1.2", "verdict": "partly"}]})");
  d.write(d.new_dir, "claims.json", R"({"claims": [{"id": "1.1", "verdict": "inconclusive"}, {"id": "1.2", "verdict": "partly"}]})");
  const auto r = replicate(d.old_dir, d.new_dir);
  ASSERT_EQ(r.verdicts_changed.size(), 1u);
  EXPECT_EQ(r.verdicts_changed[0]["id"], "1.1");
  EXPECT_NE(r.summary("ch01").find("VERDICT CHANGED"), std::string::npos);
}

TEST(Replication, AComparisonAcrossProfilesSaysSo) {
  // A quick-profile rerun against paper data: other sizes, so a changed verdict is no alarm.
  Dirs d;
  d.write(d.old_dir, "results.json", R"({"profile": "paper"})");
  d.write(d.new_dir, "results.json", R"({"profile": "quick"})");
  d.write(d.old_dir, "claims.json", R"({"claims": [{"id": "1.1", "verdict": "reproduced"}]})");
  d.write(d.new_dir, "claims.json", R"({"claims": [{"id": "1.1", "verdict": "inconclusive"}]})");
  const auto r = replicate(d.old_dir, d.new_dir);
  EXPECT_TRUE(r.profiles_differ());
  const std::string summary = r.summary("ch01");
  EXPECT_NE(summary.find("'paper' profile, this run the 'quick' profile"), std::string::npos);
  EXPECT_EQ(summary.find("!!! VERDICT CHANGED"), std::string::npos);
  EXPECT_EQ(r.to_json()["profiles"]["rerun"], "quick");
  d.write(d.new_dir, "results.json", R"({"profile": "paper"})");  // the same profile: the alarm again
  EXPECT_NE(replicate(d.old_dir, d.new_dir).summary("ch01").find("!!! VERDICT CHANGED"), std::string::npos);
}

// Issue 29: the rerun lacks a claim, a table and half of another table's rows. Each is a disagreement
// (listed under "missing", its numbers counted as disagreeing), never "every number agrees".
TEST(Replication, WhatTheRerunLacksIsADisagreement) {
  Dirs d;
  const std::string table = "# r\tC\tC_err\tfit_s\n1\t0.5\t0.01\t3\n2\t0.25\t0.01\t3\n3\t0.125\t0.01\t3\n4\t0.06\t0.01\t3\n";
  for (const auto& dir : {d.old_dir, d.new_dir}) d.write(dir, "sizes.tsv", "# N\tq\n8\t0.5\n16\t0.4\n");
  d.write(d.old_dir, "kinetic.tsv", table);
  d.write(d.new_dir, "kinetic.tsv", table.substr(0, table.find("3\t0.125")));  // rows 1-2 of 4
  fs::remove(d.new_dir / "sizes.tsv");
  d.write(d.old_dir, "results.json", R"({"xi": "2.0 ± 0.1", "L": 32, "profile": "paper", "wall_time_s": 5})");
  d.write(d.new_dir, "results.json", R"({"xi": "2.1 ± 0.1", "profile": "paper", "new_key": 1})");
  d.write(d.old_dir, "claims.json", R"({"claims": [{"id": "3.1", "verdict": "reproduced"}, {"id": "3.2", "verdict": "partly"}]})");
  d.write(d.new_dir, "claims.json", R"({"claims": [{"id": "3.2", "verdict": "partly"}]})");
  d.write(d.new_dir, "extra.tsv", "# x\n1\n");
  const auto r = replicate(d.old_dir, d.new_dir);
  // kinetic: r and C in 4 rows (2 paired, 2 missing); sizes: N and q in 2 rows; results: xi, L (missing)
  EXPECT_EQ(r.numbers, 8 + 4 + 2);
  EXPECT_EQ(r.agree, 4 + 1);  // the paired kinetic rows and xi
  std::vector<std::string> missing;
  for (const auto& m : r.missing) missing.push_back(m["where"].get<std::string>() + ": " + m["what"].get<std::string>());
  const std::vector<std::string> expected = {"results.json:L: key not in the rerun",
                                             "kinetic.tsv: rows 3-4 not in the rerun (2 of 4 rows)",
                                             "sizes.tsv: table not in the rerun", "claims.json: claim 3.1 not in the rerun"};
  EXPECT_EQ(missing, expected);
  ASSERT_EQ(r.verdicts_changed.size(), 1u);
  EXPECT_EQ(r.verdicts_changed[0]["rerun"], "(missing)");
  ASSERT_EQ(r.extra.size(), 2u);  // reported, not counted: results.json:new_key and extra.tsv
  EXPECT_EQ(r.extra[0]["where"], "results.json:new_key");
  EXPECT_EQ(r.extra[1]["where"], "extra.tsv");
  const std::string summary = r.summary("ch03");
  EXPECT_NE(summary.find("MISSING in the rerun: sizes.tsv"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("every verdict as committed"), std::string::npos) << summary;
  EXPECT_EQ(r.to_json()["missing"].size(), 4u);
}

TEST(Replication, AColumnOrAValueTheRerunLacksIsADisagreement) {
  Dirs d;
  d.write(d.old_dir, "t.tsv", "# a\tb\ta_err\n1\t2\t0\n3\t4\t0\n");
  d.write(d.new_dir, "t.tsv", "# a\tc\tt_s\n1\t2\t7\nx\t4\t7\n");
  d.write(d.old_dir, "results.json", R"({"m": 0.5})");
  d.write(d.new_dir, "results.json", R"({"m": "n/a"})");
  const auto r = replicate(d.old_dir, d.new_dir);
  EXPECT_EQ(r.numbers, 2 + 2 + 1);  // a (row 2 not a number), b (column missing), m (not a number)
  EXPECT_EQ(r.agree, 1);
  ASSERT_EQ(r.missing.size(), 2u);
  EXPECT_EQ(r.missing[0]["what"], "column a_err not in the rerun");
  EXPECT_EQ(r.missing[1]["what"], "column b not in the rerun");
  ASSERT_EQ(r.extra.size(), 1u);  // not the timing column t_s
  EXPECT_EQ(r.extra[0]["what"], "column c only in the rerun");
}

// Chapter 6's tau.tsv repeats a column name ("err" after each estimate): the same header pairs columns
// by position, as before columns were paired by name.
TEST(Replication, ARepeatedColumnNamePairsByPosition) {
  Dirs d;
  for (const auto& dir : {d.old_dir, d.new_dir}) d.write(dir, "tau.tsv", "# L\ttau\terr\tz\terr\n8\t1.5\t0.1\t2.5\t0.3\n");
  const auto r = replicate(d.old_dir, d.new_dir);
  EXPECT_EQ(r.numbers, 5);
  EXPECT_EQ(r.agree, 5);
  EXPECT_TRUE(r.missing.empty());
}

TEST(Replication, ClaimsAndResultsFilesAreRequired) {
  const auto message = [](const Dirs& d) {
    try {
      replicate(d.old_dir, d.new_dir);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  {
    Dirs d;
    fs::remove(d.new_dir / "claims.json");
    EXPECT_NE(message(d).find("--rerun"), std::string::npos);
    EXPECT_NE(message(d).find("claims.json"), std::string::npos) << message(d);
  }
  {
    Dirs d;
    fs::remove(d.old_dir / "claims.json");
    EXPECT_NE(message(d).find("--committed"), std::string::npos) << message(d);
  }
  {
    Dirs d;
    d.write(d.new_dir, "results.json", R"({"a": 1, "b": [1, 2)");  // truncated
    EXPECT_NE(message(d).find("results.json"), std::string::npos) << message(d);
    EXPECT_EQ(message(d).find('\n'), std::string::npos);
  }
  {
    Dirs d;
    d.write(d.new_dir, "claims.json", R"({"claims": [{"id": "1.1"}]})");  // no verdict
    EXPECT_NE(message(d).find("claims.json"), std::string::npos) << message(d);
  }
}

TEST(CompareRuns, TimingFieldsByName) {
  EXPECT_TRUE(timing_field("wall_time_s"));
  EXPECT_TRUE(timing_field("step_ms"));
  EXPECT_TRUE(timing_field("sk_core_s_256"));  // seconds at a size: chapter 4's cost per sample
  EXPECT_TRUE(timing_field("sk_seconds"));
  EXPECT_TRUE(timing_field("sk_core_h_512_study"));  // core-hours projected from a measured time
  EXPECT_FALSE(timing_field("eps_second_over_noise"));  // a second-order term, not a time
  EXPECT_FALSE(timing_field("score_h"));
  EXPECT_TRUE(timing_field("large_wall_min_per_T"));  // chapter 6's wall minutes per temperature
  EXPECT_TRUE(timing_field("large_train_core_min"));
  EXPECT_FALSE(timing_field("sk_min_swap"));  // a minimum, not minutes
  EXPECT_FALSE(timing_field("kl_ratio_large_min"));
  EXPECT_FALSE(timing_field("kl_256"));
  EXPECT_FALSE(timing_field("chi_sg"));
  EXPECT_FALSE(timing_field("tau_s_x"));
}

TEST(CompareRuns, TimingAsideTheSameBytes) {
  Dirs d;
  d.write(d.old_dir, "a.tsv", "# x\tdone_s\n1\t5\n");
  d.write(d.new_dir, "a.tsv", "# x\tdone_s\n1\t7\n");
  d.write(d.old_dir, "a.tsv.json", R"({"seed": 1, "wall_time_s": 0.1, "finished_at": "t1"})");
  d.write(d.new_dir, "a.tsv.json", R"({"seed": 1, "wall_time_s": 0.2, "finished_at": "t2"})");
  EXPECT_TRUE(compare_runs(d.old_dir, d.new_dir).empty());
  d.write(d.new_dir, "a.tsv", "# x\tdone_s\n2\t7\n");
  EXPECT_EQ(compare_runs(d.old_dir, d.new_dir).size(), 1u);
  d.write(d.new_dir, "extra.bin", "x");
  EXPECT_EQ(compare_runs(d.old_dir, d.new_dir).size(), 2u);
  d.write(d.new_dir, ".outputs", "a.tsv\n");  // run-chapter's bookkeeping: the MPI check's run by hand has none
  EXPECT_EQ(compare_runs(d.old_dir, d.new_dir).size(), 2u);
}

TEST(CompareRuns, ProvenanceIsReportedApartFromResults) {
  // A rerun compared with the committed data: the stamp and provenance differ by design, the results not.
  Dirs d;
  d.write(d.old_dir, "a.tsv", "# x\n1\n");
  d.write(d.new_dir, "a.tsv", "# x\n1\n");
  d.write(d.old_dir, "code_hash", "aaa\n");
  d.write(d.new_dir, "code_hash", "bbb\n");
  d.write(d.old_dir, "provenance.json", R"({"machine": "one"})");
  d.write(d.old_dir, "restamps.tsv", "# old\tnew\n");
  d.write(d.new_dir, "restamps.tsv", "# old\tnew\n");
  EXPECT_TRUE(compare_runs(d.old_dir, d.new_dir).empty());
  const auto provenance = compare_provenance(d.old_dir, d.new_dir);
  ASSERT_EQ(provenance.size(), 2u);  // code_hash differs, provenance.json on one side; restamps.tsv the same
  EXPECT_NE(provenance[0].find("code_hash"), std::string::npos);
  EXPECT_NE(provenance[1].find("provenance.json"), std::string::npos);
  d.write(d.new_dir, "a.tsv", "# x\n2\n");
  EXPECT_EQ(compare_runs(d.old_dir, d.new_dir).size(), 1u);
}
