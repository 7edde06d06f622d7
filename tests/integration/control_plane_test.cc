// The control plane end to end (issue 4): every admin endpoint driven over HTTP and its effect
// proved through the SOAP API, fault injection (every action, count, seeded probability, the
// journal), fixture sets, the tenant language, the start-up configuration file and the journal
// persisted in SQLite across a restart. Servers of their own (faults and the clock would
// disturb other tests), put back with POST /__admin/reset between test cases.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "control/admin.h"
#include "control/config.h"
#include "service/service.h"
#include "test_env.h"

using namespace atws;
using namespace atws::testing;
using nlohmann::json;
using Steady = std::chrono::steady_clock;

namespace {

std::string TicketQuery() { return Query("Ticket", "id", "lessthan", "29683520"); }
std::string AccountQuery() { return Query("Account", "id", "greaterthan", "0"); }
std::string WsdlVersion() { return Envelope("<GetWsdlVersion xmlns=\"" + kNs + "\"/>"); }
std::string FieldInfo(const std::string& entity) {
  return Envelope("<GetFieldInfo xmlns=\"" + kNs + "\"><psObjectType>" + entity +
                  "</psObjectType></GetFieldInfo>");
}
std::string Usage() { return Envelope("<getThresholdAndUsageInfo xmlns=\"" + kNs + "\"/>"); }
std::string CreateTicket(const std::string& title) {
  return Envelope("<create xmlns=\"" + kNs +
                  "\"><Entities><Entity xsi:type=\"Ticket\"><AccountID>0</AccountID><Title>" +
                  title +
                  "</Title><Status>1</Status><Priority>2</Priority></Entity></Entities></create>");
}

struct ControlMock : TestServer {
  explicit ControlMock(service::Options o = {}, int threads = 2)
      : TestServer(std::move(o), threads) {}
  HttpResult Call(const std::string& envelope, const std::string& user = kUser,
                  const std::string& pass = kPass, const std::string& path = kZone5) const {
    return Soap(path, envelope, user, pass);
  }
  // An admin call whose answer is JSON; REQUIREs `want` as its status (0: any).
  json AdminJson(const std::string& method, const std::string& path, const std::string& body = "",
                 int want = 200) const {
    HttpResult r = Admin(method, path, body);
    INFO(method << " " << path << " " << body << " -> " << r.status << " " << r.body);
    if (want) REQUIRE(r.status == want);
    json j = json::parse(r.body, nullptr, false);
    return j.is_discarded() ? json{{"unparsed", r.body}} : j;
  }
  void Reset() const { AdminJson("POST", "/__admin/reset"); }
  std::vector<json> Journal(const std::string& query) const {
    json j = AdminJson("GET", "/__admin/journal" + query);
    return std::vector<json>(j.begin(), j.end());
  }
};

ControlMock& M() {
  static ControlMock m;
  return m;
}

// One keep-alive exchange over an open socket, with when each piece of the answer arrived.
struct Timed {
  int status = 0;
  std::string body;
  std::vector<long long> arrivals_ms;  // of the body's bytes, per recv()
  long long head_ms = -1;              // when the blank line after the headers arrived
  bool closed = false;                 // the server closed the connection
};

Timed Exchange(int fd, uint16_t port, const std::string& path, const std::string& body,
               const std::string& auth) {
  std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nContent-Type: text/xml; charset=utf-8\r\nAuthorization: " + auth +
                    "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  Timed t;
  auto t0 = Steady::now();
  std::string raw;
  size_t head_end = std::string::npos, length = std::string::npos;
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      t.closed = true;
      break;
    }
    long long ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t0).count();
    raw.append(buf, static_cast<size_t>(n));
    if (head_end == std::string::npos) {
      head_end = raw.find("\r\n\r\n");
      if (head_end == std::string::npos) continue;
      t.head_ms = ms;
      t.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
      length = ContentLength(raw.substr(0, head_end));
      if (raw.size() > head_end + 4) t.arrivals_ms.push_back(ms);
    } else {
      t.arrivals_ms.push_back(ms);
    }
    if (length != std::string::npos && raw.size() >= head_end + 4 + length) break;
  }
  if (head_end != std::string::npos) t.body = raw.substr(head_end + 4);
  return t;
}

