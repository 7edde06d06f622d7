// create / update / delete over HTTP against a fresh in-process server.
#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>

#include "test_env.h"

using namespace atws;
using namespace atws::testing;

namespace {

struct WriteMock : TestServer {
  WriteMock() : TestServer(service::Options{}, 0) {}
  HttpResult Call(const std::string& inner) {
    return HttpCall(server->port(), "POST", kZone5, Envelope(inner),
                    {{"Authorization", BasicAuth(kUser, kPass)}});
  }
};

std::string Ticket(const std::string& fields) {
  return std::string("<Entity xsi:type=\"Ticket\">") + fields + "</Entity>";
}

}  // namespace

TEST_CASE("create returns the new id, fills Source and stamps, and query sees the row", "[write]") {
  WriteMock m;
  auto r = m.Call(std::string("<create xmlns=\"") + kNs + "\"><Entities>" +
                  Ticket("<AccountID>0</AccountID><Title>Printer on fire</Title><Status>1"
                         "</Status><Priority>2</Priority><DueDateTime>2026-12-01 10:00:00"
                         "</DueDateTime>") +
                  "</Entities></create>");
  REQUIRE(r.status == 200);
  REQUIRE(Between(r.body, "<ReturnCode>", "</ReturnCode>") == "1");
  std::string id = Between(r.body, "<EntityId>", "</EntityId>");
  REQUIRE_FALSE(id.empty());
  CHECK(Between(r.body, "<id>", "</id>") == id);
  CHECK(r.body.find("<DatabaseAction>None</DatabaseAction>") != std::string::npos);
  CHECK(Between(r.body, "<Source xsi:type=\"xsd:int\">", "</Source>") == "4");  // Client Portal
  auto q =
      m.Call(std::string("<query xmlns=\"") + kNs + "\"><sXML>" +
             Esc("<queryxml><entity>Ticket</entity><query><field>id<expression op=\"Equals\">" +
                 id + "</expression></field></query></queryxml>") +
             "</sXML></query>");
  CHECK(Between(q.body, "<Title xsi:type=\"xsd:string\">", "</Title>") == "Printer on fire");
  CHECK_FALSE(Between(q.body, "<LastActivityDate xsi:type=\"xsd:dateTime\">", "<").empty());
}

TEST_CASE("A call whose entities are all or partly rejected changes nothing", "[write]") {
  WriteMock m;
  auto before = m.Call(std::string("<query xmlns=\"") + kNs + "\"><sXML>" +
                       Esc("<queryxml><entity>Ticket</entity><query><field>Title<expression "
                           "op=\"Equals\">atomic test</expression></field></query></queryxml>") +
                       "</sXML></query>");
  CHECK(before.body.find("<Entity ") == std::string::npos);
  auto r = m.Call(std::string("<create xmlns=\"") + kNs + "\"><Entities>" +
                  Ticket("<AccountID>0</AccountID><Title>atomic test</Title><Status>1</Status>"
                         "<Priority>2</Priority>") +
                  Ticket("<AccountID>0</AccountID><Title>atomic test</Title><Status>999</Status>"
                         "<Priority>2</Priority>") +
                  Ticket("<Title>atomic test</Title><Status>1</Status><Priority>2</Priority>") +
                  "</Entities></create>");
  CHECK(Between(r.body, "<ReturnCode>", "</ReturnCode>") == "-1");
  CHECK(r.body.find("record number [1]. Value 999 is not a valid picklist value for field "
                    "Status.") != std::string::npos);
  CHECK(r.body.find("record number [2]. Required field AccountID is missing.") !=
        std::string::npos);
  CHECK(r.body.find("record number [0]") == std::string::npos);
  auto after = m.Call(std::string("<query xmlns=\"") + kNs + "\"><sXML>" +
                      Esc("<queryxml><entity>Ticket</entity><query><field>Title<expression "
                          "op=\"Equals\">atomic test</expression></field></query></queryxml>") +
                      "</sXML></query>");
  CHECK(after.body.find("<Entity ") == std::string::npos);
}

