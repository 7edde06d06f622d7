// The threshold decision (tiers, warning, suspension, what counts), the thread-limit counter,
// the entity a call addresses, and the HTTP layer's delay queue.
#include "throttle/throttle.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "faults/faults.h"
#include "http/delay_queue.h"
#include "service/service.h"
#include "soap/soap.h"

using namespace atws;
using namespace atws::service;

namespace {

constexpr Micros kSecond = 1000000;
constexpr Micros kStart = 1767276000LL * kSecond;  // 2026-01-01T14:00:00Z

}  // namespace

TEST_CASE("EvaluateThreshold: tiers, warning and suspension at the documented edges",
          "[throttle]") {
  TenantSettings s;  // 10000, 50 % → 500 ms, 75 % → 1000 ms, warning from 90 %
  struct Row {
    long long calls;
    int tier;
    long long latency;
    bool warning, suspended;
  } rows[] = {
      {0, 0, 0, false, false},      {4999, 0, 0, false, false},    {5000, 1, 500, false, false},
      {7499, 1, 500, false, false}, {7500, 2, 1000, false, false}, {8999, 2, 1000, false, false},
      {9000, 2, 1000, true, false}, {9999, 2, 1000, true, false},  {10000, 2, 1000, true, true},
      {25000, 2, 1000, true, true},
  };
  for (const auto& r : rows) {
    INFO(r.calls);
    auto st = EvaluateThreshold(s, r.calls);
    CHECK(st.calls == r.calls);
    CHECK(st.threshold == 10000);
    CHECK(st.tier == r.tier);
    CHECK(st.latency_ms == r.latency);
    CHECK(st.warning == r.warning);
    CHECK(st.suspended == r.suspended);
  }
  CHECK(EvaluateThreshold(s, 5000).percent == Approx(50.0));

  // Odd thresholds: the edges are exact (no rounding), 3 of 7 is below 50 %, 4 of 7 above.
  s.threshold = 7;
  CHECK(EvaluateThreshold(s, 3).tier == 0);
  CHECK(EvaluateThreshold(s, 4).tier == 1);
  CHECK(EvaluateThreshold(s, 6).tier == 2);
  CHECK(EvaluateThreshold(s, 7).suspended);

  // Tiers switched off by 0 ms still report the tier.
  s.latency_tier1_ms = 0;
  CHECK(EvaluateThreshold(s, 4).latency_ms == 0);
  CHECK(EvaluateThreshold(s, 4).tier == 1);
}

TEST_CASE("AdmitCall counts admitted calls and refused ones only with count_rejected",
          "[throttle]") {
  TenantSettings s;
  s.threshold = 10;
  UsageWindow w;
  Micros now = kStart;
  for (int i = 0; i < 10; ++i) {
    auto d = AdmitCall(w, s, now);
    CHECK_FALSE(d.refused);
    CHECK(d.counted);
    CHECK(d.seen.calls == i);
    CHECK(d.latency_ms == (i >= 8 ? 1000 : i >= 5 ? 500 : 0));
    CHECK(d.reason.empty() == (i < 5));
    CHECK(d.warning.empty() == (i < 9));
  }
  CHECK(w.Count(now) == 10);
  auto d = AdmitCall(w, s, now);
  CHECK(d.refused);
  CHECK_FALSE(d.counted);
  CHECK(d.latency_ms == 0);
  CHECK(d.error ==
        "Your request could not be processed because the API call threshold of 10 calls per 60 "
        "minutes has been exceeded. Try again later.");
  CHECK(d.reason.rfind("suspended", 0) == 0);
  CHECK(w.Count(now) == 10);

  s.count_rejected = true;
  d = AdmitCall(w, s, now);
  CHECK(d.refused);
  CHECK(d.counted);
  CHECK(w.Count(now) == 11);

  // The window rolls: an hour later everything has left it.
  d = AdmitCall(w, s, now + 3600 * kSecond);
  CHECK_FALSE(d.refused);
  CHECK(d.seen.calls == 0);
  CHECK(w.Count(now + 3600 * kSecond) == 1);
}

