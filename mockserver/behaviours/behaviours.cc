// Settle queue, change tracking, deletion logs and ticket history.
// See behaviours.h and docs/writes.md, docs/change-tracking.md.
#include "behaviours/behaviours.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>

#include "common/text.h"
#include "store/savepoint.h"

namespace atws::service {

using catalog::Entity;
using catalog::Field;
using catalog::FieldType;
using catalog::PicklistValue;
using store::TenantDb;
using store::Value;

namespace {

constexpr Micros kNoDue = std::numeric_limits<Micros>::max();
constexpr long long kMsPerDay = 86400000LL;

bool IsInt(FieldType t) {
  return t == FieldType::kInteger || t == FieldType::kLong || t == FieldType::kShort;
}

bool Numeric(const Value& v, double* d) {
  if (v.kind == Value::Kind::kInt) {
    *d = static_cast<double>(v.i);
    return true;
  }
  if (v.kind == Value::Kind::kReal) {
    *d = v.d;
    return true;
  }
  return false;
}

const Value& At(const std::vector<Value>& row, const Entity& e, const char* name) {
  static const Value kNull;
  int idx = e.FieldIndex(name);
  return idx < 0 || idx >= static_cast<int>(row.size()) ? kNull : row[idx];
}

bool HasName(const Field& f, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (f.name == n) return true;
  return false;
}

// Field-name sets of the change-tracking table (docs/change-tracking.md).
bool IsModifiedStamp(const Field& f) {
  return f.type == FieldType::kDateTime &&
         HasName(f, {"LastModifiedDate", "LastModifiedDateTime", "LastTrackedModificationDateTime",
                     "LastTrackedModifiedDateTime", "LastModifiedTime", "UpdateDateTime"});
}
bool IsActivityStamp(const Field& f) {
  return f.type == FieldType::kDateTime &&
         HasName(f, {"LastActivityDate", "LastActivityDateTime", "LastActivity"});
}
bool IsCreateStamp(const Field& f) {
  return f.type == FieldType::kDateTime &&
         HasName(f, {"CreateDate", "CreateDateTime", "CreatedDateTime"});
}

// Sets `values[field] = v` (replacing a value there) unless the field is writable and the
// client sent a value for it (a sent value of a writable field wins).
void SetTracked(const Field& f, Value v, std::vector<std::pair<int, Value>>* values) {
  for (auto& [fi, old] : *values) {
    if (fi != f.index) continue;
    if (!f.read_only) return;
    old = std::move(v);
    return;
  }
  values->emplace_back(f.index, std::move(v));
}

// Naive milliseconds since 1970-01-01T00:00 of a storage date-time (no time zone).
bool NaiveMillis(const std::string& storage, long long* ms) {
  CivilTime ct;
  if (!ParseApiDateTime(storage, &ct)) return false;
  *ms = DaysFromCivil(ct.year, ct.month, ct.day) * kMsPerDay +
        ((ct.hour * 60LL + ct.minute) * 60LL + ct.second) * 1000LL + ct.millis;
  return true;
}

std::string FromNaiveMillis(long long ms) {
  long long days = ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
  long long rest = ms - days * kMsPerDay;
  CivilTime ct;
  CivilFromDays(days, &ct.year, &ct.month, &ct.day);
  ct.millis = static_cast<int>(rest % 1000);
  rest /= 1000;
  ct.second = static_cast<int>(rest % 60);
  rest /= 60;
  ct.minute = static_cast<int>(rest % 60);
  ct.hour = static_cast<int>(rest / 60);
  return StorageDateTime(ct);
}

// Storage date-time + elapsed hours, through UTC so that DST changes are honoured.
std::string AddHours(const std::string& storage, double hours, ApiTimeZone tz) {
  CivilTime ct;
  Micros utc;
  if (!ParseApiDateTime(storage, &ct) || !FromLocal(ct, tz, &utc)) return "";
  return StorageDateTime(ToLocal(utc + static_cast<Micros>(hours * 3600e6), tz));
}

std::string Utf8Prefix(const std::string& s, size_t max_chars) {
  size_t n = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == max_chars) break;
      ++n;
    }
  }
  return s.substr(0, i);
}

Value TextOrNull(const std::string& s) { return s.empty() ? Value::Null() : Value::Text(s); }

