// lab::Progress in a log (stderr not a terminal): a few lines with the time left, not one per step
// (issue 35: the quick profile printed walls of per-step lines).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "lab/progress.hpp"

namespace lab = spinformer::lab;

TEST(Progress, ALogGetsAboutTenLinesWithTheTimeLeft) {
  testing::internal::CaptureStderr();  // stderr is then a file: the log's behaviour
  {
    lab::Progress progress("steps", 1000, 0.0);  // no minimum interval: only the tenths limit the lines
    for (int k = 0; k < 1000; ++k) progress.advance();
  }
  const std::string log = testing::internal::GetCapturedStderr();
  const auto lines = std::count(log.begin(), log.end(), '\n');
  EXPECT_GE(lines, 5) << log;
  EXPECT_LE(lines, 11) << log;
  EXPECT_EQ(log.find('\r'), std::string::npos) << "no carriage returns in a log";
  EXPECT_NE(log.find("steps: 100/1000 (10%)"), std::string::npos) << log;  // the first tenth, with the time left
  EXPECT_NE(log.find("s left"), std::string::npos) << log;
}
