#pragma once
// What makes a cached job trustworthy: every file the engine writes is checked at each step (write,
// fsync, close, rename), and a finished job directory holds a manifest (manifest.json: every other
// file's name, size and SHA-1), written last. A directory whose manifest is missing or does not match
// its files (a full disk that truncated a result, a result edited by hand, a deleted model) is not a
// finished job: the engine says which and why, and runs it again.
//
// Also here: sweeping what killed processes leave behind (<name>.tmp.<pid> files and directories in an
// output folder or the job cache, an MPI rank's scratch directory), which is safe because a live
// process's temporaries are never touched.
#include <filesystem>
#include <string>

namespace spinformer::lab {

// Writes bytes to file (created or truncated) with every step checked: open, each write, fsync, close.
// Throws std::runtime_error naming the file and the system's reason (e.g. "No space left on device").
void write_file_checked(const std::filesystem::path& file, const std::string& bytes);
// rename(2), checked: throws std::runtime_error naming both paths and the reason.
void rename_checked(const std::filesystem::path& from, const std::filesystem::path& to);

// The manifest's file name inside a job directory.
inline const char* const kJobManifest = "manifest.json";

// Writes dir/manifest.json (checked, through a temporary name) listing every regular file in dir.
// Call it after every other file of the job is written and closed.
void write_job_manifest(const std::filesystem::path& dir);

struct ManifestCheck {
  enum Status { whole, absent, legacy, mismatch } status;
  // absent: no such directory (a job never finished). legacy: a result.json but no manifest (a cache
  // written before manifests were kept). mismatch: why the files do not match ("result.json has 3
  // bytes, the manifest says 812").
  std::string reason;
  bool ok() const { return status == whole; }
};
// Compares dir's files with its manifest: the same file names, sizes and checksums, job.json and
// result.json among them.
ManifestCheck check_job_manifest(const std::filesystem::path& dir);

// Streaming hex SHA-1 of a file (the manifest's checksum).
std::string file_sha1(const std::filesystem::path& file);

// True while a process with this id exists (kill(pid, 0)).
bool process_alive(long pid);
// The pid in a name "<anything>.tmp.<pid>" or "<anything>.tmp.<pid>.<more>", or -1.
long temporary_owner(const std::string& name);
// Removes every entry of dir named *.tmp.<pid>[.*] whose process is gone (not this process's own).
// Errors are ignored: a sweep that cannot remove something leaves it for the next one.
void sweep_dead_temporaries(const std::filesystem::path& dir);
// Removes <temp>/spinformer-rank<N>-<pid> scratch directories of MPI ranks that were killed.
void sweep_dead_rank_scratch(const std::filesystem::path& temp);

}  // namespace spinformer::lab
