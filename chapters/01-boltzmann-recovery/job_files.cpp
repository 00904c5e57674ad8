// The files of a job's result (job_files.hpp): a scratch directory, and base64 (RFC 4648) both ways.
#include "job_files.hpp"

#include <algorithm>
#include <cstdint>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <sys/types.h>
#include <unistd.h>

#include "lab/atomic_file.hpp"

namespace spinformer {

namespace fs = std::filesystem;

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::string& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k) v = v << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

std::string from_base64(const std::string& text) {
  if (text.size() % 4 != 0) throw std::runtime_error("job file: base64 text of a length not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t v = 0;
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      const char* at = c == '=' ? nullptr : std::strchr(kAlphabet, c);
      if (c == '=') ++pad;
      else if (!at || c == '\0' || pad) throw std::runtime_error("job file: not base64");
      v = v << 6 | (at ? static_cast<std::uint32_t>(at - kAlphabet) : 0u);
    }
    if (pad > 2 || (pad && i + 4 != text.size())) throw std::runtime_error("job file: misplaced base64 padding");
    for (int k = 0; k < 3 - pad; ++k) out += static_cast<char>((v >> (16 - 8 * k)) & 255);
  }
  return out;
}

}  // namespace

namespace {
constexpr char kScratchPrefix[] = "spinformer-ch01-job.";

// Removes the scratch directories of processes that are gone (a killed run's jobs): their names hold
// the process id, spinformer-ch01-job.<pid>.XXXXXX.
void sweep_dead_scratch(const fs::path& tmp) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(tmp, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kScratchPrefix, 0) != 0) continue;
    const std::string rest = name.substr(sizeof kScratchPrefix - 1);
    const auto dot = rest.find('.');
    if (dot == 0 || dot == std::string::npos || rest.find_first_not_of("0123456789") != dot) continue;
    const long pid = std::strtol(rest.substr(0, dot).c_str(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), error);
  }
}
}  // namespace

ScratchDirectory::ScratchDirectory() {
  const fs::path tmp = fs::temp_directory_path();
  sweep_dead_scratch(tmp);
  std::string pattern = (tmp / fmt::format("{}{}.XXXXXX", kScratchPrefix, ::getpid())).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!::mkdtemp(buffer.data())) throw std::runtime_error("cannot create a scratch directory from " + pattern);
  path_ = buffer.data();
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;  // a destructor must not throw; what is left is the system's to clean up
  fs::remove_all(path_, ignored);
}

nlohmann::json ScratchDirectory::files() const {
  nlohmann::json files = nlohmann::json::object();
  for (const auto& entry : fs::directory_iterator(path_)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) throw std::runtime_error("cannot read the job file " + entry.path().string());
    files[entry.path().filename().string()] = base64(bytes);
  }
  return files;
}

void write_job_files(const nlohmann::json& files, const std::string& dir) {
  lab::OutputFiles out;
  for (const auto& [name, text] : files.items()) {
    const std::string bytes = from_base64(text.get<std::string>());
    out.add(dir + "/" + name).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  out.commit();
}

}  // namespace spinformer
