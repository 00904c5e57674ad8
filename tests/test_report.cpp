// Tests of the helpers the chapter programs share (lab/report.hpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "lab/report.hpp"
#include "lab/usage_error.hpp"

namespace lab = spinformer::lab;

TEST(ChapterHelpers, QuickProfile) {
  EXPECT_TRUE(lab::quick_profile("quick"));
  EXPECT_FALSE(lab::quick_profile("paper"));
  EXPECT_THROW(lab::quick_profile("fast"), lab::UsageError);
}

TEST(ChapterHelpers, Keys) {
  EXPECT_EQ(lab::format_key(0.5), "0.5");
  EXPECT_EQ(lab::format_key(1.0), "1");
  EXPECT_EQ(lab::format_key(31.6227766016838), "31.6228");
  EXPECT_EQ(lab::format_keys({0.5, 2.0, 5.0}), "0.5 2 5");
  EXPECT_EQ(lab::format_keys({}), "");
}

TEST(ChapterHelpers, Thousands) {
  EXPECT_EQ(lab::format_thousands(0), "0");
  EXPECT_EQ(lab::format_thousands(999), "999");
  EXPECT_EQ(lab::format_thousands(4096), "4,096");
  EXPECT_EQ(lab::format_thousands(50000), "50,000");
  EXPECT_EQ(lab::format_thousands(10000000), "10,000,000");
}

TEST(ChapterHelpers, VerdictAndLists) {
  EXPECT_EQ(lab::verdict_from_counts(4, 4), "reproduced");
  EXPECT_EQ(lab::verdict_from_counts(1, 4), "partly");
  EXPECT_EQ(lab::verdict_from_counts(0, 4), "not reproduced");
  EXPECT_EQ(lab::list_or_none({}), "none");
  EXPECT_EQ(lab::list_or_none({"0.5", "2"}), "T = 0.5, 2");
  EXPECT_EQ(lab::list_or_none({"a"}, ""), "a");
}

TEST(ChapterHelpers, RunChapter) {
  EXPECT_EQ(lab::run_chapter("chXX", [] {}), 0);
  EXPECT_EQ(lab::run_chapter("chXX", [] { throw lab::UsageError("--out", "no"); }), 2);
  EXPECT_EQ(lab::run_chapter("chXX", [] { throw std::runtime_error("x"); }, lab::ChapterErrors::all), 1);
  // any failure is one line and exit 1, never std::terminate (issue 29): a library error, a bad
  // cached JSON, something that is no std::exception at all
  EXPECT_EQ(lab::run_chapter("chXX", [] { throw std::runtime_error("x"); }), 1);
  EXPECT_EQ(lab::run_chapter("chXX", [] { const auto j = nlohmann::json::parse("{"); (void)j; }), 1);
  EXPECT_EQ(lab::run_chapter("chXX", [] { throw 42; }), 1);
  ::testing::internal::CaptureStderr();
  lab::run_chapter("chXX", [] { throw std::runtime_error("first line\nsecond line"); });
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "chXX: error: first line\n");
}

TEST(ChapterHelpers, WriteClaimsValidatesFirst) {
  const std::string file = ::testing::TempDir() + "/spinformer_test_claims.json";
  std::remove(file.c_str());
  const nlohmann::json bad = {{"chapter", "xx"}, {"claims", {{{"id", "1"}}}}};
  EXPECT_THROW(lab::write_claims(file, bad, "--out"), lab::UsageError);
  EXPECT_FALSE(std::ifstream(file).good());
  const nlohmann::json good = {{"chapter", "xx"},
                               {"claims", {{{"id", "1"}, {"claim", "c"}, {"source", "s"}, {"measured", "m"},
                                            {"criterion", "k"}, {"verdict", "partly"}}}}};
  lab::write_claims(file, good, "--out");
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, good.dump(2) + "\n");
  std::remove(file.c_str());
}
