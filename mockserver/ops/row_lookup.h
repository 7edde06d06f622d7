// Reading single rows by id as (column name -> text) for the pages and documents built from
// several entities (invoice markup, ExecuteCommand pages). Internal to the service module.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/text.h"
#include "store/store.h"

namespace atws::service {

struct RowValues {
  std::map<std::string, std::string, std::less<>> values;  // non-null columns only
  bool Has(std::string_view name) const { return values.find(name) != values.end(); }
  std::string Text(std::string_view name) const {
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  }
  long long Int(std::string_view name) const {
    long long v = 0;
    double d = 0;
    auto it = values.find(name);
    if (it == values.end()) return 0;
    if (ParseInt64(it->second, &v)) return v;
    if (ParseDouble(it->second, &d)) return static_cast<long long>(d);
    return 0;
  }
  double Real(std::string_view name) const {
    double d = 0;
    auto it = values.find(name);
    return it != values.end() && ParseDouble(it->second, &d) ? d : 0.0;
  }
};

// All rows of `e` matching `where` (bound `params`), ordered by id, at most `limit`.
inline std::vector<RowValues> FetchRows(store::TenantDb& db, const catalog::Entity& e,
                                        const std::string& where,
                                        const std::vector<store::Value>& params, int limit = 500) {
  std::vector<RowValues> rows;
  std::string sql = "SELECT * FROM " + store::TenantDb::Quote(e.name) + " WHERE (" + where +
                    ") ORDER BY id LIMIT " + std::to_string(limit);
  auto st = db.Prepare(sql);
  if (!st.ok()) return rows;
  st->BindAll(params);
  while (st->Next()) {
    RowValues r;
    int n = st->ColumnCount();
    for (int c = 0; c < n; ++c) {
      if (st->IsNull(c)) continue;
      r.values.emplace(st->ColumnName(c), st->Text(c));
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

// Row `id` of the entity named `entity`; false when there is none.
inline bool FetchRow(store::TenantDb& db, const catalog::Catalog& cat, std::string_view entity,
                     long long id, RowValues* out) {
  const catalog::Entity* e = cat.Find(entity);
  if (!e || id <= 0) return false;
  auto rows = FetchRows(db, *e, "id = ?", {store::Value::Int(id)}, 1);
  if (rows.empty()) return false;
  *out = std::move(rows[0]);
  return true;
}

}  // namespace atws::service
