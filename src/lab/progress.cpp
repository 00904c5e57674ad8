#include "lab/progress.hpp"

// (Progress in a log: a line at each tenth of the work, see advance; on a terminal a live line.)

#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace spinformer::lab {

Progress::Progress(std::string label, long total, double log_every_s)
    : label_(std::move(label)),
      total_(total),
      terminal_(::isatty(STDERR_FILENO) != 0),
      log_every_s_(log_every_s),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() { finish(); }

void Progress::advance(long steps) {
  done_ += steps;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  // A log gets a few lines, not one every few seconds: a line when the work crosses a tenth of the total
  // (at least log_every_s after the previous line), or after five minutes without one: at most about
  // ten per loop.
  const auto tenth = [&](long done) { return total_ > 0 ? 10 * done / total_ : 10; };
  const bool log_line = since > log_every_s_ && (tenth(done_) != tenth(done_ - steps) || since > 300.0);
  if ((terminal_ && since > 0.2) || (!terminal_ && log_line)) {
    last_ = now;
    report(false);
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (terminal_) report(true);
}

void Progress::report(bool final_line) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = total_ > 0 ? static_cast<double>(done_) / total_ : 1.0;
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0.0;
  const std::string text = fmt::format("{}: {}/{} ({:.0f}%), {:.1f} s elapsed, ~{:.0f} s left", label_, done_,
                                       total_, 100 * fraction, elapsed, eta);
  if (terminal_) std::fprintf(stderr, "\r%s\033[K%s", text.c_str(), final_line ? "\n" : "");
  else std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

}  // namespace spinformer::lab
