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
  long long id = 0;
  Tenant* t = nullptr;
  if (!TenantResource(svc, path, "language", &id, &t, out)) return false;
  if (!t) return true;  // *out holds the 400 or 404
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
