// One tenant's (Autotask "database") rows in SQLite: one table per catalog entity, named like
// it, one column per field, `id INTEGER PRIMARY KEY`; the storage per field type, the UDF
// columns and the SQL functions the query compiler uses are described in store.cc.
//
// Ownership: Open / OpenImage return the only owner. Statements it hands out borrow it.
// Thread safety: used by one thread at a time; callers hold mutex() around every use (requests
// of one tenant are serialised; tenants are independent).
// Errors: the older members report `false` / 0 / nullptr and set *error (when not null) to
// SQLite's message or the sandbox's own text; the statement members return Status / Result.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "store/database.h"
#include "store/statement.h"
#include "store/udf.h"
#include "store/value.h"

namespace atws::store {

class TenantDb {
 public:
  // Opens (creating when missing) the database at `path` (":memory:" for an in-memory one):
  // WAL + synchronous=FULL for files, the SQL functions, the UDF definitions. An entity's table
  // and indexes are made when SQL first names it (Prepare and Exec make a catalog entity's
  // missing table and try again): a tenant holds rows of a few dozen of the 167 entities, and
  // each empty table and index would cost a 4 KB page and start-up time (docs/performance.md).
  static std::unique_ptr<TenantDb> Open(const std::string& path, const catalog::Catalog& cat,
                                        std::string* error);
  // An in-memory database that starts as a copy of `image` (Serialize's bytes), growing as rows
  // are written.
  static std::unique_ptr<TenantDb> OpenImage(std::string_view image, const catalog::Catalog& cat,
                                             std::string* error);
  ~TenantDb();
  TenantDb(const TenantDb&) = delete;
  TenantDb& operator=(const TenantDb&) = delete;

  std::mutex& mutex() const { return mu_; }
  const catalog::Catalog& catalog() const { return cat_; }

  // Database::Prepare / PrepareOnce (statement.h), making a missing entity table first.
  Result<Statement> Prepare(const std::string& sql);
  Result<Statement> PrepareOnce(const std::string& sql);
  // Runs SQL without results (schema, BEGIN/COMMIT, SAVEPOINT). False + *error on failure.
  bool Exec(const std::string& sql, std::string* error = nullptr);
  // Creates the entity's table and indexes when missing.
  bool EnsureTable(const catalog::Entity& e, std::string* error = nullptr);
  // Whether the entity's table exists (without creating it).
  bool HasTable(const catalog::Entity& e) const;
  // Bulk loading: from DeferIndexes() on, tables made get their indexes only when
  // CreateDeferredIndexes() runs (one sort per index instead of a b-tree insert per row).
  void DeferIndexes() { defer_indexes_ = true; }
  bool CreateDeferredIndexes(std::string* error = nullptr);

  // UDF definitions of one entity, ordered by sort order then name (the order in which
  // responses list them).
  const std::vector<UdfDef>& Udfs(int entity_index) const;
  // Lookup by name: exact case first, then case-insensitive (ASCII).
  const UdfDef* FindUdf(int entity_index, std::string_view name) const;
  // Adds a definition: writes a UserDefinedFieldDefinition row (and UserDefinedFieldListItem
  // rows for list items) and the column on the entity's table. Assigns def.id when 0.
  bool AddUdf(UdfDef def, std::string* error);
  // Reads the UDF definitions and list items again from their tables (after API writes to
  // UserDefinedFieldDefinition / UserDefinedFieldListItem, or a rolled-back AddUdf).
  bool ReloadUdfs(std::string* error = nullptr) { return LoadUdfs(error); }

  // Allocates the next id for an entity (max(id)+1, never reused within a process).
  long long NextId(const catalog::Entity& e);
  // Inserts a row. `values` are (field index, value) pairs; `udfs` (udf column, value).
  // id = 0 allocates one. Returns the id, or 0 with *error.
  long long Insert(const catalog::Entity& e, const std::vector<std::pair<int, Value>>& values,
                   const std::vector<std::pair<std::string, Value>>& udfs, long long id,
                   std::string* error);
  // Updates the given columns of row `id`. False + *error on failure (no such row = error).
  bool Update(const catalog::Entity& e, long long id,
              const std::vector<std::pair<int, Value>>& values,
              const std::vector<std::pair<std::string, Value>>& udfs, std::string* error);
  bool Delete(const catalog::Entity& e, long long id, std::string* error);
  // Number of rows of an entity.
  long long Count(const catalog::Entity& e);
  // Whether table `table` (an entity's name) has row `id`; false when the SQL fails.
  bool RowExists(std::string_view table, long long id);
  // As Database's: the last statement's changed rows, the file's bytes (for OpenImage), the
  // statements alive (for tests), a bound on VM steps (for fuzzing).
  long long Changes() const { return conn_->Changes(); }
  Result<std::string> Serialize() const { return conn_->Serialize(); }
  int StatementCount() const { return conn_->StatementCount(); }
  void LimitSteps(long long vm_steps) { conn_->LimitSteps(vm_steps); }

  // Exchanges the connection, statement cache, UDF definitions and id counters with `other`;
  // each object keeps its own mutex, and the generation moves past both. Lets a tenant's data
  // be replaced (admin reset) while callers keep pointers to this object. The caller holds
  // mutex() and owns `other` alone.
  void SwapContents(TenantDb& other);

  // Bumped by every write; response caches compare data_version() (value.h).
  uint64_t generation() const { return generation_; }
  void BumpGeneration() { ++generation_; }
  DataVersion data_version() const;
  // Identifies the connection (changes with SwapContents), for per-connection state.
  const void* connection_id() const { return conn_.get(); }

  // Quoted table / column names for SQL (from the catalog only).
  static std::string Quote(std::string_view ident);
  static void AppendQuoted(std::string* out, std::string_view ident);

 private:
  TenantDb(std::unique_ptr<Database> conn, const catalog::Catalog& cat);
  // Creates the table named by SQLite's "no such table: X" message when X is a catalog
  // entity; false when the message is another one or the table cannot be made.
  bool CreateMissingTable(std::string_view sqlite_message);
  bool LoadUdfs(std::string* error);
  void SortUdfs(int entity_index);

  std::unique_ptr<Database> conn_;
  const catalog::Catalog& cat_;
  mutable std::mutex mu_;
  std::vector<std::vector<UdfDef>> udfs_;  // by entity index
  std::vector<long long> next_id_;         // by entity index; 0 = not yet read
  uint64_t generation_ = 1;
  // A table was created inside the open transaction: a rollback removes it again, so the
  // statements cached since then are finalized on ROLLBACK (they would name a missing table).
  bool table_made_in_txn_ = false;
  bool defer_indexes_ = false;
  std::string insert_sql_;     // Insert's statement text, reused
  std::vector<int> deferred_;  // entity indexes whose tables wait for their indexes
};

// All fields of row `id` of `e`, by field index (index 0 = id), into *row. False (and *row
// untouched) when there is no such row or the SQL fails. The caller holds db.mutex().
bool ReadRow(TenantDb& db, const catalog::Entity& e, long long id, std::vector<Value>* row);

}  // namespace atws::store
