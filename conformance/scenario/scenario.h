// Conformance scenarios: the model of one conformance/scenarios/*.xml file (scenario/loader.h
// reads one).
//
// A scenario proves one behaviour of the API: optional set-up through the mock's admin API,
// then steps (a SOAP call written in the API's own XML, an admin call, a plain HTTP request or
// a wait), each with expectations and captures, then clean-up steps that always run. The format
// is conformance/scenario.xsd; docs/conformance.md explains it. Plain values; the functions are
// pure (thread-safe).
#pragma once

#include <string>
#include <vector>

namespace atws::conformance::scenario {

// One matcher of a check: equals, not-equals, contains, not-contains, matches, type, absent, gt,
// ge, lt, le, ascending, ignore-case, select. Values may hold ${name} references.
struct Matcher {
  std::string op;
  std::string value;
};

// One expectation of a step.
struct Check {
  // http-status, return-code, error, fault, rows, duration-ms, body, value, header, json
  std::string kind;
  std::string arg;  // value: the XPath; header: the header name; json: the pointer
  std::vector<Matcher> matchers;
  std::string select;  // first, last, all, any; "" = the kind's default
  bool ignore_case = false;
  int line = 0;

  // "value //Entity[1]/Status equals 5" — for reports.
  std::string Describe() const;
};

struct Capture {
  std::string name;
  std::string path;    // XPath over the SOAP answer …
  std::string json;    // … or a JSON pointer into an admin answer …
  std::string header;  // … or a response header
  bool skip_if_missing = false;
  bool ignore_if_missing = false;
  std::string reason;
  int line = 0;
};

enum class StepKind { kCall, kAdmin, kHttp, kWait };

struct Step {
  StepKind kind = StepKind::kCall;
  std::string id;  // given, or "step N" / "cleanup N"
  std::string title;
  int line = 0;
  long delay_ms = 0;       // within <parallel>: start this long after the group
  int parallel_group = 0;  // 0 = alone; steps with the same non-zero number run together

  // kCall
  std::string operation;  // the body element's name ("query", "GetFieldInfo" …)
  std::string body;       // the body element serialized without namespace, or the raw body
  bool raw_body = false;
  std::string endpoint = "zone";  // zone, neutral, other-zone, zone:N
  std::string version = "1.6";
  std::string credentials = "run";  // run, none, wrong-password, custom
  std::string username, password;
  bool send_header = true;
  bool has_integration_code = false;  // else the run's code
  std::string integration_code;
  std::string impersonate;
  std::string soap_action;  // "" = namespace + operation
  double timeout_seconds = 120;

  // kAdmin (path relative to /__admin/) and kHttp
  std::string method;
  std::string path;  // kAdmin
  std::string url;   // kHttp
  std::string admin_body;
  bool http_with_credentials = false;

  // kWait
  double wait_seconds = 0;

  bool has_expect = false;  // an admin step without expectations must answer 2xx
  std::vector<Check> checks;
  std::vector<Capture> captures;

  // Whether the step changes data (create, update, delete, CreateAttachment, DeleteAttachment).
  bool Writes() const;
};

struct Scenario {
  std::string file;  // path it was loaded from
  std::string id;
  std::string title;
  std::string proves;
  std::vector<std::string> tags;
  std::vector<std::string> covers;  // assumption ids
  bool mock_only = false;           // declared, or implied by an admin action
  std::string mock_only_reason;
  bool writes = false;      // a step (not clean-up) writes
  std::vector<Step> setup;  // admin steps
  std::vector<Step> steps;
  std::vector<Step> cleanup;
};

// The names a ${...} reference in `text` uses, in order ("tenant", "ticket_id" …).
std::vector<std::string> ReferencedNames(const std::string& text);

// Built-in variables every run defines (tenant, user, integration_code, zone, other_zone,
// zone_url, neutral_url, web_url, wsdl_url, origin, version, prefix, run) and functions
// (datetime:+7d, datetime:-2h, datetime:+30m, date:+0d).
bool IsBuiltinName(const std::string& name);

}  // namespace atws::conformance::scenario
