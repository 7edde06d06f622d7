// atws-conformance diff --a URL --b URL: the same scenarios against two endpoints, their
// normalised answers compared step by step. Against a real Autotask (no admin API) it also says
// which assumptions of the mock the real endpoint confirmed or refuted. See docs/conformance.md.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <tuple>

#include "conformance/cli/command_setup.h"
#include "conformance/cli/commands.h"
#include "conformance/cli/scenario_cli.h"
#include "conformance/report/report.h"
#include "conformance/runner/normalise.h"
#include "conformance/runner/runner.h"

namespace atws::conformance {
namespace {

using namespace scenario;

struct DiffOptions {
  TargetOptions shared, a, b;
  ScenarioSelection selection;
  bool no_reset = false;
  std::string normalise = "auto";
  bool quiet = false;
  bool verbose = false;
  ReportFiles reports;
};

const char* SideStatus(report::Status s) {
  return s == report::Status::kPass ? "passes" : s == report::Status::kFail ? "fails" : "skipped";
}

// Compares one scenario's results on both sides.
report::Case Compare(const ScenarioResult& a, const ScenarioResult& b, NormaliseLevel level,
                     int* differences) {
  const Scenario& sc = *a.scenario;
  report::Case c;
  c.id = sc.id;
  c.name = sc.title;
  c.classname = "diff";
  c.seconds = a.seconds + b.seconds;
  c.tags = sc.tags;
  if (a.status == report::Status::kSkip || b.status == report::Status::kSkip) {
    c.status = report::Status::kSkip;
    if (a.status == report::Status::kSkip && b.status == report::Status::kSkip)
      c.message = "skipped on both: " + a.message;
    else if (a.status == report::Status::kSkip)
      c.message = "not compared: skipped on a (" + a.message + ")";
    else
      c.message = "not compared: skipped on b (" + b.message + ")";
    return c;
  }
  std::string details;
  int diffs = 0;
  if (a.status != b.status) {
    ++diffs;
    details +=
        fmt::format("outcome: {} on a, {} on b\n", SideStatus(a.status), SideStatus(b.status));
    if (a.status == report::Status::kFail) details += "  a: " + a.message + "\n";
    if (b.status == report::Status::kFail) details += "  b: " + b.message + "\n";
  }
  size_t n = std::min(a.steps.size(), b.steps.size());
  std::string first_step;
  for (size_t i = 0; i < n; ++i) {
    const StepResult& sa = a.steps[i];
    const StepResult& sb = b.steps[i];
    if (sa.kind == StepKind::kWait || sa.kind == StepKind::kAdmin) continue;
    if (!sa.ran || !sb.ran) continue;
    std::vector<std::string> la = NormaliseAnswer(sa, level);
    std::vector<std::string> lb = NormaliseAnswer(sb, level);
    std::vector<std::string> d = DiffLines(la, lb);
    if (d.empty()) continue;
    ++diffs;
    if (first_step.empty()) first_step = sa.id;
    details += fmt::format("{}{} ({}), line {}:\n", sa.cleanup ? "clean-up " : "", sa.id,
                           sa.operation, sa.line);
    for (const auto& line : d) details += "  " + line + "\n";
  }
  *differences += diffs;
  if (diffs == 0) {
    c.status = report::Status::kPass;
    c.message = fmt::format("same ({} on both)", SideStatus(a.status));
    return c;
  }
  c.status = report::Status::kFail;
  c.message = a.status != b.status
                  ? fmt::format("{} on a, {} on b", SideStatus(a.status), SideStatus(b.status))
                  : fmt::format("answers differ (first at {})", first_step);
  c.details = "- = a, + = b\n" + details;
  return c;
}

int DiffCommand(const DiffOptions& o) {
  std::vector<Scenario> scenarios;
  if (!o.selection.Load(&scenarios)) return 2;
  Target ta = o.a.Resolve(&o.shared, "a");
  Target tb = o.b.Resolve(&o.shared, "b");
  Session sa, sb;
  std::string error;
  if (!Connect(ta, &sa, &error)) {
    std::cerr << "atws-conformance diff: a: " << error << "\n";
    return 2;
  }
  if (!Connect(tb, &sb, &error)) {
    std::cerr << "atws-conformance diff: b: " << error << "\n";
    return 2;
  }
  if (!o.quiet) {
    std::cerr << "a: " << DescribeSession(ta, sa) << "\n";
    std::cerr << "b: " << DescribeSession(tb, sb) << "\n";
  }
  NormaliseLevel level = NormaliseLevel::kStrict;
  if (o.normalise == "shape" ||
      (o.normalise == "auto" && (sa.admin_base.empty() || sb.admin_base.empty())))
    level = NormaliseLevel::kShape;
  // Mocks start from their default data, so that both sides see the same rows.
  for (auto side : {std::make_pair(&ta, &sa), std::make_pair(&tb, &sb)}) {
    if (o.no_reset || side.second->admin_base.empty()) continue;
    if (!ResetMock(*side.first, *side.second, &error)) {
      std::cerr << "atws-conformance diff: " << side.first->label << ": " << error << "\n";
      return 2;
    }
  }
  Runner ra(ta, sa, o.selection.read_only);
  std::vector<ScenarioResult> res_a = RunAll(scenarios, &ra, "a", o.quiet);
  Runner rb(tb, sb, o.selection.read_only);
  std::vector<ScenarioResult> res_b = RunAll(scenarios, &rb, "b", o.quiet);

  report::Report rep;
  rep.title = "ATWS conformance diff";
  report::Suite suite;
  suite.name = "diff";
  suite.description = fmt::format(
      "The scenarios against a = {} and b = {}, answers compared step by step after "
      "normalisation ({}: {}).",
      sa.zone_url, sb.zone_url, level == NormaliseLevel::kStrict ? "strict" : "shape",
      level == NormaliseLevel::kStrict
          ? "every value, with ids, date-times, numbers and hosts masked"
          : "structure, types and the API's texts; data values left out");
  suite.properties = {{"a", sa.zone_url},
                      {"b", sb.zone_url},
                      {"a admin", sa.admin_base.empty() ? "none" : sa.admin_base},
                      {"b admin", sb.admin_base.empty() ? "none" : sb.admin_base},
                      {"normalisation", level == NormaliseLevel::kStrict ? "strict" : "shape"}};
  int differences = 0;
  for (size_t i = 0; i < scenarios.size(); ++i)
    suite.cases.push_back(Compare(res_a[i], res_b[i], level, &differences));
  suite.timeline = ra.timeline();
  rep.suites.push_back(std::move(suite));
  // A side without the admin API is taken for a real Autotask: which assumptions held there?
  for (auto [label, session, results] :
       {std::make_tuple("a", &sa, &res_a), std::make_tuple("b", &sb, &res_b)}) {
    if (!session->admin_base.empty()) continue;
    report::Suite s;
    s.name = fmt::format("assumptions on {}", label);
    s.description = fmt::format(
        "{} has no admin API, so it is taken for a real Autotask: each assumption the scenarios "
        "cover is confirmed when every covering scenario passed there, refuted when one failed.",
        session->zone_url);
    s.cases = AssumptionCases(*results, label);
    rep.suites.push_back(std::move(s));
  }
  return FinishScenarioReport(rep, o.reports, o.verbose, [](const report::Counts& c) {
    return fmt::format("{} scenario(s) differ, {} the same, {} not compared\n", c.failed, c.passed,
                       c.skipped);
  });
}

}  // namespace

void RegisterDiffCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<DiffOptions>();
  CLI::App* cmd = AddCommand(
      app, "diff",
      "Runs the scenarios against two endpoints and shows where their normalised answers "
      "differ. A side without an admin API is taken for a real Autotask: the report says which "
      "of the mock's assumptions it confirmed or refuted. Exit status 0 when nothing differs.",
      exit_code, opts, DiffCommand);
  opts->a.Add(cmd, "a-", true);
  opts->b.Add(cmd, "b-", true);
  opts->shared.Add(cmd, "", false);
  opts->selection.AddOptions(cmd, "directory of scenario files",
                             "only scenarios with this tag (repeatable)",
                             "only this scenario (repeatable; trailing * = prefix)");
  cmd->add_flag("--no-reset", opts->no_reset,
                "do not reset sides that have an admin API before running");
  cmd->add_option("--normalize,--normalise", opts->normalise,
                  "strict (every value, masked), shape (structure and texts), or auto: strict "
                  "when both sides have an admin API")
      ->check(CLI::IsMember({"auto", "strict", "shape"}));
  opts->reports.AddOptions(cmd);
  cmd->add_flag("-q,--quiet", opts->quiet, "no progress output");
  cmd->add_flag("-v,--verbose", opts->verbose, "list equal and skipped scenarios too");
}

}  // namespace atws::conformance
