#include "lab/atomic_file.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <sstream>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "lab/job_manifest.hpp"
#include "lab/usage_error.hpp"

namespace spinformer::lab {
namespace fs = std::filesystem;
namespace {

// Pending temporary paths, readable from a signal handler (fixed storage, atomic flags).
constexpr int kSlots = 64;
constexpr int kPathMax = 4096;
char g_paths[kSlots][kPathMax];
std::atomic<bool> g_used[kSlots];

int register_temp(const std::string& path) {
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!g_used[i].load() && path.size() < kPathMax) {
      std::memcpy(g_paths[i], path.c_str(), path.size() + 1);
      if (g_used[i].compare_exchange_strong(expected, true)) return i;
    }
  }
  return -1;  // too many open outputs: still correct, just not cleaned on a signal
}

void unregister_temp(int slot) {
  if (slot >= 0) g_used[slot].store(false);
}

extern "C" void cleanup_and_exit(int sig) {
  for (int i = 0; i < kSlots; ++i)
    if (g_used[i].load()) ::unlink(g_paths[i]);
  ::_exit(128 + sig);
}

std::string directory_of(const std::string& path) {
  auto parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// The file that writing `path` replaces: the final target of a symbolic link (so that the link is
// written through, not replaced by a regular file), else path itself.
std::string output_target(const std::string& path) {
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(path, ec))) return path;
  const fs::path target = fs::weakly_canonical(path, ec);
  return ec ? path : target.string();
}

// Removes <target>.tmp.<pid> files beside target whose writer is gone (a SIGKILL runs no cleanup), so
// that an interrupted run leaves no temporary behind once the same file is written again.
void sweep_dead_temporaries_of(const std::string& target) {
  const fs::path t(target);
  const std::string prefix = t.filename().string() + ".tmp.";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory_of(target), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = temporary_owner(name);
    if (pid <= 0 || pid == ::getpid() || process_alive(pid) || !entry.is_regular_file(ec)) continue;
    std::error_code ignored;
    fs::remove(entry.path(), ignored);
  }
}

// fsync(2) of a closed file: a file system that reserves space late reports a full disk only here.
int sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int error = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

}  // namespace

void install_signal_cleanup() {
  std::signal(SIGINT, cleanup_and_exit);
  std::signal(SIGTERM, cleanup_and_exit);
  std::signal(SIGHUP, cleanup_and_exit);
}

