// The behaviours of the write path (behaviours.h): change-tracking stamps and the autumn DST
// hour, the change-tracking table, activity on parents, deletion logs, the settle queue and the
// tenant's picklist values. Against an empty in-memory tenant database.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "behaviours/behaviours.h"
#include "catalog/catalog.h"
#include "common/timeutil.h"
#include "service/service.h"

using namespace atws;
using namespace atws::service;
using catalog::Entity;
using store::Value;

namespace {

const catalog::Catalog& Cat() { return catalog::Catalog::Default(); }

Micros Utc(const char* text) {
  CivilTime ct;
  REQUIRE(ParseApiDateTime(text, &ct));
  Micros t;
  REQUIRE(FromLocal(ct, ApiTimeZone::kUtc, &t));
  return t;
}

struct TestTenant {
  Tenant t;
  TestTenant() {
    std::string err;
    t.db = store::TenantDb::Open(":memory:", Cat(), &err);
    REQUIRE(t.db);
    t.spec.id = 1;
    REQUIRE(EnsureWriteState(t, &err));
  }
  long long Insert(const char* entity, std::vector<std::pair<const char*, Value>> values,
                   long long id = 0) {
    const Entity* e = Cat().Find(entity);
    std::vector<std::pair<int, Value>> v;
    for (auto& [n, x] : values) v.emplace_back(e->FieldIndex(n), x);
    std::string err;
    long long got = t.db->Insert(*e, v, {}, id, &err);
    INFO(err);
    REQUIRE(got != 0);
    return got;
  }
  std::vector<Value> Row(const char* entity, long long id) {
    std::vector<Value> row;
    REQUIRE(ReadRow(*t.db, *Cat().Find(entity), id, &row));
    return row;
  }
  Value Get(const char* entity, long long id, const char* field) {
    return Row(entity, id)[Cat().Find(entity)->FieldIndex(field)];
  }
  long long Count(const char* entity) { return t.db->Count(*Cat().Find(entity)); }
};

const Value* Find(const Entity& e, const std::vector<std::pair<int, Value>>& values,
                  const char* name) {
  for (const auto& [fi, v] : values)
    if (fi == e.FieldIndex(name)) return &v;
  return nullptr;
}

}  // namespace

TEST_CASE("stamps: from the clock, strictly increasing per tenant", "[write][tracking]") {
  WriteState s;
  Micros t0 = Utc("2026-11-28T15:00:00");  // 10:00 EST
  CHECK(NextStamp(s, t0, ApiTimeZone::kEastern) == "2026-11-28T10:00:00.000");
  // The clock did not move (frozen): the next call still gets a later stamp.
  CHECK(NextStamp(s, t0, ApiTimeZone::kEastern) == "2026-11-28T10:00:00.001");
  CHECK(NextStamp(s, t0 + 500000, ApiTimeZone::kEastern) == "2026-11-28T10:00:00.500");
  // Moved back a little: stamps do not go back.
  CHECK(NextStamp(s, t0 - 60 * 1000000LL, ApiTimeZone::kEastern) == "2026-11-28T10:00:00.501");
  // Moved back by days (the admin API setting the clock): followed.
  CHECK(NextStamp(s, Utc("2026-01-05T15:00:00"), ApiTimeZone::kEastern) ==
        "2026-01-05T10:00:00.000");
  WriteState u;
  CHECK(NextStamp(u, t0, ApiTimeZone::kUtc) == "2026-11-28T15:00:00.000");
  CHECK(AddMillis("2026-12-31T23:59:59.999", 1) == "2027-01-01T00:00:00.000");
  CHECK(AddMillis("2026-03-01T00:00:00.000", -1) == "2026-02-28T23:59:59.999");
}

