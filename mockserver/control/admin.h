// The admin API under /__admin/ (JSON; docs/admin-api.md): one route table (path pattern →
// handler, admin.cc), one handler per resource (the *_admin.cc files), the admin page (ui.cc)
// and the start-up configuration (config.h), which the Admin owns.
//
// Ownership and lifetime: an Admin refers to a Service it does not own; the Service must
// outlive it. Thread safety: Handle may be called from any number of threads at once (the
// state it changes is the Service's, guarded there); SetStartupConfig only before serving.
// Errors are answers: JSON {"error": "..."} with a 4xx/5xx status, never exceptions.
#pragma once

#include <memory>
#include <string>

#include "common/http_message.h"
#include "service/service.h"

namespace atws::control {

struct StartupConfig;  // config.h

class Admin {
 public:
  explicit Admin(service::Service& svc, std::shared_ptr<const StartupConfig> startup = nullptr);
  ~Admin();

  // Answers a request whose path starts with /__admin (any case): loopback check (403), the
  // page's files (no token), the token (401), then the route table; 404 for an unknown path.
  HttpResponse Handle(const HttpRequest& req);

  service::Service& service() { return svc_; }

  // The start-up configuration, applied again by every admin reset (a reset returns to the
  // start-up state). Set once, before serving.
  void SetStartupConfig(std::shared_ptr<const StartupConfig> cfg) { startup_ = std::move(cfg); }

  // Back to the default data, settings, users, zone and language and an empty usage window,
  // journal and fault rules of the tenant (admin reset). The tenant's TenantDb object stays
  // (callers may hold pointers); its contents are replaced under its mutex. False + *error
  // when there is no such tenant or the default data cannot be written.
  bool ResetTenant(long long id, std::string* error);
  // The start-up configuration again after a reset: all of it (tenant 0) or one tenant's part.
  // True when there is none.
  bool ReapplyStartupConfig(long long tenant, std::string* error);

 private:
  service::Service& svc_;
  std::shared_ptr<const StartupConfig> startup_;
};

}  // namespace atws::control