double Round4(double v) { return std::round(v * 10000.0) / 10000.0; }

// Parents whose activity date moves when a child row is written or deleted.
struct ActivityLink {
  const char* child;
  const char* ref;
  const char* parent;
};
const ActivityLink kActivityLinks[] = {
    {"TicketNote", "TicketID", "Ticket"},
    {"TimeEntry", "TicketID", "Ticket"},
    {"TicketChecklistItem", "TicketID", "Ticket"},
    {"TimeEntry", "TaskID", "Task"},
    {"TaskNote", "TaskID", "Task"},
    {"ProjectNote", "ProjectID", "Project"},
    {"Task", "ProjectID", "Project"},
    {"Phase", "ProjectID", "Project"},
    {"Task", "PhaseID", "Phase"},
    {"AccountNote", "AccountID", "Account"},
    {"AccountNote", "ContactID", "Contact"},
    {"AccountToDo", "AccountID", "Account"},
    {"AccountToDo", "ContactID", "Contact"},
    {"Ticket", "AccountID", "Account"},
};

const catalog::Catalog& Cat(Tenant& t) { return t.db->catalog(); }

}  // namespace

// ---- values
// --------------------------------------------------------------------------------------

bool SameValue(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  double x, y;
  if (Numeric(a, &x) && Numeric(b, &y)) return x == y;
  if (a.kind == Value::Kind::kText && b.kind == Value::Kind::kText) return a.s == b.s;
  return false;
}

std::string ValueText(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return "";
    case Value::Kind::kInt:
      return std::to_string(v.i);
    case Value::Kind::kReal:
      return FormatDouble(v.d);
    case Value::Kind::kText:
      return v.s;
  }
  return "";
}

// ---- stamps ------------------------------------------------------------------------------------

std::string AddMillis(const std::string& storage, long long ms) {
  long long base;
  if (!NaiveMillis(storage, &base)) return storage;
  return FromNaiveMillis(base + ms);
}

std::string NextStamp(WriteState& s, Micros now, ApiTimeZone tz) {
  CivilTime lt = ToLocal(now, tz);
  std::string stamp = StorageDateTime(lt);
  if (tz == ApiTimeZone::kEastern) {
    // In the second pass of the autumn hour the naive clock repeats 01:00–01:59:59.999; it has
    // already shown up to 01:59:59.999 once, so stamps stay above that.
    Micros first;
    if (FromLocal(lt, tz, &first) && now - first >= 3600LL * 1000000 - 1000) {
      CivilTime end = lt;
      end.hour = 1;
      end.minute = 59;
      end.second = 59;
      end.millis = 999;
      std::string floor = StorageDateTime(end);
      if (floor > stamp) stamp = floor;
    }
  }
  if (!s.last_stamp.empty() && stamp <= s.last_stamp) {
    long long last_ms, now_ms;
    bool reset = NaiveMillis(s.last_stamp, &last_ms) && NaiveMillis(stamp, &now_ms) &&
                 last_ms - now_ms > 2 * 3600 * 1000LL;
    if (!reset) stamp = AddMillis(s.last_stamp, 1);
  }
  s.last_stamp = stamp;
  return stamp;
}

// ---- change tracking ---------------------------------------------------------------------------

