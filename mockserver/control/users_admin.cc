// Users, zones and zone moves at run time (docs/zones-and-users.md, docs/admin-api.md):
//   GET /__admin/zones, GET|PUT /__admin/zones/{n} (the zone's flavour)
//   GET|PUT /__admin/tenants/{id}/zone, GET|POST /__admin/tenants/{id}/users
//   GET|PUT /__admin/users/{username}
// Path segments are %XX-decoded ("api%40contoso.example").
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <shared_mutex>

#include "auth/access.h"
#include "common/query_string.h"
#include "common/text.h"
#include "common/timeutil.h"
#include "control/admin.h"
#include "control/handlers.h"
#include "control/json.h"

namespace atws::control {

using catalog::Entity;
using catalog::Flavour;
using fixtures::ApiUser;
using fixtures::EntityAccess;
using fixtures::SecurityLevel;
using nlohmann::json;

namespace {

// The path's segments after `prefix`, %XX-decoded.
std::vector<std::string> Segments(const std::string& path, std::string_view prefix) {
  std::vector<std::string> segs;
  std::string_view rest = std::string_view(path).substr(prefix.size());
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    segs.push_back(PercentDecode(rest.substr(0, slash)));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  return segs;
}

// The body as a JSON object; false when it is not one.
bool ParseBody(const HttpRequest& req, json* j) {
  *j = json::parse(req.body, nullptr, false);
  return !j->is_discarded() && j->is_object();
}

// The time now as stored (for password_expired).
std::string NowStorage(service::Service& svc) {
  return StorageDateTime(ToLocal(svc.clock().Now(), svc.options().time_zone));
}

json ZoneJson(service::Service& svc, const Zone& z) {
  json ts = json::array();
  for (const auto& t : svc.tenants())
    if (t->spec.zone == z.number) ts.push_back(t->spec.id);
  return json{{"zone", z.number},
              {"label", z.label},
              {"flavour", std::string(catalog::FlavourName(z.flavour))},
              {"tenants", ts}};
}

json UserJson(const ApiUser& u, long long tenant, const std::string& now_storage) {
  json access = json::object();
  for (const auto& a : u.entity_access) {
    json o = json::object();
    if (!a.create.empty()) o["create"] = a.create;
    if (!a.query.empty()) o["query"] = a.query;
    if (!a.update.empty()) o["update"] = a.update;
    if (!a.del.empty()) o["delete"] = a.del;
    access[a.entity] = o;
  }
  json expires = nullptr;
  if (!u.password_expires.empty()) {
    std::string api;
    AppendApiFromStorage(&api, u.password_expires);
    expires = api;
  }
  return {{"username", u.username},
          {"tenant", tenant},
          {"resource_id", u.resource_id},
          {"security_level", std::string(LevelName(u.level))},
          {"integration_codes", u.integration_codes},
          {"lines_of_business", u.lines_of_business},
          {"entity_access", access},
          {"password_expires", expires},
          {"password_expired", !u.password_expires.empty() && now_storage >= u.password_expires}};
}

// Applies the keys of a user JSON object (POST/PUT) to *u, checking ids against the tenant.
bool ApplyUserJson(const catalog::Catalog& cat, const json& j, Tenant& t, bool creating, ApiUser* u,
                   std::string* err) {
  static const char* kKeys[] = {"username",       "password",          "password_expires",
                                "security_level", "integration_codes", "lines_of_business",
                                "entity_access",  "resource_id"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    if (!known) {
      *err = fmt::format("unknown key \"{}\" (known: {})", key.substr(0, 50),
                         "password, password_expires, security_level, integration_codes, "
                         "lines_of_business, entity_access, resource_id");
      return false;
    }
  }
  if (j.contains("password")) {
    if (!j["password"].is_string() || j["password"].get<std::string>().empty()) {
      *err = "password must be a non-empty string";
      return false;
    }
    u->password = j["password"].get<std::string>();
  }
  if (j.contains("password_expires")) {
    const json& v = j["password_expires"];
    if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) {
      u->password_expires.clear();
    } else {
      CivilTime ct;
      if (!v.is_string() || !ParseApiDateTime(v.get<std::string>(), &ct)) {
        *err =
            "password_expires must be a date-time in the API time zone, e.g. "
            "\"2026-12-01T00:00:00\", or null for never";
        return false;
      }
      u->password_expires = StorageDateTime(ct);
    }
  }
  bool level_set = false;
  if (j.contains("security_level")) {
    if (!j["security_level"].is_string() ||
        !ParseLevel(j["security_level"].get<std::string>(), &u->level)) {
      *err = "security_level must be \"api-only\", \"api-only-restricted\" or \"full-access\"";
      return false;
    }
    level_set = true;
  }
  if (j.contains("integration_codes")) {
    const json& v = j["integration_codes"];
    std::vector<std::string> codes;
    bool ok = v.is_array();
    for (size_t i = 0; ok && i < v.size(); ++i) {
      ok = v[i].is_string() && !v[i].get<std::string>().empty() &&
           v[i].get<std::string>().size() <= 100;
      if (ok) codes.push_back(v[i].get<std::string>());
    }
    if (!ok) {
      *err = "integration_codes must be an array of non-empty strings";
      return false;
    }
    u->integration_codes = std::move(codes);
  }
  if (j.contains("entity_access")) {
    const json& v = j["entity_access"];
    if (!v.is_object()) {
      *err =
          "entity_access must be an object: {\"Entity\": \"None\"} or "
          "{\"Entity\": {\"query\": \"Restricted\", \"update\": \"None\"}}";
      return false;
    }
    std::vector<EntityAccess> list;
    for (const auto& [name, spec] : v.items()) {
      const Entity* e = cat.Find(name);
      if (!e) {
        *err = fmt::format("entity_access: no entity {}", name.substr(0, 100));
        return false;
      }
      EntityAccess a;
      a.entity = e->name;
      auto set = [&](const json& val, std::string* dst) {
        if (val.is_null()) return true;
        return val.is_string() && CanonicalAccess(val.get<std::string>(), dst);
      };
      bool ok = true;
      if (spec.is_string()) {
        ok = set(spec, &a.create) && set(spec, &a.query) && set(spec, &a.update) &&
             set(spec, &a.del);
      } else if (spec.is_object()) {
        for (const auto& [kind, val] : spec.items()) {
          std::string* dst = kind == "create"   ? &a.create
                             : kind == "query"  ? &a.query
                             : kind == "update" ? &a.update
                             : kind == "delete" ? &a.del
                                                : nullptr;
          ok = ok && dst && set(val, dst);
        }
      } else {
        ok = false;
      }
      if (!ok) {
        *err = fmt::format(
            "entity_access.{}: give \"All\", \"Restricted\" or \"None\", or an object with "
            "create/query/update/delete",
            e->name);
        return false;
      }
      list.push_back(std::move(a));
    }
    u->entity_access = std::move(list);
    if (!u->entity_access.empty() && u->level != SecurityLevel::kApiOnlyRestricted) {
      *err =
          "entity_access needs security_level \"api-only-restricted\" (the system security "
          "levels cannot be edited)";
      return false;
    }
  } else if (level_set && u->level != SecurityLevel::kApiOnlyRestricted) {
    u->entity_access.clear();  // back to a system level: its permissions are the catalog's
  }
  std::vector<long long> lobs = u->lines_of_business;
  if (j.contains("lines_of_business")) {
    const json& v = j["lines_of_business"];
    lobs.clear();
    bool ok = v.is_array();
    for (size_t i = 0; ok && i < v.size(); ++i) {
      ok = v[i].is_number_integer();
      if (ok) lobs.push_back(v[i].get<long long>());
    }
    if (!ok) {
      *err = "lines_of_business must be an array of BusinessDivisionSubdivision ids";
      return false;
    }
  }
  long long resource = u->resource_id;
  if (j.contains("resource_id")) {
    if (!j["resource_id"].is_number_integer() || j["resource_id"].get<long long>() <= 0) {
      *err = "resource_id must be a positive Resource id";
      return false;
    }
    resource = j["resource_id"].get<long long>();
  }
  {
    std::lock_guard<std::mutex> l(t.db->mutex());
    for (long long lob : lobs)
      if (!t.db->RowExists("BusinessDivisionSubdivision", lob)) {
        *err = fmt::format("lines_of_business: no BusinessDivisionSubdivision {} in tenant {}", lob,
                           t.spec.id);
        return false;
      }
    if (j.contains("resource_id") || creating) {
      if (resource <= 0 || !t.db->RowExists("Resource", resource)) {
        *err = fmt::format("resource_id: no Resource {} in tenant {}", resource, t.spec.id);
        return false;
      }
    }
  }
  u->lines_of_business = std::move(lobs);
  u->resource_id = resource;
  return true;
}

}  // namespace

