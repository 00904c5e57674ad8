// Tests of the verdict rule (lab/verdict.hpp) and the simultaneous intervals it is fed (lab/intervals.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "lab/intervals.hpp"
#include "lab/report.hpp"
#include "lab/usage_error.hpp"
#include "lab/verdict.hpp"

namespace lab = spinformer::lab;
using lab::ConditionStatus;
using lab::Direction;

namespace {

ConditionStatus status(double lo, double hi, Direction d, double t, double t_high = 0) {
  return lab::condition_status({"x", "s", (lo + hi) / 2, lo, hi, d, t, t_high, std::nullopt, 0});
}

lab::Claim two_temperature_claim(double upper_at_low_T) {
  lab::Claim c{"9.1", "source", "tau_int < 2 samples", "seed.txt, step 4"};
  c.simultaneous(2);
  c.condition("T = 5", "tau_int", 1.1, 1.0, 1.2, Direction::below, 2.0);
  c.condition("T = 0.5", "tau_int", 150, 140, upper_at_low_T, Direction::below, 2.0);
  return c;
}

}  // namespace

TEST(VerdictRule, ConditionStatusByDirection) {
  EXPECT_EQ(status(1.1, 2.0, Direction::above, 1.0), ConditionStatus::supported);
  EXPECT_EQ(status(0.1, 0.9, Direction::above, 1.0), ConditionStatus::refuted);
  EXPECT_EQ(status(0.9, 1.1, Direction::above, 1.0), ConditionStatus::undecided);
  EXPECT_EQ(status(1.0, 1.1, Direction::above, 1.0), ConditionStatus::undecided);  // touching is not beyond
  EXPECT_EQ(status(0.1, 0.9, Direction::below, 1.0), ConditionStatus::supported);
  EXPECT_EQ(status(1.1, 2.0, Direction::below, 1.0), ConditionStatus::refuted);
  EXPECT_EQ(status(0.9, 1.0, Direction::below, 1.0), ConditionStatus::undecided);
  EXPECT_EQ(status(-0.5, 0.5, Direction::within, -0.5, 0.5), ConditionStatus::supported);  // band is closed
  EXPECT_EQ(status(-0.6, 0.5, Direction::within, -0.5, 0.5), ConditionStatus::undecided);
  EXPECT_EQ(status(0.6, 0.9, Direction::within, -0.5, 0.5), ConditionStatus::refuted);
  EXPECT_EQ(status(-0.9, -0.6, Direction::within, -0.5, 0.5), ConditionStatus::refuted);
  EXPECT_EQ(status(-1.0, 1.0, Direction::within, -0.5, 0.5), ConditionStatus::undecided);  // too wide to tell
}

TEST(VerdictRule, VerdictFromStatuses) {
  const auto S = ConditionStatus::supported, R = ConditionStatus::refuted, U = ConditionStatus::undecided;
  EXPECT_EQ(lab::verdict_of({S, S, S}), "reproduced");
  EXPECT_EQ(lab::verdict_of({R, R, U}), "not reproduced");
  EXPECT_EQ(lab::verdict_of({R}), "not reproduced");
  EXPECT_EQ(lab::verdict_of({S, R, U}), "partly");
  EXPECT_EQ(lab::verdict_of({S, S, U}), "inconclusive");  // no refutation: not enough to call it partly
  EXPECT_EQ(lab::verdict_of({U, U}), "inconclusive");
  EXPECT_EQ(lab::verdict_of({}), "inconclusive");
}

