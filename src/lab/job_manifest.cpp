#include "lab/job_manifest.hpp"

#include <algorithm>
#include <boost/uuid/detail/sha1.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace spinformer::lab {
namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& file, int error) {
  throw std::runtime_error(fmt::format("{} '{}': {}", what, file.string(), std::strerror(error ? error : EIO)));
}

// The regular files of a job directory, by name, the manifest itself left out.
std::map<std::string, fs::path> job_files(const fs::path& dir) {
  std::map<std::string, fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name != kJobManifest) files[name] = entry.path();
  }
  return files;
}

}  // namespace

void write_file_checked(const fs::path& file, const std::string& bytes) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot write", file, errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      ::close(fd);
      fail("cannot write", file, error);
    }
    done += static_cast<std::size_t>(n);
  }
  // A file system that reserves space late (NFS, some overlays) reports a full disk only here.
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("cannot write", file, error);
  }
  if (::close(fd) != 0) fail("cannot write", file, errno);
}

void rename_checked(const fs::path& from, const fs::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0)
    throw std::runtime_error(
        fmt::format("cannot rename '{}' to '{}': {}", from.string(), to.string(), std::strerror(errno)));
}

std::string file_sha1(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot read", file, errno);
  boost::uuids::detail::sha1 h;
  std::vector<char> buffer(1 << 16);
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      fail("cannot read", file, error);
    }
    if (n == 0) break;
    h.process_bytes(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  boost::uuids::detail::sha1::digest_type d;
  h.get_digest(d);
  std::string out;
  for (unsigned w : d) out += fmt::format("{:08x}", w);
  return out;
}

void write_job_manifest(const fs::path& dir) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& [name, path] : job_files(dir))
    files.push_back({{"name", name}, {"size", fs::file_size(path)}, {"sha1", file_sha1(path)}});
  const nlohmann::json manifest = {{"files", files}};
  // through a name that is not the manifest's, so that a manifest is never seen half written
  const fs::path part = dir / ".manifest.json.part";
  write_file_checked(part, manifest.dump(2) + "\n");
  rename_checked(part, dir / kJobManifest);
}

ManifestCheck check_job_manifest(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return {ManifestCheck::absent, "no such directory"};
  auto mismatch = [](std::string why) { return ManifestCheck{ManifestCheck::mismatch, std::move(why)}; };
  try {
    const fs::path manifest_file = dir / kJobManifest;
    if (!fs::exists(manifest_file, ec)) {
      if (fs::exists(dir / "result.json", ec)) return {ManifestCheck::legacy, "written without a manifest"};
      return mismatch("manifest.json is missing");
    }
    nlohmann::json manifest;
    try {
      std::ifstream in(manifest_file);
      manifest = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
      return mismatch("manifest.json is not valid JSON");
    }
    if (!manifest.is_object() || !manifest.contains("files") || !manifest["files"].is_array())
      return mismatch("manifest.json has no file list");
    auto present = job_files(dir);
    std::map<std::string, bool> listed;
    for (const auto& f : manifest["files"]) {
      if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("size") ||
          !f["size"].is_number_unsigned() || !f.contains("sha1") || !f["sha1"].is_string())
        return mismatch("manifest.json has a malformed entry");
      const std::string name = f["name"];
      listed[name] = true;
      const auto it = present.find(name);
      if (it == present.end()) return mismatch(fmt::format("{} is missing", name));
      const auto size = fs::file_size(it->second);
      if (size != f["size"].get<std::uintmax_t>())
        return mismatch(fmt::format("{} has {} bytes, the manifest says {}", name, size, f["size"].get<std::uintmax_t>()));
      if (file_sha1(it->second) != f["sha1"].get<std::string>())
        return mismatch(fmt::format("{} does not match its checksum in the manifest", name));
      present.erase(it);
    }
    if (!present.empty()) return mismatch(fmt::format("{} is not in the manifest", present.begin()->first));
    for (const char* required : {"job.json", "result.json"})
      if (!listed.count(required)) return mismatch(fmt::format("the manifest does not list {}", required));
  } catch (const std::exception& e) {  // an unreadable file: not a job to trust
    return mismatch(e.what());
  }
  return {ManifestCheck::whole, ""};
}

bool process_alive(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

long temporary_owner(const std::string& name) {
  const auto pos = name.rfind(".tmp.");
  if (pos == std::string::npos) return -1;
  std::size_t i = pos + 5, start = i;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9') ++i;
  if (i == start || i - start > 9 || (i < name.size() && name[i] != '.')) return -1;
  return std::atol(name.c_str() + start);
}

void sweep_dead_temporaries(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const long pid = temporary_owner(entry.path().filename().string());
    if (pid <= 0 || pid == ::getpid() || process_alive(pid)) continue;
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
}

void sweep_dead_rank_scratch(const fs::path& temp) {
  std::error_code ec;
  if (!fs::is_directory(temp, ec)) return;
  for (const auto& entry : fs::directory_iterator(temp, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("spinformer-rank", 0) != 0) continue;
    const auto dash = name.rfind('-');
    const std::string digits = name.substr(dash + 1);
    if (dash < 15 || digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    const long pid = std::atol(digits.c_str());
    if (pid == ::getpid() || process_alive(pid)) continue;
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
}

}  // namespace spinformer::lab
