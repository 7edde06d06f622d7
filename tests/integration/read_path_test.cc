// The read path end to end over HTTP, with the server in-process on port 0.
#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "test_env.h"

using namespace atws;
using namespace atws::testing;

namespace {

using Mock = TestServer;

Mock& TheMock() {
  static Mock m;
  return m;
}

std::vector<long long> Ids(const std::string& body) {
  std::vector<long long> ids;
  size_t p = 0;
  while ((p = body.find("<id>", p)) != std::string::npos) {
    p += 4;
    ids.push_back(std::stoll(body.substr(p, body.find('<', p) - p)));
  }
  return ids;
}

}  // namespace

TEST_CASE("getZoneInfo hands out URLs on the host the client used", "[zones]") {
  Mock& m = TheMock();
  auto r = m.Soap(kNeutral, ZoneInfoEnvelope(kUser), "");
  REQUIRE(r.status == 200);
  std::string base = "http://127.0.0.1:" + std::to_string(m.port);
  CHECK(Between(r.body, "<URL>", "</URL>") == base + "/webservices5/ATServices/1.6/atws.asmx");
  CHECK(Between(r.body, "<WebUrl>", "</WebUrl>") == base + "/ww5/");
  CHECK(Between(r.body, "<ErrorCode>", "</ErrorCode>") == "0");
  CHECK(Between(r.body, "<CI>", "</CI>") == "29683500");
  CHECK(r.body.find("<DataBaseType/>") != std::string::npos);

  auto de = m.Soap(kNeutral, ZoneInfoEnvelope(kGermanUser), "");
  CHECK(Between(de.body, "<URL>", "</URL>") == base + "/webservices18/ATServices/1.6/atws.asmx");

  // By Host name: host-style URLs.
  auto h = HttpCall(m.port, "POST", kNeutral, ZoneInfoEnvelope(kUser),
                    {{"Host", "webservices.autotask.net:" + std::to_string(m.port)}});
  CHECK(Between(h.body, "<URL>", "</URL>") ==
        "http://webservices5.autotask.net:" + std::to_string(m.port) + "/ATServices/1.6/atws.asmx");
  CHECK(Between(h.body, "<WebUrl>", "</WebUrl>") ==
        "http://ww5.autotask.net:" + std::to_string(m.port) + "/");

  // 1.5 endpoint: the URL carries 1.5.
  auto v15 = m.Soap("/atservices/1.5/atws.asmx", ZoneInfoEnvelope(kUser, kNs15), "");
  CHECK(Between(v15.body, "<URL>", "</URL>") == base + "/webservices5/ATServices/1.5/atws.asmx");
}

TEST_CASE("getZoneInfo for an unknown user answers ErrorCode -1 without URLs", "[zones]") {
  auto r = TheMock().Soap(kNeutral, ZoneInfoEnvelope("nobody@nowhere.example"), "");
  REQUIRE(r.status == 200);
  CHECK(Between(r.body, "<ErrorCode>", "</ErrorCode>") == "-1");
  CHECK(r.body.find("<URL>") == std::string::npos);
  CHECK(Between(r.body, "<CI>", "</CI>") == "0");
}

TEST_CASE("Calls without valid credentials get 401 with the host as realm", "[auth]") {
  Mock& m = TheMock();
  std::string body =
      Envelope("<getThresholdAndUsageInfo xmlns=\"http://autotask.net/ATWS/v1_6/\"/>");
  for (auto [user, pass] : {std::pair<std::string, std::string>{"", ""},
                            {kUser, "wrong"},
                            {"nobody@example.com", kPass}}) {
    auto r = m.Soap(kZone5, body, user, pass);
    CHECK(r.status == 401);
    CHECK(r.headers["www-authenticate"] == "Basic Realm=\"127.0.0.1\"");
  }
}

TEST_CASE("A missing or unknown IntegrationCode is refused in the operation's shape", "[auth]") {
  Mock& m = TheMock();
  auto q = m.Soap(kZone5, QueryEnvelope("<queryxml><entity>Ticket</entity><query><field>id"
                                        "<expression op=\"equals\">1</expression></field>"
                                        "</query></queryxml>",
                                        ""));
  CHECK(q.status == 200);
  CHECK(Between(q.body, "<ReturnCode>", "</ReturnCode>") == "-1");
  CHECK(Between(q.body, "<Message>", "</Message>") == "IntegrationCode is invalid.");
  auto f = m.Soap(kZone5, Envelope("<GetFieldInfo xmlns=\"http://autotask.net/ATWS/v1_6/\">"
                                   "<psObjectType>Ticket</psObjectType></GetFieldInfo>",
                                   "NOT-A-CODE"));
  CHECK(f.status == 500);
  CHECK(Between(f.body, "<faultstring>", "</faultstring>") == "IntegrationCode is invalid.");
}

TEST_CASE("A user calling another zone's endpoint gets the wrong-zone error", "[zones]") {
  auto r = TheMock().Soap(kZone18, QueryEnvelope("<queryxml><entity>Ticket</entity><query><field>id"
                                                 "<expression op=\"equals\">1</expression></field>"
                                                 "</query></queryxml>"));
  CHECK(Between(r.body, "<ReturnCode>", "</ReturnCode>") == "-1");
  CHECK(r.body.find("belongs to zone 5, not to zone 18") != std::string::npos);
}

