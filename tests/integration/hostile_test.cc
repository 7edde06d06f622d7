// The hostile-input corpus (tests/data/hostile/, its answers in manifest.json) and the inputs
// generated here (50 MB bodies, oversized headers, broken framing, slow and idle connections),
// each sent over real HTTP to the mock in-process: every one gets its documented answer, no
// tenant row changes, and the server keeps answering (docs/reliability.md).
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "hardening_util.h"
#include "test_env.h"

using namespace atws;
using namespace atws::testing;

namespace {

// The body of a manifest entry: the file with its repeat markers expanded.
std::string Body(const nlohmann::json& e) {
  std::string body =
      ReadFile(std::string(ATWS_TEST_DATA) + "/hostile/" + e["file"].get<std::string>());
  if (!e.contains("repeat")) return body;
  for (const auto& r : e["repeat"]) {
    std::string marker = r["marker"], unit = r["unit"];
    long long count = r["count"];
    std::string expanded;
    size_t at = unit.find("{i}");
    expanded.reserve(unit.size() * static_cast<size_t>(count) + 8 * static_cast<size_t>(count));
    for (long long i = 0; i < count; ++i) {
      if (at == std::string::npos) {
        expanded += unit;
      } else {
        std::string u = unit;
        for (size_t p; (p = u.find("{i}")) != std::string::npos;)
          u.replace(p, 3, std::to_string(i));
        expanded += u;
      }
    }
    size_t pos = body.find(marker);
    if (pos == std::string::npos) throw std::runtime_error("marker missing in " + e["file"].dump());
    body.replace(pos, marker.size(), expanded);
  }
  return body;
}

// getZoneInfo answers: the server is alive and serving.
bool Alive(uint16_t port) {
  auto r = HttpCall(port, "POST", kNeutral, ZoneInfoEnvelope(),
                    {{"Content-Type", "text/xml; charset=utf-8"}});
  return r.status == 200 && r.body.find("<CI>29683500</CI>") != std::string::npos;
}

std::string PostHead(size_t length, const std::string& extra = "") {
  return "POST " + kNeutral + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n" + extra +
         "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

}  // namespace

TEST_CASE("Hostile corpus: every input gets its documented answer and changes nothing",
          "[hostile]") {
  HardenedServer m(10, 30);
  nlohmann::json manifest =
      nlohmann::json::parse(ReadFile(std::string(ATWS_TEST_DATA) + "/hostile/manifest.json"));
  const auto& inputs = manifest["inputs"];
  REQUIRE(inputs.size() >= 150);
  auto before = DigestTenants(*m.svc);
  REQUIRE(before.size() >= 2);
  size_t checked = 0;
  for (const auto& e : inputs) {
    const std::string file = e["file"];
    INFO("input " << file << " (" << e["class"].get<std::string>() << ")");
    std::string body = Body(e);
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "text/xml; charset=utf-8"}};
    std::string auth = e.value("auth", std::string("contoso"));
    if (auth == "contoso")
      headers.emplace_back("Authorization", BasicAuth(kUser, kPass));
    else if (auth != "none")
      headers.emplace_back("Authorization", auth);
    auto r = HttpCall(m.port, e.value("method", std::string("POST")), e.value("path", kZone5), body,
                      headers);
    const auto& x = e["expect"];
    std::string text = XmlUnescape(r.body);
    INFO("answer " << r.status << ": " << r.body.substr(0, 600));
    CHECK(r.status == x["status"].get<int>());
    if (x.contains("fault"))
      CHECK(r.body.find("<faultcode>" + x["fault"].get<std::string>() + "</faultcode>") !=
            std::string::npos);
    if (x.contains("return_code"))
      CHECK(r.body.find("<ReturnCode>" + std::to_string(x["return_code"].get<int>()) +
                        "</ReturnCode>") != std::string::npos);
    if (x.contains("message") && !x["message"].empty()) {
      bool any = false;
      for (const auto& msg : x["message"])
        any = any || text.find(msg.get<std::string>()) != std::string::npos;
      CHECK(any);
    }
    for (const auto& absent : x.value("absent", nlohmann::json::array()))
      CHECK(text.find(absent.get<std::string>()) == std::string::npos);
    if (x.contains("rows")) CHECK(Count(r.body, "<Entity ") == x["rows"].get<size_t>());
    if (x.contains("max_body")) CHECK(r.body.size() <= x["max_body"].get<size_t>());
    CHECK(Alive(m.port));
    ++checked;
  }
  CHECK(checked == inputs.size());
  // The journal saw every call; the tenants' rows are as they were.
  auto after = DigestTenants(*m.svc);
  INFO(DigestDiff(before, after));
  CHECK(after == before);
}

