// A tenant's language at run time (the admin API sets it: control/language_admin.cc). It decides
// the labels of picklists and fields (GetFieldInfo, getUDFInfo), TicketHistory texts and
// ExecuteCommand pages from the next call on; the rows already stored stay as they are.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "service/service.h"

namespace atws::service {

catalog::Language Service::TenantLanguage(const Tenant& t) const {
  std::shared_lock<std::shared_mutex> l(directory_mu_);
  return t.spec.language;
}

void Service::ResetLanguage(Tenant* t) {
  for (const auto& spec : fixtures::DefaultTenants()) {
    if (spec.id != t->spec.id) continue;
    std::lock_guard<std::mutex> db(t->db->mutex());
    std::unique_lock<std::shared_mutex> l(directory_mu_);
    t->spec.language = spec.language;
  }
}

}  // namespace atws::service
