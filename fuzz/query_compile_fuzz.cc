// libFuzzer target: the QueryXML compiler (query::Compile) over the first default tenant (its
// UDF definitions included). Every query it accepts is prepared and run against that tenant's
// data (at most 200,000 SQLite VM steps), so that generated SQL SQLite refuses, and the SQL
// functions the compiler calls (atws_like, atws_soundex, the ATWS_NOCASE collation) with
// fuzzed values, are exercised too. Refused SQL is a finding: the compiler must only produce
// valid, parameterised SQL.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "fixtures/fixtures.h"
#include "query/query.h"
#include "store/store.h"

namespace {

atws::store::TenantDb* Db() {
  static std::unique_ptr<atws::store::TenantDb> db = [] {
    std::string err;
    auto d = atws::store::TenantDb::Open(":memory:", atws::catalog::Catalog::Default(), &err);
    if (!d) {
      std::fprintf(stderr, "TenantDb::Open: %s\n", err.c_str());
      std::abort();
    }
    auto specs = atws::fixtures::DefaultTenants();
    if (!atws::fixtures::Populate(specs.at(0), *d, atws::fixtures::DefaultBaseTime(), &err)) {
      std::fprintf(stderr, "Populate: %s\n", err.c_str());
      std::abort();
    }
    return d;
  }();
  return db.get();
}

int g_steps = 0;
int Progress(void*) { return ++g_steps > 200 ? 1 : 0; }  // called every 1,000 VM steps

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Db();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sxml(reinterpret_cast<const char*>(data), size);
  auto* db = Db();
  atws::query::Options opt;
  atws::query::Compiled c;
  std::string error;
  if (!atws::query::Compile(sxml, atws::catalog::Catalog::Default(), *db, opt, &c, &error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  std::string sql = "SELECT id FROM " + atws::store::TenantDb::Quote(c.entity->name) + " WHERE (" +
                    c.where + ") ORDER BY id LIMIT 500";
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db->handle(), sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) !=
      SQLITE_OK) {
    std::fprintf(stderr, "generated SQL refused: %s\n%s\n", sqlite3_errmsg(db->handle()),
                 sql.substr(0, 2000).c_str());
    std::abort();
  }
  if (sqlite3_bind_parameter_count(st) != static_cast<int>(c.params.size())) {
    std::fprintf(stderr, "%d placeholders, %zu parameters\n", sqlite3_bind_parameter_count(st),
                 c.params.size());
    std::abort();
  }
  for (size_t i = 0; i < c.params.size(); ++i)
    atws::store::Bind(st, static_cast<int>(i + 1), c.params[i]);
  g_steps = 0;
  sqlite3_progress_handler(db->handle(), 1000, Progress, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
  }
  sqlite3_progress_handler(db->handle(), 0, nullptr, nullptr);
  sqlite3_finalize(st);
  return 0;
}
