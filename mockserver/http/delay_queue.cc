#include "http/delay_queue.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

namespace atws::http {

DelayQueue::DelayQueue(Priority priority, const char* name)
    : thread_([this, priority, name] { Run(priority, name); }) {}

DelayQueue::~DelayQueue() { Stop(); }

void DelayQueue::RunTask(Task& t) {
  try {
    t();
  } catch (...) {
    // A task that fails (the client went away …) must not end the thread.
  }
  t = nullptr;  // release what the task holds (the writer, a thread-limit slot) right away
}

void DelayQueue::Schedule(Clock::time_point due, Task task) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!stopping_) {
      bool earliest = items_.empty() || due < items_.top().due;
      items_.push(Item{due, next_seq_++, std::move(task)});
      if (earliest) cv_.notify_one();
      return;
    }
  }
  RunTask(task);
}

void DelayQueue::Run(Priority priority, const char* name) {
  pthread_setname_np(pthread_self(), name);
  // Lowering a thread's own priority needs no privilege. If it fails (another kernel), the
  // thread runs at the normal priority: slower isolation, same answers.
  if (priority == Priority::kIdle) {
    sched_param p{};
    p.sched_priority = 0;
    sched_setscheduler(0, SCHED_IDLE, &p);  // 0: the calling thread
  } else if (priority == Priority::kLow) {
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
  }
  const bool yield = priority != Priority::kNormal;
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    if (stopping_) return;
    if (items_.empty()) {
      cv_.wait(l);
      continue;
    }
    auto due = items_.top().due;
    if (Clock::now() < due) {
      cv_.wait_until(l, due);
      continue;
    }
    // priority_queue::top is const: move the task out through a const_cast of the element,
    // which is popped right after.
    Task t = std::move(const_cast<Item&>(items_.top()).task);
    items_.pop();
    l.unlock();
    RunTask(t);
    // A thread below the normal priority gives the core back after each task: the scheduler
    // (EEVDF) otherwise lets it finish its time slice, a millisecond or more, before a thread
    // of another tenant's call that wakes meanwhile gets the core.
    if (yield) sched_yield();
    l.lock();
  }
}

void DelayQueue::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<Task> rest;
  {
    std::lock_guard<std::mutex> l(mu_);
    while (!items_.empty()) {
      rest.push_back(std::move(const_cast<Item&>(items_.top()).task));
      items_.pop();
    }
  }
  for (auto& t : rest) RunTask(t);
}

size_t DelayQueue::pending() const {
  std::lock_guard<std::mutex> l(mu_);
  return items_.size();
}

}  // namespace atws::http
