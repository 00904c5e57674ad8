// Issue 26: verdicts that could have come out the other way. The gate (a claim is inconclusive unless
// the validations its instrument rests on are reproduced), controls, untestable claims, convergence
// checks, and criteria frozen before the run. Each mechanism has a case that must fail.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lab/convergence.hpp"
#include "lab/criteria.hpp"
#include "lab/gate.hpp"
#include "lab/report.hpp"
#include "lab/usage_error.hpp"
#include "lab/verdict.hpp"

namespace lab = spinformer::lab;
using lab::Direction;
using nlohmann::json;

namespace {

// A claim with one condition that is supported (+1), refuted (-1) or undecided (0) against "above 0".
lab::Claim claim(const std::string& id, const std::string& kind, int outcome) {
  lab::Claim c{id, kind, "claim " + id, "test"};
  const double mid = outcome > 0 ? 2 : outcome < 0 ? -2 : 0.5;
  c.condition("T = 1", "x", mid, mid - 1, mid + 1, Direction::above, 0);
  return c;
}

json chapter(const std::string& name, const std::vector<lab::Claim>& claims,
             const std::vector<json>& context = {}) {
  lab::Claims out(name, "t");
  for (const auto& c : claims) out.add(c);
  for (const auto& c : context) out.context(c);
  return out.to_json();
}

const json& by_id(const json& chapter, const std::string& id) {
  for (const auto& c : chapter["claims"])
    if (c["id"] == id) return c;
  throw std::runtime_error("no claim " + id);
}

}  // namespace

// ---- 1. prerequisites ------------------------------------------------------------------------------

TEST(Gate, AClaimWhoseInstrumentFailedItsValidationIsInconclusive) {
  auto source = claim("9.1", "source", -1);  // its conditions alone: not reproduced
  source.prerequisites({"9.2", "9.3"});
  const json ch = chapter("09-test", {source, claim("9.2", "validation", 1), claim("9.3", "validation", 0)});
  const json& c = by_id(ch, "9.1");
  EXPECT_EQ(c["verdict"], "inconclusive");
  EXPECT_EQ(c["ungated_verdict"], "not reproduced");
  EXPECT_EQ(c["why_undecided"], "instrument not validated: 9.3 inconclusive");
  EXPECT_EQ(c["requires"], json::array({"9.2", "9.3"}));
  EXPECT_NO_THROW(lab::validate_claims(ch, "f"));

  // the stored verdict must be the gated one: the ungated verdict in its place is refused
  json tampered = ch;
  for (auto& k : tampered["claims"])
    if (k["id"] == "9.1") {
      k["verdict"] = "not reproduced";
      k.erase("ungated_verdict");
      k.erase("why_undecided");
    }
  EXPECT_THROW(lab::validate_claims(tampered, "f"), lab::UsageError);
}

TEST(Gate, AllPrerequisitesReproducedLeaveTheVerdictAlone) {
  auto source = claim("9.1", "source", 1);
  source.prerequisites({"9.2"});
  const json ch = chapter("09-test", {source, claim("9.2", "validation", 1)});
  EXPECT_EQ(by_id(ch, "9.1")["verdict"], "reproduced");
  EXPECT_FALSE(by_id(ch, "9.1").contains("ungated_verdict"));
  EXPECT_FALSE(by_id(ch, "9.1").contains("why_undecided"));
}

TEST(Gate, GatesChainAndCrossChapters) {
  // 9.3 fails; 9.2 rests on it, so 9.2 is gated, and 8.1 (another chapter) rests on 9.2
  auto v2 = claim("9.2", "validation", 1);
  v2.prerequisites({"9.3"});
  const json ch9 = chapter("09-test", {v2, claim("9.3", "validation", -1)});
  EXPECT_EQ(by_id(ch9, "9.2")["verdict"], "inconclusive");
  auto s1 = claim("8.1", "source", 1);
  s1.prerequisites({"9.2"});
  const json ch8 = chapter("08-test", {s1}, {ch9});
  EXPECT_EQ(by_id(ch8, "8.1")["verdict"], "inconclusive");
  EXPECT_EQ(by_id(ch8, "8.1")["why_undecided"], "instrument not validated: 9.2 inconclusive");
  EXPECT_NO_THROW(lab::validate_claims_together({ch8, ch9}, "f"));

  // without chapter 9 the id is unknown: an error, not a silent pass
  EXPECT_THROW(chapter("08-test", {s1}), lab::UsageError);
  EXPECT_THROW(lab::validate_claims_together({ch8}, "f"), lab::UsageError);
  // a stale chapter-8 file (written before 9.2 failed) is caught when all chapters are checked
  const json ch9_ok = chapter("09-test", {claim("9.2", "validation", 1), claim("9.3", "validation", -1)});
  const json ch8_stale = chapter("08-test", {s1}, {ch9_ok});
  EXPECT_EQ(by_id(ch8_stale, "8.1")["verdict"], "reproduced");
  EXPECT_NO_THROW(lab::validate_claims(ch8_stale, "f"));  // on its own, another chapter's id is not checked
  EXPECT_THROW(lab::validate_claims_together({ch8_stale, ch9}, "f"), lab::UsageError);
  // apply_gate repairs it
  std::vector<json> all{ch8_stale, ch9};
  lab::apply_gate(all, "f");
  EXPECT_EQ(by_id(all[0], "8.1")["verdict"], "inconclusive");
}