void ApplyTracking(const Entity& e, const std::vector<Value>* old_row, const std::string& stamp,
                   const Actor& actor, std::vector<std::pair<int, Value>>* values) {
  const bool is_create = old_row == nullptr;
  const Value now = Value::Text(stamp);
  for (const Field& f : e.fields) {
    if (IsModifiedStamp(f) || IsActivityStamp(f) || (is_create && IsCreateStamp(f))) {
      SetTracked(f, now, values);
    } else if (IsInt(f.type) &&
               HasName(f, {"LastModifiedUserID", "LastModifiedByResourceID", "LastModifiedBy",
                           "UpdateResourceID", "LastActivityResourceID", "LastActivityPersonID"})) {
      SetTracked(f, Value::Int(actor.acting()), values);
    } else if (IsInt(f.type) && f.name == "LastActivityPersonType") {
      SetTracked(f, Value::Int(1), values);  // 1 = Resource
    } else if (is_create && IsInt(f.type) &&
               HasName(f, {"CreatorResourceID", "CreatedByResourceID", "CreatorUserID"})) {
      // A-IMPERSONATE: the row is created by the impersonated resource; the Impersonator*
      // fields name the API user who acted for it (as attachments.cc does).
      SetTracked(f, Value::Int(actor.acting()), values);
    } else if (is_create && f.name == "ImpersonatorCreatorResourceID" && actor.impersonated > 0) {
      SetTracked(f, Value::Int(actor.user_resource), values);
    } else if (!is_create && f.name == "ImpersonatorUpdaterResourceID" && actor.impersonated > 0) {
      SetTracked(f, Value::Int(actor.user_resource), values);
    }
  }
  // StatusLastModifiedDate: only when the status changes (the cost entities' procurement
  // workflow); a create sets the first status.
  const Field* slm = e.FindField("StatusLastModifiedDate");
  const Field* status = e.FindField("Status");
  if (slm && status) {
    bool changed = is_create;
    for (const auto& [fi, v] : *values)
      if (fi == status->index && old_row && !SameValue((*old_row)[fi], v)) changed = true;
    if (changed) {
      SetTracked(*slm, now, values);
      if (const Field* by = e.FindField("StatusLastModifiedBy"))
        SetTracked(*by, Value::Int(actor.acting()), values);
    }
  }
}

bool TouchParents(TenantDb& db, const Entity& child, const std::vector<Value>* old_row,
                  const std::vector<Value>* new_row, const std::string& stamp, const Actor& actor,
                  std::string* error) {
  const catalog::Catalog& cat = db.catalog();
  for (const auto& link : kActivityLinks) {
    if (child.name != link.child) continue;
    const Field* ref = child.FindField(link.ref);
    const Entity* parent = cat.Find(link.parent);
    if (!ref || !parent) continue;
    std::vector<std::pair<int, Value>> stamps;
    for (const Field& pf : parent->fields) {
      if (IsActivityStamp(pf))
        stamps.emplace_back(pf.index, Value::Text(stamp));
      else if (IsInt(pf.type) && pf.name == "LastActivityResourceID")
        stamps.emplace_back(pf.index, Value::Int(actor.acting()));
      else if (IsInt(pf.type) && pf.name == "LastActivityPersonType")
        stamps.emplace_back(pf.index, Value::Int(1));
    }
    bool any_date = false;
    for (const auto& [fi, v] : stamps) any_date = any_date || v.kind == Value::Kind::kText;
    if (!any_date) continue;
    std::vector<long long> targets;
    if (old_row && (*old_row)[ref->index].kind == Value::Kind::kInt)
      targets.push_back((*old_row)[ref->index].i);
    if (new_row && (*new_row)[ref->index].kind == Value::Kind::kInt &&
        (targets.empty() || targets[0] != (*new_row)[ref->index].i))
      targets.push_back((*new_row)[ref->index].i);
    for (long long pid : targets) {
      if (!db.RowExists(parent->name, pid)) continue;  // no such parent: nothing to move
      if (!db.Update(*parent, pid, stamps, {}, error)) return false;
    }
  }
  return true;
}

