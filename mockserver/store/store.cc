#include "store/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "common/text.h"

namespace atws::store {

using catalog::Entity;
using catalog::Field;
using catalog::FieldType;

int Bind(sqlite3_stmt* st, int pos, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return sqlite3_bind_null(st, pos);
    case Value::Kind::kInt:
      return sqlite3_bind_int64(st, pos, v.i);
    case Value::Kind::kReal:
      return sqlite3_bind_double(st, pos, v.d);
    case Value::Kind::kText:
      return sqlite3_bind_text(st, pos, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT);
  }
  return SQLITE_MISUSE;
}

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

std::string_view SqlStr(sqlite3_stmt* st, int col) {
  const unsigned char* p = sqlite3_column_text(st, col);
  if (!p) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(st, col)));
}

std::string_view ArgStr(sqlite3_value* v) {
  const unsigned char* p = sqlite3_value_text(v);
  if (!p) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_value_bytes(v)));
}

int NoCaseCollate(void*, int n1, const void* p1, int n2, const void* p2) {
  return FoldCompare(std::string_view(static_cast<const char*>(p1), n1),
                     std::string_view(static_cast<const char*>(p2), n2));
}

void FoldFunc(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  std::string r = FoldCase(ArgStr(argv[0]));
  sqlite3_result_text(ctx, r.data(), static_cast<int>(r.size()), SQLITE_TRANSIENT);
}

// LIKE over already-folded (or case-sensitive) texts: % any run, _ one code point,
// backslash escapes the next character.
bool LikeMatch(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  auto cp_len = [](std::string_view t, size_t i) -> size_t {
    unsigned char c = static_cast<unsigned char>(t[i]);
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    return std::min(n, t.size() - i);
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
      continue;
    }
    if (pi < p.size()) {
      if (p[pi] == '_') {
        si += cp_len(s, si);
        ++pi;
        continue;
      }
      size_t lit = pi;
      if (p[pi] == '\\' && pi + 1 < p.size()) lit = pi + 1;
      size_t n = cp_len(p, lit);
      if (s.compare(si, n, p.substr(lit, n)) == 0) {
        si += n;
        pi = lit + n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    star_s += cp_len(s, star_s);
    si = star_s;
    pi = star_p;
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

void LikeFunc(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  bool cs = sqlite3_user_data(ctx) != nullptr;
  if (cs) {
    sqlite3_result_int(ctx, LikeMatch(ArgStr(argv[0]), ArgStr(argv[1])) ? 1 : 0);
  } else {
    sqlite3_result_int(ctx,
                       LikeMatch(FoldCase(ArgStr(argv[0])), FoldCase(ArgStr(argv[1]))) ? 1 : 0);
  }
}

std::string Soundex(std::string_view s) {
  static const char kCodes[] = "01230120022455012623010202";  // a..z
  std::string out;
  char last = 0;
  for (char c : s) {
    char l = AsciiLower(c);
    if (l < 'a' || l > 'z') continue;
    char code = kCodes[l - 'a'];
    if (out.empty()) {
      out.push_back(static_cast<char>(l - 32));
      last = code;
      continue;
    }
    if (code != '0' && code != last) out.push_back(code);
    if (l != 'h' && l != 'w') last = code;
    if (out.size() == 4) break;
  }
  if (out.empty()) return "";
  while (out.size() < 4) out.push_back('0');
  return out;
}

void SoundexFunc(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  std::string r = Soundex(ArgStr(argv[0]));
  sqlite3_result_text(ctx, r.data(), static_cast<int>(r.size()), SQLITE_TRANSIENT);
}

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

void RegisterFunctions(sqlite3* db) {
  sqlite3_create_collation(db, "ATWS_NOCASE", SQLITE_UTF8, nullptr, NoCaseCollate);
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  sqlite3_create_function(db, "atws_fold", 1, flags, nullptr, FoldFunc, nullptr, nullptr);
  sqlite3_create_function(db, "atws_like", 2, flags, nullptr, LikeFunc, nullptr, nullptr);
  static int cs_marker = 1;
  sqlite3_create_function(db, "atws_like_cs", 2, flags, &cs_marker, LikeFunc, nullptr, nullptr);
  sqlite3_create_function(db, "atws_soundex", 1, flags, nullptr, SoundexFunc, nullptr, nullptr);
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

TenantDb::TenantDb(sqlite3* db, const catalog::Catalog& cat)
    : db_(db), cat_(cat), udfs_(cat.entities().size()), next_id_(cat.entities().size(), 0) {}

TenantDb::~TenantDb() {
  for (auto& kv : stmts_) sqlite3_finalize(kv.second);
  sqlite3_close_v2(db_);
}

void TenantDb::SwapContents(TenantDb& other) {
  std::swap(db_, other.db_);
  stmts_.swap(other.stmts_);
  std::swap(table_made_in_txn_, other.table_made_in_txn_);
  udfs_.swap(other.udfs_);
  next_id_.swap(other.next_id_);
  generation_ = std::max(generation_, other.generation_) + 1;
  other.generation_ = generation_;
}

std::unique_ptr<TenantDb> TenantDb::Open(const std::string& path, const catalog::Catalog& cat,
                                         std::string* error) {
  // Memory statistics take a process-wide mutex on every allocation; tenants run in parallel,
  // so they are switched off (before SQLite initialises; later calls are refused harmlessly).
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    if (error) *error = fmt::format("cannot open {}: {}", path, db ? sqlite3_errmsg(db) : "?");
    sqlite3_close_v2(db);
    return nullptr;
  }
  std::unique_ptr<TenantDb> t(new TenantDb(db, cat));
  RegisterFunctions(db);
  sqlite3_busy_timeout(db, 5000);
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
  auto* bytes = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (!bytes) {
    if (error) *error = "out of memory for the database image";
    return nullptr;
  }
  std::memcpy(bytes, image.data(), image.size());
  // SQLite owns the copy (FREEONCLOSE) and grows it as rows are added (RESIZEABLE).
  const auto size = static_cast<sqlite3_int64>(image.size());
  if (sqlite3_deserialize(t->db_, "main", bytes, size, size,
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) !=
      SQLITE_OK) {
    if (error) *error = std::string("cannot load the database image: ") + sqlite3_errmsg(t->db_);
    return nullptr;
  }
  // Such a database may grow to 1 GiB by default; an in-memory ":memory:" one has no limit.
  sqlite3_int64 limit = std::numeric_limits<sqlite3_int64>::max() / 2;
  sqlite3_file_control(t->db_, "main", SQLITE_FCNTL_SIZE_LIMIT, &limit);
  // The image is the database: the page cache above it is only a copy of pages being used, so
  // it is kept small (the pages of ":memory:" databases are their cache).
  if (!t->Exec("PRAGMA journal_mode=MEMORY", error) || !t->Exec("PRAGMA cache_size=-512", error) ||
      !t->LoadUdfs(error))
    return nullptr;
  return t;
}

bool TenantDb::Exec(const std::string& sql, std::string* error) {
  for (int attempt = 0;; ++attempt) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) == SQLITE_OK) break;
    // Exec runs one statement at a time here, so a statement refused for a missing table did
    // nothing and can run again once the table is made.
    if (attempt < 8 && msg && CreateMissingTable(msg)) {
      sqlite3_free(msg);
      continue;
    }
    if (error) *error = msg ? msg : "sqlite error";
    sqlite3_free(msg);
    return false;
  }
  if (table_made_in_txn_) {
    if (sql.compare(0, 8, "ROLLBACK") == 0) {
      for (auto& kv : stmts_) sqlite3_finalize(kv.second);
      stmts_.clear();
    }
    if (sqlite3_get_autocommit(db_)) table_made_in_txn_ = false;
  }
  return true;
}