std::string TempDir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() /
             ("atws_control_" + tag + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace

// ---------------------------------------------------------------------------------- faults

TEST_CASE("A fault rule fails the next matching calls, count times, and only those",
          "[control][faults]") {
  auto& m = M();
  m.Reset();
  json rule = m.AdminJson("POST", "/__admin/faults",
                          R"({"operation": "query", "entity": "ticket", "tenant": 29683500,
                              "action": "soap_fault", "message": "Injected for the test",
                              "count": 2})",
                          201);
  const std::string id = rule["id"];
  CHECK(rule["match"]["entity"] == "Ticket");  // canonical spelling
  CHECK(rule["remaining"] == 2);

  // Another entity, another operation, another tenant: untouched.
  CHECK(ReturnCode(m.Call(AccountQuery())) == "1");
  CHECK(m.Call(WsdlVersion()).status == 200);
  CHECK(ReturnCode(
            m.Call(Query("Ticket", "id", "greaterthan", "0"), kGermanUser, kPass, kZone18)) == "1");

  for (int i = 0; i < 2; ++i) {
    HttpResult r = m.Call(TicketQuery());
    INFO(r.body);
    CHECK(r.status == 500);
    CHECK(Between(r.body, "<faultstring>", "</faultstring>") == "Injected for the test");
  }
  HttpResult ok = m.Call(TicketQuery());
  CHECK(ok.status == 200);
  CHECK(ReturnCode(ok) == "1");

  json listed = m.AdminJson("GET", "/__admin/faults/" + id);
  CHECK(listed["hits"] == 2);
  CHECK(listed["remaining"] == 0);
  CHECK(listed["expired"] == true);
  CHECK(listed["matched"] == 2);

  // The journal names the fault and its action for the failed calls only.
  auto faulted = m.Journal("?fault=" + id);
  REQUIRE(faulted.size() == 2);
  for (const auto& e : faulted) {
    CHECK(e["fault"]["id"] == id);
    CHECK(e["fault"]["action"] == "soap_fault");
    CHECK(e["http_status"] == 500);
    CHECK(e["entity"] == "Ticket");
    CHECK(e["tenant"] == kContoso);
  }
  CHECK(m.Journal("?fault=any").size() == 2);
  auto queries = m.Journal("?operation=query&tenant=29683500");
  REQUIRE(queries.size() == 4);
  CHECK_FALSE(queries.back().contains("fault"));
}

TEST_CASE("Every fault action answers as documented", "[control][faults]") {
  auto& m = M();
  m.Reset();
  auto add = [&](const json& j) { return m.AdminJson("POST", "/__admin/faults", j.dump(), 201); };

  SECTION("http_500: a plain-text HTTP 500") {
    add({{"operation", "GetWsdlVersion"}, {"action", "http_500"}, {"count", 1}});
    HttpResult r = m.Call(WsdlVersion());
    CHECK(r.status == 500);
    CHECK(r.headers["content-type"].rfind("text/plain", 0) == 0);
    CHECK(r.body.find("500 - Internal server error.") == 0);
    CHECK(r.body.find("soap:") == std::string::npos);
  }
  SECTION("atws_error: ReturnCode -1 where the operation has an ATWSResponse") {
    add({{"operation", "query"}, {"action", "atws_error"}, {"message", "Try later."}});
    HttpResult r = m.Call(AccountQuery());
    CHECK(r.status == 200);
    CHECK(ReturnCode(r) == "-1");
    CHECK(Between(r.body, "<Message>", "</Message>") == "Try later.");
    CHECK(Between(r.body, "<EntityResultType>", "</EntityResultType>") == "account");
  }
  SECTION("atws_error: a soap:Fault where the operation has none") {
    add({{"operation", "GetFieldInfo"}, {"action", "atws_error"}, {"message", "No metadata."}});
    HttpResult r = m.Call(FieldInfo("Ticket"));
    CHECK(r.status == 500);
    CHECK(Between(r.body, "<faultstring>", "</faultstring>") == "No metadata.");
  }
  SECTION("drop: the connection closes without an answer") {
    add({{"operation", "getZoneInfo"},
         {"user", "API@contoso.example"},
         {"action", "drop"},
         {"count", 1}});
    HttpResult other = m.Call(ZoneInfoEnvelope(kGermanUser), "", "", kNeutral);
    CHECK(other.status == 200);  // another user's tenant
    HttpResult r = m.Call(ZoneInfoEnvelope(kUser), "", "", kNeutral);
    CHECK(r.status == 0);
    CHECK(r.body.empty());
    CHECK(m.Call(ZoneInfoEnvelope(kUser), "", "", kNeutral).status == 200);  // count 1: once
    auto j = m.Journal("?fault=any");
    REQUIRE(j.size() == 1);
    CHECK(j[0]["http_status"] == 0);
    CHECK(j[0]["fault"]["action"] == "drop");
    CHECK(j[0]["operation"] == "getZoneInfo");
  }
  SECTION("zone: 0 is the zone-neutral endpoint only") {
    add({{"operation", "GetWsdlVersion"}, {"zone", 0}, {"action", "http_500"}});
    CHECK(m.Call(WsdlVersion()).status == 200);  // zone 5
    CHECK(m.Call(WsdlVersion(), kUser, kPass, kNeutral).status == 500);
  }
}

TEST_CASE("Latency faults hold the answer back without holding a worker", "[control][faults]") {
  ControlMock m({}, 1);  // one worker thread
  m.AdminJson("POST", "/__admin/faults",
              R"({"id": "slow", "operation": "GetWsdlVersion", "action": "latency",
                  "latency_ms": 1500, "count": 1})",
              201);
  std::atomic<long long> held_ms{-1};
  std::thread slow([&] {
    auto t0 = Steady::now();
    HttpResult r = m.Call(WsdlVersion());
    held_ms =
        r.status == 200
            ? std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t0).count()
            : -2;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the slow call is being held
  auto t0 = Steady::now();
  HttpResult quick = m.Call(AccountQuery());
  long long quick_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t0).count();
  slow.join();
  CHECK(ReturnCode(quick) == "1");
  CHECK(quick_ms < 1000);  // served while the only worker's other answer waited
  CHECK(held_ms >= 1500);
  auto j = m.Journal("?fault=slow");
  REQUIRE(j.size() == 1);
  CHECK(j[0]["latency_added_ms"] == 1500);
  CHECK(j[0]["latency_reason"] == "fault slow: +1500 ms");
  CHECK(j[0]["http_status"] == 200);
}

