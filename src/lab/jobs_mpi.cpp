// The engine's MPI transport: rank 0 hands out one job at a time to whichever rank asks (jobs differ
// in cost), the job's input files travel with it, and its result files travel back, so ranks need
// no shared file system. Built only when CMake finds MPI (SPINFORMER_HAVE_MPI).
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "lab/job_manifest.hpp"
#include "lab/jobs_transport.hpp"

#ifdef SPINFORMER_HAVE_MPI
#include <mpi.h>
#endif

namespace fs = std::filesystem;

namespace spinformer::lab {

std::string pack_message(const nlohmann::json& header, const JobFiles& files) {
  nlohmann::json h = header;
  h["files"] = nlohmann::json::array();
  for (const auto& [name, bytes] : files) h["files"].push_back({{"name", name}, {"size", bytes.size()}});
  const std::string text = h.dump();
  std::string out = fmt::format("{:016x}", text.size()) + text;
  for (const auto& f : files) out += f.second;
  return out;
}

std::pair<nlohmann::json, JobFiles> unpack_message(const std::string& buffer) {
  if (buffer.size() < 16) throw std::runtime_error("engine message too short");
  const std::size_t n = std::stoull(buffer.substr(0, 16), nullptr, 16);
  if (16 + n > buffer.size()) throw std::runtime_error("engine message truncated");
  nlohmann::json header = nlohmann::json::parse(buffer.substr(16, n));
  JobFiles files;
  std::size_t at = 16 + n;
  for (const auto& f : header.at("files")) {
    const std::size_t size = f.at("size").get<std::size_t>();
    if (at + size > buffer.size()) throw std::runtime_error("engine message truncated");
    files.emplace_back(f.at("name").get<std::string>(), buffer.substr(at, size));
    at += size;
  }
  return {header, files};
}

namespace {

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  if (!in || !(s << in.rdbuf()) || in.bad()) {
    if (fs::file_size(file) == 0) return {};  // operator<< fails on an empty file: nothing to read
    throw std::runtime_error("cannot read " + file.string());
  }
  return s.str();
}

}  // namespace

#ifdef SPINFORMER_HAVE_MPI
namespace {

constexpr int kReady = 1, kJob = 2, kStop = 3;

void send(const std::string& bytes, int to, int tag) {
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD);
}

std::string receive(const MPI_Status& probed) {
  int count = 0;
  MPI_Get_count(&probed, MPI_BYTE, &count);
  std::string buffer(static_cast<std::size_t>(count), '\0');
  MPI_Recv(buffer.data(), count, MPI_BYTE, probed.MPI_SOURCE, probed.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return buffer;
}

class MpiTransport : public Engine::Transport {
 public:
  MpiTransport() {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiTransport() override {
    if (rank_ == 0)
      for (int r = 1; r < size_; ++r) send("", r, kStop);
    MPI_Finalize();
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int busy() const override { return busy_; }

  void dispatch(const std::function<long()>& take,
                const std::function<std::tuple<std::string, Job, std::string>(long)>& describe,
                const std::function<void(long, const nlohmann::json&, const JobFiles&, const std::string&)>& finished)
      override {
    // Idle ranks from an earlier phase get work first.
    for (std::size_t k = 0; k < idle_.size();) {
      if (give(idle_[k], take, describe)) idle_.erase(idle_.begin() + static_cast<long>(k));
      else ++k;
    }
    for (;;) {
      int flag = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kReady, MPI_COMM_WORLD, &flag, &status);
      if (!flag) return;
      auto [header, files] = unpack_message(receive(status));
      if (header.contains("index")) {
        --busy_;
        finished(header["index"].get<long>(), header.value("result", nlohmann::json()), files,
                 header.value("error", std::string()));
      }
      if (!give(status.MPI_SOURCE, take, describe)) idle_.push_back(status.MPI_SOURCE);
    }
  }

  void serve(const std::function<nlohmann::json(const std::string&, const Job&, const fs::path&,
                                                const std::map<std::string, fs::path>&)>& run) override {
    // a rank killed in an earlier run left its scratch directory behind
    sweep_dead_rank_scratch(fs::temp_directory_path());
    const fs::path scratch = fs::temp_directory_path() / fmt::format("spinformer-rank{}-{}", rank_, ::getpid());
    send(pack_message(nlohmann::json::object(), {}), 0, kReady);
    for (;;) {
      MPI_Status status;
      MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
      const std::string buffer = receive(status);
      if (status.MPI_TAG == kStop) break;
      auto [header, inputs] = unpack_message(buffer);
      nlohmann::json reply = {{"index", header.at("index")}};
      JobFiles results;
      std::error_code ec;
      fs::remove_all(scratch, ec);
      try {
        fs::create_directories(scratch / "inputs");
        fs::create_directories(scratch / "job");
        std::map<std::string, fs::path> local;
        for (const auto& [name, bytes] : inputs) {
          write_file_checked(scratch / "inputs" / name, bytes);
          local[name] = scratch / "inputs" / name;
        }
        Job job;
        job.label = header["job"].at("label").get<std::string>();
        job.parameters = header["job"].at("parameters");
        job.seed = header["job"].at("seed").get<std::uint64_t>();
        reply["result"] = nlohmann::json::parse(run(header.at("kind").get<std::string>(), job, scratch / "job", local).dump());
        for (const auto& entry : fs::directory_iterator(scratch / "job"))
          if (entry.is_regular_file()) results.emplace_back(entry.path().filename().string(), slurp(entry.path()));
      } catch (const std::exception& e) {
        reply["error"] = fmt::format("rank {}: {}", rank_, e.what());
        results.clear();
      }
      fs::remove_all(scratch, ec);
      send(pack_message(reply, results), 0, kReady);
    }
  }

 private:
  bool give(int to, const std::function<long()>& take,
            const std::function<std::tuple<std::string, Job, std::string>(long)>& describe) {
    const long i = take();
    if (i < 0) return false;
    auto [kind, job, key] = describe(i);
    JobFiles inputs;
    for (const auto& in : job.inputs) inputs.emplace_back(in.filename().string(), slurp(in));
    const nlohmann::json header = {{"index", i}, {"kind", kind}, {"key", key},
                                   {"job", {{"label", job.label}, {"parameters", job.parameters}, {"seed", job.seed}}}};
    send(pack_message(header, inputs), to, kJob);
    ++busy_;
    return true;
  }
  int rank_ = 0, size_ = 1, busy_ = 0;
  std::vector<int> idle_;
};

}  // namespace
#endif

std::unique_ptr<Engine::Transport> make_transport() {
  const bool under_mpirun = std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
  if (!under_mpirun) return nullptr;
#ifdef SPINFORMER_HAVE_MPI
  return std::make_unique<MpiTransport>();
#else
  throw std::runtime_error("started by mpirun, but this build has no MPI (install libopenmpi-dev and rebuild)");
#endif
}

}  // namespace spinformer::lab
