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

constexpr const char* kVersion = "0.1.0";

const OpInfo kOps[] = {
    {"getZoneInfo", false, false, false},
    {"query", true, true, false},
    {"create", true, true, false},
    {"update", true, true, false},
    {"delete", true, true, false},
    {"GetEntityInfo", false, true, false},
    {"GetFieldInfo", false, true, false},
    {"getUDFInfo", false, true, false},
    {"getThresholdAndUsageInfo", true, true, false},
    {"GetWsdlVersion", false, true, false},
    {"GetInvoiceMarkup", false, true, false},
    {"CreateAttachment", false, true, false},
    {"GetAttachment", false, true, false},
    {"DeleteAttachment", false, true, false},
    {"IntegrationCodeCheck", true, true, true},
};

const OpInfo* FindOp(std::string_view name) { return FindOperation(name); }

std::string Truncated(std::string_view s, size_t n = 200) {
  if (s.size() <= n) return std::string(s);
  return std::string(s.substr(0, n)) + "…";
}

std::string WsdlVersionString(Flavour f) {
  switch (f) {
    case Flavour::kV15:
      return "1.5.16";
    case Flavour::kV2018:
      return "1.6.3";
    case Flavour::kCurrent:
      return "1.6.8";
    case Flavour::kLocalized:
      return "1.6.7";  // one release behind (A-WSDL-VERSION)
  }
  return "1.6.8";
}

}  // namespace