TEST_CASE("A slow body arrives in pieces and the connection stays usable", "[control][faults]") {
  ControlMock m({}, 1);
  m.AdminJson("POST", "/__admin/faults",
              R"({"operation": "query", "action": "slow_body", "duration_ms": 1200,
                  "chunks": 4, "count": 1})",
              201);
  int fd = ConnectLoopback(m.port, 20000);
  REQUIRE(fd >= 0);
  std::string auth = BasicAuth(kUser, kPass);
  Timed slow = Exchange(fd, m.port, kZone5, AccountQuery(), auth);
  Timed next = Exchange(fd, m.port, kZone5, AccountQuery(), auth);  // same connection
  close(fd);
  REQUIRE(slow.status == 200);
  CHECK(Between(slow.body, "<ReturnCode>", "</ReturnCode>") == "1");
  CHECK(slow.body.find("</soap:Envelope>") != std::string::npos);
  REQUIRE(slow.arrivals_ms.size() >= 2);
  CHECK(slow.head_ms < 600);               // the headers at once
  CHECK(slow.arrivals_ms.back() >= 1200);  // the last piece after the duration
  CHECK(slow.arrivals_ms.front() < slow.arrivals_ms.back() - 500);  // spread out
  CHECK_FALSE(slow.closed);
  CHECK(next.status == 200);
  CHECK(next.body == slow.body);  // the same answer (count 1: not slowed again)
  auto j = m.Journal("?fault=any");
  REQUIRE(j.size() == 1);
  CHECK(j[0]["fault"]["action"] == "slow_body");
}

TEST_CASE("A seeded probability fires the same calls on every run", "[control][faults]") {
  auto& m = M();
  m.Reset();
  constexpr uint64_t kSeed = 20261102;
  constexpr double kP = 0.5;
  // The documented draw: the rule's mt19937_64(seed), one draw per matching call, the fault fires
  // when (draw >> 11) * 2^-53 < probability.
  std::mt19937_64 rng(kSeed);
  std::vector<bool> expected;
  for (int i = 0; i < 24; ++i)
    expected.push_back(static_cast<double>(rng() >> 11) * 0x1.0p-53 < kP);
  REQUIRE(std::count(expected.begin(), expected.end(), true) > 0);
  REQUIRE(std::count(expected.begin(), expected.end(), false) > 0);

  json rule = {{"id", "coin"},
               {"operation", "GetWsdlVersion"},
               {"action", "http_500"},
               {"probability", kP},
               {"seed", kSeed}};
  for (int run = 0; run < 2; ++run) {
    m.AdminJson("POST", "/__admin/faults", rule.dump(), 201);
    std::vector<bool> fired;
    for (int i = 0; i < 24; ++i) {
      fired.push_back(m.Call(WsdlVersion()).status == 500);
      CHECK(ReturnCode(m.Call(AccountQuery())) == "1");  // not matching: no draw
    }
    CHECK(fired == expected);
    json listed = m.AdminJson("GET", "/__admin/faults/coin");
    CHECK(listed["matched"] == 24);
    CHECK(listed["hits"] == std::count(expected.begin(), expected.end(), true));
    CHECK(listed["seed"] == kSeed);
    CHECK(m.AdminJson("DELETE", "/__admin/faults/coin")["deleted"] == "coin");
  }
  // count and probability together: at most `count` hits.
  m.AdminJson("POST", "/__admin/faults",
              R"({"operation": "GetWsdlVersion", "action": "http_500", "probability": 0.5,
                  "seed": 7, "count": 2})",
              201);
  int failures = 0;
  for (int i = 0; i < 30; ++i) failures += m.Call(WsdlVersion()).status == 500;
  CHECK(failures == 2);
}

