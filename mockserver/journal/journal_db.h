// The journal persisted in SQLite (atws-mock --journal-db FILE, docs/admin-api.md "Journal"):
// every entry with its bodies, kept across restarts until DELETE /__admin/journal or a reset
// removes it, and queried with the same filters as the in-memory journal. Not thread-safe: the
// Journal calls it under its own mutex.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "store/database.h"

namespace atws::service {

class JournalDb {
 public:
  // Opens (creating when missing) the database at `path`: WAL, synchronous=NORMAL (an entry
  // survives a crash of the mock; a power cut may lose the last ones). nullptr + *error when it
  // cannot be opened or is not a journal database.
  static std::unique_ptr<JournalDb> Open(const std::string& path, std::string* error);
  ~JournalDb();
  JournalDb(const JournalDb&) = delete;
  JournalDb& operator=(const JournalDb&) = delete;

  // The highest seq stored (0 when empty): the journal numbers on from there.
  uint64_t MaxSeq();
  // Stores an entry (its query and written as JSON text: JournalEntry::query_text /
  // written_text, or the trees when those are empty). False + *error when SQLite fails.
  bool Insert(const JournalEntry& e, std::string* error);
  // Entries matching `f`, oldest first, at most f.limit (the newest ones). query and written
  // come back as JSON text in query_text / written_text.
  std::vector<JournalEntry> Query(const JournalFilter& f);
  // Removes every entry (tenant 0) or those of one tenant.
  void Clear(long long tenant);

 private:
  explicit JournalDb(std::unique_ptr<store::Database> db) : db_(std::move(db)) {}
  std::unique_ptr<store::Database> db_;
  std::string insert_sql_;  // Insert's statement, prepared once and kept in db_'s cache
};

}  // namespace atws::service