TEST_CASE("Validation names the rule each refused entity broke", "[write]") {
  WriteMock m;
  struct Case {
    std::string fields;
    std::string message;
  } cases[] = {
      {"<AccountID>0</AccountID><Title>x</Title><Status>1</Status><Priority>abc</Priority>",
       "Value 'abc' is not valid for field Priority of type integer."},
      {"<AccountID>999999999</AccountID><Title>x</Title><Status>1</Status><Priority>2</Priority>",
       "Field AccountID refers to Account 999999999, which does not exist."},
      {"<AccountID>0</AccountID><Title>" + std::string(300, 'x') +
           "</Title><Status>1</Status><Priority>2</Priority>",
       "Field Title is longer than its maximum of 255 characters (300)."},
      {"<AccountID>0</AccountID><Title>x</Title><Status>1</Status><Priority>2</Priority>"
       "<NoSuchField>1</NoSuchField>",
       "Unable to find field NoSuchField in the Ticket entity."},
      {"<AccountID>0</AccountID><Title>x</Title><Status>1</Status><Priority>2</Priority>"
       "<DueDateTime>2026-03-08T02:30:00</DueDateTime>",
       "does not exist in the API time zone"},
  };
  for (const auto& c : cases) {
    auto r = m.Call(std::string("<create xmlns=\"") + kNs + "\"><Entities>" + Ticket(c.fields) +
                    "</Entities></create>");
    INFO(c.message);
    CHECK(Between(r.body, "<ReturnCode>", "</ReturnCode>") == "-1");
    CHECK(r.body.find(c.message) != std::string::npos);
  }
}

TEST_CASE("update changes only the fields sent, delete is refused where the API refuses it",
          "[write]") {
  WriteMock m;
  auto c = m.Call(std::string("<create xmlns=\"") + kNs + "\"><Entities>" +
                  Ticket("<AccountID>0</AccountID><Title>before</Title><Status>1</Status>"
                         "<Priority>2</Priority><Description>keep me</Description>") +
                  "</Entities></create>");
  std::string id = Between(c.body, "<EntityId>", "</EntityId>");
  REQUIRE_FALSE(id.empty());
  auto u = m.Call(std::string("<update xmlns=\"") + kNs + "\"><Entities>" +
                  Ticket("<id>" + id + "</id><Title>after</Title>") + "</Entities></update>");
  REQUIRE(Between(u.body, "<ReturnCode>", "</ReturnCode>") == "1");
  CHECK(Between(u.body, "<Title xsi:type=\"xsd:string\">", "</Title>") == "after");
  CHECK(Between(u.body, "<Description xsi:type=\"xsd:string\">", "</Description>") == "keep me");
  auto d = m.Call(std::string("<delete xmlns=\"") + kNs + "\"><Entities>" +
                  Ticket("<id>" + id + "</id>") + "</Entities></delete>");
  CHECK(Between(d.body, "<ReturnCode>", "</ReturnCode>") == "-1");
  CHECK(d.body.find("The Ticket entity cannot be deleted.") != std::string::npos);
  auto many = std::string("<create xmlns=\"") + kNs + "\"><Entities>";
  for (int i = 0; i < 201; ++i)
    many +=
        Ticket("<AccountID>0</AccountID><Title>x</Title><Status>1</Status><Priority>2</Priority>");
  auto big = m.Call(many + "</Entities></create>");
  CHECK(big.body.find("at most 200 entities") != std::string::npos);
}

// ------------------------------------------------------------------------------------------
// Settle, Source, UDF entities, change tracking (docs/writes.md, docs/change-tracking.md)

