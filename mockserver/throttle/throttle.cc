#include "throttle/throttle.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "common/http_message.h"
#include "common/text.h"
#include "soap/soap.h"

namespace atws::service {

namespace {

// calls ≥ pct % of threshold, in integers (no rounding at the tier edges).
bool AtLeastPct(long long calls, int pct, long long threshold) {
  return calls * 100 >= static_cast<long long>(pct) * threshold;
}

// The text between the first <entity …> and the next '<' of a QueryXML document (any case).
std::string QueryEntity(std::string_view sxml) {
  std::string lower = AsciiLower(sxml.substr(0, 64 * 1024));
  size_t p = 0;
  while ((p = lower.find("<entity", p)) != std::string::npos) {
    char next = p + 7 < lower.size() ? lower[p + 7] : '\0';
    if (next == '>' || next == ' ' || next == '\t' || next == '\r' || next == '\n') break;
    p += 7;
  }
  if (p == std::string::npos) return "";
  size_t gt = lower.find('>', p);
  if (gt == std::string::npos) return "";
  size_t lt = lower.find('<', gt + 1);
  return std::string(Trim(std::string_view(lower).substr(
      gt + 1, lt == std::string::npos ? std::string::npos : lt - gt - 1)));
}

}  // namespace

ThresholdState EvaluateThreshold(const ThresholdSettings& s, long long calls) {
  ThresholdState st;
  st.calls = calls;
  st.threshold = s.threshold;
  st.percent = s.threshold > 0 ? static_cast<double>(calls) * 100.0 / s.threshold : 100.0;
  st.suspended = s.threshold <= 0 || calls >= s.threshold;
  st.warning = AtLeastPct(calls, s.warn_pct, s.threshold);
  if (AtLeastPct(calls, s.latency_tier2_pct, s.threshold)) {
    st.tier = 2;
    st.latency_ms = s.latency_tier2_ms;
  } else if (AtLeastPct(calls, s.latency_tier1_pct, s.threshold)) {
    st.tier = 1;
    st.latency_ms = s.latency_tier1_ms;
  }
  return st;
}

std::string ThresholdExceededMessage(long long threshold, int window_minutes) {
  return fmt::format(
      "Your request could not be processed because the API call threshold of {} calls per {} "
      "minutes has been exceeded. Try again later.",
      threshold, window_minutes);
}

std::string ThreadLimitMessage(int limit) {
  return fmt::format(
      "Thread Threshold Exceeded \xE2\x80\x94 The Autotask API thread threshold of {} {} has "
      "been exceeded.",
      limit, limit == 1 ? "thread" : "threads");
}

ThrottleDecision AdmitCall(UsageWindow& usage, const ThresholdSettings& s, Micros now) {
  ThrottleDecision d;
  // Count and add are two steps: concurrent calls at the edge may both pass (by at most the
  // number of worker threads), which the real service's eventual accounting allows as well.
  d.seen = EvaluateThreshold(s, usage.Count(now));
  const int minutes = usage.window_seconds() / 60;
  if (d.seen.warning)
    d.warning = fmt::format("{} of {} calls in the last {} minutes ({:.1f} %, warning from {} %)",
                            d.seen.calls, d.seen.threshold, minutes, d.seen.percent, s.warn_pct);
  if (d.seen.suspended) {
    d.refused = true;
    d.error = ThresholdExceededMessage(s.threshold, minutes);
    d.reason = fmt::format("suspended: {} of {} calls in the last {} minutes", d.seen.calls,
                           d.seen.threshold, minutes);
    if (s.count_rejected) {
      usage.Add(now);
      d.counted = true;
    }
    return d;
  }
  usage.Add(now);
  d.counted = true;
  d.latency_ms = d.seen.latency_ms;
  if (d.seen.tier > 0)
    d.reason =
        fmt::format("threshold tier {} (from {} %): {} of {} calls in the last {} minutes",
                    d.seen.tier, d.seen.tier == 2 ? s.latency_tier2_pct : s.latency_tier1_pct,
                    d.seen.calls, d.seen.threshold, minutes);
  return d;
}

std::string CallEntity(const soap::Request& req) {
  std::string_view op = req.operation;
  if (op == "create" || op == "update" || op == "delete")
    return req.entities.empty() ? "" : AsciiLower(req.entities.front().type);
  if (op == "query") {
    const std::string* sxml = req.Arg("sXML");
    return sxml ? QueryEntity(*sxml) : "";
  }
  const std::string* name = nullptr;
  if (op == "GetFieldInfo") name = req.Arg("psObjectType");
  if (op == "getUDFInfo") name = req.Arg("psTable");
  return name ? AsciiLower(Trim(*name)) : "";
}

InFlightCounter::InFlightCounter() : state_(std::make_shared<State>()) {}

std::shared_ptr<void> InFlightCounter::TryAcquire(const std::string& key, int limit) {
  {
    std::lock_guard<std::mutex> l(state_->mu);
    int& n = state_->counts[key];
    if (limit > 0 && n >= limit) {
      if (n == 0) state_->counts.erase(key);
      return nullptr;
    }
    ++n;
  }
  // The token's deleter gives the slot back; the state outlives the counter if need be.
  auto state = state_;
  auto* tag = new std::string(key);
  return std::shared_ptr<void>(tag, [state](void* p) {
    auto* k = static_cast<std::string*>(p);
    {
      std::lock_guard<std::mutex> l(state->mu);
      auto it = state->counts.find(*k);
      if (it != state->counts.end() && --it->second <= 0) state->counts.erase(it);
    }
    delete k;
  });
}

int InFlightCounter::InFlight(const std::string& key) const {
  std::lock_guard<std::mutex> l(state_->mu);
  auto it = state_->counts.find(key);
  return it == state_->counts.end() ? 0 : it->second;
}

long long SpreadHeldAnswer(long long* last_due_us, long long now_us, long long latency_ms,
                           int spacing_ms) {
  long long due_us = now_us + latency_ms * 1000;
  const long long spacing_us = static_cast<long long>(spacing_ms) * 1000;
  if (spacing_us > 0 && due_us < *last_due_us + spacing_us) {
    // Never past the most an answer may be held back (faults.h): a backlog that long loses
    // its spacing rather than its connections.
    const long long cap_us = now_us + std::max(latency_ms, kMaxHoldMs) * 1000;
    due_us = std::min(*last_due_us + spacing_us, cap_us);
  }
  *last_due_us = std::max(*last_due_us, due_us);
  // Whole milliseconds, rounded up: an answer never goes before its slot.
  return (due_us - now_us + 999) / 1000 - latency_ms;
}

}  // namespace atws::service
