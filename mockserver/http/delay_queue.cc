#include "http/delay_queue.h"

namespace atws::http {

DelayQueue::DelayQueue() : thread_([this] { Run(); }) {}

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

void DelayQueue::Run() {
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
