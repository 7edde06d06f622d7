// Placeholder: replaced by the real command.
#include <CLI/CLI.hpp>
#include <iostream>

#include "conformance/commands.h"

namespace atws::conformance {

void RegisterDiffCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("diff", "(not implemented yet)");
  cmd->callback([exit_code] {
    std::cerr << "atws-conformance diff: not implemented yet\n";
    *exit_code = 2;
  });
}

}  // namespace atws::conformance