TEST_CASE("Hostile corpus: writes that fail change no row (checked input by input)", "[hostile]") {
  HardenedServer m(10, 30);
  nlohmann::json manifest =
      nlohmann::json::parse(ReadFile(std::string(ATWS_TEST_DATA) + "/hostile/manifest.json"));
  auto digest = DigestTenants(*m.svc);
  int writes = 0;
  for (const auto& e : manifest["inputs"]) {
    std::string cls = e["class"];
    if (cls != "write validation" && cls != "SQL-looking QueryXML") continue;
    INFO("input " << e["file"].get<std::string>());
    auto r = HttpCall(
        m.port, "POST", e.value("path", kZone5), Body(e),
        {{"Content-Type", "text/xml; charset=utf-8"}, {"Authorization", BasicAuth(kUser, kPass)}});
    CHECK(r.status == e["expect"]["status"].get<int>());
    auto now = DigestTenants(*m.svc);
    INFO(DigestDiff(digest, now));
    CHECK(now == digest);
    ++writes;
  }
  CHECK(writes >= 25);
}

TEST_CASE("HTTP: bodies above the limit get 413 at once and the connection closes", "[hostile]") {
  HardenedServer m;
  SECTION("50 MB body with its Content-Length") {
    RawConn c(m.port);
    const size_t size = 50u << 20;
    auto start = std::chrono::steady_clock::now();
    REQUIRE(c.Send(PostHead(size)));
    // The server answers without reading the body; what it reads of it is dropped.
    std::string chunk(1 << 20, 'A');
    for (int i = 0; i < 50 && c.Send(chunk, 500); ++i) {
    }
    bool closed = false;
    std::string resp = c.ReadAll(3000, &closed);
    CHECK(StatusOf(resp) == 413);
    CHECK(resp.find("larger than 16777216 bytes") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  }
  SECTION("Content-Length announced, a little sent, then the client goes away") {
    {
      RawConn c(m.port);
      REQUIRE(c.Send(PostHead(1000) + std::string(10, '<')));
    }
    RawConn c2(m.port);
    REQUIRE(c2.Send(PostHead(52428800)));
    CHECK(StatusOf(c2.ReadResponse(3000)) == 413);
  }
  SECTION("Content-Length that is not a length") {
    for (const std::string& v : {"-1", "abc", "1e3", "0x10", ""}) {
      INFO("Content-Length: " << v);
      RawConn c(m.port);
      REQUIRE(
          c.Send("POST " + kNeutral + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + v + "\r\n\r\n"));
      CHECK(StatusOf(c.ReadResponse(3000)) == 400);
    }
    RawConn c(m.port);
    REQUIRE(c.Send("POST " + kNeutral +
                   " HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999999\r\n\r\n"));
    CHECK(StatusOf(c.ReadResponse(3000)) == 413);
    RawConn d(m.port);
    REQUIRE(d.Send("POST " + kNeutral +
                   " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"));
    CHECK(StatusOf(d.ReadResponse(3000)) == 400);
  }
  CHECK(Alive(m.port));
}

TEST_CASE("HTTP: oversized headers and request lines are refused", "[hostile]") {
  HardenedServer m;
  std::string body =
      Envelope("<query xmlns=\"http://autotask.net/ATWS/v1_6/\"><sXML>x</sXML></query>");
  SECTION("Basic credentials of 9 KB: the service answers 401") {
    std::string creds(9 * 1024, 'Q');
    auto r = HttpCall(m.port, "POST", kZone5, body, {{"Authorization", "Basic " + creds}});
    CHECK(r.status == 401);
    CHECK(r.headers.count("www-authenticate") == 1);
  }
  SECTION("Basic credentials of 64 KB and 1 MB: 431 before the service") {
    for (size_t size : {size_t(64) << 10, size_t(1) << 20}) {
      RawConn c(m.port);
      c.Send(
          PostHead(body.size(), "Authorization: Basic " + std::string(size, 'Q') + "\r\n") + body,
          2000);
      std::string resp = c.ReadResponse(3000);
      CHECK(StatusOf(resp) == 431);
    }
  }
  SECTION("10,000 header fields, and 300 small ones") {
    std::string many;
    for (int i = 0; i < 10000; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
    RawConn c(m.port);
    c.Send(PostHead(0, many), 2000);
    CHECK(StatusOf(c.ReadResponse(3000)) == 431);
    std::string some;
    for (int i = 0; i < 300; ++i) some += "X" + std::to_string(i) + ": v\r\n";
    RawConn d(m.port);
    REQUIRE(d.Send(PostHead(0, some)));
    std::string resp = d.ReadResponse(3000);
    CHECK(StatusOf(resp) == 431);
    CHECK(resp.find("more than 256 header fields") != std::string::npos);
  }
  SECTION("A 2 MB request target") {
    RawConn c(m.port);
    c.Send("GET /" + std::string(2 << 20, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 2000);
    CHECK(StatusOf(c.ReadResponse(3000)) == 414);
  }
  CHECK(Alive(m.port));
}

TEST_CASE("HTTP: broken framing gets 400/501 and never stalls a worker", "[hostile]") {
  HardenedServer m;
  std::string zi = ZoneInfoEnvelope();
  SECTION("not HTTP at all") {
    for (const std::string& junk : {std::string("\x00\x01\x02GARBAGE garbage\r\n\r\n", 23),
                                    std::string("POST / HTTP/9.9\r\nHost: x\r\n\r\n"),
                                    std::string("\r\n\r\n\r\nHELLO\r\n\r\n")}) {
      RawConn c(m.port);
      REQUIRE(c.Send(junk));
      int status = StatusOf(c.ReadResponse(3000));
      CHECK((status == 400 || status == 405 || status == 505));
    }
  }
  SECTION("chunked bodies are decoded, even in 1-byte chunks") {
    // Pistache 0.0.5's own chunk parser spun a worker at 100% on this (regression).
    std::string chunked;
    for (char ch : zi) chunked += "1\r\n" + std::string(1, ch) + "\r\n";
    chunked += "0\r\nX-Trailer: t\r\n\r\n";
    RawConn c(m.port);
    auto start = std::chrono::steady_clock::now();
    REQUIRE(c.Send("POST " + kNeutral +
                   " HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nTransfer-Encoding: "
                   "chunked\r\n\r\n" +
                   chunked));
    std::string resp = c.ReadResponse(5000);
    CHECK(StatusOf(resp) == 200);
    CHECK(resp.find("<CI>29683500</CI>") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  }
  SECTION("bad chunk framing") {
    struct Case {
      std::string te, body;
      int status;
    } cases[] = {{"chunked", "zz\r\nabc\r\n0\r\n\r\n", 400},
                 {"chunked", "-5\r\nabc\r\n0\r\n\r\n", 400},
                 {"chunked", "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n", 413},
                 {"chunked", "3\r\nabcXY0\r\n\r\n", 400},
                 {"gzip, chunked", "3\r\nabc\r\n0\r\n\r\n", 501}};
    for (const auto& k : cases) {
      INFO(k.body);
      RawConn c(m.port);
      REQUIRE(c.Send("POST " + kNeutral + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + k.te +
                     "\r\n\r\n" + k.body));
      CHECK(StatusOf(c.ReadResponse(3000)) == k.status);
    }
    RawConn c(m.port);
    REQUIRE(c.Send("POST " + kNeutral +
                   " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: "
                   "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
    CHECK(StatusOf(c.ReadResponse(3000)) == 400);
  }
  SECTION("two requests in one write are both answered, in order") {
    RawConn c(m.port);
    std::string one = PostHead(zi.size()) + zi;
    REQUIRE(c.Send(one + one));
    std::string a = c.ReadResponse(3000);
    std::string b = c.ReadResponse(3000);
    CHECK(StatusOf(a) == 200);
    CHECK(StatusOf(b) == 200);
  }
  CHECK(Alive(m.port));
}

TEST_CASE("HTTP: slow and idle connections do not hold the server", "[hostile][concurrency]") {
  HardenedServer m(2, 3);  // header timeout 2 s, body timeout 3 s
  SECTION("a request line sent a byte at a time is cut at the header timeout") {
    RawConn slow(m.port);
    std::string head = "POST " + kNeutral + " HTTP/1.1\r\nHost: x\r\n";
    auto start = std::chrono::steady_clock::now();
    bool cut = false;
    for (size_t i = 0; i < head.size() && !cut; ++i) {
      cut = !slow.Send(head.substr(i, 1), 1000);
      // Meanwhile another client is served at once.
      if (i % 10 == 0) {
        auto t = std::chrono::steady_clock::now();
        CHECK(Alive(m.port));
        CHECK(std::chrono::steady_clock::now() - t < std::chrono::seconds(1));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (std::chrono::steady_clock::now() - start > std::chrono::seconds(8)) break;
    }
    bool closed = false;
    std::string resp = slow.ReadAll(3000, &closed);
    CHECK((closed || StatusOf(resp) == 408));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(12));
  }
  SECTION("a body sent a byte at a time is cut at the body timeout") {
    RawConn slow(m.port);
    REQUIRE(slow.Send(PostHead(200)));
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 40; ++i) {
      if (!slow.Send("<", 1000)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      if (i % 8 == 0) CHECK(Alive(m.port));
    }
    bool closed = false;
    std::string resp = slow.ReadAll(3000, &closed);
    CHECK((closed || StatusOf(resp) == 408));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(15));
  }
  SECTION("200 idle connections") {
    std::vector<std::unique_ptr<RawConn>> idle;
    for (int i = 0; i < 200; ++i) idle.push_back(std::make_unique<RawConn>(m.port));
    auto t = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) CHECK(Alive(m.port));
    CHECK(std::chrono::steady_clock::now() - t < std::chrono::seconds(3));
    // A silent connection that never sent a byte is closed at the header timeout too.
    bool closed = false;
    idle.front()->ReadAll(5000, &closed);
    CHECK(closed);
  }
  CHECK(Alive(m.port));
}

TEST_CASE("The journal keeps at most 100 conditions of a query", "[hostile]") {
  HardenedServer m;
  std::string q = "<queryxml><entity>Ticket</entity><query>";
  for (int i = 0; i < 150; ++i)
    q += "<field>Title<expression op=\"NotEqual\">" + std::string(1000, 'v') +
         "</expression></field>";
  q += "</query></queryxml>";
  auto r = HttpCall(m.port, "POST", kZone5, QueryEnvelope(q),
                    {{"Authorization", BasicAuth(kUser, kPass)}});
  REQUIRE(r.status == 200);
  CHECK(r.body.find("<ReturnCode>1</ReturnCode>") != std::string::npos);
  auto j = HttpCall(m.port, "GET", "/__admin/journal?operation=query&limit=1");
  REQUIRE(j.status == 200);
  auto entries = nlohmann::json::parse(j.body);
  REQUIRE(entries.size() == 1);
  const auto& query = entries[0]["query"];
  CHECK(query["conditions"].size() == 100);
  CHECK(query["conditions_total"] == 150);
  CHECK(query["conditions"][0]["value"].get<std::string>().size() < 300);
}

TEST_CASE("Queries with long WHERE clauses leave no prepared statement behind", "[hostile]") {
  // Each distinct query shape used to stay in the tenant's statement cache (up to 512): a 1 MiB
  // query holds ~16 MB there, so queries of varying length could exhaust memory.
  HardenedServer m;
  auto statements = [&] {
    auto* t = m.svc->FindTenant(kContoso);
    std::lock_guard<std::mutex> lock(t->db->mutex());
    return t->db->StatementCount();
  };
  auto ask = [&](int criteria) {
    std::string q = "<queryxml><entity>Ticket</entity><query>";
    for (int i = 0; i < criteria; ++i)
      q +=
          "<field>Title<expression op=\"NotEqual\">x" + std::to_string(i) + "</expression></field>";
    q += "</query></queryxml>";
    auto r = HttpCall(m.port, "POST", kZone5, QueryEnvelope(q),
                      {{"Authorization", BasicAuth(kUser, kPass)}});
    CHECK(r.body.find("<ReturnCode>1</ReturnCode>") != std::string::npos);
  };
  ask(1);  // the connection's usual statements are there
  int before = statements();
  for (int n = 100; n < 130; ++n) ask(n);
  CHECK(statements() - before <= 2);
  // Short queries are still cached: asking the same one again adds nothing.
  ask(3);
  int after_short = statements();
  ask(3);
  CHECK(statements() == after_short);
}
