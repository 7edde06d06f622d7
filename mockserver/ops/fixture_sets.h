// Fixture sets: rows in the API's own entity XML (<Entity xsi:type="Account"><id>…</id>…</Entity>,
// e.g. a saved query response) loaded into a tenant as they are (the admin endpoint POST
// /__admin/tenants/{id}/fixtures, control/fixtures_admin.cc; docs/admin-api.md, "Fixture sets").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "common/timeutil.h"
#include "tenant/tenant.h"

namespace atws::service {

// Loads every <Entity> of `xml` into tenant `t` in one transaction: a row with the entity's
// <id> is replaced, an entity without <id> gets the next id. Field values are converted as the
// API reads them (types, lengths, date-times in `tz`) but taken as they are otherwise: read-only
// fields, picklist values and references are not checked, and no change-tracking stamp or
// settle delay applies. UDFs go by name (the tenant's definitions, including those the set
// defines with UserDefinedFieldDefinition rows before their use). The caller holds the tenant's
// db mutex. False + *error (naming the entity's position, type and field) and nothing written
// when any entity cannot be loaded; *summary gets {"loaded": {"Account": 2, …}, "rows": N,
// "replaced": M}.
bool LoadFixtureSet(const catalog::Catalog& cat, Tenant& t, std::string_view xml, ApiTimeZone tz,
                    nlohmann::json* summary, std::string* error);

}  // namespace atws::service