TEST(VerdictRule, ClaimComputesItsVerdictAndWritesEveryNumber) {
  const lab::Claim partly = two_temperature_claim(160);
  EXPECT_EQ(partly.verdict(), "partly");
  const nlohmann::json j = partly.to_json();
  EXPECT_EQ(j["kind"], "source");
  EXPECT_EQ(j["verdict"], "partly");
  ASSERT_EQ(j["conditions"].size(), 2u);
  EXPECT_EQ(j["conditions"][1]["label"], "T = 0.5");
  EXPECT_EQ(j["conditions"][1]["direction"], "below");
  EXPECT_DOUBLE_EQ(j["conditions"][1]["upper"].get<double>(), 160);
  EXPECT_DOUBLE_EQ(j["conditions"][1]["threshold"].get<double>(), 2);
  EXPECT_NEAR(j["coverage"]["per_condition_level"].get<double>(), 0.975, 1e-12);
  EXPECT_NO_THROW(lab::validate_rule_claim(j, "claims"));
  EXPECT_EQ(lab::labels_where_it_holds(j), "T = 5");
  EXPECT_EQ(lab::labels_where_it_fails(j), "T = 0.5");
  EXPECT_EQ(lab::labels_where_undecided(j), "none");
  lab::Claim mixed{"9.6", "source", "x", "y"};  // one label, two statistics: one refuted fails the label
  mixed.condition("T = 1", "a", 1, 0.5, 1.5, Direction::below, 2);
  mixed.condition("T = 1", "b", 3, 2.5, 3.5, Direction::below, 2);
  mixed.condition("T = 2", "a", 2, 1.5, 2.5, Direction::below, 2);
  mixed.condition("T = 3", "a", 1, 0.5, 1.5, Direction::below, 2);
  EXPECT_EQ(lab::labels_where_it_holds(mixed.to_json()), "T = 3");
  EXPECT_EQ(lab::labels_where_it_fails(mixed.to_json()), "T = 1");
  EXPECT_EQ(lab::labels_where_undecided(mixed.to_json()), "T = 2");

  lab::Claim band{"9.2", "validation", "energy matches", "exact"};
  band.condition("T = 1", "bias", lab::Interval{0.001, -0.002, 0.004}, Direction::within, -0.01, 0.01);
  EXPECT_EQ(band.verdict(), "reproduced");
  EXPECT_EQ(band.to_json()["conditions"][0]["threshold"], nlohmann::json({-0.01, 0.01}));
}

TEST(VerdictRule, ClaimRejectsInconsistentInput) {
  lab::Claim c{"9.3", "validation", "x", "y"};
  EXPECT_THROW(c.condition("a", "s", 5, 1, 2, Direction::above, 0), std::invalid_argument);  // estimate outside
  EXPECT_THROW(c.condition("a", "s", NAN, 1, 2, Direction::above, 0), std::invalid_argument);
  EXPECT_THROW(c.condition("a", "s", 1, 1, 1, Direction::within, 2, 1), std::invalid_argument);
  EXPECT_THROW(c.to_json(), std::logic_error);  // no conditions
  c.simultaneous(3);
  c.condition("a", "s", 1, 0, 2, Direction::above, -1);
  EXPECT_THROW(c.to_json(), std::logic_error);  // declared 3 conditions, has 1
  EXPECT_THROW((lab::Claim{"9.4", "opinion", "x", "y"}), std::invalid_argument);
}

TEST(VerdictRule, ValidationRecomputesTheVerdict) {
  nlohmann::json j = two_temperature_claim(160).to_json();
  j["verdict"] = "reproduced";  // a chapter cannot write a verdict that does not follow
  EXPECT_THROW(lab::validate_rule_claim(j, "claims"), lab::UsageError);
  j = two_temperature_claim(160).to_json();
  j["conditions"][0]["lower"] = 3.0;  // lower > upper
  EXPECT_THROW(lab::validate_rule_claim(j, "claims"), lab::UsageError);
  j = two_temperature_claim(160).to_json();
  j["conditions"][0]["direction"] = "near";
  EXPECT_THROW(lab::validate_rule_claim(j, "claims"), lab::UsageError);
  j = two_temperature_claim(160).to_json();
  j["conditions"][0]["direction"] = "within";  // within needs [lo, hi]
  EXPECT_THROW(lab::validate_rule_claim(j, "claims"), lab::UsageError);
  j = two_temperature_claim(160).to_json();
  j["kind"] = "opinion";
  EXPECT_THROW(lab::validate_rule_claim(j, "claims"), lab::UsageError);
  j = two_temperature_claim(160).to_json();
  j["conditions"] = nlohmann::json::array();
  EXPECT_THROW(lab::validate_rule_claim(j, "claims"), lab::UsageError);
}

TEST(VerdictRule, DecidingNumberNamesTheCondition) {
  const std::string partly = lab::deciding_number(two_temperature_claim(160).to_json());
  EXPECT_NE(partly.find("1/2 supported, 1 refuted"), std::string::npos) << partly;
  EXPECT_NE(partly.find("T = 0.5"), std::string::npos) << partly;
  lab::Claim c{"9.5", "source", "x", "y"};
  c.condition("far", "s", 10, 9, 11, Direction::above, 1);
  c.condition("near", "s", 2, 1.5, 3, Direction::above, 1);
  const std::string reproduced = lab::deciding_number(c.to_json());
  EXPECT_NE(reproduced.find("2/2 supported; weakest: near, s 2 [1.5, 3] vs > 1"), std::string::npos) << reproduced;
}