bool RecordTicketHistory(Tenant& t, long long ticket_id, const std::vector<Value>* old_row,
                         const std::vector<Value>& new_row, const std::string& stamp,
                         const Actor& actor, catalog::Language lang, std::string* error) {
  TenantDb& db = *t.db;
  const catalog::Catalog& cat = db.catalog();
  const Entity* hist = cat.Find("TicketHistory");
  const Entity* ticket = cat.Find("Ticket");
  if (!hist || !ticket) return true;
  const Field* detail_f = hist->FindField("Detail");
  const Field* action_f = hist->FindField("Action");
  auto add = [&](const std::string& action, const std::string& detail) {
    std::vector<std::pair<int, Value>> v;
    auto set = [&](const char* n, Value x) {
      if (const Field* f = hist->FindField(n)) v.emplace_back(f->index, std::move(x));
    };
    set("TicketID", Value::Int(ticket_id));
    set("Action", Value::Text(Utf8Prefix(action, action_f ? action_f->length : 100)));
    set("Detail", Value::Text(Utf8Prefix(detail, detail_f ? detail_f->length : 1800)));
    set("ResourceID", Value::Int(actor.acting()));
    set("Date", Value::Text(stamp));
    return db.Insert(*hist, v, {}, 0, error) != 0;
  };
  if (!old_row) return add("Created", "Ticket created");
  auto shown = [&](const Field& f, const Value& v) -> std::string {
    if (v.is_null()) return "(none)";
    if (f.type == FieldType::kDateTime && v.kind == Value::Kind::kText) {
      std::string s;
      AppendApiFromStorage(&s, v.s);
      return s;
    }
    if (f.type == FieldType::kBoolean) return v.kind == Value::Kind::kInt && v.i ? "true" : "false";
    std::string text = ValueText(v);
    if (f.is_picklist)
      if (const PicklistValue* pv = FindTenantPicklistValue(t, *ticket, f, text))
        return pv->Label(lang);
    return text;
  };
  for (const Field& f : ticket->fields) {
    if (f.index == 0 || f.read_only) continue;
    if (std::find(ticket->settle_fields.begin(), ticket->settle_fields.end(), f.index) !=
        ticket->settle_fields.end())
      continue;
    const Value& a = (*old_row)[f.index];
    const Value& b = new_row[f.index];
    if (SameValue(a, b)) continue;
    if (!add("Edited",
             fmt::format("{}: {} \xe2\x86\x92 {}", f.Label(lang), shown(f, a), shown(f, b))))
      return false;
  }
  return true;
}

// ---- deletion logs -----------------------------------------------------------------------------

namespace {

// A field of row `id` as stored, or as queued in the settle queue when it has not settled yet.
Value StoredOrQueued(TenantDb& db, const Entity& e, long long id, const char* field) {
  std::vector<Value> row;
  const Field* f = e.FindField(field);
  if (!f || !ReadRow(db, e, id, &row)) return Value();
  if (!row[f->index].is_null()) return row[f->index];
  auto st =
      db.Prepare("SELECT value FROM atws_settle WHERE entity = ? AND row_id = ? AND field = ?");
  if (!st.ok()) return Value();
  st->BindText(1, e.name.c_str());
  st->BindInt(2, id);
  st->BindText(3, f->name.c_str());
  return st->Next() ? st->ValueAt(0) : Value();
}

}  // namespace

bool RecordDeletedTicketActivity(TenantDb& db, const DeletedActivity& a, bool task,
                                 const std::string& stamp, const Actor& actor, std::string* error) {
  const catalog::Catalog& cat = db.catalog();
  const Entity* log = cat.Find(task ? "DeletedTaskActivityLog" : "DeletedTicketActivityLog");
  const Entity* parent = cat.Find(task ? "Task" : "Ticket");
  if (!log || !parent) return true;
  std::vector<std::pair<int, Value>> v;
  auto set = [&](const char* n, Value x) {
    if (const Field* f = log->FindField(n)) v.emplace_back(f->index, std::move(x));
  };
  set("TypeID", Value::Int(a.type_id));
  set(task ? "TaskID" : "TicketID", Value::Int(a.parent_id));
  set(task ? "TaskNumber" : "TicketNumber",
      StoredOrQueued(db, *parent, a.parent_id, task ? "TaskNumber" : "TicketNumber"));
  set("NoteOrAttachmentTitle", Value::Text(Utf8Prefix(a.title, 255)));
  set("CreatedByResourceID", a.created_by ? Value::Int(a.created_by) : Value());
  set("ActivityDateTime", TextOrNull(a.activity_time));
  set("StartDateTime", TextOrNull(a.start_time));
  set("EndDateTime", TextOrNull(a.end_time));
  set("HoursWorked", a.has_hours ? Value::Real(a.hours_worked) : Value());
  set("DeletedByResourceID", Value::Int(actor.acting()));
  set("DeletedDateTime", Value::Text(stamp));
  return db.Insert(*log, v, {}, 0, error) != 0;
}

