#include "catalog/catalog.h"

#include <algorithm>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace atws::catalog {

// Defined in the build-generated catalog_data.cc (see embed_data.cmake).
extern const char kEntitiesJson[];
extern const size_t kEntitiesJsonSize;
extern const char kPicklistsJson[];
extern const size_t kPicklistsJsonSize;

namespace {

using nlohmann::json;

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

// Compares an already lower-case key with `input` lower-cased on the fly (no allocation).
int CompareLower(std::string_view lower_key, std::string_view input) {
  size_t n = std::min(lower_key.size(), input.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char a = static_cast<unsigned char>(lower_key[i]);
    unsigned char b = static_cast<unsigned char>(LowerAscii(input[i]));
    if (a != b) return a < b ? -1 : 1;
  }
  if (lower_key.size() == input.size()) return 0;
  return lower_key.size() < input.size() ? -1 : 1;
}

// Binary search in a vector of (lower-case name, index) sorted by name. -1 when absent.
int LookupLower(const std::vector<std::pair<std::string, int>>& table, std::string_view name) {
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const std::pair<std::string, int>& e, std::string_view n) {
                               return CompareLower(e.first, n) < 0;
                             });
  if (it != table.end() && CompareLower(it->first, name) == 0) return it->second;
  return -1;
}

[[noreturn]] void Fail(const std::string& ctx, const std::string& what) {
  throw std::runtime_error("catalog: " + ctx + ": " + what);
}

const char* KindName(const json& j) { return j.type_name(); }

// Member access with type checks. Optional getters return `def` when the key is absent (or
// null where null is allowed); a present value of the wrong type is an error.
const json* Member(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

const json& Required(const json& obj, const char* key, const std::string& ctx) {
  const json* v = Member(obj, key);
  if (!v) Fail(ctx, std::string("missing \"") + key + "\"");
  return *v;
}

std::string RequiredString(const json& obj, const char* key, const std::string& ctx) {
  const json& v = Required(obj, key, ctx);
  if (!v.is_string()) {
    Fail(ctx, std::string("\"") + key + "\" must be a string, not " + KindName(v));
  }
  return v.get<std::string>();
}

std::string OptString(const json& obj, const char* key, const std::string& ctx,
                      const std::string& def = std::string()) {
  const json* v = Member(obj, key);
  if (!v || v->is_null()) return def;
  if (!v->is_string()) {
    Fail(ctx, std::string("\"") + key + "\" must be a string or null, not " + KindName(*v));
  }
  return v->get<std::string>();
}

bool OptBool(const json& obj, const char* key, const std::string& ctx, bool def) {
  const json* v = Member(obj, key);
  if (!v) return def;
  if (!v->is_boolean()) {
    Fail(ctx, std::string("\"") + key + "\" must be a boolean, not " + KindName(*v));
  }
  return v->get<bool>();
}

int OptInt(const json& obj, const char* key, const std::string& ctx, int def) {
  const json* v = Member(obj, key);
  if (!v || v->is_null()) return def;
  if (!v->is_number_integer()) {
    Fail(ctx, std::string("\"") + key + "\" must be an integer, not " + KindName(*v));
  }
  return v->get<int>();
}

const json& RequiredArray(const json& obj, const char* key, const std::string& ctx) {
  const json& v = Required(obj, key, ctx);
  if (!v.is_array()) {
    Fail(ctx, std::string("\"") + key + "\" must be an array, not " + KindName(v));
  }
  return v;
}

const json* OptArray(const json& obj, const char* key, const std::string& ctx) {
  const json* v = Member(obj, key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_array()) {
    Fail(ctx, std::string("\"") + key + "\" must be an array, not " + KindName(*v));
  }
  return v;
}

const json* OptObject(const json& obj, const char* key, const std::string& ctx) {
  const json* v = Member(obj, key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_object()) {
    Fail(ctx, std::string("\"") + key + "\" must be an object, not " + KindName(*v));
  }
  return v;
}

json ParseText(std::string_view text, const char* what) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    Fail(what, std::string("malformed JSON: ") + e.what());
  }
}

