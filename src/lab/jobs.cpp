#include "lab/jobs.hpp"

#include <algorithm>
#include <atomic>
#include <boost/uuid/detail/sha1.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <exception>
#include <fmt/format.h>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <fcntl.h>
#include <optional>
#include <sys/file.h>
#include <unistd.h>

#include "lab/atomic_file.hpp"
#include "lab/jobs_transport.hpp"
#include "lab/usage_error.hpp"

namespace fs = std::filesystem;

namespace spinformer::lab {

std::string sha1_hex(const std::string& bytes) {
  boost::uuids::detail::sha1 h;
  h.process_bytes(bytes.data(), bytes.size());
  boost::uuids::detail::sha1::digest_type d;
  h.get_digest(d);
  std::string out;
  for (unsigned w : d) out += fmt::format("{:08x}", w);
  return out;
}

std::string sha1_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream s;
  s << in.rdbuf();
  return sha1_hex(s.str());
}

int max_parallelism() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<int>(std::max(4u, 4 * cores));
}

int checked_parallelism(long value, const std::string& parameter) {
  if (value < 1 || value > max_parallelism())
    throw UsageError(parameter, fmt::format("must be between 1 and {} (4 x the {} cores), got {}", max_parallelism(),
                                            std::thread::hardware_concurrency(), value));
  return static_cast<int>(value);
}

JobContext::JobContext(fs::path dir, std::map<std::string, fs::path> inputs, std::function<void(double)> report,
                       bool resumed)
    : dir_(std::move(dir)), inputs_(std::move(inputs)), report_(std::move(report)), resumed_(resumed) {}

fs::path JobContext::input(const std::string& name) const {
  const auto it = inputs_.find(name);
  if (it == inputs_.end()) throw std::logic_error("job input not declared: " + name);
  return it->second;
}

EngineOptions chapter_engine(const std::string& program, const std::string& profile, const fs::path& out,
                             int workers, const std::string& code_hash) {
  EngineOptions o;
  o.program = program;
  o.profile = profile;
  o.cache = out.parent_path() / "jobs" / program;
  if (out.filename().empty()) o.cache = out.parent_path().parent_path() / "jobs" / program;
  o.code_hash = code_hash;
  o.workers = workers;
  return o;
}

void copy_job_files(const JobResult& result, const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(result.dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "job.json" || name == "result.json") continue;
    fs::copy_file(entry.path(), dir / name, fs::copy_options::overwrite_existing);
  }
}

fs::path job_directory(const fs::path& cache, const std::string& kind, const std::string& key) {
  return cache / kind / key;
}

namespace {

// A job's directory is finished when its result.json exists (written last, inside the temporary
// directory, before the rename that publishes the directory).
bool finished(const fs::path& dir) { return fs::exists(dir / "result.json"); }

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

// Removes <key>.tmp.<pid> directories whose process is gone (a killed run's unfinished jobs).
void sweep_stale(const fs::path& kind_dir) {
  std::error_code ec;
  if (!fs::is_directory(kind_dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(kind_dir, ec)) {
    const std::string name = entry.path().filename().string();
    const auto pos = name.find(".tmp.");
    if (pos == std::string::npos) continue;
    const long pid = std::atol(name.c_str() + pos + 5);
    if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) == 0) continue;  // still running
    fs::remove_all(entry.path(), ec);
  }
}

std::atomic<long> temp_counter{0};

}  // namespace

