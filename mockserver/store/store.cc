// TenantDb (store.h): a tenant's rows, one table per catalog entity.
//
// Column storage by field type:
//   integer/long/short/boolean -> INTEGER (booleans 0/1)
//   double/float/decimal       -> REAL
//   datetime                   -> TEXT in the fixed-width form of StorageDateTime()
//                                 ("2018-07-10T12:19:28.840", API time zone, naive)
//   string                     -> TEXT COLLATE ATWS_NOCASE (Unicode case-insensitive)
// User-defined fields are extra columns "udf_<definition id>" on the entity's table (TEXT for
// string/list UDFs, REAL for numbers, TEXT storage datetime for dates); protected UDFs use
// COLLATE BINARY (compared case-sensitively), the others ATWS_NOCASE.
//
// SQL functions registered on every connection (sql_functions.cc; used by the query compiler):
//   atws_fold(x)          Unicode case fold of a text (FoldCase)
//   atws_like(x, pattern) SQL LIKE with % and _ wildcards, Unicode case-insensitive
//   atws_like_cs(x, pat)  the same, case-sensitive (protected UDFs)
//   atws_soundex(x)       American Soundex code of a text (SoundsLike)
#include "store/store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>

#include "common/text.h"
#include "store/savepoint.h"
#include "store/sql_functions.h"

