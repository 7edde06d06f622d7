// /__admin/faults[/{id}]: the fault-injection rules (faults/faults.h; docs/admin-api.md).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <shared_mutex>

#include "control/admin.h"
#include "control/handlers.h"
#include "control/json.h"
#include "ops/call.h"

namespace atws::control {

using json = nlohmann::json;

namespace {

constexpr std::string_view kFaults = "/__admin/faults";

// Adds a rule (FaultRules::Add), checking the names it gives against the service.
bool AddFaultRule(service::Service& svc, const json& j, json* added, int* status,
                  std::string* error) {
  auto check = [&svc](const std::string& key, const json& v, std::string* canonical) {
    if (key == "operation") {
      const std::string op = v.get<std::string>();
      if (const service::OpInfo* info = service::FindOperation(op, /*any_case=*/true)) {
        *canonical = info->name;
        return std::string();
      }
      return fmt::format("operation '{}' is not an operation of the API", op.substr(0, 100));
    }
    if (key == "entity") {
      const catalog::Entity* e = svc.catalog().Find(v.get<std::string>());
      if (!e) return fmt::format("no entity '{}'", v.get<std::string>().substr(0, 100));
      *canonical = e->name;
      return std::string();
    }
    if (key == "tenant") {
      if (!svc.FindTenant(v.get<long long>()))
        return fmt::format("no tenant {} (GET /__admin/tenants)", v.get<long long>());
      return std::string();
    }
    if (key == "zone") {
      std::shared_lock<std::shared_mutex> l(svc.directory_mutex());
      if (!svc.zones().Find(static_cast<int>(v.get<long long>())))
        return fmt::format("zone {} is not in the zone table (GET /__admin/zones)",
                           v.get<long long>());
      return std::string();
    }
    return std::string();
  };
  return svc.faults().Add(j, check, added, status, error);
}

}  // namespace

// ---- GET|POST|DELETE /__admin/faults
bool HandleFaults(Admin& admin, const HttpRequest& req, const std::string&, HttpResponse* out) {
  service::Service& svc = admin.service();
  FaultRules& faults = svc.faults();
  const std::string& m = req.method;
  {
    if (m == "GET") {
      *out = Json(200, faults.List());
    } else if (m == "DELETE") {
      *out = Json(200, {{"deleted", faults.Clear()}});
    } else if (m == "POST") {
      json j = json::parse(req.body, nullptr, false);
      json added;
      int status = 400;
      std::string err;
      if (j.is_discarded()) {
        *out = JsonError(400, "the body is not valid JSON");
      } else if (!AddFaultRule(svc, j, &added, &status, &err)) {
        *out = JsonError(status, err);
      } else {
        *out = Json(201, added);
      }
    } else {
      *out = JsonError(405, "use GET, POST or DELETE");
    }
    return true;
  }
}

// ---- GET|DELETE /__admin/faults/{id}
bool HandleFault(Admin& admin, const HttpRequest& req, const std::string& path, HttpResponse* out) {
  FaultRules& faults = admin.service().faults();
  const std::string& m = req.method;
  std::string id = path.substr(kFaults.size() + 1);
  if (m == "GET") {
    json j;
    *out = faults.Get(id, &j)
               ? Json(200, j)
               : JsonError(404, fmt::format("no fault rule '{}'", id.substr(0, 100)));
  } else if (m == "DELETE") {
    *out = faults.Remove(id) ? Json(200, {{"deleted", id}})
                             : JsonError(404, fmt::format("no fault rule '{}'", id.substr(0, 100)));
  } else {
    *out = JsonError(405, "use GET or DELETE");
  }
  return true;
}

}  // namespace atws::control