TEST_CASE("stamps: the autumn hour never repeats a stamp", "[write][tracking][dst]") {
  // 2026-11-01: 02:00 EDT falls back to 01:00 EST at 06:00 UTC.
  WriteState s;
  CHECK(NextStamp(s, Utc("2026-11-01T05:30:00"), ApiTimeZone::kEastern) ==
        "2026-11-01T01:30:00.000");  // first pass (EDT)
  CHECK(NextStamp(s, Utc("2026-11-01T05:59:59.900"), ApiTimeZone::kEastern) ==
        "2026-11-01T01:59:59.900");
  // Second pass (EST): the naive clock shows 01:10 again; the stamp stays above what was shown.
  std::string a = NextStamp(s, Utc("2026-11-01T06:10:00"), ApiTimeZone::kEastern);
  CHECK(a == "2026-11-01T01:59:59.999");
  std::string b = NextStamp(s, Utc("2026-11-01T06:40:00"), ApiTimeZone::kEastern);
  CHECK(b == "2026-11-01T02:00:00.000");
  CHECK(b > a);
  // After the hour: the clock again.
  CHECK(NextStamp(s, Utc("2026-11-01T07:00:00.250"), ApiTimeZone::kEastern) ==
        "2026-11-01T02:00:00.250");
  // A tenant whose first write falls in the second pass also gets the floor: a client that
  // polled at 01:50 EDT (by its own clock) still finds the write.
  WriteState fresh;
  CHECK(NextStamp(fresh, Utc("2026-11-01T06:05:00"), ApiTimeZone::kEastern) >
        "2026-11-01T01:50:00.000");
  // Spring forward has no repeated hour: stamps just jump.
  WriteState spring;
  CHECK(NextStamp(spring, Utc("2026-03-08T06:59:59"), ApiTimeZone::kEastern) ==
        "2026-03-08T01:59:59.000");
  CHECK(NextStamp(spring, Utc("2026-03-08T07:00:00"), ApiTimeZone::kEastern) ==
        "2026-03-08T03:00:00.000");
}

TEST_CASE("tracking: the seed's entity table", "[write][tracking]") {
  const std::string stamp = "2026-11-28T10:00:00.000";
  Actor actor{29682801, 0};
  struct Row {
    const char* entity;
    std::vector<const char*> stamped;
  } table[] = {
      {"Account", {"LastActivityDate"}},
      {"AccountNote", {"LastModifiedDate"}},
      {"AccountToDo", {"LastModifiedDate"}},
      {"Contact", {"LastActivityDate", "LastModifiedDate"}},
      {"ContractNote", {"LastActivityDate"}},
      {"Phase", {"LastActivityDateTime"}},
      {"Project", {"LastActivityDateTime"}},
      {"ProjectNote", {"LastActivityDate"}},
      {"Service", {"LastModifiedDate"}},
      {"ServiceBundle", {"LastModifiedDate"}},
      {"ServiceCall", {"LastModifiedDateTime"}},
      {"Task", {"LastActivityDateTime"}},
      {"TaskNote", {"LastActivityDate"}},
      {"Ticket", {"LastActivityDate"}},
      {"TicketNote", {"LastActivityDate"}},  // the seed's "LastAcivityDate"
      {"TimeEntry", {"LastModifiedDateTime"}},
  };
  for (const auto& r : table) {
    INFO(r.entity);
    const Entity* e = Cat().Find(r.entity);
    REQUIRE(e);
    std::vector<Value> old_row(e->fields.size());
    for (bool create : {true, false}) {
      std::vector<std::pair<int, Value>> values;
      ApplyTracking(*e, create ? nullptr : &old_row, stamp, actor, &values);
      for (const char* f : r.stamped) {
        INFO(f);
        REQUIRE(Find(*e, values, f));
        CHECK(Find(*e, values, f)->s == stamp);
      }
      // Creation stamps only on create.
      for (const char* c : {"CreateDate", "CreateDateTime"})
        if (e->FindField(c)) CHECK((Find(*e, values, c) != nullptr) == create);
    }
  }
  // Ticket: the activity resource and person type move with the date.
  const Entity* ticket = Cat().Find("Ticket");
  std::vector<std::pair<int, Value>> tv;
  ApplyTracking(*ticket, nullptr, stamp, Actor{1, 7}, &tv);
  CHECK(Find(*ticket, tv, "LastActivityResourceID")->i == 7);
  CHECK(Find(*ticket, tv, "LastActivityPersonType")->i == 1);
  CHECK(Find(*ticket, tv, "CreatorResourceID")->i == 7);  // impersonated
  CHECK(Find(*ticket, tv, "ImpersonatorCreatorResourceID")->i == 1);
  CHECK(Find(*ticket, tv, "LastTrackedModificationDateTime")->s == stamp);
}