// Publishes a finished job directory: files into temp, result.json last, then one rename.
fs::path publish_job(const fs::path& cache, const std::string& kind, const std::string& key,
                     const nlohmann::json& job_json, const nlohmann::json& result,
                     const std::vector<std::pair<std::string, std::string>>& files, const fs::path& written_dir) {
  const fs::path final_dir = job_directory(cache, kind, key);
  fs::create_directories(final_dir.parent_path());
  fs::path temp = written_dir;
  if (temp.empty()) {
    temp = final_dir;
    temp += fmt::format(".tmp.{}.{}", ::getpid(), temp_counter++);
    fs::create_directories(temp);
  }
  for (const auto& [name, bytes] : files) {
    std::ofstream out(temp / name, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write job file " + (temp / name).string());
  }
  {
    std::ofstream out(temp / "job.json");
    out << job_json.dump(2) << "\n";
    std::ofstream res(temp / "result.json.part");
    res << result.dump(2) << "\n";
    if (!out || !res) throw std::runtime_error("cannot write job result in " + temp.string());
  }
  fs::rename(temp / "result.json.part", temp / "result.json");
  std::error_code ec;
  fs::rename(temp, final_dir, ec);
  if (ec) {  // another process finished the same job first: keep theirs (same key, same bytes)
    fs::remove_all(temp, ec);
    if (!finished(final_dir)) throw std::runtime_error("cannot publish job " + final_dir.string());
  }
  return final_dir;
}

Engine::Engine(EngineOptions options) : options_(std::move(options)) {
  transport_ = make_transport();
  if (options_.workers < 1) options_.workers = 1;
}

Engine::~Engine() = default;

void Engine::define(const std::string& kind, JobFunction function) { kinds_[kind] = std::move(function); }

bool Engine::root() const { return !transport_ || transport_->rank() == 0; }
int Engine::ranks() const { return transport_ ? transport_->size() : 1; }

std::string Engine::key(const std::string& kind, const Job& job) const {
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& in : job.inputs) inputs.push_back({{"name", in.filename().string()}, {"sha1", sha1_file(in)}});
  const nlohmann::json k = {{"program", options_.program}, {"profile", options_.profile}, {"kind", kind},
                            {"parameters", job.parameters}, {"seed", job.seed}, {"code", options_.code_hash},
                            {"inputs", inputs}};
  return sha1_hex(k.dump());
}

namespace {

// Holds an exclusive lock on a job's .partial directory while it runs, so that two processes never
// run the same job in the same place (the second one is told so, not left to corrupt the first).
class PartialLock {
 public:
  explicit PartialLock(const fs::path& dir) {
    fd_ = ::open((dir / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX | LOCK_NB) != 0)
      throw std::runtime_error("job directory " + dir.string() + " is in use by another process");
  }
  ~PartialLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

}  // namespace

JobResult Engine::run_local_one(const std::string& kind, const Job& job, const std::string& key,
                                const std::function<void(double)>& report) {
  // The job works in <key>.partial/, which survives a kill: a job that checkpoints there (a long
  // training) resumes from its checkpoint when the run is repeated. Only the final rename to <key>/
  // makes it finished.
  const fs::path final_dir = job_directory(options_.cache, kind, key);
  fs::path partial = final_dir;
  partial += ".partial";
  fs::create_directories(partial);
  const bool resumed = fs::exists(partial / "job.json");
  std::optional<PartialLock> lock;
  lock.emplace(partial);
  const nlohmann::json job_json = {{"label", job.label}, {"kind", kind}, {"parameters", job.parameters},
                                   {"seed", job.seed}, {"code", options_.code_hash}, {"profile", options_.profile}};
  if (!resumed) std::ofstream(partial / "job.json") << job_json.dump(2) << "\n";
  std::map<std::string, fs::path> inputs;
  for (const auto& in : job.inputs) inputs[in.filename().string()] = in;
  JobContext ctx(partial, inputs, report, resumed);
  // Through text and back, so that a fresh result reads exactly as a cached one (NaN becomes null).
  const nlohmann::json value = nlohmann::json::parse(kinds_.at(kind)(job, ctx).dump());  // on an exception .partial stays
  lock.reset();
  fs::remove(partial / ".lock");
  const fs::path dir = publish_job(options_.cache, kind, key, job_json, value, {}, partial);
  return {value, dir, false};
}

std::vector<JobResult> Engine::run(const std::string& kind, const std::vector<Job>& jobs) {
  if (!kinds_.count(kind)) throw std::logic_error("job kind not defined: " + kind);
  if (!root()) throw std::logic_error("Engine::run on a serving rank");
  sweep_stale(options_.cache / kind);
  std::vector<JobResult> results(jobs.size());
  std::vector<std::string> keys(jobs.size());
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    keys[i] = key(kind, jobs[i]);
    const fs::path dir = job_directory(options_.cache, kind, keys[i]);
    if (finished(dir)) {
      results[i] = {read_json(dir / "result.json"), dir, true};
      ++cached_;
    } else {
      pending.push_back(i);
    }
  }
  const std::string label = fmt::format("[{}] {}", options_.program, kind);
  if (options_.progress && !jobs.empty())
    std::fprintf(stderr, "%s: %zu jobs, %zu cached, %zu to run on %d rank(s) x %d worker(s)\n", label.c_str(),
                 jobs.size(), jobs.size() - pending.size(), pending.size(), ranks(), options_.workers);
  if (pending.empty()) return results;

