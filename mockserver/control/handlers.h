// The admin API's handlers, one per resource, as the route table (admin.cc) calls them.
// Internal to mockserver/control. Each gets the path without trailing '/' and answers in *out;
// false when the path, though it matched the route's pattern, is not its (the route table then
// tries the next matching route, and answers 404 when none takes it).
#pragma once

#include <string>

#include "common/http_message.h"

namespace atws::service {}

namespace atws::control {

// The control files work on the service's types (Tenant, Zone, Journal, …) throughout.
using namespace atws::service;  // NOLINT(google-build-using-namespace): internal header

class Admin;

using AdminHandler = bool (*)(Admin& admin, const HttpRequest& req, const std::string& path,
                              HttpResponse* out);

// admin.cc
// For /__admin/tenants/{id}/<resource>: false when `path` is not that resource's; true with
// *id and *tenant set, or with *tenant null and *out the 400 (id not a number) or 404 answer.
bool TenantResource(service::Service& svc, const std::string& path, std::string_view resource,
                    long long* id, Tenant** tenant, HttpResponse* out);

bool HandleHealth(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
bool HandleTenantList(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
// journal_admin.cc: /__admin/journal and /__admin/journal/{seq}
bool HandleJournal(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
bool HandleJournalEntry(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
// ui.cc: the page's files (before the token), /__admin/tenants/{id}/usage/history
bool ServeAdminUi(const HttpRequest& req, HttpResponse* out);
bool HandleUsageHistory(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
// users_admin.cc: /__admin/zones[/{n}], /__admin/tenants/{id}/zone|users, /__admin/users/{name}
bool HandleZones(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
bool HandleZone(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
bool HandleTenantZoneOrUsers(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
bool HandleUser(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
// tenant_admin.cc: /__admin/clock, /__admin/reset, /__admin/tenants/{id}/usage|settings
bool HandleClock(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
bool HandleReset(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
bool HandleUsageOrSettings(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
// faults_admin.cc: /__admin/faults[/{id}]
bool HandleFaults(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
bool HandleFault(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
// language_admin.cc: /__admin/tenants/{id}/language
bool HandleLanguage(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
// fixtures_admin.cc: POST /__admin/tenants/{id}/fixtures
bool HandleFixtures(Admin&, const HttpRequest&, const std::string&, HttpResponse*);
// sources_admin.cc: /__admin/tenants/{id}/sources, DELETE /__admin/tenants/{id}/tickets/{n}
bool HandleSourcesOrTicket(Admin&, const HttpRequest&, const std::string&, HttpResponse*);

}  // namespace atws::control
