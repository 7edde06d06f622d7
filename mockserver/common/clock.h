// One clock for every behaviour that depends on time (threshold window, settle delay,
// change-tracking stamps, journal). Tests and the admin API move it; nothing else in the
// server calls std::chrono's clocks for behaviour.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

namespace atws {

// Microseconds since the Unix epoch, UTC.
using Micros = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Micros Now() const = 0;
};

// The real clock, optionally shifted and/or frozen (the admin API's POST /__admin/clock).
// Thread-safe.
class ControlledClock : public Clock {
 public:
  ControlledClock() = default;
  Micros Now() const override;
  // Moves time forward by `delta` (negative moves it back). A frozen clock stays frozen.
  void Advance(Micros delta);
  // Sets the time to `t` and freezes it there until Resume().
  void SetFrozen(Micros t);
  // Freezes at the current time.
  void Freeze();
  // Real time flows again from where the clock stands (the offset is kept).
  void Resume();
  // Back to real time: not frozen, no offset (the admin API's reset of all tenants).
  void Reset();
  bool frozen() const;

 private:
  static Micros RealNow();
  mutable std::mutex mu_;
  Micros offset_ = 0;
  bool frozen_ = false;
  Micros frozen_at_ = 0;
};

// A manual clock for unit tests.
class ManualClock : public Clock {
 public:
  explicit ManualClock(Micros start) : now_(start) {}
  Micros Now() const override { return now_.load(); }
  void Advance(Micros d) { now_ += d; }
  void Set(Micros t) { now_ = t; }

 private:
  std::atomic<Micros> now_;
};

}  // namespace atws
