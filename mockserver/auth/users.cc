// API users at run time: lookups under the directory lock, restricted users (lines of business,
// per-entity access), impersonation, and the admin endpoints for users, zones and zone moves.
// Behaviour and assumptions: docs/zones-and-users.md, docs/assumptions.md (A-USER-*,
// A-IMPERSONATE, A-ZONE-FLAVOUR).
#include <fmt/format.h>

#include <climits>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "control/json.h"
#include "ops/call.h"
#include "service/service.h"

namespace atws::service {

using catalog::Entity;
using catalog::Flavour;
using fixtures::ApiUser;
using fixtures::EntityAccess;
using fixtures::SecurityLevel;
using nlohmann::json;

namespace {

constexpr std::string_view kLobField = "BusinessDivisionSubdivisionID";

// "All" > "Restricted" > "None"; -1 for anything else.
int AccessRank(std::string_view a) {
  if (a == "All") return 2;
  if (a == "Restricted") return 1;
  if (a == "None") return 0;
  return -1;
}

// Canonical spelling of an access value sent in any case; false when it is none of the three.
bool CanonicalAccess(std::string_view in, std::string* out) {
  for (const char* a : {"All", "Restricted", "None"})
    if (AsciiIEquals(in, a)) {
      *out = a;
      return true;
    }
  return false;
}

const EntityAccess* FindAccess(const ApiUser& u, std::string_view entity) {
  for (const auto& a : u.entity_access)
    if (a.entity == entity) return &a;
  return nullptr;
}

const std::string* AccessOf(const EntityAccess& a, std::string_view kind) {
  if (kind == "create") return &a.create;
  if (kind == "query") return &a.query;
  if (kind == "update") return &a.update;
  if (kind == "delete") return &a.del;
  return nullptr;
}

const std::string& CatalogAccess(const Entity& e, std::string_view kind) {
  if (kind == "create") return e.access_create;
  if (kind == "update") return e.access_update;
  if (kind == "delete") return e.access_delete;
  return e.access_query;
}

// Rows of `e` carry a line of business: directly, or for Invoice through its billing items.
bool CarriesLob(const Entity& e) { return e.name == "Invoice" || e.FindField(kLobField); }

bool LobRestricted(const ApiUser& u, const Entity& e) {
  return !u.lines_of_business.empty() && CarriesLob(e);
}

// SQL over `e`'s table: the row is in one of the user's lines of business or in none
// (A-USER-LOB, A-USER-LOB-INVOICE). Values are bound parameters appended to *params.
std::string LobClause(const ApiUser& u, const Entity& e, std::vector<store::Value>* params) {
  std::string in = "(";
  for (size_t i = 0; i < u.lines_of_business.size(); ++i) {
    in += i ? ", ?" : "?";
    params->push_back(store::Value::Int(u.lines_of_business[i]));
  }
  in += ")";
  const std::string lob = store::TenantDb::Quote(kLobField);
  if (e.FindField(kLobField)) return "(" + lob + " IS NULL OR " + lob + " IN " + in + ")";
  // Invoice: through BillingItem.InvoiceID.
  const std::string items =
      "SELECT 1 FROM \"BillingItem\" b WHERE b.\"InvoiceID\" = " + store::TenantDb::Quote(e.name) +
      ".id AND b." + lob;
  return "(EXISTS (" + items + " IN " + in + ") OR NOT EXISTS (" + items + " IS NOT NULL))";
}

std::string_view LevelName(SecurityLevel l) {
  switch (l) {
    case SecurityLevel::kApiOnly:
      return "api-only";
    case SecurityLevel::kApiOnlyRestricted:
      return "api-only-restricted";
    case SecurityLevel::kFullAccess:
      return "full-access";
  }
  return "api-only";
}

bool ParseLevel(std::string_view s, SecurityLevel* out) {
  for (SecurityLevel l :
       {SecurityLevel::kApiOnly, SecurityLevel::kApiOnlyRestricted, SecurityLevel::kFullAccess})
    if (AsciiIEquals(s, LevelName(l))) {
      *out = l;
      return true;
    }
  return false;
}

// %XX decoding of one path segment ("api%40contoso.example").
std::string PercentDecode(std::string_view s) {
  std::string out;
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

// ------------------------------------------------------------------------------ lookups

bool Service::FindUser(std::string_view username, UserRef* out) const {
  std::string key = AsciiLower(username);
  std::shared_lock<std::shared_mutex> l(directory_mu_);
  auto it = users_.find(key);
  if (it == users_.end()) return false;
  out->tenant = it->second.first;
  out->user = it->second.second;
  out->zone = it->second.first->spec.zone;
  out->language = it->second.first->spec.language;
  return true;
}

Flavour Service::ZoneFlavour(int zone) const {
  std::shared_lock<std::shared_mutex> l(directory_mu_);
  const Zone* z = zones_.Find(zone);
  return z ? z->flavour : Flavour::kCurrent;
}

void Service::ResetDirectory(Tenant* t) {
  int zone = 0;  // the default zone; 0: a tenant not in the default data keeps its zone
  for (const auto& spec : fixtures::DefaultTenants())
    if (spec.id == t->spec.id) zone = spec.zone;
  std::unique_lock<std::shared_mutex> l(directory_mu_);  // spec.zone is only read under it
  if (zone == 0) zone = t->spec.zone;
  for (auto it = users_.begin(); it != users_.end();)
    it = it->second.first == t ? users_.erase(it) : std::next(it);
  for (const auto& u : t->spec.users)
    users_[AsciiLower(u.username)] = {t, std::make_shared<const ApiUser>(u)};
  t->spec.zone = zone;
}

std::vector<std::string> Service::UsernamesLocked(const Tenant* t) const {
  std::vector<std::string> out;
  for (const auto& u : t->spec.users) {
    auto it = users_.find(AsciiLower(u.username));
    if (it != users_.end() && it->second.first == t) out.push_back(it->second.second->username);
  }
  for (const auto& [key, entry] : users_) {
    if (entry.first != t) continue;
    bool listed = false;
    for (const auto& u : t->spec.users) listed = listed || AsciiIEquals(u.username, key);
    if (!listed) out.push_back(entry.second->username);
  }
  return out;
}

// ------------------------------------------------------------------------------ restrictions

std::string Service::UserAccess(const ApiUser& user, const Entity& e, std::string_view kind) const {
  std::string v = CatalogAccess(e, kind);
  if (const EntityAccess* a = FindAccess(user, e.name)) {
    const std::string* o = AccessOf(*a, kind);
    if (o && !o->empty() && AccessRank(*o) < AccessRank(v)) v = *o;
  }
  // Lines of business narrow what the user sees and changes (not what it creates).
  if (kind != "create" && v == "All" && LobRestricted(user, e)) v = "Restricted";
  return v;
}

bool Service::RestrictQuery(const ApiUser& user, const Entity& e, std::string* where,
                            std::vector<store::Value>* params) const {
  // The user's own "None" hides every row (A-USER-ENTITY-NONE); the catalog's values describe
  // the reference user and are reported, not enforced.
  if (const EntityAccess* a = FindAccess(user, e.name))
    if (a->query == "None") return false;
  if (!LobRestricted(user, e)) return true;
  std::string clause = LobClause(user, e, params);
  *where = "(" + *where + ") AND " + clause;
  return true;
}

bool Service::CheckWriteAccess(CallContext& ctx) {
  const ApiUser& user = *ctx.user;
  if (user.entity_access.empty() && user.lines_of_business.empty()) return true;
  const std::string kind = ctx.op->name;  // "create", "update", "delete"
  const char* verb = kind == "create" ? "creating" : kind == "update" ? "updating" : "deleting";
  store::TenantDb& db = *ctx.tenant->db;
  std::vector<std::string> errors;
  std::string first_lower;
  for (size_t i = 0; i < ctx.req.entities.size(); ++i) {
    const soap::EntityArg& ea = ctx.req.entities[i];
    const Entity* e = cat_.Find(ea.type);
    if (!e) continue;  // write_ops reports unknown entity types
    if (i == 0) first_lower = e->lower_name;
    if (const EntityAccess* a = FindAccess(user, e->name)) {
      const std::string* o = AccessOf(*a, kind);
      if (o && *o == "None") {
        errors.push_back(fmt::format(
            "Error {} entity for record number [{}]. The security level of {} does not allow "
            "you to {} {} entities.",
            verb, i, user.username, kind, e->name));
        continue;
      }
    }
    // Rows outside the user's lines of business are invisible: changing them is like changing
    // a row that does not exist (A-USER-LOB-WRITE).
    if (kind == "create" || !LobRestricted(user, *e)) continue;
    long long id = 0;
    for (const auto& fa : ea.fields)
      if (AsciiIEquals(fa.name, "id")) ParseInt64(Trim(fa.text), &id);
    if (id <= 0 || !db.RowExists(e->name, id)) continue;  // write_ops says it does not exist
    std::vector<store::Value> params;
    std::string where = "(id = ?)";
    params.push_back(store::Value::Int(id));
    where += " AND " + LobClause(user, *e, &params);
    auto st = db.Prepare("SELECT 1 FROM " + store::TenantDb::Quote(e->name) + " WHERE " + where);
    if (!st.ok()) continue;
    st->BindAll(params);
    bool visible = st->Next();
    if (!visible)
      errors.push_back(
          fmt::format("Error {} entity for record number [{}]. No {} with id {} exists.", verb, i,
                      e->name, id));
  }
  if (errors.empty()) return true;
  if (!ctx.req.entities.empty()) ctx.j.entity = ctx.req.entities[0].type;
  ctx.Error(errors, first_lower);
  return false;
}

bool Service::CheckImpersonation(CallContext& ctx) {
  if (!ctx.req.has_impersonate_as) return true;
  // Not part of the 1.5 contract: ignored there, as an unknown header element would be.
  if (ctx.ep.version == soap::ApiVersion::k15 || ctx.req.impersonate_as_text.empty()) {
    ctx.req.impersonate_as = 0;
    return true;
  }
  long long id = 0;
  if (!ParseInt64(ctx.req.impersonate_as_text, &id) || id < 0 || id > INT_MAX) {
    ctx.req.impersonate_as = 0;
    ctx.Error({fmt::format("ImpersonateAsResourceID '{}' is not a valid resource id.",
                           ctx.req.impersonate_as_text.substr(0, 100))});
    return false;
  }
  ctx.req.impersonate_as = id;
  if (id == 0) return true;  // 0: not impersonating
  // 0 none, 1 inactive, 2 active.
  int found = 0;
  if (auto st = ctx.tenant->db->Prepare("SELECT \"Active\" FROM \"Resource\" WHERE id = ?");
      st.ok()) {
    st->BindInt(1, id);
    if (st->Next()) found = st->IsNull(0) || st->Int(0) ? 2 : 1;
  }
  if (found == 2) return true;
  ctx.req.impersonate_as = 0;
  ctx.Error({found == 0 ? fmt::format("ImpersonateAsResourceID {}: no resource with this id "
                                      "exists.",
                                      id)
                        : fmt::format("ImpersonateAsResourceID {}: the resource is inactive "
                                      "and cannot be impersonated.",
                                      id)});
  return false;
}

// ------------------------------------------------------------------------------ admin API

namespace {

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

bool Service::HandleUserAdmin(const HttpRequest& req, const std::string& path, HttpResponse* out) {
  const std::string& m = req.method;
  auto segments = [&](std::string_view prefix) {
    std::vector<std::string> segs;
    std::string_view rest = std::string_view(path).substr(prefix.size());
    while (!rest.empty()) {
      size_t slash = rest.find('/');
      segs.push_back(PercentDecode(rest.substr(0, slash)));
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    return segs;
  };
  auto body = [&](json* j) {
    *j = json::parse(req.body, nullptr, false);
    return !j->is_discarded() && j->is_object();
  };
  const std::string now =
      StorageDateTime(ToLocal(clock_->Now(), opt_.time_zone));  // for password_expired
  auto zone_json = [&](const Zone& z) {
    json ts = json::array();
    for (const auto& t : tenants_)
      if (t->spec.zone == z.number) ts.push_back(t->spec.id);
    return json{{"zone", z.number},
                {"label", z.label},
                {"flavour", std::string(catalog::FlavourName(z.flavour))},
                {"tenants", ts}};
  };

  // ---- zones
  if (path == "/__admin/zones") {
    if (m != "GET") {
      *out = JsonError(405, "use GET");
      return true;
    }
    json arr = json::array();
    std::shared_lock<std::shared_mutex> l(directory_mu_);
    for (const Zone& z : zones_.zones()) arr.push_back(zone_json(z));
    *out = Json(200, arr);
    return true;
  }
  if (path.rfind("/__admin/zones/", 0) == 0) {
    auto segs = segments("/__admin/zones/");
    long long n = 0;
    if (segs.size() != 1 || !ParseInt64(segs[0], &n)) return false;
    std::unique_lock<std::shared_mutex> l(directory_mu_);
    const Zone* z = zones_.Find(static_cast<int>(n));
    if (!z) {
      *out = JsonError(404, fmt::format("no zone {}", n));
      return true;
    }
    if (m == "GET") {
      *out = Json(200, zone_json(*z));
      return true;
    }
    if (m != "PUT") {
      *out = JsonError(405, "use GET or PUT");
      return true;
    }
    json j;
    Flavour f;
    if (!body(&j) || !j.contains("flavour") || !j["flavour"].is_string()) {
      *out = JsonError(400, "send {\"flavour\": \"2018\" | \"current\" | \"localized\"}");
      return true;
    }
    if (!catalog::ParseFlavour(j["flavour"].get<std::string>(), &f) || f == Flavour::kV15) {
      *out = JsonError(400,
                       "flavour must be \"2018\", \"current\" or \"localized\" (API 1.5 is served "
                       "at /atservices/1.5/ in every zone)");
      return true;
    }
    zones_.SetFlavour(z->number, f);
    *out = Json(200, zone_json(*z));
    return true;
  }

  // ---- /__admin/tenants/{id}/zone and /__admin/tenants/{id}/users
  if (path.rfind("/__admin/tenants/", 0) == 0) {
    auto segs = segments("/__admin/tenants/");
    long long id = 0;
    if (segs.size() != 2 || !ParseInt64(segs[0], &id) || (segs[1] != "zone" && segs[1] != "users"))
      return false;
    Tenant* t = FindTenant(id);
    if (!t) {
      *out = JsonError(404, fmt::format("no tenant {}", id));
      return true;
    }
    if (segs[1] == "zone") {
      if (m == "GET") {
        std::shared_lock<std::shared_mutex> l(directory_mu_);
        *out = Json(200, {{"id", id}, {"zone", t->spec.zone}});
        return true;
      }
      if (m != "PUT") {
        *out = JsonError(405, "use GET or PUT");
        return true;
      }
      json j;
      if (!body(&j) || !j.contains("zone") || !j["zone"].is_number_integer()) {
        *out = JsonError(400, "send {\"zone\": N}");
        return true;
      }
      long long n = j["zone"].get<long long>();
      std::unique_lock<std::shared_mutex> l(directory_mu_);
      const Zone* z = n > 0 && n < 1000 ? zones_.Find(static_cast<int>(n)) : nullptr;
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
      std::shared_lock<std::shared_mutex> l(directory_mu_);
      for (const auto& [key, entry] : users_)
        if (entry.first == t) arr.push_back(UserJson(*entry.second, id, now));
      *out = Json(200, arr);
      return true;
    }
    if (m != "POST") {
      *out = JsonError(405, "use GET or POST");
      return true;
    }
    json j;
    if (!body(&j)) {
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
      std::shared_lock<std::shared_mutex> l(directory_mu_);
      if (!t->spec.users.empty()) u.resource_id = t->spec.users.front().resource_id;
    }
    std::string err;
    if (!ApplyUserJson(cat_, j, *t, true, &u, &err)) {
      *out = JsonError(400, err);
      return true;
    }
    std::unique_lock<std::shared_mutex> l(directory_mu_);
    std::string key = AsciiLower(username);
    if (users_.count(key)) {
      *out = JsonError(409, fmt::format("the user {} exists already", username));
      return true;
    }
    // Only the directory: t->spec.users stays the default set that a reset repopulates.
    users_[key] = {t, std::make_shared<const ApiUser>(u)};
    *out = Json(201, UserJson(u, id, now));
    return true;
  }

  // ---- /__admin/users/{username}
  if (path.rfind("/__admin/users/", 0) == 0) {
    auto segs = segments("/__admin/users/");
    if (segs.size() != 1) return false;
    UserRef ref;
    if (!FindUser(segs[0], &ref)) {
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
    if (!body(&j)) {
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
    if (!ApplyUserJson(cat_, j, *ref.tenant, false, &u, &err)) {
      *out = JsonError(400, err);
      return true;
    }
    std::unique_lock<std::shared_mutex> l(directory_mu_);
    auto it = users_.find(AsciiLower(u.username));
    if (it == users_.end() || it->second.second != ref.user) {
      *out = JsonError(409, "the user changed meanwhile; read it again and retry");
      return true;
    }
    it->second.second = std::make_shared<const ApiUser>(u);
    *out = Json(200, UserJson(u, ref.tenant->spec.id, now));
    return true;
  }
  return false;
}

}  // namespace atws::service
