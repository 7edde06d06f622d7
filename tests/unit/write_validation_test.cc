// Every validation rule of create / update / delete (docs/writes.md), one at a time, against a
// fake tenant (WriteLookup) so that nothing but the rule under test can refuse the entity. The
// last cases drive whole calls through Service::Handle (no HTTP) against the default data: all
// or partly refused calls, the 200-entity limit, the entity flags, read-only fields on update.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "behaviours/behaviours.h"
#include "catalog/catalog.h"
#include "common/text.h"
#include "metadata/validation.h"
#include "service/service.h"
#include "xml/xml.h"

using namespace atws;
using namespace atws::service;
using catalog::Catalog;
using catalog::Entity;
using catalog::Field;
using catalog::Flavour;
using store::Value;

namespace {

const Catalog& Cat() { return Catalog::Default(); }

// A tenant with a few rows: Account 0 and 1, Ticket 10 (IssueType 1), Contact 5, Resource 7;
// Ticket UDFs "Room" (string), "Level" (list 1/2, 3 inactive), "Score" (number), an inactive
// "Old" and, when `required_udf`, a required "Must".
struct FakeLookup : WriteLookup {
  std::set<std::pair<std::string, long long>> rows = {
      {"Account", 0}, {"Account", 1}, {"Ticket", 10}, {"Contact", 5}, {"Resource", 7}};
  std::map<std::tuple<std::string, long long, std::string>, Value> stored = {
      {{"Ticket", 10, "IssueType"}, Value::Int(1)}};
  std::vector<store::UdfDef> ticket_udfs;
  std::vector<catalog::PicklistValue> added_sources;  // tenant-added Ticket.Source values

  FakeLookup() {
    auto udf = [&](long long id, const char* name, store::UdfDataType t) {
      store::UdfDef d;
      d.id = id;
      d.name = name;
      d.data_type = t;
      d.column = "udf_" + std::to_string(id);
      d.entity_index = Cat().EntityIndex(Cat().Find("Ticket"));
      return d;
    };
    ticket_udfs.push_back(udf(1, "Room", store::UdfDataType::kString));
    auto level = udf(2, "Level", store::UdfDataType::kList);
    for (const char* v : {"1", "2", "3"}) {
      catalog::PicklistValue pv;
      pv.value = v;
      pv.labels[0] = std::string("Tier ") + v;
      pv.is_active = std::string(v) != "3";
      level.list.push_back(pv);
    }
    ticket_udfs.push_back(level);
    ticket_udfs.push_back(udf(3, "Score", store::UdfDataType::kNumber));
    auto old = udf(4, "Old", store::UdfDataType::kString);
    old.is_active = false;
    ticket_udfs.push_back(old);
    catalog::PicklistValue mine;
    mine.value = "12";
    mine.labels[0] = "My Integration";
    added_sources.push_back(mine);
  }
  bool RowExists(const Entity& e, long long id) override { return rows.count({e.name, id}) > 0; }
  Value StoredValue(const Entity& e, long long id, const Field& f) override {
    auto it = stored.find({e.name, id, f.name});
    return it == stored.end() ? Value() : it->second;
  }
  const catalog::PicklistValue* FindPicklistValue(const Entity& e, const Field& f,
                                                  std::string_view value) override {
    if (const catalog::PicklistValue* v = f.FindPicklistValue(value)) return v;
    if (e.name == "Ticket" && f.name == "Source")
      for (const auto& v : added_sources)
        if (v.value == value) return &v;
    return nullptr;
  }
  const std::vector<store::UdfDef>& Udfs(const Entity& e) override {
    static const std::vector<store::UdfDef> kNone;
    return e.name == "Ticket" ? ticket_udfs : kNone;
  }
  const store::UdfDef* FindUdfById(long long id) override {
    for (const auto& u : ticket_udfs)
      if (u.id == id) return &u;
    return nullptr;
  }
};

soap::EntityArg Arg(const std::string& type, std::vector<std::pair<std::string, std::string>> f,
                    std::vector<std::pair<std::string, std::string>> udfs = {}) {
  soap::EntityArg a;
  a.type = type;
  for (auto& [n, v] : f) {
    soap::FieldArg fa;
    fa.name = n;
    fa.text = v;
    fa.nil = v == "<nil>";
    if (fa.nil) fa.text.clear();
    a.fields.push_back(fa);
  }
  for (auto& [n, v] : udfs) {
    soap::FieldArg fa;
    fa.name = n;
    fa.text = v;
    fa.nil = v == "<nil>";
    if (fa.nil) fa.text.clear();
    a.udfs.push_back(fa);
  }
  return a;
}

// A valid new ticket, with `extra` fields added or replacing.
soap::EntityArg NewTicket(std::vector<std::pair<std::string, std::string>> extra = {}) {
  std::vector<std::pair<std::string, std::string>> f = {
      {"AccountID", "0"}, {"Title", "Printer"}, {"Status", "1"}, {"Priority", "2"}};
  for (auto& [n, v] : extra) {
    bool replaced = false;
    for (auto& p : f)
      if (p.first == n) {
        p.second = v;
        replaced = true;
      }
    if (!replaced) f.emplace_back(n, v);
  }
  return Arg("Ticket", f);
}

std::string Validate(const soap::EntityArg& a, WriteOp op = WriteOp::kCreate,
                     ValidatedEntity* out = nullptr, Flavour fl = Flavour::kCurrent) {
  static FakeLookup lookup;
  ValidatedEntity tmp;
  ValidateOptions o;
  o.op = op;
  o.flavour = fl;
  return ValidateEntity(Cat(), a, o, lookup, out ? out : &tmp);
}

const Value* Sent(const ValidatedEntity& v, const char* name) {
  int idx = v.entity->FieldIndex(name);
  for (const auto& [fi, x] : v.values)
    if (fi == idx) return &x;
  return nullptr;
}

}  // namespace