TEST_CASE("Fault rules: list, delete, validation and reset", "[control][faults][admin]") {
  auto& m = M();
  m.Reset();
  auto post = [&](const std::string& body) { return m.Admin("POST", "/__admin/faults", body); };
  struct Bad {
    const char* body;
    const char* says;
  } bad[] = {
      {R"({"action": "drop", "colour": "red"})", "unknown key 'colour'"},
      {R"({"operation": "query"})", "a fault rule needs"},
      {R"({"action": "explode"})", "unknown action 'explode'"},
      {R"({"action": "latency"})", "needs latency_ms"},
      {R"({"action": "latency", "latency_ms": 9000})", "from 1 to 8000"},
      {R"({"action": "drop", "latency_ms": 10})", "latency action only"},
      {R"({"action": "drop", "message": "x"})", "message applies"},
      {R"({"action": "slow_body", "chunks": 1})", "chunks must be"},
      {R"({"action": "drop", "operation": "querry"})", "not an operation"},
      {R"({"action": "drop", "entity": "Tickets"})", "no entity 'Tickets'"},
      {R"({"action": "drop", "tenant": 42})", "no tenant 42"},
      {R"({"action": "drop", "zone": 7})", "zone 7 is not in the zone table"},
      {R"({"action": "drop", "count": 0})", "count must be"},
      {R"({"action": "drop", "probability": 1.5})", "probability must be"},
      {R"({"action": "drop", "seed": -1})", "seed must be"},
      {R"({"action": "drop", "id": "a b"})", "id must be"},
      {R"([1, 2])", "JSON object"},
      {"not json", "not valid JSON"},
  };
  for (const auto& b : bad) {
    HttpResult r = post(b.body);
    INFO(b.body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(r.body.find(b.says) != std::string::npos);
  }
  CHECK(m.AdminJson("GET", "/__admin/faults").empty());  // nothing was added

  m.AdminJson("POST", "/__admin/faults", R"({"id": "a", "action": "drop", "tenant": 29683500})",
              201);
  CHECK(post(R"({"id": "a", "action": "drop"})").status == 409);
  json b =
      m.AdminJson("POST", "/__admin/faults", R"({"action": "http_500", "tenant": 29684100})", 201);
  json list = m.AdminJson("GET", "/__admin/faults");
  REQUIRE(list.size() == 2);
  CHECK(list[0]["id"] == "a");
  CHECK(list[1]["id"] == b["id"]);
  CHECK(list[1]["count"].is_null());
  CHECK(list[1]["remaining"].is_null());
  CHECK(m.Admin("GET", "/__admin/faults/nope").status == 404);
  CHECK(m.Admin("DELETE", "/__admin/faults/nope").status == 404);
  CHECK(m.Admin("PUT", "/__admin/faults").status == 405);

  // A tenant reset removes the rules that name it; a full reset removes all.
  m.AdminJson("POST", "/__admin/reset?tenant=29683500");
  list = m.AdminJson("GET", "/__admin/faults");
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == b["id"]);
  m.Reset();
  CHECK(m.AdminJson("GET", "/__admin/faults").empty());
  m.AdminJson("POST", "/__admin/faults", R"({"action": "drop"})", 201);
  CHECK(m.AdminJson("DELETE", "/__admin/faults")["deleted"] == 1);
  CHECK(m.Call(WsdlVersion()).status == 200);
}

// ------------------------------------------------------------- the other admin endpoints

