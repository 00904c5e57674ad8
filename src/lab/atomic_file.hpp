#pragma once
// Output files appear whole or not at all: data goes to a temporary file beside the target and is
// renamed over it on commit(). A file not committed (error, exception, SIGINT/SIGTERM) is removed.
// A target that is a symbolic link is written through (the link stays, its target is replaced); a
// target that exists but is no regular file (a device, a fifo, a directory) is refused. A failed
// write (a full disk, an I/O error: the stream is checked after flush and close, and the file is
// fsynced) is a UsageError naming the parameter and leaves nothing behind. Temporaries of the same
// target left by a killed writer (<target>.tmp.<pid> of a process that is gone) are removed.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

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
  void commit();  // finish() then publish()

  // The two halves of commit(), for OutputFiles: finish flushes and closes the temporary file (throws
  // UsageError on a write error); publish renames it over the target.
  void finish();
  void publish();
  void unpublish();  // removes the published target (rolling back a group whose later member failed)
  const std::string& path() const { return path_; }

 private:
  std::string path_, target_, temp_path_, parameter_;
  std::ofstream stream_;
  bool finished_ = false, committed_ = false;
  int slot_ = -1;  // signal-cleanup registry slot
};

// Several outputs committed together, both (all) or neither: a data file and its JSON sidecar, or a
// checkpoint with its sidecar and training curve. Every file is written and flushed before the
// first is renamed into place; if a rename fails, those already renamed are removed again.
class OutputFiles {
 public:
  std::ofstream& add(const std::string& path, const std::string& parameter = "--out");
  void commit();

 private:
  std::vector<std::unique_ptr<AtomicFile>> files_;
};

// Convenience: the whole content at once.
void write_file_atomically(const std::string& path, const std::string& content,
                           const std::string& parameter = "--out");

// Throws UsageError(parameter) unless path can be written: its directory exists and is writable, and
// the path is absent, a regular file, or a symbolic link to one.
void require_writable(const std::string& path, const std::string& parameter = "--out");

// A path given on the command line, with the flag that gave it.
struct NamedPath {
  std::string parameter, path;
};
// True when a and b name the same file (the same inode when both exist, else the same canonical path).
bool same_file(const std::string& a, const std::string& b);
// UsageError naming the output's parameter when an output is one of the inputs or another output
// (compare every file a command writes, sidecars included, against every file it reads).
void require_distinct(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

// Inputs are regular files (or links to them) of at most max_bytes: a device (/dev/zero), a fifo or a
// huge file is refused before anything is read. UsageError(parameter) otherwise, or if missing.
constexpr std::uintmax_t kMaxInputBytes = std::uintmax_t{1} << 32;  // 4 GiB
void require_readable(const std::string& path, const std::string& parameter, std::uintmax_t max_bytes = kMaxInputBytes);
std::string read_file(const std::string& path, const std::string& parameter,
                      std::uintmax_t max_bytes = std::uintmax_t{64} << 20);  // 64 MiB

}  // namespace spinformer::lab
