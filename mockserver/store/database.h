// A SQLite connection with a cache of prepared statements: the journal's database, and the
// connection under every TenantDb (store.h).
//
// Ownership: Open returns the only owner; the destructor finalizes the cached statements and
// closes the connection (Statements handed out must be gone by then).
// Thread safety: one thread at a time (opened without SQLite's own mutex); callers serialise.
// Errors: Status / Result carrying SQLite's message (Status::IoError), as SQLite words it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "store/statement.h"

struct sqlite3;

namespace atws::store {

class Database {
 public:
  // Opens (creating when missing) the database at `path` (":memory:" for an in-memory one),
  // with a 5 s busy timeout. The error's message is SQLite's reason alone (callers name the file).
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL without results: one or more statements separated by ';'.
  Status Exec(const std::string& sql);
  // A statement for `sql` from the connection's cache (prepared on first use), reset and with
  // its bindings cleared. The cache holds at most 512 statements (all are finalized when full).
  Result<Statement> Prepare(const std::string& sql);
  // A statement prepared for this use only (long or one-off SQL), finalized by its destructor.
  Result<Statement> PrepareOnce(const std::string& sql);
  // Finalizes every cached statement (after schema changes that SQLite would otherwise notice
  // only when stepping).
  void ClearStatementCache();
  // Statements prepared on the connection and not finalized: cached ones and live one-use ones.
  int StatementCount() const;

  // Rowid of the last row inserted on the connection.
  long long LastInsertId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE, and by all of them since opening.
  long long Changes() const;
  int64_t TotalChanges() const;
  // Whether a transaction (BEGIN or SAVEPOINT) is open.
  bool InTransaction() const;
  // SQLite's message for the connection's last failure ("not an error" after a success).
  std::string ErrorMessage() const;
  // From now on, statements stop with SQLite's "interrupted" error once they have run about
  // `vm_steps` virtual machine steps in all (counted by the thousand); 0 lifts the limit. For
  // fuzzing, where generated SQL must not run for ever.
  void LimitSteps(long long vm_steps);

  // The main database as the bytes of a SQLite database file (to embed, see OpenImage).
  Result<std::string> Serialize() const;
  // Replaces the main database with a copy of `image` (bytes from Serialize), held in memory and
  // growing as rows are written, without SQLite's 1 GiB default limit.
  Status Deserialize(std::string_view image);

 private:
  friend class TenantDb;  // registers its SQL functions on the handle
  explicit Database(sqlite3* db) : db_(db) {}
  Result<Statement> PrepareNew(const std::string& sql, bool cached);

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> stmts_;
  uint64_t cache_epoch_ = 0;   // bumped whenever the cached statements are finalized
  long long step_budget_ = 0;  // LimitSteps: thousands of VM steps left
};

}  // namespace atws::store