bool RecordDeletedActivity(TenantDb& db, const Entity& e, const std::vector<Value>& row,
                           const std::string& stamp, const Actor& actor, std::string* error) {
  auto text = [&](const char* n) {
    const Value& v = At(row, e, n);
    return v.kind == Value::Kind::kText ? v.s : std::string();
  };
  auto id_of = [&](const char* n) {
    const Value& v = At(row, e, n);
    return v.kind == Value::Kind::kInt ? v.i : 0LL;
  };
  DeletedActivity a;
  if (e.name == "TimeEntry") {
    a.type_id = 2;
    a.title = text("SummaryNotes");
    a.created_by = id_of("ResourceID");
    a.activity_time = text("DateWorked").empty() ? text("CreateDateTime") : text("DateWorked");
    a.start_time = text("StartDateTime");
    a.end_time = text("EndDateTime");
    double h;
    a.has_hours = Numeric(At(row, e, "HoursWorked"), &h);
    a.hours_worked = a.has_hours ? h : 0;
    if (long long ticket = id_of("TicketID")) {
      a.parent_id = ticket;
      return RecordDeletedTicketActivity(db, a, false, stamp, actor, error);
    }
    if (long long task = id_of("TaskID")) {
      a.parent_id = task;
      return RecordDeletedTicketActivity(db, a, true, stamp, actor, error);
    }
    return true;
  }
  if (e.name == "TicketNote" || e.name == "TaskNote") {
    a.type_id = 1;
    a.title = text("Title").empty() ? text("Description") : text("Title");
    a.created_by = id_of("CreatorResourceID");
    a.activity_time = text("CreateDateTime");
    bool task = e.name == "TaskNote";
    a.parent_id = id_of(task ? "TaskID" : "TicketID");
    if (a.parent_id == 0) return true;
    return RecordDeletedTicketActivity(db, a, task, stamp, actor, error);
  }
  return true;
}

bool RecordDeletedTicket(TenantDb& db, const std::vector<Value>& row, const std::string& stamp,
                         const Actor& actor, std::string* error) {
  const catalog::Catalog& cat = db.catalog();
  const Entity* log = cat.Find("DeletedTicketLog");
  const Entity* ticket = cat.Find("Ticket");
  if (!log || !ticket || row.empty()) return true;
  long long id = row[0].kind == Value::Kind::kInt ? row[0].i : 0;
  std::vector<std::pair<int, Value>> v;
  auto set = [&](const char* n, Value x) {
    if (const Field* f = log->FindField(n)) v.emplace_back(f->index, std::move(x));
  };
  set("TicketID", Value::Int(id));
  set("TicketNumber", StoredOrQueued(db, *ticket, id, "TicketNumber"));
  const Value& title = At(row, *ticket, "Title");
  set("TicketTitle",
      title.kind == Value::Kind::kText ? Value::Text(Utf8Prefix(title.s, 255)) : Value());
  set("DeletedByResourceID", Value::Int(actor.acting()));
  set("DeletedDateTime", Value::Text(stamp));
  return db.Insert(*log, v, {}, 0, error) != 0;
}

// ---- settle ------------------------------------------------------------------------------------

