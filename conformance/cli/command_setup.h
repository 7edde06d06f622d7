// What the subcommands run, diff and check-client share in setting themselves up: registering a
// subcommand, the environment variables of a client integration (ATWS_URL …) and the flags
// they stand in for, the endpoint options of run and diff, which scenarios run, and the report
// files (--junit, --json, --html) with their writing.
//
// All of it runs on the main thread, while the command line is read or when a command ends.
// Failures are printed on stderr and returned as false; the command then exits with status 2.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/report/report.h"
#include "conformance/runner/runner.h"
#include "conformance/scenario/scenario.h"

namespace atws::conformance {

// A client integration's settings: check-client sets them for the command it judges; run and
// diff read them when the flag is absent.
inline constexpr char kEnvUrl[] = "ATWS_URL";
inline constexpr char kEnvUsername[] = "ATWS_USERNAME";
inline constexpr char kEnvPassword[] = "ATWS_PASSWORD";
inline constexpr char kEnvIntegrationCode[] = "ATWS_INTEGRATION_CODE";
inline constexpr char kEnvAdminToken[] = "ATWS_ADMIN_TOKEN";

// `value` when not empty, else the environment variable `name` ("" when unset).
std::string ValueOrEnv(const std::string& value, const char* name);

// Adds the subcommand `name`. When it is the one chosen, `run(*options)` runs and its result
// becomes the exit status. Returns the subcommand, to add the options that fill *options.
template <typename Options>
CLI::App* AddCommand(CLI::App& app, const std::string& name, const std::string& description,
                     int* exit_code, std::shared_ptr<Options> options, int (*run)(const Options&)) {
  CLI::App* cmd = app.add_subcommand(name, description);
  cmd->callback([options, exit_code, run] { *exit_code = run(*options); });
  return cmd;
}

// The options of one endpoint. `prefix` "" gives --endpoint, --user …; "a-" gives --a-user …
// (diff). CLI11 fills the values; Resolve() applies the fallbacks.
struct TargetOptions {
  std::string url;  // diff's --a / --b: zone-neutral (discovery) or zone URL
  std::string endpoint, discovery, user, password, integration_code, admin, admin_token;
  bool no_admin = false;
  double timeout = 120;
  void Add(CLI::App* app, const std::string& prefix, bool with_endpoint_flags);
  // Fills blanks from `fallback` (diff: --a-user falls back to --user), then from ATWS_URL,
  // ATWS_USERNAME, ATWS_PASSWORD, ATWS_INTEGRATION_CODE, ATWS_ADMIN_TOKEN.
  scenario::Target Resolve(const TargetOptions* fallback, const std::string& label) const;
};

// Which scenarios run and diff take: --scenarios DIR, --tag, --id, --read-only.
struct ScenarioSelection {
  std::string dir;  // "" = DefaultScenarioDir()
  std::vector<std::string> tags, ids;
  bool read_only = false;
  // The help texts of --scenarios, --tag and --id (run and diff word them differently).
  void AddOptions(CLI::App* cmd, const std::string& dir_help, const std::string& tag_help,
                  const std::string& id_help);
  scenario::RunFilter Filter() const { return {tags, ids, read_only}; }
  // Loads the scenarios (every load error on stderr) and keeps those selected. False when a
  // file has errors or nothing is selected.
  bool Load(std::vector<scenario::Scenario>* out) const;
};

// --junit, --json and --html: the report files a command writes ("" = not asked for).
struct ReportFiles {
  std::string junit, json, html;
  // The help texts default to run's and diff's.
  void AddOptions(CLI::App* cmd, const std::string& junit_help = "write a JUnit XML report to FILE",
                  const std::string& json_help = "write a JSON report to FILE",
                  const std::string& html_help = "write a self-contained HTML report to FILE");

  // Says that a report could not be written: kind "JUnit", "JSON" or "HTML", the file, and
  // why (report::WriteFile's message).
  using Complaint =
      std::function<void(const char* kind, const std::string& path, const std::string& error)>;
  // "atws-conformance: <error>" on stderr.
  static void ComplainPlainly(const char* kind, const std::string& path, const std::string& error);

  // Writes each file asked for: JUnit XML and HTML of `rep`, and `json()` indented with a final
  // newline (made only when asked for). Every file that cannot be written goes to `complain`;
  // false when one could not be.
  bool Write(const report::Report& rep, const std::function<nlohmann::json()>& json,
             const Complaint& complain = ComplainPlainly) const;
};

}  // namespace atws::conformance