TEST_CASE("validation: a valid ticket passes and its values are converted", "[write][validation]") {
  ValidatedEntity v;
  REQUIRE(Validate(NewTicket({{"DueDateTime", "2026-12-01 10:00"}, {"EstimatedHours", "1.5"}}),
                   WriteOp::kCreate, &v) == "");
  CHECK(v.entity->name == "Ticket");
  CHECK(Sent(v, "Status")->i == 1);
  CHECK(Sent(v, "DueDateTime")->s == "2026-12-01T10:00:00.000");
  CHECK(Sent(v, "EstimatedHours")->d == 1.5);
  CHECK(v.fields["Title"] == "Printer");
}

TEST_CASE("validation: call size and record numbers", "[write][validation]") {
  CHECK(CheckCallSize(WriteOp::kCreate, 0) ==
        "No entities were sent: Entities must hold at least one Entity.");
  CHECK(CheckCallSize(WriteOp::kCreate, 200) == "");
  CHECK(CheckCallSize(WriteOp::kUpdate, 201) ==
        "A update call may carry at most 200 entities; this one carried 201.");
  CHECK(CheckCallSize(WriteOp::kCreate, 201) ==
        "A create call may carry at most 200 entities; this one carried 201.");
  CHECK(CheckCallSize(WriteOp::kDelete, 1000) ==
        "A delete call may carry at most 200 entities; this one carried 1000.");
  CHECK(RecordError(WriteOp::kUpdate, 3, "Why.") ==
        "Error updating entity for record number [3]. Why.");
  CHECK(RecordError(WriteOp::kCreate, 0, "x").rfind("Error creating entity", 0) == 0);
  CHECK(RecordError(WriteOp::kDelete, 0, "x").rfind("Error deleting entity", 0) == 0);
}

TEST_CASE("validation: entity type and the entity's flags", "[write][validation]") {
  CHECK(Validate(Arg("NoSuchThing", {})) == "Unknown entity type 'NoSuchThing'.");
  CHECK(Validate(Arg("TicketHistory", {{"TicketID", "10"}})) ==
        "The TicketHistory entity cannot be created.");
  CHECK(Validate(Arg("Ticket", {{"id", "10"}}), WriteOp::kDelete) ==
        "The Ticket entity cannot be deleted.");
  CHECK(Validate(Arg("DeletedTicketLog", {{"id", "1"}}), WriteOp::kUpdate) ==
        "The DeletedTicketLog entity cannot be updated.");
  // An entity the zone's contract does not have is unknown there.
  const Entity* newer = nullptr;
  for (const Entity& e : Cat().entities())
    if (!newer && e.can_create && e.InFlavour(Flavour::kCurrent) && !e.InFlavour(Flavour::kV2018))
      newer = &e;
  REQUIRE(newer);
  CHECK(Validate(Arg(newer->name, {}), WriteOp::kCreate, nullptr, Flavour::kV2018) ==
        "Unknown entity type '" + newer->name + "'.");
}

