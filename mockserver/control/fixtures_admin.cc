// POST /__admin/tenants/{id}/fixtures: a fixture set in the API's own entity XML, loaded into
// the tenant (ops/fixture_sets.h; docs/admin-api.md).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "behaviours/behaviours.h"
#include "common/text.h"
#include "control/admin.h"
#include "control/handlers.h"
#include "control/json.h"
#include "ops/fixture_sets.h"

namespace atws::control {

bool HandleFixtures(Admin& admin, const HttpRequest& req, const std::string& path,
                    HttpResponse* out) {
  service::Service& svc = admin.service();
  long long id = 0;
  Tenant* t = nullptr;
  if (!TenantResource(svc, path, "fixtures", &id, &t, out)) return false;
  if (!t) return true;  // *out holds the 400 or 404
  if (req.method != "POST") {
    *out = JsonError(405, "use POST with the fixture set (entity XML) as the body");
    return true;
  }
  nlohmann::json summary;
  std::string err;
  {
    std::lock_guard<std::mutex> lock(t->db->mutex());
    service::SettleDue(*t, svc.clock().Now());
    if (!service::LoadFixtureSet(svc.catalog(), *t, req.body, svc.options().time_zone, &summary,
                                 &err)) {
      *out = JsonError(400, err);
      return true;
    }
  }
  summary["tenant"] = id;
  *out = Json(200, summary);
  return true;
}

}  // namespace atws::control