namespace {

service::Tenant* Contoso(service::Service& svc) {
  for (const auto& t : svc.tenants())
    for (const auto& u : t->spec.users)
      if (u.username == kUser) return t.get();
  return nullptr;
}

service::Tenant* Beispiel(service::Service& svc) {
  for (const auto& t : svc.tenants())
    for (const auto& u : t->spec.users)
      if (u.username == kGermanUser) return t.get();
  return nullptr;
}

// The text of field `name` in the first entity of `body` ("" when absent or empty).
std::string FieldOf(const std::string& body, const std::string& name, size_t from = 0) {
  size_t p = body.find("<" + name + " ", from);
  if (p == std::string::npos) return "";
  p = body.find('>', p);
  if (body[p - 1] == '/') return "";
  return body.substr(p + 1, body.find('<', p) - p - 1);
}

bool Has(const std::string& body, const std::string& name) {
  return body.find("<" + name + " ") != std::string::npos;
}

struct Mock2 : WriteMock {
  service::Tenant& t() { return *Contoso(*svc); }
  HttpResult Create(const std::string& entities) {
    return Call(std::string("<create xmlns=\"") + kNs + "\"><Entities>" + entities +
                "</Entities></create>");
  }
  HttpResult Update(const std::string& entities) {
    return Call(std::string("<update xmlns=\"") + kNs + "\"><Entities>" + entities +
                "</Entities></update>");
  }
  HttpResult Delete(const std::string& entities) {
    return Call(std::string("<delete xmlns=\"") + kNs + "\"><Entities>" + entities +
                "</Entities></delete>");
  }
  HttpResult Query(const std::string& entity, const std::string& conditions) {
    return Call(std::string("<query xmlns=\"") + kNs + "\"><sXML>" +
                Esc("<queryxml><entity>" + entity + "</entity><query>" + conditions +
                    "</query></queryxml>") +
                "</sXML></query>");
  }
  HttpResult ById(const std::string& entity, const std::string& id) {
    return Query(entity, "<field>id<expression op=\"Equals\">" + id + "</expression></field>");
  }
  HttpResult Admin(const std::string& method, const std::string& path,
                   const std::string& body = "") {
    return HttpCall(server->port(), method, path, body, {{"Content-Type", "application/json"}});
  }
  void Set(const std::function<void(service::TenantSettings&)>& f) {
    std::lock_guard<std::mutex> l(t().db->mutex());
    f(t().settings);
  }
  void Freeze(const char* utc) { svc->clock().SetFrozen(UtcAt(utc)); }
  void Advance(long long ms) { svc->clock().Advance(ms * 1000); }
  nlohmann::json LastWritten(const std::string& op) {
    service::JournalFilter f;
    f.operation = op;
    f.limit = 1;
    auto e = svc->journal().Query(f);
    return e.empty() ? nlohmann::json() : e.back().written;
  }
};

}  // namespace

TEST_CASE("Settle: computed fields are left out of the answer and settle after the delay",
          "[write][settle]") {
  Mock2 m;
  m.Freeze("2026-11-28T15:00:00");  // 10:00 Eastern
  auto c =
      m.Create(Ticket("<AccountID>0</AccountID><Title>SLA</Title><Status>1</Status>"
                      "<Priority>4</Priority><ServiceLevelAgreementID>1"
                      "</ServiceLevelAgreementID>"));
  REQUIRE(ReturnCode(c) == "1");
  std::string id = Between(c.body, "<EntityId>", "</EntityId>");
  CHECK_FALSE(Has(c.body, "TicketNumber"));
  CHECK_FALSE(Has(c.body, "FirstResponseDueDateTime"));
  CHECK(FieldOf(c.body, "LastActivityDate") == "2026-11-28T10:00:00");  // not a settle field
  // The journal has the computed values, pending.
  auto w = m.LastWritten("create");
  REQUIRE(w.size() == 1);
  CHECK(w[0]["outcome"] == "written");
  CHECK(w[0]["id"] == std::stoll(id));
  CHECK(w[0]["fields"]["Title"] == "SLA");
  CHECK(w[0]["settle"]["state"] == "pending");
  CHECK(w[0]["settle"]["due"] == "2026-11-28T15:00:02Z");
  CHECK(w[0]["settle"]["fields"]["TicketNumber"] == "T20261128.0001");
  CHECK(w[0]["settle"]["fields"]["FirstResponseDueDateTime"] == "2026-11-28T11:00:00.000");

  auto q = m.ById("Ticket", id);
  CHECK_FALSE(Has(q.body, "TicketNumber"));
  CHECK_FALSE(Has(q.body, "ResolvedDueDateTime"));
  // A query filtering on a settle field does not find the row yet either.
  auto by_number = m.Query("Ticket",
                           "<field>TicketNumber<expression op=\"Equals\">"
                           "T20261128.0001</expression></field>");
  CHECK(by_number.body.find("<Entity ") == std::string::npos);
  m.Advance(1999);
  CHECK_FALSE(Has(m.ById("Ticket", id).body, "TicketNumber"));
  m.Advance(1);
  q = m.ById("Ticket", id);
  CHECK(FieldOf(q.body, "TicketNumber") == "T20261128.0001");
  CHECK(FieldOf(q.body, "FirstResponseDueDateTime") == "2026-11-28T11:00:00");  // Critical: 1 h
  CHECK(FieldOf(q.body, "ResolvedDueDateTime") == "2026-11-28T14:00:00");       // 4 h
  // Settling moved no change-tracking date.
  CHECK(FieldOf(q.body, "LastActivityDate") == "2026-11-28T10:00:00");

  // Update: the answer leaves them out, queries show the pre-write value until settled.
  m.Advance(60000);
  auto u = m.Update(Ticket("<id>" + id + "</id><Priority>3</Priority>"));
  REQUIRE(ReturnCode(u) == "1");
  CHECK_FALSE(Has(u.body, "TicketNumber"));
  CHECK_FALSE(Has(u.body, "FirstResponseDueDateTime"));
  CHECK(FieldOf(m.ById("Ticket", id).body, "FirstResponseDueDateTime") == "2026-11-28T11:00:00");
  m.Advance(2000);
  q = m.ById("Ticket", id);
  CHECK(FieldOf(q.body, "FirstResponseDueDateTime") == "2026-11-28T18:00:00");  // Low: 8 h
  CHECK(FieldOf(q.body, "TicketNumber") == "T20261128.0001");

  // Delay 0: queries see the values at once; the answer still leaves them out.
  m.Set([](service::TenantSettings& s) { s.settle_delay_ms = 0; });
  auto c2 =
      m.Create(Ticket("<AccountID>0</AccountID><Title>now</Title><Status>1</Status>"
                      "<Priority>2</Priority>"));
  REQUIRE(ReturnCode(c2) == "1");
  CHECK_FALSE(Has(c2.body, "TicketNumber"));
  CHECK(m.LastWritten("create")[0]["settle"]["state"] == "settled");
  CHECK(FieldOf(m.ById("Ticket", Between(c2.body, "<EntityId>", "</EntityId>")).body,
                "TicketNumber") == "T20261128.0002");
  // A number the client sends is kept.
  auto c3 =
      m.Create(Ticket("<AccountID>0</AccountID><Title>mine</Title><Status>1</Status>"
                      "<Priority>2</Priority><TicketNumber>EXT-1</TicketNumber>"));
  CHECK(FieldOf(m.ById("Ticket", Between(c3.body, "<EntityId>", "</EntityId>")).body,
                "TicketNumber") == "EXT-1");
}

