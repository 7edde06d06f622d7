// What every integration test shares: the default tenants' users, zones and ids
// (docs/default-data.md), SOAP envelope builders, readers of answers, and the mock served
// in-process on a free loopback port (TestServer; HardenedServer with short HTTP timeouts).
// Includes http_client.h (HttpCall, BasicAuth, RawConn) and test_util.h (Between, Count,
// ReadFile), so that a test file includes only this.
//
// Contract: the builders and readers are pure functions and thread-safe. A TestServer owns its
// server and shares its service: the constructor starts it (std::runtime_error when it cannot
// listen), the destructor stops it; calls to it may come from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/timeutil.h"
#include "http/server.h"
#include "http_client.h"
#include "service/service.h"
#include "test_util.h"

namespace atws::testing {

// ------------------------------------------------------------------ the default tenants

inline const std::string kNs = "http://autotask.net/ATWS/v1_6/";    // API 1.6
inline const std::string kNs15 = "http://autotask.net/ATWS/v1_5/";  // API 1.5
// Activated for every user but legacy@exemple.example.
inline const std::string kIntegrationCode = "SANDBOX-INTEGRATION";
inline const std::string kUser = "api@contoso.example";           // Contoso's integration user
inline const std::string kGermanUser = "api@beispiel.example";    // the German tenant's
inline const std::string kPass = "sandbox";                       // every user's password
inline const std::string kNeutral = "/atservices/1.6/atws.asmx";  // no zone (getZoneInfo)
inline const std::string kZone5 = "/webservices5/atservices/1.6/atws.asmx";    // Contoso
inline const std::string kZone12 = "/webservices12/atservices/1.6/atws.asmx";  // Spanish tenant
inline const std::string kZone18 = "/webservices18/atservices/1.6/atws.asmx";  // German tenant
inline const std::string kZone19 = "/webservices19/atservices/1.6/atws.asmx";  // French tenant
constexpr long long kContoso = 29683500;       // Contoso Managed Services, zone 5
constexpr long long kGermanTenant = 29684100;  // Beispiel IT-Service GmbH, zone 18
constexpr long long kFrenchTenant = 29685300;  // Exemple Services Informatiques SAS, zone 19

// ------------------------------------------------------------------------------ requests

// A SOAP 1.1 envelope around `inner` (the operation element), with the AutotaskIntegrations
// header in namespace `ns` when `code` is not empty.
std::string Envelope(const std::string& inner, const std::string& code = kIntegrationCode,
                     const std::string& ns = kNs);
// A query envelope: `queryxml` escaped into sXML.
std::string QueryEnvelope(const std::string& queryxml, const std::string& code = kIntegrationCode,
                          const std::string& ns = kNs);
// A query envelope for `entity` with one condition, `field` `op` `value` (`value` is XML text).
std::string Query(const std::string& entity, const std::string& field, const std::string& op,
                  const std::string& value, const std::string& code = kIntegrationCode,
                  const std::string& ns = kNs);
// One <field> condition of a QueryXML query, `value` escaped.
std::string Field(const std::string& name, const std::string& op, const std::string& value);
// A getZoneInfo envelope for `user` (no integration code).
std::string ZoneInfoEnvelope(const std::string& user = kUser, const std::string& ns = kNs);
// Text escaped for XML content.
std::string Esc(const std::string& s);

// ------------------------------------------------------------------------------- answers

// The ReturnCode of a create/update/delete/query answer ("" when it has none).
std::string ReturnCode(const HttpResult& r);
// The entities in an answer (<Entity xsi:type=…>).
size_t Rows(const std::string& body);
// numberOfExternalRequest in a getThresholdAndUsageInfo answer, -1 when it has none.
long long ReportedUsage(const HttpResult& r);
// XML text with the five predefined entities replaced (for comparing messages).
std::string XmlUnescape(const std::string& s);
// An API date-time ("2026-11-01T05:30:00") read as UTC.
Micros UtcAt(const char* text);

// ------------------------------------------------------------------------------- servers

// The mock in-process: Pistache on 127.0.0.1 port 0 (the OS picks a free one) with `threads`
// workers (0 = one per core), serving `svc`, or `handler` instead when given (record and
// replay). The members are public so that a test can reach the service behind it.
class TestServer {
 public:
  // A fresh service::Service with `options` (the default data in memory).
  explicit TestServer(service::Options options = {}, int threads = 2,
                      http::HeldCalls held_calls = http::HeldCalls::kLow);
  TestServer(std::shared_ptr<service::Service> svc, int threads,
             std::function<service::HttpResponse(const service::HttpRequest&)> handler = nullptr,
             http::HeldCalls held_calls = http::HeldCalls::kLow);
  // `svc` served with `server_options` (its port is replaced by 0).
  TestServer(std::shared_ptr<service::Service> svc, http::ServerOptions server_options);
  TestServer(TestServer&&) = default;
  TestServer& operator=(TestServer&&) = default;

  // POST `body` to `path` as text/xml, with HTTP Basic credentials when `user` is not empty.
  HttpResult Soap(const std::string& path, const std::string& body, const std::string& user = kUser,
                  const std::string& password = kPass) const;
  // An admin request with a JSON body.
  HttpResult Admin(const std::string& method, const std::string& path,
                   const std::string& body = "") const;

  std::shared_ptr<service::Service> svc;  // null when a handler serves instead
  std::unique_ptr<http::Server> server;
  uint16_t port = 0;
};

// A fresh mock with short HTTP timeouts and two workers (slow-loris tests).
struct HardenedServer : TestServer {
  explicit HardenedServer(int header_timeout_s = 2, int body_timeout_s = 3,
                          service::Options options = {});
};

}  // namespace atws::testing
