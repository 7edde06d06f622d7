// Client scenarios of `atws-conformance check-client --scenario NAME`: a state the sandbox is
// put in before (or during) the client's run, and what the client must then do. Scenarios are
// data: admin-API calls with a few placeholders, applied at the start, after the client's Nth
// call, and after the run (to undo what would stop check-client from reading field metadata).
// Constant data and pure functions: thread-safe.
#pragma once

#include <string>
#include <vector>

namespace atws::conformance::clientcheck {

// One admin-API call. `path` and `body` may hold placeholders:
//   {tenant}        the tenant id
//   {user}          the client's user name (percent-encoded in paths)
//   {now}           the mock's clock, in the API's time zone (GET /__admin/clock "now")
//   {pct:N}         N % of the tenant's threshold, rounded up (GET .../settings "threshold")
//   {suspend_calls} threshold + enough calls to stay suspended for --suspend-seconds
//   {other_zone}    a zone other than the tenant's (4, or 3 when the tenant is in zone 4)
struct AdminAction {
  std::string method;  // PUT, POST, DELETE
  std::string path;    // "/__admin/tenants/{tenant}/usage"
  std::string body;    // JSON text; empty for none
  std::string what;    // one line for the report: "usage set to 78 % of the threshold"
};

struct ClientScenario {
  std::string name;         // "threshold-75"
  std::string title;        // one line
  std::string state;        // what the sandbox looks like
  std::string client_must;  // what a well-behaved client does in it
  long long tenant = 0;     // a tenant of its own (0: the default or --tenant)
  std::string username;     // that tenant's user (with tenant)
  std::vector<AdminAction> at_start;
  std::vector<AdminAction> after_calls;  // once the client has made --trigger-after calls
  std::vector<AdminAction> after_run;    // undo (before check-client reads metadata)
  bool command_must_fail = false;        // the client is expected to stop with a failure
  std::vector<std::string> rules;        // rule ids this scenario exercises
};

const std::vector<ClientScenario>& AllClientScenarios();
const ClientScenario* FindClientScenario(const std::string& name);

// Placeholder values; Expand() replaces every {name} it knows and leaves the others alone.
struct PlaceholderValues {
  long long tenant = 0;
  std::string user;
  std::string now;
  long long threshold = 10000;
  double suspend_seconds = 3;
  int zone = 5;
};
// `in_path`: values are percent-encoded (user names hold '@').
std::string ExpandPlaceholders(const std::string& text, const PlaceholderValues& v, bool in_path);

}  // namespace atws::conformance::clientcheck
