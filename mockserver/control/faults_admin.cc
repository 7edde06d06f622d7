// /__admin/faults[/{id}]: the fault-injection rules (faults/faults.h; docs/admin-api.md).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <shared_mutex>

#include "control/json.h"
#include "ops/call.h"
#include "service/service.h"

namespace atws::service {

using json = nlohmann::json;

bool Service::HandleFaultAdmin(const HttpRequest& req, const std::string& path, HttpResponse* out) {
  constexpr std::string_view kFaults = "/__admin/faults";
  if (path.compare(0, kFaults.size(), kFaults) != 0) return false;
  const std::string& m = req.method;
  if (path == kFaults) {
    if (m == "GET") {
      *out = Json(200, faults_.List());
    } else if (m == "DELETE") {
      *out = Json(200, {{"deleted", faults_.Clear()}});
    } else if (m == "POST") {
      json j = json::parse(req.body, nullptr, false);
      json added;
      int status = 400;
      std::string err;
      if (j.is_discarded()) {
        *out = JsonError(400, "the body is not valid JSON");
      } else if (!AddFaultRule(j, &added, &status, &err)) {
        *out = JsonError(status, err);
      } else {
        *out = Json(201, added);
      }
    } else {
      *out = JsonError(405, "use GET, POST or DELETE");
    }
    return true;
  }
  if (path.size() <= kFaults.size() || path[kFaults.size()] != '/') return false;
  std::string id = path.substr(kFaults.size() + 1);
  if (m == "GET") {
    json j;
    *out = faults_.Get(id, &j)
               ? Json(200, j)
               : JsonError(404, fmt::format("no fault rule '{}'", id.substr(0, 100)));
  } else if (m == "DELETE") {
    *out = faults_.Remove(id)
               ? Json(200, {{"deleted", id}})
               : JsonError(404, fmt::format("no fault rule '{}'", id.substr(0, 100)));
  } else {
    *out = JsonError(405, "use GET or DELETE");
  }
  return true;
}

bool Service::AddFaultRule(const json& j, json* added, int* status, std::string* error) {
  auto check = [this](const std::string& key, const json& v, std::string* canonical) {
    if (key == "operation") {
      const std::string op = v.get<std::string>();
      if (const OpInfo* info = FindOperation(op, /*any_case=*/true)) {
        *canonical = info->name;
        return std::string();
      }
      return fmt::format("operation '{}' is not an operation of the API", op.substr(0, 100));
    }
    if (key == "entity") {
      const catalog::Entity* e = cat_.Find(v.get<std::string>());
      if (!e) return fmt::format("no entity '{}'", v.get<std::string>().substr(0, 100));
      *canonical = e->name;
      return std::string();
    }
    if (key == "tenant") {
      if (!FindTenant(v.get<long long>()))
        return fmt::format("no tenant {} (GET /__admin/tenants)", v.get<long long>());
      return std::string();
    }
    if (key == "zone") {
      std::shared_lock<std::shared_mutex> l(directory_mu_);
      if (!zones_.Find(static_cast<int>(v.get<long long>())))
        return fmt::format("zone {} is not in the zone table (GET /__admin/zones)",
                           v.get<long long>());
      return std::string();
    }
    return std::string();
  };
  return faults_.Add(j, check, added, status, error);
}

}  // namespace atws::service