TEST_CASE("validation: update and delete name an existing row", "[write][validation]") {
  CHECK(Validate(Arg("Ticket", {{"Title", "x"}}), WriteOp::kUpdate) ==
        "No Ticket with id (none) exists.");
  CHECK(Validate(Arg("Ticket", {{"id", "999"}, {"Title", "x"}}), WriteOp::kUpdate) ==
        "No Ticket with id 999 exists.");
  CHECK(Validate(Arg("Ticket", {{"id", "abc"}}), WriteOp::kUpdate) ==
        "No Ticket with id abc exists.");
  ValidatedEntity v;
  CHECK(Validate(Arg("Ticket", {{"id", "10"}, {"Title", "x"}}), WriteOp::kUpdate, &v) == "");
  CHECK(v.id == 10);
  CHECK(Validate(Arg("TimeEntry", {{"id", "5"}}), WriteOp::kDelete) ==
        "No TimeEntry with id 5 exists.");
}

TEST_CASE("validation: unknown, repeated, read-only and create-only fields",
          "[write][validation]") {
  CHECK(Validate(NewTicket({{"NoSuchField", "1"}})) ==
        "Unable to find field NoSuchField in the Ticket entity.");
  // Names match ignoring ASCII case, so "title" repeats Title.
  CHECK(Validate(NewTicket({{"title", "b"}})) == "Field Title was sent more than once.");
  auto twice = NewTicket();
  twice.fields.push_back({"Title", "again", false});
  CHECK(Validate(twice) == "Field Title was sent more than once.");
  // A field of a newer contract is unknown in an older zone.
  const Entity* ticket = Cat().Find("Ticket");
  const auto& o2018 = ticket->order[static_cast<int>(Flavour::kV2018)];
  std::string newer;
  for (int idx : ticket->order[static_cast<int>(Flavour::kCurrent)])
    if (newer.empty() && std::find(o2018.begin(), o2018.end(), idx) == o2018.end())
      newer = ticket->fields[idx].name;
  REQUIRE_FALSE(newer.empty());
  CHECK(Validate(NewTicket({{newer, "1"}}), WriteOp::kCreate, nullptr, Flavour::kV2018) ==
        "Unable to find field " + newer + " in the Ticket entity.");
  // id on create and read-only fields are ignored silently.
  ValidatedEntity v;
  REQUIRE(Validate(NewTicket({{"id", "77"}, {"CreateDate", "not a date"}, {"TicketNumber", "T1"}}),
                   WriteOp::kCreate, &v) == "");
  CHECK_FALSE(Sent(v, "CreateDate"));
  CHECK(v.ignored == std::vector<std::string>{"CreateDate"});
  CHECK(Sent(v, "TicketNumber"));  // writable in the catalog
  // Read-only + required = create-only: accepted on create, ignored on update.
  ValidatedEntity c;
  REQUIRE(
      Validate(Arg("Contact",
                   {{"AccountID", "1"}, {"FirstName", "A"}, {"LastName", "B"}, {"Active", "1"}}),
               WriteOp::kCreate, &c) == "");
  CHECK(Sent(c, "AccountID")->i == 1);
  CHECK(Validate(Arg("Contact", {{"FirstName", "A"}, {"LastName", "B"}, {"Active", "1"}})) ==
        "Required field AccountID is missing.");
  ValidatedEntity u;
  REQUIRE(Validate(Arg("Contact", {{"id", "5"}, {"AccountID", "0"}}), WriteOp::kUpdate, &u) == "");
  CHECK_FALSE(Sent(u, "AccountID"));
}

