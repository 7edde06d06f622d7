// API users, security levels, impersonation, languages, zone flavours and API 1.5 end to end
// over HTTP, against an in-process server of its own (the admin calls here change users and
// zones, so no other test file shares it).
#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "common/timeutil.h"
#include "test_env.h"

using namespace atws;
using namespace atws::testing;

namespace {

const std::string kRestricted = "restricted@contoso.example";
const long long kLob1 = 3501, kLob2 = 3502;  // contoso's lines of business
const long long kApiResource = 29682801;     // api@contoso.example's Resource
const long long kStaffResource = 29682811;   // the first staff member

struct Mock : TestServer {
  Mock() : TestServer(service::Options{}, 4) {}
};

Mock& TheMock() {
  static Mock m;
  return m;
}

std::string Op(const std::string& inner, const std::string& ns = kNs,
               const std::string& code = kIntegrationCode) {
  return Envelope(inner, code, ns);
}

// An envelope whose AutotaskIntegrations header also carries ImpersonateAsResourceID.
std::string Impersonating(const std::string& resource, const std::string& inner,
                          const std::string& ns = kNs) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
         "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
         "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Header><AutotaskIntegrations "
         "xmlns=\"" +
         ns + "\"><IntegrationCode>SANDBOX-INTEGRATION</IntegrationCode><ImpersonateAsResourceID>" +
         resource + "</ImpersonateAsResourceID></AutotaskIntegrations></soap:Header><soap:Body>" +
         inner + "</soap:Body></soap:Envelope>";
}

size_t Rows(const HttpResult& r) { return testing::Rows(r.body); }

// UserAccessFor<kind> of one entity in a GetEntityInfo answer.
std::string Access(const std::string& body, const std::string& entity, const std::string& kind) {
  size_t p = body.find("<EntityInfo><Name>" + entity + "</Name>");
  if (p == std::string::npos) return "(absent)";
  return Between(body, "<UserAccessFor" + kind + ">", "</UserAccessFor" + kind + ">", p);
}

// Labels of a picklist field's values in a GetFieldInfo answer: value -> label.
std::map<std::string, std::string> Picklist(const std::string& body, const std::string& field) {
  std::map<std::string, std::string> out;
  size_t p = body.find("<Field><Name>" + field + "</Name>");
  if (p == std::string::npos) return out;
  size_t end = body.find("</Field>", p);
  for (size_t v = body.find("<PickListValue>", p); v != std::string::npos && v < end;
       v = body.find("<PickListValue>", v + 1))
    out[Between(body, "<Value>", "</Value>", v)] = Between(body, "<Label>", "</Label>", v);
  return out;
}

std::string FieldLabel(const std::string& body, const std::string& field) {
  size_t p = body.find("<Field><Name>" + field + "</Name>");
  return p == std::string::npos ? "" : Between(body, "<Label>", "</Label>", p);
}

std::string NowPlusHours(Mock& m, int hours) {
  Micros t = m.svc->clock().Now() + static_cast<Micros>(hours) * 3600 * 1000000;
  return FormatApiDateTime(ToLocal(t, ApiTimeZone::kEastern));
}

}  // namespace

// ------------------------------------------------------------------------ restricted users

TEST_CASE("A restricted user gets no rows, and no error, outside its line of business",
          "[users][restricted]") {
  Mock& m = TheMock();
  auto full2 = m.Soap(
      kZone5, Query("Ticket", "BusinessDivisionSubdivisionID", "Equals", std::to_string(kLob2)));
  auto restr2 = m.Soap(
      kZone5, Query("Ticket", "BusinessDivisionSubdivisionID", "Equals", std::to_string(kLob2)),
      kRestricted);
  REQUIRE(ReturnCode(full2) == "1");
  CHECK(Rows(full2) > 0);
  CHECK(ReturnCode(restr2) == "1");
  CHECK(Rows(restr2) == 0);
  CHECK(restr2.body.find("<Errors/>") != std::string::npos);

  // Its own line of business: the same rows as the full user.
  auto full1 = m.Soap(
      kZone5, Query("Ticket", "BusinessDivisionSubdivisionID", "Equals", std::to_string(kLob1)));
  auto restr1 = m.Soap(
      kZone5, Query("Ticket", "BusinessDivisionSubdivisionID", "Equals", std::to_string(kLob1)),
      kRestricted);
  CHECK(Rows(full1) > 0);
  CHECK(Rows(restr1) == Rows(full1));

  // One ticket of the other line of business, asked for by id.
  std::string id = Between(full2.body, "<id>", "</id>");
  auto one = m.Soap(kZone5, Query("Ticket", "id", "Equals", id), kRestricted);
  CHECK(ReturnCode(one) == "1");
  CHECK(Rows(one) == 0);
}