TEST_CASE("Each admin endpoint shows its effect through the SOAP API", "[control][admin]") {
  auto& m = M();
  m.Reset();
  const std::string tenant = "/__admin/tenants/29683500";

  SECTION("clock + usage: a suspension ends when the clock moves on") {
    m.AdminJson("POST", "/__admin/clock", R"({"set": "2026-03-02T10:00:00"})");
    json u = m.AdminJson("PUT", tenant + "/usage", R"({"calls": 10000})");
    CHECK(u["suspended"] == true);
    CHECK(ReportedUsage(m.Call(Usage())) == 10000);
    CHECK(ReturnCode(m.Call(AccountQuery())) == "-1");
    m.AdminJson("POST", "/__admin/clock", R"({"advance_seconds": 3601})");
    CHECK(ReturnCode(m.Call(AccountQuery())) == "1");
    CHECK(ReportedUsage(m.Call(Usage())) == 1);
    m.AdminJson("PUT", tenant + "/usage", R"({"calls": 1234})");
    CHECK(ReportedUsage(m.Call(Usage())) == 1234);
  }
  SECTION("users: an expiry in the past refuses the next call") {
    CHECK(m.Call(WsdlVersion()).status == 200);
    m.AdminJson("POST", "/__admin/clock", R"({"set": "2026-03-02T10:00:00"})");
    m.AdminJson("PUT", "/__admin/users/api@contoso.example",
                R"({"password_expires": "2026-03-02T10:00:00"})");
    HttpResult r = m.Call(WsdlVersion());
    CHECK(r.status == 401);
    CHECK(r.headers.count("www-authenticate") == 1);
    m.AdminJson("POST", "/__admin/clock", R"({"advance_seconds": -1})");
    CHECK(m.Call(WsdlVersion()).status == 200);  // one second before it
  }
  SECTION("zones: moving the tenant changes getZoneInfo and the endpoint it may use") {
    CHECK(Between(m.Call(ZoneInfoEnvelope(kUser), "", "", kNeutral).body, "<URL>", "</URL>")
              .find("/webservices5/") != std::string::npos);
    m.AdminJson("PUT", tenant + "/zone", R"({"zone": 14})");
    HttpResult z = m.Call(ZoneInfoEnvelope(kUser), "", "", kNeutral);
    CHECK(Between(z.body, "<URL>", "</URL>") ==
          "http://127.0.0.1:" + std::to_string(m.port) + "/webservices14/ATServices/1.6/atws.asmx");
    CHECK(Between(z.body, "<WebUrl>", "</WebUrl>") ==
          "http://127.0.0.1:" + std::to_string(m.port) + "/ww14/");
    CHECK(ReturnCode(m.Call(AccountQuery())) == "-1");  // zone 5 is not its zone any more
    CHECK(ReturnCode(m.Call(AccountQuery(), kUser, kPass,
                            "/webservices14/atservices/1.6/atws.asmx")) == "1");
    // The zone's flavour decides the WSDL version the tenant's calls see.
    m.AdminJson("PUT", "/__admin/zones/14", R"({"flavour": "2018"})");
    CHECK(
        Between(m.Call(WsdlVersion(), kUser, kPass, "/webservices14/atservices/1.6/atws.asmx").body,
                "<GetWsdlVersionResult>", "</GetWsdlVersionResult>") == "1.6.3");
  }
  SECTION("settings: the settle delay decides what a query right after a create sees") {
    auto ticket_number = [&](const std::string& id) {
      return Between(m.Call(Query("Ticket", "id", "equals", id)).body,
                     "<TicketNumber xsi:type=\"xsd:string\">", "</TicketNumber>");
    };
    m.AdminJson("POST", "/__admin/clock", R"({"set": "2026-03-02T10:00:00"})");
    m.AdminJson("PUT", tenant + "/settings", R"({"settle_delay_ms": 60000})");
    std::string late = Between(m.Call(CreateTicket("settles late")).body, "<EntityId>", "<");
    REQUIRE_FALSE(late.empty());
    CHECK(ticket_number(late).empty());
    m.AdminJson("POST", "/__admin/clock", R"({"advance_seconds": 61})");
    CHECK_FALSE(ticket_number(late).empty());
    m.AdminJson("PUT", tenant + "/settings", R"({"settle_delay_ms": 0})");
    std::string now = Between(m.Call(CreateTicket("settles at once")).body, "<EntityId>", "<");
    CHECK_FALSE(ticket_number(now).empty());
  }
  SECTION("sources: an added source becomes the default a create gets") {
    json s = m.AdminJson("POST", tenant + "/sources", R"({"label": "Control Plane Test"})", 201);
    m.AdminJson("PUT", tenant + "/settings",
                json{{"default_ticket_source", s["value"]}, {"settle_delay_ms", 0}}.dump());
    HttpResult c = m.Call(CreateTicket("sourced"));
    CHECK(Between(c.body, "<Source xsi:type=\"xsd:int\">", "</Source>") == s["value"].dump());
  }
  SECTION("language: labels follow the tenant's language, a reset brings it back") {
    auto status_label = [&] {
      std::string body = m.Call(FieldInfo("Ticket")).body;
      size_t field = body.find("<Name>Status</Name>");
      return Between(body, "<Label>", "</Label>", body.find("<Value>1</Value>", field));
    };
    CHECK(status_label() == "New");
    CHECK(m.AdminJson("PUT", tenant + "/language", R"({"language": "de"})")["language"] == "de");
    CHECK(m.AdminJson("GET", tenant + "/language")["language"] == "de");
    CHECK(status_label() == "Neu");
    CHECK(m.Admin("PUT", tenant + "/language", R"({"language": "xx"})").status == 400);
    m.AdminJson("POST", "/__admin/reset?tenant=29683500");
    CHECK(status_label() == "New");
  }
  SECTION("reset: the data, settings and users come back") {
    std::string id = Between(m.Call(CreateTicket("to be reset")).body, "<EntityId>", "<");
    REQUIRE_FALSE(id.empty());
    m.AdminJson("PUT", tenant + "/settings", R"({"threshold": 3})");
    m.AdminJson("POST", tenant + "/users",
                R"({"username": "temp@contoso.example", "password": "pw",
                    "integration_codes": ["SANDBOX-INTEGRATION"]})",
                201);
    CHECK(m.Call(WsdlVersion(), "temp@contoso.example", "pw").status == 200);
    m.AdminJson("POST", "/__admin/reset?tenant=29683500");
    CHECK(m.Call(Query("Ticket", "id", "equals", id)).body.find("<Entity ") == std::string::npos);
    CHECK(m.AdminJson("GET", tenant + "/settings")["threshold"] == 10000);
    CHECK(m.Call(WsdlVersion(), "temp@contoso.example", "pw").status == 401);
  }
}

TEST_CASE("Journal filters find the calls a test made", "[control][journal]") {
  auto& m = M();
  m.Reset();
  m.AdminJson("POST", "/__admin/clock", R"({"set": "2026-03-02T10:00:00"})");  // 15:00 UTC
  m.Call(AccountQuery());
  m.Call(Query("Contact", "id", "greaterthan", "0"));
  m.AdminJson("POST", "/__admin/clock", R"({"advance_seconds": 120})");
  m.Call(Query("Account", "AccountName", "beginswith", "JournalMarker"));
  m.Call(WsdlVersion(), kGermanUser, kPass, kZone18);

  auto all = m.Journal("");
  REQUIRE(all.size() == 4);
  CHECK(m.Journal("?tenant=29684100").size() == 1);
  CHECK(m.Journal("?operation=QUERY").size() == 3);
  auto later = m.Journal("?since=2026-03-02T15:01:00Z");
  REQUIRE(later.size() == 2);
  CHECK(later[0]["query"].dump().find("JournalMarker") != std::string::npos);
  auto after = m.Journal("?after=" + all[1]["seq"].dump());
  REQUIRE(after.size() == 2);
  CHECK(after[0]["seq"] == all[2]["seq"]);
  auto newest = m.Journal("?limit=1&operation=query");
  REQUIRE(newest.size() == 1);
  CHECK(newest[0]["seq"] == all[2]["seq"]);
  HttpResult lines = m.Admin("GET", "/__admin/journal?format=jsonl&tenant=29683500");
  CHECK(lines.headers["content-type"] == "application/x-ndjson");
  std::istringstream in(lines.body);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    CHECK(json::parse(line)["tenant"] == kContoso);
    ++n;
  }
  CHECK(n == 3);
  CHECK(m.Admin("GET", "/__admin/journal?since=yesterday").status == 400);
}