TEST_CASE("tracking: StatusLastModifiedDate moves on cost status changes only",
          "[write][tracking]") {
  const std::string stamp = "2026-11-28T10:00:00.000";
  for (const char* name : {"TicketCost", "ProjectCost", "ContractCost"}) {
    INFO(name);
    const Entity* e = Cat().Find(name);
    int status = e->FieldIndex("Status");
    std::vector<Value> old_row(e->fields.size());
    old_row[status] = Value::Int(1);
    // Create: the first status is stamped.
    std::vector<std::pair<int, Value>> c = {{status, Value::Int(1)}};
    ApplyTracking(*e, nullptr, stamp, Actor{5, 0}, &c);
    CHECK(Find(*e, c, "StatusLastModifiedDate")->s == stamp);
    CHECK(Find(*e, c, "StatusLastModifiedBy")->i == 5);
    // Update of other fields, or of the same status: nothing moves.
    std::vector<std::pair<int, Value>> u = {{e->FieldIndex("Name"), Value::Text("x")}};
    ApplyTracking(*e, &old_row, stamp, Actor{5, 0}, &u);
    CHECK_FALSE(Find(*e, u, "StatusLastModifiedDate"));
    CHECK(u.size() == 1);  // no other change-tracking field on costs
    std::vector<std::pair<int, Value>> same = {{status, Value::Int(1)}};
    ApplyTracking(*e, &old_row, stamp, Actor{5, 0}, &same);
    CHECK_FALSE(Find(*e, same, "StatusLastModifiedDate"));
    // A status change does.
    std::vector<std::pair<int, Value>> change = {{status, Value::Int(2)}};
    ApplyTracking(*e, &old_row, stamp, Actor{5, 0}, &change);
    CHECK(Find(*e, change, "StatusLastModifiedDate")->s == stamp);
  }
  // A value sent for a writable tracked field wins (Opportunity.CreateDate is writable).
  const Entity* opp = Cat().Find("Opportunity");
  std::vector<std::pair<int, Value>> v = {
      {opp->FieldIndex("CreateDate"), Value::Text("2020-01-01T00:00:00.000")}};
  ApplyTracking(*opp, nullptr, stamp, Actor{5, 0}, &v);
  CHECK(Find(*opp, v, "CreateDate")->s == "2020-01-01T00:00:00.000");
}

TEST_CASE("tracking: child rows move their parents' activity", "[write][tracking]") {
  TestTenant tt;
  tt.Insert("Account", {{"AccountName", Value::Text("A")}}, 1);
  long long t1 =
      tt.Insert("Ticket", {{"AccountID", Value::Int(1)},
                           {"Title", Value::Text("a")},
                           {"LastActivityDate", Value::Text("2026-01-01T00:00:00.000")}});
  long long t2 = tt.Insert("Ticket", {{"AccountID", Value::Int(1)}, {"Title", Value::Text("b")}});
  const Entity* note = Cat().Find("TicketNote");
  const Entity* te = Cat().Find("TimeEntry");
  std::vector<Value> row(note->fields.size());
  row[note->FieldIndex("TicketID")] = Value::Int(t1);
  std::string err;
  REQUIRE(
      TouchParents(*tt.t.db, *note, nullptr, &row, "2026-11-28T10:00:00.000", Actor{9, 0}, &err));
  CHECK(tt.Get("Ticket", t1, "LastActivityDate").s == "2026-11-28T10:00:00.000");
  CHECK(tt.Get("Ticket", t1, "LastActivityResourceID").i == 9);
  CHECK(tt.Get("Ticket", t2, "LastActivityDate").is_null());
  // A time entry moved from one ticket to another: both move.
  std::vector<Value> before(te->fields.size()), after(te->fields.size());
  before[te->FieldIndex("TicketID")] = Value::Int(t1);
  after[te->FieldIndex("TicketID")] = Value::Int(t2);
  REQUIRE(
      TouchParents(*tt.t.db, *te, &before, &after, "2026-11-28T11:00:00.000", Actor{9, 0}, &err));
  CHECK(tt.Get("Ticket", t1, "LastActivityDate").s == "2026-11-28T11:00:00.000");
  CHECK(tt.Get("Ticket", t2, "LastActivityDate").s == "2026-11-28T11:00:00.000");
  // A ticket write is activity on its account; a missing parent is no error.
  const Entity* ticket = Cat().Find("Ticket");
  std::vector<Value> trow(ticket->fields.size());
  trow[ticket->FieldIndex("AccountID")] = Value::Int(1);
  REQUIRE(TouchParents(*tt.t.db, *ticket, nullptr, &trow, "2026-11-28T12:00:00.000", Actor{9, 0},
                       &err));
  CHECK(tt.Get("Account", 1, "LastActivityDate").s == "2026-11-28T12:00:00.000");
  after[te->FieldIndex("TicketID")] = Value::Int(424242);
  CHECK(TouchParents(*tt.t.db, *te, nullptr, &after, "2026-11-28T12:00:00.000", Actor{9, 0}, &err));
  // Costs are not activity of their ticket.
  const Entity* cost = Cat().Find("TicketCost");
  std::vector<Value> crow(cost->fields.size());
  crow[cost->FieldIndex("TicketID")] = Value::Int(t2);
  REQUIRE(
      TouchParents(*tt.t.db, *cost, nullptr, &crow, "2026-11-28T13:00:00.000", Actor{9, 0}, &err));
  CHECK(tt.Get("Ticket", t2, "LastActivityDate").s == "2026-11-28T11:00:00.000");
}

