// The journal in SQLite (journal_db.h). Every value is a bound parameter.
#include "journal/journal_db.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>

namespace atws::service {

namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS atws_journal ("
    " seq INTEGER PRIMARY KEY,"
    " time INTEGER NOT NULL,"  // UTC microseconds
    " tenant INTEGER NOT NULL,"
    " zone INTEGER NOT NULL,"
    " off_zone INTEGER NOT NULL,"
    " user TEXT NOT NULL,"
    " integration_code TEXT NOT NULL,"
    " integration_code_sent INTEGER NOT NULL,"
    " api_version TEXT NOT NULL,"
    " operation TEXT NOT NULL,"
    " entity TEXT NOT NULL,"
    " query TEXT NOT NULL,"    // JSON text; '' when none
    " written TEXT NOT NULL,"  // JSON text; '' when none
    " rows INTEGER NOT NULL,"
    " last_id INTEGER NOT NULL,"
    " errors TEXT NOT NULL,"  // JSON array of strings
    " http_status INTEGER NOT NULL,"
    " latency_added_ms INTEGER NOT NULL,"
    " latency_reason TEXT NOT NULL,"
    " warning TEXT NOT NULL,"
    " fault_id TEXT NOT NULL,"
    " fault_action TEXT NOT NULL,"
    " request TEXT NOT NULL,"
    " response TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS atws_journal_tenant ON atws_journal (tenant, seq);"
    "CREATE INDEX IF NOT EXISTS atws_journal_time ON atws_journal (time);";

constexpr const char* kColumns =
    "seq, time, tenant, zone, off_zone, user, integration_code, integration_code_sent, "
    "api_version, operation, entity, query, written, rows, last_id, errors, http_status, "
    "latency_added_ms, latency_reason, warning, fault_id, fault_action, request, response";

constexpr int kColumnCount = 24;

void BindText(sqlite3_stmt* st, int pos, const std::string& s) {
  sqlite3_bind_text(st, pos, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

std::string ColumnText(sqlite3_stmt* st, int col) {
  const unsigned char* p = sqlite3_column_text(st, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(st, col)))
           : std::string();
}

}  // namespace

std::unique_ptr<JournalDb> JournalDb::Open(const std::string& path, std::string* error) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    *error = fmt::format("cannot open the journal database {}: {}", path,
                         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<JournalDb> j(new JournalDb(db));
  char* msg = nullptr;
  sqlite3_busy_timeout(db, 5000);
  rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
                    &msg);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, kSchema, nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    *error = fmt::format("{} is not a usable journal database: {}", path,
                         msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return nullptr;
  }
  std::string sql = fmt::format("INSERT INTO atws_journal ({}) VALUES (?", kColumns);
  for (int i = 1; i < kColumnCount; ++i) sql += ", ?";
  sql += ")";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &j->insert_, nullptr) != SQLITE_OK) {
    *error = fmt::format("{}: {}", path, sqlite3_errmsg(db));
    return nullptr;
  }
  return j;
}

