// What `run` and `diff` share: endpoint options (with the ATWS_* environment variables standing
// in for absent flags), loading and filtering the scenarios, running them with a progress line,
// and the assumption report.
#pragma once

#include <string>
#include <vector>

#include "conformance/report/report.h"
#include "conformance/runner/runner.h"
#include "conformance/scenario/scenario.h"

namespace CLI {
class App;
}

namespace atws::conformance::scenario {

// Options of one endpoint on the command line. `prefix` "" gives --endpoint, --user …; "a-"
// gives --a-user … (diff). Values are filled by CLI11; Resolve() applies the environment.
struct TargetOptions {
  std::string url;  // diff's --a / --b: zone-neutral (discovery) or zone URL
  std::string endpoint, discovery, user, password, integration_code, admin, admin_token;
  bool no_admin = false;
  double timeout = 120;
  void Add(CLI::App* app, const std::string& prefix, bool with_endpoint_flags);
  // Fills blanks from `fallback` (diff: --a-user falls back to --user), then from ATWS_URL,
  // ATWS_USERNAME, ATWS_PASSWORD, ATWS_INTEGRATION_CODE, ATWS_ADMIN_TOKEN.
  Target Resolve(const TargetOptions* fallback, const std::string& label) const;
};

// Loads the scenarios (printing every load error to stderr) and keeps those the filter selects.
// False when a file has errors or nothing is selected.
bool LoadSelectedScenarios(const std::string& dir_flag, const RunFilter& filter,
                           std::vector<Scenario>* out);

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

// Writes the report files that were asked for; false (message on stderr) when one failed.
bool WriteReports(const report::Report& rep, const std::string& junit, const std::string& json,
                  const std::string& html);

// "endpoint https://…, zone 5, tenant 29683500, admin API at …".
std::string DescribeSession(const Target& t, const Session& s);

}  // namespace atws::conformance::scenario