TEST_CASE("validation: types and ranges", "[write][validation]") {
  CHECK(Validate(NewTicket({{"Priority", "abc"}})) ==
        "Value 'abc' is not valid for field Priority of type integer.");
  CHECK(Validate(NewTicket({{"Priority", "4294967296"}})) ==
        "Value '4294967296' is not valid for field Priority of type integer.");
  ValidatedEntity v;
  CHECK(Validate(NewTicket({{"Priority", "2.0"}}), WriteOp::kCreate, &v) == "");
  CHECK(Sent(v, "Priority")->i == 2);
  CHECK(Validate(NewTicket({{"Priority", "2.5"}})) ==
        "Value '2.5' is not valid for field Priority of type integer.");
  CHECK(Validate(NewTicket({{"EstimatedHours", "lots"}})) ==
        "Value 'lots' is not valid for field EstimatedHours of type double.");
  CHECK(Validate(NewTicket({{"EstimatedHours", "inf"}})) ==
        "Value 'inf' is not valid for field EstimatedHours of type double.");
  CHECK(Validate(Arg("Contact", {{"AccountID", "1"},
                                 {"FirstName", "A"},
                                 {"LastName", "B"},
                                 {"Active", "1"},
                                 {"Notification", "maybe"}})) ==
        "Value 'maybe' is not valid for field Notification of type boolean.");
  ValidatedEntity b;
  CHECK(Validate(Arg("Contact", {{"AccountID", "1"},
                                 {"FirstName", "A"},
                                 {"LastName", "B"},
                                 {"Active", "1"},
                                 {"Notification", "TRUE"}}),
                 WriteOp::kCreate, &b) == "");
  CHECK(Sent(b, "Notification")->i == 1);
  CHECK(Validate(NewTicket({{"DueDateTime", "2026-02-30"}})) ==
        "Value '2026-02-30' is not a valid date-time for field DueDateTime.");
  CHECK(Validate(NewTicket({{"DueDateTime", "2026-03-08T02:30:00"}})) ==
        "The date-time '2026-03-08T02:30:00' for field DueDateTime does not exist in the API time "
        "zone (daylight saving time gap).");
  CHECK(Validate(NewTicket({{"Title", std::string(256, 'x')}})) ==
        "Field Title is longer than its maximum of 255 characters (256).");
  CHECK(Validate(NewTicket({{"Title", std::string(255, 'x')}})) == "");
  CHECK(Validate(NewTicket({{"Title", std::string(200, 'x') + std::string(55, '\xc3')}})) ==
        "Field Title is not valid UTF-8 text.");
  // Multi-byte characters count once.
  std::string umlauts;
  for (int i = 0; i < 255; ++i) umlauts += "\xc3\xbc";
  CHECK(Validate(NewTicket({{"Title", umlauts}})) == "");
  // An empty value of a non-string field is null.
  ValidatedEntity e;
  CHECK(Validate(NewTicket({{"EstimatedHours", ""}}), WriteOp::kCreate, &e) == "");
  CHECK(Sent(e, "EstimatedHours")->is_null());
}

TEST_CASE("validation: required fields", "[write][validation]") {
  CHECK(Validate(Arg("Ticket", {{"Title", "x"}, {"Status", "1"}, {"Priority", "2"}})) ==
        "Required field AccountID is missing.");
  CHECK(Validate(NewTicket({{"AccountID", "<nil>"}})) == "Required field AccountID is missing.");
  CHECK(Validate(NewTicket({{"Title", "   "}})) == "Required field Title is missing.");
  CHECK(Validate(NewTicket({{"Status", ""}})) == "Required field Status is missing.");
  CHECK(Validate(Arg("Ticket", {{"id", "10"}, {"Title", "<nil>"}}), WriteOp::kUpdate) ==
        "Required field Title cannot be set to null.");
  // Update: fields left out are not required (A-UPDATE-PARTIAL).
  CHECK(Validate(Arg("Ticket", {{"id", "10"}, {"Description", "<nil>"}}), WriteOp::kUpdate) == "");
  // Source is not required: the tenant's default applies.
  CHECK(Validate(NewTicket()) == "");
}

