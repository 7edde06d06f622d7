// Admin endpoints of the write path (docs/writes.md, docs/admin-api.md):
//   GET  /__admin/tenants/{id}/sources               Ticket sources as the tenant sees them
//   POST /__admin/tenants/{id}/sources  {"label": …} adds a source; 201 with its value
//   DELETE /__admin/tenants/{id}/tickets/{ticketId}  deletes a ticket as a UI user would (the
//        API cannot): its notes, time entries and other owned rows go too, DeletedTicketLog
//        records it.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "behaviours/behaviours.h"
#include "common/text.h"
#include "control/admin.h"
#include "control/handlers.h"
#include "control/json.h"
#include "store/savepoint.h"

namespace atws::control {

namespace {

// "/__admin/tenants/{id}/{rest}" → id and rest; false for other paths.
bool TenantPath(const std::string& path, long long* id, std::string* rest) {
  static const std::string kPrefix = "/__admin/tenants/";
  if (path.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  size_t slash = path.find('/', kPrefix.size());
  if (slash == std::string::npos) return false;
  if (!ParseInt64(std::string_view(path).substr(kPrefix.size(), slash - kPrefix.size()), id))
    return false;
  *rest = path.substr(slash + 1);
  return true;
}

// Rows that belong to a ticket and go with it when the ticket is deleted.
const char* const kTicketChildren[] = {"TicketNote",
                                       "TimeEntry",
                                       "TicketCost",
                                       "TicketChecklistItem",
                                       "TicketSecondaryResource",
                                       "TicketAdditionalContact",
                                       "TicketAdditionalInstalledProduct",
                                       "TicketChangeRequestApproval",
                                       "TicketTagAssociation",
                                       "TicketRmaCredit",
                                       "ServiceCallTicket",
                                       "TicketHistory"};

}  // namespace

bool HandleSourcesOrTicket(Admin& admin, const HttpRequest& req, const std::string& path,
                           HttpResponse* out) {
  service::Service& svc = admin.service();
  long long tid;
  std::string rest;
  if (!TenantPath(path, &tid, &rest)) return false;
  const bool sources = rest == "sources";
  const bool ticket = rest.compare(0, 8, "tickets/") == 0;
  if (!sources && !ticket) return false;
  Tenant* t = svc.FindTenant(tid);
  if (!t) {
    *out = JsonError(404, fmt::format("no tenant {}", tid));
    return true;
  }
  const catalog::Catalog& cat = svc.catalog();
  std::lock_guard<std::mutex> lock(t->db->mutex());
  SettleDue(*t, svc.clock().Now());

  if (sources) {
    const catalog::Entity* e = cat.Find("Ticket");
    const catalog::Field* f = e ? e->FindField("Source") : nullptr;
    if (!f) {
      *out = JsonError(500, "the catalog has no Ticket.Source");
      return true;
    }
    auto describe = [&](const catalog::PicklistValue& v) {
      nlohmann::json labels = nlohmann::json::object();
      for (int l = 0; l < catalog::kLanguageCount; ++l)
        labels[std::string(catalog::LanguageCode(static_cast<catalog::Language>(l)))] =
            v.Label(static_cast<catalog::Language>(l));
      return nlohmann::json{{"value", std::stoll(v.value)},
                            {"label", v.Label(t->spec.language)},
                            {"labels", labels},
                            {"default", v.is_default},
                            {"system", v.is_system},
                            {"active", v.is_active},
                            {"added", f->FindPicklistValue(v.value) == nullptr}};
    };
    if (req.method == "GET") {
      nlohmann::json values = nlohmann::json::array();
      for (const auto& v : TenantPicklist(*t, *e, *f)) values.push_back(describe(v));
      *out = Json(200, {{"tenant", tid},
                        {"field", "Ticket.Source"},
                        {"default", DefaultTicketSource(*t)},
                        {"values", values}});
      return true;
    }
    if (req.method != "POST") {
      *out = JsonError(405, "use GET or POST");
      return true;
    }
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("label") ||
        !body["label"].is_string()) {
      *out = JsonError(400, "send {\"label\": \"Source name\"}");
      return true;
    }
    catalog::PicklistValue added;
    std::string err;
    if (!AddTenantPicklistValue(*t, *e, *f, body["label"].get<std::string>(), &added, &err)) {
      *out = JsonError(err.find("already has") != std::string::npos ? 409 : 400, err);
      return true;
    }
    nlohmann::json j = describe(added);
    j["tenant"] = tid;
    j["field"] = "Ticket.Source";
    *out = Json(201, j);
    return true;
  }

  // DELETE /__admin/tenants/{id}/tickets/{ticketId}
  if (req.method != "DELETE") {
    *out = JsonError(405, "use DELETE");
    return true;
  }
  long long ticket_id;
  if (!ParseInt64(std::string_view(rest).substr(8), &ticket_id)) {
    *out = JsonError(400, "the ticket id must be a number");
    return true;
  }
  const catalog::Entity* te = cat.Find("Ticket");
  store::TenantDb& db = *t->db;
  std::vector<store::Value> row;
  if (!te || !ReadRow(db, *te, ticket_id, &row)) {
    *out = JsonError(404, fmt::format("tenant {} has no ticket {}", tid, ticket_id));
    return true;
  }
  std::string err;
  if (!EnsureWriteState(*t, &err)) {
    *out = JsonError(500, err);
    return true;
  }
  auto savepoint = store::Savepoint::Begin(db, "atws_admin_delete");
  if (!savepoint.ok()) {
    *out = JsonError(500, savepoint.status().message());
    return true;
  }
  // Deleted by the tenant's first API user's resource unless the body names one.
  Actor actor;
  if (!t->spec.users.empty()) actor.user_resource = t->spec.users.front().resource_id;
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (!body.is_discarded() && body.is_object() && body.contains("resource_id") &&
      body["resource_id"].is_number_integer())
    actor.user_resource = body["resource_id"].get<long long>();
  const std::string stamp = NextStamp(t->writes, svc.clock().Now(), svc.options().time_zone);
  long long children = 0;
  bool ok = RecordDeletedTicket(db, row, stamp, actor, &err);
  for (const char* name : kTicketChildren) {
    const catalog::Entity* ce = cat.Find(name);
    if (!ok || !ce || !ce->FindField("TicketID")) continue;
    auto st =
        db.Prepare("DELETE FROM " + store::TenantDb::Quote(ce->name) + " WHERE \"TicketID\" = ?");
    if (!st.ok()) continue;
    st->BindInt(1, ticket_id);
    Status deleted = st->Run();
    ok = deleted.ok();
    if (!ok) err = deleted.message();
    children += db.Changes();
  }
  ok = ok && DropSettle(*t, *te, ticket_id, -1, &err) && db.Delete(*te, ticket_id, &err);
  if (!ok) {
    savepoint->Rollback();
    *out = JsonError(500, err);
    return true;
  }
  (void)savepoint->Release();
  db.BumpGeneration();
  *out = Json(200, {{"tenant", tid},
                    {"deleted", ticket_id},
                    {"rows_removed_with_it", children},
                    {"deleted_by", actor.user_resource},
                    {"logged_at", stamp}});
  return true;
}

}  // namespace atws::control
