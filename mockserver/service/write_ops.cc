// create / update / delete: validation against the catalog, change tracking, Ticket Source
// default and ticket numbers. One call is one transaction (A-WRITE-ATOMIC): when any entity is
// refused nothing is written and every refused entity gets its own error naming its record
// number (its 0-based position in the call).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "service/internal.h"

namespace atws::service {

using catalog::Entity;
using catalog::Field;
using catalog::FieldType;
using store::Value;

namespace {

constexpr size_t kMaxEntitiesPerCall = 200;

// Date-time fields that record "last modified / last activity" (the DateTime spellings
// included); stamped from the clock on every create and update of the row.
bool IsActivityStamp(const Field& f) {
  static const char* kNames[] = {"LastActivityDate",
                                 "LastModifiedDate",
                                 "LastModifiedDateTime",
                                 "LastActivityDateTime",
                                 "LastTrackedModifiedDateTime",
                                 "LastTrackedModificationDateTime",
                                 "LastModifiedTime",
                                 "UpdateDateTime",
                                 "LastActivity"};
  if (f.type != FieldType::kDateTime) return false;
  for (const char* n : kNames)
    if (f.name == n) return true;
  return false;
}

bool IsCreateStamp(const Field& f) {
  return f.type == FieldType::kDateTime &&
         (f.name == "CreateDate" || f.name == "CreateDateTime" || f.name == "CreatedDateTime");
}

// Parent rows whose activity date moves when a child row is written: (child entity, reference
// field on the child, parent entity).
struct ActivityLink {
  const char* child;
  const char* ref;
  const char* parent;
};
const ActivityLink kActivityLinks[] = {
    {"TicketNote", "TicketID", "Ticket"},
    {"TimeEntry", "TicketID", "Ticket"},
    {"TicketCost", "TicketID", "Ticket"},
    {"TicketChecklistItem", "TicketID", "Ticket"},
    {"TaskNote", "TaskID", "Task"},
    {"TimeEntry", "TaskID", "Task"},
    {"ProjectNote", "ProjectID", "Project"},
    {"Task", "ProjectID", "Project"},
    {"AccountNote", "AccountID", "Account"},
    {"AccountToDo", "AccountID", "Account"},
    {"Ticket", "AccountID", "Account"},
    {"ContractNote", "ContractID", "Contract"},
    {"InstalledProductNote", "InstalledProductID", "InstalledProduct"},
};

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

// Converts one sent value to its stored form; false + *why when it does not fit the field.
static bool Convert(const Field& f, const std::string& text, ApiTimeZone tz, Value* out,
                    std::string* why) {
  std::string_view t = Trim(text);
  switch (f.type) {
    case FieldType::kInteger:
    case FieldType::kLong:
    case FieldType::kShort: {
      long long v;
      double d;
      if (ParseInt64(t, &v)) {
        *out = Value::Int(v);
        return true;
      }
      // "12.0" from clients that send numbers as doubles.
      if (ParseDouble(t, &d) && d == static_cast<double>(static_cast<long long>(d))) {
        *out = Value::Int(static_cast<long long>(d));
        return true;
      }
      *why = fmt::format("Value '{}' is not valid for field {} of type {}.",
                         std::string(t.substr(0, 100)), f.name, catalog::FieldTypeName(f.type));
      return false;
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
      *why = fmt::format("Value '{}' is not valid for field {} of type boolean.",
                         std::string(t.substr(0, 100)), f.name);
      return false;
    case FieldType::kDouble:
    case FieldType::kFloat:
    case FieldType::kDecimal: {
      double d;
      if (!ParseDouble(t, &d)) {
        *why = fmt::format("Value '{}' is not valid for field {} of type {}.",
                           std::string(t.substr(0, 100)), f.name, catalog::FieldTypeName(f.type));
        return false;
      }
      *out = Value::Real(d);
      return true;
    }
    case FieldType::kDateTime: {
      CivilTime ct;
      if (!ParseApiDateTime(t, &ct)) {
        *why = fmt::format("Value '{}' is not a valid date-time for field {}.",
                           std::string(t.substr(0, 100)), f.name);
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
  return false;
}

void Service::OpWrite(CallContext& ctx) {
  const std::string op = ctx.op->name;
  const bool is_create = op == "create", is_update = op == "update", is_delete = op == "delete";
  auto& ents = ctx.req.entities;
  store::TenantDb& db = *ctx.tenant->db;
  std::string first_lower;
  if (!ents.empty()) {
    if (const Entity* e = cat_.Find(ents[0].type)) first_lower = e->lower_name;
  }
  if (ents.empty()) {
    ctx.Error({"No entities were sent: Entities must hold at least one Entity."}, first_lower);
    return;
  }
  if (ents.size() > kMaxEntitiesPerCall) {
    ctx.Error({fmt::format("A {} call may carry at most {} entities; this one carried {}.", op,
                           kMaxEntitiesPerCall, ents.size())},
              first_lower);
    return;
  }
  const std::string now = StorageDateTime(ToLocal(clock_->Now(), opt_.time_zone));
  const char* verb = is_create ? "creating" : is_update ? "updating" : "deleting";
  std::vector<std::string> errors;
  std::vector<std::pair<const Entity*, long long>> done;
  nlohmann::json written = nlohmann::json::array();
  if (!db.Exec("SAVEPOINT atws_write")) {
    ctx.Error({"The database is busy; try again."}, first_lower);
    return;
  }

  for (size_t i = 0; i < ents.size(); ++i) {
    const soap::EntityArg& ea = ents[i];
    auto fail = [&](const std::string& why) {
      errors.push_back(fmt::format("Error {} entity for record number [{}]. {}", verb, i, why));
    };
    const Entity* e = cat_.Find(ea.type);
    if (!e || !e->InFlavour(ctx.flavour)) {
      fail(fmt::format("Unknown entity type '{}'.", ea.type.substr(0, 100)));
      continue;
    }
    if ((is_create && !e->can_create) || (is_update && !e->can_update) ||
        (is_delete && !e->can_delete)) {
      fail(fmt::format("The {} entity cannot be {}.", e->name,
                       is_create   ? "created"
                       : is_update ? "updated"
                                   : "deleted"));
      continue;
    }
    long long id = 0;
    for (const auto& fa : ea.fields)
      if (AsciiIEquals(fa.name, "id")) ParseInt64(fa.text, &id);
    nlohmann::json rec = {{"entity", e->name}, {"record", i}};
    auto exists = [&](const Entity& ent, long long rid) {
      sqlite3_stmt* st =
          db.Prepare("SELECT 1 FROM " + store::TenantDb::Quote(ent.name) + " WHERE id = ?");
      sqlite3_bind_int64(st, 1, rid);
      bool found = sqlite3_step(st) == SQLITE_ROW;
      sqlite3_reset(st);
      return found;
    };
    if (!is_create && (id <= 0 || !exists(*e, id))) {
      fail(fmt::format("No {} with id {} exists.", e->name, id));
      continue;
    }
    if (is_delete) {
      std::string err;
      if (!db.Delete(*e, id, &err)) {
        fail(err);
        continue;
      }
      rec["id"] = id;
      written.push_back(rec);
      done.emplace_back(e, id);
      continue;
    }

    // Values sent, converted and checked.
    std::vector<std::pair<int, Value>> values;
    std::vector<std::pair<std::string, Value>> udf_values;
    nlohmann::json fields_json = nlohmann::json::object();
    bool bad = false;
    std::vector<bool> sent(e->fields.size(), false);
    for (const auto& fa : ea.fields) {
      const Field* f = e->FindField(fa.name);
      if (!f) {
        fail(fmt::format("Unable to find field {} in the {} entity.", fa.name.substr(0, 100),
                         e->name));
        bad = true;
        break;
      }
      if (f->name == "id" || f->read_only) continue;  // ignored silently, as the API does
      Value v;
      std::string why;
      bool null = fa.nil || (fa.text.empty() && f->type != FieldType::kString);
      if (!null && !Convert(*f, fa.text, opt_.time_zone, &v, &why)) {
        fail(why);
        bad = true;
        break;
      }
      if (!null && f->is_picklist && !f->picklist.empty()) {
        std::string key =
            v.kind == Value::Kind::kInt ? std::to_string(v.i) : std::string(Trim(fa.text));
        const catalog::PicklistValue* pv = f->FindPicklistValue(key);
        if (!pv || !pv->is_active) {
          fail(fmt::format("Value {} is not a valid picklist value for field {}.",
                           key.substr(0, 100), f->name));
          bad = true;
          break;
        }
      }
      if (!null && f->is_reference && v.kind == Value::Kind::kInt) {
        const Entity* ref = cat_.Find(f->reference_entity);
        if (ref && !exists(*ref, v.i)) {
          fail(fmt::format("Field {} refers to {} {}, which does not exist.", f->name, ref->name,
                           v.i));
          bad = true;
          break;
        }
      }
      sent[f->index] = true;
      fields_json[f->name] = null ? nlohmann::json() : nlohmann::json(std::string(fa.text));
      values.emplace_back(f->index, null ? Value::Null() : std::move(v));
    }
    if (bad) continue;
    for (const auto& ua : ea.udfs) {
      const store::UdfDef* u = db.FindUdf(cat_.EntityIndex(e), ua.name);
      if (!u) {
        fail(fmt::format("Unable to find user-defined field {} in the {} entity.",
                         ua.name.substr(0, 100), e->name));
        bad = true;
        break;
      }
      Value v;
      if (!ua.nil) {
        Field uf;
        uf.name = u->name;
        uf.type = u->field_type();
        std::string why;
        if (!Convert(uf, ua.text, opt_.time_zone, &v, &why)) {
          fail(why);
          bad = true;
          break;
        }
        if (u->data_type == store::UdfDataType::kList) {
          bool ok = false;
          for (const auto& li : u->list) ok = ok || li.value == Trim(ua.text);
          if (!ok) {
            fail(fmt::format("Value {} is not a valid list value for user-defined field {}.",
                             std::string(Trim(ua.text)).substr(0, 100), u->name));
            bad = true;
            break;
          }
        }
      }
      fields_json["udf:" + u->name] = ua.nil ? nlohmann::json() : nlohmann::json(ua.text);
      udf_values.emplace_back(u->column, std::move(v));
    }
    if (bad) continue;

    // Dependent picklists: the child value must belong to the parent value in effect.
    for (const auto& [fi, v] : values) {
      const Field& f = e->fields[fi];
      if (f.picklist_parent.empty() || v.is_null()) continue;
      const Field* parent = e->FindField(f.picklist_parent);
      if (!parent) continue;
      std::string parent_value;
      for (const auto& [pi, pv] : values)
        if (pi == parent->index && !pv.is_null())
          parent_value = pv.kind == Value::Kind::kInt ? std::to_string(pv.i) : pv.s;
      if (parent_value.empty() && !is_create) {
        sqlite3_stmt* st = db.Prepare("SELECT " + store::TenantDb::Quote(parent->name) + " FROM " +
                                      store::TenantDb::Quote(e->name) + " WHERE id = ?");
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
          parent_value = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_reset(st);
      }
      std::string key = v.kind == Value::Kind::kInt ? std::to_string(v.i) : v.s;
      const catalog::PicklistValue* pv = f.FindPicklistValue(key);
      if (pv && pv->parent_value != parent_value) {
        fail(fmt::format("Value {} of field {} does not belong to {} {}.", key, f.name,
                         parent->name, parent_value.empty() ? "(none)" : parent_value));
        bad = true;
        break;
      }
    }
    if (bad) continue;

    if (is_create) {
      // Required fields (Ticket.Source is not required: it has a tenant default).
      for (const Field& f : e->fields) {
        if (!f.required || f.read_only || f.name == "id") continue;
        bool present = false;
        for (const auto& [fi, v] : values)
          if (fi == f.index && !v.is_null()) present = true;
        if (!present) {
          fail(fmt::format("Required field {} is missing.", f.name));
          bad = true;
          break;
        }
      }
      if (bad) continue;
      if (e->name == "Ticket") {
        const Field* src = e->FindField("Source");
        if (src && !sent[src->index])
          values.emplace_back(src->index, Value::Int(ctx.tenant->spec.default_ticket_source));
      }
    }

    // Change tracking and creation stamps, from the clock at write time.
    for (const Field& f : e->fields) {
      bool stamp = IsActivityStamp(f) || (is_create && IsCreateStamp(f));
      if (f.name == "StatusLastModifiedDate") {
        const Field* status = e->FindField("Status");
        stamp = status && (is_create || sent[status->index]);
      }
      if (!stamp) continue;
      values.erase(std::remove_if(values.begin(), values.end(),
                                  [&](const auto& p) { return p.first == f.index; }),
                   values.end());
      values.emplace_back(f.index, Value::Text(now));
    }
    if (is_create) {
      for (const char* creator : {"CreatorResourceID", "CreatedByResourceID"}) {
        const Field* f = e->FindField(creator);
        if (f && f->type != FieldType::kString)
          values.emplace_back(f->index, Value::Int(ctx.user->resource_id));
      }
      if (ctx.req.impersonate_as > 0)
        if (const Field* f = e->FindField("ImpersonatorCreatorResourceID"))
          values.emplace_back(f->index, Value::Int(ctx.req.impersonate_as));
    }

    std::string err;
    if (is_create) {
      id = db.Insert(*e, values, udf_values, 0, &err);
      if (id == 0) {
        fail(err);
        continue;
      }
      if (e->name == "Ticket") {
        // Ticket numbers: T<date>.<sequence of the day>, computed after the insert.
        std::string date = now.substr(0, 4) + now.substr(5, 2) + now.substr(8, 2);
        sqlite3_stmt* st = db.Prepare("SELECT COUNT(*) FROM \"Ticket\" WHERE TicketNumber LIKE ?");
        std::string pat = "T" + date + ".%";
        sqlite3_bind_text(st, 1, pat.c_str(), -1, SQLITE_TRANSIENT);
        long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        const Field* tn = e->FindField("TicketNumber");
        if (tn)
          db.Update(*e, id, {{tn->index, Value::Text(fmt::format("T{}.{:04d}", date, n + 1))}}, {},
                    &err);
      }
    } else if (!db.Update(*e, id, values, udf_values, &err)) {
      fail(err);
      continue;
    }
    // Activity on the parent rows.
    for (const auto& link : kActivityLinks) {
      if (e->name != link.child) continue;
      const Field* ref = e->FindField(link.ref);
      const Entity* parent = cat_.Find(link.parent);
      if (!ref || !parent) continue;
      for (const auto& [fi, v] : values) {
        if (fi != ref->index || v.kind != Value::Kind::kInt) continue;
        for (const Field& pf : parent->fields) {
          if (!IsActivityStamp(pf) || pf.name.find("Activity") == std::string::npos) continue;
          db.Update(*parent, v.i, {{pf.index, Value::Text(now)}}, {}, &err);
        }
      }
    }
    rec["id"] = id;
    rec["fields"] = fields_json;
    written.push_back(rec);
    done.emplace_back(e, id);
  }

  ctx.j.written = written;
  if (!ents.empty()) ctx.j.entity = ents[0].type;
  if (!errors.empty()) {
    db.Exec("ROLLBACK TO atws_write");
    db.Exec("RELEASE atws_write");
    ctx.Error(errors, first_lower);
    return;
  }
  db.Exec("RELEASE atws_write");
  db.BumpGeneration();

  std::string& out = ctx.out;
  soap::BeginResponse(&out, op, ctx.ep.version);
  out += "<" + op + "Result><ReturnCode>1</ReturnCode>";
  if (is_delete) {
    out += "<EntityResults/>";
  } else {
    out += "<EntityResults>";
    for (const auto& [e, id] : done) {
      std::string err;
      AppendRows(&out, db, *e, ctx.flavour, "id = ?", {Value::Int(id)}, nullptr, nullptr, nullptr,
                 &err);
    }
    out += "</EntityResults>";
  }
  soap::Element(&out, "EntityResultType", first_lower);
  out += "<Errors/>";
  if (is_delete) {
    out += "<EntityReturnInfoResults/>";
  } else {
    out += "<EntityReturnInfoResults>";
    for (const auto& [e, id] : done) {
      out += "<EntityReturnInfo>";
      soap::IntElement(&out, "EntityId", id);
      // The captured create response says None (A-WRITE-DBACTION).
      out +=
          "<DatabaseAction>None</DatabaseAction><DuplicateStatus><Found>false</Found>"
          "<Ignored>false</Ignored></DuplicateStatus></EntityReturnInfo>";
    }
    out += "</EntityReturnInfoResults>";
  }
  out += "</" + op + "Result>";
  soap::EndResponse(&out, op);
  ctx.j.rows = static_cast<long long>(done.size());
}

}  // namespace atws::service