namespace {

// Largest sequence number n among values "<prefix><n>" of e.f, in the rows and in the queue.
long long MaxSequence(TenantDb& db, const Entity& e, const Field& f, const std::string& prefix) {
  std::string hi = prefix;
  hi.back() = static_cast<char>(hi.back() + 1);
  long long best = 0;
  std::string col = TenantDb::Quote(f.name);
  if (auto st = db.Prepare("SELECT MAX(CAST(substr(" + col + ", ?) AS INTEGER)) FROM " +
                           TenantDb::Quote(e.name) + " WHERE " + col + " >= ? AND " + col + " < ?");
      st.ok()) {
    st->BindInt(1, static_cast<long long>(prefix.size()) + 1);
    st->BindText(2, prefix.c_str());
    st->BindText(3, hi.c_str());
    if (st->Next()) best = st->Int(0);
  }
  if (auto st = db.Prepare(
          "SELECT MAX(CAST(substr(value, ?) AS INTEGER)) FROM atws_settle WHERE entity = ? AND "
          "field = ? AND value >= ? AND value < ?");
      st.ok()) {
    st->BindInt(1, static_cast<long long>(prefix.size()) + 1);
    st->BindText(2, e.name.c_str());
    st->BindText(3, f.name.c_str());
    st->BindText(4, prefix.c_str());
    st->BindText(5, hi.c_str());
    if (st->Next()) best = std::max(best, st->Int(0));
  }
  return best;
}

long long MaxInteger(TenantDb& db, const Entity& e, const Field& f) {
  long long best = 0;
  if (auto st =
          db.Prepare("SELECT MAX(" + TenantDb::Quote(f.name) + ") FROM " + TenantDb::Quote(e.name));
      st.ok() && st->Next())
    best = st->Int(0);
  if (auto st = db.Prepare("SELECT MAX(value) FROM atws_settle WHERE entity = ? AND field = ?");
      st.ok()) {
    st->BindText(1, e.name.c_str());
    st->BindText(2, f.name.c_str());
    if (st->Next()) best = std::max(best, st->Int(0));
  }
  return best;
}

long long CountWhere(TenantDb& db, const Entity& e, const char* field, long long value) {
  if (!e.FindField(field)) return 0;
  auto st = db.Prepare("SELECT COUNT(*) FROM " + TenantDb::Quote(e.name) + " WHERE " +
                       TenantDb::Quote(field) + " = ?");
  long long n = 0;
  if (st.ok()) {
    st->BindInt(1, value);
    if (st->Next()) n = st->Int(0);
  }
  return n;
}

// SLA targets in hours (first response, resolution plan, resolved) by ticket priority, for the
// "Standard SLA" (value 1); "Premium SLA" (2) halves them and "24x7 Critical Systems" (3)
// quarters them (A-SLA-TARGETS).
void SlaHours(long long priority, long long sla, double out[3]) {
  double h[3];
  switch (priority) {
    case 4:  // Critical
      h[0] = 1, h[1] = 2, h[2] = 4;
      break;
    case 1:  // High
      h[0] = 2, h[1] = 4, h[2] = 8;
      break;
    case 3:  // Low
      h[0] = 8, h[1] = 24, h[2] = 72;
      break;
    default:  // Medium and tenant-defined priorities
      h[0] = 4, h[1] = 8, h[2] = 24;
  }
  double factor = sla == 2 ? 0.5 : sla == 3 ? 0.25 : 1.0;
  for (int i = 0; i < 3; ++i) out[i] = h[i] * factor;
}

}  // namespace

