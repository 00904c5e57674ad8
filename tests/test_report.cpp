// Tests of the helpers the chapter programs share (lab/report.hpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
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

// Issue 29: report fill printed integers above 2^63 - 1 as negative numbers, and null or a list as JSON.
TEST(FillTemplate, IntegersInFullAndNoNullsOrLists) {
  const auto values = nlohmann::json::parse(
      R"({"big": 18446744073709551615, "neg": -9223372036854775808, "x": 0.123456, "n": null, "list": [1, 2], "obj": {}})");
  EXPECT_EQ(lab::fill_template("{{big}} {{neg}} {{x}}", values), "18446744073709551615 -9223372036854775808 0.1235");
  for (const std::string key : {"n", "list", "obj"}) {
    try {
      lab::fill_template("a {{" + key + "}} b", values);
      ADD_FAILURE() << key << " was printed";
    } catch (const lab::UsageError& e) {
      EXPECT_EQ(e.parameter(), "--values");
      EXPECT_NE(std::string(e.what()).find("'" + key + "'"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(lab::template_keys("{{a}} and {{b}}, {{a}}; {{"), (std::set<std::string>{"a", "b"}));
}

// Issue 29: a pipe already escaped by the claim's author was escaped again ("\\|": a bare pipe that
// split the column), and a claim could carry the README's claims markers into the table.
TEST(ClaimsTable, CellsKeepTheirColumnsAndCannotOpenComments) {
  EXPECT_EQ(lab::table_cell("KL(p || q)"), "KL(p \\|\\| q)");
  EXPECT_EQ(lab::table_cell("<\\|m\\|>"), "<\\|m\\|>");
  EXPECT_EQ(lab::table_cell("two\nlines"), "two lines");
  EXPECT_EQ(lab::table_cell("x <!-- claims:end --> y"), "x &lt;!-- claims:end --> y");
  const auto chapter = nlohmann::json::parse(R"({"chapter": "00", "claims": [{"id": "0.1", "claim": "<\\|m\\|> grows <!-- claims:end -->",
      "source": "s", "measured": "a | b", "criterion": "k", "verdict": "partly", "kind": "source"}]})");
  const std::string table = lab::claims_summary_markdown({chapter});
  EXPECT_EQ(table.find("<!--"), std::string::npos) << table;
  // the claim's row has as many columns as the header: as many pipes that split, i.e. not after an
  // odd number of backslashes (pandoc reads "\\|" as an escaped backslash and a bare pipe)
  const auto splitting_pipes = [&](std::size_t at) {
    const std::string line = table.substr(at, table.find('\n', at) - at);
    int pipes = 0, backslashes = 0;
    for (char ch : line) {
      if (ch == '|' && backslashes % 2 == 0) ++pipes;
      backslashes = ch == '\\' ? backslashes + 1 : 0;
    }
    return pipes;
  };
  const std::size_t row = table.find("| 0.1 |"), header = table.find("| ");
  ASSERT_NE(row, std::string::npos) << table;
  ASSERT_LT(header, row) << table;
  EXPECT_GE(splitting_pipes(header), 5) << table;
  EXPECT_EQ(splitting_pipes(row), splitting_pipes(header)) << table;
}