TEST_CASE("validation: picklists, the tenant's own values and dependent picklists",
          "[write][validation]") {
  CHECK(Validate(NewTicket({{"Status", "999"}})) ==
        "Value 999 is not a valid picklist value for field Status.");
  CHECK(Validate(NewTicket({{"Status", "19"}})) ==  // "Scheduled": inactive
        "Value 19 is not a valid picklist value for field Status.");
  CHECK(Validate(NewTicket({{"Source", "6"}})) == "");   // Insource
  CHECK(Validate(NewTicket({{"Source", "12"}})) == "");  // added by the tenant
  CHECK(Validate(NewTicket({{"Source", "13"}})) ==
        "Value 13 is not a valid picklist value for field Source.");
  // Sub-issue types live under their issue type.
  CHECK(Validate(NewTicket({{"IssueType", "1"}, {"SubIssueType", "101"}})) == "");
  CHECK(Validate(NewTicket({{"IssueType", "2"}, {"SubIssueType", "101"}})) ==
        "Value 101 of field SubIssueType does not belong to IssueType 2.");
  CHECK(Validate(NewTicket({{"SubIssueType", "101"}})) ==
        "Value 101 of field SubIssueType does not belong to IssueType (none).");
  // On update the stored issue type counts (ticket 10 has IssueType 1).
  CHECK(Validate(Arg("Ticket", {{"id", "10"}, {"SubIssueType", "102"}}), WriteOp::kUpdate) == "");
  CHECK(Validate(Arg("Ticket", {{"id", "10"}, {"SubIssueType", "201"}}), WriteOp::kUpdate) ==
        "Value 201 of field SubIssueType does not belong to IssueType 1.");
  CHECK(Validate(Arg("Ticket", {{"id", "10"}, {"IssueType", "2"}, {"SubIssueType", "201"}}),
                 WriteOp::kUpdate) == "");
}

TEST_CASE("validation: references must name existing rows", "[write][validation]") {
  CHECK(Validate(NewTicket({{"AccountID", "999999999"}})) ==
        "Field AccountID refers to Account 999999999, which does not exist.");
  CHECK(Validate(NewTicket({{"ContactID", "6"}})) ==
        "Field ContactID refers to Contact 6, which does not exist.");
  CHECK(Validate(NewTicket({{"ContactID", "5"}, {"AccountID", "1"}})) == "");
  CHECK(Validate(NewTicket({{"ContactID", "<nil>"}})) == "");  // null refers to nothing
}

TEST_CASE("validation: user-defined fields", "[write][validation]") {
  auto with_udfs = [](std::vector<std::pair<std::string, std::string>> u) {
    auto a = NewTicket();
    a.udfs = Arg("Ticket", {}, u).udfs;
    return a;
  };
  ValidatedEntity v;
  REQUIRE(Validate(with_udfs({{"Room", "12B"}, {"level", "2"}, {"Score", "4.5"}}), WriteOp::kCreate,
                   &v) == "");
  REQUIRE(v.udf_values.size() == 3);
  CHECK(v.udf_values[0].first == "udf_1");
  CHECK(v.udf_values[0].second.s == "12B");
  CHECK(v.udf_values[2].second.d == 4.5);
  CHECK(Validate(with_udfs({{"Nope", "1"}})) ==
        "Unable to find user-defined field Nope in the Ticket entity.");
  CHECK(Validate(with_udfs({{"Old", "1"}})) ==  // inactive
        "Unable to find user-defined field Old in the Ticket entity.");
  CHECK(Validate(with_udfs({{"Score", "high"}})) ==
        "Value 'high' is not valid for field Score of type decimal.");
  CHECK(Validate(with_udfs({{"Level", "9"}})) ==
        "Value 9 is not a valid list value for user-defined field Level.");
  CHECK(Validate(with_udfs({{"Level", "3"}})) ==  // inactive item
        "Value 3 is not a valid list value for user-defined field Level.");
  CHECK(Validate(with_udfs({{"Room", "a"}, {"Room", "b"}})) ==
        "User-defined field Room was sent more than once.");
  CHECK(Validate(with_udfs({{"Room", std::string(8001, 'x')}})) ==
        "Field Room is longer than its maximum of 8000 characters (8001).");
}

TEST_CASE("validation: required user-defined fields and UDF defaults", "[write][validation]") {
  FakeLookup lookup;
  store::UdfDef must;
  must.id = 9;
  must.name = "Must";
  must.column = "udf_9";
  must.is_required = true;
  lookup.ticket_udfs.push_back(must);
  store::UdfDef dflt;
  dflt.id = 10;
  dflt.name = "Defaulted";
  dflt.column = "udf_10";
  dflt.default_value = "standard";
  lookup.ticket_udfs.push_back(dflt);
  ValidateOptions o;
  ValidatedEntity v;
  CHECK(ValidateEntity(Cat(), NewTicket(), o, lookup, &v) ==
        "Required user-defined field Must is missing.");
  auto a = NewTicket();
  a.udfs = Arg("Ticket", {}, {{"Must", "yes"}}).udfs;
  ValidatedEntity ok;
  REQUIRE(ValidateEntity(Cat(), a, o, lookup, &ok) == "");
  bool defaulted = false;
  for (const auto& [col, val] : ok.udf_values)
    defaulted = defaulted || (col == "udf_10" && val.s == "standard");
  CHECK(defaulted);
  o.op = WriteOp::kUpdate;
  auto u = Arg("Ticket", {{"id", "10"}}, {{"Must", "<nil>"}});
  ValidatedEntity uv;
  CHECK(ValidateEntity(Cat(), u, o, lookup, &uv) ==
        "Required user-defined field Must cannot be set to null.");
}

