#include "service/service.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <stdexcept>

#include "auth/access.h"
#include "behaviours/behaviours.h"
#include "common/text.h"
#include "fixtures/images.h"
#include "ops/call.h"
#include "query/query.h"
#include "soap/entity_writer.h"
#include "soap/soap.h"
#include "wsdl/wsdl.h"

namespace atws::service {

using catalog::Entity;
using catalog::Field;
using catalog::FieldType;
using catalog::Flavour;
using soap::ApiVersion;

namespace {

// Every tenant's calls and threshold, for usage_history() (the admin page's chart).
UsageHistory::Sampler UsageHistorySampler(Service& svc) {
  return [&svc](UsageSample* s) {
    s->clock = svc.clock().Now();
    for (const auto& t : svc.tenants()) {
      long long threshold;
      {
        std::lock_guard<std::mutex> l(t->db->mutex());
        threshold = t->settings.threshold;
      }
      s->points.push_back({t->spec.id, t->usage.Count(s->clock), threshold});
    }
  };
}

}  // namespace

Service::Service(Options options, std::shared_ptr<ControlledClock> clock)
    : opt_(std::move(options)),
      clock_(clock ? std::move(clock) : std::make_shared<ControlledClock>()),
      cat_(catalog::Catalog::Default()),
      journal_(opt_.journal_capacity),
      env_{cat_, *clock_, directory_, journal_, tenants_, opt_.time_zone, opt_.public_url} {
  if (std::string err; !opt_.journal_db.empty() && !journal_.Persist(opt_.journal_db, &err))
    throw std::runtime_error(err);
  LoadTenants();
  if (!opt_.background_load) {
    usage_history_.Start(UsageHistorySampler(*this));
  } else {
    // The sampler's first sample reads every tenant under its database mutex: it starts once
    // the loaders are done (WaitLoaded and the destructor wait for this too).
    std::vector<std::shared_future<void>> loading;
    for (auto& f : loaders_) loading.push_back(f.share());
    loaders_.clear();
    for (auto& f : loading) loaders_.push_back(std::async(std::launch::deferred, [f] { f.get(); }));
    loaders_.push_back(std::async(std::launch::async, [this, loading] {
      for (const auto& f : loading) f.wait();
      usage_history_.Start(UsageHistorySampler(*this));
    }));
  }
}

Service::~Service() {
  for (auto& f : loaders_)
    if (f.valid()) f.wait();
}

void Service::LoadTenants() {
  tenants_.clear();
  LoadedTenants loaded = LoadDefaultTenants(cat_, opt_.data_dir, DefaultSettings());
  for (auto& t : loaded.tenants) {
    directory_.AddDefaultUsers(t.get());
    tenants_.push_back(std::move(t));
  }
  loaders_ = std::move(loaded.filling);
  if (!opt_.background_load) WaitLoaded();
}

void Service::WaitLoaded() {
  std::exception_ptr failure;
  for (auto& f : loaders_) {
    if (!f.valid()) continue;
    try {
      f.get();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

Tenant* Service::FindTenant(long long id) {
  for (auto& t : tenants_)
    if (t->spec.id == id) return t.get();
  return nullptr;
}

const std::string& Service::CachedWsdl(Flavour f, const std::string& address) {
  std::lock_guard<std::mutex> l(wsdl_mu_);
  auto key = std::make_pair(static_cast<int>(f), address);
  auto it = wsdl_cache_.find(key);
  if (it != wsdl_cache_.end()) return it->second;
  if (wsdl_cache_.size() > 256) wsdl_cache_.clear();  // Host headers are client-chosen
  return wsdl_cache_.emplace(key, wsdl::GenerateWsdl(cat_, f, address)).first->second;
}

HttpResponse Service::Handle(const HttpRequest& req) {
  if (AsciiIStartsWith(req.path, "/__admin")) {
    // The admin API is control::Admin's (mockserver/control); the http module routes there.
    HttpResponse r;
    r.status = 404;
    r.content_type = "application/json";
    r.body = "{\"error\":\"the admin API is served by control::Admin\"}\n";
    return r;
  }
  if (HttpResponse page; HandleExecuteCommand(env_, req, &page)) return page;  // ops
  Endpoint ep;
  if (!ParseEndpoint(req, directory_.zones(), &ep)) {
    HttpResponse r;
    r.status = 404;
    r.content_type = "text/plain; charset=utf-8";
    r.body = fmt::format(
        "No Autotask endpoint at '{}'. Use /atservices/1.6/atws.asmx (zone-neutral) or "
        "/webservicesN/atservices/1.6/atws.asmx; the WSDL is at atws.asmx?WSDL or atws.wsdl.\n",
        Truncated(req.path, 100));
    return r;
  }
  if (ep.wsdl) return HandleWsdl(req, ep);
  return HandleSoap(req, ep);
}

HttpResponse Service::HandleWsdl(const HttpRequest& req, const Endpoint& ep) {
  HttpResponse r;
  if (req.method != "GET" && req.method != "HEAD") {
    r.status = 405;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Allow", "GET");
    r.body = "The WSDL is served to GET requests.\n";
    return r;
  }
  Flavour f = Flavour::kCurrent;
  std::string address;
  if (ep.version == ApiVersion::k15) f = Flavour::kV15;
  if (ep.zone != 0) {
    if (ep.version == ApiVersion::k16) f = ZoneFlavour(ep.zone);
    address = ZoneUrl(req, ep, ep.zone, opt_.public_url);
  } else {
    const char* ver = ep.version == ApiVersion::k15 ? "1.5" : "1.6";
    address = fmt::format("{}/ATServices/{}/atws.asmx", BaseUrl(req, opt_.public_url), ver);
  }
  r.body = CachedWsdl(f, address);
  return r;
}

HttpResponse Service::HandleSoap(const HttpRequest& req, const Endpoint& ep) {
  HttpResponse resp;
  if (req.method != "POST") {
    resp.status = 405;
    resp.content_type = "text/plain; charset=utf-8";
    resp.headers.emplace_back("Allow", "POST");
    resp.body = "SOAP calls are POSTed to this URL; the WSDL is at this URL with ?WSDL appended.\n";
    return resp;
  }
  CallContext ctx(env_, req, ep);
  ctx.j.time = clock_->Now();
  ctx.j.zone = ep.zone;
  ctx.j.api_version = ep.version == ApiVersion::k15 ? "1.5" : "1.6";
  ctx.j.request = req.body.substr(0, journal_.body_limit() + 1);

  FiredFault fault;  // a fault rule that fired for the call (faults.cc)
  auto finish = [&](HttpResponse r) {
    ApplyFaultToAnswer(fault, &ctx.j, &r);  // latency, slow body
    ctx.j.http_status = r.status;
    ctx.j.response = r.body.substr(0, journal_.body_limit() + 1);
    journal_.Add(std::move(ctx.j));
    return r;
  };

  std::string err;
  soap::DecodeLimits limits;
  if (!soap::Decode(req.body, limits, &ctx.req, &err)) {
    ctx.j.operation = "(malformed)";
    ctx.j.errors.push_back(err);
    resp.status = 500;
    resp.body = soap::Fault("soap:Client", err);
    return finish(std::move(resp));
  }
  ctx.j.operation = ctx.req.operation;
  ctx.j.integration_code_sent = ctx.req.has_integration_code;
  ctx.j.integration_code = ctx.req.integration_code;
  if (ctx.req.body_ns != soap::Namespace(ep.version)) {
    std::string msg = fmt::format(
        "Server did not recognize the value of the request element '{}' in namespace '{}'; "
        "this endpoint serves {}.",
        Truncated(ctx.req.operation, 100), Truncated(ctx.req.body_ns, 100),
        soap::Namespace(ep.version));
    ctx.j.errors.push_back(msg);
    resp.status = 500;
    resp.body = soap::Fault("soap:Client", msg);
    return finish(std::move(resp));
  }
  ctx.op = FindOperation(ctx.req.operation);
  if (!ctx.op) {
    std::string msg = fmt::format("Unknown operation '{}'.", Truncated(ctx.req.operation, 100));
    ctx.j.errors.push_back(msg);
    resp.status = 500;
    resp.body = soap::Fault("soap:Client", msg);
    return finish(std::move(resp));
  }

  if (!ctx.op->needs_auth) {
    if (MatchFault(ctx, &fault) && fault.answers()) return finish(FaultAnswer(ctx, fault));
    OpGetZoneInfo(ctx);
    resp.status = ctx.status;
    resp.body = std::move(ctx.out);
    return finish(std::move(resp));
  }

  // HTTP Basic authentication.
  auto unauthorized = [&](const std::string& why) {
    ctx.j.errors.push_back(why);
    HttpResponse r;
    r.status = 401;
    r.content_type = "text/html; charset=utf-8";
    r.headers.emplace_back("WWW-Authenticate",
                           fmt::format("Basic Realm=\"{}\"", HostWithoutPort(req.host)));
    r.body =
        "<html><body><h2>401 - Unauthorized: Access is denied due to invalid "
        "credentials.</h2></body></html>\n";
    return finish(std::move(r));
  };
  std::string_view auth = Trim(req.authorization);
  if (!AsciiIStartsWith(auth, "basic ")) return unauthorized("no Basic credentials");
  if (auth.size() > 8192) return unauthorized("Authorization header too long");
  std::string decoded;
  if (!Base64Decode(Trim(auth.substr(6)), &decoded))
    return unauthorized("malformed Basic credentials");
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return unauthorized("malformed Basic credentials");
  std::string username = decoded.substr(0, colon);
  std::string password = decoded.substr(colon + 1);
  UserRef uref;  // a snapshot: the admin API may replace the user meanwhile
  if (!FindUser(username, &uref)) return unauthorized("unknown user");
  Tenant* tenant = uref.tenant;
  const fixtures::ApiUser& user = *uref.user;
  ctx.user_ref = uref.user;
  if (user.password != password) {
    ctx.j.user = user.username;
    ctx.j.tenant = tenant->spec.id;
    return unauthorized("wrong password");
  }
  ctx.tenant = tenant;
  ctx.user = &user;
  ctx.j.user = user.username;
  ctx.j.tenant = tenant->spec.id;
  ctx.lang = uref.language;
  ctx.flavour = ep.version == ApiVersion::k15 ? Flavour::kV15 : ZoneFlavour(uref.zone);

  auto done = [&]() {
    resp.status = ctx.status;
    resp.body = std::move(ctx.out);
    return finish(std::move(resp));
  };

  // Expired password: the account is refused like a wrong password (A-AUTH-EXPIRED).
  if (!user.password_expires.empty()) {
    std::string now = StorageDateTime(ToLocal(clock_->Now(), opt_.time_zone));
    if (now >= user.password_expires) return unauthorized("password expired");
  }
  // 1.6 is for API-only users (A-AUTH-LEVEL).
  if (ep.version == ApiVersion::k16 && user.level == fixtures::SecurityLevel::kFullAccess) {
    ctx.Error(
        {"Access to API version 1.6 requires a user with the API User (API-only) "
         "security level."});
    return done();
  }
  // Zones.
  if (ep.zone == 0) {
    ctx.j.off_zone = true;
    if (opt_.strict_zones) {
      ctx.Error(
          {fmt::format("This endpoint only answers getZoneInfo; call the zone URL that "
                       "getZoneInfo returns for {} (zone {}).",
                       user.username, uref.zone)});
      return done();
    }
  } else if (ep.zone != uref.zone) {
    ctx.Error(
        {fmt::format("The user {} belongs to zone {}, not to zone {}; call the URL that "
                     "getZoneInfo returns.",
                     user.username, uref.zone, ep.zone)});
    return done();
  }
  // IntegrationCode: required on 1.6; on 1.5 only for users that have one activated.
  bool need_code = ep.version == ApiVersion::k16 || !user.integration_codes.empty();
  if (need_code) {
    bool ok = false;
    if (ctx.req.has_integration_code)
      for (const auto& c : user.integration_codes)
        if (c == ctx.req.integration_code) ok = true;
    if (!ok) {
      ctx.Error({"IntegrationCode is invalid."});
      return done();
    }
  }
  if (ctx.op->current_only && !catalog::NewerContract(ctx.flavour)) {
    std::string msg = fmt::format("Unknown operation '{}'.", ctx.req.operation);
    ctx.j.errors.push_back(msg);
    resp.status = 500;
    resp.body = soap::Fault("soap:Client", msg);
    return finish(std::move(resp));
  }

  // The call counts against the tenant's hourly threshold, and may get latency or be refused
  // (suspension, thread limit): throttle.cc. A-THRESHOLD-SELF: the usage query itself does not.
  std::string_view opname = ctx.op->name;
  std::lock_guard<std::mutex> lock(tenant->db->mutex());
  // Fault injection (faults.cc): a fault that answers instead of the operation is not counted.
  if (MatchFault(ctx, &fault) && fault.answers()) return finish(FaultAnswer(ctx, fault));
  if (!Throttle(ctx, &resp)) return done();
  if (!CheckImpersonation(ctx)) return done();  // ImpersonateAsResourceID (ops/access.cc)
  SettleDue(*tenant,
            clock_->Now());  // computed fields whose settle delay has passed (behaviours.h)
  if (opname == "query")
    OpQuery(ctx);
  else if (opname == "GetEntityInfo")
    OpGetEntityInfo(ctx);
  else if (opname == "GetFieldInfo")
    OpGetFieldInfo(ctx);
  else if (opname == "getUDFInfo")
    OpGetUdfInfo(ctx);
  else if (opname == "getThresholdAndUsageInfo")
    OpThreshold(ctx);
  else if (opname == "GetWsdlVersion")
    OpWsdlVersion(ctx);
  else if (opname == "IntegrationCodeCheck")
    OpIntegrationCodeCheck(ctx);
  else if (opname == "create" || opname == "update" || opname == "delete") {
    if (CheckWriteAccess(ctx)) OpWrite(ctx);  // restricted users (ops/access.cc)
  } else if (opname == "CreateAttachment")    // attachments.cc
    OpCreateAttachment(ctx);
  else if (opname == "GetAttachment")
    OpGetAttachment(ctx);
  else if (opname == "DeleteAttachment")
    OpDeleteAttachment(ctx);
  else if (opname == "GetInvoiceMarkup")  // invoice_markup.cc
    OpGetInvoiceMarkup(ctx);
  else
    OpNotImplemented(ctx);
  return done();
}

bool Service::DumpWsdl(const std::string& dir, const std::string& base_url, std::string* error) {
  mkdir(dir.c_str(), 0755);
  struct Item {
    Flavour f;
    const char* file;
    const char* ver;
  } items[] = {{Flavour::kV15, "atws-1.5.wsdl", "1.5"},
               {Flavour::kV2018, "atws-1.6-2018.wsdl", "1.6"},
               {Flavour::kCurrent, "atws-1.6-current.wsdl", "1.6"},
               {Flavour::kLocalized, "atws-1.6-localized.wsdl", "1.6"}};
  for (const auto& it : items) {
    std::string path = dir + "/" + it.file;
    std::ofstream f(path, std::ios::binary);
    f << wsdl::GenerateWsdl(cat_, it.f,
                            fmt::format("{}/ATServices/{}/atws.asmx", base_url, it.ver));
    if (!f) {
      *error = "cannot write " + path;
      return false;
    }
  }
  return true;
}

TenantSettings Service::DefaultSettings() const {
  TenantSettings s;
  s.threshold = opt_.threshold;
  s.thread_limit = opt_.thread_limit;
  return s;
}

// ------------------------------------------------------------------------------ admin API

bool Service::LookUpUser(std::string_view username, DirectoryUser* out) const {
  UserRef ref;
  if (!FindUser(username, &ref)) return false;
  out->tenant = ref.tenant;
  out->user = std::move(ref.user);
  return true;
}

}  // namespace atws::service
