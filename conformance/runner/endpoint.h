// One endpoint, as any client reaches it: where it is (Target), what connecting to it learned
// (Session: the zone URL by getZoneInfo, the tenant, the mock's admin API when there is one),
// the SOAP requests sent to it and how its answers are read, and the URLs of its zones.
//
// Plain values and functions; each call that talks to the endpoint opens its own connection,
// so they may run on any thread. Connect and ResetMock report failure as false with *error set
// (the text the command prints); ParseAnswer as an error Status.
#pragma once

#include <string>

#include "common/status.h"
#include "conformance/scenario/matchers.h"
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

// The namespace of an API version: "http://autotask.net/ATWS/v1_6/" (v1_5 for "1.5").
std::string NamespaceFor(const std::string& version);

// A SOAP envelope around `body` (a body element without a namespace: it gets `ns` as its
// default one), with the AutotaskIntegrations header (IntegrationCode `code`, and
// ImpersonateAsResourceID when `impersonate` is not empty) when `header`.
std::string SoapEnvelope(const std::string& body, const std::string& ns, bool header,
                         const std::string& code, const std::string& impersonate);

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

// An answer as checks read it: namespaces stripped, so that plain XPath finds namespaced
// elements (//EntityResults/Entity[1]/Status; xsi:type is @type); a DOCTYPE is refused; no limit
// but libxml2's own. Errors: "line 3: <libxml2's reason>", "a DOCTYPE is not allowed" …
Result<xml::Document> ParseAnswer(const std::string& body);

// The value at a JSON pointer ("/status") of a JSON text: strings as they are, other values as
// JSON text. False when the text is not JSON or the value is absent or null.
bool JsonValueAt(const std::string& json_text, const std::string& pointer, std::string* value);

}  // namespace atws::conformance::scenario
