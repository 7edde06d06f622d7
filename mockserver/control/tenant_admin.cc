// Admin endpoints for the threshold and time (docs/admin-api.md): POST|GET /__admin/clock,
// POST /__admin/reset, GET|PUT /__admin/tenants/{id}/usage, GET|PUT
// /__admin/tenants/{id}/settings.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/query_string.h"
#include "common/text.h"
#include "common/timeutil.h"
#include "control/admin.h"
#include "control/handlers.h"
#include "control/json.h"

namespace atws::control {

namespace {

// Parses a JSON object body; false + *err otherwise.
bool ParseObject(const std::string& body, nlohmann::json* out, std::string* err) {
  *out = nlohmann::json::parse(body, nullptr, false);
  if (out->is_discarded()) {
    *err = "the body is not valid JSON";
    return false;
  }
  if (!out->is_object()) {
    *err = "the body must be a JSON object";
    return false;
  }
  return true;
}

double Round1(double v) { return std::round(v * 10.0) / 10.0; }

// The largest latency a tier may add: Pistache 0.0.5 answers 408 and drops a connection whose
// request has been waiting longer than the header timeout (10 s by default).
constexpr long long kMaxLatencyMs = 8000;

// The tenant settings the admin API reads and writes, with their ranges. A new TenantSettings
// field becomes settable by adding a row here.
struct IntSetting {
  const char* name;
  long long min, max;
  long long TenantSettings::*ll;
  int TenantSettings::*i;
};
const IntSetting kIntSettings[] = {
    {"threshold", 1, 1000000000, &TenantSettings::threshold, nullptr},
    {"latency_tier1_pct", 0, 100, nullptr, &TenantSettings::latency_tier1_pct},
    {"latency_tier1_ms", 0, kMaxLatencyMs, nullptr, &TenantSettings::latency_tier1_ms},
    {"latency_tier2_pct", 0, 100, nullptr, &TenantSettings::latency_tier2_pct},
    {"latency_tier2_ms", 0, kMaxLatencyMs, nullptr, &TenantSettings::latency_tier2_ms},
    {"held_spacing_ms", 0, 1000, nullptr, &TenantSettings::held_spacing_ms},
    {"warn_pct", 0, 100, nullptr, &TenantSettings::warn_pct},
    {"thread_limit", 0, 1000, nullptr, &TenantSettings::thread_limit},
    {"settle_delay_ms", 0, 3600000, &TenantSettings::settle_delay_ms, nullptr},
    {"default_ticket_source", 0, 2147483647, &TenantSettings::default_ticket_source, nullptr},
    {"attachment_max_bytes", 1, 1LL << 30, &TenantSettings::attachment_max_bytes, nullptr},
    {"attachment_window_bytes", 1, 1LL << 40, &TenantSettings::attachment_window_bytes, nullptr},
    {"attachment_window_s", 1, 86400, nullptr, &TenantSettings::attachment_window_s},
};
struct BoolSetting {
  const char* name;
  bool TenantSettings::*b;
};
const BoolSetting kBoolSettings[] = {
    {"count_rejected", &TenantSettings::count_rejected},
    {"multi_currency", &TenantSettings::multi_currency},
};

nlohmann::json SettingsJson(const TenantSettings& s) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& c : kIntSettings) j[c.name] = c.ll ? s.*(c.ll) : s.*(c.i);
  for (const auto& c : kBoolSettings) j[c.name] = s.*(c.b);
  return j;
}

