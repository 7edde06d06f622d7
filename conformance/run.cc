// Placeholder: replaced by the real command.
#include <CLI/CLI.hpp>
#include <iostream>

#include "conformance/commands.h"

namespace atws::conformance {

void RegisterRunCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("run", "(not implemented yet)");
  cmd->callback([exit_code] {
    std::cerr << "atws-conformance run: not implemented yet\n";
    *exit_code = 2;
  });
}

}  // namespace atws::conformance
