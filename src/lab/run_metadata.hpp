#pragma once
// The JSON sidecar every data file carries: program, parameters, seed, git commit, wall time.
#include <chrono>
#include <nlohmann/json.hpp>
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
  void restart_clock() { start_ = std::chrono::steady_clock::now(); }

 private:
  std::string program_;
  nlohmann::json parameters_ = nlohmann::json::object();
  std::uint64_t seed_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// "abc123..." of HEAD, with "-dirty" when tracked files differ; "unknown" outside a git checkout.
const std::string& git_commit();

}  // namespace spinformer::lab
