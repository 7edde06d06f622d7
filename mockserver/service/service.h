// The mock's request handling, independent of the HTTP library: zone routing, HTTP Basic
// authentication, the IntegrationCode check, operation dispatch, response encoding, the
// journal and the admin API. The http module adapts Pistache to HttpRequest/HttpResponse.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "common/timeutil.h"
#include "fixtures/fixtures.h"
#include "service/journal.h"
#include "service/usage.h"
#include "service/zones.h"
#include "store/store.h"

namespace atws::service {

struct HttpRequest {
  std::string method;  // "GET", "POST" …
  std::string path;    // without the query string
  std::string query;   // raw query string without '?'
  std::string host;    // Host header as sent (may carry a port)
  std::string scheme = "http";
  std::string authorization;
  std::string soap_action;
  std::string content_type;
  std::string body;
  std::string peer;  // client address
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/xml; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Options {
  std::string data_dir;       // empty: default data in memory
  std::string public_url;     // overrides scheme://host of the URLs handed out
  bool strict_zones = false;  // reject non-getZoneInfo calls on the zone-neutral endpoint
  ApiTimeZone time_zone = ApiTimeZone::kEastern;
  size_t journal_capacity = 10000;
  std::string admin_token;    // when set, /__admin/ requires "Authorization: Bearer <token>"
  bool admin_remote = false;  // allow /__admin/ from non-loopback peers
  long long threshold = 10000;
};

// Per-tenant settings that the admin API and the configuration file can change.
struct TenantSettings {
  long long threshold = 10000;      // external calls per rolling 60 minutes
  // Added latency: from latency_tier1_pct % of the threshold tier1_ms, from tier2_pct % tier2_ms.
  int latency_tier1_pct = 50, latency_tier1_ms = 500;
  int latency_tier2_pct = 75, latency_tier2_ms = 1000;
  int warn_pct = 90;                // journal/log warning from this usage on
  bool count_rejected = false;      // do calls refused while suspended count? (A-THRESHOLD-REJECTED)
  int thread_limit = 3;             // concurrent calls per (IntegrationCode, entity); 0 = off
  long long settle_delay_ms = 2000; // computed fields settle this long after a write; 0 = at once
};

struct Tenant {
  fixtures::TenantSpec spec;
  std::unique_ptr<store::TenantDb> db;
  UsageWindow usage;
  TenantSettings settings;
};

class Service {
 public:
  // Loads the tenants (default data, or the SQLite files in options.data_dir, creating them
  // from the default data when missing). Throws std::runtime_error on failure.
  Service(Options options, std::shared_ptr<ControlledClock> clock = nullptr);
  ~Service();

  HttpResponse Handle(const HttpRequest& req);

  Journal& journal() { return journal_; }
  ControlledClock& clock() { return *clock_; }
  const catalog::Catalog& catalog() const { return cat_; }
  Tenant* FindTenant(long long id);
  const std::vector<std::unique_ptr<Tenant>>& tenants() const { return tenants_; }
  ZoneTable& zones() { return zones_; }
  const Options& options() const { return opt_; }

  // Writes every flavour's WSDL into `dir` (for tests and clients that want a local copy).
  bool DumpWsdl(const std::string& dir, const std::string& base_url, std::string* error);

 private:
  struct Endpoint;
  struct CallContext;

  HttpResponse HandleSoap(const HttpRequest& req, const Endpoint& ep);
  HttpResponse HandleWsdl(const HttpRequest& req, const Endpoint& ep);
  HttpResponse HandleAdmin(const HttpRequest& req);
  bool ParseEndpoint(const HttpRequest& req, Endpoint* ep) const;
  std::string BaseUrl(const HttpRequest& req, const Endpoint& ep) const;
  std::string ZoneUrl(const HttpRequest& req, const Endpoint& ep, int zone) const;
  std::string WebUrl(const HttpRequest& req, const Endpoint& ep, int zone) const;
  const std::string& CachedWsdl(catalog::Flavour f, const std::string& address);

  // Operations. Each appends the complete response envelope to ctx.out or sets a fault.
  void OpGetZoneInfo(CallContext& ctx);
  void OpGetEntityInfo(CallContext& ctx);
  void OpGetFieldInfo(CallContext& ctx);
  void OpGetUdfInfo(CallContext& ctx);
  void OpThreshold(CallContext& ctx);
  void OpWsdlVersion(CallContext& ctx);
  void OpQuery(CallContext& ctx);
  void OpIntegrationCodeCheck(CallContext& ctx);
  void OpNotImplemented(CallContext& ctx);
  void OpWrite(CallContext& ctx);  // create, update, delete (write_ops.cc)

  // Appends the <Entity> elements of the rows of `e` matching `where` (at most 500, by id).
  // Fields whose index is in `hidden` are left out (fields not yet settled).
  bool AppendRows(std::string* out, store::TenantDb& db, const catalog::Entity& e,
                  catalog::Flavour flavour, const std::string& where,
                  const std::vector<store::Value>& params, const std::vector<int>* hidden,
                  long long* rows, long long* last_id, std::string* err);

  void LoadTenants();

  Options opt_;
  std::shared_ptr<ControlledClock> clock_;
  const catalog::Catalog& cat_;
  ZoneTable zones_;
  Journal journal_;
  std::vector<std::unique_ptr<Tenant>> tenants_;
  // username (ASCII lower case) -> (tenant, user index)
  std::map<std::string, std::pair<Tenant*, size_t>> users_;
  std::mutex wsdl_mu_;
  std::map<std::pair<int, std::string>, std::string> wsdl_cache_;
};

}  // namespace atws::service