JournalDb::~JournalDb() {
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

uint64_t JournalDb::MaxSeq() {
  sqlite3_stmt* st = nullptr;
  uint64_t max = 0;
  if (sqlite3_prepare_v2(db_, "SELECT MAX(seq) FROM atws_journal", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    max = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  return max;
}

bool JournalDb::Insert(const JournalEntry& e, std::string* error) {
  sqlite3_stmt* st = insert_;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  int p = 1;
  sqlite3_bind_int64(st, p++, static_cast<sqlite3_int64>(e.seq));
  sqlite3_bind_int64(st, p++, e.time);
  sqlite3_bind_int64(st, p++, e.tenant);
  sqlite3_bind_int64(st, p++, e.zone);
  sqlite3_bind_int64(st, p++, e.off_zone ? 1 : 0);
  BindText(st, p++, e.user);
  BindText(st, p++, e.integration_code);
  sqlite3_bind_int64(st, p++, e.integration_code_sent ? 1 : 0);
  BindText(st, p++, e.api_version);
  BindText(st, p++, e.operation);
  BindText(st, p++, e.entity);
  BindText(st, p++, !e.query_text.empty() || e.query.is_null() ? e.query_text : e.query.dump());
  BindText(st, p++,
           !e.written_text.empty() || e.written.is_null() ? e.written_text : e.written.dump());
  sqlite3_bind_int64(st, p++, e.rows);
  sqlite3_bind_int64(st, p++, e.last_id);
  BindText(st, p++, nlohmann::json(e.errors).dump());
  sqlite3_bind_int64(st, p++, e.http_status);
  sqlite3_bind_int64(st, p++, e.latency_added_ms);
  BindText(st, p++, e.latency_reason);
  BindText(st, p++, e.warning);
  BindText(st, p++, e.fault_id);
  BindText(st, p++, e.fault_action);
  BindText(st, p++, e.request);
  BindText(st, p++, e.response);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  return true;
}

std::vector<JournalEntry> JournalDb::Query(const JournalFilter& f) {
  std::string sql =
      fmt::format("SELECT {} FROM atws_journal WHERE seq > ? AND time >= ?", kColumns);
  if (f.until_seq) sql += " AND seq <= ?";
  if (f.tenant) sql += " AND tenant = ?";
  if (!f.operation.empty()) sql += " AND operation = ? COLLATE NOCASE";
  if (f.fault == "any")
    sql += " AND fault_id != ''";
  else if (!f.fault.empty())
    sql += " AND fault_id = ?";
  sql += " ORDER BY seq DESC LIMIT ?";
  std::vector<JournalEntry> out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return out;
  }
  int p = 1;
  sqlite3_bind_int64(st, p++, static_cast<sqlite3_int64>(f.after_seq));
  sqlite3_bind_int64(st, p++, f.since);
  if (f.until_seq) sqlite3_bind_int64(st, p++, static_cast<sqlite3_int64>(f.until_seq));
  if (f.tenant) sqlite3_bind_int64(st, p++, f.tenant);
  if (!f.operation.empty()) BindText(st, p++, f.operation);
  if (!f.fault.empty() && f.fault != "any") BindText(st, p++, f.fault);
  sqlite3_bind_int64(st, p++, static_cast<sqlite3_int64>(std::min<size_t>(f.limit, 1u << 30)));
  while (sqlite3_step(st) == SQLITE_ROW) {
    JournalEntry e;
    int c = 0;
    e.seq = static_cast<uint64_t>(sqlite3_column_int64(st, c++));
    e.time = sqlite3_column_int64(st, c++);
    e.tenant = sqlite3_column_int64(st, c++);
    e.zone = static_cast<int>(sqlite3_column_int64(st, c++));
    e.off_zone = sqlite3_column_int64(st, c++) != 0;
    e.user = ColumnText(st, c++);
    e.integration_code = ColumnText(st, c++);
    e.integration_code_sent = sqlite3_column_int64(st, c++) != 0;
    e.api_version = ColumnText(st, c++);
    e.operation = ColumnText(st, c++);
    e.entity = ColumnText(st, c++);
    e.query_text = ColumnText(st, c++);
    e.written_text = ColumnText(st, c++);
    e.rows = sqlite3_column_int64(st, c++);
    e.last_id = sqlite3_column_int64(st, c++);
    nlohmann::json errors = nlohmann::json::parse(ColumnText(st, c++), nullptr, false);
    if (errors.is_array())
      for (const auto& m : errors)
        if (m.is_string()) e.errors.push_back(m.get<std::string>());
    e.http_status = static_cast<int>(sqlite3_column_int64(st, c++));
    e.latency_added_ms = sqlite3_column_int64(st, c++);
    e.latency_reason = ColumnText(st, c++);
    e.warning = ColumnText(st, c++);
    e.fault_id = ColumnText(st, c++);
    e.fault_action = ColumnText(st, c++);
    e.request = ColumnText(st, c++);
    e.response = ColumnText(st, c++);
    out.push_back(std::move(e));
  }
  sqlite3_finalize(st);
  std::reverse(out.begin(), out.end());
  return out;
}

void JournalDb::Clear(long long tenant) {
  sqlite3_stmt* st = nullptr;
  const char* sql =
      tenant ? "DELETE FROM atws_journal WHERE tenant = ?" : "DELETE FROM atws_journal";
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) == SQLITE_OK) {
    if (tenant) sqlite3_bind_int64(st, 1, tenant);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
}

}  // namespace atws::service