TEST_CASE("A restricted user cannot see the invoices of another line of business",
          "[users][restricted]") {
  Mock& m = TheMock();
  auto full = m.Soap(kZone5, Query("Invoice", "id", "GreaterThan", "0"));
  auto restr = m.Soap(kZone5, Query("Invoice", "id", "GreaterThan", "0"), kRestricted);
  REQUIRE(ReturnCode(full) == "1");
  REQUIRE(ReturnCode(restr) == "1");
  CHECK(Rows(full) > 0);
  CHECK(Rows(restr) > 0);
  CHECK(Rows(restr) < Rows(full));
  // The invoice's line of business is that of its billing items.
  auto items = m.Soap(kZone5, Query("BillingItem", "BusinessDivisionSubdivisionID", "Equals",
                                    std::to_string(kLob2)));
  std::string invoice = Between(items.body, "<InvoiceID xsi:type=\"xsd:int\">", "</InvoiceID>");
  REQUIRE_FALSE(invoice.empty());
  CHECK(Rows(m.Soap(kZone5, Query("Invoice", "id", "Equals", invoice))) == 1);
  auto hidden = m.Soap(kZone5, Query("Invoice", "id", "Equals", invoice), kRestricted);
  CHECK(ReturnCode(hidden) == "1");
  CHECK(Rows(hidden) == 0);
  // Billing items carry the line of business themselves.
  CHECK(Rows(m.Soap(
            kZone5,
            Query("BillingItem", "BusinessDivisionSubdivisionID", "Equals", std::to_string(kLob2)),
            kRestricted)) == 0);
}

TEST_CASE("GetEntityInfo answers UserAccessFor* per user", "[users][restricted]") {
  Mock& m = TheMock();
  std::string body = Op("<GetEntityInfo xmlns=\"" + kNs + "\"/>");
  auto full = m.Soap(kZone5, body);
  auto restr = m.Soap(kZone5, body, kRestricted);
  REQUIRE(full.status == 200);
  REQUIRE(restr.status == 200);
  CHECK(Access(full.body, "Invoice", "Query") == "All");
  CHECK(Access(full.body, "Invoice", "Update") == "All");
  CHECK(Access(full.body, "Opportunity", "Query") == "All");
  CHECK(Access(full.body, "Ticket", "Query") == "All");
  CHECK(Access(restr.body, "Invoice", "Query") == "Restricted");
  CHECK(Access(restr.body, "Invoice", "Update") == "None");
  for (const char* kind : {"Create", "Query", "Update", "Delete"})
    CHECK(Access(restr.body, "Opportunity", kind) == "None");
  CHECK(Access(restr.body, "Ticket", "Query") == "Restricted");  // by line of business
  CHECK(Access(restr.body, "Ticket", "Create") == "All");
  CHECK(Access(restr.body, "Account", "Query") == "All");  // no line of business on accounts
  // Same entity set for both.
  CHECK(Count(full.body, "<EntityInfo>") == Count(restr.body, "<EntityInfo>"));
}

TEST_CASE("Entities a restricted user has no access to: no rows on query, errors on writes",
          "[users][restricted][admin]") {
  Mock& m = TheMock();
  auto c = m.Admin("POST", "/__admin/tenants/29683500/users",
                   R"({"username": "noaccounts@contoso.example", "password": "pw-1",
                       "security_level": "api-only-restricted",
                       "integration_codes": ["SANDBOX-INTEGRATION"],
                       "entity_access": {"Account": {"query": "None", "create": "None"},
                                         "Opportunity": "None"}})");
  REQUIRE(c.status == 201);
  CHECK(c.body.find("\"security_level\":\"api-only-restricted\"") != std::string::npos);
  auto full = m.Soap(kZone5, Query("Account", "id", "GreaterThan", "0"));
  auto none = m.Soap(kZone5, Query("Account", "id", "GreaterThan", "0"),
                     "noaccounts@contoso.example", "pw-1");
  CHECK(Rows(full) > 0);
  CHECK(ReturnCode(none) == "1");
  CHECK(Rows(none) == 0);
  CHECK(none.body.find("<EntityResultType>account</EntityResultType>") != std::string::npos);

  auto create = m.Soap(kZone5,
                       Op("<create xmlns=\"" + kNs +
                          "\"><Entities><Entity xsi:type=\"Opportunity\"><Title>x</Title>"
                          "</Entity></Entities></create>"),
                       "noaccounts@contoso.example", "pw-1");
  CHECK(ReturnCode(create) == "-1");
  CHECK(Between(create.body, "<Message>", "</Message>") ==
        "Error creating entity for record number [0]. The security level of "
        "noaccounts@contoso.example does not allow you to create Opportunity entities.");

  // The default restricted user may not update invoices.
  auto inv = m.Soap(kZone5, Query("Invoice", "id", "GreaterThan", "0"), kRestricted);
  std::string id = Between(inv.body, "<id>", "</id>");
  REQUIRE_FALSE(id.empty());
  auto upd = m.Soap(kZone5,
                    Op("<update xmlns=\"" + kNs + "\"><Entities><Entity xsi:type=\"Invoice\"><id>" +
                       id + "</id><Comments>x</Comments></Entity></Entities></update>"),
                    kRestricted);
  CHECK(ReturnCode(upd) == "-1");
  CHECK(Between(upd.body, "<Message>", "</Message>").find("does not allow you to update Invoice") !=
        std::string::npos);
}

