// The admin page (/__admin/ui) and the two admin endpoints it reads besides the public ones:
//   GET /__admin/ui, /__admin/ui/app.js, /__admin/ui/style.css
//        the page, embedded at build time from mockserver/control/ui/ (no external network)
//   GET /__admin/journal/{seq}
//        one journal entry with its raw request and response (404 once it has left the journal)
//   GET /__admin/tenants/{id}/usage/history[?minutes=N]
//        the tenant's hourly call count sampled every 10 s (the last 6 hours at most)
// docs/admin-api.md describes them.
#pragma once

#include <string>

#include "service/service.h"

namespace atws::service {

// The page's static files. They carry no data, so they are served before the admin token is
// checked (the page asks for the token and sends it with its own requests); the loopback rule
// applies as to every admin path. False when `req` is not one of them.
bool ServeAdminUi(const HttpRequest& req, HttpResponse* out);

// GET /__admin/journal/{seq} and GET /__admin/tenants/{id}/usage/history. False when `path`
// (without trailing '/') is neither.
bool HandleAdminUiData(Service& svc, const HttpRequest& req, const std::string& path,
                       HttpResponse* out);

// The sampler that Service starts for its UsageHistory: every tenant's calls and threshold.
UsageHistory::Sampler UsageHistorySampler(Service& svc);

}  // namespace atws::service