TEST_CASE("A refused call is journaled entity by entity", "[write]") {
  Mock2 m;
  auto r = m.Create(Ticket("<AccountID>0</AccountID><Title>ok</Title><Status>1</Status>"
                           "<Priority>2</Priority>") +
                    Ticket("<AccountID>0</AccountID><Title>bad</Title><Status>1</Status>"
                           "<Priority>77</Priority>"));
  CHECK(ReturnCode(r) == "-1");
  auto w = m.LastWritten("create");
  REQUIRE(w.size() == 2);
  CHECK(w[0]["outcome"] == "rolled back");
  CHECK(w[1]["outcome"] == "rejected");
  CHECK(w[1]["error"] == "Value 77 is not a valid picklist value for field Priority.");
}

TEST_CASE("Ticket Source: tenant default, Client Portal and Insource, added sources",
          "[write][source]") {
  Mock2 m;
  long long tid = m.t().spec.id;
  std::string base = "/__admin/tenants/" + std::to_string(tid) + "/sources";
  auto list = nlohmann::json::parse(m.Admin("GET", base).body);
  CHECK(list["default"] == 4);
  bool portal = false, insource = false;
  for (const auto& v : list["values"]) {
    portal = portal || (v["value"] == 4 && v["label"] == "Client Portal");
    insource = insource || (v["value"] == 6 && v["label"] == "Insource");
  }
  CHECK(portal);
  CHECK(insource);
  auto de = nlohmann::json::parse(
      m.Admin("GET", "/__admin/tenants/" + std::to_string(Beispiel(*m.svc)->spec.id) + "/sources")
          .body);
  for (const auto& v : de["values"])
    if (v["value"] == 4) CHECK(v["label"] == "Kundenportal");

  auto add = m.Admin("POST", base, R"({"label": "My Integration"})");
  REQUIRE(add.status == 201);
  auto added = nlohmann::json::parse(add.body);
  CHECK(added["value"] == 12);
  CHECK(added["added"] == true);
  CHECK(m.Admin("POST", base, R"({"label": "my integration"})").status == 409);
  CHECK(m.Admin("POST", base, R"({"label": ""})").status == 400);
  CHECK(m.Admin("POST", base, R"({"name": "x"})").status == 400);
  CHECK(m.Admin("POST", "/__admin/tenants/1/sources", R"({"label": "x"})").status == 404);

  // GetFieldInfo lists it; the tenant default is the one IsDefaultValue.
  auto fi = [&]() {
    return m
        .Call(std::string("<GetFieldInfo xmlns=\"") + kNs +
              "\"><psObjectType>Ticket</psObjectType></GetFieldInfo>")
        .body;
  };
  std::string info = fi();
  size_t src = info.find("<Name>Source</Name>");
  REQUIRE(src != std::string::npos);
  std::string picks = info.substr(src, info.find("</Field>", src) - src);
  CHECK(picks.find("<Value>12</Value><Label>My Integration</Label>") != std::string::npos);
  CHECK(picks.find("<Value>4</Value><Label>Client Portal</Label><IsDefaultValue>true") !=
        std::string::npos);
  CHECK(picks.find("<Value>1</Value><Label>Phone</Label><IsDefaultValue>false") !=
        std::string::npos);

  // The integration names its source; without one the default applies.
  auto c =
      m.Create(Ticket("<AccountID>0</AccountID><Title>x</Title><Status>1</Status>"
                      "<Priority>2</Priority><Source>12</Source>"));
  REQUIRE(ReturnCode(c) == "1");
  CHECK(FieldOf(c.body, "Source") == "12");
  CHECK(ReturnCode(m.Create(Ticket("<AccountID>0</AccountID><Title>x</Title><Status>1</Status>"
                                   "<Priority>2</Priority><Source>13</Source>"))) == "-1");
  m.Set([](service::TenantSettings& s) { s.default_ticket_source = 12; });
  auto d =
      m.Create(Ticket("<AccountID>0</AccountID><Title>x</Title><Status>1</Status>"
                      "<Priority>2</Priority>"));
  CHECK(FieldOf(d.body, "Source") == "12");
  info = fi();
  src = info.find("<Name>Source</Name>");
  picks = info.substr(src, info.find("</Field>", src) - src);
  CHECK(picks.find("<Value>12</Value><Label>My Integration</Label><IsDefaultValue>true") !=
        std::string::npos);
  CHECK(picks.find("<Value>4</Value><Label>Client Portal</Label><IsDefaultValue>false") !=
        std::string::npos);
  m.Set([](service::TenantSettings& s) { s.default_ticket_source = 6; });
  CHECK(FieldOf(m.Create(Ticket("<AccountID>0</AccountID><Title>x</Title><Status>1</Status>"
                                "<Priority>2</Priority>"))
                    .body,
                "Source") == "6");
}

