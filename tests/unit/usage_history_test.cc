// UsageHistory: the admin page's ring buffer of usage samples (throttle/usage_history.h).
#include "throttle/usage_history.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

using atws::service::UsageHistory;
using atws::service::UsageSample;

TEST_CASE("UsageHistory samples at start and on its interval, bounded", "[ui][usage]") {
  UsageHistory h(std::chrono::milliseconds(10), 5);
  CHECK(h.Samples().empty());  // nothing before Start
  long long n = 0;
  h.Start([&n](UsageSample* s) {
    s->clock = ++n;
    s->points.push_back({42, n * 10, 100});
  });
  auto first = h.Samples();
  REQUIRE(!first.empty());  // the first sample is taken at once
  CHECK(first.front().points.at(0).tenant == 42);
  for (int i = 0; i < 200 && h.Samples().size() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  h.Stop();
  auto all = h.Samples();
  REQUIRE(all.size() == 5);  // capacity
  for (size_t i = 1; i < all.size(); ++i) {
    CHECK(all[i].clock == all[i - 1].clock + 1);  // oldest first, the oldest dropped
    CHECK(all[i].wall >= all[i - 1].wall);
  }
  CHECK(all.back().clock == n);
  // Stopped: no more samples.
  long long stopped_at = n;
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  CHECK(n == stopped_at);
  // Samples(since) keeps the newer ones.
  CHECK(h.Samples(all[3].wall).size() >= 2);
  CHECK(h.Samples(all.back().wall + 1).empty());
}

TEST_CASE("UsageHistory stops promptly however long its interval", "[ui][usage]") {
  auto t0 = std::chrono::steady_clock::now();
  {
    UsageHistory h(std::chrono::hours(1), 10);
    h.Start([](UsageSample*) {});
  }
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
}
