#include "service/journal.h"

#include "common/text.h"
#include "common/timeutil.h"

namespace atws::service {

nlohmann::json JournalEntry::ToJson(bool with_bodies) const {
  CivilTime t = ToLocal(time, ApiTimeZone::kUtc);
  nlohmann::json j = {
      {"seq", seq},
      {"time", FormatApiDateTime(t) + "Z"},
      {"tenant", tenant},
      {"zone", zone},
      {"off_zone", off_zone},
      {"user", user},
      {"integration_code", integration_code},
      {"integration_code_sent", integration_code_sent},
      {"api_version", api_version},
      {"operation", operation},
      {"entity", entity},
      {"rows", rows},
      {"errors", errors},
      {"http_status", http_status},
      {"latency_added_ms", latency_added_ms},
      {"latency_reason", latency_reason},
  };
  if (!warning.empty()) j["warning"] = warning;
  if (!query.is_null()) j["query"] = query;
  if (!written.is_null()) j["written"] = written;
  if (rows >= 0) j["last_id"] = last_id;
  if (with_bodies) {
    j["request"] = request;
    j["response"] = response;
  }
  return j;
}

uint64_t Journal::Add(JournalEntry e) {
  if (e.request.size() > body_limit_) {
    e.request.resize(body_limit_);
    e.request += "…[truncated]";
  }
  if (e.response.size() > body_limit_) {
    e.response.resize(body_limit_);
    e.response += "…[truncated]";
  }
  std::lock_guard<std::mutex> l(mu_);
  e.seq = next_seq_++;
  entries_.push_back(std::move(e));
  while (entries_.size() > capacity_) entries_.pop_front();
  if (entries_.size() > bodies_kept_) {
    JournalEntry& old = entries_[entries_.size() - bodies_kept_ - 1];
    std::string().swap(old.request);
    std::string().swap(old.response);
  }
  return entries_.back().seq;
}

std::vector<JournalEntry> Journal::Query(const JournalFilter& f) const {
  std::vector<JournalEntry> out;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& e : entries_) {
    if (f.tenant && e.tenant != f.tenant) continue;
    if (!f.operation.empty() && !AsciiIEquals(f.operation, e.operation)) continue;
    if (f.until_seq && e.seq > f.until_seq) break;  // entries are in seq order
    if (e.time < f.since || e.seq <= f.after_seq) continue;
    out.push_back(e);
  }
  if (out.size() > f.limit) out.erase(out.begin(), out.end() - static_cast<long>(f.limit));
  return out;
}

void Journal::Clear(long long tenant) {
  std::lock_guard<std::mutex> l(mu_);
  if (tenant == 0) {
    entries_.clear();
    return;
  }
  std::deque<JournalEntry> keep;
  for (auto& e : entries_)
    if (e.tenant != tenant) keep.push_back(std::move(e));
  entries_.swap(keep);
}

}  // namespace atws::service
