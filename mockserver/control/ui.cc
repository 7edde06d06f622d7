// The admin page (/__admin/ui, /__admin/ui/app.js, /__admin/ui/style.css), embedded at build
// time from mockserver/control/ui/ (no external network), and the endpoint only it reads:
// GET /__admin/tenants/{id}/usage/history[?minutes=N], the tenant's hourly call count sampled
// every 10 s (the last 6 hours at most). docs/admin-api.md describes them.

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/query_string.h"
#include "common/text.h"
#include "common/timeutil.h"
#include "control/admin.h"
#include "control/handlers.h"
#include "control/json.h"

namespace atws::control {

// Embedded at build time by ui/embed.cmake (files ui/index.html, ui/app.js, ui/style.css).
namespace ui {
extern const unsigned char kIndexHtml[];
extern const std::size_t kIndexHtmlSize;
extern const unsigned char kAppJs[];
extern const std::size_t kAppJsSize;
extern const unsigned char kStyleCss[];
extern const std::size_t kStyleCssSize;
}  // namespace ui

namespace {

// The page loads nothing but its own two files and talks only to this server; journal content
// is never parsed as HTML (app.js builds text nodes), and this policy backs that up.
constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string IsoUtc(Micros t) { return FormatApiDateTime(ToLocal(t, ApiTimeZone::kUtc)) + "Z"; }

}  // namespace

bool ServeAdminUi(const HttpRequest& req, HttpResponse* out) {
  std::string_view path(req.path);
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  const char* type = nullptr;
  if (path == "/__admin/ui" || path == "/__admin/ui/index.html") {
    data = ui::kIndexHtml, size = ui::kIndexHtmlSize, type = "text/html; charset=utf-8";
  } else if (path == "/__admin/ui/app.js") {
    data = ui::kAppJs, size = ui::kAppJsSize, type = "text/javascript; charset=utf-8";
  } else if (path == "/__admin/ui/style.css") {
    data = ui::kStyleCss, size = ui::kStyleCssSize, type = "text/css; charset=utf-8";
  } else if (path.rfind("/__admin/ui/", 0) == 0) {
    *out = JsonError(404, "no such file of the admin page");
    return true;
  } else {
    return false;
  }
  if (req.method != "GET") {
    *out = JsonError(405, "use GET");
    return true;
  }
  HttpResponse r;
  r.content_type = type;
  r.body.assign(reinterpret_cast<const char*>(data), size);
  // Built into the binary: revalidate each time so that a new build's page is never stale.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (data == ui::kIndexHtml) {
    r.headers.emplace_back("Content-Security-Policy", kPagePolicy);
    r.headers.emplace_back("X-Frame-Options", "DENY");
  }
  *out = std::move(r);
  return true;
}

bool HandleUsageHistory(Admin& admin, const HttpRequest& req, const std::string& path,
                        HttpResponse* out) {
  service::Service& svc = admin.service();
  const std::string& m = req.method;

  // ---- GET /__admin/tenants/{id}/usage/history
  constexpr std::string_view kTenants = "/__admin/tenants/";
  constexpr std::string_view kHistory = "/usage/history";
  if (path.rfind(kTenants, 0) != 0 || path.size() <= kTenants.size() + kHistory.size() ||
      path.compare(path.size() - kHistory.size(), kHistory.size(), kHistory) != 0)
    return false;
  long long id;
  std::string_view id_text = std::string_view(path).substr(
      kTenants.size(), path.size() - kTenants.size() - kHistory.size());
  if (!ParseInt64(id_text, &id)) return false;  // not ours (another handler may know it)
  Tenant* t = svc.FindTenant(id);
  if (!t) {
    *out = JsonError(404, fmt::format("no tenant {}", id));
    return true;
  }
  if (m != "GET") {
    *out = JsonError(405, "use GET");
    return true;
  }
  Micros since = 0;
  std::string_view v;
  if (RawQueryParam(req.query, "minutes", &v)) {
    long long minutes;
    if (!ParseInt64(v, &minutes) || minutes <= 0 || minutes > 100000) {
      *out = JsonError(400, "minutes must be a positive number");
      return true;
    }
    since = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count() -
            minutes * 60 * 1000000;
  }
  TenantSettings s;
  {
    std::lock_guard<std::mutex> l(t->db->mutex());  // settings are read under it
    s = t->settings;
  }
  const UsageHistory& h = svc.usage_history();
  nlohmann::json samples = nlohmann::json::array();
  for (const UsageSample& sample : h.Samples(since)) {
    for (const UsagePoint& p : sample.points) {
      if (p.tenant != id) continue;
      samples.push_back({{"time", IsoUtc(sample.wall)},
                         {"time_ms", sample.wall / 1000},
                         {"clock", IsoUtc(sample.clock)},
                         {"calls", p.calls},
                         {"threshold", p.threshold}});
    }
  }
  *out = Json(200, {{"tenant", id},
                    {"interval_seconds", h.interval().count() / 1000.0},
                    {"capacity", h.capacity()},
                    {"threshold", s.threshold},
                    {"latency_tier1_pct", s.latency_tier1_pct},
                    {"latency_tier2_pct", s.latency_tier2_pct},
                    {"warn_pct", s.warn_pct},
                    {"samples", samples}});
  return true;
}

}  // namespace atws::control
