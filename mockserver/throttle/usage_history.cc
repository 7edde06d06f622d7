#include "throttle/usage_history.h"

#include <algorithm>

namespace atws::service {

namespace {

// The machine's clock, not the mock's: samples are placed on the chart by when they were
// taken, also while the mock's clock is frozen or moved. Presentation only, no behaviour.
Micros WallNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

UsageHistory::UsageHistory(std::chrono::milliseconds interval, size_t capacity)
    : interval_(interval), capacity_(std::max<size_t>(capacity, 1)) {}

UsageHistory::~UsageHistory() { Stop(); }

void UsageHistory::Start(Sampler sampler) {
  Stop();
  {
    std::lock_guard<std::mutex> l(mu_);
    sampler_ = std::move(sampler);
    stop_ = false;
  }
  SampleNow();
  thread_ = std::thread([this] { Run(); });
}

void UsageHistory::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void UsageHistory::SampleNow() {
  Sampler sampler;
  {
    std::lock_guard<std::mutex> l(mu_);
    sampler = sampler_;
  }
  if (!sampler) return;
  UsageSample s;
  s.wall = WallNow();
  sampler(&s);  // outside mu_: it takes the tenants' locks
  std::lock_guard<std::mutex> l(mu_);
  samples_.push_back(std::move(s));
  while (samples_.size() > capacity_) samples_.pop_front();
}

std::vector<UsageSample> UsageHistory::Samples(Micros since) const {
  std::lock_guard<std::mutex> l(mu_);
  auto first = std::find_if(samples_.begin(), samples_.end(),
                            [since](const UsageSample& s) { return s.wall >= since; });
  return std::vector<UsageSample>(first, samples_.end());
}

void UsageHistory::Run() {
  std::unique_lock<std::mutex> l(mu_);
  auto next = std::chrono::steady_clock::now() + interval_;
  while (!stop_) {
    if (cv_.wait_until(l, next, [this] { return stop_; })) break;
    l.unlock();
    SampleNow();
    l.lock();
    next += interval_;
    // A machine that slept (or a slow sampler) skips the missed ticks instead of catching up.
    auto now = std::chrono::steady_clock::now();
    if (next < now) next = now + interval_;
  }
}

}  // namespace atws::service
