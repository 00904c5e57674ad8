// Driver of the fuzz test (fuzz_cli.sh): runs many `spinformer` command lines in one process, each in a
// forked child, so that LibTorch is loaded once and not for every case.
//
// Usage: spinformer_fuzz_driver DIR < cases
// Each line of stdin is one command line, its arguments separated by tabs (an empty field is an empty
// argument). Case k runs as `spinformer ARGS...` with its stdout in DIR/k.out and its stderr in DIR/k.err;
// a case still running after 30 s is killed (a hang is a failure). The driver prints "k<TAB>status" per
// case: the exit status, or 128 + the signal that ended the child.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: spinformer_fuzz_driver DIR < cases\n");
    return 2;
  }
  const std::string dir = argv[1];
  std::string line;
  for (int k = 0; std::getline(std::cin, line); ++k) {
    std::vector<std::string> args{"spinformer"};
    std::size_t begin = 0;
    for (std::size_t tab; (tab = line.find('\t', begin)) != std::string::npos; begin = tab + 1)
      args.push_back(line.substr(begin, tab - begin));
    args.push_back(line.substr(begin));
    std::fflush(stdout);
    const pid_t child = ::fork();
    if (child < 0) {
      std::perror("fork");
      return 1;
    }
    if (child == 0) {
      ::alarm(30);
      if (!std::freopen((dir + "/" + std::to_string(k) + ".out").c_str(), "w", stdout) ||
          !std::freopen((dir + "/" + std::to_string(k) + ".err").c_str(), "w", stderr))
        ::_exit(99);
      std::vector<char*> cargs;
      for (auto& a : args) cargs.push_back(a.data());
      cargs.push_back(nullptr);
      const int status = spinformer::cli::run(static_cast<int>(args.size()), cargs.data());
      std::fflush(stdout);
      std::fflush(stderr);
      ::_exit(status);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::printf("%d\t%d\n", k, code);
  }
  return 0;
}