// Applies the keys of `j` to `s`; false + *err on an unknown key, a wrong type or a value out
// of range. `s` is changed only when everything is valid.
bool ApplySettings(const nlohmann::json& j, TenantSettings* s, std::string* err) {
  TenantSettings n = *s;
  for (const auto& [key, v] : j.items()) {
    const BoolSetting* bs = nullptr;
    for (const auto& c : kBoolSettings)
      if (key == c.name) bs = &c;
    if (bs) {
      if (!v.is_boolean()) {
        *err = key + " must be true or false";
        return false;
      }
      n.*(bs->b) = v.get<bool>();
      continue;
    }
    const IntSetting* is = nullptr;
    for (const auto& c : kIntSettings)
      if (key == c.name) is = &c;
    if (!is) {
      std::string names;
      for (const auto& c : kIntSettings) names += std::string(names.empty() ? "" : ", ") + c.name;
      for (const auto& c : kBoolSettings) names += std::string(", ") + c.name;
      *err = fmt::format("unknown setting '{}'; settings are {}", key.substr(0, 100), names);
      return false;
    }
    long long val = 0;
    bool ok = v.is_number_integer();
    if (ok && v.is_number_unsigned()) {
      ok = v.get<unsigned long long>() <= static_cast<unsigned long long>(is->max);
      if (ok) val = static_cast<long long>(v.get<unsigned long long>());
    } else if (ok) {
      val = v.get<long long>();
    }
    if (!ok || val < is->min || val > is->max) {
      *err = fmt::format("{} must be an integer from {} to {}{}", key, is->min, is->max,
                         is->max == kMaxLatencyMs
                             ? " (longer waits would run into the HTTP layer's 10 s timeout)"
                             : "");
      return false;
    }
    if (is->ll) n.*(is->ll) = val;
    if (is->i) n.*(is->i) = static_cast<int>(val);
  }
  if (n.latency_tier1_pct > n.latency_tier2_pct) {
    *err = fmt::format("latency_tier1_pct ({}) must not be above latency_tier2_pct ({})",
                       n.latency_tier1_pct, n.latency_tier2_pct);
    return false;
  }
  *s = n;
  return true;
}

nlohmann::json ClockJson(service::Service& svc) {
  ControlledClock& clock = svc.clock();
  const ApiTimeZone tz = svc.options().time_zone;
  Micros now = clock.Now();
  return nlohmann::json{{"now", FormatApiDateTime(ToLocal(now, tz))},
                        {"now_utc", FormatApiDateTime(ToLocal(now, ApiTimeZone::kUtc)) + "Z"},
                        {"frozen", clock.frozen()},
                        {"time_zone", std::string(ApiTimeZoneName(tz))}};
}

}  // namespace

// ---- GET|POST /__admin/clock
bool HandleClock(Admin& admin, const HttpRequest& req, const std::string&, HttpResponse* out) {
  service::Service& svc = admin.service();
  ControlledClock& clock = svc.clock();
  const ApiTimeZone tz = svc.options().time_zone;
  const std::string& m = req.method;
  auto clock_json = [&]() { return ClockJson(svc); };
  {
    if (m == "GET") {
      *out = Json(200, clock_json());
      return true;
    }
    if (m != "POST") {
      *out = JsonError(405, "use POST (or GET to read the clock)");
      return true;
    }
    nlohmann::json j;
    std::string err;
    if (!ParseObject(req.body, &j, &err)) {
      *out = JsonError(400, err);
      return true;
    }
    if (j.size() != 1) {
      *out = JsonError(400,
                       "give exactly one of {\"advance_seconds\": N}, "
                       "{\"set\": \"YYYY-MM-DDTHH:MM:SS\"} or {\"resume\": true}");
      return true;
    }
    if (j.contains("advance_seconds")) {
      const auto& v = j["advance_seconds"];
      // Ten years either way is plenty for tests and keeps the arithmetic far from overflow.
      constexpr double kMax = 10.0 * 366 * 86400;
      if (!v.is_number() || !std::isfinite(v.get<double>()) || std::fabs(v.get<double>()) > kMax) {
        *out = JsonError(400, "advance_seconds must be a number of seconds (at most ten years)");
        return true;
      }
      clock.Freeze();
      clock.Advance(static_cast<Micros>(std::llround(v.get<double>() * 1e6)));
    } else if (j.contains("set")) {
      const auto& v = j["set"];
      CivilTime ct;
      Micros t;
      if (!v.is_string() || !ParseApiDateTime(v.get<std::string>(), &ct)) {
        *out = JsonError(400, fmt::format("set must be a date-time in the API's time zone ({}), "
                                          "such as 2026-01-01T09:00:00",
                                          ApiTimeZoneName(tz)));
        return true;
      }
      if (!FromLocal(ct, tz, &t)) {
        *out = JsonError(400,
                         "that local time does not exist (it falls in the spring-forward "
                         "gap of the API's time zone)");
        return true;
      }
      clock.SetFrozen(t);
    } else if (j.contains("resume")) {
      if (j["resume"] != true) {
        *out = JsonError(400, "resume must be true");
        return true;
      }
      clock.Resume();
    } else {
      *out = JsonError(400, fmt::format("unknown clock command '{}'; use advance_seconds, set or "
                                        "resume",
                                        j.begin().key().substr(0, 100)));
      return true;
    }
    *out = Json(200, clock_json());
    return true;
  }
}