TEST_CASE("A restricted user cannot change tickets of another line of business",
          "[users][restricted]") {
  Mock& m = TheMock();
  auto other = m.Soap(
      kZone5, Query("Ticket", "BusinessDivisionSubdivisionID", "Equals", std::to_string(kLob2)));
  auto own = m.Soap(
      kZone5, Query("Ticket", "BusinessDivisionSubdivisionID", "Equals", std::to_string(kLob1)));
  std::string other_id = Between(other.body, "<id>", "</id>");
  std::string own_id = Between(own.body, "<id>", "</id>");
  REQUIRE_FALSE(other_id.empty());
  REQUIRE_FALSE(own_id.empty());
  auto update = [&](const std::string& id) {
    return m.Soap(kZone5,
                  Op("<update xmlns=\"" + kNs + "\"><Entities><Entity xsi:type=\"Ticket\"><id>" +
                     id + "</id><Title>restricted edit</Title></Entity></Entities></update>"),
                  kRestricted);
  };
  auto refused = update(other_id);
  CHECK(ReturnCode(refused) == "-1");
  CHECK(Between(refused.body, "<Message>", "</Message>") ==
        "Error updating entity for record number [0]. No Ticket with id " + other_id + " exists.");
  auto ok = update(own_id);
  CHECK(ReturnCode(ok) == "1");
}

// ------------------------------------------------------------------------ passwords, admin users

TEST_CASE("An expired password is refused with 401, judged by the service clock",
          "[users][expiry]") {
  Mock& m = TheMock();
  std::string body = Op("<GetWsdlVersion xmlns=\"" + kNs + "\"/>");
  CHECK(m.Soap(kZone5, body, "expired@contoso.example").status == 401);

  auto c = m.Admin("POST", "/__admin/tenants/29683500/users",
                   R"({"username": "soon@contoso.example", "password": "pw-2",
                       "integration_codes": ["SANDBOX-INTEGRATION"],
                       "password_expires": ")" +
                       NowPlusHours(m, 1) + "\"}");
  REQUIRE(c.status == 201);
  CHECK(c.body.find("\"password_expired\":false") != std::string::npos);
  CHECK(m.Soap(kZone5, body, "soon@contoso.example", "pw-2").status == 200);
  m.svc->clock().Advance(static_cast<Micros>(2) * 3600 * 1000000);
  auto r = m.Soap(kZone5, body, "soon@contoso.example", "pw-2");
  CHECK(r.status == 401);
  CHECK(r.headers["www-authenticate"] == "Basic Realm=\"127.0.0.1\"");
  CHECK(m.Admin("GET", "/__admin/users/soon@contoso.example")
            .body.find("\"password_expired\":true") != std::string::npos);
  m.svc->clock().Advance(-static_cast<Micros>(2) * 3600 * 1000000);
  CHECK(m.Soap(kZone5, body, "soon@contoso.example", "pw-2").status == 200);

  // The admin API renews it.
  auto put =
      m.Admin("PUT", "/__admin/users/expired%40contoso.example", R"({"password_expires": null})");
  CHECK(put.status == 200);
  CHECK(m.Soap(kZone5, body, "expired@contoso.example").status == 200);
  CHECK(m.Admin("PUT", "/__admin/users/expired@contoso.example",
                R"({"password_expires": "2026-01-01T00:00:00"})")
            .status == 200);
  CHECK(m.Soap(kZone5, body, "expired@contoso.example").status == 401);
}