TEST_CASE("The zone-neutral endpoint serves other calls and marks them off-zone", "[zones]") {
  Mock& m = TheMock();
  auto r = m.Soap(kNeutral, Envelope("<GetWsdlVersion xmlns=\"http://autotask.net/ATWS/v1_6/\"/>"));
  CHECK(r.status == 200);
  service::JournalFilter f;
  f.operation = "GetWsdlVersion";
  auto entries = m.svc->journal().Query(f);
  REQUIRE_FALSE(entries.empty());
  CHECK(entries.back().off_zone);
  CHECK(entries.back().tenant == 29683500);
}

TEST_CASE("Paging all tickets with id > last loses and repeats nothing", "[query]") {
  Mock& m = TheMock();
  long long last = 0;
  std::set<long long> seen;
  int pages = 0;
  for (;;) {
    auto r = m.Soap(
        kZone5, QueryEnvelope("<queryxml><entity>Ticket</entity><query><field>id"
                              "<expression op=\"GreaterThan\">" +
                              std::to_string(last) + "</expression></field></query></queryxml>"));
    REQUIRE(r.status == 200);
    REQUIRE(Between(r.body, "<ReturnCode>", "</ReturnCode>") == "1");
    CHECK(Between(r.body, "<EntityResultType>", "</EntityResultType>") == "ticket");
    auto ids = Ids(r.body);
    REQUIRE(ids.size() <= 500);
    for (size_t i = 0; i < ids.size(); ++i) {
      CHECK(ids[i] > last);
      if (i) CHECK(ids[i] > ids[i - 1]);
      CHECK(seen.insert(ids[i]).second);
    }
    ++pages;
    if (ids.size() < 500) break;
    last = ids.back();
  }
  service::Tenant* t = m.svc->FindTenant(29683500);
  REQUIRE(t);
  long long count;
  {
    std::lock_guard<std::mutex> l(t->db->mutex());
    count = t->db->Count(*m.svc->catalog().Find("Ticket"));
  }
  CHECK(static_cast<long long>(seen.size()) == count);
  CHECK(count >= 1200);
  CHECK(pages >= 3);
}

