// Validation of written entities. Every message here is listed in docs/writes.md.
#include "metadata/validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/text.h"
#include "metadata/picklists.h"
#include "tenant/tenant.h"

namespace atws::service {

using catalog::Entity;
using catalog::Field;
using catalog::FieldType;
using store::Value;

namespace {

std::string Cut(std::string_view s, size_t n = 100) { return std::string(s.substr(0, n)); }

bool InFlavourOrder(const Entity& e, catalog::Flavour fl, int idx) {
  if (idx == 0) return true;
  const auto& order = e.order[static_cast<int>(fl)];
  return std::find(order.begin(), order.end(), idx) != order.end();
}

// Read-only and required: set on create, not changed afterwards (Contact.AccountID,
// Project.AccountID, Contract.ContractType …; A-WRITE-CREATE-ONLY).
bool CreateOnly(const Field& f) { return f.read_only && f.required && f.name != "id"; }

std::string KeyText(const Value& v, const std::string& sent) {
  return v.kind == Value::Kind::kInt ? std::to_string(v.i) : std::string(Trim(sent));
}

}  // namespace

// ---- TenantLookup ------------------------------------------------------------------------------

bool TenantLookup::RowExists(const Entity& e, long long id) { return t_.db->RowExists(e.name, id); }

Value TenantLookup::StoredValue(const Entity& e, long long id, const Field& f) {
  std::vector<Value> row;
  if (!ReadRow(*t_.db, e, id, &row)) return Value();
  return row[f.index];
}

const catalog::PicklistValue* TenantLookup::FindPicklistValue(const Entity& e, const Field& f,
                                                              std::string_view value) {
  return FindTenantPicklistValue(t_, e, f, value);
}

const std::vector<store::UdfDef>& TenantLookup::Udfs(const Entity& e) {
  return t_.db->Udfs(t_.db->catalog().EntityIndex(&e));
}

const store::UdfDef* TenantLookup::FindUdfById(long long id) {
  for (size_t i = 0; i < t_.db->catalog().entities().size(); ++i)
    for (const auto& u : t_.db->Udfs(static_cast<int>(i)))
      if (u.id == id) return &u;
  return nullptr;
}

// ---- rules -------------------------------------------------------------------------------------

std::string_view WriteVerb(WriteOp op) {
  switch (op) {
    case WriteOp::kCreate:
      return "creating";
    case WriteOp::kUpdate:
      return "updating";
    case WriteOp::kDelete:
      return "deleting";
  }
  return "writing";
}

std::string RecordError(WriteOp op, size_t record, const std::string& reason) {
  return fmt::format("Error {} entity for record number [{}]. {}", WriteVerb(op), record, reason);
}

std::string CheckCallSize(WriteOp op, size_t entities) {
  const char* name = op == WriteOp::kCreate   ? "create"
                     : op == WriteOp::kUpdate ? "update"
                                              : "delete";
  if (entities == 0) return "No entities were sent: Entities must hold at least one Entity.";
  if (entities > kMaxEntitiesPerCall)
    return fmt::format("A {} call may carry at most {} entities; this one carried {}.", name,
                       kMaxEntitiesPerCall, entities);
  return "";
}

bool ConvertValue(const Field& f, const std::string& text, ApiTimeZone tz, Value* out,
                  std::string* why) {
  std::string_view t = Trim(text);
  auto bad_type = [&]() {
    *why = fmt::format("Value '{}' is not valid for field {} of type {}.", Cut(t), f.name,
                       catalog::FieldTypeName(f.type));
    return false;
  };
  switch (f.type) {
    case FieldType::kInteger:
    case FieldType::kLong:
    case FieldType::kShort: {
      long long v;
      double d;
      if (!ParseInt64(t, &v)) {
        // "12.0" from clients that send numbers as doubles.
        if (!ParseDouble(t, &d) || !std::isfinite(d) || std::fabs(d) > 9.2e18 ||
            d != static_cast<double>(static_cast<long long>(d)))
          return bad_type();
        v = static_cast<long long>(d);
      }
      long long lo = std::numeric_limits<long long>::min(),
                hi = std::numeric_limits<long long>::max();
      if (f.type == FieldType::kInteger) lo = INT32_MIN, hi = INT32_MAX;
      if (f.type == FieldType::kShort) lo = INT16_MIN, hi = INT16_MAX;
      if (v < lo || v > hi) return bad_type();
      *out = Value::Int(v);
      return true;
    }
    case FieldType::kBoolean:
      if (AsciiIEquals(t, "true") || t == "1") {
        *out = Value::Int(1);
        return true;
      }
      if (AsciiIEquals(t, "false") || t == "0") {
        *out = Value::Int(0);
        return true;
      }
      return bad_type();
    case FieldType::kDouble:
    case FieldType::kFloat:
    case FieldType::kDecimal: {
      double d;
      if (!ParseDouble(t, &d) || !std::isfinite(d)) return bad_type();
      *out = Value::Real(d);
      return true;
    }
    case FieldType::kDateTime: {
      CivilTime ct;
      if (!ParseApiDateTime(t, &ct)) {
        *why = fmt::format("Value '{}' is not a valid date-time for field {}.", Cut(t), f.name);
        return false;
      }
      if (InSpringForwardGap(ct, tz)) {
        *why = fmt::format(
            "The date-time '{}' for field {} does not exist in the API time zone (daylight "
            "saving time gap).",
            std::string(t), f.name);
        return false;
      }
      *out = Value::Text(StorageDateTime(ct));
      return true;
    }
    case FieldType::kString:
      if (!IsValidUtf8(text)) {
        *why = fmt::format("Field {} is not valid UTF-8 text.", f.name);
        return false;
      }
      if (f.length > 0 && Utf8Length(text) > static_cast<size_t>(f.length)) {
        *why = fmt::format("Field {} is longer than its maximum of {} characters ({}).", f.name,
                           f.length, Utf8Length(text));
        return false;
      }
      *out = Value::Text(text);
      return true;
  }
  return bad_type();
}

std::string ValidateEntity(const catalog::Catalog& cat, const soap::EntityArg& ea,
                           const ValidateOptions& o, WriteLookup& lookup, ValidatedEntity* out) {
  const bool is_create = o.op == WriteOp::kCreate, is_update = o.op == WriteOp::kUpdate;
  const Entity* e = cat.Find(ea.type);
  if (!e || !e->InFlavour(o.flavour)) return fmt::format("Unknown entity type '{}'.", Cut(ea.type));
  if ((is_create && !e->can_create) || (is_update && !e->can_update) ||
      (o.op == WriteOp::kDelete && !e->can_delete))
    return fmt::format("The {} entity cannot be {}.", e->name,
                       is_create   ? "created"
                       : is_update ? "updated"
                                   : "deleted");
  out->entity = e;
  out->sent.assign(e->fields.size(), false);

  // The row an update or delete names.
  if (!is_create) {
    std::string id_text;
    for (const auto& fa : ea.fields)
      if (AsciiIEquals(fa.name, "id")) id_text = std::string(Trim(fa.text));
    long long id = 0;
    if (!ParseInt64(id_text, &id) || id <= 0 || !lookup.RowExists(*e, id))
      return fmt::format("No {} with id {} exists.", e->name,
                         id_text.empty() ? std::string("(none)") : Cut(id_text, 30));
    out->id = id;
    if (o.op == WriteOp::kDelete) return "";
  }

  // Fields sent.
  for (const auto& fa : ea.fields) {
    const Field* f = e->FindField(fa.name);
    if (!f || !InFlavourOrder(*e, o.flavour, f->index))
      return fmt::format("Unable to find field {} in the {} entity.", Cut(fa.name), e->name);
    if (f->index == 0) continue;  // id: assigned on create, names the row otherwise
    if (out->sent[f->index]) return fmt::format("Field {} was sent more than once.", f->name);
    out->sent[f->index] = true;
    if (f->read_only && !(is_create && CreateOnly(*f))) {
      out->ignored.push_back(f->name);  // ignored silently, as the API does
      continue;
    }
    const bool null = fa.nil || (fa.text.empty() && f->type != FieldType::kString);
    Value v;
    std::string why;
    if (!null && !ConvertValue(*f, fa.text, o.tz, &v, &why)) return why;
    if (null && f->required)
      return is_create ? fmt::format("Required field {} is missing.", f->name)
                       : fmt::format("Required field {} cannot be set to null.", f->name);
    if (!null && f->is_picklist) {
      std::string key = KeyText(v, fa.text);
      const catalog::PicklistValue* pv = lookup.FindPicklistValue(*e, *f, key);
      if (!pv || !pv->is_active)
        return fmt::format("Value {} is not a valid picklist value for field {}.", Cut(key),
                           f->name);
    }
    if (!null && f->is_reference && v.kind == Value::Kind::kInt) {
      const Entity* ref = cat.Find(f->reference_entity);
      if (ref && !lookup.RowExists(*ref, v.i))
        return fmt::format("Field {} refers to {} {}, which does not exist.", f->name, ref->name,
                           v.i);
    }
    out->fields[f->name] = fa.nil ? nlohmann::json() : nlohmann::json(fa.text);
    out->values.emplace_back(f->index, null ? Value::Null() : std::move(v));
  }

  // User-defined fields.
  const auto& udfs = lookup.Udfs(*e);
  std::vector<bool> udf_sent(udfs.size(), false);
  for (const auto& ua : ea.udfs) {
    const store::UdfDef* u = nullptr;
    for (const auto& d : udfs)
      if (d.is_active && d.name == ua.name) u = &d;
    for (const auto& d : udfs)
      if (!u && d.is_active && AsciiIEquals(d.name, ua.name)) u = &d;
    if (!u)
      return fmt::format("Unable to find user-defined field {} in the {} entity.", Cut(ua.name),
                         e->name);
    size_t k = static_cast<size_t>(u - udfs.data());
    if (udf_sent[k]) return fmt::format("User-defined field {} was sent more than once.", u->name);
    udf_sent[k] = true;
    Value v;
    const bool null = ua.nil || (ua.text.empty() && u->data_type != store::UdfDataType::kString);
    if (!null) {
      Field uf;
      uf.name = u->name;
      uf.type = u->field_type();
      uf.length = u->data_type == store::UdfDataType::kString ? 8000 : 0;
      std::string why;
      if (!ConvertValue(uf, ua.text, o.tz, &v, &why)) return why;
      if (u->data_type == store::UdfDataType::kList) {
        bool ok = false;
        for (const auto& li : u->list) ok = ok || (li.is_active && li.value == Trim(ua.text));
        if (!ok)
          return fmt::format("Value {} is not a valid list value for user-defined field {}.",
                             Cut(Trim(ua.text)), u->name);
        v = Value::Text(std::string(Trim(ua.text)));
      }
    } else if (u->is_required) {
      return is_create
                 ? fmt::format("Required user-defined field {} is missing.", u->name)
                 : fmt::format("Required user-defined field {} cannot be set to null.", u->name);
    }
    out->udfs[u->name] = ua.nil ? nlohmann::json() : nlohmann::json(ua.text);
    out->udf_values.emplace_back(u->column, std::move(v));
  }

  // Dependent picklists: the child value must belong to the parent value in effect (sent, or
  // stored on update).
  for (const auto& [fi, v] : out->values) {
    const Field& f = e->fields[fi];
    if (f.picklist_parent.empty() || v.is_null()) continue;
    const Field* parent = e->FindField(f.picklist_parent);
    if (!parent) continue;
    std::string parent_value;
    bool parent_sent = false;
    for (const auto& [pi, pv] : out->values)
      if (pi == parent->index) {
        parent_sent = true;
        if (!pv.is_null())
          parent_value = pv.kind == Value::Kind::kInt ? std::to_string(pv.i) : pv.s;
      }
    if (!parent_sent && is_update) {
      Value stored = lookup.StoredValue(*e, out->id, *parent);
      if (!stored.is_null())
        parent_value = stored.kind == Value::Kind::kInt ? std::to_string(stored.i) : stored.s;
    }
    std::string key = v.kind == Value::Kind::kInt ? std::to_string(v.i) : v.s;
    const catalog::PicklistValue* pv = lookup.FindPicklistValue(*e, f, key);
    if (pv && !pv->parent_value.empty() && pv->parent_value != parent_value)
      return fmt::format("Value {} of field {} does not belong to {} {}.", key, f.name,
                         parent->name, parent_value.empty() ? "(none)" : parent_value);
  }

  if (is_create) {
    // Required fields (Ticket.Source is not required: it has a tenant default).
    for (const Field& f : e->fields) {
      if (!f.required || f.index == 0 || (f.read_only && !CreateOnly(f))) continue;
      if (!InFlavourOrder(*e, o.flavour, f.index)) continue;
      bool present = false;
      for (const auto& [fi, v] : out->values)
        if (fi == f.index && !v.is_null() && !(v.kind == Value::Kind::kText && Trim(v.s).empty()))
          present = true;
      if (!present) return fmt::format("Required field {} is missing.", f.name);
    }
    // Required UDFs; UDF default values fill what was not sent.
    for (size_t k = 0; k < udfs.size(); ++k) {
      const store::UdfDef& u = udfs[k];
      if (udf_sent[k] || !u.is_active) continue;
      if (!u.default_value.empty()) {
        Field uf;
        uf.name = u.name;
        uf.type = u.field_type();
        Value v;
        std::string why;
        if (ConvertValue(uf, u.default_value, o.tz, &v, &why)) {
          out->udf_values.emplace_back(u.column, std::move(v));
          continue;
        }
      }
      if (u.is_required) return fmt::format("Required user-defined field {} is missing.", u.name);
    }
  }
  return "";
}

std::string ValidateUdfEntity(const catalog::Catalog& cat, const ValidatedEntity& v, WriteOp op,
                              WriteLookup& lookup, const std::vector<Value>* old_row) {
  const Entity& e = *v.entity;
  if (e.name != "UserDefinedFieldDefinition" && e.name != "UserDefinedFieldListItem") return "";
  // The value of a field after the write.
  auto final_value = [&](const char* name) -> Value {
    const Field* f = e.FindField(name);
    if (!f) return Value();
    for (const auto& [fi, x] : v.values)
      if (fi == f->index) return x;
    return old_row ? (*old_row)[f->index] : Value();
  };
  auto as_int = [](const Value& x) { return x.kind == Value::Kind::kInt ? x.i : 0LL; };
  if (e.name == "UserDefinedFieldDefinition") {
    const long long udf_type = as_int(final_value("UdfType"));
    const Entity* owner = cat.Find(store::EntityForUdfType(static_cast<int>(udf_type)));
    if (!owner)
      return fmt::format("UdfType {} names no entity with user-defined fields.", udf_type);
    if (op == WriteOp::kUpdate && old_row) {
      for (const char* fixed : {"UdfType", "DataType", "IsProtected"}) {
        const Field* f = e.FindField(fixed);
        if (!f) continue;
        if (as_int((*old_row)[f->index]) != as_int(final_value(fixed)))
          return fmt::format("{} of a user-defined field cannot be changed after it is created.",
                             fixed);
      }
    }
    Value name = final_value("Name");
    std::string n = name.kind == Value::Kind::kText ? std::string(Trim(name.s)) : "";
    if (n.empty()) return "Required field Name is missing.";
    // Names are unique per entity, ignoring case (queries and getUDFInfo name UDFs by name).
    long long self = op == WriteOp::kUpdate ? v.id : 0;
    for (const auto& u : lookup.Udfs(*owner))
      if (u.id != self && FoldCompare(u.name, n) == 0)
        return fmt::format("A user-defined field named {} already exists on {}.", u.name,
                           owner->name);
    return "";
  }
  // UserDefinedFieldListItem: under a list field, unique export value.
  long long udf_id = as_int(final_value("UdfFieldId"));
  const store::UdfDef* u = lookup.FindUdfById(udf_id);
  if (!u) return fmt::format("User-defined field {} does not exist.", udf_id);
  if (u->data_type != store::UdfDataType::kList)
    return fmt::format("User-defined field {} is not a list field.", u->name);
  Value ev = final_value("ValueForExport");
  std::string export_value = ev.kind == Value::Kind::kText ? std::string(Trim(ev.s)) : "";
  Value old_export = old_row ? (*old_row)[e.FieldIndex("ValueForExport")] : Value();
  bool unchanged = old_row && old_export.kind == Value::Kind::kText &&
                   old_export.s == export_value &&
                   as_int((*old_row)[e.FieldIndex("UdfFieldId")]) == udf_id;
  if (!unchanged)
    for (const auto& li : u->list)
      if (li.value == export_value)
        return fmt::format("User-defined field {} already has a list item with the value {}.",
                           u->name, export_value);
  return "";
}

}  // namespace atws::service
