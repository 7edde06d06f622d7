// Per-tenant state of the write path (docs/writes.md, docs/change-tracking.md): the settle
// queue's next deadline, the change-tracking stamp high-water mark and the picklist values the
// tenant added. Data only; the behaviours that use it are in behaviours/behaviours.h and
// metadata/picklists.h (EnsureWriteState in tenant/tenant.h). Guarded by
// the tenant's TenantDb::mutex().
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/clock.h"

namespace atws::service {

struct WriteState {
  // The SQLite connection this state was built for; a different one (the admin API replaced
  // the tenant's data) discards the state.
  const void* db_handle = nullptr;
  bool tables_ready = false;  // atws_settle / atws_picklist exist in the tenant database
  // Earliest deadline in atws_settle (UTC micros); meaningful when next_due_known.
  bool next_due_known = false;
  Micros next_due = 0;
  // The latest change-tracking stamp handed out (storage form); stamps never go below it.
  std::string last_stamp;
  // Picklist values the tenant added (admin API), by (entity index, field index).
  bool picklists_loaded = false;
  std::map<std::pair<int, int>, std::vector<catalog::PicklistValue>> added_values;
  // Catalog values + added ones (+ the tenant's default Source marked), rebuilt when the default
  // Source setting or the added values change.
  std::map<std::pair<int, int>, std::vector<catalog::PicklistValue>> merged;
  long long merged_default_source = -1;
};

}  // namespace atws::service
