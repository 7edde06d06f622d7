// The hourly call threshold of a tenant (a rolling 60-minute window of external calls), its
// latency tiers, the warning near the limit and the suspension past it; and the concurrent-call
// ("thread") limit per IntegrationCode and entity. docs/threshold.md describes the behaviour.
//
// The decision is made once per authenticated external call (getThresholdAndUsageInfo is
// exempt, A-THRESHOLD-SELF). The latency it returns is not slept here: the HTTP layer holds the
// answer back without holding a worker thread (HttpResponse::delay_ms).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "throttle/usage_window.h"

namespace atws::soap {
struct Request;
}

namespace atws::service {

// A tenant's threshold settings (the admin API and the configuration file change them; the
// tenant's settings extend them: TenantSettings, service/service.h).
struct ThresholdSettings {
  long long threshold = 10000;  // external calls per rolling 60 minutes
  // Added latency: from latency_tier1_pct % of the threshold tier1_ms, from tier2_pct % tier2_ms.
  int latency_tier1_pct = 50, latency_tier1_ms = 500;
  int latency_tier2_pct = 75, latency_tier2_ms = 1000;
  // Least time between two held-back answers of the tenant: when many held calls fall due
  // together (clients that call again as soon as they are answered stay in step), the later
  // ones wait up to this much each behind the one before, so that the tenant's answers and
  // its clients' next calls come spread out instead of in bursts. 0 = off (docs/threshold.md).
  int held_spacing_ms = 2;
  int warn_pct = 90;            // journal/log warning from this usage on
  bool count_rejected = false;  // do calls refused while suspended count? (A-THRESHOLD-REJECTED)
  int thread_limit = 3;         // concurrent calls per (IntegrationCode, entity); 0 = off
};

// The figures for a number of calls in the window under a tenant's settings.
struct ThresholdState {
  long long calls = 0;       // calls in the rolling window
  long long threshold = 0;   // settings.threshold
  double percent = 0;        // calls / threshold × 100
  int tier = 0;              // 0: no latency; 1: from latency_tier1_pct; 2: from latency_tier2_pct
  long long latency_ms = 0;  // latency a call admitted with these figures gets
  bool warning = false;      // from warn_pct on
  bool suspended = false;    // calls ≥ threshold: calls are refused
};

// Pure: the state for `calls` calls in the window.
ThresholdState EvaluateThreshold(const ThresholdSettings& s, long long calls);

struct ThrottleDecision {
  ThresholdState seen;   // the figures the call met (before it counted itself)
  bool refused = false;  // suspended: answer with `error`
  bool counted = false;  // the call was added to the window
  long long latency_ms = 0;
  std::string reason;   // journal latency_reason ("" when no latency and not refused)
  std::string warning;  // journal warning ("" below warn_pct)
  std::string error;    // the suspension message (A-THRESHOLD-TEXT) when refused
};

// The decision for one external call at `now`: reads the window, decides, and counts the call
// (a refused one only when settings.count_rejected, A-THRESHOLD-REJECTED).
ThrottleDecision AdmitCall(UsageWindow& usage, const ThresholdSettings& s, Micros now);

// Spacing of a tenant's held-back answers (ThresholdSettings::held_spacing_ms). A call admitted
// at `now_us` with `latency_ms` of threshold latency is answered at now + latency, or
// `spacing_ms` after the tenant's latest held answer (*last_due_us) when that is later, but
// never more than kMaxHoldMs (common/http_message.h; or the latency, if longer) after now. Updates
// *last_due_us; returns the milliseconds added to the latency (0 when none; rounded up).
long long SpreadHeldAnswer(long long* last_due_us, long long now_us, long long latency_ms,
                           int spacing_ms);

// A-THRESHOLD-TEXT.
std::string ThresholdExceededMessage(long long threshold, int window_minutes);
// A-THREAD-LIMIT (text of the REST API's thread limit, seen in n8n PR #107).
std::string ThreadLimitMessage(int limit);

// The entity a call addresses, for the thread limit: the first entity's xsi:type of
// create/update/delete, the <entity> of a query's sXML, psObjectType / psTable of
// GetFieldInfo / getUDFInfo; "" for calls without one. ASCII lower case.
std::string CallEntity(const soap::Request& req);

// Calls in flight per key (IntegrationCode + entity). A token from TryAcquire keeps its slot
// until it is destroyed (the HTTP layer keeps it until the answer has been handed to the
// socket, so a held-back answer still occupies its "thread"). Thread-safe; tokens may outlive
// the counter.
class InFlightCounter {
 public:
  InFlightCounter();
  // A token, or nullptr when `limit` calls with this key are already in flight. limit <= 0:
  // no limit (a token is still returned, so counts stay right if the limit is switched on).
  std::shared_ptr<void> TryAcquire(const std::string& key, int limit);
  int InFlight(const std::string& key) const;

 private:
  struct State {
    std::mutex mu;
    std::unordered_map<std::string, int> counts;
  };
  std::shared_ptr<State> state_;
};

}  // namespace atws::service