// ---- GET /__admin/zones
bool HandleZones(Admin& admin, const HttpRequest& req, const std::string& path, HttpResponse* out) {
  service::Service& svc = admin.service();
  const std::string& m = req.method;
  if (m != "GET") {
    *out = JsonError(405, "use GET");
    return true;
  }
  json arr = json::array();
  std::shared_lock<std::shared_mutex> l(svc.directory_mutex());
  for (const Zone& z : svc.zones().zones()) arr.push_back(ZoneJson(svc, z));
  *out = Json(200, arr);
  return true;
}

// ---- GET|PUT /__admin/zones/{n}
bool HandleZone(Admin& admin, const HttpRequest& req, const std::string& path, HttpResponse* out) {
  service::Service& svc = admin.service();
  const std::string& m = req.method;
  auto segs = Segments(path, "/__admin/zones/");
  long long n = 0;
  if (segs.size() != 1 || !ParseInt64(segs[0], &n)) return false;
  std::unique_lock<std::shared_mutex> l(svc.directory_mutex());
  const Zone* z = svc.zones().Find(static_cast<int>(n));
  if (!z) {
    *out = JsonError(404, fmt::format("no zone {}", n));
    return true;
  }
  if (m == "GET") {
    *out = Json(200, ZoneJson(svc, *z));
    return true;
  }
  if (m != "PUT") {
    *out = JsonError(405, "use GET or PUT");
    return true;
  }
  json j;
  Flavour f;
  if (!ParseBody(req, &j) || !j.contains("flavour") || !j["flavour"].is_string()) {
    *out = JsonError(400, "send {\"flavour\": \"2018\" | \"current\" | \"localized\"}");
    return true;
  }
  if (!catalog::ParseFlavour(j["flavour"].get<std::string>(), &f) || f == Flavour::kV15) {
    *out = JsonError(400,
                     "flavour must be \"2018\", \"current\" or \"localized\" (API 1.5 is served "
                     "at /atservices/1.5/ in every zone)");
    return true;
  }
  svc.zones().SetFlavour(z->number, f);
  *out = Json(200, ZoneJson(svc, *z));
  return true;
}

