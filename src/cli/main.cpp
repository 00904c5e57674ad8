// spinformer: every computation of the paper, rerunnable by hand.
// Exit status: 0 success, 2 bad input (one line naming the parameter), 1 any other failure.
#include "cli/commands.hpp"

int main(int argc, char** argv) { return spinformer::cli::run(argc, argv); }