TEST(Gate, UnknownIdsCyclesAndSelfReferencesAreErrors) {
  auto a = claim("9.1", "source", 1);
  a.prerequisites({"9.7"});
  EXPECT_THROW(chapter("09-test", {a}), lab::UsageError);  // same chapter, not there
  auto b = claim("9.1", "validation", 1), c = claim("9.2", "validation", 1);
  b.prerequisites({"9.2"});
  c.prerequisites({"9.1"});
  EXPECT_THROW(chapter("09-test", {b, c}), lab::UsageError);
  auto self = claim("9.1", "source", 1);
  self.prerequisites({"9.1"});
  EXPECT_THROW(chapter("09-test", {self}), std::exception);
}

// ---- 2. power: controls and untestable claims --------------------------------------------------------

TEST(Gate, AFailingNegativeControlGatesTheClaim) {
  // the negative control runs the claim's statistic where the claim is false by construction: it must
  // come out "not supported"; here the control claim ("the criterion rejects the null") is not reproduced
  auto s = claim("9.1", "source", 1);
  s.controls({"9.4"}, {"9.5"});
  const json ch = chapter("09-test", {s, claim("9.4", "validation", -1), claim("9.5", "validation", 1)});
  const json& c = by_id(ch, "9.1");
  EXPECT_EQ(c["verdict"], "inconclusive");
  EXPECT_EQ(c["ungated_verdict"], "reproduced");
  EXPECT_EQ(c["why_undecided"], "instrument not validated: 9.4 not reproduced");
  EXPECT_EQ(c["controls"]["negative"], json::array({"9.4"}));
  // both controls passing: decided
  const json ok = chapter("09-test", {s, claim("9.4", "validation", 1), claim("9.5", "validation", 1)});
  EXPECT_EQ(by_id(ok, "9.1")["verdict"], "reproduced");
  // a control must be a validation claim
  EXPECT_THROW(chapter("09-test", {s, claim("9.4", "source", 1), claim("9.5", "validation", 1)}), lab::UsageError);
}

TEST(Gate, AnUntestableClaimIsShownNotGraded) {
  auto s = claim("9.1", "source", 1);
  s.untestable("a translation-equivariant model has no edge effect by symmetry; a model that can see the ends would test it");
  const json ch = chapter("09-test", {s});
  const json& c = by_id(ch, "9.1");
  EXPECT_EQ(c["verdict"], lab::kUntestable);
  EXPECT_EQ(c["ungated_verdict"], "reproduced");
  EXPECT_NE(c["why_undecided"].get<std::string>().find("power: untestable as designed"), std::string::npos);
  EXPECT_NO_THROW(lab::validate_claims(ch, "f"));
  const std::string table = lab::claims_summary_markdown({ch});
  EXPECT_NE(table.find("**untestable as designed**"), std::string::npos);
  EXPECT_NE(table.find("power: untestable"), std::string::npos);
  json graded = ch;
  graded["claims"][0]["verdict"] = "reproduced";  // grading it anyway is refused
  EXPECT_THROW(lab::validate_claims(graded, "f"), lab::UsageError);
}

// ---- 3. convergence -----------------------------------------------------------------------------------