std::vector<std::pair<int, Value>> ComputeSettled(Tenant& t, const Entity& e, long long id,
                                                  bool is_create, const std::vector<Value>& row,
                                                  const std::string& stamp, ApiTimeZone tz) {
  TenantDb& db = *t.db;
  std::vector<std::pair<int, Value>> out;
  if (e.settle_fields.empty()) return out;
  auto settles = [&](const char* name) -> const Field* {
    const Field* f = e.FindField(name);
    if (!f) return nullptr;
    return std::find(e.settle_fields.begin(), e.settle_fields.end(), f->index) !=
                   e.settle_fields.end()
               ? f
               : nullptr;
  };
  auto put = [&](const char* name, Value v) {
    if (const Field* f = settles(name)) out.emplace_back(f->index, std::move(v));
  };
  auto num = [&](const char* name, double* d) { return Numeric(At(row, e, name), d); };
  auto text = [&](const char* name) {
    const Value& v = At(row, e, name);
    return v.kind == Value::Kind::kText ? v.s : std::string();
  };
  auto int_of = [&](const char* name) {
    const Value& v = At(row, e, name);
    return v.kind == Value::Kind::kInt ? v.i : 0LL;
  };
  const std::string day = stamp.substr(0, 4) + stamp.substr(5, 2) + stamp.substr(8, 2);

  if (e.name == "Ticket") {
    if (is_create && At(row, e, "TicketNumber").is_null()) {
      if (const Field* f = settles("TicketNumber")) {
        std::string prefix = "T" + day + ".";
        put("TicketNumber",
            Value::Text(fmt::format("{}{:04d}", prefix, MaxSequence(db, e, *f, prefix) + 1)));
      }
    }
    // SLA due dates: from the creation time, by priority, when the ticket has an SLA.
    long long sla = int_of("ServiceLevelAgreementID");
    std::string created = text("CreateDate");
    const char* due_names[3] = {"FirstResponseDueDateTime", "ResolutionPlanDueDateTime",
                                "ResolvedDueDateTime"};
    std::string resolved_due;
    if (sla != 0 && !created.empty()) {
      double h[3];
      SlaHours(int_of("Priority"), sla, h);
      for (int i = 0; i < 3; ++i) {
        std::string due = AddHours(created, h[i], tz);
        put(due_names[i], TextOrNull(due));
        if (i == 2) resolved_due = due;
      }
    } else {
      for (const char* n : due_names) put(n, Value());
    }
    std::string completed = text("CompletedDate");
    if (!resolved_due.empty() && !completed.empty())
      put("ServiceLevelAgreementHasBeenMet", Value::Int(completed <= resolved_due ? 1 : 0));
    else
      put("ServiceLevelAgreementHasBeenMet", Value());
    double est;
    put("HoursToBeScheduled", num("EstimatedHours", &est) ? Value::Real(est) : Value());
  } else if (e.name == "TimeEntry") {
    double worked, offset = 0;
    bool has = num("HoursWorked", &worked);
    if (!has) {
      long long a, b;
      if (NaiveMillis(text("StartDateTime"), &a) && NaiveMillis(text("EndDateTime"), &b) && b > a) {
        worked = static_cast<double>(b - a) / 3600000.0;
        has = true;
      }
    }
    num("OffsetHours", &offset);
    bool non_billable = int_of("NonBillable") != 0;
    put("HoursToBill",
        has ? Value::Real(non_billable ? 0.0 : Round4(std::max(0.0, worked + offset))) : Value());
  } else if (e.name == "TicketCost" || e.name == "ProjectCost" || e.name == "ContractCost" ||
             e.name == "ChangeOrderCost") {
    double qty, cost, price;
    bool has_qty = num("UnitQuantity", &qty);
    put("ExtendedCost",
        has_qty && num("UnitCost", &cost) ? Value::Real(Round4(cost * qty)) : Value());
    bool has_price = num("UnitPrice", &price);
    Value billable = Value();
    if (has_qty && has_price)
      billable = Value::Real(int_of("BillableToAccount") != 0 ? Round4(price * qty) : 0.0);
    put("BillableAmount", billable);
    put("InternalCurrencyBillableAmount", billable);
    put("InternalCurrencyUnitPrice", has_price ? Value::Real(price) : Value());
  } else if (e.name == "Project") {
    if (is_create && At(row, e, "ProjectNumber").is_null()) {
      if (const Field* f = settles("ProjectNumber")) {
        std::string prefix = "P" + stamp.substr(0, 4) + ".";
        put("ProjectNumber",
            Value::Text(fmt::format("{}{:04d}", prefix, MaxSequence(db, e, *f, prefix) + 1)));
      }
    }
    long long a, b;
    if (NaiveMillis(text("StartDateTime"), &a) && NaiveMillis(text("EndDateTime"), &b))
      put("Duration", Value::Int(std::max(0LL, (b - a) / kMsPerDay)));
  } else if (e.name == "Phase") {
    if (is_create && At(row, e, "PhaseNumber").is_null()) {
      long long project = int_of("ProjectID");
      std::string pnum;
      if (const Entity* p = Cat(t).Find("Project")) {
        Value v = StoredOrQueued(db, *p, project, "ProjectNumber");
        if (v.kind == Value::Kind::kText) pnum = v.s;
      }
      size_t dot = pnum.rfind('.');
      long long seq = 0;
      if (dot == std::string::npos || !ParseInt64(pnum.substr(dot + 1), &seq)) seq = project;
      put("PhaseNumber",
          Value::Text(fmt::format("{}.{}", seq, CountWhere(db, e, "ProjectID", project))));
    }
  } else if (e.name == "Task") {
    if (is_create && At(row, e, "TaskNumber").is_null()) {
      long long project = int_of("ProjectID");
      put("TaskNumber",
          Value::Text(fmt::format("T{}.{}", project, CountWhere(db, e, "ProjectID", project))));
    }
    if (is_create) put("TaskIsBillable", Value::Int(1));
    double est;
    put("HoursToBeScheduled", num("EstimatedHours", &est) ? Value::Real(est) : Value());
  } else if (e.name == "Contract") {
    double v;
    put("InternalCurrencyOverageBillingRate",
        num("OverageBillingRate", &v) ? Value::Real(v) : Value());
    put("InternalCurrencySetupFee", num("SetupFee", &v) ? Value::Real(v) : Value());
  } else if (e.name == "Quote") {
    if (is_create && At(row, e, "QuoteNumber").is_null())
      if (const Field* f = settles("QuoteNumber"))
        put("QuoteNumber", Value::Int(MaxInteger(db, e, *f) + 1));
  } else if (e.name == "ServiceCall") {
    long long a, b;
    if (NaiveMillis(text("StartDateTime"), &a) && NaiveMillis(text("EndDateTime"), &b) && b >= a)
      put("Duration", Value::Real(Round4(static_cast<double>(b - a) / 3600000.0)));
  }
  (void)id;
  // Only what differs from the row as it stands.
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](const auto& p) { return SameValue(row[p.first], p.second); }),
            out.end());
  return out;
}

