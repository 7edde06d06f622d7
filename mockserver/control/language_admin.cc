// A tenant's language at run time: GET|PUT /__admin/tenants/{id}/language (docs/admin-api.md).
// It decides the labels of picklists and fields (GetFieldInfo, getUDFInfo), TicketHistory texts
// and ExecuteCommand pages from the next call on; the rows already stored stay as they are.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "control/admin.h"
#include "control/handlers.h"
#include "control/json.h"

namespace atws::control {

bool HandleLanguage(Admin& admin, const HttpRequest& req, const std::string& path,
                    HttpResponse* out) {
  service::Service& svc = admin.service();
  static const std::string kPrefix = "/__admin/tenants/";
  if (path.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  size_t slash = path.find('/', kPrefix.size());
  if (slash == std::string::npos || path.substr(slash) != "/language") return false;
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
  auto answer = [&](catalog::Language l) {
    return Json(200, {{"id", id}, {"language", std::string(catalog::LanguageCode(l))}});
  };
  if (req.method == "GET") {
    *out = answer(svc.TenantLanguage(*t));
    return true;
  }
  if (req.method != "PUT") {
    *out = JsonError(405, "use GET or PUT");
    return true;
  }
  nlohmann::json j = nlohmann::json::parse(req.body, nullptr, false);
  catalog::Language lang;
  if (j.is_discarded() || !j.is_object() || j.size() != 1 || !j.contains("language") ||
      !j["language"].is_string() ||
      !catalog::ParseLanguage(j["language"].get<std::string>(), &lang)) {
    *out = JsonError(400, "send {\"language\": \"en\" | \"de\" | \"es\" | \"fr\"}");
    return true;
  }
  svc.SetTenantLanguage(t, lang);
  *out = answer(lang);
  return true;
}

}  // namespace atws::control