void require_writable(const std::string& path, const std::string& parameter) {
  if (path.empty()) throw UsageError(parameter, "empty path");
  const std::string target = output_target(path);
  const std::string dir = directory_of(target);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw UsageError(parameter, fmt::format("cannot write '{}': directory '{}' does not exist", path, dir));
  if (::access(dir.c_str(), W_OK) != 0)
    throw UsageError(parameter, fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  const auto status = fs::status(target, ec);
  if (fs::is_directory(status)) throw UsageError(parameter, fmt::format("cannot write '{}': it is a directory", path));
  if (fs::exists(status) && !fs::is_regular_file(status))
    throw UsageError(parameter, fmt::format("cannot write '{}': not a regular file (a device or fifo is never replaced)", path));
}

AtomicFile::AtomicFile(const std::string& path, const std::string& parameter)
    : path_(path), parameter_(parameter) {
  require_writable(path, parameter);
  target_ = output_target(path);
  sweep_dead_temporaries_of(target_);
  temp_path_ = fmt::format("{}.tmp.{}", target_, ::getpid());
  slot_ = register_temp(temp_path_);
  stream_.open(temp_path_, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!stream_) {
    const int error = errno;
    unregister_temp(slot_);
    throw UsageError(parameter, fmt::format("cannot write '{}': {}", path, std::strerror(error)));
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    if (stream_.is_open()) stream_.close();
    std::remove(temp_path_.c_str());
  }
  unregister_temp(slot_);
}

void AtomicFile::finish() {
  if (finished_) return;
  errno = 0;
  stream_.flush();
  bool ok = static_cast<bool>(stream_);
  int error = errno;
  stream_.close();
  if (ok && stream_.fail()) ok = false, error = errno;
  if (ok && (error = sync_file(temp_path_)) != 0) ok = false;
  if (!ok) {
    // the stream keeps no errno of the write that failed: a full file system is the usual cause, so
    // look at it, before the temporary file (which holds the space) is removed
    struct statvfs fs_stat {};
    if (::statvfs(directory_of(temp_path_).c_str(), &fs_stat) == 0 && fs_stat.f_bavail == 0) error = ENOSPC;
    std::remove(temp_path_.c_str());
    throw UsageError(parameter_, fmt::format("writing '{}' failed: {}", path_, std::strerror(error ? error : EIO)));
  }
  finished_ = true;
}

void AtomicFile::publish() {
  finish();
  if (std::rename(temp_path_.c_str(), target_.c_str()) != 0) {
    const int error = errno;
    std::remove(temp_path_.c_str());
    throw UsageError(parameter_, fmt::format("writing '{}' failed: {}", path_, std::strerror(error)));
  }
  committed_ = true;
}

void AtomicFile::unpublish() {
  if (committed_) std::remove(target_.c_str());
}

void AtomicFile::commit() { publish(); }

std::ofstream& OutputFiles::add(const std::string& path, const std::string& parameter) {
  files_.push_back(std::make_unique<AtomicFile>(path, parameter));
  return files_.back()->stream();
}

void OutputFiles::commit() {
  for (auto& f : files_) f->finish();  // a full disk fails here, before anything is visible
  for (std::size_t k = 0; k < files_.size(); ++k) {
    try {
      files_[k]->publish();
    } catch (...) {
      for (std::size_t j = 0; j < k; ++j) files_[j]->unpublish();
      throw;
    }
  }
}

void write_file_atomically(const std::string& path, const std::string& content, const std::string& parameter) {
  AtomicFile file(path, parameter);
  file.stream() << content;
  file.commit();
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  const auto ca = fs::weakly_canonical(a, ec);
  if (ec) return a == b;
  const auto cb = fs::weakly_canonical(b, ec);
  if (ec) return a == b;
  return ca == cb;
}

void require_distinct(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const auto& out = outputs[k];
    if (out.path.empty()) continue;
    for (const auto& in : inputs)
      if (!in.path.empty() && same_file(out.path, in.path))
        throw UsageError(out.parameter, fmt::format("'{}' is the input of {}: refusing to overwrite it", out.path,
                                                    in.parameter));
    for (std::size_t j = 0; j < k; ++j)
      if (!outputs[j].path.empty() && same_file(out.path, outputs[j].path))
        throw UsageError(out.parameter, fmt::format("'{}' is also written by {}", out.path, outputs[j].parameter));
  }
}

void require_readable(const std::string& path, const std::string& parameter, std::uintmax_t max_bytes) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (path.empty() || !fs::exists(status)) throw UsageError(parameter, fmt::format("cannot read '{}': no such file", path));
  if (!fs::is_regular_file(status))
    throw UsageError(parameter, fmt::format("cannot read '{}': not a regular file", path));
  const auto size = fs::file_size(path, ec);
  if (ec) throw UsageError(parameter, fmt::format("cannot read '{}': {}", path, ec.message()));
  if (size > max_bytes)
    throw UsageError(parameter, fmt::format("'{}' has {} bytes, more than the limit of {}", path, size, max_bytes));
  if (::access(path.c_str(), R_OK) != 0)
    throw UsageError(parameter, fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
}

std::string read_file(const std::string& path, const std::string& parameter, std::uintmax_t max_bytes) {
  require_readable(path, parameter, max_bytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(parameter, fmt::format("cannot read '{}'", path));
  std::string text;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes)  // grew after the check
      throw UsageError(parameter, fmt::format("'{}' is larger than the limit of {} bytes", path, max_bytes));
  }
  return text;
}

}  // namespace spinformer::lab
