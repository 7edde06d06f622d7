#include "throttle/usage_window.h"

namespace atws::service {

UsageWindow::UsageWindow(int window_seconds)
    : window_(window_seconds), buckets_(static_cast<size_t>(window_seconds), 0) {}

void UsageWindow::Expire(long long sec) {
  if (last_sec_ == 0 || sec - last_sec_ >= window_) {
    if (total_ != 0)
      for (auto& b : buckets_) b = 0;
    total_ = 0;
    last_sec_ = sec;
    return;
  }
  while (last_sec_ < sec) {
    ++last_sec_;
    long long& b = buckets_[static_cast<size_t>(last_sec_ % window_)];
    total_ -= b;
    b = 0;
  }
}

void UsageWindow::Add(Micros now, long long n) {
  std::lock_guard<std::mutex> l(mu_);
  long long sec = now / 1000000;
  Expire(sec);
  // A clock moved backwards counts the call in the newest bucket.
  buckets_[static_cast<size_t>(last_sec_ % window_)] += n;
  total_ += n;
}

long long UsageWindow::Count(Micros now) {
  std::lock_guard<std::mutex> l(mu_);
  Expire(now / 1000000);
  return total_;
}

void UsageWindow::Set(Micros now, long long n) {
  std::lock_guard<std::mutex> l(mu_);
  long long sec = now / 1000000;
  for (auto& b : buckets_) b = 0;
  last_sec_ = sec;
  total_ = n < 0 ? 0 : n;
  // Evenly spread: second k of the window (0 = oldest) gets floor((k+1)n/W) - floor(kn/W).
  for (int k = 0; k < window_; ++k) {
    long long v = (k + 1) * total_ / window_ - k * total_ / window_;
    long long s = sec - (window_ - 1) + k;
    buckets_[static_cast<size_t>((s % window_ + window_) % window_)] = v;
  }
}

void UsageWindow::Clear() {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& b : buckets_) b = 0;
  total_ = 0;
  last_sec_ = 0;
}

}  // namespace atws::service
