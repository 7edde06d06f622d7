// API users at run time: lookups under the directory lock, restricted users (lines of business,
// per-entity access), impersonation. The admin endpoints for users, zones and zone moves are
// control/users_admin.cc.
// Behaviour and assumptions: docs/zones-and-users.md, docs/assumptions.md (A-USER-*,
// A-IMPERSONATE, A-ZONE-FLAVOUR).
#include <fmt/format.h>

#include <climits>
#include <nlohmann/json.hpp>

#include "common/text.h"
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

}  // namespace atws::service
