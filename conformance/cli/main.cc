// atws-conformance: see docs/conformance.md.
#include <CLI/CLI.hpp>

#include "conformance/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "atws-conformance: runs conformance scenarios against an Autotask SOAP endpoint (the "
      "ATWS Sandbox mock or a real sandbox), compares two endpoints, and judges a client "
      "integration from what it did.\nSee docs/conformance.md."};
  app.require_subcommand(1);
  int exit_code = 0;
  atws::conformance::RegisterRunCommand(app, &exit_code);
  atws::conformance::RegisterDiffCommand(app, &exit_code);
  atws::conformance::RegisterCheckClientCommand(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