bool ParseFieldType(std::string_view s, FieldType* out) {
  static constexpr std::pair<std::string_view, FieldType> kTypes[] = {
      {"boolean", FieldType::kBoolean}, {"datetime", FieldType::kDateTime},
      {"decimal", FieldType::kDecimal}, {"double", FieldType::kDouble},
      {"float", FieldType::kFloat},     {"integer", FieldType::kInteger},
      {"long", FieldType::kLong},       {"short", FieldType::kShort},
      {"string", FieldType::kString}};
  for (const auto& [name, type] : kTypes) {
    if (EqualsIgnoreCase(name, s)) {
      *out = type;
      return true;
    }
  }
  return false;
}

Field ParseField(const json& jf, const std::string& ectx, size_t pos) {
  std::string ctx = ectx + " field #" + std::to_string(pos);
  if (!jf.is_object()) Fail(ctx, std::string("must be an object, not ") + KindName(jf));
  Field f;
  f.name = RequiredString(jf, "name", ctx);
  if (f.name.empty()) Fail(ctx, "empty field name");
  ctx = ectx + "." + f.name;
  std::string type = RequiredString(jf, "type", ctx);
  if (!ParseFieldType(type, &f.type)) Fail(ctx, "unknown type \"" + type + "\"");
  f.label = OptString(jf, "label", ctx);
  f.labels[static_cast<int>(Language::kEnglish)] = f.label;
  f.description = OptString(jf, "description", ctx);
  f.length = OptInt(jf, "length", ctx, 0);
  f.required = OptBool(jf, "required", ctx, false);
  f.read_only = OptBool(jf, "read_only", ctx, false);
  f.queryable = OptBool(jf, "queryable", ctx, true);
  f.reference_entity = OptString(jf, "reference", ctx);
  f.is_reference = !f.reference_entity.empty();
  f.is_picklist = OptBool(jf, "picklist", ctx, false);
  f.picklist_parent = OptString(jf, "picklist_parent", ctx);
  f.webhook = OptBool(jf, "webhook", ctx, false);
  f.inferred = OptBool(jf, "inferred", ctx, false);
  return f;
}

std::vector<int> ParseOrder(const json& je, const char* key, const Entity& e,
                            const std::string& ctx) {
  std::vector<int> order;
  const json* arr = OptArray(je, key, ctx);
  if (!arr) return order;
  order.reserve(arr->size());
  std::vector<bool> seen(e.fields.size(), false);
  for (const json& n : *arr) {
    if (!n.is_string()) Fail(ctx, std::string("\"") + key + "\" must hold strings");
    const std::string& name = n.get_ref<const std::string&>();
    int idx = e.FieldIndex(name);
    if (idx < 0) Fail(ctx, std::string("\"") + key + "\" names unknown field \"" + name + "\"");
    if (idx == 0) Fail(ctx, std::string("\"") + key + "\" must not contain id");
    if (seen[idx]) Fail(ctx, std::string("\"") + key + "\" lists \"" + name + "\" twice");
    seen[idx] = true;
    order.push_back(idx);
  }
  return order;
}

// The localized flavour lags the current contract by one release (docs/zones-and-users.md):
// the release that brought tags and RMA tickets has not reached the localized zones yet. No
// WSDL of a localized zone is public; the choice of release is the emulation's.
constexpr std::string_view kLocalizedAbsentEntities[] = {"Tag", "TagAlias", "TagGroup",
                                                         "TicketTagAssociation", "TicketRmaCredit"};
constexpr std::pair<std::string_view, std::string_view> kLocalizedAbsentElements[] = {
    {"Ticket", "RmaStatus"}, {"Ticket", "RmaType"}};

void ApplyLocalizedLag(Entity& e) {
  const int cur = static_cast<int>(Flavour::kCurrent), loc = static_cast<int>(Flavour::kLocalized);
  bool absent = !e.in_flavour[cur];
  for (std::string_view n : kLocalizedAbsentEntities) absent = absent || n == e.name;
  e.in_flavour[loc] = !absent;
  e.order[loc].clear();
  if (absent) return;
  for (int idx : e.order[cur]) {
    bool lagging = false;
    for (const auto& [entity, field] : kLocalizedAbsentElements)
      lagging = lagging || (entity == e.name && field == e.fields[idx].name);
    if (!lagging) e.order[loc].push_back(idx);
  }
}