// ---- POST /__admin/reset[?tenant=N]
bool HandleReset(Admin& admin, const HttpRequest& req, const std::string&, HttpResponse* out) {
  service::Service& svc = admin.service();
  const std::string& m = req.method;
  auto clock_json = [&]() { return ClockJson(svc); };
  {
    if (m != "POST") {
      *out = JsonError(405, "use POST");
      return true;
    }
    std::string_view v;
    nlohmann::json ids = nlohmann::json::array();
    std::string err;
    if (RawQueryParam(req.query, "tenant", &v)) {
      long long id;
      if (!ParseInt64(v, &id)) {
        *out = JsonError(400, "tenant must be a tenant id (a number)");
        return true;
      }
      if (!svc.FindTenant(id)) {
        *out = JsonError(404, fmt::format("no tenant {}", id));
        return true;
      }
      // Back to the start-up state: the default data, then the configuration file (config.cc).
      if (!admin.ResetTenant(id, &err) || !admin.ReapplyStartupConfig(id, &err)) {
        *out = JsonError(500, err);
        return true;
      }
      ids.push_back(id);
      *out = Json(200, {{"reset", ids}});
      return true;
    }
    for (const auto& t : svc.tenants()) {
      if (!admin.ResetTenant(t->spec.id, &err)) {
        *out = JsonError(500, err);
        return true;
      }
      ids.push_back(t->spec.id);
    }
    svc.journal().Clear();
    svc.faults().Clear();
    svc.clock().Reset();
    {
      std::unique_lock<std::shared_mutex> dl(svc.directory_mutex());
      svc.zones() = ZoneTable();  // every zone serves its default flavour again
    }
    if (!admin.ReapplyStartupConfig(0, &err)) {
      *out = JsonError(500, err);
      return true;
    }
    *out = Json(200, {{"reset", ids}, {"clock", clock_json()}});
    return true;
  }
}

// ---- GET|PUT /__admin/tenants/{id}/usage and /__admin/tenants/{id}/settings
bool HandleUsageOrSettings(Admin& admin, const HttpRequest& req, const std::string& path,
                           HttpResponse* out) {
  service::Service& svc = admin.service();
  const std::string& m = req.method;
  constexpr std::string_view kTenants = "/__admin/tenants/";
  if (path.compare(0, kTenants.size(), kTenants) != 0) return false;
  std::string_view rest = std::string_view(path).substr(kTenants.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view what = rest.substr(slash + 1);
  if (what != "usage" && what != "settings") return false;
  long long id;
  if (!ParseInt64(rest.substr(0, slash), &id)) {
    *out = JsonError(400, "the tenant id must be a number");
    return true;
  }
  Tenant* t = svc.FindTenant(id);
  if (!t) {
    *out = JsonError(404, fmt::format("no tenant {}", id));
    return true;
  }
  if (m != "GET" && m != "PUT") {
    *out = JsonError(405, "use GET or PUT");
    return true;
  }
  nlohmann::json body;
  if (m == "PUT") {
    std::string err;
    if (!ParseObject(req.body, &body, &err)) {
      *out = JsonError(400, err);
      return true;
    }
  }

  if (what == "settings") {
    std::lock_guard<std::mutex> l(t->db->mutex());  // settings are read under it
    if (m == "PUT") {
      std::string err;
      if (!ApplySettings(body, &t->settings, &err)) {
        *out = JsonError(400, err);
        return true;
      }
    }
    nlohmann::json j = SettingsJson(t->settings);
    j["tenant"] = id;
    *out = Json(200, j);
    return true;
  }

  // usage
  TenantSettings s;
  {
    std::lock_guard<std::mutex> l(t->db->mutex());
    s = t->settings;
  }
  Micros now = svc.clock().Now();
  if (m == "PUT") {
    if (body.size() != 1 || !body.contains("calls") || !body["calls"].is_number_integer() ||
        body["calls"].get<long long>() < 0 || body["calls"].get<long long>() > 1000000000) {
      *out = JsonError(400, "give {\"calls\": N} with N an integer from 0 to 1000000000");
      return true;
    }
    t->usage.Set(now, body["calls"].get<long long>());
  }
  ThresholdState st = EvaluateThreshold(s, t->usage.Count(now));
  *out = Json(200, {{"tenant", id},
                    {"calls", st.calls},
                    {"threshold", st.threshold},
                    {"window_minutes", t->usage.window_seconds() / 60},
                    {"percent", Round1(st.percent)},
                    {"tier", st.tier},
                    {"latency_ms", st.suspended ? 0 : st.latency_ms},
                    {"warning", st.warning},
                    {"suspended", st.suspended}});
  return true;
}

}  // namespace atws::control