TEST_CASE("deletion logs: ticket and task activity, deleted tickets", "[write][tracking]") {
  TestTenant tt;
  long long ticket = tt.Insert("Ticket", {{"Title", Value::Text("Printer")},
                                          {"TicketNumber", Value::Text("T20261128.0001")}});
  long long task =
      tt.Insert("Task", {{"Title", Value::Text("Plan")}, {"TaskNumber", Value::Text("T1.1")}});
  const Entity* te = Cat().Find("TimeEntry");
  std::vector<Value> row(te->fields.size());
  row[0] = Value::Int(5);
  row[te->FieldIndex("TicketID")] = Value::Int(ticket);
  row[te->FieldIndex("ResourceID")] = Value::Int(29682801);
  row[te->FieldIndex("SummaryNotes")] = Value::Text("Replaced toner");
  row[te->FieldIndex("HoursWorked")] = Value::Real(1.25);
  row[te->FieldIndex("StartDateTime")] = Value::Text("2026-11-28T09:00:00.000");
  std::string err;
  REQUIRE(RecordDeletedActivity(*tt.t.db, *te, row, "2026-11-28T10:00:00.000", Actor{7, 0}, &err));
  REQUIRE(tt.Count("DeletedTicketActivityLog") == 1);
  auto log = tt.Row("DeletedTicketActivityLog", 1);
  const Entity* le = Cat().Find("DeletedTicketActivityLog");
  CHECK(log[le->FieldIndex("TypeID")].i == 2);
  CHECK(log[le->FieldIndex("TicketID")].i == ticket);
  CHECK(log[le->FieldIndex("TicketNumber")].s == "T20261128.0001");
  CHECK(log[le->FieldIndex("NoteOrAttachmentTitle")].s == "Replaced toner");
  CHECK(log[le->FieldIndex("CreatedByResourceID")].i == 29682801);
  CHECK(log[le->FieldIndex("HoursWorked")].d == 1.25);
  CHECK(log[le->FieldIndex("DeletedByResourceID")].i == 7);
  CHECK(log[le->FieldIndex("DeletedDateTime")].s == "2026-11-28T10:00:00.000");
  // Time on a task: the task log.
  row[te->FieldIndex("TicketID")] = Value();
  row[te->FieldIndex("TaskID")] = Value::Int(task);
  REQUIRE(RecordDeletedActivity(*tt.t.db, *te, row, "2026-11-28T10:00:01.000", Actor{7, 0}, &err));
  REQUIRE(tt.Count("DeletedTaskActivityLog") == 1);
  CHECK(tt.Get("DeletedTaskActivityLog", 1, "TaskNumber").s == "T1.1");
  // Rows that are no ticket or task activity leave no log.
  const Entity* todo = Cat().Find("AccountToDo");
  REQUIRE(RecordDeletedActivity(*tt.t.db, *todo, std::vector<Value>(todo->fields.size()),
                                "2026-11-28T10:00:02.000", Actor{7, 0}, &err));
  CHECK(tt.Count("DeletedTicketActivityLog") == 1);
  // A deleted ticket.
  REQUIRE(RecordDeletedTicket(*tt.t.db, tt.Row("Ticket", ticket), "2026-11-28T10:00:03.000",
                              Actor{7, 0}, &err));
  CHECK(tt.Get("DeletedTicketLog", 1, "TicketTitle").s == "Printer");
  CHECK(tt.Get("DeletedTicketLog", 1, "TicketNumber").s == "T20261128.0001");
}

