// What an API user may see and do (docs/zones-and-users.md; A-USER-*): per-entity access
// ("All", "Restricted", "None") and lines of business, applied to queries and writes. Pure
// functions of the user, the catalog entity and (for writes) the tenant's rows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "fixtures/fixtures.h"
#include "store/store.h"

namespace atws::service {

// The field that carries a row's line of business.
constexpr std::string_view kLobField = "BusinessDivisionSubdivisionID";

// What GetEntityInfo reports as the user's access for `kind` ("create", "query", "update",
// "delete"): the catalog's value, narrowed by the user's own and by lines of business.
std::string UserAccess(const fixtures::ApiUser& user, const catalog::Entity& e,
                       std::string_view kind);
// Narrows a query's WHERE clause (and its bound parameters) to the rows the user may see;
// false when the user may see none of the entity's rows.
bool RestrictQuery(const fixtures::ApiUser& user, const catalog::Entity& e, std::string* where,
                   std::vector<store::Value>* params);

// "All" > "Restricted" > "None"; -1 for anything else.
int AccessRank(std::string_view a);
// Canonical spelling of an access value sent in any case; false when it is none of the three.
bool CanonicalAccess(std::string_view in, std::string* out);
// The user's own access settings for an entity; nullptr when it has none.
const fixtures::EntityAccess* FindAccess(const fixtures::ApiUser& u, std::string_view entity);
// One kind ("create" …) of an access entry; nullptr for an unknown kind.
const std::string* AccessOf(const fixtures::EntityAccess& a, std::string_view kind);
// The catalog's access of the reference user.
const std::string& CatalogAccess(const catalog::Entity& e, std::string_view kind);
// Rows of `e` carry a line of business: directly, or for Invoice through its billing items.
bool CarriesLob(const catalog::Entity& e);
// The user has lines of business and `e`'s rows carry one.
bool LobRestricted(const fixtures::ApiUser& u, const catalog::Entity& e);
// SQL over `e`'s table: the row is in one of the user's lines of business or in none
// (A-USER-LOB, A-USER-LOB-INVOICE). Values are bound parameters appended to *params.
std::string LobClause(const fixtures::ApiUser& u, const catalog::Entity& e,
                      std::vector<store::Value>* params);
// Security levels by their admin-API names ("api-only", "api-only-restricted", "full-access").
std::string_view LevelName(fixtures::SecurityLevel l);
bool ParseLevel(std::string_view s, fixtures::SecurityLevel* out);

}  // namespace atws::service
