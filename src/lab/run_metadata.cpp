#include "lab/run_metadata.hpp"

#include <array>
#include <cstdio>
#include <ctime>

#include "lab/atomic_file.hpp"

namespace spinformer::lab {
namespace {

std::string run_command(const char* command) {
  std::string output;
  if (FILE* pipe = ::popen(command, "r")) {
    std::array<char, 256> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
    if (::pclose(pipe) != 0) return {};
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  return output;
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

}  // namespace

const std::string& git_commit() {
  static const std::string commit = [] {
    std::string head = run_command("git rev-parse HEAD 2>/dev/null");
    if (head.empty()) return std::string("unknown");
    if (!run_command("git status --porcelain --untracked-files=no 2>/dev/null").empty()) head += "-dirty";
    return head;
  }();
  return commit;
}

RunMetadata::RunMetadata(std::string program)
    : program_(std::move(program)), start_(std::chrono::steady_clock::now()) {}

nlohmann::json RunMetadata::to_json() const {
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return {{"program", program_},   {"parameters", parameters_}, {"seed", seed_},
          {"git_commit", git_commit()}, {"wall_time_s", wall},  {"finished_at", utc_now()}};
}

std::string RunMetadata::sidecar_text(const std::string& data_path, const nlohmann::json& extra) const {
  nlohmann::json sidecar = to_json();
  sidecar["data_file"] = data_path;
  for (auto it = extra.begin(); it != extra.end(); ++it) sidecar[it.key()] = it.value();
  return sidecar.dump(2) + "\n";
}

void RunMetadata::write_sidecar(const std::string& data_path, const nlohmann::json& extra) const {
  write_file_atomically(data_path + ".json", sidecar_text(data_path, extra));
}

void write_with_sidecar(const std::string& path, const std::string& parameter,
                        const std::function<void(std::ostream&)>& write_data, const RunMetadata& meta,
                        const nlohmann::json& extra) {
  OutputFiles files;
  write_data(files.add(path, parameter));
  files.add(path + ".json", parameter) << meta.sidecar_text(path, extra);
  files.commit();
}

}  // namespace spinformer::lab