TEST_CASE("Query responses follow the captured conventions", "[query][encoding]") {
  auto r = TheMock().Soap(kZone5, QueryEnvelope("<queryxml><entity>Ticket</entity><query>"
                                                "<field>id<expression op=\"greaterthan\">0"
                                                "</expression></field></query></queryxml>"));
  REQUIRE(r.status == 200);
  const std::string& b = r.body;
  CHECK(b.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope", 0) == 0);
  CHECK(b.find("<queryResponse xmlns=\"http://autotask.net/ATWS/v1_6/\">") != std::string::npos);
  std::string first = Between(b, "<Entity xsi:type=\"Ticket\">", "</Entity>");
  REQUIRE_FALSE(first.empty());
  CHECK(first.rfind("<id>", 0) == 0);  // id first, without xsi:type
  size_t udf = first.find("<UserDefinedFields");
  CHECK(udf != std::string::npos);
  CHECK(first.find("xsi:type", 0) > udf);  // the UDF block precedes the typed fields
  CHECK(first.find("<AccountID xsi:type=\"xsd:int\">") != std::string::npos);
  CHECK(first.find("<Title xsi:type=\"xsd:string\">") != std::string::npos);
  // Date-times: no offset, trailing fraction zeros trimmed.
  std::regex dt(
      "<CreateDate "
      "xsi:type=\"xsd:dateTime\">(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d*[1-9])?)</"
      "CreateDate>");
  CHECK(std::regex_search(first, dt));
  CHECK(b.find("<Errors/><EntityReturnInfoResults/>") != std::string::npos);
  // Field order follows the WSDL: AccountID before CreateDate before Title.
  CHECK(first.find("<AccountID") < first.find("<CreateDate"));
  CHECK(first.find("<CreateDate") < first.find("<Title"));
}

TEST_CASE("getThresholdAndUsageInfo counts real calls in the exact format", "[threshold]") {
  Mock& m = TheMock();
  std::string body =
      Envelope("<getThresholdAndUsageInfo xmlns=\"http://autotask.net/ATWS/v1_6/\"/>");
  std::regex fmt(
      "^ThresholdOfExternalRequest: 10000; TimeframeOfLimitation: 60; "
      "numberOfExternalRequest: (\\d+);$");
  auto count = [&]() {
    auto r = m.Soap(kZone5, body);
    std::string msg = Between(r.body, "<Message>", "</Message>");
    std::smatch sm;
    REQUIRE(std::regex_match(msg, sm, fmt));
    return std::stoll(sm[1]);
  };
  long long before = count();
  for (int i = 0; i < 3; ++i)
    m.Soap(kZone5, Envelope("<GetWsdlVersion xmlns=\"http://autotask.net/ATWS/v1_6/\"/>"));
  CHECK(count() == before + 3);
}

TEST_CASE("GetFieldInfo answers picklists in the tenant's language", "[metadata]") {
  Mock& m = TheMock();
  std::string body = Envelope(
      "<GetFieldInfo xmlns=\"http://autotask.net/ATWS/v1_6/\"><psObjectType>Ticket"
      "</psObjectType></GetFieldInfo>");
  auto en = m.Soap(kZone5, body);
  auto de = m.Soap(kZone18, body, kGermanUser);
  REQUIRE(en.status == 200);
  REQUIRE(de.status == 200);
  auto status_pick = [](const std::string& b) {
    size_t p = b.find("<Name>Status</Name>");
    return Between(b, "<Value>1</Value><Label>", "</Label>", p);
  };
  CHECK(status_pick(en.body) == "New");
  CHECK(status_pick(de.body) == "Neu");
  auto bad = m.Soap(kZone5, Envelope("<GetFieldInfo xmlns=\"http://autotask.net/ATWS/v1_6/\">"
                                     "<psObjectType>NoSuchEntity</psObjectType></GetFieldInfo>"));
  CHECK(bad.status == 500);
  CHECK(bad.body.find("<faultstring>Invalid entity type") != std::string::npos);
}

TEST_CASE("GetEntityInfo and getUDFInfo describe the tenant", "[metadata]") {
  Mock& m = TheMock();
  auto e = m.Soap(kZone5, Envelope("<GetEntityInfo xmlns=\"http://autotask.net/ATWS/v1_6/\"/>"));
  REQUIRE(e.status == 200);
  CHECK(e.body.find("<EntityInfo><Name>Ticket</Name><CanUpdate>true</CanUpdate><CanDelete>"
                    "false</CanDelete><CanCreate>true</CanCreate><CanQuery>true</CanQuery>") !=
        std::string::npos);
  size_t n = 0, p = 0;
  while ((p = e.body.find("<EntityInfo>", p)) != std::string::npos) ++n, ++p;
  CHECK(n == 167);
  auto u = m.Soap(kZone5, Envelope("<getUDFInfo xmlns=\"http://autotask.net/ATWS/v1_6/\">"
                                   "<psTable>Ticket</psTable></getUDFInfo>"));
  REQUIRE(u.status == 200);
  CHECK(u.body.find("<Name>Room Number</Name>") != std::string::npos);
}

TEST_CASE("WSDL is served at ?WSDL and .wsdl with the mock's own address", "[wsdl]") {
  Mock& m = TheMock();
  std::string base = "http://127.0.0.1:" + std::to_string(m.port);
  for (std::string target : {"/atservices/1.6/atws.asmx?WSDL", "/ATServices/1.6/atws.asmx?wsdl",
                             "/atservices/1.6/atws.wsdl"}) {
    auto r = HttpCall(m.port, "GET", target);
    INFO(target);
    REQUIRE(r.status == 200);
    CHECK(r.body.find("location=\"" + base + "/ATServices/1.6/atws.asmx\"") != std::string::npos);
  }
  auto z = HttpCall(m.port, "GET", kZone18 + "?WSDL");
  CHECK(z.body.find("location=\"" + base + "/webservices18/ATServices/1.6/atws.asmx\"") !=
        std::string::npos);
}

TEST_CASE("Malformed envelopes get a soap:Client fault and the server keeps serving", "[hostile]") {
  Mock& m = TheMock();
  for (std::string bad : {std::string("<not xml"), std::string("<a/>"),
                          std::string("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]>"
                                      "<a>&x;</a>"),
                          std::string("")}) {
    auto r = m.Soap(kZone5, bad);
    CHECK(r.status == 500);
    CHECK(r.body.find("<faultcode>soap:Client</faultcode>") != std::string::npos);
  }
  auto ok = m.Soap(kNeutral, ZoneInfoEnvelope(kUser), "");
  CHECK(ok.status == 200);
}

TEST_CASE("Admin health, tenants and journal answer JSON", "[admin]") {
  Mock& m = TheMock();
  auto h = HttpCall(m.port, "GET", "/__admin/health");
  CHECK(h.status == 200);
  CHECK(h.body.find("\"status\":\"ok\"") != std::string::npos);
  auto t = HttpCall(m.port, "GET", "/__admin/tenants");
  CHECK(t.body.find("\"id\":29683500") != std::string::npos);
  CHECK(t.body.find("\"id\":29684100") != std::string::npos);
  m.Soap(kZone5, QueryEnvelope("<queryxml><entity>Account</entity><query><field>id<expression "
                               "op=\"GreaterThan\">0</expression></field></query></queryxml>"));
  auto j = HttpCall(m.port, "GET", "/__admin/journal?tenant=29683500&operation=query&limit=1");
  CHECK(j.status == 200);
  CHECK(j.body.find("\"entity\":\"Account\"") != std::string::npos);
  CHECK(j.body.find("\"integration_code\":\"SANDBOX-INTEGRATION\"") != std::string::npos);
  auto bad = HttpCall(m.port, "GET", "/__admin/journal?tenant=abc");
  CHECK(bad.status == 400);
}