// ------------------------------------------------------------------------- fixture sets

TEST_CASE("A fixture set loads rows in the API's own XML, all or nothing", "[control][fixtures]") {
  auto& m = M();
  m.Reset();
  const std::string path = "/__admin/tenants/29683500/fixtures";
  const std::string set =
      "<queryResponse xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><EntityResults>"
      "<Entity xsi:type=\"UserDefinedFieldDefinition\"><id>29709901</id><Name>Fixture Colour"
      "</Name><UdfType>3</UdfType><DataType>1</DataType><IsActive>true</IsActive></Entity>"
      "<Entity xsi:type=\"Ticket\"><id>29709001</id><AccountID>0</AccountID>"
      "<Title>From a fixture</Title><Status>1</Status><Priority>2</Priority>"
      "<TicketNumber>T20260302.0001</TicketNumber><CreateDate>2026-03-02T09:15:00</CreateDate>"
      "<UserDefinedFields><UserDefinedField><Name>Fixture Colour</Name><Value>teal</Value>"
      "</UserDefinedField></UserDefinedFields></Entity>"
      "<Entity xsi:type=\"Ticket\"><AccountID>0</AccountID><Title>Without an id</Title>"
      "<Status>1</Status><Priority>2</Priority></Entity>"
      "</EntityResults></queryResponse>";
  json loaded = m.AdminJson("POST", path, set);
  CHECK(loaded["rows"] == 3);
  CHECK(loaded["loaded"]["Ticket"] == 2);
  CHECK(loaded["loaded"]["UserDefinedFieldDefinition"] == 1);
  CHECK(loaded["replaced"] == 0);
  HttpResult q = m.Call(Query("Ticket", "id", "equals", "29709001"));
  CHECK(Between(q.body, "<Title xsi:type=\"xsd:string\">", "</Title>") == "From a fixture");
  CHECK(Between(q.body, "<TicketNumber xsi:type=\"xsd:string\">", "</TicketNumber>") ==
        "T20260302.0001");  // read-only fields are data too
  CHECK(Between(q.body, "<Name>Fixture Colour</Name><Value>", "</Value>") == "teal");
  CHECK(m.Call(Query("Ticket", "Title", "equals", "Without an id")).body.find("<Entity ") !=
        std::string::npos);
  CHECK(m.Call(Envelope("<getUDFInfo xmlns=\"" + kNs + "\"><psTable>Ticket</psTable></getUDFInfo>"))
            .body.find("<Name>Fixture Colour</Name>") != std::string::npos);

  // Loading a row again replaces it; an API create afterwards gets a new id above it.
  json again = m.AdminJson(
      "POST", path,
      "<x xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><Entity xsi:type=\"Ticket\">"
      "<id>29709001</id><AccountID>0</AccountID><Title>Replaced</Title><Status>5</Status>"
      "<Priority>2</Priority></Entity></x>");
  CHECK(again["replaced"] == 1);
  q = m.Call(Query("Ticket", "id", "equals", "29709001"));
  CHECK(Between(q.body, "<Title xsi:type=\"xsd:string\">", "</Title>") == "Replaced");
  CHECK(q.body.find("TicketNumber") == std::string::npos);  // the whole row was replaced
  std::string created = Between(m.Call(CreateTicket("after fixtures")).body, "<EntityId>", "<");
  REQUIRE_FALSE(created.empty());
  CHECK(std::stoll(created) > 29709001);

  // One bad entity: nothing of the set is written.
  HttpResult bad = m.Admin(
      "POST", path,
      "<x xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
      "<Entity xsi:type=\"Ticket\"><id>29709050</id><AccountID>0</AccountID><Title>ok</Title>"
      "<Status>1</Status><Priority>2</Priority></Entity>"
      "<Entity xsi:type=\"Ticket\"><id>29709051</id><Priority>high</Priority></Entity></x>");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("entity 2 (Ticket)") != std::string::npos);
  CHECK(m.Call(Query("Ticket", "id", "equals", "29709050")).body.find("<Entity ") ==
        std::string::npos);
  CHECK(m.Admin("POST", path, "<x/>").status == 400);
  CHECK(m.Admin("POST", path, "<!DOCTYPE x [<!ENTITY a \"b\">]><x/>").status == 400);
  CHECK(m.Admin("POST", "/__admin/tenants/1/fixtures", set).status == 404);
  CHECK(m.Admin("GET", path).status == 405);
  // A reset takes the set away again (it returns to the start-up state).
  m.Reset();
  CHECK(m.Call(Query("Ticket", "id", "equals", "29709001")).body.find("<Entity ") ==
        std::string::npos);
}

// --------------------------------------------------------------- the configuration file

