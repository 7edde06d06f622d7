#include "journal/journal.h"

#include <algorithm>
#include <cstdio>

#include "common/text.h"
#include "common/timeutil.h"
#include "journal/journal_db.h"

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
  if (!fault_id.empty()) j["fault"] = {{"id", fault_id}, {"action", fault_action}};
  if (!query.is_null())
    j["query"] = query;
  else if (!query_text.empty())
    j["query"] = nlohmann::json::parse(query_text, nullptr, false);
  if (!written.is_null())
    j["written"] = written;
  else if (!written_text.empty())
    j["written"] = nlohmann::json::parse(written_text, nullptr, false);
  if (rows >= 0) j["last_id"] = last_id;
  if (with_bodies) {
    j["request"] = request;
    j["response"] = response;
  }
  return j;
}

namespace {

// Cuts a body at `limit` bytes into a string of exactly the size it needs (resize + append
// would double the capacity: 32 KiB held for every 16 KiB kept).
void Bound(std::string* s, size_t limit) {
  constexpr std::string_view kMark = "…[truncated]";
  if (s->size() <= limit) {
    if (s->capacity() > s->size() + 64) s->shrink_to_fit();
    return;
  }
  std::string t;
  t.reserve(limit + kMark.size());
  t.append(*s, 0, limit);
  t += kMark;
  s->swap(t);
}

void Compact(nlohmann::json* j, std::string* text) {
  if (j->is_null()) return;
  *text = j->dump();
  *j = nullptr;
}

void Expand(std::string* text, nlohmann::json* j) {
  if (text->empty()) return;
  *j = nlohmann::json::parse(*text, nullptr, false);
  text->clear();
}

}  // namespace

uint64_t Journal::Add(JournalEntry e) {
  Bound(&e.request, body_limit_);
  Bound(&e.response, body_limit_);
  Compact(&e.query, &e.query_text);
  Compact(&e.written, &e.written_text);
  std::lock_guard<std::mutex> l(mu_);
  e.seq = next_seq_++;
  if (db_) {
    std::string err;
    if (!db_->Insert(e, &err))
      std::fprintf(stderr, "atws-mock: journal entry %llu not persisted: %s\n",
                   static_cast<unsigned long long>(e.seq), err.c_str());
  }
  entries_.push_back(std::move(e));
  while (entries_.size() > capacity_) entries_.pop_front();
  // Raw bodies: only the newest bodies_kept_ calls keep them, and no more than kBodyBudget bytes
  // of them in all (sixteen 16 KiB cuts of 500-row pages per MiB: the budget, not the count,
  // bounds the memory of a run of large answers).
  const JournalEntry& added = entries_.back();
  bodies_.emplace_back(added.seq, added.request.size() + added.response.size());
  body_bytes_ += bodies_.back().second;
  while (bodies_.size() > 1 && (bodies_.size() > bodies_kept_ || body_bytes_ > kBodyBudget)) {
    auto [seq, bytes] = bodies_.front();
    bodies_.pop_front();
    body_bytes_ -= bytes;
    auto it = std::lower_bound(entries_.begin(), entries_.end(), seq,
                               [](const JournalEntry& x, uint64_t s) { return x.seq < s; });
    if (it != entries_.end() && it->seq == seq) {
      std::string().swap(it->request);
      std::string().swap(it->response);
    }
  }
  return entries_.back().seq;
}

std::vector<JournalEntry> Journal::Query(const JournalFilter& f) const {
  std::vector<JournalEntry> out;
  std::lock_guard<std::mutex> l(mu_);
  if (db_) {  // persisted: the database holds every entry, bodies included
    out = db_->Query(f);
    for (auto& e : out) {
      Expand(&e.query_text, &e.query);
      Expand(&e.written_text, &e.written);
    }
    return out;
  }
  for (const auto& e : entries_) {
    if (f.tenant && e.tenant != f.tenant) continue;
    if (!f.operation.empty() && !AsciiIEquals(f.operation, e.operation)) continue;
    if (!f.fault.empty() && (e.fault_id.empty() || (f.fault != "any" && f.fault != e.fault_id)))
      continue;
    if (f.until_seq && e.seq > f.until_seq) break;  // entries are in seq order
    if (e.time < f.since || e.seq <= f.after_seq) continue;
    out.push_back(e);
  }
  if (out.size() > f.limit) out.erase(out.begin(), out.end() - static_cast<long>(f.limit));
  for (auto& e : out) {
    Expand(&e.query_text, &e.query);
    Expand(&e.written_text, &e.written);
  }
  return out;
}

bool Journal::Persist(const std::string& path, std::string* error) {
  auto db = JournalDb::Open(path, error);
  if (!db) return false;
  std::lock_guard<std::mutex> l(mu_);
  next_seq_ = std::max(next_seq_, db->MaxSeq() + 1);
  db_ = std::move(db);
  return true;
}

void Journal::Clear(long long tenant) {
  std::lock_guard<std::mutex> l(mu_);
  if (db_) db_->Clear(tenant);
  if (tenant == 0) {
    entries_.clear();
    bodies_.clear();
    body_bytes_ = 0;
    return;
  }
  std::deque<JournalEntry> keep;
  for (auto& e : entries_)
    if (e.tenant != tenant) keep.push_back(std::move(e));
  entries_.swap(keep);
}

}  // namespace atws::service
