// A rolling 60-minute call counter with one-second buckets: Add() and Count() are O(1)
// amortised, memory is fixed. Thread-safe.
#pragma once

#include <mutex>
#include <vector>

#include "common/clock.h"

namespace atws::service {

class UsageWindow {
 public:
  explicit UsageWindow(int window_seconds = 3600);
  void Add(Micros now, long long n = 1);
  // Calls counted in the window ending at `now`.
  long long Count(Micros now);
  // Replaces the window's content with `n` calls spread evenly over the window.
  void Set(Micros now, long long n);
  void Clear();
  int window_seconds() const { return window_; }

 private:
  void Expire(long long sec);
  std::mutex mu_;
  int window_;
  std::vector<long long> buckets_;
  long long last_sec_ = 0;
  long long total_ = 0;
};

}  // namespace atws::service
