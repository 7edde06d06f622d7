// A time-ordered queue of tasks run by one dedicated thread. The HTTP layer uses two: one sends
// the answers that the threshold holds back (added latency) without keeping a Pistache worker
// thread busy; the other, at a low scheduling priority, runs the calls of throttled tenants so
// that they do not hold up the reactor threads that serve everyone else (server.cc).
// Knows nothing of Pistache.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace atws::http {

class DelayQueue {
 public:
  using Clock = std::chrono::steady_clock;
  using Task = std::function<void()>;

  // How the queue's thread is scheduled against the rest of the process (Linux).
  enum class Priority {
    kNormal,  // as every other thread
    kLow,     // nice 19: a small share of a busy core
    kIdle,    // SCHED_IDLE: runs only when nothing else wants the core
  };

  // `name`: the thread's name (top -H, /proc), at most 15 characters.
  explicit DelayQueue(Priority priority = Priority::kNormal, const char* name = "atws-delay");
  ~DelayQueue();  // Stop()
  DelayQueue(const DelayQueue&) = delete;
  DelayQueue& operator=(const DelayQueue&) = delete;

  // Runs `task` on the queue's thread once `due` has passed (tasks due at the same instant in
  // the order they were scheduled). After Stop() the task runs at once on the caller's thread.
  void Schedule(Clock::time_point due, Task task);
  // Runs `task` as soon as the thread is free, after the tasks already due (first in, first out).
  void Post(Task task) { Schedule(Clock::now(), std::move(task)); }
  // Ends the thread; tasks still waiting run at once, on the caller's thread. Idempotent.
  void Stop();
  size_t pending() const;

 private:
  struct Item {
    Clock::time_point due;
    uint64_t seq;
    Task task;
  };
  struct Later {
    bool operator()(const Item& a, const Item& b) const {
      return a.due != b.due ? a.due > b.due : a.seq > b.seq;
    }
  };
  void Run(Priority priority, const char* name);
  static void RunTask(Task& t);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Item, std::vector<Item>, Later> items_;
  uint64_t next_seq_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace atws::http