TEST(Convergence, ChecksByKind) {
  EXPECT_TRUE(lab::converged(lab::doubling_check({1.0, 0.9, 1.1}, 1.05)));
  EXPECT_FALSE(lab::converged(lab::doubling_check({1.0, 0.9, 1.1}, 0.7)));  // still falling at 2x
  // chapter 7's curves: last-quarter mean 0.65-0.95x the third-quarter mean, outside its interval
  EXPECT_FALSE(lab::converged(lab::plateau_check({0.010, 0.0095, 0.0105}, 0.0080)));
  EXPECT_TRUE(lab::converged(lab::plateau_check({0.010, 0.0095, 0.0105}, 0.0100)));
  EXPECT_FALSE(lab::converged(lab::rhat_check(1.22)));  // chapter 4's vector chains at T = 0.025
  EXPECT_TRUE(lab::converged(lab::rhat_check(1.05)));
  EXPECT_THROW(lab::rhat_check(1.05, 0.9), std::invalid_argument);
  const auto back = lab::convergence_from_json(lab::to_json(lab::rhat_check(1.3, 1.1)));
  EXPECT_FALSE(lab::converged(back));
  EXPECT_DOUBLE_EQ(back.upper, 1.1);
}

TEST(Convergence, AnUnconvergedConditionIsUndecidedNeverSupported) {
  lab::Claim c{"9.1", "source", "the plateau KL is below 0.01", "test"};
  c.condition("eta = 0.1", "plateau KL", 0.005, 0.004, 0.006, Direction::below, 0.01);  // supported by its interval
  c.convergence(lab::plateau_check({0.0050, 0.0045, 0.0055}, 0.0035));                // but still falling
  EXPECT_EQ(lab::condition_status(c.conditions()[0]), lab::ConditionStatus::undecided);
  EXPECT_EQ(c.verdict(), "inconclusive");
  const json ch = chapter("09-test", {c});
  const std::string why = ch["claims"][0]["why_undecided"];
  EXPECT_NE(why.find("not converged: eta = 0.1"), std::string::npos);
  EXPECT_NE(why.find("last-quarter mean"), std::string::npos);
  EXPECT_NO_THROW(lab::validate_claims(ch, "f"));
  // the file carries the check, so a recomputation sees it: calling it reproduced is refused
  json tampered = ch;
  tampered["claims"][0]["verdict"] = "reproduced";
  EXPECT_THROW(lab::validate_claims(tampered, "f"), lab::UsageError);
  // converged: the same interval decides
  lab::Claim d{"9.1", "source", "x", "test"};
  d.condition("eta = 0.1", "plateau KL", 0.005, 0.004, 0.006, Direction::below, 0.01);
  d.convergence(lab::plateau_check({0.0050, 0.0045, 0.0055}, 0.0049));
  EXPECT_EQ(d.verdict(), "reproduced");
  // also refuted conditions become undecided when unconverged
  lab::Claim e{"9.1", "source", "x", "test"};
  e.condition("eta = 0.1", "plateau KL", 0.05, 0.04, 0.06, Direction::below, 0.01).convergence(lab::rhat_check(1.5));
  EXPECT_EQ(e.verdict(), "inconclusive");
  EXPECT_THROW(lab::Claim("9.2", "source", "x", "t").convergence(lab::rhat_check(1.0 + 1e-3)), std::logic_error);
}

// ---- 4. criteria frozen before the run -------------------------------------------------------------

TEST(Criteria, DerivedFromTheClaims) {
  auto s = claim("9.1", "source", 1);
  s.prerequisites({"9.2"});
  const json ch = chapter("09-test", {s, claim("9.2", "validation", 1)});
  const json k = lab::criteria_of(ch);
  ASSERT_EQ(k["criteria"].size(), 2u);
  const json& c = k["criteria"][0];
  EXPECT_EQ(c["id"], "9.1");
  EXPECT_EQ(c["requires"], json::array({"9.2"}));
  EXPECT_EQ(c["conditions"][0]["label"], "T = 1");
  EXPECT_EQ(c["conditions"][0]["direction"], "above");
  EXPECT_EQ(c["family_wise"], "undeclared");
  EXPECT_EQ(c["hash"], lab::criterion_hash(c));
  EXPECT_EQ(c["hash"].get<std::string>().size(), 16u);
  // the same claims give the same criteria; a changed threshold gives another hash
  EXPECT_EQ(lab::criteria_of(ch), k);
  lab::Claim t{"9.1", "source", "claim 9.1", "test"};
  t.condition("T = 1", "x", 2, 1, 3, Direction::above, 0.5).prerequisites({"9.2"});
  const json k2 = lab::criteria_of(chapter("09-test", {t, claim("9.2", "validation", 1)}));
  EXPECT_NE(k2["criteria"][0]["hash"], c["hash"]);
  EXPECT_EQ(lab::changed_criteria(k, k2), std::vector<std::string>{"9.1"});
  EXPECT_TRUE(lab::changed_criteria(k, k).empty());
}

