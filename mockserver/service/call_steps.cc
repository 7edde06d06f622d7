// The steps of the call pipeline that join a module's decision to the call: the threshold
// (throttle/throttle.h) and fault injection (faults/faults.h).
#include <fmt/format.h>

#include <chrono>

#include "common/text.h"
#include "ops/call.h"
#include "service/service.h"
#include "soap/soap.h"

namespace atws::service {

// ------------------------------------------------------------------------------ threshold

bool Service::LikelyHeld(const HttpRequest& req) const {
  std::string_view auth = Trim(req.authorization);
  if (!AsciiIStartsWith(auth, "basic ") || auth.size() > 512) return false;
  std::string decoded;
  if (!Base64Decode(Trim(auth.substr(6)), &decoded)) return false;
  size_t colon = decoded.find(':');
  UserRef ref;
  if (colon == std::string::npos || !FindUser(std::string_view(decoded).substr(0, colon), &ref))
    return false;
  return ref.tenant->held_back.load(std::memory_order_relaxed);
}

// Called by HandleSoap for every authenticated external call, holding the tenant's db mutex
// (settings are written under it). False: the call is refused and ctx holds the error.
bool Service::Throttle(CallContext& ctx, HttpResponse* resp) {
  Tenant& t = *ctx.tenant;
  std::string_view op = ctx.op->name;
  if (op == "getThresholdAndUsageInfo") return true;  // A-THRESHOLD-SELF
  const TenantSettings& s = t.settings;
  ThrottleDecision d = AdmitCall(t.usage, s, clock_->Now());
  t.held_back.store(d.refused || d.latency_ms > 0, std::memory_order_relaxed);
  ctx.j.warning = d.warning;
  if (d.refused) {
    ctx.j.latency_reason = d.reason;
    ctx.Error({d.error});
    return false;
  }
  if (s.thread_limit > 0) {
    std::string entity = CallEntity(ctx.req);
    auto token = t.in_flight.TryAcquire(ctx.req.integration_code + '\n' + entity, s.thread_limit);
    if (!token) {
      ctx.Error({ThreadLimitMessage(s.thread_limit)}, entity);
      return false;
    }
    resp->hold = std::move(token);
  }
  long long delay_ms = d.latency_ms;
  if (delay_ms > 0) {
    const long long now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    long long spread_ms =
        SpreadHeldAnswer(&t.last_held_due_us, now_us, delay_ms, s.held_spacing_ms);
    if (spread_ms > 0) {
      delay_ms += spread_ms;
      d.reason += fmt::format("; {} ms more behind the tenant's other held answers (spacing {} ms)",
                              spread_ms, s.held_spacing_ms);
    }
  }
  resp->delay_ms = delay_ms;
  ctx.j.latency_added_ms = delay_ms;
  ctx.j.latency_reason = d.reason;
  return true;
}

// ------------------------------------------------------------------------------ faults

bool Service::MatchFault(CallContext& ctx, FiredFault* out) {
  FaultCall call;
  call.operation = ctx.req.operation;
  call.entity = CallEntity(ctx.req);
  call.zone = ctx.ep.zone;
  if (ctx.tenant) {
    call.tenant = ctx.tenant->spec.id;
    call.user = ctx.user ? ctx.user->username : "";
  } else if (const std::string* name = ctx.req.Arg("UserName")) {  // getZoneInfo
    UserRef ref;
    if (FindUser(Trim(*name), &ref)) {
      call.tenant = ref.tenant->spec.id;
      call.user = ref.user->username;
    }
  }
  *out = faults_.Match(call);
  if (!out->fired) return false;
  if (ctx.j.entity.empty() && !call.entity.empty())
    if (const catalog::Entity* e = cat_.Find(call.entity)) ctx.j.entity = e->name;
  ctx.j.fault_id = out->id;
  ctx.j.fault_action = std::string(FaultActionName(out->action));
  return true;
}

HttpResponse Service::FaultAnswer(CallContext& ctx, const FiredFault& f) {
  HttpResponse r;
  const std::string note = fmt::format("fault {} ({})", f.id, FaultActionName(f.action));
  switch (f.action) {
    case FaultAction::kHttp500:
      ctx.j.errors.push_back(note + ": HTTP 500");
      r.status = 500;
      r.content_type = "text/plain; charset=utf-8";
      r.body = f.message + "\n";
      return r;
    case FaultAction::kSoapFault:
      ctx.j.errors.push_back(note + ": " + f.message);
      r.status = 500;
      r.body = soap::Fault("soap:Server", f.message);
      return r;
    case FaultAction::kAtwsError:
      ctx.Error({f.message}, AsciiLower(CallEntity(ctx.req)));  // the journal gets the message
      r.status = ctx.status;
      r.body = std::move(ctx.out);
      return r;
    case FaultAction::kDrop:
      ctx.j.errors.push_back(note + ": connection closed without an answer");
      r.status = 0;  // journal: no HTTP status was sent
      r.drop_connection = true;
      r.body.clear();
      return r;
    case FaultAction::kLatency:
    case FaultAction::kSlowBody:
      break;
  }
  return r;
}

void ApplyFaultToAnswer(const FiredFault& f, JournalEntry* j, HttpResponse* r) {
  if (!f.fired) return;
  if (f.action == FaultAction::kLatency) {
    long long total = std::min(r->delay_ms + f.latency_ms, kMaxHoldMs);
    long long added = total - r->delay_ms;
    r->delay_ms = total;
    j->latency_added_ms += added;
    std::string why = fmt::format("fault {}: +{} ms", f.id, added);
    if (added < f.latency_ms) why += fmt::format(" (capped at {} ms in all)", kMaxHoldMs);
    j->latency_reason = j->latency_reason.empty() ? why : j->latency_reason + "; " + why;
  } else if (f.action == FaultAction::kSlowBody) {
    // The whole answer stays within kMaxHoldMs: the body's time shrinks when latency precedes.
    r->slow_body_ms = std::max(0LL, std::min(f.duration_ms, kMaxHoldMs - r->delay_ms));
    r->slow_chunks = f.chunks;
    std::string why =
        fmt::format("fault {}: body sent in {} pieces over {} ms", f.id, f.chunks, r->slow_body_ms);
    j->latency_reason = j->latency_reason.empty() ? why : j->latency_reason + "; " + why;
  }
}

}  // namespace atws::service
