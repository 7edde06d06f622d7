// What `run` and `diff` share once set up (cli/command_setup.h): running the scenarios with a
// progress line, the assumption report, the description of a session, and the end of the
// command (report files, text, exit status). Main thread only; progress goes to stderr, the
// text to stdout.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "conformance/cli/command_setup.h"
#include "conformance/report/report.h"
#include "conformance/runner/runner.h"
#include "conformance/scenario/scenario.h"

namespace atws::conformance::scenario {

// Runs each scenario, with a live progress line on stderr when it is a terminal (one plain line
// per scenario otherwise). `label` prefixes the lines ("a", "b"; "" for run).
std::vector<ScenarioResult> RunAll(const std::vector<Scenario>& scenarios, Runner* runner,
                                   const std::string& label, bool quiet);

// One case per assumption id the scenarios cover: pass = confirmed (every covering scenario
// that ran passed), fail = refuted (one failed; the message names it), skip = not tested here.
std::vector<report::Case> AssumptionCases(const std::vector<ScenarioResult>& results,
                                          const std::string& side);

// The assumption cases as lines for a terminal: "confirmed A-X by …", "refuted A-Y by …",
// "not tested A-Z".
std::string AssumptionText(const report::Suite& suite);

// The end of run and diff: writes the report files asked for, prints the first suite as text
// (its failures; every case with `verbose`) and each further suite (assumptions) as
// AssumptionText, then `footer` of the first suite's counts. Returns the exit status: 2 when a
// report file could not be written, else 1 when a case of the first suite failed, else 0.
int FinishScenarioReport(const report::Report& rep, const ReportFiles& files, bool verbose,
                         const std::function<std::string(const report::Counts&)>& footer = nullptr);

// "endpoint https://…, zone 5, tenant 29683500, admin API at …".
std::string DescribeSession(const Target& t, const Session& s);

}  // namespace atws::conformance::scenario