TEST(Criteria, AChangedCriterionWithoutAHistoryEntryIsRefused) {
  const json before = lab::criteria_of(chapter("09-test", {claim("9.1", "source", -1)}));
  // the same claim, its threshold moved after the data (the claim now passes)
  lab::Claim moved{"9.1", "source", "claim 9.1", "test"};
  moved.condition("T = 1", "x", -2, -3, -1, Direction::above, -5);
  const json run_claims = chapter("09-test", {moved});
  const json after = lab::criteria_of(run_claims);
  const json empty = {{"entries", json::array()}};
  EXPECT_THROW(lab::require_history(before, after, empty, "criteria"), lab::UsageError);
  json history = {{"entries",
                   {{{"date", "2026-12-07"},
                     {"claim", "9.1"},
                     {"what", "threshold 0 -> -5"},
                     {"why", "test"},
                     {"verdict_before", "not reproduced"},
                     {"after_data", true},
                     {"criterion_hash", "0000000000000000"}}}}};
  // an entry for another criterion (a stale hash) does not cover this change
  EXPECT_THROW(lab::require_history(before, after, history, "criteria"), lab::UsageError);
  history["entries"][0]["criterion_hash"] = after["criteria"][0]["hash"];
  EXPECT_NO_THROW(lab::require_history(before, after, history, "criteria"));
  // a malformed date is refused
  json bad = history;
  bad["entries"][0]["date"] = "7 Dec";
  EXPECT_THROW(lab::require_history(before, after, bad, "criteria"), lab::UsageError);
  // a claim dropped since the committed criteria is a change too
  EXPECT_THROW(lab::require_history(before, lab::criteria_of(chapter("09-test", {claim("9.2", "source", 1)})), empty,
                                    "criteria"),
               lab::UsageError);
  // the tables mark the claim with the verdict under the old criterion
  json marked = run_claims;
  lab::mark_changed_criteria(marked, history);
  EXPECT_NO_THROW(lab::validate_claims(marked, "f"));
  EXPECT_NE(lab::claims_summary_markdown({marked}).find("criterion changed after data (2026-12-07); before: not reproduced"),
            std::string::npos);
  EXPECT_NE(lab::claim_details_markdown(marked).find("criterion changed after data"), std::string::npos);
}

// ---- 6. tables ---------------------------------------------------------------------------------------

TEST(Tables, EveryTableSaysWhyAClaimIsUndecided) {
  auto s = claim("9.1", "source", 1);
  s.prerequisites({"9.2"});
  const json ch = chapter("09-test", {s, claim("9.2", "validation", 0)});
  for (const std::string& table :
       {lab::claims_summary_markdown({ch}), lab::claims_markdown({ch}), lab::claim_details_markdown(ch)}) {
    EXPECT_NE(table.find("instrument not validated: 9.2 inconclusive"), std::string::npos) << table;
  }
  EXPECT_NE(lab::claims_summary_markdown({ch}).find("| Why undecided |"), std::string::npos);
  EXPECT_NE(lab::claims_markdown({ch}).find("| Why undecided |"), std::string::npos);
  // 9.2 is undecided for want of data: the column says how many seeds would decide it (half-width 1,
  // distance 0.5, replicates not stated: (1 / 0.5)^2 = 4 times fall on the threshold, so 5 times)
  EXPECT_NE(lab::claims_summary_markdown({ch}).find("seeds: T = 1: about 5x the seeds or samples"), std::string::npos);
}

TEST(Tables, SeedsToDecideUseTheStatedReplicates) {
  // estimate 1, interval [-1.484, 3.484] from 3 seeds at level 0.95 (s = 1 would give half-width
  // t_{0.975,2} / sqrt 3 = 2.4841): above 0 needs t_{0.975,m-1} / sqrt m < 1, first at m = 7
  lab::Claim c{"9.1", "source", "x", "test"};
  c.condition("T = 1", "x", 1, 1 - 2.484138, 1 + 2.484138, Direction::above, 0).replicates(3);
  const json ch = chapter("09-test", {c});
  EXPECT_EQ(lab::why_undecided_text(ch["claims"][0]), "seeds: T = 1: about 7 at the observed spread (now 3)");
}