TEST_CASE("validation: UserDefinedFieldDefinition and UserDefinedFieldListItem rules",
          "[write][validation]") {
  FakeLookup lookup;
  lookup.rows.insert({"UserDefinedFieldDefinition", 1});
  lookup.rows.insert({"UserDefinedFieldDefinition", 2});
  ValidateOptions o;
  auto check = [&](const soap::EntityArg& a, WriteOp op,
                   const std::vector<Value>* old_row = nullptr) {
    o.op = op;
    ValidatedEntity v;
    std::string why = ValidateEntity(Cat(), a, o, lookup, &v);
    if (!why.empty()) return why;
    return ValidateUdfEntity(Cat(), v, op, lookup, old_row);
  };
  CHECK(check(Arg("UserDefinedFieldDefinition",
                  {{"Name", "Floor"}, {"UdfType", "3"}, {"DataType", "1"}}),
              WriteOp::kCreate) == "");
  CHECK(check(Arg("UserDefinedFieldDefinition",
                  {{"Name", "ROOM"}, {"UdfType", "3"}, {"DataType", "1"}}),
              WriteOp::kCreate) == "A user-defined field named Room already exists on Ticket.");
  CHECK(check(Arg("UserDefinedFieldDefinition",
                  {{"Name", "Room"}, {"UdfType", "1"}, {"DataType", "1"}}),
              WriteOp::kCreate) == "");  // another entity
  CHECK(
      check(Arg("UserDefinedFieldDefinition", {{"Name", "X"}, {"UdfType", "9"}, {"DataType", "1"}}),
            WriteOp::kCreate) == "Value 9 is not a valid picklist value for field UdfType.");
  // UdfType / DataType / IsProtected are fixed once created.
  const Entity* def = Cat().Find("UserDefinedFieldDefinition");
  std::vector<Value> old_row(def->fields.size());
  old_row[0] = Value::Int(1);
  old_row[def->FieldIndex("Name")] = Value::Text("Room");
  old_row[def->FieldIndex("UdfType")] = Value::Int(3);
  old_row[def->FieldIndex("DataType")] = Value::Int(1);
  old_row[def->FieldIndex("IsProtected")] = Value::Int(0);
  CHECK(check(Arg("UserDefinedFieldDefinition", {{"id", "1"}, {"DataType", "2"}}), WriteOp::kUpdate,
              &old_row) ==
        "DataType of a user-defined field cannot be changed after it is created.");
  CHECK(check(Arg("UserDefinedFieldDefinition", {{"id", "1"}, {"IsProtected", "true"}}),
              WriteOp::kUpdate, &old_row) ==
        "IsProtected of a user-defined field cannot be changed after it is created.");
  CHECK(check(Arg("UserDefinedFieldDefinition", {{"id", "1"}, {"Name", "Room number"}}),
              WriteOp::kUpdate, &old_row) == "");
  CHECK(check(Arg("UserDefinedFieldDefinition", {{"id", "1"}, {"Name", "level"}}), WriteOp::kUpdate,
              &old_row) == "A user-defined field named Level already exists on Ticket.");
  // List items: only under list fields, one export value once.
  CHECK(check(Arg("UserDefinedFieldListItem",
                  {{"UdfFieldId", "2"}, {"ValueForExport", "4"}, {"ValueForDisplay", "Tier 4"}}),
              WriteOp::kCreate) == "");
  CHECK(check(Arg("UserDefinedFieldListItem",
                  {{"UdfFieldId", "2"}, {"ValueForExport", "1"}, {"ValueForDisplay", "Again"}}),
              WriteOp::kCreate) ==
        "User-defined field Level already has a list item with the value 1.");
  CHECK(check(Arg("UserDefinedFieldListItem",
                  {{"UdfFieldId", "1"}, {"ValueForExport", "x"}, {"ValueForDisplay", "X"}}),
              WriteOp::kCreate) == "User-defined field Room is not a list field.");
  CHECK(check(Arg("UserDefinedFieldListItem",
                  {{"UdfFieldId", "77"}, {"ValueForExport", "x"}, {"ValueForDisplay", "X"}}),
              WriteOp::kCreate) ==
        "Field UdfFieldId refers to UserDefinedFieldDefinition 77, which does not exist.");
}

