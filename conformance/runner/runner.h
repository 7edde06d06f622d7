// Runs conformance scenarios against one endpoint (the mock or a real Autotask) over HTTP(S),
// like any client: zone discovery, HTTP Basic, the AutotaskIntegrations header. The mock's admin
// API is used for set-up when the endpoint has one. Never links the server.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "conformance/report/report.h"
#include "conformance/scenario/matchers.h"
#include "conformance/scenario/scenario.h"
#include "net/http_client.h"
#include "xml/xml.h"

namespace atws::conformance::scenario {

// How to reach one endpoint.
struct Target {
  std::string label;          // "a", "b" … (reports)
  std::string endpoint;       // a zone URL (…/atws.asmx); or
  std::string discovery_url;  // the zone-neutral URL: getZoneInfo there gives the zone URL
  std::string username, password, integration_code;
  std::string admin_url;  // the admin API base (…/__admin/); "" = derived and probed
  bool no_admin = false;  // never use an admin API
  std::string admin_token;
  double timeout_seconds = 120;
};

// What connecting learned.
struct Session {
  std::string zone_url;     // where calls go
  std::string neutral_url;  // the zone-neutral endpoint
  std::string web_url;
  std::string origin;  // scheme://host[:port] of zone_url
  int zone = 0;        // 0 when the URL names none
  long long tenant = 0;
  std::string admin_base;  // "" = no admin API
  std::string admin_note;  // why there is none (or which was found)
  std::string run_token;   // "atc-1a2b3c4d": tags this run's records
  Vars vars;               // the built-in variables
};

// Calls getZoneInfo for the user (at the discovery URL, else at the endpoint), finds the admin
// API, fills the built-in variables. False + *error when the endpoint cannot be used.
bool Connect(const Target& target, Session* session, std::string* error);

// POST /__admin/reset on the session's admin API (every tenant back to its default data and
// settings, the clock back on real time). False + *error without an admin API or on failure.
bool ResetMock(const Target& target, const Session& session, std::string* error);

// A SOAP 1.1 POST of `envelope` (Content-Type text/xml; charset=utf-8, SOAPAction "soap_action"
// quoted), with HTTP Basic when `username` is not empty.
net::HttpRequest SoapRequest(const std::string& url, const std::string& soap_action,
                             const std::string& envelope, const std::string& username,
                             const std::string& password, double timeout_seconds);

// URL helpers (path style …/webservicesN/… and host style webservicesN.autotask.net).
int ZoneOfUrl(const std::string& url);                       // 0 when none
std::string ZoneUrl(const std::string& zone_url, int zone);  // "" when not derivable
std::string NeutralUrl(const std::string& zone_url);         // "" when not derivable
std::string UrlWithVersion(const std::string& url, const std::string& version);
std::string OriginOf(const std::string& url);

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

// An answer as checks read it: namespaces stripped, so that plain XPath finds namespaced
// elements (//EntityResults/Entity[1]/Status; xsi:type is @type); a DOCTYPE is refused; no limit
// but libxml2's own. Errors: "line 3: <libxml2's reason>", "a DOCTYPE is not allowed" …
Result<xml::Document> ParseAnswer(const std::string& body);

}  // namespace atws::conformance::scenario
