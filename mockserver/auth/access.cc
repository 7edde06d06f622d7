#include "auth/access.h"

#include "common/text.h"

namespace atws::service {

using catalog::Entity;
using fixtures::ApiUser;
using fixtures::EntityAccess;
using fixtures::SecurityLevel;

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

std::string UserAccess(const ApiUser& user, const Entity& e, std::string_view kind) {
  std::string v = CatalogAccess(e, kind);
  if (const EntityAccess* a = FindAccess(user, e.name)) {
    const std::string* o = AccessOf(*a, kind);
    if (o && !o->empty() && AccessRank(*o) < AccessRank(v)) v = *o;
  }
  // Lines of business narrow what the user sees and changes (not what it creates).
  if (kind != "create" && v == "All" && LobRestricted(user, e)) v = "Restricted";
  return v;
}

bool RestrictQuery(const ApiUser& user, const Entity& e, std::string* where,
                   std::vector<store::Value>* params) {
  // The user's own "None" hides every row (A-USER-ENTITY-NONE); the catalog's values describe
  // the reference user and are reported, not enforced.
  if (const EntityAccess* a = FindAccess(user, e.name))
    if (a->query == "None") return false;
  if (!LobRestricted(user, e)) return true;
  std::string clause = LobClause(user, e, params);
  *where = "(" + *where + ") AND " + clause;
  return true;
}

}  // namespace atws::service