bool TenantDb::HasTable(const Entity& e) const {
  return sqlite3_table_column_metadata(db_, "main", e.name.c_str(), nullptr, nullptr, nullptr,
                                       nullptr, nullptr, nullptr) == SQLITE_OK;
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
  bool in_txn = !sqlite3_get_autocommit(db_);
  char* msg = nullptr;
  std::string all = "SAVEPOINT atws_schema;" + sql + "RELEASE atws_schema;";
  if (sqlite3_exec(db_, all.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    if (error) *error = msg ? msg : "sqlite error";
    sqlite3_free(msg);
    sqlite3_exec(db_, "ROLLBACK TO atws_schema; RELEASE atws_schema;", nullptr, nullptr, nullptr);
    return false;
  }
  if (in_txn) table_made_in_txn_ = true;
  return true;
}

bool TenantDb::CreateMissingTable(const char* sqlite_message) {
  constexpr std::string_view kNoTable = "no such table: ";
  std::string_view m(sqlite_message);
  if (m.compare(0, kNoTable.size(), kNoTable) != 0) return false;
  m.remove_prefix(kNoTable.size());
  if (m.compare(0, 5, "main.") == 0) m.remove_prefix(5);
  const Entity* e = cat_.Find(m);
  if (!e || e->name != m || HasTable(*e)) return false;
  return EnsureTable(*e);
}

sqlite3_stmt* TenantDb::PrepareOnce(const std::string& sql, std::string* error) {
  for (int attempt = 0;; ++attempt) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) ==
        SQLITE_OK)
      return st;
    sqlite3_finalize(st);
    if (attempt < 8 && CreateMissingTable(sqlite3_errmsg(db_))) continue;
    if (error) *error = sqlite3_errmsg(db_);
    return nullptr;
  }
}