TEST_CASE("settle: computed values wait in the queue until their time", "[write][settle]") {
  TestTenant tt;
  Tenant& t = tt.t;
  const Entity* ticket = Cat().Find("Ticket");
  const std::string stamp = "2026-11-28T10:00:00.000";
  tt.Insert("Ticket", {{"TicketNumber", Value::Text("T20261128.0007")}});
  long long id = tt.Insert("Ticket", {{"Priority", Value::Int(4)},
                                      {"ServiceLevelAgreementID", Value::Int(1)},
                                      {"CreateDate", Value::Text(stamp)},
                                      {"EstimatedHours", Value::Real(3)}});
  auto computed =
      ComputeSettled(t, *ticket, id, true, tt.Row("Ticket", id), stamp, ApiTimeZone::kEastern);
  CHECK(Find(*ticket, computed, "TicketNumber")->s == "T20261128.0008");
  // Critical + Standard SLA: 1 h / 2 h / 4 h.
  CHECK(Find(*ticket, computed, "FirstResponseDueDateTime")->s == "2026-11-28T11:00:00.000");
  CHECK(Find(*ticket, computed, "ResolutionPlanDueDateTime")->s == "2026-11-28T12:00:00.000");
  CHECK(Find(*ticket, computed, "ResolvedDueDateTime")->s == "2026-11-28T14:00:00.000");
  CHECK(Find(*ticket, computed, "HoursToBeScheduled")->d == 3);
  std::string err;
  Micros now = Utc("2026-11-28T15:00:00");
  REQUIRE(QueueSettle(t, *ticket, id, computed, now + 2000000, &err));
  // A queued number counts for the next ticket of the day.
  long long id2 = tt.Insert("Ticket", {{"Priority", Value::Int(2)}});
  auto c2 =
      ComputeSettled(t, *ticket, id2, true, tt.Row("Ticket", id2), stamp, ApiTimeZone::kEastern);
  CHECK(Find(*ticket, c2, "TicketNumber")->s == "T20261128.0009");
  CHECK_FALSE(Find(*ticket, c2, "FirstResponseDueDateTime"));  // no SLA: no due dates
  // Not yet.
  SettleDue(t, now + 1999999);
  CHECK(tt.Get("Ticket", id, "TicketNumber").is_null());
  // Now.
  SettleDue(t, now + 2000000);
  CHECK(tt.Get("Ticket", id, "TicketNumber").s == "T20261128.0008");
  CHECK(tt.Get("Ticket", id, "ResolvedDueDateTime").s == "2026-11-28T14:00:00.000");
  // Computing again changes nothing: nothing to settle.
  CHECK(ComputeSettled(t, *ticket, id, false, tt.Row("Ticket", id), stamp, ApiTimeZone::kEastern)
            .empty());
  // A dropped value never arrives.
  REQUIRE(QueueSettle(t, *ticket, id2, c2, now + 10, &err));
  REQUIRE(DropSettle(t, *ticket, id2, ticket->FieldIndex("TicketNumber"), &err));
  SettleDue(t, now + 20);
  CHECK(tt.Get("Ticket", id2, "TicketNumber").is_null());
}

TEST_CASE("settle: time entries, costs, projects", "[write][settle]") {
  TestTenant tt;
  Tenant& t = tt.t;
  const std::string stamp = "2026-11-28T10:00:00.000";
  const Entity* te = Cat().Find("TimeEntry");
  long long a = tt.Insert("TimeEntry",
                          {{"HoursWorked", Value::Real(1.5)}, {"OffsetHours", Value::Real(0.25)}});
  auto c = ComputeSettled(t, *te, a, true, tt.Row("TimeEntry", a), stamp, ApiTimeZone::kEastern);
  CHECK(Find(*te, c, "HoursToBill")->d == 1.75);
  long long b =
      tt.Insert("TimeEntry", {{"HoursWorked", Value::Real(2)}, {"NonBillable", Value::Int(1)}});
  c = ComputeSettled(t, *te, b, true, tt.Row("TimeEntry", b), stamp, ApiTimeZone::kEastern);
  CHECK(Find(*te, c, "HoursToBill")->d == 0);
  const Entity* cost = Cat().Find("TicketCost");
  long long k = tt.Insert("TicketCost", {{"UnitQuantity", Value::Real(2)},
                                         {"UnitCost", Value::Real(10)},
                                         {"UnitPrice", Value::Real(15)},
                                         {"BillableToAccount", Value::Int(1)}});
  c = ComputeSettled(t, *cost, k, true, tt.Row("TicketCost", k), stamp, ApiTimeZone::kEastern);
  CHECK(Find(*cost, c, "ExtendedCost")->d == 20);
  CHECK(Find(*cost, c, "BillableAmount")->d == 30);
  const Entity* project = Cat().Find("Project");
  long long p = tt.Insert("Project", {{"StartDateTime", Value::Text("2026-11-01T00:00:00.000")},
                                      {"EndDateTime", Value::Text("2026-11-11T00:00:00.000")}});
  c = ComputeSettled(t, *project, p, true, tt.Row("Project", p), stamp, ApiTimeZone::kEastern);
  CHECK(Find(*project, c, "ProjectNumber")->s == "P2026.0001");
  CHECK(Find(*project, c, "Duration")->i == 10);
}