TEST_CASE("Admin API creates and updates users", "[users][admin]") {
  Mock& m = TheMock();
  const std::string path = "/__admin/tenants/29683500/users";
  auto c = m.Admin("POST", path,
                   R"({"username": "Ops@Contoso.example", "password": "one",
                       "integration_codes": ["SANDBOX-INTEGRATION"], "lines_of_business": [3502]})");
  REQUIRE(c.status == 201);
  CHECK(c.body.find("\"tenant\":29683500") != std::string::npos);
  CHECK(c.body.find("\"resource_id\":" + std::to_string(kApiResource)) != std::string::npos);
  CHECK(m.Admin("POST", path, R"({"username": "ops@contoso.example", "password": "x"})").status ==
        409);
  CHECK(m.Admin("POST", path, R"({"username": "x@contoso.example", "password": "x",
                                   "lines_of_business": [9999]})")
            .status == 400);
  CHECK(m.Admin("POST", path, R"({"username": "x@contoso.example", "password": "x",
                                   "entity_access": {"Ticket": "None"}})")
            .status == 400);  // system levels cannot be edited
  CHECK(m.Admin("POST", path, R"({"username": "x@contoso.example", "password": "x",
                                   "colour": "blue"})")
            .status == 400);
  CHECK(
      m.Admin("POST", "/__admin/tenants/1/users", R"({"username": "y", "password": "x"})").status ==
      404);
  CHECK(m.Admin("POST", path, "not json").status == 400);

  // getZoneInfo knows the user at once; its line of business restricts its queries.
  auto zi = m.Soap(kNeutral,
                   Op("<getZoneInfo xmlns=\"" + kNs +
                          "\"><UserName>ops@contoso.example"
                          "</UserName></getZoneInfo>",
                      kNs, ""),
                   "");
  CHECK(Between(zi.body, "<CI>", "</CI>") == "29683500");
  auto q = m.Soap(kZone5,
                  Query("Ticket", "BusinessDivisionSubdivisionID", "Equals", std::to_string(kLob1)),
                  "ops@contoso.example", "one");
  CHECK(ReturnCode(q) == "1");
  CHECK(Rows(q) == 0);

  // Password change: the old one stops working.
  CHECK(m.Admin("PUT", "/__admin/users/ops@contoso.example", R"({"password": "two"})").status ==
        200);
  std::string body = Op("<GetWsdlVersion xmlns=\"" + kNs + "\"/>");
  CHECK(m.Soap(kZone5, body, "ops@contoso.example", "one").status == 401);
  CHECK(m.Soap(kZone5, body, "ops@contoso.example", "two").status == 200);

  // Security level: not API-only is refused on 1.6 (A-AUTH-LEVEL).
  CHECK(m.Admin("PUT", "/__admin/users/ops@contoso.example", R"({"security_level": "full-access"})")
            .status == 200);
  auto lvl = m.Soap(kZone5, body, "ops@contoso.example", "two");
  CHECK(lvl.status == 500);
  CHECK(Between(lvl.body, "<faultstring>", "</faultstring>").find("API-only") != std::string::npos);

  // Integration codes.
  CHECK(m.Admin("PUT", "/__admin/users/ops@contoso.example",
                R"({"security_level": "api-only", "integration_codes": ["OTHER-CODE"]})")
            .status == 200);
  CHECK(Between(m.Soap(kZone5, body, "ops@contoso.example", "two").body, "<faultstring>",
                "</faultstring>") == "IntegrationCode is invalid.");
  CHECK(m.Soap(kZone5, Op("<GetWsdlVersion xmlns=\"" + kNs + "\"/>", kNs, "OTHER-CODE"),
               "ops@contoso.example", "two")
            .status == 200);

  // Reading users.
  auto one = m.Admin("GET", "/__admin/users/OPS@contoso.example");
  CHECK(one.status == 200);
  CHECK(one.body.find("\"integration_codes\":[\"OTHER-CODE\"]") != std::string::npos);
  CHECK(one.body.find("password\":") == std::string::npos);  // never shown
  auto list = m.Admin("GET", path);
  CHECK(list.body.find("\"username\":\"restricted@contoso.example\"") != std::string::npos);
  CHECK(list.body.find("\"username\":\"Ops@Contoso.example\"") != std::string::npos);
  CHECK(m.Admin("GET", "/__admin/users/nobody@nowhere").status == 404);
  CHECK(m.Admin("PUT", "/__admin/users/ops@contoso.example", R"({"username": "new@x"})").status ==
        400);
  auto tenants = m.Admin("GET", "/__admin/tenants");
  CHECK(tenants.body.find("\"Ops@Contoso.example\"") != std::string::npos);
}

TEST_CASE("Users can be changed while requests use them", "[users][admin][concurrency]") {
  Mock& m = TheMock();
  REQUIRE(m.Admin("POST", "/__admin/tenants/29683500/users",
                  R"({"username": "busy@contoso.example", "password": "pw",
                      "integration_codes": ["SANDBOX-INTEGRATION"]})")
              .status == 201);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      while (!stop) {
        auto r =
            m.Soap(kZone5, Query("Account", "id", "Equals", "0"), "busy@contoso.example", "pw");
        if (r.status != 200 || ReturnCode(r) != "1") ++bad;
        ++calls;
      }
    });
  for (int i = 0; i < 60; ++i) {
    std::string codes = i % 2 ? R"(["SANDBOX-INTEGRATION", "X"])" : R"(["SANDBOX-INTEGRATION"])";
    auto r = m.Admin("PUT", "/__admin/users/busy@contoso.example",
                     "{\"integration_codes\": " + codes + "}");
    if (r.status != 200) ++bad;
  }
  stop = true;
  for (auto& t : threads) t.join();
  CHECK(bad == 0);
  CHECK(calls > 0);
}

// ------------------------------------------------------------------------ impersonation

