// A SQL savepoint on a tenant's database: the writes of one operation that stay together or
// are undone together, inside a caller's transaction as well as outside one.
//
// Ownership: moved, never copied; it borrows the TenantDb, which must outlive it.
// Thread safety: as the TenantDb's (the caller holds its mutex).
// Errors: Begin and Release return SQLite's message; Rollback ignores failures (it runs on paths
// that already report one).
#pragma once

#include <string>

#include "common/status.h"
#include "store/store.h"

namespace atws::store {

class Savepoint {
 public:
  // SAVEPOINT <name>.
  static Result<Savepoint> Begin(TenantDb& db, std::string name);
  Savepoint(Savepoint&& other) noexcept;
  Savepoint& operator=(Savepoint&&) = delete;
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  // Rollback() unless Release() or Rollback() ran.
  ~Savepoint();

  // RELEASE <name>: the writes since Begin stay (and are committed when no transaction is open
  // around them). On failure the savepoint is left as SQLite leaves it.
  Status Release();
  // ROLLBACK TO <name>, then RELEASE <name>: the writes since Begin are undone.
  void Rollback();

 private:
  Savepoint(TenantDb* db, std::string name) : db_(db), name_(std::move(name)) {}
  TenantDb* db_;  // null once released or rolled back
  std::string name_;
};

}  // namespace atws::store