Entity ParseEntity(const json& je, size_t pos) {
  std::string ctx = "entities data: entity #" + std::to_string(pos);
  if (!je.is_object()) Fail(ctx, std::string("must be an object, not ") + KindName(je));
  Entity e;
  e.name = RequiredString(je, "name", ctx);
  if (e.name.empty()) Fail(ctx, "empty entity name");
  ctx = "entities data: " + e.name;
  e.lower_name = ToLower(e.name);
  e.can_create = OptBool(je, "can_create", ctx, false);
  e.can_update = OptBool(je, "can_update", ctx, false);
  e.can_delete = OptBool(je, "can_delete", ctx, false);
  e.can_query = OptBool(je, "can_query", ctx, false);
  if (const json* ua = OptObject(je, "user_access", ctx)) {
    std::string uctx = ctx + " user_access";
    e.access_create = OptString(*ua, "create", uctx, e.access_create);
    e.access_query = OptString(*ua, "query", uctx, e.access_query);
    e.access_update = OptString(*ua, "update", uctx, e.access_update);
    e.access_delete = OptString(*ua, "delete", uctx, e.access_delete);
  }
  e.has_udf = OptBool(je, "has_udf", ctx, false);
  e.webhook_callouts = OptBool(je, "webhook_callouts", ctx, false);
  e.in_flavour[static_cast<int>(Flavour::kV15)] = OptBool(je, "in_1_5", ctx, false);
  e.in_flavour[static_cast<int>(Flavour::kV2018)] = OptBool(je, "in_2018", ctx, false);
  e.in_flavour[static_cast<int>(Flavour::kCurrent)] = OptBool(je, "in_current", ctx, true);

  const json& jfields = RequiredArray(je, "fields", ctx);
  e.fields.reserve(jfields.size());
  for (size_t i = 0; i < jfields.size(); ++i) e.fields.push_back(ParseField(jfields[i], ctx, i));
  if (e.fields.empty() || e.fields[0].name != "id") Fail(ctx, "the first field must be \"id\"");
  e.BuildIndex();
  if (e.fields_by_lower_name.size() != e.fields.size()) {
    Fail(ctx, "field names must be unique (ignoring case)");
  }
  e.order[static_cast<int>(Flavour::kV15)] = ParseOrder(je, "order_1_5", e, ctx);
  e.order[static_cast<int>(Flavour::kV2018)] = ParseOrder(je, "order_2018", e, ctx);
  e.order[static_cast<int>(Flavour::kCurrent)] = ParseOrder(je, "order_current", e, ctx);
  ApplyLocalizedLag(e);
  if (const json* settle = OptArray(je, "settle", ctx)) {
    for (const json& n : *settle) {
      int idx = n.is_string() ? e.FieldIndex(n.get<std::string>()) : -1;
      if (idx <= 0) Fail(ctx, "\"settle\" names an unknown field " + n.dump());
      e.settle_fields.push_back(idx);
    }
  }
  return e;
}

PicklistValue ParsePicklistValue(const json& jv, const std::string& pctx, size_t pos) {
  std::string ctx = pctx + " value #" + std::to_string(pos);
  if (!jv.is_object()) Fail(ctx, std::string("must be an object, not ") + KindName(jv));
  PicklistValue v;
  v.value = RequiredString(jv, "value", ctx);
  ctx = pctx + " value \"" + v.value + "\"";
  const json& labels = Required(jv, "labels", ctx);
  if (!labels.is_object()) Fail(ctx, "\"labels\" must be an object");
  for (const auto& [code, text] : labels.items()) {
    Language lang;
    if (!ParseLanguage(code, &lang)) Fail(ctx, "unknown language \"" + code + "\"");
    if (!text.is_string()) Fail(ctx, "label \"" + code + "\" must be a string");
    v.labels[static_cast<int>(lang)] = text.get<std::string>();
  }
  if (v.labels[static_cast<int>(Language::kEnglish)].empty()) Fail(ctx, "no English label");
  v.sort_order = OptInt(jv, "sort", ctx, 0);
  v.parent_value = OptString(jv, "parent", ctx);
  v.is_default = OptBool(jv, "default", ctx, false);
  v.is_system = OptBool(jv, "system", ctx, false);
  v.is_active = OptBool(jv, "active", ctx, true);
  return v;
}

