// check-client's view of the mock's journal: one Call per entry of `GET /__admin/journal`
// (see mockserver/journal/journal.h for the JSON and docs/admin-api.md). The runner reads the
// JSON like any admin-API user; it never links the server. Pure functions of their arguments
// (thread-safe); parsing never fails: what an entry lacks keeps its default.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace atws::conformance::clientcheck {

// One journal entry. Fields the entry does not carry keep their defaults.
struct Call {
  unsigned long long seq = 0;
  double time = 0;  // seconds since 1970 (UTC) on the mock's clock; 0 when unparsable
  std::string time_text;
  long long tenant = 0;
  int zone = 0;  // zone of the endpoint called (0 = zone-neutral)
  bool off_zone = false;
  std::string user;
  std::string integration_code;
  bool integration_code_sent = false;
  std::string api_version;
  std::string operation;
  std::string entity;
  nlohmann::json query;    // null unless a query that compiled
  nlohmann::json written;  // null unless a write
  long long rows = -1;
  long long last_id = 0;
  std::vector<std::string> errors;
  int http_status = 200;
  long long latency_added_ms = 0;
  std::string latency_reason;
  std::string warning;
  std::string request;  // raw request body when the journal kept it (bodies=1), else empty

  bool Failed() const { return !errors.empty() || http_status >= 400; }
  // The call was refused because the tenant was over its threshold (suspension).
  bool Suspended() const;
  // Refused by the thread limit (per IntegrationCode and entity).
  bool ThreadLimited() const;
  // Refused with 401 for a user the mock knows (wrong or expired password).
  bool AuthRefused() const;
  // Refused because the endpoint belongs to another zone than the user's.
  bool WrongZone() const;
  // Counts against the threshold and is subject to back-off rules: everything except
  // getZoneInfo and getThresholdAndUsageInfo (which the API exempts).
  bool Throttled() const;
  // The entity this call concerns: `entity`, else the query's entity, else one found in the
  // raw request (a query that failed to compile carries no parsed query).
  std::string EntityName() const;
  // One line for reports: "query Ticket (500 rows; +1000 ms latency) at 2026-…Z" (no seq: the
  // evidence carries it).
  std::string Summary() const;
};

// `text` with control characters (and DEL) replaced by '?', cut to `max` bytes (with "..."):
// journal content is whatever a client sent, and reports print it on terminals.
std::string Printable(const std::string& text, size_t max = 200);

// Parses "2026-11-28T13:44:52.6Z" (fraction optional) into seconds since 1970; false if not.
bool ParseUtcTime(const std::string& text, double* seconds);

// One entry; tolerant of missing keys (an older or newer mock).
Call CallFromJson(const nlohmann::json& j);
// An array of entries, in the order given (the journal answers oldest first).
std::vector<Call> CallsFromJson(const nlohmann::json& array);

}  // namespace atws::conformance::clientcheck
