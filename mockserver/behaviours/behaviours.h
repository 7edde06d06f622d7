// What makes a write Autotask-like beyond validation (docs/writes.md, docs/change-tracking.md):
//   - fields that settle after a write (catalog Entity::settle_fields): computed at write time,
//     held in the tenant's settle queue (table atws_settle) and copied into the row once the
//     tenant's settle delay has passed;
//   - change-tracking stamps (LastModified / LastActivity / StatusLastModified …) from one
//     monotone per-tenant stamp clock, activity caused by child rows, TicketHistory rows, and
//     the Deleted*Log rows that let a sync see deletions.
// Rows are read with store::ReadRow (store/store.h); the picklists as the tenant sees them are
// in metadata/picklists.h (included here), the tenant's write state in tenant/tenant.h.
// Thread safety: every function expects the caller to hold the tenant's TenantDb::mutex().
// Errors: functions that write return false + *error (SQLite's message); nothing is thrown.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "common/timeutil.h"
#include "metadata/picklists.h"
#include "store/store.h"
#include "tenant/tenant.h"

namespace atws::service {

// ---- values ----------------------------------------------------------------------------------

// Same value (type-aware: 1 equals 1.0; text compared exactly).
bool SameValue(const store::Value& a, const store::Value& b);
// A value as text for messages and history ("" for null).
std::string ValueText(const store::Value& v);

// ---- change-tracking stamps ------------------------------------------------------------------

// The stamp for a write at `now` (storage form, API time zone). Stamps of one tenant never go
// backwards and are strictly increasing from call to call (+1 ms when the clock has not moved),
// and in the second pass of the autumn hour (US Eastern 01:00–01:59 after falling back) they
// stay above the 01:59:59.999 the naive clock already showed, so that `LastActivityDate > T`
// misses nothing. A jump of the clock backwards by more than two hours (the admin API setting
// it) is followed instead.
std::string NextStamp(WriteState& s, Micros now, ApiTimeZone tz);
// Storage date-time ± milliseconds (naive arithmetic).
std::string AddMillis(const std::string& storage, long long ms);

// Who does a write: the API user's resource and, when the call impersonates
// (ImpersonateAsResourceID), that resource. An impersonated write is done by the impersonated
// resource (CreatorResourceID, LastActivityResourceID …); the API user's resource is recorded
// in ImpersonatorCreatorResourceID / ImpersonatorUpdaterResourceID (A-IMPERSONATE).
struct Actor {
  long long user_resource = 0;
  long long impersonated = 0;  // 0 = none
  long long acting() const { return impersonated > 0 ? impersonated : user_resource; }
};

// Adds the change-tracking values of a create (old_row == nullptr) or update of `e` to `values`
// (field index → value; replaces values sent for these fields): LastModified*/LastActivity*
// stamps, creation stamps and creators, StatusLastModifiedDate/By when Status changes, the
// *By / LastActivityResourceID / PersonType fields.
void ApplyTracking(const catalog::Entity& e, const std::vector<store::Value>* old_row,
                   const std::string& stamp, const Actor& actor,
                   std::vector<std::pair<int, store::Value>>* values);

// Activity on parent rows caused by writing (or deleting) a child row of `child`: a ticket note
// or time entry moves its ticket's LastActivityDate … (docs/change-tracking.md). Parents named
// by the old and the new row both get the stamp.
bool TouchParents(store::TenantDb& db, const catalog::Entity& child,
                  const std::vector<store::Value>* old_row,
                  const std::vector<store::Value>* new_row, const std::string& stamp,
                  const Actor& actor, std::string* error);

// TicketHistory rows for a ticket create (old_row == nullptr) or update: one "Edited" row per
// changed field (labels and picklist labels in `lang`).
bool RecordTicketHistory(Tenant& t, long long ticket_id, const std::vector<store::Value>* old_row,
                         const std::vector<store::Value>& new_row, const std::string& stamp,
                         const Actor& actor, catalog::Language lang, std::string* error);

// Deletion logs. DeletedTicketActivityLog / DeletedTaskActivityLog for a deleted row of `e`
// that is ticket or task activity (TimeEntry, TicketNote, TaskNote); no-op for other entities.
bool RecordDeletedActivity(store::TenantDb& db, const catalog::Entity& e,
                           const std::vector<store::Value>& row, const std::string& stamp,
                           const Actor& actor, std::string* error);
// One DeletedTicketActivityLog row (type 1 note, 2 time entry, 3 attachment:
// A-DELETED-ACTIVITY-TYPE), for callers that delete other ticket activity (attachments).
struct DeletedActivity {
  int type_id = 1;
  long long parent_id = 0;  // ticket (or task) id
  std::string title;
  long long created_by = 0;
  std::string activity_time, start_time, end_time;  // storage form or empty
  double hours_worked = 0;
  bool has_hours = false;
};
bool RecordDeletedTicketActivity(store::TenantDb& db, const DeletedActivity& a, bool task,
                                 const std::string& stamp, const Actor& actor, std::string* error);
// A DeletedTicketLog row for ticket `row` (the API cannot delete tickets; the admin API can).
bool RecordDeletedTicket(store::TenantDb& db, const std::vector<store::Value>& ticket_row,
                         const std::string& stamp, const Actor& actor, std::string* error);

// ---- fields that settle ----------------------------------------------------------------------

// The computed values of e's settle fields for the row as it stands after the write (`row`,
// by field index). `is_create` selects numbers that are assigned once (ticket numbers …).
// Fields the sandbox does not compute are left out; so are values that equal the stored ones.
std::vector<std::pair<int, store::Value>> ComputeSettled(Tenant& t, const catalog::Entity& e,
                                                         long long id, bool is_create,
                                                         const std::vector<store::Value>& row,
                                                         const std::string& stamp, ApiTimeZone tz);
// Queues values to be copied into row `id` at `due` (replacing queued values of those fields).
bool QueueSettle(Tenant& t, const catalog::Entity& e, long long id,
                 const std::vector<std::pair<int, store::Value>>& values, Micros due,
                 std::string* error);
// Forgets queued values of a row (all fields when field_index < 0).
bool DropSettle(Tenant& t, const catalog::Entity& e, long long id, int field_index,
                std::string* error);
// Copies every queued value whose time has come into its row. Cheap when nothing is due.
void SettleDue(Tenant& t, Micros now);

}  // namespace atws::service