TEST_CASE("The example configuration file has the same effects as the admin API",
          "[control][config]") {
  // The committed example, with its fixture set, in a data directory of its own.
  const std::string dir = TempDir("config");
  std::filesystem::copy_file(std::string(ATWS_SOURCE_DIR) + "/docs/examples/atws-sandbox.json",
                             dir + "/atws-sandbox.json");
  std::filesystem::create_directories(dir + "/fixtures");
  std::filesystem::copy_file(
      std::string(ATWS_SOURCE_DIR) + "/docs/examples/fixtures/contoso-extra.xml",
      dir + "/fixtures/contoso-extra.xml");
  service::Options o;
  o.data_dir = dir;
  auto cfg = std::make_shared<control::StartupConfig>();
  std::string err;
  REQUIRE(control::LoadStartupConfig(dir + "/" + control::kConfigFileName, cfg.get(), &err));
  {
    auto svc = std::make_shared<service::Service>(o);
    INFO(err);
    auto admin_api = std::make_shared<control::Admin>(*svc);
    REQUIRE(control::ApplyStartupConfig(*admin_api, *cfg, {}, &err));
    admin_api->SetStartupConfig(cfg);
    http::ServerOptions so;
    so.threads = 2;
    so.admin = admin_api;
    TestServer served(std::move(svc), so);
    const uint16_t port = served.port;
    auto call = [&](const std::string& env, const std::string& user = kUser,
                    const std::string& pass = kPass, const std::string& path = kZone5) {
      return served.Soap(path, env, user, pass);
    };
    auto admin = [&](const std::string& method, const std::string& path,
                     const std::string& body = "") {
      HttpResult r = served.Admin(method, path, body);
      INFO(path << " " << r.body);
      REQUIRE(r.status == 200);
      return json::parse(r.body);
    };

    auto check_configured = [&] {
      // clock
      json clock = admin("GET", "/__admin/clock");
      CHECK(clock["now"] == "2026-11-02T09:00:00");
      CHECK(clock["frozen"] == true);
      // settings, usage
      CHECK(admin("GET", "/__admin/tenants/29683500/settings")["threshold"] == 5000);
      CHECK(ReportedUsage(call(Usage())) == 2600);
      // the fault: the first Ticket query fails, the next one does not
      HttpResult first = call(TicketQuery());
      CHECK(ReturnCode(first) == "-1");
      CHECK(Between(first.body, "<Message>", "</Message>") ==
            "Simulated outage: the first Ticket query fails.");
      CHECK(ReturnCode(call(TicketQuery())) == "1");
      // the fixture set
      HttpResult acc = call(Query("Account", "id", "equals", "29700001"));
      CHECK(Between(acc.body, "<AccountName xsi:type=\"xsd:string\">", "</AccountName>") ==
            "Fixture Freight Ltd");
      CHECK(call(Query("Ticket", "ContactID", "equals", "29700101")).body.find("<Entity ") !=
            std::string::npos);
      // a new user with its own integration code, and the default source by label
      HttpResult ci =
          served.Soap(kZone5,
                      Envelope("<create xmlns=\"" + kNs +
                                   "\"><Entities><Entity xsi:type=\"Ticket\"><AccountID>29700001"
                                   "</AccountID><Title>From CI</Title><Status>1</Status><Priority>2"
                                   "</Priority></Entity></Entities></create>",
                               "CI-INTEGRATION"),
                      "ci@contoso.example", "ci-secret");
      CHECK(ReturnCode(ci) == "1");
      json sources = admin("GET", "/__admin/tenants/29683500/sources");
      CHECK(Between(ci.body, "<Source xsi:type=\"xsd:int\">", "</Source>") ==
            sources["default"].dump());
      CHECK(sources["default"] != 4);
      // the French tenant: zone 3 (flavour 2018), English labels
      HttpResult z = call(ZoneInfoEnvelope("api@exemple.example"), "", "", kNeutral);
      CHECK(Between(z.body, "<URL>", "</URL>") ==
            "http://127.0.0.1:" + std::to_string(port) + "/webservices3/ATServices/1.6/atws.asmx");
      const std::string zone3 = "/webservices3/atservices/1.6/atws.asmx";
      CHECK(Between(call(WsdlVersion(), "api@exemple.example", kPass, zone3).body,
                    "<GetWsdlVersionResult>", "<") == "1.6.3");
      CHECK(admin("GET", "/__admin/tenants/29685300/language")["language"] == "en");
      // the restricted user's password expires at 10:00 by the configured clock
      CHECK(call(WsdlVersion(), "restricted@contoso.example").status == 200);
    };
    check_configured();
    admin("POST", "/__admin/clock", R"({"advance_seconds": 3600})");
    CHECK(call(WsdlVersion(), "restricted@contoso.example").status == 401);
    CHECK(call(WsdlVersion(), kUser).status == 200);

    // A reset returns to the start-up state: the default data and the configuration again.
    admin("POST", "/__admin/reset");
    check_configured();
    // Resetting one tenant applies its part again (and the faults that name it).
    admin("POST", "/__admin/reset?tenant=29683500");
    CHECK(ReturnCode(call(TicketQuery())) == "-1");
    CHECK(ReturnCode(call(TicketQuery())) == "1");
  }

  // A restart on the same data directory keeps the data (no second copy of the fixture set)
  // and applies the rest again.
  auto svc2 = std::make_shared<service::Service>(o);
  control::Admin admin2(*svc2);
  REQUIRE(control::ApplyStartupConfig(admin2, *cfg, {}, &err));
  TestServer second(std::move(svc2), 2);
  HttpResult accounts = second.Soap(
      kZone5, Query("Account", "AccountName", "equals", "Fixture Freight Ltd"), kUser, kPass);
  size_t rows = 0;
  for (size_t p = accounts.body.find("<Entity "); p != std::string::npos;
       p = accounts.body.find("<Entity ", p + 1))
    ++rows;
  CHECK(rows == 1);
  CHECK(HttpCall(second.port, "GET", "/__admin/tenants/29683500/settings")
            .body.find("\"threshold\":5000") != std::string::npos);
  second.server->Stop();
  std::filesystem::remove_all(dir);
}

