// The access checks of a call: a restricted user's writes (per-entity access, lines of
// business) and impersonation (ImpersonateAsResourceID). Behaviour and assumptions:
// docs/zones-and-users.md, docs/assumptions.md (A-USER-*, A-IMPERSONATE).
#include "auth/access.h"

#include <fmt/format.h>

#include <climits>

#include "common/text.h"
#include "ops/call.h"

namespace atws::service {

using catalog::Entity;
using fixtures::ApiUser;
using fixtures::EntityAccess;

bool CheckWriteAccess(CallContext& ctx) {
  const ApiUser& user = *ctx.user;
  if (user.entity_access.empty() && user.lines_of_business.empty()) return true;
  const std::string kind = ctx.op->name;  // "create", "update", "delete"
  const char* verb = kind == "create" ? "creating" : kind == "update" ? "updating" : "deleting";
  store::TenantDb& db = *ctx.tenant->db;
  std::vector<std::string> errors;
  std::string first_lower;
  for (size_t i = 0; i < ctx.req.entities.size(); ++i) {
    const soap::EntityArg& ea = ctx.req.entities[i];
    const Entity* e = ctx.env.cat.Find(ea.type);
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

bool CheckImpersonation(CallContext& ctx) {
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
