// The atws-conformance subcommands. Each Register* adds one CLI11 subcommand to `app`; its
// callback stores the process exit status in `*exit_code` (0 only when everything passed).
#pragma once

namespace CLI {
class App;
}

namespace atws::conformance {

void RegisterRunCommand(CLI::App& app, int* exit_code);          // run.cc
void RegisterDiffCommand(CLI::App& app, int* exit_code);         // diff.cc
void RegisterCheckClientCommand(CLI::App& app, int* exit_code);  // check_client.cc

}  // namespace atws::conformance