TEST_CASE("A configuration file with an unknown key or a bad value names it and the file",
          "[control][config]") {
  const std::string dir = TempDir("badconfig");
  auto svc = std::make_shared<service::Service>(service::Options{});
  control::Admin admin(*svc);
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {R"({"tenant": {}})", "unknown key 'tenant' (known here: clock, zones, tenants, faults)"},
      {R"({"tenants": {"29683500": {"setings": {}}}})",
       "unknown key 'setings' in tenants.29683500"},
      {R"({"tenants": {"29683500": {"settings": {"treshold": 5}}}})",
       "tenants.29683500.settings: unknown setting 'treshold'"},
      {R"({"tenants": {"29683500": {"users": [{"username": "api@contoso.example", "pasword": "x"}]}}})",
       "tenants.29683500.users[0]: unknown key \"pasword\""},
      {R"({"clock": {"set": "2026-01-01T09:00:00", "freeze": true}})",
       "unknown key 'freeze' in clock"},
      {R"({"faults": [{"action": "drop", "cont": 1}]})", "faults[0]: unknown key 'cont'"},
      {R"({"zones": {"5": {"flavor": "2018"}}})", "unknown key 'flavor' in zones.5"},
      {R"({"tenants": {"12": {}}})", "tenants.12: no tenant 12"},
      {R"({"tenants": {"29683500": {"fixtures": ["missing.xml"]}}})", "cannot read"},
      {R"({"tenants": {"29683500": {"default_source": "Nowhere"}}})",
       "no Ticket source labelled 'Nowhere'"},
      {"{\"clock\": ", "not valid JSON"},
  };
  for (const auto& c : cases) {
    const std::string file = dir + "/atws-sandbox.json";
    std::ofstream(file) << c.text;
    control::StartupConfig cfg;
    std::string err;
    bool ok = control::LoadStartupConfig(file, &cfg, &err) &&
              control::ApplyStartupConfig(admin, cfg, {}, &err);
    INFO(c.text << " -> " << err);
    CHECK_FALSE(ok);
    CHECK(err.rfind(file + ": ", 0) == 0);
    CHECK(err.find(c.says) != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

// ------------------------------------------------------------------ journal persistence

TEST_CASE("The journal persisted in SQLite survives a restart and keeps its filters",
          "[control][journal]") {
  const std::string dir = TempDir("journal");
  service::Options o;
  o.journal_db = dir + "/journal.sqlite";
  std::string first_seq;
  {
    ControlMock m(o);
    CHECK(ReturnCode(m.Call(Query("Account", "AccountName", "equals", "PersistedMarker"))) == "1");
    m.Call(WsdlVersion());
    m.AdminJson("POST", "/__admin/faults", R"({"action": "http_500", "count": 1})", 201);
    CHECK(m.Call(WsdlVersion()).status == 500);
    auto j = m.Journal("");
    REQUIRE(j.size() == 3);
    first_seq = j[0]["seq"].dump();
  }
  ControlMock m(o);  // a new server on the same database
  auto j = m.Journal("");
  REQUIRE(j.size() == 3);
  CHECK(j[0]["seq"].dump() == first_seq);
  CHECK(j[0]["query"].dump().find("PersistedMarker") != std::string::npos);
  CHECK(m.Journal("?operation=GetWsdlVersion").size() == 2);
  CHECK(m.Journal("?fault=any").size() == 1);
  CHECK(m.Journal("?tenant=29684100").empty());
  // Its bodies too, for the page.
  json one = m.AdminJson("GET", "/__admin/journal/" + first_seq);
  CHECK(one["request"].get<std::string>().find("PersistedMarker") != std::string::npos);
  CHECK(one["response"].get<std::string>().find("<ReturnCode>1</ReturnCode>") != std::string::npos);
  // New calls are numbered on.
  m.Call(WsdlVersion());
  auto after = m.Journal("?after=" + j[2]["seq"].dump());
  REQUIRE(after.size() == 1);
  CHECK(after[0]["seq"] == j[2]["seq"].get<long long>() + 1);
  // DELETE clears the database as well.
  m.AdminJson("DELETE", "/__admin/journal");
  CHECK(m.Journal("").empty());
  {
    ControlMock again(o);
    CHECK(again.Journal("").empty());
  }
  // A file that is not a database is refused at start-up.
  std::ofstream(dir + "/not.sqlite") << "this is not a database, just text of some length";
  service::Options bad;
  bad.journal_db = dir + "/not.sqlite";
  CHECK_THROWS_WITH(service::Service(bad), Catch::Contains("not a usable journal database"));
  std::filesystem::remove_all(dir);
}