const OpInfo* FindOperation(std::string_view name, bool any_case) {
  for (const auto& o : kOps)
    if (any_case ? AsciiIEquals(name, o.name) : name == o.name) return &o;
  return nullptr;
}

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
      journal_(opt_.journal_capacity) {
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
  if (HttpResponse page; HandleExecuteCommand(req, &page)) return page;  // execute_command.cc
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
  CallContext ctx(req, ep);
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
  ctx.op = FindOp(ctx.req.operation);
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
  if (!CheckImpersonation(ctx)) return done();  // ImpersonateAsResourceID (users.cc)
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
    if (CheckWriteAccess(ctx)) OpWrite(ctx);  // restricted users (users.cc)
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

void Service::OpNotImplemented(CallContext& ctx) {
  ctx.Error({fmt::format("{} is not available in this version of the sandbox.", ctx.op->name)});
}

void Service::OpGetZoneInfo(CallContext& ctx) {
  const std::string* name = ctx.req.Arg("UserName");
  std::string user = name ? std::string(Trim(*name)) : "";
  UserRef uref;
  bool found = FindUser(user, &uref);
  std::string& out = ctx.out;
  soap::BeginResponse(&out, "getZoneInfo", ctx.ep.version);
  out += "<getZoneInfoResult>";
  if (!found) {
    // Unknown user: negative ErrorCode, no URLs, CI 0 (A-ZONE-UNKNOWN-USER).
    out += "<ErrorCode>-1</ErrorCode><DataBaseType/><CI>0</CI>";
    ctx.j.errors.push_back("unknown user");
  } else {
    Tenant* t = uref.tenant;
    ctx.j.tenant = t->spec.id;
    ctx.j.user = uref.user->username;
    soap::Element(&out, "URL", ZoneUrl(ctx.http, ctx.ep, uref.zone, opt_.public_url));
    out += "<ErrorCode>0</ErrorCode><DataBaseType/>";
    soap::IntElement(&out, "CI", t->spec.id);
    soap::Element(&out, "WebUrl", WebUrl(ctx.http, ctx.ep, uref.zone, opt_.public_url));
  }
  out += "</getZoneInfoResult>";
  soap::EndResponse(&out, "getZoneInfo");
}

void Service::OpWsdlVersion(CallContext& ctx) {
  soap::BeginResponse(&ctx.out, "GetWsdlVersion", ctx.ep.version);
  soap::Element(&ctx.out, "GetWsdlVersionResult", WsdlVersionString(ctx.flavour));
  soap::EndResponse(&ctx.out, "GetWsdlVersion");
}

void Service::OpGetEntityInfo(CallContext& ctx) {
  std::string& out = ctx.out;
  bool current = catalog::NewerContract(ctx.flavour);
  soap::BeginResponse(&out, "GetEntityInfo", ctx.ep.version);
  out += "<GetEntityInfoResult>";
  for (const Entity& e : cat_.entities()) {
    if (!e.InFlavour(ctx.flavour)) continue;
    out += "<EntityInfo>";
    soap::Element(&out, "Name", e.name);
    soap::BoolElement(&out, "CanUpdate", e.can_update);
    soap::BoolElement(&out, "CanDelete", e.can_delete);
    soap::BoolElement(&out, "CanCreate", e.can_create);
    soap::BoolElement(&out, "CanQuery", e.can_query);
    if (current) {  // per user: restricted copies differ (users.cc)
      soap::Element(&out, "UserAccessForCreate", UserAccess(*ctx.user, e, "create"));
      soap::Element(&out, "UserAccessForQuery", UserAccess(*ctx.user, e, "query"));
      soap::Element(&out, "UserAccessForUpdate", UserAccess(*ctx.user, e, "update"));
      soap::Element(&out, "UserAccessForDelete", UserAccess(*ctx.user, e, "delete"));
    }
    soap::BoolElement(&out, "HasUserDefinedFields", e.has_udf);
    if (current) soap::BoolElement(&out, "SupportsWebhookCallouts", e.webhook_callouts);
    out += "</EntityInfo>";
  }
  out += "</GetEntityInfoResult>";
  soap::EndResponse(&out, "GetEntityInfo");
}

namespace {

void AppendPicklist(std::string* out, const std::vector<catalog::PicklistValue>& values,
                    catalog::Language lang) {
  *out += "<PicklistValues>";
  for (const auto& v : values) {
    *out += "<PickListValue>";
    soap::Element(out, "Value", v.value);
    soap::Element(out, "Label", v.Label(lang));
    soap::BoolElement(out, "IsDefaultValue", v.is_default);
    soap::IntElement(out, "SortOrder", v.sort_order);
    if (!v.parent_value.empty()) soap::Element(out, "parentValue", v.parent_value);
    soap::BoolElement(out, "IsActive", v.is_active);
    soap::BoolElement(out, "IsSystem", v.is_system);
    *out += "</PickListValue>";
  }
  *out += "</PicklistValues>";
}

}  // namespace

void Service::OpGetFieldInfo(CallContext& ctx) {
  const std::string* name = ctx.req.Arg("psObjectType");
  std::string ename = name ? std::string(Trim(*name)) : "";
  const Entity* e = cat_.Find(ename);
  ctx.j.entity = ename;
  if (!e || !e->InFlavour(ctx.flavour)) {
    ctx.Error({fmt::format("Invalid entity type: '{}'.", Truncated(ename, 100))});
    return;
  }
  std::string& out = ctx.out;
  bool current = catalog::NewerContract(ctx.flavour);
  soap::BeginResponse(&out, "GetFieldInfo", ctx.ep.version);
  out += "<GetFieldInfoResult>";
  auto emit = [&](const Field& f) {
    out += "<Field>";
    soap::Element(&out, "Name", f.name);
    soap::Element(&out, "Label", f.Label(ctx.lang));
    soap::Element(&out, "Type", catalog::FieldTypeName(f.type));
    soap::IntElement(&out, "Length", f.length);
    if (!f.description.empty()) soap::Element(&out, "Description", f.description);
    soap::BoolElement(&out, "IsRequired", f.required);
    soap::BoolElement(&out, "IsReadOnly", f.read_only);
    soap::BoolElement(&out, "IsQueryable", f.queryable);
    soap::BoolElement(&out, "IsReference", f.is_reference);
    if (!f.reference_entity.empty()) soap::Element(&out, "ReferenceEntityType", f.reference_entity);
    soap::BoolElement(&out, "IsPickList", f.is_picklist);
    if (f.is_picklist) AppendPicklist(&out, TenantPicklist(*ctx.tenant, *e, f), ctx.lang);
    if (!f.picklist_parent.empty())
      soap::Element(&out, "PicklistParentValueField", f.picklist_parent);
    if (current) soap::BoolElement(&out, "IsSupportedWebhookField", f.webhook);
    out += "</Field>";
  };
  emit(e->fields[0]);
  for (int idx : e->order[static_cast<int>(ctx.flavour)]) emit(e->fields[idx]);
  out += "</GetFieldInfoResult>";
  soap::EndResponse(&out, "GetFieldInfo");
}

void Service::OpGetUdfInfo(CallContext& ctx) {
  const std::string* name = ctx.req.Arg("psTable");
  std::string ename = name ? std::string(Trim(*name)) : "";
  const Entity* e = cat_.Find(ename);
  ctx.j.entity = ename;
  if (!e || !e->InFlavour(ctx.flavour)) {
    ctx.Error({fmt::format("Invalid entity type: '{}'.", Truncated(ename, 100))});
    return;
  }
  std::string& out = ctx.out;
  bool current = catalog::NewerContract(ctx.flavour);
  soap::BeginResponse(&out, "getUDFInfo", ctx.ep.version);
  out += "<getUDFInfoResult>";
  for (const auto& u : ctx.tenant->db->Udfs(cat_.EntityIndex(e))) {
    if (!u.is_active) continue;
    out += "<Field>";
    soap::Element(&out, "Name", u.name);
    soap::Element(&out, "Label", u.name);
    soap::Element(&out, "Type", catalog::FieldTypeName(u.field_type()));
    soap::IntElement(&out, "Length", u.data_type == store::UdfDataType::kString ? 8000 : 0);
    if (!u.description.empty()) soap::Element(&out, "Description", u.description);
    soap::BoolElement(&out, "IsRequired", u.is_required);
    soap::BoolElement(&out, "IsReadOnly", false);
    soap::BoolElement(&out, "IsQueryable", true);
    soap::BoolElement(&out, "IsReference", false);
    bool list = u.data_type == store::UdfDataType::kList;
    soap::BoolElement(&out, "IsPickList", list);
    if (list) AppendPicklist(&out, u.list, ctx.lang);
    if (!u.default_value.empty()) soap::Element(&out, "DefaultValue", u.default_value);
    if (current) soap::BoolElement(&out, "IsSupportedWebhookField", false);
    out += "</Field>";
  }
  out += "</getUDFInfoResult>";
  soap::EndResponse(&out, "getUDFInfo");
}

void Service::OpThreshold(CallContext& ctx) {
  long long used = ctx.tenant->usage.Count(clock_->Now());
  std::string& out = ctx.out;
  soap::BeginResponse(&out, "getThresholdAndUsageInfo", ctx.ep.version);
  out +=
      "<getThresholdAndUsageInfoResult><ReturnCode>1</ReturnCode><EntityResults/>"
      "<EntityResultType/><Errors/><EntityReturnInfoResults><EntityReturnInfo>"
      "<EntityId>0</EntityId><DatabaseAction>None</DatabaseAction><DuplicateStatus>"
      "<Found>false</Found><Ignored>false</Ignored></DuplicateStatus>";
  soap::Element(
      &out, "Message",
      fmt::format("ThresholdOfExternalRequest: {}; TimeframeOfLimitation: {}; "
                  "numberOfExternalRequest: {};",
                  ctx.tenant->settings.threshold, ctx.tenant->usage.window_seconds() / 60, used));
  out += "</EntityReturnInfo></EntityReturnInfoResults></getThresholdAndUsageInfoResult>";
  soap::EndResponse(&out, "getThresholdAndUsageInfo");
}

void Service::OpIntegrationCodeCheck(CallContext& ctx) {
  const std::string* name = ctx.req.Arg("userName");
  std::string uname = name ? std::string(Trim(*name)) : "";
  bool api_user = false, associated = false;
  UserRef uref;
  if (FindUser(uname, &uref) && uref.tenant == ctx.tenant) {
    const auto& u = *uref.user;
    api_user = u.level != fixtures::SecurityLevel::kFullAccess;
    for (const auto& c : u.integration_codes)
      if (c == ctx.req.integration_code) associated = true;
  }
  std::string& out = ctx.out;
  soap::BeginResponse(&out, "IntegrationCodeCheck", ctx.ep.version);
  out += "<IntegrationCodeCheckResult><ReturnCode>1</ReturnCode><Errors/>";
  soap::BoolElement(&out, "IsApiUser", api_user);
  soap::BoolElement(&out, "IsIntegrationCodeAssociated", associated);
  out += "</IntegrationCodeCheckResult>";
  soap::EndResponse(&out, "IntegrationCodeCheck");
}

void Service::OpQuery(CallContext& ctx) {
  const std::string* sxml = ctx.req.Arg("sXML");
  if (!sxml || Trim(*sxml).empty()) {
    ctx.Error({"The query is empty: sXML must hold a queryxml document."});
    return;
  }
  store::TenantDb& db = *ctx.tenant->db;
  query::Options qo;
  qo.time_zone = opt_.time_zone;
  query::Compiled c;
  std::string err;
  if (!query::Compile(*sxml, cat_, db, qo, &c, &err)) {
    ctx.Error({err});
    return;
  }
  const Entity& e = *c.entity;
  ctx.j.entity = e.name;
  // The journal keeps the first 100 conditions, values cut at 256 bytes: it holds 10,000 calls,
  // and a 1 MiB query of 18,000 criteria would otherwise keep megabytes in each of them.
  constexpr size_t kJournalConditions = 100, kJournalValueBytes = 256;
  nlohmann::json conds = nlohmann::json::array();
  for (size_t k = 0; k < c.conditions.size() && k < kJournalConditions; ++k) {
    const auto& q = c.conditions[k];
    std::string value = q.value;
    if (value.size() > kJournalValueBytes) {
      size_t cut = kJournalValueBytes;
      while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
      value.resize(cut);
      value += "…";
    }
    conds.push_back({{"field", q.field},
                     {"udf", q.udf},
                     {"op", q.op},
                     {"value", std::move(value)},
                     {"depth", q.depth},
                     {"in_or", q.in_or}});
  }
  ctx.j.query = {{"entity", e.name}, {"conditions", conds}, {"or_conditions", c.or_conditions}};
  if (c.conditions.size() > kJournalConditions)
    ctx.j.query["conditions_total"] = c.conditions.size();
  if (c.id_greater_than >= 0) ctx.j.query["id_greater_than"] = c.id_greater_than;
  if (!e.InFlavour(ctx.flavour)) {
    ctx.Error({fmt::format("Unable to find the entity {} in this version of the API.", e.name)});
    return;
  }
  if (!e.can_query) {
    ctx.Error({fmt::format("The {} entity cannot be queried.", e.name)}, e.lower_name);
    return;
  }
  std::string& out = ctx.out;
  out.reserve(64 * 1024);
  soap::BeginResponse(&out, "query", ctx.ep.version);
  out += "<queryResult><ReturnCode>1</ReturnCode><EntityResults>";
  long long rows = 0, last_id = 0;
  // Restricted users see no rows of entities they have no access to and, where rows carry a
  // line of business, only those of their own (users.cc; no error either way).
  bool visible = RestrictQuery(*ctx.user, e, &c.where, &c.params);
  if (visible) {
    // Rows serialised earlier from the same data are reused (query_cache.h): any write since
    // makes them stale.
    std::string key =
        QueryCache::MakeKey(cat_.EntityIndex(&e), static_cast<int>(ctx.flavour), c.where, c.params);
    QueryCache::Result cached;
    if (ctx.tenant->query_cache.Find(db, key, &cached)) {
      out.reserve(out.size() + cached.xml->size() + 512);
      out += *cached.xml;
      rows = cached.rows;
      last_id = cached.last_id;
    } else {
      // Room for a page like the last one answered on this thread: no regrowth on the way.
      static thread_local size_t last_size = 0;
      out.reserve(std::max(out.capacity(), last_size + last_size / 8));
      size_t start = out.size();
      auto page = soap::AppendEntities(&out, db, e, ctx.flavour, c.where, c.params);
      if (!page.ok()) {
        ctx.Error({"The query could not be run: " + page.status().message()});
        return;
      }
      rows = page->rows;
      last_id = page->last_id;
      last_size = out.size();
      if (ctx.tenant->query_cache.Admit(key)) {
        cached.xml = std::make_shared<const std::string>(out, start);
        cached.rows = rows;
        cached.last_id = last_id;
        ctx.tenant->query_cache.Put(db, std::move(key), std::move(cached));
      }
    }
  }
  out += "</EntityResults>";
  soap::Element(&out, "EntityResultType", e.lower_name);
  out += "<Errors/><EntityReturnInfoResults/></queryResult>";
  soap::EndResponse(&out, "query");
  ctx.j.rows = rows;
  ctx.j.last_id = last_id;
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
