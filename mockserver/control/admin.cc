// The admin API under /__admin/ (JSON). Public paths: see the Interfaces section of the
// architecture and docs/admin-api.md.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "control/json.h"
#include "control/ui.h"
#include "behaviours/behaviours.h"
#include "tenant/fixture_sets.h"
#include "service/service.h"

namespace atws::service {

namespace {

// Query-string parameter (no decoding beyond %XX and '+').
bool QueryParam(const std::string& query, std::string_view name, std::string* out) {
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string_view kv(query.data() + i, amp - i);
    size_t eq = kv.find('=');
    std::string_view k = kv.substr(0, eq);
    if (k == name) {
      std::string_view v = eq == std::string_view::npos ? "" : kv.substr(eq + 1);
      out->clear();
      for (size_t p = 0; p < v.size(); ++p) {
        if (v[p] == '+') {
          out->push_back(' ');
        } else if (v[p] == '%' && p + 2 < v.size() + 0 && p + 2 <= v.size() - 1) {
          int hi = std::isxdigit(static_cast<unsigned char>(v[p + 1])) ? v[p + 1] : -1;
          int lo = std::isxdigit(static_cast<unsigned char>(v[p + 2])) ? v[p + 2] : -1;
          if (hi < 0 || lo < 0) {
            out->push_back('%');
            continue;
          }
          auto hex = [](int c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; };
          out->push_back(static_cast<char>(hex(hi) * 16 + hex(lo)));
          p += 2;
        } else {
          out->push_back(v[p]);
        }
      }
      return true;
    }
    i = amp + 1;
  }
  return false;
}

bool IsLoopback(const std::string& peer) {
  return peer.empty() || peer.rfind("127.", 0) == 0 || peer == "::1" || peer == "[::1]" ||
         peer.rfind("::ffff:127.", 0) == 0;
}

}  // namespace

HttpResponse Service::HandleAdmin(const HttpRequest& req) {
  if (!opt_.admin_remote && !IsLoopback(req.peer))
    return JsonError(403, "the admin API answers loopback clients only (see --admin-remote)");
  if (HttpResponse r; ServeAdminUi(req, &r)) return r;  // page files, no token: admin_ui.cc
  if (!opt_.admin_token.empty()) {
    std::string_view a = Trim(req.authorization);
    if (!AsciiIStartsWith(a, "bearer ") || Trim(a.substr(7)) != opt_.admin_token)
      return JsonError(401, "the admin API needs 'Authorization: Bearer <token>'");
  }
  std::string path = req.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const std::string& m = req.method;

  if (path == "/__admin/health") {
    if (m != "GET") return JsonError(405, "use GET");
    return Json(200, {{"status", "ok"},
                      {"version", "0.1.0"},
                      {"tenants", tenants_.size()},
                      {"time_zone", std::string(ApiTimeZoneName(opt_.time_zone))}});
  }
  if (path == "/__admin/tenants") {
    if (m != "GET") return JsonError(405, "use GET");
    nlohmann::json arr = nlohmann::json::array();
    Micros now = clock_->Now();
    std::shared_lock<std::shared_mutex> dl(directory_mu_);  // users and zones (users.cc)
    for (auto& t : tenants_) {
      nlohmann::json users = nlohmann::json::array();
      for (const auto& name : UsernamesLocked(t.get())) users.push_back(name);  // users.cc
      const Zone* z = zones_.Find(t->spec.zone);
      arr.push_back({{"id", t->spec.id},
                     {"name", t->spec.name},
                     {"zone", t->spec.zone},
                     {"zone_label", z ? z->label : ""},
                     {"flavour", z ? std::string(catalog::FlavourName(z->flavour)) : ""},
                     {"language", std::string(catalog::LanguageCode(t->spec.language))},
                     {"users", users},
                     {"threshold", t->settings.threshold},
                     {"calls", t->usage.Count(now)}});
    }
    return Json(200, arr);
  }
  if (path == "/__admin/journal") {
    if (m == "DELETE") {
      journal_.Clear();
      return Json(200, {{"cleared", true}});
    }
    if (m != "GET") return JsonError(405, "use GET or DELETE");
    JournalFilter f;
    std::string v;
    long long n;
    if (QueryParam(req.query, "tenant", &v)) {
      if (!ParseInt64(v, &n)) return JsonError(400, "tenant must be a number");
      f.tenant = n;
    }
    if (QueryParam(req.query, "operation", &v)) f.operation = v;
    if (QueryParam(req.query, "fault", &v)) f.fault = v;  // a rule id, or "any"
    if (QueryParam(req.query, "limit", &v)) {
      if (!ParseInt64(v, &n) || n <= 0) return JsonError(400, "limit must be a positive number");
      f.limit = static_cast<size_t>(n);
    }
    if (QueryParam(req.query, "after", &v)) {
      if (!ParseInt64(v, &n) || n < 0) return JsonError(400, "after must be a sequence number");
      f.after_seq = static_cast<uint64_t>(n);
    }
    if (QueryParam(req.query, "since", &v)) {
      CivilTime ct;
      Micros t;
      if (!ParseApiDateTime(v, &ct) || !FromLocal(ct, ApiTimeZone::kUtc, &t))
        return JsonError(400, "since must be a UTC date-time such as 2026-11-28T10:00:00Z");
      f.since = t;
    }
    bool bodies = QueryParam(req.query, "bodies", &v) && (v == "1" || v == "true");
    auto entries = journal_.Query(f);
    if (QueryParam(req.query, "format", &v) && v == "jsonl") {
      HttpResponse r;
      r.content_type = "application/x-ndjson";
      for (const auto& e : entries) {
        r.body += e.ToJson(bodies).dump();
        r.body += '\n';
      }
      return r;
    }
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& e : entries) arr.push_back(e.ToJson(bodies));
    return Json(200, arr);
  }
  if (HttpResponse r; HandleAdminUiData(*this, req, path, &r)) return r;  // admin_ui.cc
  // Users, zones and zone moves: users.cc.
  if (HttpResponse r; HandleUserAdmin(req, path, &r)) return r;
  if (HttpResponse r; HandleAdminThrottle(req, path, &r)) return r;
  // Fault rules (faults.cc) and fixture sets (fixture_load.cc).
  if (HttpResponse r; HandleFaultAdmin(req, path, &r)) return r;
  if (HttpResponse r; HandleLanguageAdmin(req, path, &r)) return r;  // tenant_language.cc
  if (HttpResponse r; HandleFixturesAdmin(*this, req, path, &r)) return r;
  if (HttpResponse r; HandleWritesAdmin(*this, req, path, &r)) return r;  // writes_admin.cc
  return JsonError(404, fmt::format("no admin endpoint {} {}", m, path.substr(0, 100)));
}

}  // namespace atws::service
