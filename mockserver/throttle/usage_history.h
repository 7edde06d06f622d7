// Each tenant's threshold usage over time, for the admin page's chart: a ring buffer of samples
// of every tenant's hourly call count, taken by a background thread every `interval` of wall
// time (10 s in the server). Bounded: `capacity` samples (6 hours at 10 s). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"

namespace atws::service {

struct UsagePoint {
  long long tenant = 0;
  long long calls = 0;      // calls in the rolling window at the sample
  long long threshold = 0;  // the tenant's threshold then
};

struct UsageSample {
  Micros wall = 0;   // UTC micros of the machine's clock (the x axis of the chart)
  Micros clock = 0;  // the mock's clock (may be frozen or moved by the admin API)
  std::vector<UsagePoint> points;
};

class UsageHistory {
 public:
  // What one sample reads: the mock clock's now and every tenant's figures.
  using Sampler = std::function<void(UsageSample*)>;

  explicit UsageHistory(std::chrono::milliseconds interval = std::chrono::seconds(10),
                        size_t capacity = 2160);
  ~UsageHistory();  // stops the thread
  UsageHistory(const UsageHistory&) = delete;
  UsageHistory& operator=(const UsageHistory&) = delete;

  // Takes a sample at once, then one every interval until Stop(); calling it again restarts.
  void Start(Sampler sampler);
  void Stop();
  // Takes one sample now (also what the thread does).
  void SampleNow();
  // Samples with wall time >= since (0 = all), oldest first.
  std::vector<UsageSample> Samples(Micros since = 0) const;
  std::chrono::milliseconds interval() const { return interval_; }
  size_t capacity() const { return capacity_; }

 private:
  void Run();

  const std::chrono::milliseconds interval_;
  const size_t capacity_;
  Sampler sampler_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::deque<UsageSample> samples_;
  std::thread thread_;
};

}  // namespace atws::service