TEST_CASE("ImpersonateAsResourceID: rows are created by the impersonated resource",
          "[users][impersonation]") {
  Mock& m = TheMock();
  auto t = m.Soap(
      kZone5, Query("Ticket", "BusinessDivisionSubdivisionID", "Equals", std::to_string(kLob1)));
  std::string ticket = Between(t.body, "<id>", "</id>");
  REQUIRE_FALSE(ticket.empty());
  std::string note = "<create xmlns=\"" + kNs +
                     "\"><Entities><Entity xsi:type=\"TicketNote\"><TicketID>" + ticket +
                     "</TicketID><Title>Called the customer</Title><Description>On the phone"
                     "</Description><NoteType>1</NoteType><Publish>1</Publish></Entity>"
                     "</Entities></create>";
  auto c = m.Soap(kZone5, Impersonating(std::to_string(kStaffResource), note));
  REQUIRE(ReturnCode(c) == "1");
  std::string id = Between(c.body, "<EntityId>", "</EntityId>");
  auto q = m.Soap(kZone5, Query("TicketNote", "id", "Equals", id));
  CHECK(Between(q.body, "<CreatorResourceID xsi:type=\"xsd:int\">", "<") ==
        std::to_string(kStaffResource));
  CHECK(Between(q.body, "<ImpersonatorCreatorResourceID xsi:type=\"xsd:int\">", "<") ==
        std::to_string(kApiResource));
  CHECK(q.body.find("<ImpersonatorUpdaterResourceID") == std::string::npos);

  // Update while impersonating: ImpersonatorUpdaterResourceID.
  auto u =
      m.Soap(kZone5, Impersonating(std::to_string(kStaffResource),
                                   "<update xmlns=\"" + kNs +
                                       "\"><Entities><Entity xsi:type=\"TicketNote\"><id>" + id +
                                       "</id><Title>Called again</Title></Entity>"
                                       "</Entities></update>"));
  REQUIRE(ReturnCode(u) == "1");
  q = m.Soap(kZone5, Query("TicketNote", "id", "Equals", id));
  CHECK(Between(q.body, "<ImpersonatorUpdaterResourceID xsi:type=\"xsd:int\">", "<") ==
        std::to_string(kApiResource));

  // Without impersonation the API user creates.
  auto plain = m.Soap(kZone5, Op(note));
  std::string plain_id = Between(plain.body, "<EntityId>", "</EntityId>");
  auto pq = m.Soap(kZone5, Query("TicketNote", "id", "Equals", plain_id));
  CHECK(Between(pq.body, "<CreatorResourceID xsi:type=\"xsd:int\">", "<") ==
        std::to_string(kApiResource));
  CHECK(pq.body.find("<ImpersonatorCreatorResourceID") == std::string::npos);

  // A header that does not parse, an unknown or an inactive resource: refused.
  auto bad = m.Soap(kZone5, Impersonating("abc", note));
  CHECK(ReturnCode(bad) == "-1");
  CHECK(Between(bad.body, "<Message>", "</Message>") ==
        "ImpersonateAsResourceID 'abc' is not a valid resource id.");
  auto unknown = m.Soap(kZone5, Impersonating("12345", note));
  CHECK(Between(unknown.body, "<Message>", "</Message>") ==
        "ImpersonateAsResourceID 12345: no resource with this id exists.");
  {
    service::Tenant* tenant = m.svc->FindTenant(kContoso);
    std::lock_guard<std::mutex> l(tenant->db->mutex());
    REQUIRE(tenant->db->Exec("UPDATE \"Resource\" SET \"Active\" = 0 WHERE id = 29682812"));
  }
  auto inactive = m.Soap(kZone5, Impersonating("29682812", note));
  CHECK(Between(inactive.body, "<Message>", "</Message>").find("inactive") != std::string::npos);
  {
    service::Tenant* tenant = m.svc->FindTenant(kContoso);
    std::lock_guard<std::mutex> l(tenant->db->mutex());
    REQUIRE(tenant->db->Exec("UPDATE \"Resource\" SET \"Active\" = 1 WHERE id = 29682812"));
  }
}

// ------------------------------------------------------------------------ languages

TEST_CASE("Tenant language drives picklist and field labels, values are the same everywhere",
          "[languages]") {
  Mock& m = TheMock();
  struct Case {
    std::string path, user, status_new, field_label, priority_medium;
  } cases[] = {
      {kZone5, kUser, "New", "Ticket Status", "Medium"},
      {kZone18, kGermanUser, "Neu", "Ticketstatus", "Mittel"},
      {kZone12, "api@ejemplo.example", "Nuevo", "Estado del ticket", "Media"},
      {kZone19, "api@exemple.example", "Nouveau", "Statut du ticket", "Moyenne"},
  };
  std::string body =
      Op("<GetFieldInfo xmlns=\"" + kNs + "\"><psObjectType>Ticket</psObjectType></GetFieldInfo>");
  std::set<std::string> value_sets;
  for (const auto& c : cases) {
    INFO(c.user);
    auto r = m.Soap(c.path, body, c.user);
    REQUIRE(r.status == 200);
    auto status = Picklist(r.body, "Status");
    REQUIRE_FALSE(status.empty());
    CHECK(status["1"] == c.status_new);
    CHECK(Picklist(r.body, "Priority")["2"] == c.priority_medium);
    CHECK(FieldLabel(r.body, "Status") == c.field_label);
    std::string values;
    for (const auto& [v, label] : status) values += v + ",";
    value_sets.insert(values);
  }
  CHECK(value_sets.size() == 1);  // same ids in every language

  // Rows hold the ids, whatever the language.
  auto es = m.Soap(kZone12, Query("Ticket", "Status", "Equals", "1"), "api@ejemplo.example");
  CHECK(ReturnCode(es) == "1");
  CHECK(Rows(es) > 0);
  CHECK(Between(es.body, "<Status xsi:type=\"xsd:int\">", "</Status>") == "1");
}

