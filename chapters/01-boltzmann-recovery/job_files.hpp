#pragma once
// A training job's files (its model, training curve and per-model tables) travel inside its result.
// Why: lab::Chapter hands a step its parameters and seed but not the engine's job directory, where
// an engine job keeps its files; this chapter's jobs write files that chapter 2 and the figures read.
// So a job writes them into a scratch directory of its own and returns them, base64-encoded, in its
// JSON result, which the engine caches (checksummed) and carries back from other MPI ranks; the
// chapter then writes the ones it publishes into its output folder.
#include <nlohmann/json.hpp>
#include <string>

namespace spinformer {

// A fresh private directory under the system's temporary directory, removed with everything in it
// when the object goes (a job that throws leaves nothing behind). A killed process cannot remove its
// own: the next one sweeps the scratch directories of processes that are gone.
class ScratchDirectory {
 public:
  ScratchDirectory();
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::string& path() const { return path_; }
  // Every regular file in it: {file name: its bytes in base64}.
  nlohmann::json files() const;

 private:
  std::string path_;
};

// Writes the files of a job's result (ScratchDirectory::files) into dir, all or none.
void write_job_files(const nlohmann::json& files, const std::string& dir);

}  // namespace spinformer
