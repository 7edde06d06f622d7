// libFuzzer target: the QueryXML compiler (query::Compile) over the first default tenant (its
// UDF definitions included). Every query it accepts is prepared and run against that tenant's
// data (at most 200,000 SQLite VM steps), so that generated SQL SQLite refuses, and the SQL
// functions the compiler calls (atws_like, atws_soundex, the ATWS_NOCASE collation) with
// fuzzed values, are exercised too. Refused SQL is a finding: the compiler must only produce
// valid, parameterised SQL.
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
  // As the service prepares it (a catalog entity's missing table is made first).
  auto st = db->PrepareOnce(sql);
  if (!st.ok()) {
    std::fprintf(stderr, "generated SQL refused: %s\n%s\n", st.status().message().c_str(),
                 sql.substr(0, 2000).c_str());
    std::abort();
  }
  if (st->ParameterCount() != static_cast<int>(c.params.size())) {
    std::fprintf(stderr, "%d placeholders, %zu parameters\n", st->ParameterCount(),
                 c.params.size());
    std::abort();
  }
  st->BindAll(c.params);
  db->LimitSteps(200000);
  while (st->Next()) {
  }
  db->LimitSteps(0);
  return 0;
}