TEST_CASE("validation: ConvertValue keeps stored forms", "[write][validation]") {
  Field f;
  f.name = "F";
  Value v;
  std::string why;
  f.type = catalog::FieldType::kShort;
  CHECK_FALSE(ConvertValue(f, "40000", ApiTimeZone::kEastern, &v, &why));
  CHECK(ConvertValue(f, " 12 ", ApiTimeZone::kEastern, &v, &why));
  CHECK(v.i == 12);
  f.type = catalog::FieldType::kLong;
  CHECK(ConvertValue(f, "9000000000", ApiTimeZone::kEastern, &v, &why));
  CHECK(v.i == 9000000000LL);
  f.type = catalog::FieldType::kDateTime;
  CHECK(ConvertValue(f, "2026-03-08T02:30:00", ApiTimeZone::kUtc, &v, &why));  // no gap in UTC
  CHECK(v.s == "2026-03-08T02:30:00.000");
  CHECK(ConvertValue(f, "2026-11-01T01:30:00.25Z", ApiTimeZone::kEastern, &v, &why));
  CHECK(v.s == "2026-11-01T01:30:00.250");
}

// ---- Whole calls, through Service::Handle (no HTTP): what a refused entity does to its call.

namespace {

struct WriteCalls {
  WriteCalls() {
    xml::InitParser();
    svc = std::make_unique<Service>(Options{});
    tenant = svc->FindTenant(29683500);
    REQUIRE(tenant);
  }
  // The answer to one create/update/delete of `entities` (xsi:typed <Entity> elements).
  std::string Call(const char* op, const std::string& entities) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/webservices5/atservices/1.6/atws.asmx";
    r.host = "127.0.0.1";
    r.peer = "127.0.0.1";
    r.content_type = "text/xml; charset=utf-8";
    r.soap_action = std::string("\"http://autotask.net/ATWS/v1_6/") + op + "\"";
    r.authorization = "Basic " + Base64Encode("api@contoso.example:sandbox");
    r.body =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
        "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Header>"
        "<AutotaskIntegrations xmlns=\"http://autotask.net/ATWS/v1_6/\"><IntegrationCode>"
        "SANDBOX-INTEGRATION</IntegrationCode></AutotaskIntegrations></soap:Header><soap:Body><" +
        std::string(op) + " xmlns=\"http://autotask.net/ATWS/v1_6/\"><Entities>" + entities +
        "</Entities></" + op + "></soap:Body></soap:Envelope>";
    HttpResponse a = svc->Handle(r);
    CHECK(a.status == 200);
    return a.body;
  }
  long long Count(const char* entity) {
    std::lock_guard<std::mutex> l(tenant->db->mutex());
    return tenant->db->Count(*Cat().Find(entity));
  }
  std::unique_ptr<Service> svc;
  Tenant* tenant = nullptr;
};

std::string TicketXml(const std::string& fields) {
  return "<Entity xsi:type=\"Ticket\">" + fields + "</Entity>";
}
const char* kValid =
    "<AccountID>0</AccountID><Title>call test</Title><Status>1</Status>"
    "<Priority>2</Priority>";

size_t Occurrences(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

std::string ReturnCode(const std::string& body) {
  size_t p = body.find("<ReturnCode>");
  if (p == std::string::npos) return "";
  p += 12;
  return body.substr(p, body.find('<', p) - p);
}

}  // namespace

TEST_CASE("validation: a call whose entities are all rejected changes nothing",
          "[write][validation][call]") {
  WriteCalls c;
  const long long before = c.Count("Ticket");
  std::string a =
      c.Call("create", TicketXml("<AccountID>0</AccountID><Title>x</Title><Status>999</Status>"
                                 "<Priority>2</Priority>") +
                           TicketXml("<Title>x</Title><Status>1</Status><Priority>2</Priority>"));
  CHECK(ReturnCode(a) == "-1");
  CHECK(a.find("Error creating entity for record number [0]. Value 999 is not a valid picklist "
               "value for field Status.") != std::string::npos);
  CHECK(a.find("Error creating entity for record number [1]. Required field AccountID is "
               "missing.") != std::string::npos);
  CHECK(Occurrences(a, "<ATWSError>") == 2);
  CHECK(a.find("<EntityId>") == std::string::npos);
  CHECK(c.Count("Ticket") == before);
}