// "Entity.Field" -> the field (mutable), or an error naming `ctx`.
Field* ResolveField(std::vector<Entity>& entities, const Catalog& cat, const std::string& key,
                    const std::string& ctx) {
  size_t dot = key.find('.');
  if (dot == std::string::npos) Fail(ctx, "key \"" + key + "\" is not Entity.Field");
  const Entity* e = cat.Find(std::string_view(key).substr(0, dot));
  if (!e) Fail(ctx, "unknown entity in \"" + key + "\"");
  int idx = e->FieldIndex(std::string_view(key).substr(dot + 1));
  if (idx < 0) Fail(ctx, "unknown field in \"" + key + "\"");
  return &entities[cat.EntityIndex(e)].fields[idx];
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Enumerations

std::string_view FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kDateTime:
      return "datetime";
    case FieldType::kDecimal:
      return "decimal";
    case FieldType::kDouble:
      return "double";
    case FieldType::kFloat:
      return "float";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kLong:
      return "long";
    case FieldType::kShort:
      return "short";
    case FieldType::kString:
      return "string";
  }
  return "string";
}

std::string_view XsdTypeName(FieldType t) {
  switch (t) {
    case FieldType::kBoolean:
      return "xsd:boolean";
    case FieldType::kDateTime:
      return "xsd:dateTime";
    case FieldType::kDecimal:
      return "xsd:decimal";
    case FieldType::kDouble:
    case FieldType::kFloat:
      return "xsd:double";
    case FieldType::kInteger:
    case FieldType::kLong:  // captured responses write long ids as xsd:int
    case FieldType::kShort:
      return "xsd:int";
    case FieldType::kString:
      return "xsd:string";
  }
  return "xsd:string";
}

bool IsNumeric(FieldType t) {
  switch (t) {
    case FieldType::kDecimal:
    case FieldType::kDouble:
    case FieldType::kFloat:
    case FieldType::kInteger:
    case FieldType::kLong:
    case FieldType::kShort:
      return true;
    case FieldType::kBoolean:
    case FieldType::kDateTime:
    case FieldType::kString:
      return false;
  }
  return false;
}

std::string_view FlavourName(Flavour f) {
  switch (f) {
    case Flavour::kV15:
      return "1.5";
    case Flavour::kV2018:
      return "2018";
    case Flavour::kCurrent:
      return "current";
    case Flavour::kLocalized:
      return "localized";
  }
  return "current";
}

bool ParseFlavour(std::string_view s, Flavour* out) {
  for (Flavour f : {Flavour::kV15, Flavour::kV2018, Flavour::kCurrent, Flavour::kLocalized}) {
    if (EqualsIgnoreCase(s, FlavourName(f))) {
      *out = f;
      return true;
    }
  }
  return false;
}

std::string_view LanguageCode(Language l) {
  switch (l) {
    case Language::kEnglish:
      return "en";
    case Language::kGerman:
      return "de";
    case Language::kSpanish:
      return "es";
    case Language::kFrench:
      return "fr";
  }
  return "en";
}

