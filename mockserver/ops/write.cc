// create / update / delete (docs/writes.md). One call is one transaction (A-WRITE-ATOMIC): when
// any entity is refused nothing is written and every refused entity gets its own error naming
// its record number (its 0-based position in the call). Validation is in validation.cc; the
// behaviours (settle queue, change tracking, history, deletion logs, tenant picklists) are in
// behaviours.cc.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "behaviours/behaviours.h"
#include "behaviours/currency.h"
#include "common/text.h"
#include "metadata/validation.h"
#include "ops/call.h"
#include "soap/entity_writer.h"

namespace atws::service {

using catalog::Entity;
using catalog::Field;
using catalog::FieldType;
using store::Value;

namespace {

nlohmann::json JsonOf(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return nullptr;
    case Value::Kind::kInt:
      return v.i;
    case Value::Kind::kReal:
      return v.d;
    case Value::Kind::kText:
      return v.s;
  }
  return nullptr;
}

const Value* ValueOf(const Entity& e, const std::vector<std::pair<int, Value>>& values,
                     const char* name) {
  int idx = e.FieldIndex(name);
  for (const auto& [fi, v] : values)
    if (fi == idx) return &v;
  return nullptr;
}

void Put(const Entity& e, const char* name, Value v, std::vector<std::pair<int, Value>>* values) {
  int idx = e.FieldIndex(name);
  if (idx < 0) return;
  for (auto& [fi, old] : *values)
    if (fi == idx) {
      old = std::move(v);
      return;
    }
  values->emplace_back(idx, std::move(v));
}

bool IsCost(const Entity& e) {
  return e.name == "TicketCost" || e.name == "ProjectCost" || e.name == "ContractCost" ||
         e.name == "ChangeOrderCost";
}

// Values the platform fills on create when the client sent none.
void ApplyCreateDefaults(Tenant& t, const Entity& e, std::vector<std::pair<int, Value>>* values) {
  auto missing = [&](const char* name) {
    const Value* v = ValueOf(e, *values, name);
    return !v || v->is_null();
  };
  if (e.name == "Ticket" && missing("Source"))
    Put(e, "Source", Value::Int(DefaultTicketSource(t)), values);
  if (IsCost(e) && missing("Status")) {
    // The procurement status a new cost starts with: the picklist's default (first) value.
    const Field* f = e.FindField("Status");
    long long first = 1;
    if (f && !f->picklist.empty()) {
      ParseInt64(f->picklist.front().value, &first);
      for (const auto& pv : f->picklist)
        if (pv.is_default) ParseInt64(pv.value, &first);
    }
    Put(e, "Status", Value::Int(first), values);
  }
  if (e.name == "TimeEntry" && missing("Type"))
    Put(e, "Type", Value::Int(!missing("TicketID") ? 2 : !missing("TaskID") ? 6 : 7), values);
  if ((e.name == "UserDefinedFieldDefinition" || e.name == "UserDefinedFieldListItem") &&
      missing("IsActive"))
    Put(e, "IsActive", Value::Int(1), values);
}

// Status → Complete (5) stamps the completion fields of tickets and tasks; leaving Complete
// clears them.
void ApplyCompletion(const Entity& e, const std::vector<Value>* old_row, const std::string& stamp,
                     const Actor& actor, std::vector<std::pair<int, Value>>* values) {
  if (e.name != "Ticket" && e.name != "Task") return;
  const Value* status = ValueOf(e, *values, "Status");
  if (!status || status->kind != Value::Kind::kInt) return;
  int sidx = e.FieldIndex("Status");
  bool was_complete =
      old_row && (*old_row)[sidx].kind == Value::Kind::kInt && (*old_row)[sidx].i == 5;
  bool complete = status->i == 5;
  if (complete == was_complete) return;
  const char* date = e.name == "Ticket" ? "CompletedDate" : "CompletedDateTime";
  Put(e, date, complete ? Value::Text(stamp) : Value(), values);
  Put(e, "CompletedByResourceID", complete ? Value::Int(actor.acting()) : Value(), values);
  if (e.name == "Task") Put(e, "CompletedByType", complete ? Value::Int(1) : Value(), values);
  if (e.name == "Ticket" && complete) {
    int ridx = e.FieldIndex("ResolvedDateTime");
    if (ridx >= 0 && (!old_row || (*old_row)[ridx].is_null()))
      Put(e, "ResolvedDateTime", Value::Text(stamp), values);
  }
}

std::string UtcText(Micros t) { return FormatApiDateTime(ToLocal(t, ApiTimeZone::kUtc)) + "Z"; }

}  // namespace

