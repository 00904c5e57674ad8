#pragma once
// Output files appear whole or not at all: data goes to a temporary file beside the target and is
// renamed over it on commit(). A file not committed (error, exception, SIGINT/SIGTERM) is removed.
#include <fstream>
#include <string>

namespace spinformer::lab {

// Removes pending temporary files and exits with 128 + signal on SIGINT, SIGTERM, SIGHUP.
// Call once at program start.
void install_signal_cleanup();

class AtomicFile {
 public:
  // parameter names the flag that supplied the path, for the error message (e.g. "--out").
  AtomicFile(const std::string& path, const std::string& parameter = "--out");
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ofstream& stream() { return stream_; }
  void commit();  // flush, close, rename over the target; throws on I/O error

 private:
  std::string path_, temp_path_, parameter_;
  std::ofstream stream_;
  bool committed_ = false;
  int slot_ = -1;  // signal-cleanup registry slot
};

// Convenience: the whole content at once.
void write_file_atomically(const std::string& path, const std::string& content,
                           const std::string& parameter = "--out");

// Throws UsageError(parameter) unless path's directory exists and is writable.
void require_writable(const std::string& path, const std::string& parameter = "--out");

std::string read_file(const std::string& path, const std::string& parameter);  // UsageError if missing

}  // namespace spinformer::lab
