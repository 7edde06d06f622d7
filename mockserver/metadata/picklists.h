// Picklists as the tenant sees them (module metadata: the tenant's view of the catalog): the
// catalog's values plus the values the tenant added through the admin API (table atws_picklist,
// cached in Tenant::writes), and the tenant's default Ticket Source.
//
// Ownership: the values returned point into the catalog or into the tenant's write state.
// Thread safety: every function expects the caller to hold the tenant's TenantDb::mutex().
// Errors: AddTenantPicklistValue returns false + *error (the admin API's message); lookups
// return nullptr / false when there is no such value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "tenant/tenant.h"

namespace atws::service {

// The tenant's default Ticket Source: settings.default_ticket_source when it names an active
// Source value, else TenantSpec.default_ticket_source, else 4 (Client Portal).
long long DefaultTicketSource(Tenant& t);
// True when `value` is an active Ticket.Source value of the tenant (for the settings endpoint).
bool IsTicketSource(Tenant& t, long long value);
// Catalog values plus the values the tenant added; for Ticket.Source the tenant's default is
// the one marked IsDefaultValue. The reference stays valid until the next call that adds a
// value or changes the default.
const std::vector<catalog::PicklistValue>& TenantPicklist(Tenant& t, const catalog::Entity& e,
                                                          const catalog::Field& f);
const catalog::PicklistValue* FindTenantPicklistValue(Tenant& t, const catalog::Entity& e,
                                                      const catalog::Field& f,
                                                      std::string_view value);
// Adds a value labelled `label` (same text in every language) to picklist e.f of the tenant:
// the next free number above every existing value. Refuses empty or over-long labels and
// labels already in use (ignoring case). Writes atws_picklist.
bool AddTenantPicklistValue(Tenant& t, const catalog::Entity& e, const catalog::Field& f,
                            const std::string& label, catalog::PicklistValue* added,
                            std::string* error);

}  // namespace atws::service
