// The one parsing policy (lab/parse.hpp), the output rules (lab/atomic_file.hpp): what a hostile user
// tried (issue 9) is refused with a UsageError naming the parameter, and nothing is left on disk.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/atomic_file.hpp"
#include "lab/parse.hpp"
#include "lab/run_metadata.hpp"
#include "lab/usage_error.hpp"

namespace lab = spinformer::lab;
namespace fs = std::filesystem;

namespace {

// The parameter named by the UsageError that f throws, or "" if it throws none.
template <class F>
std::string refused(F f) {
  try {
    f();
  } catch (const lab::UsageError& e) {
    return e.parameter();
  }
  return "";
}

struct ScratchDir {
  fs::path dir;
  ScratchDir() {
    char templ[] = "/tmp/spinformer_parse_XXXXXX";
    dir = ::mkdtemp(templ);
  }
  ~ScratchDir() { fs::remove_all(dir); }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
  std::size_t entries() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {})); }
};

std::string contents(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(ParseInteger, ReadsDecimalIntegersInRange) {
  EXPECT_EQ(lab::parse_integer("--n", "0", 0, 10), 0);
  EXPECT_EQ(lab::parse_integer("--n", "10", 0, 10), 10);
  EXPECT_EQ(lab::parse_integer("--n", "-7", -10, 10), -7);
  EXPECT_EQ(lab::parse_integer("--n", "+7", -10, 10), 7);
  EXPECT_EQ(lab::parse_integer("--n", "9223372036854775807", 0, INT64_MAX), INT64_MAX);
  EXPECT_EQ(lab::parse_integer("--n", "-9223372036854775808", INT64_MIN, 0), INT64_MIN);
}

TEST(ParseInteger, RefusesWhatCli11Misread) {
  // issue 9: "--L 010 is read as octal (8) and --n 0x10 as 16"; "" read as 0
  for (const char* bad : {"010", "0x10", "", " 1", "1 ", "1.5", "1e3", "abc", "-", "+", "--1", "0010", "1_000"})
    EXPECT_EQ(refused([&] { lab::parse_integer("--L", bad, 0, 1000); }), "--L") << "'" << bad << "'";
}

TEST(ParseInteger, RefusesOutOfRangeWithoutSaturation) {
  // issue 9: --n 4611686018427387904 passed n * L checks by overflow
  EXPECT_EQ(refused([] { lab::parse_integer("--n", "4611686018427387904", 1, 2'000'000'000); }), "--n");
  EXPECT_EQ(refused([] { lab::parse_integer("--n", "9223372036854775808", 1, INT64_MAX); }), "--n");
  EXPECT_EQ(refused([] { lab::parse_integer("--n", "-9223372036854775809", INT64_MIN, 0); }), "--n");
  EXPECT_EQ(refused([] { lab::parse_integer("--n", "99999999999999999999999", 1, INT64_MAX); }), "--n");
  EXPECT_EQ(refused([] { lab::parse_integer("--n", "0", 1, 10); }), "--n");
  EXPECT_EQ(refused([] { lab::parse_integer("--n", "11", 1, 10); }), "--n");
}

TEST(ParseSeed, CoversExactlyTheUnsigned64BitRange) {
  EXPECT_EQ(lab::parse_seed("--seed", "0"), 0u);
  EXPECT_EQ(lab::parse_seed("--seed", "18446744073709551615"), UINT64_MAX);
  // issue 9: -1 and 2^64 both saturated to the same seed
  EXPECT_EQ(refused([] { lab::parse_seed("--seed", "-1"); }), "--seed");
  EXPECT_EQ(refused([] { lab::parse_seed("--seed", "18446744073709551616"); }), "--seed");
  EXPECT_EQ(refused([] { lab::parse_seed("--seed", ""); }), "--seed");
  EXPECT_EQ(refused([] { lab::parse_seed("--seed", "0x10"); }), "--seed");
  EXPECT_EQ(refused([] { lab::parse_seed("--seed", "+1"); }), "--seed");
}

TEST(ParseReal, ReadsDecimalNumbers) {
  EXPECT_EQ(lab::parse_real("--h", "0.25", -1, 1), 0.25);
  EXPECT_EQ(lab::parse_real("--h", "-.5", -1, 1), -0.5);
  EXPECT_EQ(lab::parse_real("--h", "5.", 0, 10), 5.0);
  EXPECT_EQ(lab::parse_real("--h", "1e-3", 0, 1), 1e-3);
  EXPECT_EQ(lab::parse_real("--h", "2E+2", 0, 1000), 200.0);
  EXPECT_EQ(lab::parse_real("--h", "0", -1, 1), 0.0);
  EXPECT_EQ(lab::parse_real("--h", "-0.0e10", -1, 1), 0.0);
}

TEST(ParseReal, RefusesEmptyNonDecimalNonFiniteAndOutOfRange) {
  // issue 9: `sk rs --h ''` read as 0; extreme finite values printed NaN
  for (const char* bad : {"", "nan", "NaN", "inf", "-inf", "infinity", "0x1p3", "1e", "e5", ".", "1.2.3", " 1", "1 ",
                          "1,5", "abc", "1e400", "-1e400", "1e-400"})
    EXPECT_EQ(refused([&] { lab::parse_real("--h", bad, -1e300, 1e300); }), "--h") << "'" << bad << "'";
  EXPECT_EQ(refused([] { lab::parse_real("--T", "1e-300", 1e-3, 1e6); }), "--T");
  EXPECT_EQ(refused([] { lab::parse_real("--J", "1e308", -1e3, 1e3); }), "--J");
}

TEST(Budgets, RefuseWhatCannotFit) {
  EXPECT_GT(lab::memory_budget_bytes(), 1e8);
  EXPECT_LE(lab::memory_budget_bytes(), 64.0 * (1 << 30));
  EXPECT_NO_THROW(lab::require_memory("--N", 1e6, "x"));
  // glass nmf --N 100000: 80 GB of couplings
  EXPECT_EQ(refused([] { lab::require_memory("--N", 8e10, "the couplings"); }), "--N");
  EXPECT_EQ(refused([] { lab::require_memory("--N", NAN, "x"); }), "--N");
  EXPECT_EQ(refused([] { lab::require_work("--steps", 9.2e18, "the chains"); }), "--steps");
}

TEST(AtomicOutput, WritesThroughASymlinkAndKeepsTheLink) {
  ScratchDir d;
  std::ofstream(d / "target.tsv") << "old\n";
  fs::create_symlink(d / "target.tsv", d / "link.tsv");
  lab::write_file_atomically(d / "link.tsv", "new\n");
  EXPECT_TRUE(fs::is_symlink(d / "link.tsv"));
  EXPECT_EQ(contents(d / "target.tsv"), "new\n");
  EXPECT_EQ(d.entries(), 2u);  // no temporary left
}

TEST(AtomicOutput, RefusesDevicesAndDirectories) {
  // issue 9: --out /dev/null was replaced by a regular file
  EXPECT_EQ(refused([] { lab::write_file_atomically("/dev/null", "x", "--out"); }), "--out");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  ScratchDir d;
  fs::create_directory(d / "sub");
  EXPECT_EQ(refused([&] { lab::require_writable(d / "sub", "--maps"); }), "--maps");
  fs::create_symlink("/dev/null", d / "null_link");
  EXPECT_EQ(refused([&] { lab::require_writable(d / "null_link", "--out"); }), "--out");
}

TEST(AtomicOutput, AFullDiskIsAUsageErrorAndLeavesNothing) {
  // /dev/full as the directory's file is not possible, so fill a stream that fails: writing through a
  // link to /dev/full is refused outright (a device), and a write error on commit names the flag.
  ScratchDir d;
  lab::AtomicFile file(d / "out.tsv", "--out");
  file.stream() << "data";
  file.stream().setstate(std::ios::badbit);  // what a failed write (ENOSPC) leaves
  EXPECT_EQ(refused([&] { file.commit(); }), "--out");
  EXPECT_FALSE(fs::exists(d / "out.tsv"));
  EXPECT_EQ(d.entries(), 0u);
}

TEST(AtomicOutput, TemporariesOfAKilledWriterAreRemovedWhenTheFileIsWrittenAgain) {
  // issue 29: a SIGKILL runs no cleanup, and `make publish` published results.json.tmp.99999. pid
  // 2^22 + 1 is above Linux's pid_max default, so never alive; a live process's (pid 1) stays.
  ScratchDir d;
  const std::string mine = "results.json.tmp.1";
  for (const std::string& name : {std::string("results.json.tmp.4194305"), mine, std::string("other.tsv.tmp.4194305")})
    std::ofstream(d / name) << "half";
  lab::write_file_atomically(d / "results.json", "{}\n");
  EXPECT_FALSE(fs::exists(d / "results.json.tmp.4194305"));
  EXPECT_TRUE(fs::exists(d / mine));
  EXPECT_TRUE(fs::exists(d / "other.tsv.tmp.4194305"));  // another file's: swept when that file is written
  EXPECT_EQ(contents(d / "results.json"), "{}\n");
}

TEST(OutputFiles, CommitsBothOrNeither) {
  ScratchDir d;
  fs::create_directory(d / "data.tsv.json");  // the sidecar cannot be written
  lab::RunMetadata meta("test");
  EXPECT_EQ(refused([&] {
              lab::write_with_sidecar(d / "data.tsv", "--out", [](std::ostream& out) { out << "1\n"; }, meta);
            }),
            "--out");
  EXPECT_FALSE(fs::exists(d / "data.tsv"));  // issue 9: the data file stayed when its sidecar failed
  fs::remove(d / "data.tsv.json");
  lab::write_with_sidecar(d / "data.tsv", "--out", [](std::ostream& out) { out << "1\n"; }, meta);
  EXPECT_EQ(contents(d / "data.tsv"), "1\n");
  EXPECT_NE(contents(d / "data.tsv.json").find("\"program\": \"test\""), std::string::npos);
  EXPECT_EQ(d.entries(), 2u);
}

TEST(OutputFiles, AFailedMemberLeavesTheOthersUntouched) {
  ScratchDir d;
  std::ofstream(d / "README.md") << "old readme\n";
  lab::OutputFiles files;
  files.add(d / "README.md", "--readme") << "new readme\n";
  EXPECT_EQ(refused([&] { files.add(d / "missing_dir/out.md", "--out"); }), "--out");
  // the group is abandoned: the README keeps its old text (issue 9: it was rewritten before --out failed)
  EXPECT_EQ(contents(d / "README.md"), "old readme\n");
}

TEST(Paths, CollisionsAreRefusedByIdentity) {
  ScratchDir d;
  std::ofstream(d / "data.tsv") << "1 -1\n";
  fs::create_symlink(d / "data.tsv", d / "alias.tsv");
  EXPECT_TRUE(lab::same_file(d / "data.tsv", d / "alias.tsv"));
  EXPECT_TRUE(lab::same_file(d / "new.pt", d.dir.string() + "/./new.pt"));
  EXPECT_FALSE(lab::same_file(d / "a.pt", d / "b.pt"));
  // gpt train --out d8.tsv (the training data), --curve m.pt (the same as --out)
  EXPECT_EQ(refused([&] { lab::require_distinct({{"--data", d / "data.tsv"}}, {{"--out", d / "alias.tsv"}}); }), "--out");
  EXPECT_EQ(refused([&] {
              lab::require_distinct({{"--data", d / "data.tsv"}}, {{"--out", d / "m.pt"}, {"--curve", d / "m.pt"}});
            }),
            "--curve");
  EXPECT_NO_THROW(lab::require_distinct({{"--data", d / "data.tsv"}}, {{"--out", d / "m.pt"}, {"--curve", d / "c.tsv"}}));
}

TEST(Inputs, DevicesAndOversizedFilesAreRefusedBeforeReading) {
  // issue 9: report fill --template /dev/zero read until memory ran out
  EXPECT_EQ(refused([] { lab::read_file("/dev/zero", "--template"); }), "--template");
  ScratchDir d;
  std::ofstream(d / "big.txt") << std::string(2000, 'x');
  EXPECT_EQ(refused([&] { lab::read_file(d / "big.txt", "--template", 1000); }), "--template");
  EXPECT_EQ(lab::read_file(d / "big.txt", "--template", 2000).size(), 2000u);
  EXPECT_EQ(refused([&] { lab::read_file(d / "none.txt", "--values"); }), "--values");
}

// The safety net of src/cli/flags.hpp: a plain CLI11 option, registered without the policy's helpers
// (as a new command group might), still refuses what CLI11 would misread.
#include "cli/flags.hpp"

namespace {
// The error of parsing `prog sub FLAG VALUE` (empty if it parsed), and the value it would have set.
std::string cli_error(const std::string& flag, const std::string& value) {
  CLI::App app;
  auto* sub = app.add_subcommand("sub");
  int i = 0;
  long long ll = 0;
  std::uint64_t u = 0;
  double x = 0;
  sub->add_option("--int", i);
  sub->add_option("--ll", ll);
  sub->add_option("--seed", u);
  sub->add_option("--x", x)->check(CLI::Range(-10.0, 10.0));  // a validator that names itself in the type
  spinformer::cli::apply_number_policy(app);
  std::vector<std::string> args = {value, flag, "sub"};  // CLI11 takes them in reverse
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(NumberPolicy, AppliesToPlainCli11Options) {
  EXPECT_EQ(cli_error("--int", "12"), "");
  EXPECT_EQ(cli_error("--x", "-2.5e0"), "");
  EXPECT_EQ(cli_error("--seed", "18446744073709551615"), "");
  for (const auto& [flag, bad] : std::vector<std::pair<std::string, std::string>>{
           {"--int", "010"}, {"--int", "0x10"}, {"--int", ""}, {"--int", "1.5"}, {"--ll", "9223372036854775808"},
           {"--ll", "4611686018427387904000"}, {"--seed", "-1"}, {"--seed", "18446744073709551616"}, {"--seed", ""},
           {"--x", ""}, {"--x", "-2.5e3"}, {"--x", "nan"}, {"--x", "inf"}, {"--x", "1e400"}, {"--x", "0x1p3"}}) {
    const std::string error = cli_error(flag, bad);
    EXPECT_NE(error.find(flag), std::string::npos) << flag << " '" << bad << "': " << error;
  }
}
