// The request journal: every call with who made it, what it asked and what it got. Bounded
// in memory (oldest entries dropped first), optionally persisted in SQLite (Persist). Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"

namespace atws::service {

struct JournalEntry {
  uint64_t seq = 0;
  Micros time = 0;  // UTC micros
  long long tenant = 0;
  int zone = 0;           // zone of the endpoint called (0 = zone-neutral)
  bool off_zone = false;  // a non-getZoneInfo call on the zone-neutral endpoint
  std::string user;
  std::string integration_code;
  bool integration_code_sent = false;
  std::string api_version;  // "1.5" / "1.6"
  std::string operation;
  std::string entity;
  nlohmann::json query;    // parsed QueryXML: entity + conditions (null when not a query)
  nlohmann::json written;  // what a write sent (null when none)
  long long rows = -1;     // rows returned (-1 = not applicable)
  long long last_id = 0;   // largest id returned by a query
  std::vector<std::string> errors;
  int http_status = 200;
  long long latency_added_ms = 0;
  std::string latency_reason;
  std::string warning;  // threshold warning (usage near the limit); empty when none
  // The fault rule that fired for the call (faults.h) and its action ("http_500", "drop" …);
  // empty when none did.
  std::string fault_id;
  std::string fault_action;
  std::string request;   // bounded raw request body
  std::string response;  // bounded raw response body
  // Journal::Add stores `query` and `written` as JSON text here (a parsed tree costs ~10 times
  // the memory, and the journal holds 10,000 entries); Journal::Query parses them back.
  std::string query_text, written_text;
  nlohmann::json ToJson(bool with_bodies) const;
};

class JournalDb;  // journal_db.h

struct JournalFilter {
  long long tenant = 0;    // 0 = any
  std::string operation;   // empty = any (case-insensitive)
  Micros since = 0;        // entries with time >= since
  uint64_t after_seq = 0;  // entries with seq > after_seq
  uint64_t until_seq = 0;  // entries with seq <= until_seq (0 = any)
  std::string fault;       // "" = any entry; "any" = entries a fault fired for; else that rule id
  size_t limit = 1000;
};

class Journal {
 public:
  // Keeps `capacity` entries; the raw request and response bodies (each cut at `body_limit`
  // bytes) only of the newest `bodies_kept` entries, so memory stays bounded (~32 MiB at most
  // with the defaults).
  explicit Journal(size_t capacity = 10000, size_t body_limit = 16 * 1024,
                   size_t bodies_kept = 1000)
      : capacity_(capacity), body_limit_(body_limit), bodies_kept_(bodies_kept) {}
  uint64_t Add(JournalEntry e);
  std::vector<JournalEntry> Query(const JournalFilter& f) const;
  void Clear(long long tenant = 0);
  // From now on every entry is also stored in the SQLite database at `path` (created when
  // missing; entries of earlier runs stay and are numbered on), and Query reads from there, so
  // the journal survives restarts and is not bounded by `capacity`. False + *error when the
  // database cannot be opened. Call before the first Add.
  bool Persist(const std::string& path, std::string* error);
  bool persistent() const { return db_ != nullptr; }
  size_t body_limit() const { return body_limit_; }

 private:
  mutable std::mutex mu_;
  std::deque<JournalEntry> entries_;
  size_t capacity_;
  size_t body_limit_;
  size_t bodies_kept_;
  static constexpr size_t kBodyBudget = 4u << 20;   // bytes of raw bodies kept in all
  std::deque<std::pair<uint64_t, size_t>> bodies_;  // (seq, bytes) of entries with bodies
  size_t body_bytes_ = 0;
  uint64_t next_seq_ = 1;
  std::shared_ptr<JournalDb> db_;  // --journal-db; null = memory only
};

}  // namespace atws::service
