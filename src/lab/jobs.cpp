#include "lab/jobs.hpp"

#include <algorithm>
#include <atomic>
#include <boost/uuid/detail/sha1.hpp>
#include <chrono>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fmt/format.h>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "lab/atomic_file.hpp"
#include "lab/job_manifest.hpp"
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
  // The cache is beside the output folder itself, however its path is spelled (w/ch00, w/ch00/,
  // w/ch00/., a link to it): a spelling must not hide the cached jobs.
  std::error_code ec;
  fs::path folder = fs::weakly_canonical(out, ec);
  if (ec) folder = fs::absolute(out, ec).lexically_normal();
  if (folder.filename().empty()) folder = folder.parent_path();
  o.cache = folder.parent_path() / "jobs" / program;
  o.code_hash = code_hash;
  o.workers = workers;
  // what a killed run of this chapter left in its output folder (<file>.tmp.<pid>)
  sweep_dead_temporaries(folder);
  return o;
}

void copy_job_files(const JobResult& result, const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(result.dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "job.json" || name == "result.json" || name == kJobManifest) continue;
    fs::copy_file(entry.path(), dir / name, fs::copy_options::overwrite_existing);
  }
}

fs::path job_directory(const fs::path& cache, const std::string& kind, const std::string& key) {
  return cache / kind / key;
}

namespace {

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

std::atomic<long> temp_counter{0};

// Moves a job directory that is not to be trusted out of the way (one rename, so that no other
// process sees it half removed) and removes it.
void discard(const fs::path& dir) {
  fs::path aside = dir;
  aside += fmt::format(".tmp.{}.{}.untrusted", ::getpid(), temp_counter++);
  std::error_code ec;
  fs::rename(dir, aside, ec);
  if (ec && fs::exists(dir))
    throw std::runtime_error(fmt::format("cannot remove the untrusted cached job '{}': {}", dir.string(), ec.message()));
  fs::remove_all(aside, ec);
}

// create_directories with the cache named in its error (a read-only or full jobs folder).
void make_cache_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot write the job cache: cannot create '{}': {}", dir.string(), ec.message()));
}

void write_json_checked(const fs::path& file, const nlohmann::json& value) {
  write_file_checked(file, value.dump(2) + "\n");
}

}  // namespace