bool QueueSettle(Tenant& t, const Entity& e, long long id,
                 const std::vector<std::pair<int, Value>>& values, Micros due, std::string* error) {
  if (!EnsureWriteState(t, error)) return false;
  TenantDb& db = *t.db;
  auto st = db.Prepare(
      "INSERT OR REPLACE INTO atws_settle (entity, row_id, field, value, due) VALUES (?, ?, ?, "
      "?, ?)");
  if (!st.ok()) return st.status().Into(error);
  for (const auto& [fi, v] : values) {
    st->Reset();
    st->BindText(1, e.name.c_str());
    st->BindInt(2, id);
    st->BindText(3, e.fields[fi].name.c_str());
    st->Bind(4, v);
    st->BindInt(5, due);
    if (Status s = st->Run(); !s.ok()) return s.Into(error);
  }
  WriteState& s = t.writes;
  if (s.next_due_known && due < s.next_due) s.next_due = due;
  return true;
}

bool DropSettle(Tenant& t, const Entity& e, long long id, int field_index, std::string* error) {
  if (!EnsureWriteState(t, error)) return false;
  TenantDb& db = *t.db;
  auto st =
      field_index < 0
          ? db.Prepare("DELETE FROM atws_settle WHERE entity = ? AND row_id = ?")
          : db.Prepare("DELETE FROM atws_settle WHERE entity = ? AND row_id = ? AND field = ?");
  if (!st.ok()) return st.status().Into(error);
  st->BindText(1, e.name.c_str());
  st->BindInt(2, id);
  if (field_index >= 0) st->BindText(3, e.fields[field_index].name.c_str());
  return st->Run().Into(error);
}

void SettleDue(Tenant& t, Micros now) {
  WriteState& s = t.writes;
  if (s.db_handle == t.db->connection_id() && s.next_due_known && now < s.next_due) return;
  if (!EnsureWriteState(t)) return;
  TenantDb& db = *t.db;
  auto read_next = [&]() {
    auto st = db.Prepare("SELECT MIN(due) FROM atws_settle");
    s.next_due = kNoDue;
    if (st.ok() && st->Next() && !st->IsNull(0)) s.next_due = st->Int(0);
    s.next_due_known = true;
  };
  if (!s.next_due_known) read_next();
  if (now < s.next_due) return;
  // Collect first (the statement is reused by nothing else meanwhile), then apply.
  std::map<std::pair<std::string, long long>, std::vector<std::pair<std::string, Value>>> due;
  {
    auto st = db.Prepare(
        "SELECT entity, row_id, field, value FROM atws_settle WHERE due <= ? ORDER BY entity, "
        "row_id");
    if (!st.ok()) return;
    st->BindInt(1, now);
    while (st->Next()) {
      std::string ent(st->Text(0));
      long long rid = st->Int(1);
      std::string field(st->Text(2));
      due[{ent, rid}].emplace_back(field, st->ValueAt(3));
    }
  }
  const catalog::Catalog& cat = db.catalog();
  auto savepoint = store::Savepoint::Begin(db, "atws_settle_apply");
  if (!savepoint.ok()) return;
  std::string err;
  for (const auto& [key, fields] : due) {
    const Entity* e = cat.Find(key.first);
    if (!e) continue;
    std::vector<std::pair<int, Value>> values;
    for (const auto& [name, v] : fields)
      if (const Field* f = e->FindField(name)) values.emplace_back(f->index, v);
    db.Update(*e, key.second, values, {}, &err);  // a deleted row has nothing to settle
  }
  if (auto st = db.Prepare("DELETE FROM atws_settle WHERE due <= ?"); st.ok()) {
    st->BindInt(1, now);
    (void)st->Run();
  }
  (void)savepoint->Release();
  read_next();
}

}  // namespace atws::service
