// spinformer glass: placeholder until its issue lands (registers nothing).
#include "cli/commands.hpp"

namespace spinformer::cli {

void add_glass_commands(CLI::App&) {}

}  // namespace spinformer::cli
