#include "conformance/rules/client_scenarios.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>

namespace atws::conformance::clientcheck {
namespace {

const std::vector<ClientScenario> kScenarios = {
    {"german",
     "a German tenant in a localized zone",
     "The client runs as api@beispiel.example in tenant 29684100 (Beispiel IT-Service GmbH), "
     "zone 18 (Deutsch), whose WSDL flavour is one release behind and whose picklist labels are "
     "German (Ticket Status 1 is \"Neu\", 5 \"Abgeschlossen\").",
     "Resolve picklists by value, not by English label; use only entities and fields of the "
     "zone's own WSDL.",
     29684100,
     "api@beispiel.example",
     {},
     {},
     {},
     false,
     {"CC-PICKLIST-VALUE"}},
    {"threshold-75",
     "threshold usage above 75 %",
     "Before the client starts, the tenant's rolling hour holds 78 % of its threshold (7,800 of "
     "10,000 calls by default): every answer is held back 1 s (tier 2).",
     "Make calls one after another and wait for each answer (no parallel bursts, no retries on "
     "short timeouts), watch getThresholdAndUsageInfo, and finish the job.",
     0,
     "",
     {{"PUT", "/__admin/tenants/{tenant}/usage", R"({"calls": {pct:78}})",
       "usage set to 78 % of the threshold"}},
     {},
     {},
     false,
     {"CC-BACKOFF-LATENCY", "CC-THREAD-LIMIT", "CC-THRESHOLD-MONITOR"}},
    {"suspension",
     "suspended mid-run",
     "After the client's first calls (--trigger-after, 5 by default, not counting getZoneInfo and "
     "getThresholdAndUsageInfo), the tenant's rolling hour "
     "is filled past its threshold: calls are refused for about --suspend-seconds (3 s by "
     "default) until enough old calls leave the window; after that every answer is held back "
     "1 s.",
     "On \"the API call threshold ... has been exceeded\", pause (at least --min-backoff, 2 s by "
     "default), watch getThresholdAndUsageInfo, retry, and finish the job.",
     0,
     "",
     {},
     {{"PUT", "/__admin/tenants/{tenant}/usage", R"({"calls": {suspend_calls}})",
       "usage filled past the threshold (suspended)"}},
     {{"PUT", "/__admin/tenants/{tenant}/usage", R"({"calls": 0})", "usage emptied"}},
     false,
     {"CC-BACKOFF-SUSPENSION", "CC-BACKOFF-LATENCY", "CC-THRESHOLD-MONITOR"}},
    {"password-expiring",
     "the API user's password expires mid-run",
     "After the client's first calls (--trigger-after, 5 by default), the API user's password "
     "expires: every further call gets HTTP 401.",
     "Stop at the first 401 (at most --max-calls-after-auth-failure more calls), say that the "
     "password was refused or has expired, and exit with a failure status: check-client expects "
     "the command to fail.",
     0,
     "",
     {},
     {{"PUT", "/__admin/users/{user}", R"({"password_expires": "{now}"})",
       "the user's password expired"}},
     {{"PUT", "/__admin/users/{user}", R"({"password_expires": null})",
       "the user's password valid again"}},
     true,
     {"CC-AUTH-STOP"}},
    {"zone-moved",
     "the tenant moves to another zone mid-run",
     "After the client's first calls (--trigger-after, 5 by default), the tenant moves to another "
     "zone (zone 4, UK, or zone 3 for a tenant in zone 4): calls to the old zone URL fail with "
     "\"The user ... belongs to zone 4, not to zone 5; call the URL that getZoneInfo returns.\"",
     "Call getZoneInfo again after the wrong-zone error, continue on the new zone URL, and "
     "finish the job.",
     0,
     "",
     {},
     {{"PUT", "/__admin/tenants/{tenant}/zone", R"({"zone": {other_zone}})",
       "the tenant moved to another zone"}},
     {},
     false,
     {"CC-ZONE-REDISCOVER", "CC-ZONE-URL"}},
};

std::string PercentEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace

const std::vector<ClientScenario>& AllClientScenarios() { return kScenarios; }

const ClientScenario* FindClientScenario(const std::string& name) {
  for (const auto& s : kScenarios)
    if (s.name == name) return &s;
  return nullptr;
}

std::string ExpandPlaceholders(const std::string& text, const PlaceholderValues& v, bool in_path) {
  static const std::regex re(R"(\{([a-z_]+)(?::([0-9]+))?\})");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), re);
  size_t pos = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out.append(text, pos, static_cast<size_t>(m.position(0)) - pos);
    pos = static_cast<size_t>(m.position(0) + m.length(0));
    std::string name = m[1].str();
    std::string value;
    bool known = true;
    if (name == "tenant") {
      value = std::to_string(v.tenant);
    } else if (name == "user") {
      value = in_path ? PercentEncode(v.user) : v.user;
    } else if (name == "now") {
      value = v.now;
    } else if (name == "pct" && m[2].matched) {
      long long pct = std::stoll(m[2].str());
      value = std::to_string((v.threshold * pct + 99) / 100);
    } else if (name == "suspend_calls") {
      // Calls spread evenly over 3600 s leave the window at threshold/3600 a second; the
      // tenant is refused until the count drops below the threshold.
      long long extra = static_cast<long long>(
          std::ceil(v.suspend_seconds * static_cast<double>(v.threshold) / 3600.0));
      value = std::to_string(v.threshold + std::max(1LL, extra));
    } else if (name == "other_zone") {
      value = v.zone == 4 ? "3" : "4";
    } else {
      known = false;
    }
    out += known ? value : m.str(0);
  }
  out.append(text, pos, std::string::npos);
  return out;
}

}  // namespace atws::conformance::clientcheck
