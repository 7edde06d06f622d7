#include "common/clock.h"

#include <chrono>

namespace atws {

Micros ControlledClock::RealNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Micros ControlledClock::Now() const {
  std::lock_guard<std::mutex> l(mu_);
  if (frozen_) return frozen_at_;
  return RealNow() + offset_;
}

void ControlledClock::Advance(Micros delta) {
  std::lock_guard<std::mutex> l(mu_);
  if (frozen_)
    frozen_at_ += delta;
  else
    offset_ += delta;
}

void ControlledClock::SetFrozen(Micros t) {
  std::lock_guard<std::mutex> l(mu_);
  frozen_ = true;
  frozen_at_ = t;
}

void ControlledClock::Freeze() {
  std::lock_guard<std::mutex> l(mu_);
  if (!frozen_) {
    frozen_at_ = RealNow() + offset_;
    frozen_ = true;
  }
}

void ControlledClock::Resume() {
  std::lock_guard<std::mutex> l(mu_);
  if (frozen_) {
    offset_ = frozen_at_ - RealNow();
    frozen_ = false;
  }
}

void ControlledClock::Reset() {
  std::lock_guard<std::mutex> l(mu_);
  frozen_ = false;
  offset_ = 0;
}

bool ControlledClock::frozen() const {
  std::lock_guard<std::mutex> l(mu_);
  return frozen_;
}

}  // namespace atws
