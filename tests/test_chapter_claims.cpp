// The verdict rule and the seed intervals that chapters 1 and 2 grade their claims with
// (chapters/01-boltzmann-recovery/claims.hpp), against hand-computed values.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "../chapters/01-boltzmann-recovery/claims_verdict.cpp"

namespace c = spinformer::claims;

namespace {
c::Condition cond(double lo, double hi, const char* dir, double t, double t_hi = NAN) {
  return c::interval_condition("x", "x", (lo + hi) / 2, lo, hi, dir, t, t_hi);
}
}  // namespace

TEST(ChapterClaims, StatusOfAnIntervalAgainstItsThreshold) {
  EXPECT_EQ(c::status(cond(1, 2, "above", 0.5)), "supported");
  EXPECT_EQ(c::status(cond(0, 0.4, "above", 0.5)), "refuted");
  EXPECT_EQ(c::status(cond(0.4, 0.6, "above", 0.5)), "undecided");
  EXPECT_EQ(c::status(cond(1e-5, 9e-5, "below", 1e-4)), "supported");
  EXPECT_EQ(c::status(cond(2e-4, 3e-4, "below", 1e-4)), "refuted");
  EXPECT_EQ(c::status(cond(0.9, 1.1, "within", 0.8, 1.25)), "supported");
  EXPECT_EQ(c::status(cond(0.01, 0.05, "within", 0.8, 1.25)), "refuted");
  EXPECT_EQ(c::status(cond(0.7, 0.9, "within", 0.8, 1.25)), "undecided");
  EXPECT_EQ(c::status(cond(NAN, NAN, "above", 0)), "undecided");
}

TEST(ChapterClaims, VerdictRule) {
  const auto S = cond(1, 2, "above", 0), R = cond(-2, -1, "above", 0), U = cond(-1, 1, "above", 0);
  EXPECT_EQ(c::verdict({S, S}), "reproduced");
  EXPECT_EQ(c::verdict({R, R}), "not reproduced");
  EXPECT_EQ(c::verdict({R, U}), "not reproduced");
  EXPECT_EQ(c::verdict({S, R}), "partly");
  EXPECT_EQ(c::verdict({S, R, U}), "partly");
  EXPECT_EQ(c::verdict({S, U}), "inconclusive");
  EXPECT_EQ(c::verdict({U}), "inconclusive");
  EXPECT_EQ(c::verdict({}), "inconclusive");
}

TEST(ChapterClaims, SeedIntervalIsAStudentTIntervalWithBonferroni) {
  // x = 1..5: mean 3, s = sqrt(2.5), se = sqrt(0.5); t_{0.975, 4} = 2.776445
  const std::vector<double> x{1, 2, 3, 4, 5};
  const auto one = c::seed_interval(x, 1);
  EXPECT_DOUBLE_EQ(one.mean, 3.0);
  EXPECT_NEAR(one.upper - one.mean, 2.776445 * std::sqrt(0.5), 1e-5);
  EXPECT_NEAR(one.mean - one.lower, 2.776445 * std::sqrt(0.5), 1e-5);
  EXPECT_EQ(one.min, 1.0);
  EXPECT_EQ(one.max, 5.0);
  // four conditions: each at 1 - 0.05/4, two-sided: t_{1 - 0.00625, 4} = 4.314656 (numerical integration)
  const auto four = c::seed_interval(x, 4);
  EXPECT_NEAR(four.upper - four.mean, c::t_quantile(1 - 0.00625, 4) * std::sqrt(0.5), 1e-12);
  EXPECT_NEAR(c::t_quantile(1 - 0.00625, 4), 4.314656, 1e-5);
  EXPECT_TRUE(std::isnan(c::seed_interval({2.0}).lower));  // one seed: no interval
}

