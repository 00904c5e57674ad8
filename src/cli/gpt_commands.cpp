// spinformer gpt: placeholder until its issue lands (registers nothing).
#include "cli/commands.hpp"

namespace spinformer::cli {

void add_gpt_commands(CLI::App&) {}

}  // namespace spinformer::cli
