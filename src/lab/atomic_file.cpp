#include "lab/atomic_file.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <sstream>
#include <unistd.h>

#include "lab/usage_error.hpp"

namespace spinformer::lab {
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
  auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace

void install_signal_cleanup() {
  std::signal(SIGINT, cleanup_and_exit);
  std::signal(SIGTERM, cleanup_and_exit);
  std::signal(SIGHUP, cleanup_and_exit);
}

void require_writable(const std::string& path, const std::string& parameter) {
  if (path.empty()) throw UsageError(parameter, "empty path");
  const std::string dir = directory_of(path);
  if (!std::filesystem::is_directory(dir))
    throw UsageError(parameter, fmt::format("cannot write '{}': directory '{}' does not exist", path, dir));
  if (::access(dir.c_str(), W_OK) != 0)
    throw UsageError(parameter, fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  if (std::filesystem::is_directory(path))
    throw UsageError(parameter, fmt::format("cannot write '{}': it is a directory", path));
}

AtomicFile::AtomicFile(const std::string& path, const std::string& parameter)
    : path_(path), temp_path_(fmt::format("{}.tmp.{}", path, ::getpid())), parameter_(parameter) {
  require_writable(path, parameter);
  slot_ = register_temp(temp_path_);
  stream_.open(temp_path_, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!stream_) {
    unregister_temp(slot_);
    throw UsageError(parameter, fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    stream_.close();
    std::remove(temp_path_.c_str());
  }
  unregister_temp(slot_);
}

void AtomicFile::commit() {
  stream_.flush();
  const bool ok = static_cast<bool>(stream_);
  stream_.close();
  if (!ok || std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    throw std::runtime_error(fmt::format("{}: writing '{}' failed: {}", parameter_, path_, std::strerror(errno)));
  }
  committed_ = true;
}

void write_file_atomically(const std::string& path, const std::string& content, const std::string& parameter) {
  AtomicFile file(path, parameter);
  file.stream() << content;
  file.commit();
}

std::string read_file(const std::string& path, const std::string& parameter) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path))
    throw UsageError(parameter, fmt::format("cannot read '{}'", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace spinformer::lab