  // Shared state of this run: the next pending job, per-job progress, the first failure.
  std::mutex m;
  std::condition_variable cv;
  std::size_t next = 0, done = 0, in_flight = 0;
  std::vector<double> fraction(jobs.size(), 0.0);
  std::exception_ptr failure;
  const auto start = std::chrono::steady_clock::now();

  auto take = [&]() -> long {  // under m
    if (failure || next >= pending.size()) return -1;
    ++in_flight;
    return static_cast<long>(pending[next++]);
  };
  auto complete = [&](std::size_t i, JobResult r, std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(m);
    --in_flight;
    if (error) {
      if (!failure) failure = error;
    } else {
      results[i] = std::move(r);
      ++done;
      ++run_;
      fraction[i] = 1.0;
    }
    cv.notify_all();
  };

  auto local_worker = [&]() {
    for (;;) {
      long i;
      {
        std::lock_guard<std::mutex> lock(m);
        i = take();
      }
      if (i < 0) return;
      auto report = [&, i](double f) {
        std::lock_guard<std::mutex> lock(m);
        fraction[i] = std::clamp(f, 0.0, 1.0);
      };
      try {
        complete(i, run_local_one(kind, jobs[i], keys[i], report), nullptr);
      } catch (...) {
        complete(i, {}, std::current_exception());
      }
    }
  };
  std::vector<std::thread> pool;
  const int local = static_cast<int>(std::min<std::size_t>(options_.workers, pending.size()));
  for (int w = 0; w < local; ++w) pool.emplace_back(local_worker);

  // The main thread: MPI dispatch (if any) and progress lines.
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  const double log_every = terminal ? 0.5 : 15.0;
  auto last_log = start;
  auto progress_line = [&](bool final_line) {
    double partial = 0;
    for (std::size_t i : pending) partial += fraction[i];
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double f = partial / static_cast<double>(pending.size());
    const std::string eta = f > 0.02 ? fmt::format("~{:.0f} s left", elapsed * (1 - f) / f) : "estimating time left";
    const int width = 24, filled = static_cast<int>(f * width + 0.5);
    const std::string text = fmt::format("{}: [{}{}] {}/{} jobs, {:.0f} s, {}", label, std::string(filled, '#'),
                                         std::string(width - filled, '.'), done, pending.size(), elapsed, eta);
    if (terminal) std::fprintf(stderr, "\r%s\033[K%s", text.c_str(), final_line ? "\n" : "");
    else std::fprintf(stderr, "%s\n", text.c_str());
    std::fflush(stderr);
  };
  for (;;) {
    if (transport_ && transport_->size() > 1) {
      transport_->dispatch(
          [&]() -> long {
            std::lock_guard<std::mutex> lock(m);
            return take();
          },
          [&](long i) { return std::make_tuple(kind, jobs[i], keys[i]); },
          [&](long i, const nlohmann::json& value, const std::vector<std::pair<std::string, std::string>>& files,
              const std::string& error) {
            if (!error.empty()) {
              complete(i, {}, std::make_exception_ptr(std::runtime_error(error)));
              return;
            }
            try {
              const nlohmann::json job_json = {{"label", jobs[i].label}, {"kind", kind},
                                               {"parameters", jobs[i].parameters}, {"seed", jobs[i].seed},
                                               {"code", options_.code_hash}, {"profile", options_.profile}};
              const fs::path dir = publish_job(options_.cache, kind, keys[i], job_json, value, files, {});
              complete(i, {value, dir, false}, nullptr);
            } catch (...) {
              complete(i, {}, std::current_exception());
            }
          });
    }
    std::unique_lock<std::mutex> lock(m);
    const bool idle_remote = !transport_ || transport_->size() <= 1 || transport_->busy() == 0;
    if (in_flight == 0 && idle_remote && (failure || next >= pending.size())) break;
    cv.wait_for(lock, std::chrono::milliseconds(transport_ && transport_->size() > 1 ? 5 : 200));
    const auto now = std::chrono::steady_clock::now();
    if (options_.progress && std::chrono::duration<double>(now - last_log).count() > log_every) {
      last_log = now;
      progress_line(false);
    }
  }
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  if (options_.progress) progress_line(true);
  return results;
}

int Engine::serve() {
  if (root()) return 0;
  transport_->serve([&](const std::string& kind, const Job& job, const fs::path& scratch,
                        const std::map<std::string, fs::path>& inputs) {
    JobContext ctx(scratch, inputs, [](double) {});
    return kinds_.at(kind)(job, ctx);
  });
  return 0;
}

}  // namespace spinformer::lab
