// Fixture sets in the API's own entity XML, loaded into a tenant (fixture_sets.h).
#include "ops/fixture_sets.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "behaviours/behaviours.h"
#include "common/text.h"
#include "metadata/validation.h"
#include "soap/soap.h"

namespace atws::service {

using catalog::Entity;
using catalog::Field;
using store::Value;

namespace {

std::string Cut(std::string_view s, size_t n = 100) {
  return s.size() <= n ? std::string(s) : std::string(s.substr(0, n)) + "…";
}

const Value* Find(const std::vector<std::pair<int, Value>>& values, int index) {
  for (const auto& [fi, v] : values)
    if (fi == index) return &v;
  return nullptr;
}

// One entity of the set; "" when it was written, else why not.
std::string LoadOne(const catalog::Catalog& cat, Tenant& t, const soap::EntityArg& ea,
                    ApiTimeZone tz, bool* replaced, bool* udfs_touched, std::string* type) {
  store::TenantDb& db = *t.db;
  if (ea.type.empty()) return "the Entity has no xsi:type";
  const Entity* e = cat.Find(ea.type);
  if (!e) return fmt::format("no entity type '{}'", Cut(ea.type));
  *type = e->name;
  long long id = 0;
  std::vector<std::pair<int, Value>> values;
  std::set<int> seen;
  for (const auto& fa : ea.fields) {
    const Field* f = e->FindField(fa.name);
    if (!f) return fmt::format("{} has no field '{}'", e->name, Cut(fa.name));
    if (!seen.insert(f->index).second) return fmt::format("field {} given twice", f->name);
    if (f->index == 0) {
      if (!ParseInt64(Trim(fa.text), &id) || id <= 0)
        return fmt::format("id must be a positive integer, not '{}'", Cut(fa.text));
      continue;
    }
    Value v;
    if (!fa.nil && !(fa.text.empty() && f->type != catalog::FieldType::kString)) {
      std::string why;
      if (!ConvertValue(*f, fa.text, tz, &v, &why)) return why;
    }
    values.emplace_back(f->index, std::move(v));
  }
  const int entity_index = cat.EntityIndex(e);
  std::vector<std::pair<std::string, Value>> udfs;
  for (const auto& ua : ea.udfs) {
    const store::UdfDef* u = db.FindUdf(entity_index, Trim(ua.name));
    if (!u)
      return fmt::format("{} has no user-defined field '{}' in this tenant", e->name, Cut(ua.name));
    Value v;
    if (!ua.nil && !(ua.text.empty() && u->data_type != store::UdfDataType::kString)) {
      Field uf;
      uf.name = u->name;
      uf.type = u->field_type();
      uf.length = u->data_type == store::UdfDataType::kString ? 8000 : 0;
      std::string why;
      if (!ConvertValue(uf, ua.text, tz, &v, &why)) return why;
    }
    udfs.emplace_back(u->column, std::move(v));
  }

  std::string err;
  std::vector<Value> old_row;
  *replaced = id > 0 && ReadRow(db, *e, id, &old_row);
  if (e->name == "UserDefinedFieldDefinition") {
    // Through the store, so that the UDF gets its column on its entity's table.
    if (*replaced)
      return fmt::format(
          "UserDefinedFieldDefinition {} exists already (definitions cannot be "
          "replaced)",
          id);
    auto num = [&](const char* n) {
      const Value* v = Find(values, e->FieldIndex(n));
      return v && v->kind == Value::Kind::kInt ? v->i : 0LL;
    };
    auto text = [&](const char* n) {
      const Value* v = Find(values, e->FieldIndex(n));
      return v && v->kind == Value::Kind::kText ? v->s : std::string();
    };
    store::UdfDef d;
    d.id = id;
    d.name = std::string(Trim(text("Name")));
    const Entity* owner = cat.Find(store::EntityForUdfType(static_cast<int>(num("UdfType"))));
    if (d.name.empty() || !owner)
      return "a UserDefinedFieldDefinition needs Name and a valid UdfType";
    if (db.FindUdf(cat.EntityIndex(owner), d.name))
      return fmt::format("{} has a user-defined field named '{}' already", owner->name, d.name);
    d.entity_index = cat.EntityIndex(owner);
    long long data_type = num("DataType");
    if (data_type < 1 || data_type > 4) return "DataType must be 1 (text) to 4 (list)";
    d.data_type = static_cast<store::UdfDataType>(data_type);
    d.is_protected = num("IsProtected") != 0;
    d.is_required = num("IsRequired") != 0;
    d.is_active = !Find(values, e->FieldIndex("IsActive")) || num("IsActive") != 0;
    d.sort_order = static_cast<int>(num("SortOrder"));
    d.decimal_places = static_cast<int>(num("NumberOfDecimalPlaces"));
    d.default_value = text("DefaultValue");
    d.description = text("Description");
    if (!db.AddUdf(d, &err)) return err;
    if (id == 0) {  // AddUdf assigned one: the highest definition id now
      auto st = db.Prepare("SELECT MAX(id) FROM \"UserDefinedFieldDefinition\"");
      if (!st.ok()) return st.status().message();
      if (st->Next()) id = st->Int(0);
    }
    if (!db.Update(*e, id, values, {}, &err)) return err;
    *udfs_touched = true;
    return "";
  }
  if (*replaced) {
    if (!db.Delete(*e, id, &err) || !DropSettle(t, *e, id, -1, &err)) return err;
  }
  if (id == 0) id = db.NextId(*e);
  if (db.Insert(*e, values, udfs, id, &err) == 0) return err;
  if (e->name == "UserDefinedFieldListItem") *udfs_touched = true;
  return "";
}

}  // namespace

bool LoadFixtureSet(const catalog::Catalog& cat, Tenant& t, std::string_view xml, ApiTimeZone tz,
                    nlohmann::json* summary, std::string* error) {
  std::vector<soap::EntityArg> entities;
  soap::DecodeLimits limits;
  limits.max_entities = 100000;
  if (!soap::DecodeEntityDocument(xml, limits, &entities, error)) return false;
  if (entities.empty()) {
    *error =
        "the document holds no <Entity xsi:type=\"…\"> element (a fixture set is the API's own "
        "entity XML, e.g. a saved query response)";
    return false;
  }
  store::TenantDb& db = *t.db;
  if (!EnsureWriteState(t, error)) return false;
  // Ids given explicitly must not be handed out again: read each table's highest id first.
  std::set<const Entity*> primed;
  for (const auto& ea : entities)
    if (const Entity* e = cat.Find(ea.type); e && primed.insert(e).second) db.NextId(*e);
  if (!db.Exec("SAVEPOINT atws_fixtures", error)) return false;
  std::map<std::string, long long> loaded;
  long long replaced_rows = 0;
  bool udfs_touched = false;
  for (size_t i = 0; i < entities.size(); ++i) {
    bool replaced = false;
    std::string type = entities[i].type;
    std::string why = LoadOne(cat, t, entities[i], tz, &replaced, &udfs_touched, &type);
    if (!why.empty()) {
      db.Exec("ROLLBACK TO atws_fixtures");
      db.Exec("RELEASE atws_fixtures");
      if (udfs_touched) db.ReloadUdfs();
      t.writes.next_due_known = false;
      *error = fmt::format("entity {} ({}): {}", i + 1, Cut(type, 60), why);
      return false;
    }
    ++loaded[type];
    if (replaced) ++replaced_rows;
  }
  if (!db.Exec("RELEASE atws_fixtures", error)) return false;
  if (udfs_touched) db.ReloadUdfs();
  db.BumpGeneration();
  nlohmann::json per = nlohmann::json::object();
  for (const auto& [name, n] : loaded) per[name] = n;
  *summary = {{"loaded", per},
              {"rows", static_cast<long long>(entities.size())},
              {"replaced", replaced_rows}};
  return true;
}

}  // namespace atws::service
