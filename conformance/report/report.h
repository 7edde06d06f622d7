// Report writers shared by every atws-conformance command (run, diff, check-client).
//
// A generic model: a Report holds suites; a Suite holds cases (one scenario, one rule, one
// scenario step …) and, optionally, a timeline of the calls it made (time, latency, threshold
// usage) that the HTML report draws as a chart. The writers turn the model into JUnit XML, JSON,
// a self-contained HTML page (inline SVG and a little inline JavaScript; no network) and the
// plain-text summary printed at the end of a run. They never fail on odd content: any string
// (including control characters and invalid UTF-8) is escaped or replaced. The writers are pure
// functions of their arguments (thread-safe); only WriteFile touches the file system.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace atws::conformance::report {

enum class Status { kPass, kFail, kSkip };

// "pass", "fail", "skip".
const char* StatusName(Status status);

// One test case: a scenario, a rule, a step, a difference.
struct Case {
  std::string id;         // stable identifier (scenario id, rule id); the JUnit name when set
  std::string name;       // human title; the JUnit name when `id` is empty
  std::string classname;  // JUnit classname (group); the suite's name when empty
  Status status = Status::kPass;
  std::string message;   // one line: why it failed or was skipped
  std::string details;   // multi-line: evidence, expected vs actual, request/response excerpts
  std::string severity;  // optional ("error", "warning" …), shown in HTML/text, JSON property
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> properties;  // extra key/value pairs
  double seconds = 0;                                           // duration
};

// One call on the run's timeline (the HTML chart: latency against time, usage as a line).
struct TimelineEvent {
  double time = 0;            // seconds since the start of the run (or of the suite)
  double latency_ms = 0;      // how long the call took (or the latency the server added)
  double usage_percent = -1;  // threshold usage at that moment, 0–100+; < 0 when unknown
  std::string label;          // "query Ticket", "create Account" …
  std::string detail;         // tooltip text (rows, error …)
  bool failed = false;        // drawn in the failure colour
};

struct Suite {
  std::string name;         // "scenarios", "client rules", "diff a vs b" …
  std::string description;  // one paragraph, shown above the cases in HTML and text
  std::string timestamp;    // ISO 8601 UTC start time; filled with now when empty
  std::string hostname;     // JUnit hostname attribute (the endpoint, for instance)
  double seconds = 0;       // total duration; the sum of the cases' when 0
  std::vector<std::pair<std::string, std::string>> properties;  // endpoint, user, version …
  std::vector<Case> cases;
  std::vector<TimelineEvent> timeline;
};

struct Report {
  std::string title;  // HTML <title> and heading; JUnit <testsuites name>
  std::vector<Suite> suites;
};

struct Counts {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  int Total() const { return passed + failed + skipped; }
};
Counts Count(const Suite& suite);
Counts Count(const Report& report);

// JUnit XML (the common Jenkins/GitLab/GitHub flavour): <testsuites><testsuite><testcase> with
// <failure message=…>details</failure> or <skipped message=…/>, and <properties>.
std::string ToJunitXml(const Report& report);

// JSON: {"title", "counts": {...}, "suites": [{"name", "counts", "cases": [...],
// "timeline": [...]}]}. Status as "pass"/"fail"/"skip".
nlohmann::json ToJson(const Report& report);

// A self-contained HTML page: summary, a timeline chart per suite that has events (inline SVG),
// and a filterable table of cases with expandable details.
std::string ToHtml(const Report& report);

// Plain text for terminals: failed cases with message and details (indented), skipped cases with
// reasons when `verbose`, then "N passed, M failed, K skipped".
std::string ToText(const Report& report, bool verbose = false);

// Writes `content` to `path` (creating missing parent directories). IoError "cannot write
// <path>: <reason>" when it could not.
atws::Status WriteFile(const std::string& path, const std::string& content);

// Current UTC time as "2026-01-01T09:00:00Z".
std::string NowIso8601();

}  // namespace atws::conformance::report