TEST(ClaimsFile, OldSchemaIsAcceptedAndMarked) {
  const nlohmann::json old = {{"id", "1.1"}, {"claim", "c"}, {"source", "reference sheet x.md"}, {"measured", "m"},
                              {"criterion", "k"}, {"verdict", "partly"}};
  const nlohmann::json chapter_old = {{"chapter", "01"}, {"claims", {old}}};
  EXPECT_NO_THROW(lab::validate_claims(chapter_old, "f"));
  const nlohmann::json chapter_new = {{"chapter", "00"}, {"claims", {two_temperature_claim(160).to_json()}}};
  EXPECT_NO_THROW(lab::validate_claims(chapter_new, "f"));
  const std::string table = lab::claims_summary_markdown({chapter_new, chapter_old});
  EXPECT_NE(table.find("**Claims of the source documents.**"), std::string::npos);
  EXPECT_NE(table.find("**Claims of the reference sheets.**"), std::string::npos);  // inferred from the source
  EXPECT_EQ(table.find("validations"), std::string::npos);                           // no validation claims
  EXPECT_NE(table.find("| 1.1 | c | **partly**\u2020 | m |"), std::string::npos) << table;
  EXPECT_NE(table.find("\u2020 Rule not yet applied"), std::string::npos);
  // no dagger when every claim follows the rule
  EXPECT_EQ(lab::claims_summary_markdown({chapter_new}).find("\u2020"), std::string::npos);
  nlohmann::json wordy = chapter_old;
  wordy["claims"][0]["claim"] = std::string(30, 'a') + " " + std::string(30, 'b') + ", " + std::string(40, 'c');
  const std::string cut = "| 1.1 | " + std::string(30, 'a') + " " + std::string(30, 'b') + "... |";
  EXPECT_NE(lab::claims_summary_markdown({wordy}).find(cut), std::string::npos);
  // a chapter's own full table keeps the old columns, criterion included
  EXPECT_NE(lab::claims_markdown({chapter_old}).find("| 1.1 | c (reference sheet x.md) | m | k | **partly** |"),
            std::string::npos);
  nlohmann::json bad = chapter_old;
  bad["claims"][0]["verdict"] = "mostly";
  EXPECT_THROW(lab::validate_claims(bad, "f"), lab::UsageError);
  const std::string details = lab::claim_details_markdown(chapter_new);
  EXPECT_NE(details.find("holds at T = 5; fails at T = 0.5"), std::string::npos) << details;
  EXPECT_NE(details.find("| T = 0.5 | tau_int | 150 | [140, 160] | < 2 | refuted |"), std::string::npos) << details;
}

// ---- intervals ----------------------------------------------------------------------------------------

TEST(Intervals, Quantiles) {
  EXPECT_NEAR(lab::normal_quantile(0.975), 1.959963985, 1e-8);
  EXPECT_NEAR(lab::student_t_quantile(0.975, 4), 2.776445105, 1e-8);
  EXPECT_NEAR(lab::bonferroni_level(7), 1 - 0.05 / 7, 1e-15);
  EXPECT_THROW(lab::bonferroni_level(0), std::invalid_argument);
}

TEST(Intervals, TIntervalOfReplicates) {
  const lab::Interval i = lab::t_interval({1, 2, 3, 4, 5}, 0.95);
  EXPECT_DOUBLE_EQ(i.estimate, 3);
  const double half = 2.776445105 * std::sqrt(2.5 / 5);  // t_{0.975,4} s / sqrt(n), s^2 = 2.5
  EXPECT_NEAR(i.lower, 3 - half, 1e-8);
  EXPECT_NEAR(i.upper, 3 + half, 1e-8);
  EXPECT_THROW(lab::t_interval({1}, 0.95), std::invalid_argument);
  EXPECT_THROW(lab::t_interval({1, NAN}, 0.95), std::invalid_argument);
  const lab::Interval n = lab::normal_interval({2, 0.5}, 0.95);
  EXPECT_NEAR(n.upper - n.lower, 2 * 1.959963985 * 0.5, 1e-8);
}

TEST(Intervals, FiniteTIntervalSkipsUndefinedReplicates) {
  const lab::Interval all = lab::t_interval({1, 2, 3, 4, 5}, 0.95);
  const lab::Interval some = lab::finite_t_interval({1, NAN, 2, 3, INFINITY, 4, 5}, 0.95);
  EXPECT_DOUBLE_EQ(some.estimate, all.estimate);
  EXPECT_DOUBLE_EQ(some.lower, all.lower);
  EXPECT_DOUBLE_EQ(some.upper, all.upper);
  // fewer than two finite replicates: an interval no threshold can decide
  const lab::Interval lone = lab::finite_t_interval({NAN, 0.7}, 0.95);
  EXPECT_DOUBLE_EQ(lone.estimate, 0.7);
  EXPECT_EQ(lone.lower, -1e6);
  EXPECT_EQ(lone.upper, 1e6);
  EXPECT_EQ(lab::finite_t_interval({}, 0.95).estimate, 0.0);
}

