// Runs conformance scenarios against one endpoint (the mock or a real Autotask) over HTTP(S),
// like any client (runner/endpoint.h: zone discovery, HTTP Basic, the AutotaskIntegrations
// header). The mock's admin API is used for set-up when the endpoint has one. Never links the
// server.
//
// A Runner owns its HTTP connection and the timeline of its calls; use it from one thread (the
// steps of a <parallel> group run on threads of its own, each with its own connection). A
// scenario that fails is a result (ScenarioResult::status), not an error.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "conformance/report/report.h"
#include "conformance/runner/endpoint.h"
#include "conformance/scenario/matchers.h"
#include "conformance/scenario/scenario.h"

namespace atws::conformance::scenario {

struct CheckResult {
  std::string description;
  bool passed = false;
  std::string why;  // when failed
  int line = 0;
};

struct StepResult {
  std::string id;
  std::string title;
  StepKind kind = StepKind::kCall;
  std::string operation;  // call: the operation; admin: "METHOD path"; http: "GET url"
  bool cleanup = false;
  bool setup = false;
  bool ran = false;
  bool passed = false;
  bool skipped = false;  // cleanup step whose captures are missing; or not reached
  std::string message;   // first failure, or why skipped
  int line = 0;
  // The exchange.
  std::string url;
  std::string request_body;
  long http_status = 0;
  std::string transport_error;
  std::string response_body;
  std::vector<std::pair<std::string, std::string>> response_headers;
  double seconds = 0;
  double started = 0;  // seconds since the run started
  std::vector<CheckResult> checks;
  std::map<std::string, std::string> captured;
};

struct ScenarioResult {
  const Scenario* scenario = nullptr;
  report::Status status = report::Status::kPass;
  std::string message;            // why it failed or was skipped
  std::vector<StepResult> steps;  // setup, steps, cleanup in order
  double seconds = 0;
};

struct RunFilter {
  std::vector<std::string> tags;  // any of them (empty = all)
  std::vector<std::string> ids;   // any of them; a trailing * matches a prefix
  bool read_only = false;
};

// Whether the filter selects the scenario (tags/ids only; skips are decided by the runner).
bool Selected(const Scenario& sc, const RunFilter& filter);

class Runner {
 public:
  Runner(Target target, Session session, bool read_only);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Runs one scenario (or skips it: mock-only without an admin API, writing under --read-only).
  ScenarioResult Run(const Scenario& sc);

  // Every call made so far, for the HTML timeline.
  const std::vector<report::TimelineEvent>& timeline() const { return timeline_; }
  const Session& session() const { return session_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Target target_;
  Session session_;
  bool read_only_;
  std::vector<report::TimelineEvent> timeline_;
};

// Report cases, one per scenario (details: steps with the failed checks, request and answer).
report::Case ToCase(const ScenarioResult& r);

// The tenant's threshold usage in percent read from a getThresholdAndUsageInfo answer; < 0 when
// the body is not one.
double UsagePercentFromAnswer(const std::string& body);

}  // namespace atws::conformance::scenario
