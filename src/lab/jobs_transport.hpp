#pragma once
// The engine's link between MPI ranks (src/lab/jobs_mpi.cpp when built with MPI; otherwise
// make_transport() returns nullptr and a run under mpirun is refused). Only the thread that calls
// Engine::run or Engine::serve talks MPI (MPI_THREAD_FUNNELED); local workers never do.
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "lab/jobs.hpp"

namespace spinformer::lab {

using JobFiles = std::vector<std::pair<std::string, std::string>>;  // (file name, bytes)

struct Engine::Transport {
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Rank 0, non-blocking: answers every waiting rank (a finished job's result, then the next job from
  // take(); -1 means none left). describe(i) gives the job to send for index i.
  virtual void dispatch(const std::function<long()>& take,
                        const std::function<std::tuple<std::string, Job, std::string>(long)>& describe,
                        const std::function<void(long, const nlohmann::json&, const JobFiles&, const std::string&)>&
                            finished) = 0;
  // Rank 0: jobs handed out and not yet returned.
  virtual int busy() const = 0;
  // Other ranks: run jobs until rank 0 says stop.
  virtual void serve(const std::function<nlohmann::json(const std::string&, const Job&, const std::filesystem::path&,
                                                        const std::map<std::string, std::filesystem::path>&)>&
                         run) = 0;
};

// nullptr unless this process was started by mpirun (and the build has MPI).
std::unique_ptr<Engine::Transport> make_transport();

// Shared by the MPI transport and tests: one buffer holding a JSON header and file blobs.
std::string pack_message(const nlohmann::json& header, const JobFiles& files);
std::pair<nlohmann::json, JobFiles> unpack_message(const std::string& buffer);

// Writes a finished job directory (used by the engine for remote results).
std::filesystem::path publish_job(const std::filesystem::path& cache, const std::string& kind, const std::string& key,
                                  const nlohmann::json& job_json, const nlohmann::json& result, const JobFiles& files,
                                  const std::filesystem::path& written_dir);

}  // namespace spinformer::lab
