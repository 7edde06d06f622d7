// A prepared SQL statement and its cursor over the result rows.
//
// Ownership: a Statement comes from Database::Prepare / PrepareOnce or TenantDb::Prepare /
// PrepareOnce and is moved, never copied. A cached one (Prepare) belongs to its connection's
// statement cache: the Statement object only borrows it, and its destructor resets it (SQLite's
// read lock on the data is released) unless the cache has finalized it meanwhile. A one-use one
// (PrepareOnce) is finalized by the destructor.
// Lifetime: a Statement must not outlive its connection; the text and column names it hands
// out are valid until it steps again, resets or is destroyed.
// Thread safety: as its connection's (one thread at a time, under the connection's mutex).
// Errors: binds return whether SQLite accepted them (callers may ignore that, as SQLite then
// binds nothing); Step reports failure as StepResult::kError and error() gives SQLite's message
// as a Status; Run returns it directly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/value.h"

struct sqlite3_stmt;

namespace atws::store {

enum class StepResult : uint8_t { kRow, kDone, kError };

// SQLite's storage class of a column of the current row.
enum class ColumnType : uint8_t { kNull, kInt, kReal, kText, kBlob };

class Statement {
 public:
  Statement() = default;  // holds no statement: Step fails
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding, at 1-based positions. Text is copied; a blob is not: its bytes must stay valid
  // until the last Step (an empty blob binds a zero-length blob, not NULL).
  bool BindNull(int pos);
  bool BindInt(int pos, long long v);
  bool BindReal(int pos, double v);
  bool BindText(int pos, std::string_view v);
  bool BindBlob(int pos, std::string_view bytes);
  bool Bind(int pos, const Value& v);
  // values[0] at position 1, values[1] at 2, ...; true when every bind was accepted.
  bool BindAll(const std::vector<Value>& values);

  // Runs to the next row: kRow (the row can be read), kDone, or kError (see error()).
  StepResult Step();
  // Step() == kRow.
  bool Next() { return Step() == StepResult::kRow; }
  // For statements without result rows (INSERT, UPDATE, DELETE): steps once and resets. OK when
  // SQLite finished the statement, else SQLite's message.
  Status Run();
  // The last Step's failure (SQLite's message, taken when it failed); OK when it did not fail.
  Status error() const;
  // Back to before the first row, bindings cleared (as Prepare hands statements out).
  void Reset();

  // Number of ? placeholders in the SQL.
  int ParameterCount() const;

  // The current row (after Step returned kRow). Columns are numbered from 0; reads convert the
  // way SQLite does (NULL reads as 0 or empty text).
  int ColumnCount() const;
  std::string_view ColumnName(int col) const;
  ColumnType Type(int col) const;
  bool IsNull(int col) const { return Type(col) == ColumnType::kNull; }
  long long Int(int col) const;
  double Real(int col) const;
  std::string_view Text(int col) const;
  std::string_view Blob(int col) const;
  // The column by its storage class: NULL, integer, real, or text (a blob reads as text).
  Value ValueAt(int col) const;
  // Every column of the row, by ValueAt.
  void ReadRow(std::vector<Value>* row) const;
  // Columns 0 .. plan.size() - 1 into cells[0 ..], as the plan says: one call per row for
  // readers of many values (a 500-row page of tickets reads 38,000).
  void ReadCells(const CellPlan& plan, Cell* cells) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* st, const uint64_t* cache_epoch);
  void Release();

  sqlite3_stmt* st_ = nullptr;
  // Cached statements: the cache's epoch counter (it changes when the cache finalizes its
  // statements) and its value when this one was handed out. Null for one-use statements.
  const uint64_t* cache_epoch_ = nullptr;
  uint64_t epoch_ = 0;
  std::string error_;  // SQLite's message when the last Step failed
  bool failed_ = false;
};

}  // namespace atws::store
