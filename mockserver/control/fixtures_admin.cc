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
  static const std::string kPrefix = "/__admin/tenants/";
  if (path.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  size_t slash = path.find('/', kPrefix.size());
  if (slash == std::string::npos || path.substr(slash) != "/fixtures") return false;
  long long id;
  if (!ParseInt64(std::string_view(path).substr(kPrefix.size(), slash - kPrefix.size()), &id)) {
    *out = JsonError(400, "the tenant id must be a number");
    return true;
  }
  Tenant* t = svc.FindTenant(id);
  if (!t) {
    *out = JsonError(404, fmt::format("no tenant {}", id));
    return true;
  }
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