// ---- GET|PUT /__admin/tenants/{id}/zone, GET|POST /__admin/tenants/{id}/users
bool HandleTenantZoneOrUsers(Admin& admin, const HttpRequest& req, const std::string& path,
                             HttpResponse* out) {
  service::Service& svc = admin.service();
  const std::string& m = req.method;
  const std::string now = NowStorage(svc);
  auto segs = Segments(path, "/__admin/tenants/");
  long long id = 0;
  if (segs.size() != 2 || !ParseInt64(segs[0], &id) || (segs[1] != "zone" && segs[1] != "users"))
    return false;
  Tenant* t = svc.FindTenant(id);
  if (!t) {
    *out = JsonError(404, fmt::format("no tenant {}", id));
    return true;
  }
  if (segs[1] == "zone") {
    if (m == "GET") {
      std::shared_lock<std::shared_mutex> l(svc.directory_mutex());
      *out = Json(200, {{"id", id}, {"zone", t->spec.zone}});
      return true;
    }
    if (m != "PUT") {
      *out = JsonError(405, "use GET or PUT");
      return true;
    }
    json j;
    if (!ParseBody(req, &j) || !j.contains("zone") || !j["zone"].is_number_integer()) {
      *out = JsonError(400, "send {\"zone\": N}");
      return true;
    }
    long long n = j["zone"].get<long long>();
    std::unique_lock<std::shared_mutex> l(svc.directory_mutex());
    const Zone* z = n > 0 && n < 1000 ? svc.zones().Find(static_cast<int>(n)) : nullptr;
    if (!z) {
      *out =
          JsonError(400, fmt::format("zone {} is not in the zone table (GET /__admin/zones)", n));
      return true;
    }
    t->spec.zone = z->number;
    *out = Json(200, {{"id", id},
                      {"zone", z->number},
                      {"zone_label", z->label},
                      {"flavour", std::string(catalog::FlavourName(z->flavour))}});
    return true;
  }
  // users
  if (m == "GET") {
    json arr = json::array();
    std::shared_lock<std::shared_mutex> l(svc.directory_mutex());
    for (const auto& u : svc.UsersLocked(t)) arr.push_back(UserJson(*u, id, now));
    *out = Json(200, arr);
    return true;
  }
  if (m != "POST") {
    *out = JsonError(405, "use GET or POST");
    return true;
  }
  json j;
  if (!ParseBody(req, &j)) {
    *out = JsonError(400, "the body must be a JSON object");
    return true;
  }
  if (!j.contains("username") || !j["username"].is_string() || !j.contains("password")) {
    *out = JsonError(400, "a new user needs \"username\" and \"password\"");
    return true;
  }
  std::string username = j["username"].get<std::string>();
  if (username.empty() || username.size() > 128 || username.find(':') != std::string::npos ||
      username.find_first_of(" \t\r\n/") != std::string::npos || !IsValidUtf8(username)) {
    *out = JsonError(400, "username must be 1-128 characters without ':', '/' or spaces");
    return true;
  }
  ApiUser u;
  u.username = username;
  {
    std::shared_lock<std::shared_mutex> l(svc.directory_mutex());
    if (!t->spec.users.empty()) u.resource_id = t->spec.users.front().resource_id;
  }
  std::string err;
  if (!ApplyUserJson(svc.catalog(), j, *t, true, &u, &err)) {
    *out = JsonError(400, err);
    return true;
  }
  std::unique_lock<std::shared_mutex> l(svc.directory_mutex());
  // Only the directory: t->spec.users stays the default set that a reset repopulates.
  if (!svc.AddUserLocked(t, u)) {
    *out = JsonError(409, fmt::format("the user {} exists already", username));
    return true;
  }
  *out = Json(201, UserJson(u, id, now));
  return true;
}

