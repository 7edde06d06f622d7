// One tenant's (Autotask "database") rows in SQLite. The schema is derived from the catalog:
// one table per entity, named like the entity, one column per field named like the field,
// `id INTEGER PRIMARY KEY`. Column storage by field type:
//   integer/long/short/boolean -> INTEGER (booleans 0/1)
//   double/float/decimal       -> REAL
//   datetime                   -> TEXT in the fixed-width form of StorageDateTime()
//                                 ("2018-07-10T12:19:28.840", API time zone, naive)
//   string                     -> TEXT COLLATE ATWS_NOCASE (Unicode case-insensitive)
// User-defined fields are extra columns "udf_<definition id>" on the entity's table (TEXT for
// string/list UDFs, REAL for numbers, TEXT storage datetime for dates); protected UDFs use
// COLLATE BINARY (compared case-sensitively), the others ATWS_NOCASE.
//
// SQL functions registered on every connection (used by the query compiler):
//   atws_fold(x)          Unicode case fold of a text (FoldCase)
//   atws_like(x, pattern) SQL LIKE with % and _ wildcards, Unicode case-insensitive
//   atws_like_cs(x, pat)  the same, case-sensitive (protected UDFs)
//   atws_soundex(x)       American Soundex code of a text (SoundsLike)
//
// Thread-safety: a TenantDb is used by one thread at a time; callers hold mutex() around
// every use (requests of one tenant are serialised; tenants are independent).
#pragma once

#include <sqlite3.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"

namespace atws::store {

// A value to bind or read. Text for strings and stored date-times.
struct Value {
  enum class Kind : uint8_t { kNull, kInt, kReal, kText };
  Kind kind = Kind::kNull;
  long long i = 0;
  double d = 0;
  std::string s;
  static Value Null() { return Value(); }
  static Value Int(long long v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value Real(double v) {
    Value x;
    x.kind = Kind::kReal;
    x.d = v;
    return x;
  }
  static Value Text(std::string v) {
    Value x;
    x.kind = Kind::kText;
    x.s = std::move(v);
    return x;
  }
  bool is_null() const { return kind == Kind::kNull; }
};

// Binds `v` at 1-based position `pos`.
int Bind(sqlite3_stmt* st, int pos, const Value& v);

// UDF data types (UserDefinedFieldDefinition.DataType).
enum class UdfDataType : int { kString = 1, kNumber = 2, kDateTime = 3, kList = 4 };

struct UdfDef {
  long long id = 0;
  std::string name;
  int entity_index = -1;  // catalog entity the UDF belongs to
  UdfDataType data_type = UdfDataType::kString;
  bool is_protected = false;
  bool is_required = false;
  bool is_active = true;
  int sort_order = 0;
  int decimal_places = 0;
  std::string default_value;
  std::string description;
  std::string column;                        // "udf_<id>"
  std::vector<catalog::PicklistValue> list;  // list items (value = ValueForExport)
  // The field type the UDF's values have in queries and GetFieldInfo.
  catalog::FieldType field_type() const;
};

// UdfType (UserDefinedFieldDefinition.UdfType) <-> catalog entity name. Only the entities
// whose HasUserDefinedFields flag is set have a number.
int UdfTypeForEntity(std::string_view entity);
std::string_view EntityForUdfType(int udf_type);

class TenantDb {
 public:
  // Opens (creating when missing) the database at `path` (":memory:" for an in-memory one),
  // sets WAL + synchronous=FULL for files, registers the SQL functions and collations, and
  // loads UDF definitions. An entity's table (and its indexes) is created when SQL first names
  // it (Prepare and Exec create a catalog entity's missing table and try again): a tenant holds
  // rows of a few dozen of the 167 entities, and each empty table and index would cost a 4 KB
  // page and start-up time (docs/performance.md).
  static std::unique_ptr<TenantDb> Open(const std::string& path, const catalog::Catalog& cat,
                                        std::string* error);
  // An in-memory database that starts as a copy of `image` (a SQLite database file's bytes,
  // e.g. from sqlite3_serialize), growing as rows are written.
  static std::unique_ptr<TenantDb> OpenImage(std::string_view image, const catalog::Catalog& cat,
                                             std::string* error);
  ~TenantDb();
  TenantDb(const TenantDb&) = delete;
  TenantDb& operator=(const TenantDb&) = delete;

  sqlite3* handle() const { return db_; }
  std::mutex& mutex() const { return mu_; }
  const catalog::Catalog& catalog() const { return cat_; }

  // A prepared statement for `sql`, cached for the connection's lifetime, reset and with
  // bindings cleared. Returns nullptr and sets *error when SQLite refuses the SQL.
  sqlite3_stmt* Prepare(const std::string& sql, std::string* error = nullptr);
  // A statement prepared for one use, not cached (the caller finalizes it); nullptr + *error.
  sqlite3_stmt* PrepareOnce(const std::string& sql, std::string* error = nullptr);
  // Runs SQL without results (schema, BEGIN/COMMIT). False + *error on failure.
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

  // Exchanges the connection, statement cache, UDF definitions and id counters with `other`;
  // each object keeps its own mutex, and the generation moves past both. Lets a tenant's data
  // be replaced (admin reset) while callers keep pointers to this object. The caller holds
  // mutex() and owns `other` alone.
  void SwapContents(TenantDb& other);

  // Bumped by every write; response caches compare it.
  uint64_t generation() const { return generation_; }
  void BumpGeneration() { ++generation_; }

  // Quoted table / column names for SQL (from the catalog only).
  static std::string Quote(std::string_view ident);
  static void AppendQuoted(std::string* out, std::string_view ident);

 private:
  TenantDb(sqlite3* db, const catalog::Catalog& cat);
  // Creates the table named by SQLite's "no such table: X" message when X is a catalog
  // entity; false when the message is another one or the table cannot be made.
  bool CreateMissingTable(const char* sqlite_message);
  bool LoadUdfs(std::string* error);
  void SortUdfs(int entity_index);

  sqlite3* db_;
  const catalog::Catalog& cat_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, sqlite3_stmt*> stmts_;
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

// Registers atws_fold, atws_like, atws_like_cs, atws_soundex and the ATWS_NOCASE collation on
// a connection. Exposed for tests.
void RegisterFunctions(sqlite3* db);

}  // namespace atws::store