TEST(ChapterClaims, DifferenceOfMeansUsesWelchErrorsAndTheSmallerSample) {
  const std::vector<double> a{1, 2, 3}, b{0, 0, 0, 0};
  const auto d = c::difference_condition("d", "d", a, b, 1, "above", 0);
  EXPECT_DOUBLE_EQ(d.estimate, 2.0);
  // se = sqrt(var(a)/3 + 0) = sqrt(1/3); dof = 2: t_{0.975, 2} = 4.302653
  EXPECT_NEAR(d.upper - d.estimate, 4.302653 * std::sqrt(1.0 / 3), 1e-5);
  EXPECT_EQ(c::status(d), "undecided");  // 2 - 2.48 < 0
}

TEST(ChapterClaims, ConditionsAsJsonCarryTheFieldsTheHookReads) {
  const auto j = c::to_json({cond(0.9, 1.1, "within", 0.8, 1.25), cond(1, 2, "above", 0.5)});
  ASSERT_EQ(j.size(), 2u);
  for (const char* key : {"label", "statistic", "estimate", "lower", "upper", "direction", "threshold"})
    EXPECT_TRUE(j[0].contains(key)) << key;
  EXPECT_EQ(j[0]["threshold"], nlohmann::json::array({0.8, 1.25}));
  EXPECT_EQ(j[1]["threshold"], 0.5);
}

// Issue 26: chapters 1 and 2 declare what their instruments rest on (KL by enumeration and the causal
// test's conditionals need a normalised model, claim 1.4) and write_claims applies the gate, across
// chapters for 2.4 through chapter 1's claims.json beside chapter 2's output.
namespace {
nlohmann::json one_claim(const std::string& id, const std::string& kind, const c::Condition& cond) {
  const std::vector<c::Condition> cs{cond};
  return {{"id", id}, {"kind", kind}, {"claim", "x"}, {"conditions", c::to_json(cs)}, {"verdict", c::verdict(cs)}};
}
std::string scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("spinformer-claims-" + name + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "ch01");
  std::filesystem::create_directories(dir / "ch02");
  return dir.string();
}
}  // namespace

TEST(ChapterClaims, WriteClaimsGatesOnTheNormalisedModel) {
  const std::string dir = scratch_dir("gate");
  const auto good = cond(1e-5, 9e-5, "below", 1e-4), bad = cond(0.5, 0.6, "within", 0.9999, 1.0001);
  nlohmann::json ch1 = {{"chapter", "01-boltzmann-recovery"},
                        {"claims",
                         {one_claim("1.1", "source", good), one_claim("1.4", "validation", bad),
                          one_claim("1.6", "validation", good), one_claim("1.7", "validation", good)}}};
  c::write_claims(dir + "/ch01/claims.json", ch1, "--out");
  // 1.1 rests on the normalised model (1.4) and on the KL criterion's power controls (1.6, 1.7)
  EXPECT_EQ(ch1["claims"][0]["requires"], nlohmann::json::array({"1.4", "1.6", "1.7"}));
  EXPECT_EQ(ch1["claims"][0]["verdict"], "inconclusive");  // in place: the caller quotes the gated verdict
  EXPECT_EQ(ch1["claims"][0]["ungated_verdict"], "reproduced");
  EXPECT_EQ(ch1["claims"][0]["why_undecided"], "instrument not validated: 1.4 not reproduced");
  EXPECT_EQ(ch1["claims"][0]["family_wise"], "none: one condition");
  // chapter 2's 2.4 rests on chapter 1's 1.4, read from <out>/../ch01/claims.json
  nlohmann::json ch2 = {{"chapter", "02-attention-vs-correlation"}, {"claims", {one_claim("2.4", "reference", good)}}};
  c::write_claims(dir + "/ch02/claims.json", ch2, "--out");
  EXPECT_EQ(ch2["claims"][0]["verdict"], "inconclusive");
  EXPECT_NO_THROW(spinformer::lab::validate_claims_together({ch1, ch2}, "f"));
  std::filesystem::remove_all(dir);
}