TEST_CASE("validation: a mixed call writes none of its entities and names only the refused",
          "[write][validation][call]") {
  WriteCalls c;
  const long long before = c.Count("Ticket");
  std::string a = c.Call("create", TicketXml(kValid) +
                                       TicketXml("<AccountID>0</AccountID><Title>x</Title>"
                                                 "<Status>1</Status><Priority>abc</Priority>") +
                                       TicketXml(kValid));
  CHECK(ReturnCode(a) == "-1");
  CHECK(Occurrences(a, "<ATWSError>") == 1);
  CHECK(a.find("record number [1]. Value 'abc' is not valid for field Priority of type "
               "integer.") != std::string::npos);
  CHECK(a.find("<EntityId>") == std::string::npos);  // the valid ones get no id either
  CHECK(c.Count("Ticket") == before);
  // Sent again without the refused entity, the valid ones are written.
  a = c.Call("create", TicketXml(kValid) + TicketXml(kValid));
  CHECK(ReturnCode(a) == "1");
  CHECK(Occurrences(a, "<EntityId>") == 2);
  CHECK(c.Count("Ticket") == before + 2);
}

TEST_CASE("validation: at most 200 entities per call", "[write][validation][call]") {
  WriteCalls c;
  const long long before = c.Count("Ticket");
  std::string many;
  for (int i = 0; i < 200; ++i) many += TicketXml(kValid);
  std::string a = c.Call("create", many + TicketXml(kValid));
  CHECK(ReturnCode(a) == "-1");
  CHECK(a.find("A create call may carry at most 200 entities; this one carried 201.") !=
        std::string::npos);
  CHECK(c.Count("Ticket") == before);
  a = c.Call("create", many);
  CHECK(ReturnCode(a) == "1");
  CHECK(Occurrences(a, "<EntityId>") == 200);
  CHECK(c.Count("Ticket") == before + 200);
  std::string none = c.Call("create", "");
  CHECK(none.find("No entities were sent") != std::string::npos);
}

TEST_CASE("validation: entity flags refuse create, update and delete, read-only fields ignored",
          "[write][validation][call]") {
  WriteCalls c;
  const long long tickets = c.Count("Ticket"), history = c.Count("TicketHistory");
  std::string a = c.Call("delete", "<Entity xsi:type=\"Ticket\"><id>8751</id></Entity>");
  CHECK(ReturnCode(a) == "-1");
  CHECK(a.find("Error deleting entity for record number [0]. The Ticket entity cannot be "
               "deleted.") != std::string::npos);
  CHECK(c.Count("Ticket") == tickets);
  a = c.Call("create",
             "<Entity xsi:type=\"TicketHistory\"><TicketID>8751</TicketID><Action>x</Action>"
             "</Entity>");
  CHECK(a.find("The TicketHistory entity cannot be created.") != std::string::npos);
  CHECK(c.Count("TicketHistory") == history);
  a = c.Call("update",
             "<Entity xsi:type=\"Ticket\"><id>8751</id><Title>x</Title></Entity>"
             "<Entity xsi:type=\"ResourceRole\"><id>1</id></Entity>");
  CHECK(ReturnCode(a) == "-1");
  CHECK(a.find("record number [1]. The ResourceRole entity cannot be updated.") !=
        std::string::npos);
  CHECK(a.find("record number [0]") == std::string::npos);
  // A read-only field sent with an update is ignored; the rest of the entity is written.
  a = c.Call("update",
             "<Entity xsi:type=\"Ticket\"><id>8751</id><Title>renamed</Title>"
             "<CreateDate>2001-01-01T00:00:00</CreateDate></Entity>");
  CHECK(ReturnCode(a) == "1");
  std::vector<Value> row;
  {
    std::lock_guard<std::mutex> l(c.tenant->db->mutex());
    REQUIRE(ReadRow(*c.tenant->db, *Cat().Find("Ticket"), 8751, &row));
  }
  const Entity* t = Cat().Find("Ticket");
  CHECK(row[t->FieldIndex("Title")].s == "renamed");
  CHECK(row[t->FieldIndex("CreateDate")].s.rfind("2001", 0) != 0);
}
