// The journal in SQLite (journal_db.h). Every value is a bound parameter.
#include "journal/journal_db.h"

#include <fmt/format.h>

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

}  // namespace

std::unique_ptr<JournalDb> JournalDb::Open(const std::string& path, std::string* error) {
  auto db = store::Database::Open(path);
  if (!db.ok()) {
    *error = fmt::format("cannot open the journal database {}: {}", path, db.status().message());
    return nullptr;
  }
  std::unique_ptr<JournalDb> j(new JournalDb(std::move(*db)));
  Status s = j->db_->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  if (s.ok()) s = j->db_->Exec(kSchema);
  if (!s.ok()) {
    *error = fmt::format("{} is not a usable journal database: {}", path, s.message());
    return nullptr;
  }
  j->insert_sql_ = fmt::format("INSERT INTO atws_journal ({}) VALUES (?", kColumns);
  for (int i = 1; i < kColumnCount; ++i) j->insert_sql_ += ", ?";
  j->insert_sql_ += ")";
  if (auto st = j->db_->Prepare(j->insert_sql_); !st.ok()) {
    *error = fmt::format("{}: {}", path, st.status().message());
    return nullptr;
  }
  return j;
}

JournalDb::~JournalDb() = default;

uint64_t JournalDb::MaxSeq() {
  uint64_t max = 0;
  if (auto st = db_->PrepareOnce("SELECT MAX(seq) FROM atws_journal"); st.ok() && st->Next())
    max = static_cast<uint64_t>(st->Int(0));
  return max;
}

bool JournalDb::Insert(const JournalEntry& e, std::string* error) {
  auto st = db_->Prepare(insert_sql_);
  if (!st.ok()) return st.status().Into(error);
  int p = 1;
  st->BindInt(p++, static_cast<long long>(e.seq));
  st->BindInt(p++, e.time);
  st->BindInt(p++, e.tenant);
  st->BindInt(p++, e.zone);
  st->BindInt(p++, e.off_zone ? 1 : 0);
  st->BindText(p++, e.user);
  st->BindText(p++, e.integration_code);
  st->BindInt(p++, e.integration_code_sent ? 1 : 0);
  st->BindText(p++, e.api_version);
  st->BindText(p++, e.operation);
  st->BindText(p++, e.entity);
  st->BindText(p++, !e.query_text.empty() || e.query.is_null() ? e.query_text : e.query.dump());
  st->BindText(p++,
               !e.written_text.empty() || e.written.is_null() ? e.written_text : e.written.dump());
  st->BindInt(p++, e.rows);
  st->BindInt(p++, e.last_id);
  st->BindText(p++, nlohmann::json(e.errors).dump());
  st->BindInt(p++, e.http_status);
  st->BindInt(p++, e.latency_added_ms);
  st->BindText(p++, e.latency_reason);
  st->BindText(p++, e.warning);
  st->BindText(p++, e.fault_id);
  st->BindText(p++, e.fault_action);
  st->BindText(p++, e.request);
  st->BindText(p++, e.response);
  return st->Run().Into(error);
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
  auto st = db_->PrepareOnce(sql);
  if (!st.ok()) return out;
  int p = 1;
  st->BindInt(p++, static_cast<long long>(f.after_seq));
  st->BindInt(p++, f.since);
  if (f.until_seq) st->BindInt(p++, static_cast<long long>(f.until_seq));
  if (f.tenant) st->BindInt(p++, f.tenant);
  if (!f.operation.empty()) st->BindText(p++, f.operation);
  if (!f.fault.empty() && f.fault != "any") st->BindText(p++, f.fault);
  st->BindInt(p++, static_cast<long long>(std::min<size_t>(f.limit, 1u << 30)));
  auto text = [&](int col) { return std::string(st->Text(col)); };
  while (st->Next()) {
    JournalEntry e;
    int c = 0;
    e.seq = static_cast<uint64_t>(st->Int(c++));
    e.time = st->Int(c++);
    e.tenant = st->Int(c++);
    e.zone = static_cast<int>(st->Int(c++));
    e.off_zone = st->Int(c++) != 0;
    e.user = text(c++);
    e.integration_code = text(c++);
    e.integration_code_sent = st->Int(c++) != 0;
    e.api_version = text(c++);
    e.operation = text(c++);
    e.entity = text(c++);
    e.query_text = text(c++);
    e.written_text = text(c++);
    e.rows = st->Int(c++);
    e.last_id = st->Int(c++);
    nlohmann::json errors = nlohmann::json::parse(text(c++), nullptr, false);
    if (errors.is_array())
      for (const auto& m : errors)
        if (m.is_string()) e.errors.push_back(m.get<std::string>());
    e.http_status = static_cast<int>(st->Int(c++));
    e.latency_added_ms = st->Int(c++);
    e.latency_reason = text(c++);
    e.warning = text(c++);
    e.fault_id = text(c++);
    e.fault_action = text(c++);
    e.request = text(c++);
    e.response = text(c++);
    out.push_back(std::move(e));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void JournalDb::Clear(long long tenant) {
  const char* sql =
      tenant ? "DELETE FROM atws_journal WHERE tenant = ?" : "DELETE FROM atws_journal";
  if (auto st = db_->PrepareOnce(sql); st.ok()) {
    if (tenant) st->BindInt(1, tenant);
    (void)st->Run();
  }
}

}  // namespace atws::service