TEST_CASE("UDF definitions created through the API drive getUDFInfo and the UDF columns",
          "[write][udf]") {
  Mock2 m;
  auto d = m.Create(
      "<Entity xsi:type=\"UserDefinedFieldDefinition\"><Name>Integration Ref</Name>"
      "<UdfType>3</UdfType><DataType>4</DataType><Description>set by us</Description></Entity>");
  REQUIRE(ReturnCode(d) == "1");
  std::string def = Between(d.body, "<EntityId>", "</EntityId>");
  auto li = m.Create("<Entity xsi:type=\"UserDefinedFieldListItem\"><UdfFieldId>" + def +
                     "</UdfFieldId><ValueForExport>A</ValueForExport><ValueForDisplay>Alpha"
                     "</ValueForDisplay></Entity>");
  REQUIRE(ReturnCode(li) == "1");
  auto udfs = m.Call(std::string("<getUDFInfo xmlns=\"") + kNs +
                     "\"><psTable>Ticket</psTable></getUDFInfo>");
  size_t at = udfs.body.find("<Name>Integration Ref</Name>");
  REQUIRE(at != std::string::npos);
  std::string field = udfs.body.substr(at, udfs.body.find("</Field>", at) - at);
  CHECK(field.find("<IsPickList>true</IsPickList>") != std::string::npos);
  CHECK(field.find("<Value>A</Value><Label>Alpha</Label>") != std::string::npos);
  CHECK(field.find("<Description>set by us</Description>") != std::string::npos);

  auto udf = [](const std::string& v) {
    return "<UserDefinedFields><UserDefinedField><Name>Integration Ref</Name><Value>" + v +
           "</Value></UserDefinedField></UserDefinedFields>";
  };
  auto t = m.Create(Ticket(udf("A") + "<AccountID>0</AccountID><Title>udf</Title><Status>1"
                                      "</Status><Priority>2</Priority>"));
  REQUIRE(ReturnCode(t) == "1");
  CHECK(t.body.find("<Name>Integration Ref</Name><Value>A</Value>") != std::string::npos);
  auto bad = m.Create(Ticket(udf("B") + "<AccountID>0</AccountID><Title>udf</Title><Status>1"
                                        "</Status><Priority>2</Priority>"));
  CHECK(bad.body.find("Value B is not a valid list value for user-defined field Integration "
                      "Ref.") != std::string::npos);
  auto q = m.Query("Ticket",
                   "<field udf=\"true\">Integration Ref<expression op=\"Equals\">A"
                   "</expression></field>");
  CHECK(Between(q.body, "<id>", "</id>") == Between(t.body, "<EntityId>", "</EntityId>"));
  // Names are unique per entity; type and data type are fixed.
  auto dup = m.Create(
      "<Entity xsi:type=\"UserDefinedFieldDefinition\"><Name>integration ref"
      "</Name><UdfType>3</UdfType><DataType>1</DataType></Entity>");
  CHECK(dup.body.find("A user-defined field named Integration Ref already exists on Ticket.") !=
        std::string::npos);
  auto chg = m.Update("<Entity xsi:type=\"UserDefinedFieldDefinition\"><id>" + def +
                      "</id><DataType>1</DataType></Entity>");
  CHECK(chg.body.find("DataType of a user-defined field cannot be changed") != std::string::npos);
  // Deactivating it hides it from getUDFInfo.
  REQUIRE(ReturnCode(m.Update("<Entity xsi:type=\"UserDefinedFieldDefinition\"><id>" + def +
                              "</id><IsActive>false</IsActive></Entity>")) == "1");
  CHECK(m.Call(std::string("<getUDFInfo xmlns=\"") + kNs +
               "\"><psTable>Ticket</psTable></getUDFInfo>")
            .body.find("Integration Ref") == std::string::npos);
  // A refused call that created a UDF leaves no trace of it.
  auto rolled = m.Create(
      "<Entity xsi:type=\"UserDefinedFieldDefinition\"><Name>Ghost</Name><UdfType>3</UdfType>"
      "<DataType>1</DataType></Entity>" +
      Ticket("<Title>no account</Title><Status>1</Status><Priority>2</Priority>"));
  CHECK(ReturnCode(rolled) == "-1");
  CHECK(m.Call(std::string("<getUDFInfo xmlns=\"") + kNs +
               "\"><psTable>Ticket</psTable></getUDFInfo>")
            .body.find("Ghost") == std::string::npos);
  CHECK(ReturnCode(m.Create(Ticket("<AccountID>0</AccountID><Title>after</Title><Status>1</Status>"
                                   "<Priority>2</Priority>"))) == "1");
}