TEST(Intervals, WelchIntervalUsesTheSatterthwaiteDegreesOfFreedom) {
  // a = {1, 2, 3}: mean 2, s^2 = 1, s^2/n = 1/3; b = {2, 4, 6, 8}: mean 5, s^2 = 20/3, s^2/n = 5/3.
  // se^2 = 2; dof = 2^2 / ((1/3)^2 / 2 + (5/3)^2 / 3) = 216/53 = 4.0755; t_{0.975, 216/53} = 2.756285
  // (the t density integrated numerically), so the half-width is 2.756285 sqrt(2) = 3.897975.
  const lab::Interval w = lab::welch_interval({1, 2, 3}, {2, 4, 6, 8}, 0.95);
  EXPECT_DOUBLE_EQ(w.estimate, -3.0);
  EXPECT_NEAR(w.upper - w.estimate, 3.897975, 1e-5);
  EXPECT_NEAR(w.estimate - w.lower, 3.897975, 1e-5);
  // fewer degrees of freedom than the pooled n_a + n_b - 2 = 5, so wider than a t-quantile at 5 would give
  EXPECT_GT(w.upper - w.estimate, lab::student_t_quantile(0.975, 5) * std::sqrt(2.0));
  // one set without spread: dof falls to the other's n - 1 (here 3), the ordinary t-interval of b shifted
  const lab::Interval one = lab::welch_interval({1, 1}, {2, 4, 6, 8}, 0.95);
  EXPECT_NEAR(one.upper - one.estimate, lab::student_t_quantile(0.975, 3) * std::sqrt(20.0 / 3 / 4), 1e-12);
  const lab::Interval point = lab::welch_interval({1, 1}, {3, 3, 3}, 0.95);
  EXPECT_DOUBLE_EQ(point.lower, -2.0);
  EXPECT_DOUBLE_EQ(point.upper, -2.0);
  EXPECT_THROW(lab::welch_interval({1}, {1, 2}, 0.95), std::invalid_argument);
  EXPECT_THROW(lab::welch_interval({1, 2}, {1, NAN}, 0.95), std::invalid_argument);
}

TEST(Intervals, Holm) {
  const std::vector<double> p{0.01, 0.04, 0.03, 0.005};
  const std::vector<double> adjusted = lab::holm_adjusted(p);
  // sorted: 0.005 * 4 = 0.02, 0.01 * 3 = 0.03, 0.03 * 2 = 0.06, max(0.04 * 1, 0.06) = 0.06
  EXPECT_NEAR(adjusted[0], 0.03, 1e-12);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-12);
  EXPECT_NEAR(adjusted[2], 0.06, 1e-12);
  EXPECT_NEAR(adjusted[3], 0.02, 1e-12);
  EXPECT_EQ(lab::holm_reject(p), (std::vector<bool>{true, false, false, true}));
  EXPECT_THROW(lab::holm_adjusted({0.5, 1.5}), std::invalid_argument);
}

// Joint coverage of k = 7 t-intervals over 5 replicates each: Bonferroni keeps the family-wise
// miss rate at or below alpha = 0.05, uncorrected 95% intervals miss about 1 - 0.95^7 = 30% of families.
TEST(Intervals, BonferroniGivesSimultaneousCoverage) {
  std::mt19937_64 rng(12345);
  std::normal_distribution<double> normal(0.0, 1.0);
  const std::size_t k = 7, families = 4000;
  std::size_t missed_bonferroni = 0, missed_plain = 0;
  for (std::size_t f = 0; f < families; ++f) {
    bool miss_b = false, miss_p = false;
    for (std::size_t c = 0; c < k; ++c) {
      std::vector<double> x(5);
      for (double& v : x) v = normal(rng);
      const auto b = lab::t_interval(x, lab::bonferroni_level(k));
      const auto p = lab::t_interval(x, 0.95);
      miss_b = miss_b || b.lower > 0 || b.upper < 0;
      miss_p = miss_p || p.lower > 0 || p.upper < 0;
    }
    missed_bonferroni += miss_b;
    missed_plain += miss_p;
  }
  const double rate_b = double(missed_bonferroni) / families, rate_p = double(missed_plain) / families;
  EXPECT_LT(rate_b, 0.05 + 3 * std::sqrt(0.05 * 0.95 / families));
  EXPECT_GT(rate_b, 0.03);  // Bonferroni is close to exact for independent conditions (1 - (1 - 0.05/7)^7 = 0.049)
  EXPECT_NEAR(rate_p, 1 - std::pow(0.95, 7), 0.03);
}