TEST_CASE("The Spanish and French tenants are in their zones", "[languages][zones]") {
  Mock& m = TheMock();
  std::string base = "http://127.0.0.1:" + std::to_string(m.port);
  for (auto [user, zone, ci] :
       {std::tuple<std::string, int, long long>{"api@ejemplo.example", 12, 29684700},
        {"api@exemple.example", 19, 29685300}}) {
    auto zi = m.Soap(
        kNeutral,
        Op("<getZoneInfo xmlns=\"" + kNs + "\"><UserName>" + user + "</UserName></getZoneInfo>",
           kNs, ""),
        "");
    CHECK(Between(zi.body, "<URL>", "</URL>") ==
          base + "/webservices" + std::to_string(zone) + "/ATServices/1.6/atws.asmx");
    CHECK(Between(zi.body, "<CI>", "</CI>") == std::to_string(ci));
  }
  auto t = m.Admin("GET", "/__admin/tenants");
  CHECK(t.body.find("\"language\":\"es\"") != std::string::npos);
  CHECK(t.body.find("\"language\":\"fr\"") != std::string::npos);
}

// ------------------------------------------------------------------------ zone flavours

TEST_CASE("Zones 5 and 18 serve different WSDLs: the localized zone lags a release",
          "[zones][wsdl]") {
  Mock& m = TheMock();
  auto w5 = HttpCall(m.port, "GET", kZone5 + "?WSDL");
  auto w18 = HttpCall(m.port, "GET", kZone18 + "?WSDL");
  REQUIRE(w5.status == 200);
  REQUIRE(w18.status == 200);
  CHECK(w5.body != w18.body);
  CHECK(w5.body.find("<s:complexType name=\"Tag\">") != std::string::npos);
  CHECK(w18.body.find("<s:complexType name=\"Tag\">") == std::string::npos);
  CHECK(w18.body.find("<s:complexType name=\"TicketRmaCredit\">") == std::string::npos);
  CHECK(w5.body.find("name=\"RmaStatus\"") != std::string::npos);
  CHECK(w18.body.find("name=\"RmaStatus\"") == std::string::npos);
  // Both are the newer contract.
  CHECK(w18.body.find("wsdl:operation name=\"IntegrationCodeCheck\"") != std::string::npos);
  CHECK(w18.body.find("name=\"UserAccessForQuery\"") != std::string::npos);

  std::string version = Op("<GetWsdlVersion xmlns=\"" + kNs + "\"/>");
  CHECK(Between(m.Soap(kZone5, version).body, "<GetWsdlVersionResult>", "<") == "1.6.8");
  CHECK(Between(m.Soap(kZone18, version, "api@beispiel.example").body, "<GetWsdlVersionResult>",
                "<") == "1.6.7");

  // The entities that exist follow the zone.
  std::string info = Op("<GetEntityInfo xmlns=\"" + kNs + "\"/>");
  auto e5 = m.Soap(kZone5, info);
  auto e18 = m.Soap(kZone18, info, kGermanUser);
  CHECK(Count(e5.body, "<EntityInfo>") == 167);
  CHECK(Count(e18.body, "<EntityInfo>") == 162);
  CHECK(e18.body.find("<Name>TagGroup</Name>") == std::string::npos);
  auto tag = m.Soap(kZone18, Query("Tag", "id", "GreaterThan", "0"), kGermanUser);
  CHECK(ReturnCode(tag) == "-1");
  CHECK(Between(tag.body, "<Message>", "</Message>") ==
        "Unable to find the entity Tag in this version of the API.");
  auto fi = m.Soap(
      kZone18,
      Op("<GetFieldInfo xmlns=\"" + kNs + "\"><psObjectType>Ticket</psObjectType></GetFieldInfo>"),
      kGermanUser);
  CHECK(fi.body.find("<Name>RmaType</Name>") == std::string::npos);
  CHECK(fi.body.find("<Name>ApiVendorID</Name>") != std::string::npos);
  auto q = m.Soap(kZone18, Query("Ticket", "id", "GreaterThan", "0"), kGermanUser);
  CHECK(Rows(q) > 0);
  CHECK(q.body.find("<RmaStatus") == std::string::npos);
}