TEST_CASE("Change tracking: costs, child activity, deletion logs, ticket history",
          "[write][tracking]") {
  Mock2 m;
  m.Freeze("2026-11-28T15:00:00");
  auto c =
      m.Create(Ticket("<AccountID>0</AccountID><Title>tracked</Title><Status>1</Status>"
                      "<Priority>2</Priority>"));
  std::string ticket = Between(c.body, "<EntityId>", "</EntityId>");
  long long resource = m.t().spec.users.front().resource_id;
  auto activity = [&]() { return FieldOf(m.ById("Ticket", ticket).body, "LastActivityDate"); };
  CHECK(activity() == "2026-11-28T10:00:00");

  // A cost: StatusLastModifiedDate on create; other changes move nothing, not even the ticket.
  m.Advance(60000);
  auto cost = m.Create("<Entity xsi:type=\"TicketCost\"><TicketID>" + ticket +
                       "</TicketID><CostType>1</CostType><DatePurchased>2026-11-28"
                       "</DatePurchased><Name>Toner</Name><UnitQuantity>1</UnitQuantity>"
                       "</Entity>");
  REQUIRE(ReturnCode(cost) == "1");
  std::string cost_id = Between(cost.body, "<EntityId>", "</EntityId>");
  CHECK(FieldOf(cost.body, "StatusLastModifiedDate") == "2026-11-28T10:01:00");
  m.Advance(60000);
  REQUIRE(ReturnCode(m.Update("<Entity xsi:type=\"TicketCost\"><id>" + cost_id +
                              "</id><Name>Toner XL</Name></Entity>")) == "1");
  CHECK(FieldOf(m.ById("TicketCost", cost_id).body, "StatusLastModifiedDate") ==
        "2026-11-28T10:01:00");
  CHECK(activity() == "2026-11-28T10:00:00");

  // A note and a time entry are activity on the ticket.
  m.Advance(60000);
  REQUIRE(ReturnCode(m.Create("<Entity xsi:type=\"TicketNote\"><TicketID>" + ticket +
                              "</TicketID><Description>called</Description><NoteType>1</NoteType>"
                              "<Publish>1</Publish></Entity>")) == "1");
  CHECK(activity() == "2026-11-28T10:03:00");
  m.Advance(60000);
  auto te = m.Create("<Entity xsi:type=\"TimeEntry\"><TicketID>" + ticket +
                     "</TicketID><ResourceID>" + std::to_string(resource) +
                     "</ResourceID><HoursWorked>1.5</HoursWorked><SummaryNotes>Fixed"
                     "</SummaryNotes></Entity>");
  REQUIRE(ReturnCode(te) == "1");
  std::string te_id = Between(te.body, "<EntityId>", "</EntityId>");
  CHECK(FieldOf(te.body, "LastModifiedDateTime") == "2026-11-28T10:04:00");
  CHECK(FieldOf(te.body, "Type") == "2");
  CHECK(activity() == "2026-11-28T10:04:00");
  // Deleting it is activity too, and DeletedTicketActivityLog records it.
  m.Advance(60000);
  REQUIRE(ReturnCode(m.Delete("<Entity xsi:type=\"TimeEntry\"><id>" + te_id + "</id></Entity>")) ==
          "1");
  CHECK(activity() == "2026-11-28T10:05:00");
  auto log = m.Query("DeletedTicketActivityLog", "<field>TicketID<expression op=\"Equals\">" +
                                                     ticket + "</expression></field>");
  CHECK(FieldOf(log.body, "TypeID") == "2");
  CHECK(FieldOf(log.body, "NoteOrAttachmentTitle") == "Fixed");
  CHECK(FieldOf(log.body, "DeletedDateTime") == "2026-11-28T10:05:00");
  CHECK(FieldOf(log.body, "HoursWorked") == "1.5");

  // Ticket changes are history.
  m.Advance(60000);
  REQUIRE(ReturnCode(m.Update(Ticket("<id>" + ticket + "</id><Status>5</Status>"))) == "1");
  auto done = m.ById("Ticket", ticket);
  CHECK(FieldOf(done.body, "CompletedDate") == "2026-11-28T10:06:00");
  auto hist = m.Query("TicketHistory", "<field>TicketID<expression op=\"Equals\">" + ticket +
                                           "</expression></field>");
  CHECK(hist.body.find("<Action xsi:type=\"xsd:string\">Created</Action>") != std::string::npos);
  CHECK(hist.body.find("Status: New \xe2\x86\x92 Complete") != std::string::npos);

  // The admin API deletes tickets (the API cannot); DeletedTicketLog records it.
  m.Advance(60000);
  auto del =
      m.Admin("DELETE", "/__admin/tenants/" + std::to_string(m.t().spec.id) + "/tickets/" + ticket);
  REQUIRE(del.status == 200);
  CHECK(m.ById("Ticket", ticket).body.find("<Entity ") == std::string::npos);
  CHECK(m.ById("TicketCost", cost_id).body.find("<Entity ") == std::string::npos);
  auto dl = m.Query("DeletedTicketLog",
                    "<field>TicketID<expression op=\"Equals\">" + ticket + "</expression></field>");
  CHECK(FieldOf(dl.body, "TicketTitle") == "tracked");
  CHECK(FieldOf(dl.body, "DeletedDateTime") == "2026-11-28T10:07:00");
  CHECK_FALSE(FieldOf(dl.body, "TicketNumber").empty());
  CHECK(
      m.Admin("DELETE", "/__admin/tenants/" + std::to_string(m.t().spec.id) + "/tickets/" + ticket)
          .status == 404);
}