TEST_CASE("picklists: Client Portal and Insource everywhere, tenant sources, the default",
          "[write][source]") {
  const Entity* ticket = Cat().Find("Ticket");
  const catalog::Field* src = ticket->FindField("Source");
  REQUIRE(src->FindPicklistValue("4"));
  CHECK(src->FindPicklistValue("4")->Label(catalog::Language::kEnglish) == "Client Portal");
  CHECK(src->FindPicklistValue("4")->is_system);
  CHECK(src->FindPicklistValue("6")->Label(catalog::Language::kEnglish) == "Insource");
  CHECK(src->FindPicklistValue("6")->is_system);

  TestTenant tt;
  Tenant& t = tt.t;
  CHECK(DefaultTicketSource(t) == 4);  // the spec's default: Client Portal
  auto defaults = [&]() {
    std::vector<std::string> d;
    for (const auto& v : TenantPicklist(t, *ticket, *src))
      if (v.is_default) d.push_back(v.value);
    return d;
  };
  CHECK(defaults() == std::vector<std::string>{"4"});
  t.settings.default_ticket_source = 6;
  CHECK(DefaultTicketSource(t) == 6);
  CHECK(defaults() == std::vector<std::string>{"6"});
  t.settings.default_ticket_source = 999;  // not a source: the tenant's own default
  CHECK(DefaultTicketSource(t) == 4);
  t.settings.default_ticket_source = 0;

  catalog::PicklistValue added;
  std::string err;
  REQUIRE(AddTenantPicklistValue(t, *ticket, *src, "  My Integration ", &added, &err));
  CHECK(added.value == "12");  // above every existing value (11 = Voice Mail)
  CHECK(added.Label(catalog::Language::kGerman) == "My Integration");
  CHECK(IsTicketSource(t, 12));
  CHECK(FindTenantPicklistValue(t, *ticket, *src, "12"));
  CHECK(TenantPicklist(t, *ticket, *src).size() == src->picklist.size() + 1);
  CHECK_FALSE(AddTenantPicklistValue(t, *ticket, *src, "my integration", &added, &err));
  CHECK(err == "Ticket.Source already has a value labelled 'My Integration' (12).");
  CHECK_FALSE(AddTenantPicklistValue(t, *ticket, *src, "Kundenportal", &added, &err));
  CHECK_FALSE(AddTenantPicklistValue(t, *ticket, *src, "   ", &added, &err));
  CHECK_FALSE(AddTenantPicklistValue(t, *ticket, *src, std::string(101, 'x'), &added, &err));
  CHECK_FALSE(AddTenantPicklistValue(t, *ticket, *ticket->FindField("Title"), "x", &added, &err));
  t.settings.default_ticket_source = 12;
  CHECK(DefaultTicketSource(t) == 12);
  CHECK(defaults() == std::vector<std::string>{"12"});
  // Stored in the tenant database: a fresh state reads it back.
  t.writes = WriteState();
  CHECK(IsTicketSource(t, 12));
}

TEST_CASE("settle: the catalog declares computed fields, never change-tracking dates",
          "[write][settle][catalog]") {
  const Entity* ticket = Cat().Find("Ticket");
  std::vector<std::string> names;
  for (int idx : ticket->settle_fields) names.push_back(ticket->fields[idx].name);
  CHECK(std::find(names.begin(), names.end(), "TicketNumber") != names.end());
  CHECK(std::find(names.begin(), names.end(), "ResolvedDueDateTime") != names.end());
  CHECK(Cat().Find("TimeEntry")->settle_fields.size() == 1);
  size_t entities = 0;
  for (const Entity& e : Cat().entities()) {
    if (!e.settle_fields.empty()) ++entities;
    for (int idx : e.settle_fields) {
      INFO(e.name << "." << e.fields[idx].name);
      REQUIRE(idx > 0);
      const std::string& n = e.fields[idx].name;
      CHECK(n.find("LastModified") == std::string::npos);
      CHECK(n.find("LastActivity") == std::string::npos);
      CHECK(n != "StatusLastModifiedDate");
    }
  }
  CHECK(entities >= 10);
}