TEST_CASE("Admin API switches a zone's flavour", "[zones][admin]") {
  Mock& m = TheMock();
  auto zones = m.Admin("GET", "/__admin/zones");
  CHECK(zones.body.find("{\"flavour\":\"localized\",\"label\":\"Deutsch (German)\"") !=
        std::string::npos);
  auto r = m.Admin("PUT", "/__admin/zones/5", R"({"flavour": "2018"})");
  REQUIRE(r.status == 200);
  CHECK(r.body.find("\"flavour\":\"2018\"") != std::string::npos);
  auto w = HttpCall(m.port, "GET", kZone5 + "?WSDL");
  CHECK(w.body.find("wsdl:operation name=\"IntegrationCodeCheck\"") == std::string::npos);
  CHECK(w.body.find("<s:complexType name=\"DeletedTicketLog\">") == std::string::npos);
  auto check = m.Soap(kZone5, Op("<IntegrationCodeCheck xmlns=\"" + kNs +
                                 "\"><userName>api@contoso.example</userName>"
                                 "</IntegrationCodeCheck>"));
  CHECK(check.status == 500);
  CHECK(Between(check.body, "<faultstring>", "</faultstring>") ==
        "Unknown operation 'IntegrationCodeCheck'.");
  auto info = m.Soap(kZone5, Op("<GetEntityInfo xmlns=\"" + kNs + "\"/>"));
  CHECK(info.body.find("<UserAccessForQuery>") == std::string::npos);
  CHECK(Count(info.body, "<EntityInfo>") == 128);
  CHECK(Between(m.Soap(kZone5, Op("<GetWsdlVersion xmlns=\"" + kNs + "\"/>")).body,
                "<GetWsdlVersionResult>", "<") == "1.6.3");

  CHECK(m.Admin("PUT", "/__admin/zones/5", R"({"flavour": "current"})").status == 200);
  auto back = m.Soap(kZone5, Op("<IntegrationCodeCheck xmlns=\"" + kNs +
                                "\"><userName>api@contoso.example</userName>"
                                "</IntegrationCodeCheck>"));
  CHECK(ReturnCode(back) == "1");
  CHECK(Between(back.body, "<IsIntegrationCodeAssociated>", "<") == "true");

  CHECK(m.Admin("PUT", "/__admin/zones/5", R"({"flavour": "1.5"})").status == 400);
  CHECK(m.Admin("PUT", "/__admin/zones/5", R"({"flavour": "2019"})").status == 400);
  CHECK(m.Admin("PUT", "/__admin/zones/7", R"({"flavour": "current"})").status == 404);
  CHECK(m.Admin("GET", "/__admin/zones/18").body.find("\"flavour\":\"localized\"") !=
        std::string::npos);
}

TEST_CASE("Admin API moves a tenant to another zone", "[zones][admin]") {
  Mock& m = TheMock();
  std::string base = "http://127.0.0.1:" + std::to_string(m.port);
  auto zone_url = [&] {
    auto zi = m.Soap(kNeutral,
                     Op("<getZoneInfo xmlns=\"" + kNs +
                            "\"><UserName>api@exemple.example</UserName></getZoneInfo>",
                        kNs, ""),
                     "");
    return Between(zi.body, "<URL>", "</URL>");
  };
  CHECK(zone_url() == base + "/webservices19/ATServices/1.6/atws.asmx");
  auto r = m.Admin("PUT", "/__admin/tenants/29685300/zone", R"({"zone": 4})");
  REQUIRE(r.status == 200);
  CHECK(r.body.find("\"zone_label\":\"UK\"") != std::string::npos);
  CHECK(zone_url() == base + "/webservices4/ATServices/1.6/atws.asmx");
  std::string body = Op("<GetWsdlVersion xmlns=\"" + kNs + "\"/>");
  auto old_zone = m.Soap(kZone19, body, "api@exemple.example");
  CHECK(old_zone.status == 500);
  CHECK(old_zone.body.find("belongs to zone 4, not to zone 19") != std::string::npos);
  CHECK(m.Soap("/webservices4/atservices/1.6/atws.asmx", body, "api@exemple.example").status ==
        200);
  CHECK(m.Admin("GET", "/__admin/tenants").body.find("\"zone\":4") != std::string::npos);
  CHECK(m.Admin("PUT", "/__admin/tenants/29685300/zone", R"({"zone": 7})").status == 400);
  CHECK(m.Admin("PUT", "/__admin/tenants/1/zone", R"({"zone": 4})").status == 404);
  CHECK(m.Admin("PUT", "/__admin/tenants/29685300/zone", R"({"zone": 19})").status == 200);
  CHECK(zone_url() == base + "/webservices19/ATServices/1.6/atws.asmx");
}

// ------------------------------------------------------------------------ API 1.5