// ---- GET|PUT /__admin/users/{username}
bool HandleUser(Admin& admin, const HttpRequest& req, const std::string& path, HttpResponse* out) {
  service::Service& svc = admin.service();
  const std::string& m = req.method;
  const std::string now = NowStorage(svc);
  auto segs = Segments(path, "/__admin/users/");
  if (segs.size() != 1) return false;
  service::Service::DirectoryUser ref;
  if (!svc.LookUpUser(segs[0], &ref)) {
    *out = JsonError(404, fmt::format("no user {}", segs[0].substr(0, 100)));
    return true;
  }
  if (m == "GET") {
    *out = Json(200, UserJson(*ref.user, ref.tenant->spec.id, now));
    return true;
  }
  if (m != "PUT") {
    *out = JsonError(405, "use GET or PUT");
    return true;
  }
  json j;
  if (!ParseBody(req, &j)) {
    *out = JsonError(400, "the body must be a JSON object");
    return true;
  }
  if (j.contains("username") &&
      (!j["username"].is_string() ||
       !AsciiIEquals(j["username"].get<std::string>(), ref.user->username))) {
    *out = JsonError(400, "a user cannot be renamed; create a new one instead");
    return true;
  }
  ApiUser u = *ref.user;
  std::string err;
  if (!ApplyUserJson(svc.catalog(), j, *ref.tenant, false, &u, &err)) {
    *out = JsonError(400, err);
    return true;
  }
  std::unique_lock<std::shared_mutex> l(svc.directory_mutex());
  if (!svc.ReplaceUserLocked(ref.user, u)) {
    *out = JsonError(409, "the user changed meanwhile; read it again and retry");
    return true;
  }
  *out = Json(200, UserJson(u, ref.tenant->spec.id, now));
  return true;
}

}  // namespace atws::control
