// atws-conformance run: the scenarios of conformance/scenarios/ against one endpoint (the mock
// or a real Autotask sandbox). See docs/conformance.md.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "conformance/cli/command_setup.h"
#include "conformance/cli/commands.h"
#include "conformance/cli/scenario_cli.h"
#include "conformance/report/report.h"
#include "conformance/runner/runner.h"

namespace atws::conformance {
namespace {

using namespace scenario;

struct RunOptions {
  TargetOptions target;
  ScenarioSelection selection;
  bool reset = false;
  bool list = false;
  bool quiet = false;
  bool verbose = false;
  ReportFiles reports;
};

int ListScenarios(const std::vector<Scenario>& scenarios) {
  for (const auto& sc : scenarios) {
    std::string flags;
    if (sc.mock_only) flags += " mock-only";
    if (sc.writes) flags += " writes";
    std::string tags, covers;
    for (const auto& t : sc.tags) tags += (tags.empty() ? "" : ",") + t;
    for (const auto& a : sc.covers) covers += (covers.empty() ? "" : ",") + a;
    std::cout << fmt::format("{:<40} {}\n    tags: {}{}{}\n", sc.id, sc.title, tags,
                             covers.empty() ? "" : "  covers: " + covers,
                             flags.empty() ? "" : "  [" + flags.substr(1) + "]");
  }
  std::cout << scenarios.size() << " scenarios\n";
  return 0;
}

int RunCommand(const RunOptions& o) {
  std::vector<Scenario> scenarios;
  if (!o.selection.Load(&scenarios)) return 2;
  if (o.list) return ListScenarios(scenarios);

  Target target = o.target.Resolve(nullptr, "");
  Session session;
  std::string error;
  if (!Connect(target, &session, &error)) {
    std::cerr << "atws-conformance run: " << error << "\n";
    return 2;
  }
  if (!o.quiet) std::cerr << "atws-conformance run: " << DescribeSession(target, session) << "\n";
  if (o.reset && !ResetMock(target, session, &error)) {
    std::cerr << "atws-conformance run: --reset: " << error << "\n";
    return 2;
  }
  Runner runner(target, session, o.selection.read_only);
  std::vector<ScenarioResult> results = RunAll(scenarios, &runner, "", o.quiet);

  report::Report rep;
  rep.title = "ATWS conformance scenarios";
  report::Suite suite;
  suite.name = "scenarios";
  suite.description = fmt::format(
      "Scenarios of conformance/scenarios/ against {}. Each proves one behaviour of the "
      "Autotask SOAP API as the sandbox emulates it.",
      session.zone_url);
  suite.hostname = session.origin;
  suite.properties = {{"endpoint", session.zone_url},
                      {"user", target.username},
                      {"tenant", session.tenant ? std::to_string(session.tenant) : "unknown"},
                      {"admin", session.admin_base.empty() ? "none" : session.admin_base},
                      {"run", session.run_token},
                      {"read-only", o.selection.read_only ? "yes" : "no"}};
  double total = 0;
  for (const auto& r : results) {
    suite.cases.push_back(ToCase(r));
    total += r.seconds;
  }
  suite.seconds = total;
  suite.timeline = runner.timeline();
  rep.suites.push_back(std::move(suite));
  // Against an endpoint without the admin API (a real Autotask), say which assumptions held.
  if (session.admin_base.empty()) {
    report::Suite a;
    a.name = "assumptions";
    a.description =
        "Each assumption of docs/assumptions.md that the scenarios cover: confirmed when every "
        "covering scenario passed on this endpoint, refuted when one failed, not tested when "
        "all were skipped.";
    a.cases = AssumptionCases(results, "");
    rep.suites.push_back(std::move(a));
  }
  return FinishScenarioReport(rep, o.reports, o.verbose);
}

}  // namespace

void RegisterRunCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = AddCommand(
      app, "run",
      "Runs the conformance scenarios against an endpoint: the mock, or a real Autotask "
      "sandbox (writing scenarios delete or close what they create; --read-only skips them). "
      "Mock-only scenarios need the mock's admin API and are skipped without it. Exit status 0 "
      "only when every scenario that ran passed.",
      exit_code, opts, RunCommand);
  opts->target.Add(cmd, "", true);
  opts->selection.AddOptions(
      cmd, "directory of scenario files (default: the installed or source conformance/scenarios)",
      "run only scenarios with this tag (repeatable)",
      "run only this scenario (repeatable; a trailing * matches a prefix)");
  cmd->add_flag("--reset", opts->reset,
                "reset the mock first (POST /__admin/reset: default data, settings, clock)");
  cmd->add_flag("--list", opts->list, "list the selected scenarios and exit");
  opts->reports.AddOptions(cmd);
  cmd->add_flag("-q,--quiet", opts->quiet, "no progress output");
  cmd->add_flag("-v,--verbose", opts->verbose, "list passed and skipped scenarios too");
}

}  // namespace atws::conformance
