// What one check-client run found, and its outputs: readable text, JSON, and the generic
// report model (conformance/report/report.h) for JUnit and HTML. A RunRecord is a plain value;
// the outputs are pure functions of it (thread-safe, no failure).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/report/report.h"
#include "conformance/rules/client_journal.h"
#include "conformance/rules/client_rules.h"
#include "conformance/runner/client_process.h"

namespace atws::conformance::clientcheck {

struct UsageSample {
  double t = 0;  // seconds since the run started
  double percent = 0;
  long long calls = 0;
};

struct RunRecord {
  std::vector<std::string> command;  // argv
  CommandResult result;
  bool command_must_fail = false;  // a scenario expects the client to stop with a failure
  std::vector<std::string> scenarios;
  std::vector<std::string> scenario_texts;  // "name: state / the client must ..."
  std::vector<std::string> events;          // what check-client did to the sandbox, with times
  std::string mock_url;                     // http://127.0.0.1:PORT
  std::string neutral_url;                  // ATWS_URL
  bool mock_started = false;
  long long tenant = 0;
  std::string user;
  std::string integration_code;
  std::string started_utc;     // ISO 8601, check-client's clock
  double start_mock_time = 0;  // the mock's clock at the start (seconds since 1970)
  std::vector<Call> calls;
  std::vector<RuleResult> results;
  std::vector<UsageSample> usage;
  RuleParams params;
  std::vector<std::string> notes;  // metadata problems, journal capacity …
  bool fail_on_warning = false;

  // The command ended as expected: success, or a failure when a scenario expects one (but never
  // a timeout or a command that could not start).
  bool CommandOk() const;
  bool Passed() const;  // CommandOk() and no error-severity rule failed (warnings too with
                        // fail_on_warning)
};

std::string TextReport(const RunRecord& run, bool verbose);
nlohmann::json JsonReport(const RunRecord& run);
report::Report ToReport(const RunRecord& run);

}  // namespace atws::conformance::clientcheck