sqlite3_stmt* TenantDb::Prepare(const std::string& sql, std::string* error) {
  auto it = stmts_.find(sql);
  if (it != stmts_.end()) {
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
  }
  sqlite3_stmt* st = nullptr;
  for (int attempt = 0;; ++attempt) {
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &st, nullptr) == SQLITE_OK)
      break;
    sqlite3_finalize(st);
    st = nullptr;
    if (attempt < 8 && CreateMissingTable(sqlite3_errmsg(db_))) continue;
    if (error) *error = sqlite3_errmsg(db_);
    return nullptr;
  }
  // Bound the cache: queries with many distinct shapes must not grow it without limit.
  if (stmts_.size() >= 512) {
    for (auto& kv : stmts_) sqlite3_finalize(kv.second);
    stmts_.clear();
  }
  stmts_.emplace(sql, st);
  return st;
}

bool TenantDb::LoadUdfs(std::string* error) {
  for (auto& v : udfs_) v.clear();
  const Entity* def = cat_.Find("UserDefinedFieldDefinition");
  const Entity* item = cat_.Find("UserDefinedFieldListItem");
  if (!def || !item) return true;
  sqlite3_stmt* st = Prepare(
      "SELECT id, Name, UdfType, DataType, IsProtected, IsRequired, IsActive, SortOrder, "
      "NumberOfDecimalPlaces, DefaultValue, Description FROM \"UserDefinedFieldDefinition\" "
      "ORDER BY id",
      error);
  if (!st) return false;
  while (sqlite3_step(st) == SQLITE_ROW) {
    UdfDef d;
    d.id = sqlite3_column_int64(st, 0);
    d.name = std::string(SqlStr(st, 1));
    const Entity* owner = cat_.Find(EntityForUdfType(sqlite3_column_int(st, 2)));
    if (!owner) continue;
    d.entity_index = cat_.EntityIndex(owner);
    d.data_type = static_cast<UdfDataType>(sqlite3_column_int(st, 3));
    d.is_protected = sqlite3_column_int(st, 4) != 0;
    d.is_required = sqlite3_column_int(st, 5) != 0;
    d.is_active = sqlite3_column_type(st, 6) == SQLITE_NULL || sqlite3_column_int(st, 6) != 0;
    d.sort_order = sqlite3_column_int(st, 7);
    d.decimal_places = sqlite3_column_int(st, 8);
    d.default_value = std::string(SqlStr(st, 9));
    d.description = std::string(SqlStr(st, 10));
    d.column = fmt::format("udf_{}", d.id);
    udfs_[d.entity_index].push_back(std::move(d));
  }
  sqlite3_stmt* li = Prepare(
      "SELECT UdfFieldId, ValueForExport, ValueForDisplay, IsActive FROM "
      "\"UserDefinedFieldListItem\" ORDER BY id",
      error);
  if (!li) return false;
  while (sqlite3_step(li) == SQLITE_ROW) {
    long long owner = sqlite3_column_int64(li, 0);
    for (auto& per_entity : udfs_)
      for (auto& d : per_entity)
        if (d.id == owner) {
          catalog::PicklistValue v;
          v.value = std::string(SqlStr(li, 1));
          for (auto& l : v.labels) l = std::string(SqlStr(li, 2));
          v.is_active = sqlite3_column_int(li, 3) != 0;
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
  for (auto& kv : stmts_) sqlite3_finalize(kv.second);
  stmts_.clear();
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
    sqlite3_stmt* st = Prepare("SELECT MAX(id) FROM " + Quote(e.name));
    long long max = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW) max = sqlite3_column_int64(st, 0);
    if (st) sqlite3_reset(st);
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
  sqlite3_stmt* st = Prepare(sql, error);
  if (!st) return 0;
  int pos = 1;
  sqlite3_bind_int64(st, pos++, id);
  for (const auto& [fi, v] : values) Bind(st, pos++, v);
  for (const auto& [col, v] : udfs) Bind(st, pos++, v);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    if (error) *error = sqlite3_errmsg(db_);
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
  sqlite3_stmt* st = Prepare(sql, error);
  if (!st) return false;
  int pos = 1;
  for (const auto& [fi, v] : values) Bind(st, pos++, v);
  for (const auto& [col, v] : udfs) Bind(st, pos++, v);
  sqlite3_bind_int64(st, pos, id);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    if (error) *error = sqlite3_errmsg(db_);
    return false;
  }
  if (sqlite3_changes(db_) == 0) {
    if (error) *error = fmt::format("no {} with id {}", e.name, id);
    return false;
  }
  BumpGeneration();
  return true;
}

bool TenantDb::Delete(const Entity& e, long long id, std::string* error) {
  sqlite3_stmt* st = Prepare("DELETE FROM " + Quote(e.name) + " WHERE id = ?", error);
  if (!st) return false;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    if (error) *error = sqlite3_errmsg(db_);
    return false;
  }
  if (sqlite3_changes(db_) == 0) {
    if (error) *error = fmt::format("no {} with id {}", e.name, id);
    return false;
  }
  BumpGeneration();
  return true;
}

long long TenantDb::Count(const Entity& e) {
  sqlite3_stmt* st = Prepare("SELECT COUNT(*) FROM " + Quote(e.name));
  long long n = 0;
  if (st && sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
  if (st) sqlite3_reset(st);
  return n;
}

}  // namespace atws::store
