// The entity writer: rows of a tenant's table as the <Entity> elements of a query answer
// (also GetAttachment's Info and the entities create/update answer with). The hot path of the
// sandbox: a 500-row page of tickets is 38,000 values.
//
// Ownership: writes into the caller's string; keeps nothing.
// Thread safety: the caller holds the TenantDb's mutex.
// Errors: SQLite's message as a Status (callers word the answer: "The query could not be run: "
// + message); the rows written before a failure stay in *out.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "store/store.h"

namespace atws::soap {

struct EntityPage {
  long long rows = 0;     // <Entity> elements written
  long long last_id = 0;  // id of the last one (0 when none)
};

// Appends to *out the <Entity xsi:type="…"> elements of the rows of `e` matching `where` (SQL
// with `params` bound in order), at most 500, by id: id, the UserDefinedFields, then the fields
// of `flavour`'s order that are not NULL and whose index is not in `hidden` (fields not yet
// settled).
Result<EntityPage> AppendEntities(std::string* out, store::TenantDb& db, const catalog::Entity& e,
                                  catalog::Flavour flavour, const std::string& where,
                                  const std::vector<store::Value>& params,
                                  const std::vector<int>* hidden = nullptr);

}  // namespace atws::soap
