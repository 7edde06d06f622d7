#include "store/statement.h"

#include <sqlite3.h>

namespace atws::store {

Statement::Statement(sqlite3_stmt* st, const uint64_t* cache_epoch)
    : st_(st), cache_epoch_(cache_epoch), epoch_(cache_epoch ? *cache_epoch : 0) {}

Statement::~Statement() { Release(); }

void Statement::Release() {
  if (!st_) return;
  if (!cache_epoch_)
    sqlite3_finalize(st_);
  else if (*cache_epoch_ == epoch_)  // still in the cache: give it back reset
    sqlite3_reset(st_);
  st_ = nullptr;
}

Statement::Statement(Statement&& other) noexcept
    : st_(other.st_),
      cache_epoch_(other.cache_epoch_),
      epoch_(other.epoch_),
      error_(std::move(other.error_)),
      failed_(other.failed_) {
  other.st_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    st_ = other.st_;
    cache_epoch_ = other.cache_epoch_;
    epoch_ = other.epoch_;
    error_ = std::move(other.error_);
    failed_ = other.failed_;
    other.st_ = nullptr;
  }
  return *this;
}

bool Statement::BindNull(int pos) { return sqlite3_bind_null(st_, pos) == SQLITE_OK; }

bool Statement::BindInt(int pos, long long v) {
  return sqlite3_bind_int64(st_, pos, v) == SQLITE_OK;
}

bool Statement::BindReal(int pos, double v) {
  return sqlite3_bind_double(st_, pos, v) == SQLITE_OK;
}

bool Statement::BindText(int pos, std::string_view v) {
  return sqlite3_bind_text(st_, pos, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) ==
         SQLITE_OK;
}

bool Statement::BindBlob(int pos, std::string_view bytes) {
  // sqlite3_bind_blob64 binds NULL for a null pointer: an empty blob is bound explicitly.
  if (bytes.empty()) return sqlite3_bind_zeroblob(st_, pos, 0) == SQLITE_OK;
  return sqlite3_bind_blob64(st_, pos, bytes.data(), bytes.size(), SQLITE_STATIC) == SQLITE_OK;
}

bool Statement::Bind(int pos, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return BindNull(pos);
    case Value::Kind::kInt:
      return BindInt(pos, v.i);
    case Value::Kind::kReal:
      return BindReal(pos, v.d);
    case Value::Kind::kText:
      return BindText(pos, v.s);
  }
  return false;
}

bool Statement::BindAll(const std::vector<Value>& values) {
  bool ok = true;
  for (size_t i = 0; i < values.size(); ++i) ok = Bind(static_cast<int>(i + 1), values[i]) && ok;
  return ok;
}

StepResult Statement::Step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return StepResult::kRow;
  if (rc == SQLITE_DONE) return StepResult::kDone;
  failed_ = true;
  sqlite3* db = st_ ? sqlite3_db_handle(st_) : nullptr;
  error_ = db ? sqlite3_errmsg(db) : "no statement";
  return StepResult::kError;
}

Status Statement::Run() {
  StepResult r = Step();
  if (st_) sqlite3_reset(st_);
  if (r == StepResult::kDone) return Status::OK();
  if (r == StepResult::kError) return Status::IoError(error_);
  // A row where none was expected: the connection's message, which the reset made "not an
  // error" (the callers that read it after their own reset always got that text).
  return Status::IoError(sqlite3_errmsg(sqlite3_db_handle(st_)));
}

Status Statement::error() const { return failed_ ? Status::IoError(error_) : Status::OK(); }

void Statement::Reset() {
  if (!st_) return;
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
  failed_ = false;
}

int Statement::ParameterCount() const { return sqlite3_bind_parameter_count(st_); }

int Statement::ColumnCount() const { return sqlite3_column_count(st_); }

std::string_view Statement::ColumnName(int col) const {
  const char* n = sqlite3_column_name(st_, col);
  return n ? std::string_view(n) : std::string_view();
}

ColumnType Statement::Type(int col) const {
  switch (sqlite3_column_type(st_, col)) {
    case SQLITE_INTEGER:
      return ColumnType::kInt;
    case SQLITE_FLOAT:
      return ColumnType::kReal;
    case SQLITE_TEXT:
      return ColumnType::kText;
    case SQLITE_BLOB:
      return ColumnType::kBlob;
    default:
      return ColumnType::kNull;
  }
}

long long Statement::Int(int col) const { return sqlite3_column_int64(st_, col); }

double Statement::Real(int col) const { return sqlite3_column_double(st_, col); }

std::string_view Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(st_, col);
  if (!p) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(st_, col)));
}

std::string_view Statement::Blob(int col) const {
  const void* p = sqlite3_column_blob(st_, col);
  if (!p) return {};
  return std::string_view(static_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(st_, col)));
}

Value Statement::ValueAt(int col) const {
  switch (sqlite3_column_type(st_, col)) {
    case SQLITE_INTEGER:
      return Value::Int(sqlite3_column_int64(st_, col));
    case SQLITE_FLOAT:
      return Value::Real(sqlite3_column_double(st_, col));
    case SQLITE_NULL:
      return Value::Null();
    default:
      return Value::Text(std::string(Text(col)));
  }
}

void Statement::ReadRow(std::vector<Value>* row) const {
  const int n = ColumnCount();
  row->assign(static_cast<size_t>(n), Value());
  for (int c = 0; c < n; ++c) (*row)[static_cast<size_t>(c)] = ValueAt(c);
}

void Statement::ReadCells(const CellPlan& plan, Cell* cells) const {
  // Each sqlite3_column_* call enters and leaves the connection's mutex slot and checks for
  // allocation failures: over a page's 38,000 values, a quarter of its cost under perf. So each
  // value is taken once with sqlite3_column_value and read with the sqlite3_value_* functions.
  // The value is "unprotected" (SQLite's term: read without the connection's mutex), which is
  // what it is anyway here: connections are opened SQLITE_OPEN_NOMUTEX and used by one thread
  // at a time.
  // Locals: the calls into SQLite could, for all the compiler knows, change the members.
  sqlite3_stmt* const st = st_;
  for (int c : plan.skip_) cells[c].is_null = true;
  for (const int *c = plan.ints_.data(), *end = c + plan.ints_.size(); c != end; ++c) {
    sqlite3_value* v = sqlite3_column_value(st, *c);
    Cell& x = cells[*c];
    x.is_null = sqlite3_value_type(v) == SQLITE_NULL;
    if (!x.is_null) x.i = sqlite3_value_int64(v);
  }
  for (const int *c = plan.reals_.data(), *end = c + plan.reals_.size(); c != end; ++c) {
    sqlite3_value* v = sqlite3_column_value(st, *c);
    Cell& x = cells[*c];
    x.is_null = sqlite3_value_type(v) == SQLITE_NULL;
    if (!x.is_null) x.d = sqlite3_value_double(v);
  }
  for (const int *c = plan.texts_.data(), *end = c + plan.texts_.size(); c != end; ++c) {
    // sqlite3_value_text gives no text for NULL (nor when out of memory): no type test.
    sqlite3_value* v = sqlite3_column_value(st, *c);
    const unsigned char* p = sqlite3_value_text(v);
    Cell& x = cells[*c];
    x.text = reinterpret_cast<const char*>(p);
    x.is_null = p == nullptr;
    if (p) x.size = static_cast<uint32_t>(sqlite3_value_bytes(v));
  }
}

}  // namespace atws::store