void OpWrite(CallContext& ctx) {
  const std::string op = ctx.op->name;
  const WriteOp wop = op == "create"   ? WriteOp::kCreate
                      : op == "update" ? WriteOp::kUpdate
                                       : WriteOp::kDelete;
  const bool is_create = wop == WriteOp::kCreate, is_delete = wop == WriteOp::kDelete;
  const auto& ents = ctx.req.entities;
  Tenant& tenant = *ctx.tenant;
  store::TenantDb& db = *tenant.db;
  std::string first_lower;
  if (!ents.empty()) {
    ctx.j.entity = ents[0].type;
    if (const Entity* e = ctx.env.cat.Find(ents[0].type)) first_lower = e->lower_name;
  }
  std::string err = CheckCallSize(wop, ents.size());
  if (!err.empty()) {
    ctx.Error({err}, first_lower);
    return;
  }
  const Micros now = ctx.env.clock.Now();
  SettleDue(tenant, now);
  if (!EnsureWriteState(tenant, &err) || !db.Exec("SAVEPOINT atws_write")) {
    ctx.Error({"The database is busy; try again."}, first_lower);
    return;
  }
  const std::string stamp = NextStamp(tenant.writes, now, ctx.env.time_zone);
  const long long delay_ms = std::max(0LL, tenant.settings.settle_delay_ms);
  const Micros due = now + delay_ms * 1000;
  const Actor actor{ctx.user->resource_id, ctx.req.impersonate_as};
  TenantLookup lookup(tenant);
  ValidateOptions vo;
  vo.op = wop;
  vo.flavour = ctx.flavour;
  vo.tz = ctx.env.time_zone;

  std::vector<std::string> errors;
  std::vector<std::pair<const Entity*, long long>> done;
  nlohmann::json written = nlohmann::json::array();
  bool udfs_touched = false;

  for (size_t i = 0; i < ents.size(); ++i) {
    const soap::EntityArg& ea = ents[i];
    nlohmann::json rec = {{"record", i}, {"entity", ea.type}};
    auto fail = [&](const std::string& why) {
      errors.push_back(RecordError(wop, i, why));
      rec["outcome"] = "rejected";
      rec["error"] = why;
      written.push_back(rec);
    };
    ValidatedEntity v;
    std::string why = ValidateEntity(ctx.env.cat, ea, vo, lookup, &v);
    if (!why.empty()) {
      fail(why);
      continue;
    }
    const Entity& e = *v.entity;
    rec["entity"] = e.name;

    if (is_delete) {
      std::vector<Value> old_row;
      ReadRow(db, e, v.id, &old_row);
      if (!db.Delete(e, v.id, &err) || !DropSettle(tenant, e, v.id, -1, &err) ||
          !RecordDeletedActivity(db, e, old_row, stamp, actor, &err) ||
          !TouchParents(db, e, &old_row, nullptr, stamp, actor, &err)) {
        fail(err);
        continue;
      }
      rec["id"] = v.id;
      rec["outcome"] = "written";
      written.push_back(rec);
      done.emplace_back(&e, v.id);
      continue;
    }

    std::vector<Value> old_row;
    const bool have_old = !is_create && ReadRow(db, e, v.id, &old_row);
    const std::vector<Value>* old_ptr = have_old ? &old_row : nullptr;
    why = ValidateUdfEntity(ctx.env.cat, v, wop, lookup, old_ptr);
    if (!why.empty()) {
      fail(why);
      continue;
    }
    std::vector<std::pair<int, Value>> values = v.values;
    if (is_create) ApplyCreateDefaults(tenant, e, &values);
    ApplyCompletion(e, old_ptr, stamp, actor, &values);
    ApplyTracking(e, old_ptr, stamp, actor, &values);

    long long id = v.id;
    const bool udf_entity =
        e.name == "UserDefinedFieldDefinition" || e.name == "UserDefinedFieldListItem";
    if (is_create && e.name == "UserDefinedFieldDefinition") {
      // Through the store, so that the UDF gets its column and drives getUDFInfo at once.
      auto get = [&](const char* n) { return ValueOf(e, values, n); };
      auto as_int = [](const Value* x) { return x && x->kind == Value::Kind::kInt ? x->i : 0LL; };
      auto as_text = [](const Value* x) {
        return x && x->kind == Value::Kind::kText ? x->s : std::string();
      };
      store::UdfDef d;
      d.name = std::string(Trim(as_text(get("Name"))));
      d.entity_index = ctx.env.cat.EntityIndex(
          ctx.env.cat.Find(store::EntityForUdfType(static_cast<int>(as_int(get("UdfType"))))));
      d.data_type = static_cast<store::UdfDataType>(as_int(get("DataType")));
      d.is_protected = as_int(get("IsProtected")) != 0;
      d.is_required = as_int(get("IsRequired")) != 0;
      d.is_active = !get("IsActive") || as_int(get("IsActive")) != 0;
      d.sort_order = static_cast<int>(as_int(get("SortOrder")));
      d.decimal_places = static_cast<int>(as_int(get("NumberOfDecimalPlaces")));
      d.default_value = as_text(get("DefaultValue"));
      d.description = as_text(get("Description"));
      d.id = id = db.NextId(e);
      if (!db.AddUdf(d, &err) || !db.Update(e, id, values, {}, &err)) {
        fail(err);
        continue;
      }
    } else if (is_create) {
      id = db.Insert(e, values, v.udf_values, 0, &err);
      if (id == 0) {
        fail(err);
        continue;
      }
    } else if (!db.Update(e, id, values, v.udf_values, &err)) {
      fail(err);
      continue;
    }
    // InternalCurrency* twins from their base fields (currency.cc, docs/multi-currency.md).
    if (!ApplyCurrency(tenant.settings.multi_currency, db, ctx.env.cat, e, id, &err)) {
      fail(err);
      continue;
    }
    if (udf_entity) {
      udfs_touched = true;
      db.ReloadUdfs(&err);
    }

    // Fields that settle: computed now, visible to queries once the delay has passed.
    std::vector<Value> new_row;
    ReadRow(db, e, id, &new_row);
    bool ok = true;
    for (int fi : e.settle_fields)
      if (v.sent[fi] && !e.fields[fi].read_only)  // a value the client sent wins, at once
        ok = ok && DropSettle(tenant, e, id, fi, &err);
    auto computed = ComputeSettled(tenant, e, id, is_create, new_row, stamp, ctx.env.time_zone);
    SettleCurrency(tenant.settings.multi_currency, db, ctx.env.cat, e, id, new_row, &computed);
    computed.erase(std::remove_if(computed.begin(), computed.end(),
                                  [&](const auto& p) {
                                    return v.sent[p.first] && !e.fields[p.first].read_only;
                                  }),
                   computed.end());
    nlohmann::json settle_fields = nlohmann::json::object();
    for (const auto& [fi, cv] : computed) settle_fields[e.fields[fi].name] = JsonOf(cv);
    if (!computed.empty()) {
      if (delay_ms == 0) {
        ok = ok && db.Update(e, id, computed, {}, &err);
        for (const auto& [fi, cv] : computed) new_row[fi] = cv;
        rec["settle"] = {{"state", "settled"}, {"fields", settle_fields}};
      } else {
        ok = ok && QueueSettle(tenant, e, id, computed, due, &err);
        rec["settle"] = {{"state", "pending"},
                         {"due", UtcText(due)},
                         {"delay_ms", delay_ms},
                         {"fields", settle_fields}};
      }
    }
    if (e.name == "Ticket")
      ok = ok && RecordTicketHistory(tenant, id, old_ptr, new_row, stamp, actor, ctx.lang, &err);
    ok = ok && TouchParents(db, e, old_ptr, &new_row, stamp, actor, &err);
    if (!ok) {
      fail(err);
      continue;
    }
    rec["id"] = id;
    rec["fields"] = v.fields;
    if (!v.udfs.empty()) rec["udfs"] = v.udfs;
    if (!v.ignored.empty()) rec["ignored"] = v.ignored;
    rec["stamp"] = stamp;
    rec["outcome"] = "written";
    written.push_back(rec);
    done.emplace_back(&e, id);
  }

  if (!errors.empty()) {
    db.Exec("ROLLBACK TO atws_write");
    db.Exec("RELEASE atws_write");
    if (udfs_touched) db.ReloadUdfs();
    tenant.writes.next_due_known = false;
    for (auto& rec : written)
      if (rec["outcome"] == "written") rec["outcome"] = "rolled back";
    ctx.j.written = written;
    ctx.Error(errors, first_lower);
    return;
  }
  db.Exec("RELEASE atws_write");
  db.BumpGeneration();
  ctx.j.written = written;

  std::string& out = ctx.out;
  soap::BeginResponse(&out, op, ctx.ep.version);
  out += "<" + op + "Result><ReturnCode>1</ReturnCode>";
  if (is_delete) {
    out += "<EntityResults/>";
  } else {
    // Fields that settle later are left out of the answer (docs/writes.md).
    out += "<EntityResults>";
    for (const auto& [e, id] : done)
      (void)soap::AppendEntities(&out, db, *e, ctx.flavour, "id = ?", {Value::Int(id)},
                                 &e->settle_fields);
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
