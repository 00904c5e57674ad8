#pragma once
// The JSON sidecar every data file carries: program, parameters, seed, git commit, wall time.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace spinformer::lab {

class RunMetadata {
 public:
  explicit RunMetadata(std::string program);

  nlohmann::json& parameters() { return parameters_; }
  void set_seed(std::uint64_t seed) { seed_ = seed; }

  // Writes <data_path>.json atomically. wall_time_s counts from construction (or the last restart()).
  void write_sidecar(const std::string& data_path, const nlohmann::json& extra = nlohmann::json::object()) const;
  nlohmann::json to_json() const;
  // The sidecar's text (what write_sidecar writes), for committing it together with its data file.
  std::string sidecar_text(const std::string& data_path, const nlohmann::json& extra = nlohmann::json::object()) const;
  void restart_clock() { start_ = std::chrono::steady_clock::now(); }

 private:
  std::string program_;
  nlohmann::json parameters_ = nlohmann::json::object();
  std::uint64_t seed_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// Writes a data file (write_data fills it) and its sidecar <path>.json as one commit: both or neither.
void write_with_sidecar(const std::string& path, const std::string& parameter,
                        const std::function<void(std::ostream&)>& write_data, const RunMetadata& meta,
                        const nlohmann::json& extra = nlohmann::json::object());

// "abc123..." of HEAD, with "-dirty" when tracked files differ; "unknown" outside a git checkout.
const std::string& git_commit();

}  // namespace spinformer::lab