TEST_CASE("AdmitCall: a window spread by UsageWindow::Set releases as calls age out",
          "[throttle]") {
  TenantSettings s;
  UsageWindow w;
  w.Set(kStart, 10000);
  CHECK(AdmitCall(w, s, kStart).refused);
  // 10000 calls over 3600 s: the oldest second holds 2 or 3; one second later the window is
  // below the threshold and the next call passes (with the tier-2 latency).
  auto d = AdmitCall(w, s, kStart + kSecond);
  CHECK_FALSE(d.refused);
  CHECK(d.seen.calls < 10000);
  CHECK(d.latency_ms == 1000);
}

TEST_CASE("SpreadHeldAnswer: a burst of held answers goes out spaced, a lone one on time",
          "[throttle]") {
  const long long t0 = 5000000000LL;  // µs on the steady clock
  long long last = 0;
  // Alone: exactly the latency.
  CHECK(SpreadHeldAnswer(&last, t0, 1000, 2) == 0);
  CHECK(last == t0 + 1000000);
  // 4 more calls in the same 300 µs: each 2 ms behind the one before (rounded up to whole ms
  // from when it was admitted).
  CHECK(SpreadHeldAnswer(&last, t0 + 100, 1000, 2) == 2);  // due t0+1.002 s: 1001.9 ms → 1002
  CHECK(last == t0 + 1002000);
  CHECK(SpreadHeldAnswer(&last, t0 + 200, 1000, 2) == 4);
  CHECK(SpreadHeldAnswer(&last, t0 + 300, 1000, 2) == 6);
  CHECK(last == t0 + 1006000);
  // A call whose own due time is past the last slot + spacing is not moved.
  CHECK(SpreadHeldAnswer(&last, t0 + 9000, 1000, 2) == 0);
  CHECK(last == t0 + 1009000);
  // Spacing 0: never moved, whatever the burst.
  long long off = 0;
  for (int i = 0; i < 100; ++i) CHECK(SpreadHeldAnswer(&off, t0 + i, 1000, 0) == 0);
  // A different latency (tier 1 after tier 2): the slot is kept in order behind the later one.
  long long mixed = 0;
  CHECK(SpreadHeldAnswer(&mixed, t0, 1000, 5) == 0);
  CHECK(SpreadHeldAnswer(&mixed, t0, 500, 5) == 505);  // due behind the 1000 ms answer
  CHECK(mixed == t0 + 1005000);
}

TEST_CASE("SpreadHeldAnswer never holds an answer past kMaxHoldMs", "[throttle]") {
  const long long t0 = 7000000000LL;
  long long last = 0;
  long long most = 0;
  // 10,000 calls at once with 1 s latency and 2 ms spacing would need 20 s: the tail is capped.
  for (int i = 0; i < 10000; ++i) {
    long long extra = SpreadHeldAnswer(&last, t0, 1000, 2);
    CHECK(extra >= 0);
    most = std::max(most, 1000 + extra);
  }
  CHECK(most == kMaxHoldMs);
  CHECK(last == t0 + kMaxHoldMs * 1000);
  // A latency longer than the cap is never shortened.
  long long l2 = 0;
  CHECK(SpreadHeldAnswer(&l2, t0, 9000, 2) == 0);
  CHECK(SpreadHeldAnswer(&l2, t0, 9000, 2) == 0);
}

TEST_CASE("Threshold and thread-limit messages", "[throttle]") {
  CHECK(ThresholdExceededMessage(10000, 60) ==
        "Your request could not be processed because the API call threshold of 10000 calls per "
        "60 minutes has been exceeded. Try again later.");
  CHECK(ThreadLimitMessage(3) ==
        "Thread Threshold Exceeded \xE2\x80\x94 The Autotask API thread threshold of 3 threads "
        "has been exceeded.");
  CHECK(ThreadLimitMessage(1).find("of 1 thread has") != std::string::npos);
}

TEST_CASE("CallEntity names the entity of a call", "[throttle]") {
  soap::Request q;
  q.operation = "query";
  q.args.emplace_back("sXML",
                      "<queryxml><Entity> Ticket </Entity><query><field>id<expression "
                      "op=\"greaterthan\">0</expression></field></query></queryxml>");
  CHECK(CallEntity(q) == "ticket");
  q.args[0].second = "<queryxml><entityx>No</entityx><entity>Account</entity></queryxml>";
  CHECK(CallEntity(q) == "account");
  q.args[0].second = "<queryxml/>";
  CHECK(CallEntity(q) == "");

  soap::Request c;
  c.operation = "create";
  c.entities.push_back({"Contact", {}, {}});
  c.entities.push_back({"Ticket", {}, {}});
  CHECK(CallEntity(c) == "contact");

  soap::Request f;
  f.operation = "GetFieldInfo";
  f.args.emplace_back("psObjectType", "Ticket");
  CHECK(CallEntity(f) == "ticket");
  f.operation = "GetEntityInfo";
  CHECK(CallEntity(f) == "");
}