namespace atws::store {

using catalog::Entity;
using catalog::Field;
using catalog::FieldType;

catalog::FieldType UdfDef::field_type() const {
  switch (data_type) {
    case UdfDataType::kNumber:
      return FieldType::kDecimal;
    case UdfDataType::kDateTime:
      return FieldType::kDateTime;
    default:
      return FieldType::kString;
  }
}

namespace {

// UdfType numbers of UserDefinedFieldDefinition (the emulation's own numbering, see
// docs/assumptions.md A-UDF-TYPE).
const struct {
  int type;
  const char* entity;
} kUdfTypes[] = {{1, "Account"},  {2, "Contact"},          {3, "Ticket"},
                 {4, "Contract"}, {5, "InstalledProduct"}, {6, "AccountLocation"}};

const char* SqlType(FieldType t) {
  switch (t) {
    case FieldType::kBoolean:
    case FieldType::kInteger:
    case FieldType::kLong:
    case FieldType::kShort:
      return "INTEGER";
    case FieldType::kDouble:
    case FieldType::kFloat:
    case FieldType::kDecimal:
      return "REAL";
    case FieldType::kDateTime:
      return "TEXT";
    case FieldType::kString:
      return "TEXT COLLATE ATWS_NOCASE";
  }
  return "TEXT";
}

bool Indexed(const Field& f) {
  if (f.name == "id") return false;
  if (f.is_reference) return true;
  static const char* kNames[] = {"Status",
                                 "LastActivityDate",
                                 "LastModifiedDate",
                                 "LastModifiedDateTime",
                                 "LastActivityDateTime",
                                 "StatusLastModifiedDate",
                                 "CreateDate",
                                 "TicketNumber",
                                 "UserName",
                                 "AccountName",
                                 "LastTrackedModificationDateTime",
                                 "LastTrackedModifiedDateTime"};
  for (const char* n : kNames)
    if (f.name == n) return true;
  return false;
}

}  // namespace

int UdfTypeForEntity(std::string_view entity) {
  for (const auto& u : kUdfTypes)
    if (entity == u.entity) return u.type;
  return 0;
}

std::string_view EntityForUdfType(int udf_type) {
  for (const auto& u : kUdfTypes)
    if (u.type == udf_type) return u.entity;
  return {};
}

std::string TenantDb::Quote(std::string_view ident) {
  std::string r;
  r.reserve(ident.size() + 2);
  AppendQuoted(&r, ident);
  return r;
}

void TenantDb::AppendQuoted(std::string* out, std::string_view ident) {
  out->push_back('"');
  if (ident.find('"') == std::string_view::npos) {
    out->append(ident);
    out->push_back('"');
    return;
  }
  for (char c : ident) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

TenantDb::TenantDb(std::unique_ptr<Database> conn, const catalog::Catalog& cat)
    : conn_(std::move(conn)),
      cat_(cat),
      udfs_(cat.entities().size()),
      next_id_(cat.entities().size(), 0) {}

TenantDb::~TenantDb() = default;

void TenantDb::SwapContents(TenantDb& other) {
  std::swap(conn_, other.conn_);
  std::swap(table_made_in_txn_, other.table_made_in_txn_);
  udfs_.swap(other.udfs_);
  next_id_.swap(other.next_id_);
  generation_ = std::max(generation_, other.generation_) + 1;
  other.generation_ = generation_;
}

DataVersion TenantDb::data_version() const {
  DataVersion v;
  v.connection = conn_.get();
  v.generation = generation_;
  v.changes = conn_->TotalChanges();
  return v;
}

std::unique_ptr<TenantDb> TenantDb::Open(const std::string& path, const catalog::Catalog& cat,
                                         std::string* error) {
  auto conn = Database::Open(path);
  if (!conn.ok()) {
    if (error) *error = fmt::format("cannot open {}: {}", path, conn.status().message());
    return nullptr;
  }
  RegisterFunctions((*conn)->db_);
  std::unique_ptr<TenantDb> t(new TenantDb(std::move(*conn), cat));
  if (path != ":memory:") {
    if (!t->Exec("PRAGMA journal_mode=WAL", error) || !t->Exec("PRAGMA synchronous=FULL", error))
      return nullptr;
  }
  if (!t->LoadUdfs(error)) return nullptr;
  return t;
}

std::unique_ptr<TenantDb> TenantDb::OpenImage(std::string_view image, const catalog::Catalog& cat,
                                              std::string* error) {
  auto t = Open(":memory:", cat, error);
  if (!t) return nullptr;
  if (Status s = t->conn_->Deserialize(image); !s.ok()) {
    if (error) *error = s.message();
    return nullptr;
  }
  // The image is the database: the page cache above it is only a copy of pages being used, so
  // it is kept small (the pages of ":memory:" databases are their cache).
  if (!t->Exec("PRAGMA journal_mode=MEMORY", error) || !t->Exec("PRAGMA cache_size=-512", error) ||
      !t->LoadUdfs(error))
    return nullptr;
  return t;
}

bool TenantDb::Exec(const std::string& sql, std::string* error) {
  for (int attempt = 0;; ++attempt) {
    Status s = conn_->Exec(sql);
    if (s.ok()) break;
    // Exec runs one statement at a time here, so a statement refused for a missing table did
    // nothing and can run again once the table is made.
    if (attempt < 8 && CreateMissingTable(s.message())) continue;
    if (error) *error = s.message();
    return false;
  }
  if (table_made_in_txn_) {
    if (sql.compare(0, 8, "ROLLBACK") == 0) conn_->ClearStatementCache();
    if (!conn_->InTransaction()) table_made_in_txn_ = false;
  }
  return true;
}

bool TenantDb::HasTable(const Entity& e) const {
  return sqlite3_table_column_metadata(conn_->db_, "main", e.name.c_str(), nullptr, nullptr,
                                       nullptr, nullptr, nullptr, nullptr) == SQLITE_OK;
}

namespace {
std::string IndexSql(const Entity& e) {
  std::string sql;
  for (const Field& f : e.fields) {
    if (!Indexed(f)) continue;
    // Partial: rows whose field is NULL (most references of most rows: a ticket has no
    // problem ticket, opportunity, contract service …) have no index entry. Any comparison on
    // the field (=, <, >, IN, BETWEEN) implies IS NOT NULL, so SQLite uses the index for
    // every query that used it before; IsNull conditions scan, as they match most rows anyway.
    // A created Ticket writes 24 index entries without this, most of them NULL.
    const std::string col = TenantDb::Quote(f.name);
    sql += "CREATE INDEX IF NOT EXISTS " + TenantDb::Quote("ix_" + e.name + "_" + f.name) + " ON " +
           TenantDb::Quote(e.name) + "(" + col + ") WHERE " + col + " IS NOT NULL;";
  }
  return sql;
}
}  // namespace

bool TenantDb::CreateDeferredIndexes(std::string* error) {
  defer_indexes_ = false;
  std::vector<int> pending;
  pending.swap(deferred_);
  for (int idx : pending) {
    const Entity& e = cat_.entities()[static_cast<size_t>(idx)];
    if (HasTable(e) &&
        !Exec("SAVEPOINT atws_schema;" + IndexSql(e) + "RELEASE atws_schema;", error))
      return false;
  }
  return true;
}

bool TenantDb::EnsureTable(const Entity& e, std::string* error) {
  if (HasTable(e)) return true;
  std::string sql = "CREATE TABLE IF NOT EXISTS " + Quote(e.name) + " (id INTEGER PRIMARY KEY";
  for (const Field& f : e.fields) {
    if (f.name == "id") continue;
    sql += ", " + Quote(f.name) + " " + SqlType(f.type);
  }
  sql += ");";
  if (defer_indexes_)
    deferred_.push_back(cat_.EntityIndex(&e));
  else
    sql += IndexSql(e);
  // One savepoint: the table comes with all its indexes or not at all, inside a caller's
  // transaction as well as outside one.
  bool in_txn = conn_->InTransaction();
  if (Status s = conn_->Exec("SAVEPOINT atws_schema;" + sql + "RELEASE atws_schema;"); !s.ok()) {
    if (error) *error = s.message();
    (void)conn_->Exec("ROLLBACK TO atws_schema; RELEASE atws_schema;");
    return false;
  }
  if (in_txn) table_made_in_txn_ = true;
  return true;
}

bool TenantDb::CreateMissingTable(std::string_view sqlite_message) {
  constexpr std::string_view kNoTable = "no such table: ";
  std::string_view m = sqlite_message;
  if (m.compare(0, kNoTable.size(), kNoTable) != 0) return false;
  m.remove_prefix(kNoTable.size());
  if (m.compare(0, 5, "main.") == 0) m.remove_prefix(5);
  const Entity* e = cat_.Find(m);
  if (!e || e->name != m || HasTable(*e)) return false;
  return EnsureTable(*e);
}

Result<Statement> TenantDb::PrepareOnce(const std::string& sql) {
  for (int attempt = 0;; ++attempt) {
    Result<Statement> st = conn_->PrepareOnce(sql);
    if (st.ok()) return st;
    if (attempt < 8 && CreateMissingTable(st.status().message())) continue;
    // The connection's message after the attempt to make the table, as SQLite words it.
    return Status::IoError(conn_->ErrorMessage());
  }
}

Result<Statement> TenantDb::Prepare(const std::string& sql) {
  for (int attempt = 0;; ++attempt) {
    Result<Statement> st = conn_->Prepare(sql);
    if (st.ok()) return st;
    if (attempt < 8 && CreateMissingTable(st.status().message())) continue;
    return Status::IoError(conn_->ErrorMessage());
  }
}

bool TenantDb::LoadUdfs(std::string* error) {
  for (auto& v : udfs_) v.clear();
  const Entity* def = cat_.Find("UserDefinedFieldDefinition");
  const Entity* item = cat_.Find("UserDefinedFieldListItem");
  if (!def || !item) return true;
  // sqlite3_column_int's 32 bits: static_cast<int> of the 64-bit value.
  auto int32 = [](const Statement& st, int col) { return static_cast<int>(st.Int(col)); };
  {
    auto st = Prepare(
        "SELECT id, Name, UdfType, DataType, IsProtected, IsRequired, IsActive, SortOrder, "
        "NumberOfDecimalPlaces, DefaultValue, Description FROM \"UserDefinedFieldDefinition\" "
        "ORDER BY id");
    if (!st.ok()) return st.status().Into(error);
    while (st->Next()) {
      UdfDef d;
      d.id = st->Int(0);
      d.name = std::string(st->Text(1));
      const Entity* owner = cat_.Find(EntityForUdfType(int32(*st, 2)));
      if (!owner) continue;
      d.entity_index = cat_.EntityIndex(owner);
      d.data_type = static_cast<UdfDataType>(int32(*st, 3));
      d.is_protected = int32(*st, 4) != 0;
      d.is_required = int32(*st, 5) != 0;
      d.is_active = st->IsNull(6) || int32(*st, 6) != 0;
      d.sort_order = int32(*st, 7);
      d.decimal_places = int32(*st, 8);
      d.default_value = std::string(st->Text(9));
      d.description = std::string(st->Text(10));
      d.column = fmt::format("udf_{}", d.id);
      udfs_[d.entity_index].push_back(std::move(d));
    }
  }
  auto li = Prepare(
      "SELECT UdfFieldId, ValueForExport, ValueForDisplay, IsActive FROM "
      "\"UserDefinedFieldListItem\" ORDER BY id");
  if (!li.ok()) return li.status().Into(error);
  while (li->Next()) {
    long long owner = li->Int(0);
    for (auto& per_entity : udfs_)
      for (auto& d : per_entity)
        if (d.id == owner) {
          catalog::PicklistValue v;
          v.value = std::string(li->Text(1));
          for (auto& l : v.labels) l = std::string(li->Text(2));
          v.is_active = int32(*li, 3) != 0;
          v.sort_order = static_cast<int>(d.list.size()) + 1;
          d.list.push_back(std::move(v));
        }
  }
  for (size_t i = 0; i < udfs_.size(); ++i) SortUdfs(static_cast<int>(i));
  return true;
}

void TenantDb::SortUdfs(int entity_index) {
  auto& v = udfs_[entity_index];
  std::stable_sort(v.begin(), v.end(), [](const UdfDef& a, const UdfDef& b) {
    if (a.sort_order != b.sort_order) return a.sort_order < b.sort_order;
    return AsciiICompare(a.name, b.name) < 0;
  });
}

const std::vector<UdfDef>& TenantDb::Udfs(int entity_index) const {
  static const std::vector<UdfDef> kEmpty;
  if (entity_index < 0 || entity_index >= static_cast<int>(udfs_.size())) return kEmpty;
  return udfs_[entity_index];
}

const UdfDef* TenantDb::FindUdf(int entity_index, std::string_view name) const {
  const auto& v = Udfs(entity_index);
  for (const auto& d : v)
    if (d.name == name) return &d;
  for (const auto& d : v)
    if (AsciiIEquals(d.name, name)) return &d;
  return nullptr;
}

bool TenantDb::AddUdf(UdfDef d, std::string* error) {
  const Entity* def = cat_.Find("UserDefinedFieldDefinition");
  const Entity* item = cat_.Find("UserDefinedFieldListItem");
  if (!def || !item || d.entity_index < 0) {
    if (error) *error = "UDF definitions are not supported for this entity";
    return false;
  }
  const Entity& owner = cat_.entities()[d.entity_index];
  int udf_type = UdfTypeForEntity(owner.name);
  if (udf_type == 0) {
    if (error) *error = fmt::format("{} has no user-defined fields", owner.name);
    return false;
  }
  auto fi = [&](const char* n) { return def->FieldIndex(n); };
  std::vector<std::pair<int, Value>> vals = {
      {fi("Name"), Value::Text(d.name)},
      {fi("Description"), Value::Text(d.description)},
      {fi("UdfType"), Value::Int(udf_type)},
      {fi("DataType"), Value::Int(static_cast<int>(d.data_type))},
      {fi("DefaultValue"), d.default_value.empty() ? Value::Null() : Value::Text(d.default_value)},
      {fi("IsProtected"), Value::Int(d.is_protected)},
      {fi("IsRequired"), Value::Int(d.is_required)},
      {fi("IsActive"), Value::Int(d.is_active)},
      {fi("SortOrder"), Value::Int(d.sort_order)},
      {fi("NumberOfDecimalPlaces"), Value::Int(d.decimal_places)},
      {fi("IsFieldMapping"), Value::Int(0)},
      {fi("IsVisibleToClientPortal"), Value::Int(0)},
      {fi("IsEncrypted"), Value::Int(0)},
      {fi("IsPrivate"), Value::Int(0)},
  };
  vals.erase(std::remove_if(vals.begin(), vals.end(), [](auto& p) { return p.first < 0; }),
             vals.end());
  long long id = Insert(*def, vals, {}, d.id, error);
  if (id == 0) return false;
  d.id = id;
  d.column = fmt::format("udf_{}", id);
  const char* type = d.data_type == UdfDataType::kNumber     ? "REAL"
                     : d.is_protected                        ? "TEXT COLLATE BINARY"
                     : d.data_type == UdfDataType::kDateTime ? "TEXT"
                                                             : "TEXT COLLATE ATWS_NOCASE";
  if (!EnsureTable(owner, error) ||
      !Exec("ALTER TABLE " + Quote(owner.name) + " ADD COLUMN " + Quote(d.column) + " " + type,
            error))
    return false;
  for (auto& li : d.list) {
    std::vector<std::pair<int, Value>> lv = {
        {item->FieldIndex("UdfFieldId"), Value::Int(id)},
        {item->FieldIndex("ValueForExport"), Value::Text(li.value)},
        {item->FieldIndex("ValueForDisplay"), Value::Text(li.labels[0])},
        {item->FieldIndex("IsActive"), Value::Int(li.is_active)},
    };
    if (Insert(*item, lv, {}, 0, error) == 0) return false;
  }
  // Statements prepared before the new column existed must be re-prepared.
  conn_->ClearStatementCache();
  int owner_index = d.entity_index;
  udfs_[owner_index].push_back(std::move(d));
  SortUdfs(owner_index);
  BumpGeneration();
  return true;
}

long long TenantDb::NextId(const Entity& e) {
  int idx = cat_.EntityIndex(&e);
  long long& next = next_id_[idx];
  if (next == 0) {
    auto st = Prepare("SELECT MAX(id) FROM " + Quote(e.name));
    long long max = 0;
    if (st.ok() && st->Next()) max = st->Int(0);
    next = max + 1;
  }
  return next++;
}

long long TenantDb::Insert(const Entity& e, const std::vector<std::pair<int, Value>>& values,
                           const std::vector<std::pair<std::string, Value>>& udfs, long long id,
                           std::string* error) {
  if (id == 0) id = NextId(e);
  int idx = cat_.EntityIndex(&e);
  if (id >= next_id_[idx]) next_id_[idx] = id + 1;
  // The statement text is the cache key; built without temporaries (start-up inserts ~10,000
  // rows this way).
  std::string& sql = insert_sql_;
  sql.clear();
  sql += "INSERT INTO ";
  AppendQuoted(&sql, e.name);
  sql += " (id";
  for (const auto& [fi, v] : values) {
    sql += ", ";
    AppendQuoted(&sql, e.fields[fi].name);
  }
  for (const auto& [col, v] : udfs) {
    sql += ", ";
    AppendQuoted(&sql, col);
  }
  sql += ") VALUES (?";
  for (size_t i = 0; i < values.size() + udfs.size(); ++i) sql += ", ?";
  sql += ")";
  auto st = Prepare(sql);
  if (!st.ok()) {
    st.status().Into(error);
    return 0;
  }
  int pos = 1;
  st->BindInt(pos++, id);
  for (const auto& [fi, v] : values) st->Bind(pos++, v);
  for (const auto& [col, v] : udfs) st->Bind(pos++, v);
  if (Status s = st->Run(); !s.ok()) {
    s.Into(error);
    return 0;
  }
  BumpGeneration();
  return id;
}

bool TenantDb::Update(const Entity& e, long long id,
                      const std::vector<std::pair<int, Value>>& values,
                      const std::vector<std::pair<std::string, Value>>& udfs, std::string* error) {
  if (values.empty() && udfs.empty()) return true;
  std::string sql = "UPDATE " + Quote(e.name) + " SET ";
  bool first = true;
  for (const auto& [fi, v] : values) {
    sql += (first ? "" : ", ") + Quote(e.fields[fi].name) + " = ?";
    first = false;
  }
  for (const auto& [col, v] : udfs) {
    sql += (first ? "" : ", ") + Quote(col) + " = ?";
    first = false;
  }
  sql += " WHERE id = ?";
  auto st = Prepare(sql);
  if (!st.ok()) return st.status().Into(error);
  int pos = 1;
  for (const auto& [fi, v] : values) st->Bind(pos++, v);
  for (const auto& [col, v] : udfs) st->Bind(pos++, v);
  st->BindInt(pos, id);
  if (Status s = st->Run(); !s.ok()) return s.Into(error);
  if (conn_->Changes() == 0) {
    if (error) *error = fmt::format("no {} with id {}", e.name, id);
    return false;
  }
  BumpGeneration();
  return true;
}

bool TenantDb::Delete(const Entity& e, long long id, std::string* error) {
  auto st = Prepare("DELETE FROM " + Quote(e.name) + " WHERE id = ?");
  if (!st.ok()) return st.status().Into(error);
  st->BindInt(1, id);
  if (Status s = st->Run(); !s.ok()) return s.Into(error);
  if (conn_->Changes() == 0) {
    if (error) *error = fmt::format("no {} with id {}", e.name, id);
    return false;
  }
  BumpGeneration();
  return true;
}

long long TenantDb::Count(const Entity& e) {
  auto st = Prepare("SELECT COUNT(*) FROM " + Quote(e.name));
  long long n = 0;
  if (st.ok() && st->Next()) n = st->Int(0);
  return n;
}

bool TenantDb::RowExists(std::string_view table, long long id) {
  auto st = Prepare("SELECT 1 FROM " + Quote(table) + " WHERE id = ?");
  if (!st.ok()) return false;
  st->BindInt(1, id);
  return st->Next();
}

bool ReadRow(TenantDb& db, const catalog::Entity& e, long long id, std::vector<Value>* row) {
  std::string sql = "SELECT id";
  for (size_t i = 1; i < e.fields.size(); ++i) sql += ", " + TenantDb::Quote(e.fields[i].name);
  sql += " FROM " + TenantDb::Quote(e.name) + " WHERE id = ?";
  auto st = db.Prepare(sql);
  if (!st.ok()) return false;
  st->BindInt(1, id);
  bool found = st->Next();
  if (found) {
    row->assign(e.fields.size(), Value());
    for (size_t i = 0; i < e.fields.size(); ++i) (*row)[i] = st->ValueAt(static_cast<int>(i));
  }
  return found;
}

// ---- Savepoint (savepoint.h) -------------------------------------------------------------------

Result<Savepoint> Savepoint::Begin(TenantDb& db, std::string name) {
  std::string error;
  if (!db.Exec("SAVEPOINT " + name, &error)) return Status::IoError(error);
  return Savepoint(&db, std::move(name));
}

Savepoint::Savepoint(Savepoint&& other) noexcept : db_(other.db_), name_(std::move(other.name_)) {
  other.db_ = nullptr;
}

Savepoint::~Savepoint() { Rollback(); }

Status Savepoint::Release() {
  if (!db_) return Status::OK();
  std::string error;
  bool ok = db_->Exec("RELEASE " + name_, &error);
  db_ = nullptr;
  return ok ? Status::OK() : Status::IoError(error);
}

void Savepoint::Rollback() {
  if (!db_) return;
  db_->Exec("ROLLBACK TO " + name_);
  db_->Exec("RELEASE " + name_);
  db_ = nullptr;
}

}  // namespace atws::store
