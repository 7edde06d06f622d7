// The admin API's front: the checks every admin request passes, the route table, and the
// small endpoints (health, the tenant list) and the reset of a tenant (admin.h).
#include "control/admin.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/text.h"
#include "control/config.h"
#include "control/handlers.h"
#include "control/json.h"

namespace atws::control {

namespace {

// A path pattern: segments separated by '/'; "*" matches any one segment (even an empty one),
// a last "**" one or more segments; other segments match themselves.
struct Route {
  std::string_view pattern;
  AdminHandler handler;
};

// In the order the handlers are asked; a handler may decline a path its pattern matches (see
// handlers.h), then the next matching route is asked. Methods are checked by the handlers:
// each answers 405 with the methods its resource takes, after its own 400/404 checks.
const Route kRoutes[] = {
    {"/__admin/health", HandleHealth},
    {"/__admin/tenants", HandleTenantList},
    {"/__admin/journal", HandleJournal},
    {"/__admin/journal/**", HandleJournalEntry},
    {"/__admin/tenants/*/usage/history", HandleUsageHistory},
    {"/__admin/zones", HandleZones},
    {"/__admin/zones/**", HandleZone},
    {"/__admin/tenants/*/*", HandleTenantZoneOrUsers},  // zone, users (%XX-decoded)
    {"/__admin/users/*", HandleUser},
    {"/__admin/clock", HandleClock},
    {"/__admin/reset", HandleReset},
    {"/__admin/tenants/*/usage", HandleUsageOrSettings},
    {"/__admin/tenants/*/settings", HandleUsageOrSettings},
    {"/__admin/faults", HandleFaults},
    {"/__admin/faults/**", HandleFault},
    {"/__admin/tenants/*/language", HandleLanguage},
    {"/__admin/tenants/*/fixtures", HandleFixtures},
    {"/__admin/tenants/*/sources", HandleSourcesOrTicket},
    {"/__admin/tenants/*/tickets/**", HandleSourcesOrTicket},
};

bool Matches(std::string_view pattern, std::string_view path) {
  while (true) {
    size_t ps = pattern.find('/'), qs = path.find('/');
    std::string_view p = pattern.substr(0, ps), q = path.substr(0, qs);
    if (p == "**") return true;  // the rest, at least one segment (we are on one)
    if (p != "*" && p != q) return false;
    if (ps == std::string_view::npos || qs == std::string_view::npos)
      return ps == std::string_view::npos && qs == std::string_view::npos;
    pattern.remove_prefix(ps + 1);
    path.remove_prefix(qs + 1);
  }
}

bool IsLoopback(const std::string& peer) {
  return peer.empty() || peer.rfind("127.", 0) == 0 || peer == "::1" || peer == "[::1]" ||
         peer.rfind("::ffff:127.", 0) == 0;
}

}  // namespace

Admin::Admin(service::Service& svc, std::shared_ptr<const StartupConfig> startup)
    : svc_(svc), startup_(std::move(startup)) {}

Admin::~Admin() = default;

HttpResponse Admin::Handle(const HttpRequest& req) {
  const service::Options& opt = svc_.options();
  if (!opt.admin_remote && !IsLoopback(req.peer))
    return JsonError(403, "the admin API answers loopback clients only (see --admin-remote)");
  if (HttpResponse r; ServeAdminUi(req, &r)) return r;  // page files, no token: ui.cc
  if (!opt.admin_token.empty()) {
    std::string_view a = Trim(req.authorization);
    if (!AsciiIStartsWith(a, "bearer ") || Trim(a.substr(7)) != opt.admin_token)
      return JsonError(401, "the admin API needs 'Authorization: Bearer <token>'");
  }
  std::string path = req.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  for (const Route& route : kRoutes) {
    if (!Matches(route.pattern, path)) continue;
    if (HttpResponse r; route.handler(*this, req, path, &r)) return r;
  }
  return JsonError(404, fmt::format("no admin endpoint {} {}", req.method, path.substr(0, 100)));
}

bool Admin::ResetTenant(long long id, std::string* error) {
  Tenant* t = svc_.FindTenant(id);
  if (!t) {
    *error = fmt::format("no tenant {}", id);
    return false;
  }
  if (!ResetTenantData(*t, svc_.catalog(), svc_.options().data_dir, svc_.DefaultSettings(), error))
    return false;
  svc_.ResetDirectory(t);  // default users and zone
  svc_.ResetLanguage(t);
  t->usage.Clear();
  svc_.journal().Clear(id);
  svc_.faults().RemoveTenant(id);  // fault rules that name the tenant (faults.h)
  return true;
}

bool Admin::ReapplyStartupConfig(long long tenant, std::string* error) {
  if (!startup_) return true;
  ConfigScope scope;
  scope.tenant = tenant;
  scope.at_startup = false;
  return ApplyStartupConfig(*this, *startup_, scope, error);
}

// ---- GET /__admin/health
bool HandleHealth(Admin& admin, const HttpRequest& req, const std::string&, HttpResponse* out) {
  service::Service& svc = admin.service();
  if (req.method != "GET") {
    *out = JsonError(405, "use GET");
    return true;
  }
  *out = Json(200, {{"status", "ok"},
                    {"version", "0.1.0"},
                    {"tenants", svc.tenants().size()},
                    {"time_zone", std::string(ApiTimeZoneName(svc.options().time_zone))}});
  return true;
}

// ---- GET /__admin/tenants
bool HandleTenantList(Admin& admin, const HttpRequest& req, const std::string&, HttpResponse* out) {
  service::Service& svc = admin.service();
  if (req.method != "GET") {
    *out = JsonError(405, "use GET");
    return true;
  }
  nlohmann::json arr = nlohmann::json::array();
  Micros now = svc.clock().Now();
  std::shared_lock<std::shared_mutex> dl(svc.directory_mutex());  // users and zones
  for (auto& t : svc.tenants()) {
    nlohmann::json users = nlohmann::json::array();
    for (const auto& name : svc.UsernamesLocked(t.get())) users.push_back(name);
    const Zone* z = svc.zones().Find(t->spec.zone);
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
  *out = Json(200, arr);
  return true;
}

bool TenantResource(service::Service& svc, const std::string& path, std::string_view resource,
                    long long* id, Tenant** tenant, HttpResponse* out) {
  static const std::string kPrefix = "/__admin/tenants/";
  *tenant = nullptr;
  if (path.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  size_t slash = path.find('/', kPrefix.size());
  if (slash == std::string::npos || std::string_view(path).substr(slash + 1) != resource)
    return false;
  if (!ParseInt64(std::string_view(path).substr(kPrefix.size(), slash - kPrefix.size()), id)) {
    *out = JsonError(400, "the tenant id must be a number");
    return true;
  }
  *tenant = svc.FindTenant(*id);
  if (!*tenant) *out = JsonError(404, fmt::format("no tenant {}", *id));
  return true;
}

}  // namespace atws::control
