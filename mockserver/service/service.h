// The mock's request handling, independent of the HTTP library: zone routing, HTTP Basic
// authentication, the IntegrationCode check, operation dispatch, response encoding, the
// journal. The admin API (/__admin/) is control::Admin (mockserver/control), which the http
// module routes to; it adapts Pistache to HttpRequest/HttpResponse.
#pragma once

#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/directory.h"
#include "catalog/catalog.h"
#include "common/clock.h"
#include "common/http_message.h"
#include "common/timeutil.h"
#include "faults/faults.h"
#include "fixtures/fixtures.h"
#include "journal/journal.h"
#include "ops/call.h"
#include "store/store.h"
#include "tenant/tenant.h"
#include "throttle/throttle.h"
#include "throttle/usage_history.h"
#include "throttle/usage_window.h"
#include "zones/zones.h"

namespace atws::service {

// The HTTP messages (common/http_message.h), by the names the service's callers use.
using HttpRequest = atws::HttpRequest;
using HttpResponse = atws::HttpResponse;

struct Options {
  std::string data_dir;       // empty: default data in memory
  std::string public_url;     // overrides scheme://host of the URLs handed out
  bool strict_zones = false;  // reject non-getZoneInfo calls on the zone-neutral endpoint
  ApiTimeZone time_zone = ApiTimeZone::kEastern;
  size_t journal_capacity = 10000;
  std::string journal_db;     // SQLite file the journal is persisted in; empty: memory only
  std::string admin_token;    // when set, /__admin/ requires "Authorization: Bearer <token>"
  bool admin_remote = false;  // allow /__admin/ from non-loopback peers
  long long threshold = 10000;
  int thread_limit = 3;  // default TenantSettings::thread_limit (0 = off)
  // Fill the tenants' databases on background threads: the constructor returns once each
  // database is open (and locked by its loader), so getZoneInfo and WSDLs are served at once
  // while calls that touch a tenant's data wait on its mutex until it is filled (atws-mock's
  // time to ready). Off: the constructor returns with every tenant filled.
  bool background_load = false;
};

class Service {
 public:
  // Loads the tenants (default data, or the SQLite files in options.data_dir, creating them
  // from the default data when missing). Throws std::runtime_error on failure.
  Service(Options options, std::shared_ptr<ControlledClock> clock = nullptr);
  ~Service();

  HttpResponse Handle(const HttpRequest& req);
  // Cheap, lock-free for the tenant: true when the request's Basic credentials name a user of a
  // tenant whose last external call the threshold held back or refused, so this one most likely
  // will be too. The HTTP layer runs such calls on a low-priority thread of their own rather
  // than on the reactor threads that serve every other tenant (http/server.cc, issue 6). A
  // wrong guess only changes which thread runs the call, never its answer.
  bool LikelyHeld(const HttpRequest& req) const;

  Journal& journal() { return journal_; }
  FaultRules& faults() { return faults_; }
  ControlledClock& clock() { return *clock_; }
  const catalog::Catalog& catalog() const { return cat_; }
  Tenant* FindTenant(long long id);
  const std::vector<std::unique_ptr<Tenant>>& tenants() const { return tenants_; }
  ZoneTable& zones() { return directory_.zones(); }
  // Users, the tenants' zones and languages, the zones' flavours (auth/directory.h).
  Directory& directory() { return directory_; }
  const Options& options() const { return opt_; }
  // The tenant's language (the admin API may change it at run time).
  catalog::Language TenantLanguage(const Tenant& t) const { return directory_.TenantLanguage(t); }
  // Every tenant's calls sampled every 10 s, for the admin page's chart (admin_ui.cc).
  const UsageHistory& usage_history() const { return usage_history_; }

  // The settings a tenant starts with (Options::threshold and thread_limit applied).
  TenantSettings DefaultSettings() const;

  // ---- For the admin API (mockserver/control): the run-time directory and language.
  // Users, the tenants' zones and languages and the zones' flavours are guarded by this lock:
  // shared for reading, exclusive for changing (zones(), Tenant::spec.zone).
  std::shared_mutex& directory_mutex() const { return directory_.mutex(); }
  // A user by name (any case); false when there is none.
  struct DirectoryUser {
    Tenant* tenant = nullptr;
    std::shared_ptr<const fixtures::ApiUser> user;
  };
  bool LookUpUser(std::string_view username, DirectoryUser* out) const;
  // The caller holds directory_mutex() (auth/directory.h says more).
  std::vector<std::string> UsernamesLocked(const Tenant* t) const {
    return directory_.UsernamesLocked(t);
  }
  std::vector<std::shared_ptr<const fixtures::ApiUser>> UsersLocked(const Tenant* t) const {
    return directory_.UsersLocked(t);
  }
  bool AddUserLocked(Tenant* t, const fixtures::ApiUser& u) {
    return directory_.AddUserLocked(t, u);
  }
  bool ReplaceUserLocked(const std::shared_ptr<const fixtures::ApiUser>& old,
                         const fixtures::ApiUser& u) {
    return directory_.ReplaceUserLocked(old, u);
  }
  // Back to the default users and zone of a tenant (admin reset): admin-made users go away.
  void ResetDirectory(Tenant* t) { directory_.Reset(t); }
  // The tenant's language: set, and back to the default data's (admin reset).
  void SetTenantLanguage(Tenant* t, catalog::Language language) {
    directory_.SetLanguage(t, language);
  }
  void ResetLanguage(Tenant* t) { directory_.ResetLanguage(t); }

  // Writes every flavour's WSDL into `dir` (for tests and clients that want a local copy).
  bool DumpWsdl(const std::string& dir, const std::string& base_url, std::string* error);

 private:
  HttpResponse HandleSoap(const HttpRequest& req, const Endpoint& ep);
  HttpResponse HandleWsdl(const HttpRequest& req, const Endpoint& ep);
  // The fault that fires for a call (false when none; the journal entry notes it); the answer
  // of a fault that replaces the operation's.
  bool MatchFault(CallContext& ctx, FiredFault* out);
  HttpResponse FaultAnswer(CallContext& ctx, const FiredFault& f);
  // Threshold and thread limit for an authenticated call (throttle.cc); false = refused.
  bool Throttle(CallContext& ctx, HttpResponse* resp);
  const std::string& CachedWsdl(catalog::Flavour f, const std::string& address);

  void LoadTenants();

 public:
  // Waits until every tenant's database is filled; rethrows a loader's failure (background_load).
  void WaitLoaded();

 private:
  std::vector<std::future<void>> loaders_;  // background_load: the tenants' loader threads

  bool FindUser(std::string_view username, UserRef* out) const {
    return directory_.FindUser(username, out);
  }
  catalog::Flavour ZoneFlavour(int zone) const { return directory_.ZoneFlavour(zone); }

  Options opt_;
  std::shared_ptr<ControlledClock> clock_;
  const catalog::Catalog& cat_;
  Directory directory_;
  Journal journal_;
  FaultRules faults_;
  std::vector<std::unique_ptr<Tenant>> tenants_;
  OpsEnv env_;  // what the operations read (ops/call.h); refers to the members above
  std::mutex wsdl_mu_;
  std::map<std::pair<int, std::string>, std::string> wsdl_cache_;
  // Last member: destroyed first, so its sampler thread stops before the tenants go.
  UsageHistory usage_history_;
};

// Adds a fired latency or slow-body fault to an answer and its journal entry
// (service/call_steps.cc); nothing for other faults or none.
void ApplyFaultToAnswer(const FiredFault& f, JournalEntry* j, HttpResponse* r);

}  // namespace atws::service
