#include "store/database.h"

#include <sqlite3.h>

#include <cstring>
#include <limits>
#include <mutex>

namespace atws::store {

namespace {
constexpr size_t kMaxCachedStatements = 512;
}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  // Memory statistics take a process-wide mutex on every allocation; connections run in
  // parallel, so they are switched off (before SQLite initialises; later calls are refused
  // harmlessly).
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status error = Status::IoError(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<Database>(new Database(db));
}

Database::~Database() {
  for (auto& kv : stmts_) sqlite3_finalize(kv.second);
  sqlite3_close_v2(db_);
}

Status Database::Exec(const std::string& sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) == SQLITE_OK) return Status::OK();
  Status error = Status::IoError(msg ? msg : "sqlite error");
  sqlite3_free(msg);
  return error;
}

Result<Statement> Database::PrepareNew(const std::string& sql, bool cached) {
  sqlite3_stmt* st = nullptr;
  int rc = cached
               ? sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &st, nullptr)
               : sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(st);
    return Status::IoError(sqlite3_errmsg(db_));
  }
  if (!cached) return Statement(st, nullptr);
  // Bound the cache: queries with many distinct shapes must not grow it without limit.
  if (stmts_.size() >= kMaxCachedStatements) ClearStatementCache();
  stmts_.emplace(sql, st);
  return Statement(st, &cache_epoch_);
}

Result<Statement> Database::Prepare(const std::string& sql) {
  auto it = stmts_.find(sql);
  if (it == stmts_.end()) return PrepareNew(sql, true);
  sqlite3_reset(it->second);
  sqlite3_clear_bindings(it->second);
  return Statement(it->second, &cache_epoch_);
}

Result<Statement> Database::PrepareOnce(const std::string& sql) { return PrepareNew(sql, false); }

void Database::ClearStatementCache() {
  for (auto& kv : stmts_) sqlite3_finalize(kv.second);
  stmts_.clear();
  ++cache_epoch_;
}

int Database::StatementCount() const {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s; s = sqlite3_next_stmt(db_, s)) ++n;
  return n;
}

long long Database::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

long long Database::Changes() const { return sqlite3_changes64(db_); }

int64_t Database::TotalChanges() const { return sqlite3_total_changes64(db_); }

bool Database::InTransaction() const { return !sqlite3_get_autocommit(db_); }

std::string Database::ErrorMessage() const { return sqlite3_errmsg(db_); }

void Database::LimitSteps(long long vm_steps) {
  if (vm_steps <= 0) {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    return;
  }
  step_budget_ = vm_steps / 1000;
  sqlite3_progress_handler(
      db_, 1000,
      [](void* self) -> int { return --static_cast<Database*>(self)->step_budget_ < 0 ? 1 : 0; },
      this);
}

Result<std::string> Database::Serialize() const {
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db_, "main", &size, 0);
  if (!bytes || size <= 0) {
    sqlite3_free(bytes);
    return Status::IoError("cannot serialise the database");
  }
  std::string out(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
  sqlite3_free(bytes);
  return out;
}

Status Database::Deserialize(std::string_view image) {
  auto* bytes = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (!bytes) return Status::IoError("out of memory for the database image");
  std::memcpy(bytes, image.data(), image.size());
  // SQLite owns the copy (FREEONCLOSE) and grows it as rows are added (RESIZEABLE).
  const auto size = static_cast<sqlite3_int64>(image.size());
  if (sqlite3_deserialize(db_, "main", bytes, size, size,
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) !=
      SQLITE_OK)
    return Status::IoError(std::string("cannot load the database image: ") + sqlite3_errmsg(db_));
  // Such a database may grow to 1 GiB by default; an in-memory ":memory:" one has no limit.
  sqlite3_int64 limit = std::numeric_limits<sqlite3_int64>::max() / 2;
  sqlite3_file_control(db_, "main", SQLITE_FCNTL_SIZE_LIMIT, &limit);
  return Status::OK();
}

}  // namespace atws::store
