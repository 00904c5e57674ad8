#pragma once
// Progress of a long loop: a live line on a terminal, a log line every `log_every_s` seconds otherwise.
#include <chrono>
#include <string>

namespace spinformer::lab {

class Progress {
 public:
  Progress(std::string label, long total, double log_every_s = 10.0);
  ~Progress();
  void advance(long steps = 1);
  void finish();

 private:
  void report(bool final_line);
  std::string label_;
  long total_, done_ = 0;
  bool terminal_, finished_ = false;
  double log_every_s_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace spinformer::lab