TEST_CASE("API 1.5: the IntegrationCode is required only from users that have one",
          "[api15][users]") {
  Mock& m = TheMock();
  const std::string v15 = "/webservices19/atservices/1.5/atws.asmx";
  auto q15 = [&](const std::string& code) {
    return Query("Account", "id", "Equals", "0", code, kNs15);
  };
  // legacy@exemple.example has no code activated: 1.5 without a header works …
  auto legacy = m.Soap(v15, q15(""), "legacy@exemple.example");
  CHECK(ReturnCode(legacy) == "1");
  CHECK(legacy.body.find("<queryResponse xmlns=\"" + kNs15 + "\">") != std::string::npos);
  CHECK(Rows(legacy) == 1);
  // … but 1.6 always needs an activated code.
  auto legacy16 =
      m.Soap(kZone19, Query("Account", "id", "Equals", "0", ""), "legacy@exemple.example");
  CHECK(Between(legacy16.body, "<Message>", "</Message>") == "IntegrationCode is invalid.");
  auto legacy16code =
      m.Soap(kZone19, Query("Account", "id", "Equals", "0"), "legacy@exemple.example");
  CHECK(Between(legacy16code.body, "<Message>", "</Message>") == "IntegrationCode is invalid.");
  // A user with a code must send it on 1.5 too.
  auto missing = m.Soap(v15, q15(""), "api@exemple.example");
  CHECK(ReturnCode(missing) == "-1");
  CHECK(Between(missing.body, "<Message>", "</Message>") == "IntegrationCode is invalid.");
  auto sent = m.Soap(v15, q15("SANDBOX-INTEGRATION"), "api@exemple.example");
  CHECK(ReturnCode(sent) == "1");

  // getZoneInfo answers the version of the endpoint called.
  std::string base = "http://127.0.0.1:" + std::to_string(m.port);
  auto zi = m.Soap("/atservices/1.5/atws.asmx",
                   Op("<getZoneInfo xmlns=\"" + kNs15 +
                          "\"><UserName>legacy@exemple.example</UserName></getZoneInfo>",
                      kNs15, ""),
                   "");
  CHECK(Between(zi.body, "<URL>", "</URL>") == base + "/webservices19/ATServices/1.5/atws.asmx");
  // The 1.5 contract: its WSDL, its entity set, no IntegrationCodeCheck.
  auto w = HttpCall(m.port, "GET", v15 + "?wsdl");
  CHECK(w.body.find("targetNamespace=\"" + kNs15 + "\"") != std::string::npos);
  CHECK(w.body.find("<s:complexType name=\"TicketHistory\">") == std::string::npos);
  auto hist = m.Soap(v15, Query("TicketHistory", "id", "GreaterThan", "0", "", kNs15),
                     "legacy@exemple.example");
  CHECK(ReturnCode(hist) == "-1");
  auto version = m.Soap(v15, Op("<GetWsdlVersion xmlns=\"" + kNs15 + "\"/>", kNs15, ""),
                        "legacy@exemple.example");
  CHECK(Between(version.body, "<GetWsdlVersionResult>", "<") == "1.5.16");
  // The 1.5 contract has no impersonation: the header element is ignored there.
  auto imp = m.Soap(v15, Impersonating("abc", "<GetWsdlVersion xmlns=\"" + kNs15 + "\"/>", kNs15),
                    "api@exemple.example");
  CHECK(imp.status == 200);
  CHECK(Between(imp.body, "<GetWsdlVersionResult>", "<") == "1.5.16");
}

TEST_CASE("A tenant reset brings back its default users and zone", "[users][zones][admin]") {
  Mock m;  // its own server: the reset must not disturb the other tests
  REQUIRE(m.Admin("POST", "/__admin/tenants/29685300/users",
                  R"({"username": "temp@exemple.example", "password": "pw",
                      "integration_codes": ["SANDBOX-INTEGRATION"]})")
              .status == 201);
  REQUIRE(m.Admin("PUT", "/__admin/users/legacy@exemple.example",
                  R"({"integration_codes": ["SANDBOX-INTEGRATION"]})")
              .status == 200);
  REQUIRE(m.Admin("PUT", "/__admin/tenants/29685300/zone", R"({"zone": 4})").status == 200);
  std::string body = Op("<GetWsdlVersion xmlns=\"" + kNs + "\"/>");
  CHECK(
      m.Soap("/webservices4/atservices/1.6/atws.asmx", body, "temp@exemple.example", "pw").status ==
      200);
  REQUIRE(m.Admin("POST", "/__admin/reset?tenant=29685300").status == 200);
  CHECK(m.Soap(kZone19, body, "temp@exemple.example", "pw").status == 401);
  CHECK(m.Admin("GET", "/__admin/users/legacy@exemple.example")
            .body.find("\"integration_codes\":[]") != std::string::npos);
  CHECK(m.Soap(kZone19, body, "api@exemple.example").status == 200);
  auto list = m.Admin("GET", "/__admin/tenants/29685300/users");
  CHECK(list.body.find("temp@exemple.example") == std::string::npos);
  CHECK(list.body.find("api@exemple.example") != std::string::npos);
}