// Publishes a finished job directory: its files, job.json, result.json and, last, the manifest that
// makes it a finished job, every write checked; then one rename.
fs::path publish_job(const fs::path& cache, const std::string& kind, const std::string& key,
                     const nlohmann::json& job_json, const nlohmann::json& result,
                     const std::vector<std::pair<std::string, std::string>>& files, const fs::path& written_dir) {
  const fs::path final_dir = job_directory(cache, kind, key);
  make_cache_directory(final_dir.parent_path());
  fs::path temp = written_dir;
  if (temp.empty()) {
    temp = final_dir;
    temp += fmt::format(".tmp.{}.{}", ::getpid(), temp_counter++);
    make_cache_directory(temp);
  }
  try {
    for (const auto& [name, bytes] : files) write_file_checked(temp / name, bytes);
    write_json_checked(temp / "job.json.part", job_json);  // whole or absent: it marks a job to resume
    rename_checked(temp / "job.json.part", temp / "job.json");
    write_json_checked(temp / "result.json.part", result);
    rename_checked(temp / "result.json.part", temp / "result.json");
    write_job_manifest(temp);
  } catch (const std::exception& e) {
    std::error_code ec;
    if (written_dir.empty()) fs::remove_all(temp, ec);  // a job's own directory stays for a resume
    throw std::runtime_error(fmt::format("saving job {} in the cache failed: {}", key.substr(0, 12), e.what()));
  }
  if (fs::exists(final_dir) && !check_job_manifest(final_dir).ok()) discard(final_dir);
  std::error_code ec;
  fs::rename(temp, final_dir, ec);
  if (ec) {  // another process finished the same job first: keep theirs (same key, same bytes)
    const auto reason = ec.message();
    fs::remove_all(temp, ec);
    if (!check_job_manifest(final_dir).ok())
      throw std::runtime_error(fmt::format("cannot publish job '{}': {}", final_dir.string(), reason));
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

// An exclusive lock on <key>.lock beside a job's directories, held while the job runs and until it is
// published, so that two processes sharing a cache never run one job at once: the second waits
// (saying so) and then takes the first one's result from the cache. The lock file is removed once the
// job is published; a process still waiting on it then finds the job finished.
class JobLock {
 public:
  JobLock(const fs::path& file, const std::string& who) : file_(file) {
    fd_ = ::open(file.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw std::runtime_error(fmt::format("cannot write '{}' in the job cache: {}", file.string(), std::strerror(errno)));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char holder[32] = {0};
      const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
      const std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : std::string("?");
      std::fprintf(stderr, "%s: process %s is running this job in the same cache; waiting for it\n", who.c_str(),
                   pid.c_str());
      while (::flock(fd_, LOCK_EX) != 0)
        if (errno != EINTR) {
          const int error = errno;
          ::close(fd_);
          throw std::runtime_error(fmt::format("cannot lock '{}': {}", file.string(), std::strerror(error)));
        }
    }
    const std::string pid = std::to_string(::getpid());
    if (::ftruncate(fd_, 0) == 0) {
      const ssize_t written = ::pwrite(fd_, pid.data(), pid.size(), 0);
      (void)written;  // the holder's pid is only for the waiting message
    }
  }
  // After the job is published: whoever waits on this file finds the job finished.
  void release_published() {
    std::error_code ec;
    fs::remove(file_, ec);
    ::close(fd_);
    fd_ = -1;
  }
  ~JobLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  JobLock(const JobLock&) = delete;
  JobLock& operator=(const JobLock&) = delete;

 private:
  fs::path file_;
  int fd_ = -1;
};

}  // namespace

JobResult Engine::run_local_one(const std::string& kind, const Job& job, const std::string& key,
                                const std::function<void(double)>& report) {
  // The job works in <key>.partial/, which survives a kill: a job that checkpoints there (a long
  // training) resumes from its checkpoint when the run is repeated. Only the final rename to <key>/
  // makes it finished.
  const fs::path final_dir = job_directory(options_.cache, kind, key);
  make_cache_directory(final_dir.parent_path());
  fs::path lock_file = final_dir, partial = final_dir;
  lock_file += ".lock";
  partial += ".partial";
  JobLock lock(lock_file, fmt::format("[{}] {} job {} ({})", options_.program, kind, key.substr(0, 12), job.label));
  // Another process may have finished it while this one waited.
  const auto found = check_job_manifest(final_dir);
  if (found.ok()) {
    JobResult cached{read_json(final_dir / "result.json"), final_dir, true};
    lock.release_published();
    return cached;
  }
  if (found.status != ManifestCheck::absent) discard(final_dir);
  make_cache_directory(partial);
  // What an earlier, killed attempt left: temporaries of its files, and the engine's own half-written
  // files (never part of a job's result).
  sweep_dead_temporaries(partial);
  for (const char* leftover : {".lock", "job.json.part", "result.json.part", "result.json", ".manifest.json.part",
                               kJobManifest})
    fs::remove(partial / leftover);
  const bool resumed = fs::exists(partial / "job.json");
  const nlohmann::json job_json = {{"label", job.label}, {"kind", kind}, {"parameters", job.parameters},
                                   {"seed", job.seed}, {"code", options_.code_hash}, {"profile", options_.profile}};
  if (!resumed) {
    write_json_checked(partial / "job.json.part", job_json);
    rename_checked(partial / "job.json.part", partial / "job.json");
  }
  std::map<std::string, fs::path> inputs;
  for (const auto& in : job.inputs) inputs[in.filename().string()] = in;
  JobContext ctx(partial, inputs, report, resumed);
  // Through text and back, so that a fresh result reads exactly as a cached one (NaN becomes null).
  const nlohmann::json value = nlohmann::json::parse(kinds_.at(kind)(job, ctx).dump());  // on an exception .partial stays
  const fs::path dir = publish_job(options_.cache, kind, key, job_json, value, {}, partial);
  lock.release_published();
  return {value, dir, false};
}

std::vector<JobResult> Engine::run(const std::string& kind, const std::vector<Job>& jobs) {
  if (!kinds_.count(kind)) throw std::logic_error("job kind not defined: " + kind);
  if (!root()) throw std::logic_error("Engine::run on a serving rank");
  sweep_dead_temporaries(options_.cache / kind);
  const std::string label = fmt::format("[{}] {}", options_.program, kind);
  std::vector<JobResult> results(jobs.size());
  std::vector<std::string> keys(jobs.size());
  std::vector<std::size_t> pending;
  std::size_t legacy = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    keys[i] = key(kind, jobs[i]);
    const fs::path dir = job_directory(options_.cache, kind, keys[i]);
    // A cached job counts only when its manifest vouches for every file; anything else runs again
    // (the directory is replaced under the job's lock, in run_local_one or publish_job).
    auto check = check_job_manifest(dir);
    if (check.ok()) {
      try {
        results[i] = {read_json(dir / "result.json"), dir, true};
        ++cached_;
        continue;
      } catch (const std::exception&) {
        check = {ManifestCheck::mismatch, "result.json is not valid JSON"};
      }
    }
    if (check.status == ManifestCheck::legacy) ++legacy;
    else if (check.status == ManifestCheck::mismatch)
      std::fprintf(stderr, "%s: cached job %s (%s) is not trusted: %s; running it again\n", label.c_str(),
                   keys[i].substr(0, 12).c_str(), jobs[i].label.c_str(), check.reason.c_str());
    pending.push_back(i);
  }
  if (legacy > 0)
    std::fprintf(stderr, "%s: %zu cached job(s) were written without a manifest (by an older engine); running them again\n",
                 label.c_str(), legacy);
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
      if (r.cached) ++cached_;  // another process sharing the cache ran it meanwhile
      else ++run_;
      results[i] = std::move(r);
      ++done;
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
