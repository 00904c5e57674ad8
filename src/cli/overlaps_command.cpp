// spinformer glass overlaps: placeholder until the replica code lands (registers nothing).
#include "cli/commands.hpp"

namespace spinformer::cli {

void add_glass_overlaps_command(CLI::App&) {}

}  // namespace spinformer::cli