TEST_CASE("InFlightCounter: tokens hold slots until destroyed", "[throttle]") {
  InFlightCounter c;
  auto a = c.TryAcquire("CODE\nticket", 2);
  auto b = c.TryAcquire("CODE\nticket", 2);
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(c.TryAcquire("CODE\nticket", 2));
  CHECK(c.TryAcquire("CODE\naccount", 2));  // another key; its token is released at once
  CHECK(c.InFlight("CODE\nticket") == 2);
  CHECK(c.InFlight("CODE\naccount") == 0);
  a.reset();
  CHECK(c.InFlight("CODE\nticket") == 1);
  auto d = c.TryAcquire("CODE\nticket", 2);
  CHECK(d);
  CHECK(c.TryAcquire("CODE\nticket", 0));  // 0: no limit
  // Tokens may outlive the counter.
  std::shared_ptr<void> late;
  {
    InFlightCounter gone;
    late = gone.TryAcquire("k", 1);
  }
  late.reset();

  // Concurrent acquire/release keeps the count exact.
  InFlightCounter many;
  std::atomic<int> peak{0}, refused{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto tok = many.TryAcquire("k", 3);
        if (!tok) {
          ++refused;
          continue;
        }
        int n = many.InFlight("k");
        int p = peak.load();
        while (n > p && !peak.compare_exchange_weak(p, n)) {
        }
      }
    });
  for (auto& t : ts) t.join();
  CHECK(peak.load() <= 3);
  CHECK(many.InFlight("k") == 0);
}

TEST_CASE("DelayQueue runs tasks when due, in order, on its own thread", "[throttle][delay]") {
  using namespace std::chrono;
  http::DelayQueue q;
  std::mutex mu;
  std::vector<int> order;
  std::vector<long long> at;
  auto t0 = steady_clock::now();
  auto caller = std::this_thread::get_id();
  std::atomic<bool> other_thread{true};
  auto task = [&](int id) {
    return [&, id] {
      std::lock_guard<std::mutex> l(mu);
      order.push_back(id);
      at.push_back(duration_cast<milliseconds>(steady_clock::now() - t0).count());
      if (std::this_thread::get_id() == caller) other_thread = false;
    };
  };
  q.Schedule(t0 + milliseconds(120), task(3));
  q.Schedule(t0 + milliseconds(40), task(1));
  q.Schedule(t0 + milliseconds(80), task(2));
  q.Schedule(t0 + milliseconds(80), task(22));  // same instant: after 2
  CHECK(q.pending() == 4);
  for (int i = 0; i < 100 && q.pending() > 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(20));
  std::lock_guard<std::mutex> l(mu);
  CHECK(order == std::vector<int>{1, 2, 22, 3});
  REQUIRE(at.size() == 4);
  CHECK(at[0] >= 40);
  CHECK(at[1] >= 80);
  CHECK(at[3] >= 120);
  CHECK(other_thread);
}

TEST_CASE("DelayQueue::Stop runs what is waiting at once, later tasks run inline",
          "[throttle][delay]") {
  using namespace std::chrono;
  http::DelayQueue q;
  int ran = 0;
  auto hold = std::make_shared<int>(1);
  q.Schedule(steady_clock::now() + seconds(60), [&ran, hold] { ++ran; });
  CHECK(hold.use_count() == 2);
  auto t0 = steady_clock::now();
  q.Stop();
  CHECK(duration_cast<milliseconds>(steady_clock::now() - t0).count() < 1000);
  CHECK(ran == 1);
  CHECK(hold.use_count() == 1);  // the task (and what it held) is gone
  q.Schedule(steady_clock::now() + seconds(60), [&ran] { ++ran; });
  CHECK(ran == 2);
  q.Stop();  // idempotent
}