bool ParseLanguage(std::string_view code, Language* out) {
  // Accept "de", "DE", and region-qualified forms such as "de-DE" or "de_CH".
  size_t sep = code.find_first_of("-_");
  if (sep != std::string_view::npos) code = code.substr(0, sep);
  for (Language l :
       {Language::kEnglish, Language::kGerman, Language::kSpanish, Language::kFrench}) {
    if (EqualsIgnoreCase(code, LanguageCode(l))) {
      *out = l;
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// PicklistValue / Field / Entity

const std::string& PicklistValue::Label(Language l) const {
  const std::string& s = labels[static_cast<int>(l)];
  return s.empty() ? labels[static_cast<int>(Language::kEnglish)] : s;
}

const std::string& Field::Label(Language l) const {
  const std::string& s = labels[static_cast<int>(l)];
  return s.empty() ? label : s;
}

void Field::BuildIndex() {
  picklist_by_value.resize(picklist.size());
  for (size_t i = 0; i < picklist.size(); ++i) picklist_by_value[i] = static_cast<int>(i);
  std::stable_sort(picklist_by_value.begin(), picklist_by_value.end(),
                   [this](int a, int b) { return picklist[a].value < picklist[b].value; });
}

const PicklistValue* Field::FindPicklistValue(std::string_view value) const {
  if (picklist_by_value.size() != picklist.size()) {  // hand-built field without an index
    for (const PicklistValue& v : picklist) {
      if (v.value == value) return &v;
    }
    return nullptr;
  }
  auto it = std::lower_bound(
      picklist_by_value.begin(), picklist_by_value.end(), value,
      [this](int i, std::string_view v) { return std::string_view(picklist[i].value) < v; });
  if (it != picklist_by_value.end() && picklist[*it].value == value) return &picklist[*it];
  return nullptr;
}

void Entity::BuildIndex() {
  fields_by_lower_name.clear();
  fields_by_lower_name.reserve(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    fields[i].index = static_cast<int>(i);
    if (fields[i].labels[static_cast<int>(Language::kEnglish)].empty()) {
      fields[i].labels[static_cast<int>(Language::kEnglish)] = fields[i].label;
    }
    fields[i].BuildIndex();
    fields_by_lower_name.emplace_back(ToLower(fields[i].name), static_cast<int>(i));
  }
  std::sort(fields_by_lower_name.begin(), fields_by_lower_name.end());
  // Duplicate names (ignoring case) are dropped from the index; the loader treats a shorter
  // index as an error.
  fields_by_lower_name.erase(
      std::unique(fields_by_lower_name.begin(), fields_by_lower_name.end(),
                  [](const auto& a, const auto& b) { return a.first == b.first; }),
      fields_by_lower_name.end());
}

int Entity::FieldIndex(std::string_view name) const {
  if (fields_by_lower_name.empty() && !fields.empty()) {  // hand-built entity without an index
    for (size_t i = 0; i < fields.size(); ++i) {
      if (EqualsIgnoreCase(fields[i].name, name)) return static_cast<int>(i);
    }
    return -1;
  }
  return LookupLower(fields_by_lower_name, name);
}

const Field* Entity::FindField(std::string_view name) const {
  int idx = FieldIndex(name);
  return idx < 0 ? nullptr : &fields[idx];
}

// ---------------------------------------------------------------------------------------------
// Catalog

const Entity* Catalog::Find(std::string_view name) const {
  int idx = LookupLower(by_lower_name_, name);
  return idx < 0 ? nullptr : &entities_[idx];
}

std::unique_ptr<Catalog> Catalog::FromJson(std::string_view entities_json,
                                           std::string_view picklists_json) {
  auto cat = std::make_unique<Catalog>();

  // Entities.
  json root = ParseText(entities_json, "entities data");
  if (!root.is_object()) Fail("entities data", "top level must be an object");
  const json& jentities = RequiredArray(root, "entities", "entities data");
  cat->entities_.reserve(jentities.size());
  for (size_t i = 0; i < jentities.size(); ++i) {
    cat->entities_.push_back(ParseEntity(jentities[i], i));
  }
  cat->by_lower_name_.reserve(cat->entities_.size());
  for (size_t i = 0; i < cat->entities_.size(); ++i) {
    cat->by_lower_name_.emplace_back(cat->entities_[i].lower_name, static_cast<int>(i));
  }
  std::sort(cat->by_lower_name_.begin(), cat->by_lower_name_.end());
  for (size_t i = 1; i < cat->by_lower_name_.size(); ++i) {
    if (cat->by_lower_name_[i].first == cat->by_lower_name_[i - 1].first) {
      Fail("entities data", "entity \"" + cat->entities_[cat->by_lower_name_[i].second].name +
                                "\" is listed twice (ignoring case)");
    }
  }
  // References must name known entities.
  for (const Entity& e : cat->entities_) {
    for (const Field& f : e.fields) {
      if (f.is_reference && !cat->Find(f.reference_entity)) {
        Fail("entities data: " + e.name + "." + f.name,
             "references unknown entity \"" + f.reference_entity + "\"");
      }
      if (!f.picklist_parent.empty()) {
        const Field* parent = e.FindField(f.picklist_parent);
        if (!parent || !parent->is_picklist) {
          Fail("entities data: " + e.name + "." + f.name,
               "picklist parent \"" + f.picklist_parent + "\" is not a picklist field");
        }
      }
    }
  }

  // Picklists and localized field labels.
  json proot = ParseText(picklists_json, "picklists data");
  if (!proot.is_object()) Fail("picklists data", "top level must be an object");
  if (const json* langs = OptArray(proot, "languages", "picklists data")) {
    for (const json& l : *langs) {
      Language lang;
      if (!l.is_string() || !ParseLanguage(l.get<std::string>(), &lang)) {
        Fail("picklists data", "unknown language " + l.dump());
      }
    }
  }
  if (const json* pls = OptObject(proot, "picklists", "picklists data")) {
    for (const auto& [key, jvalues] : pls->items()) {
      std::string ctx = "picklists data: " + key;
      Field* f = ResolveField(cat->entities_, *cat, key, "picklists data");
      if (!f->is_picklist) Fail(ctx, "field is not a picklist");
      if (!jvalues.is_array()) Fail(ctx, "values must be an array");
      f->picklist.clear();
      f->picklist.reserve(jvalues.size());
      for (size_t i = 0; i < jvalues.size(); ++i) {
        f->picklist.push_back(ParsePicklistValue(jvalues[i], ctx, i));
      }
      f->BuildIndex();
      for (size_t i = 1; i < f->picklist_by_value.size(); ++i) {
        if (f->picklist[f->picklist_by_value[i]].value ==
            f->picklist[f->picklist_by_value[i - 1]].value) {
          Fail(ctx, "value \"" + f->picklist[f->picklist_by_value[i]].value + "\" listed twice");
        }
      }
    }
  }
  if (const json* fls = OptObject(proot, "field_labels", "picklists data")) {
    for (const auto& [key, jlabels] : fls->items()) {
      std::string ctx = "picklists data: field_labels " + key;
      Field* f = ResolveField(cat->entities_, *cat, key, "picklists data: field_labels");
      if (!jlabels.is_object()) Fail(ctx, "must be an object");
      for (const auto& [code, text] : jlabels.items()) {
        Language lang;
        if (!ParseLanguage(code, &lang)) Fail(ctx, "unknown language \"" + code + "\"");
        if (lang == Language::kEnglish) Fail(ctx, "English labels come from the entities data");
        if (!text.is_string()) Fail(ctx, "label \"" + code + "\" must be a string");
        f->labels[static_cast<int>(lang)] = text.get<std::string>();
      }
    }
  }

  // Dependent picklists: every parent value must exist in the controlling field's picklist.
  for (const Entity& e : cat->entities_) {
    for (const Field& f : e.fields) {
      if (f.picklist_parent.empty()) continue;
      const Field* parent = e.FindField(f.picklist_parent);
      for (const PicklistValue& v : f.picklist) {
        if (!v.parent_value.empty() && !parent->FindPicklistValue(v.parent_value)) {
          Fail("picklists data: " + e.name + "." + f.name,
               "value \"" + v.value + "\" has unknown parent value \"" + v.parent_value + "\"");
        }
      }
    }
  }
  return cat;
}

const Catalog& Catalog::Default() {
  static const std::unique_ptr<Catalog> cat =
      FromJson(std::string_view(kEntitiesJson, kEntitiesJsonSize),
               std::string_view(kPicklistsJson, kPicklistsJsonSize));
  return *cat;
}

}  // namespace atws::catalog
