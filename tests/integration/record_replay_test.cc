// Record and replay end to end, in-process: mock A serves; recorder B forwards to A and writes a
// recording; replayer C serves the recording. The same calls through C give the same answers
// with no near misses; a changed request is a near miss naming the nearest exchange.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "control/admin.h"
#include "http/server.h"
#include "record/record.h"
#include "test_env.h"
#include "xml/xml.h"

using namespace atws;
using namespace atws::testing;

namespace {

using Running = TestServer;

Running Serve(std::shared_ptr<service::Service> svc, record::Handler handler) {
  return TestServer(std::move(svc), 2, std::move(handler));
}

HttpResult Soap(uint16_t port, const std::string& path, const std::string& body,
                const std::string& user = kUser, const std::string& pass = kPass,
                const std::string& action = "") {
  std::vector<std::pair<std::string, std::string>> h = {
      {"Content-Type", "text/xml; charset=utf-8"}};
  if (!action.empty()) h.emplace_back("SOAPAction", "\"" + kNs + action + "\"");
  if (!user.empty()) h.emplace_back("Authorization", BasicAuth(user, pass));
  return HttpCall(port, "POST", path, body, h);
}

std::string TicketsAfter(long long id) {
  return QueryEnvelope(
      "<queryxml><entity>Ticket</entity><query><field>id<expression op=\"greaterthan\">" +
      std::to_string(id) + "</expression></field></query></queryxml>");
}

long long LastId(const std::string& body) {
  long long last = -1;
  size_t p = 0;
  while ((p = body.find("<id>", p)) != std::string::npos) {
    p += 4;
    last = std::stoll(body.substr(p, body.find('<', p) - p));
  }
  return last;
}

// One call: where it goes and what it sends.
struct Call {
  std::string name, method, path, body, user, pass, action;
};

HttpResult Do(uint16_t port, const Call& c) {
  if (c.method == "GET") return HttpCall(port, "GET", c.path);
  return Soap(port, c.path, c.body, c.user, c.pass, c.action);
}

}  // namespace

TEST_CASE("A recording made against the mock replays with zero near misses", "[record][replay]") {
  xml::InitParser();
  // A: the mock itself as upstream.
  auto svc = std::make_shared<service::Service>(service::Options{});
  Running a = Serve(svc, nullptr);
  auto admin_api = std::make_shared<control::Admin>(*svc);
  auto admin = [admin_api](const service::HttpRequest& r) { return admin_api->Handle(r); };

  std::string file = "/tmp/atws_record_replay_" + std::to_string(getpid()) + ".xml";
  std::remove(file.c_str());

  // B: records what A answers.
  record::RecorderOptions ro;
  ro.file = file;
  ro.upstream = "http://127.0.0.1:" + std::to_string(a.port) + "/";
  ro.admin_fallback = admin;
  std::string err;
  auto recorder = record::Recorder::Create(ro, &err);
  REQUIRE(recorder);
  Running b = Serve(nullptr, [&](const service::HttpRequest& r) { return recorder->Handle(r); });

  std::string zone_info = ZoneInfoEnvelope();
  std::string field_info = Envelope("<GetFieldInfo xmlns=\"" + kNs +
                                    "\"><psObjectType>Ticket</psObjectType></GetFieldInfo>");
  std::string usage = Envelope("<getThresholdAndUsageInfo xmlns=\"" + kNs + "\"/>");

  std::vector<Call> calls = {
      {"getZoneInfo", "POST", kNeutral, zone_info, "", "", "getZoneInfo"},
      {"WSDL", "GET", kZone5 + "?WSDL", "", "", "", ""},
      {"GetFieldInfo", "POST", kZone5, field_info, kUser, kPass, "GetFieldInfo"},
      {"query page 1", "POST", kZone5, TicketsAfter(0), kUser, kPass, "query"},
  };
  std::vector<HttpResult> recorded;
  for (const auto& c : calls) {
    recorded.push_back(Do(b.port, c));
    INFO(c.name << ": " << recorded.back().body.substr(0, 300));
    REQUIRE(recorded.back().status == 200);
  }
  // Page 2 starts after the last id of page 1.
  long long last = LastId(recorded[3].body);
  REQUIRE(Count(recorded[3].body, "<Entity ") == 500);
  // The same request twice with different answers (the usage counter moves on with page 2).
  calls.push_back({"usage 1", "POST", kZone5, usage, kUser, kPass, "getThresholdAndUsageInfo"});
  calls.push_back({"query page 2", "POST", kZone5, TicketsAfter(last), kUser, kPass, "query"});
  calls.push_back({"usage 2", "POST", kZone5, usage, kUser, kPass, "getThresholdAndUsageInfo"});
  // A wrong password: A's 401 is recorded.
  calls.push_back(
      {"wrong password", "POST", kZone5, TicketsAfter(1), kUser, "wrong-password-4711", "query"});
  for (size_t i = recorded.size(); i < calls.size(); ++i) recorded.push_back(Do(b.port, calls[i]));
  CHECK(recorded[4].status == 200);
  CHECK(recorded[5].status == 200);
  CHECK(LastId(recorded[5].body) > last);
  CHECK(recorded[6].status == 200);
  CHECK(recorded[4].body != recorded[6].body);
  REQUIRE(recorded[7].status == 401);
  CHECK(recorded[7].headers["www-authenticate"] == "Basic Realm=\"127.0.0.1\"");

  // B answered exactly what A answers.
  HttpResult direct = Soap(a.port, kZone5, field_info);
  CHECK(direct.body == recorded[2].body);
  CHECK(recorded[2].headers["content-type"].find("text/xml") == 0);
  CHECK(recorder->recorded() == calls.size());

  // The recording: readable XML, no password, no integration code, the user name kept.
  std::string text = ReadFile(file);
  CHECK(text.find(kPass + "</") == std::string::npos);
  CHECK(text.find(":" + kPass) == std::string::npos);
  CHECK(text.find("wrong-password-4711") == std::string::npos);
  CHECK(text.find(BasicAuth(kUser, kPass).substr(6)) == std::string::npos);
  CHECK(text.find("Authorization") == std::string::npos);
  CHECK(text.find("SANDBOX-INTEGRATION") == std::string::npos);
  CHECK(Count(text, "<IntegrationCode>***</IntegrationCode>") == 6);
  CHECK(text.find("user=\"" + kUser + "\"") != std::string::npos);
  CHECK(text.find("<UserName>" + kUser + "</UserName>") != std::string::npos);
  CHECK(text.find("operation=\"query\"") != std::string::npos);
  CHECK(text.find("query=\"WSDL\"") != std::string::npos);  // not "WSDL=" (Pistache)
  CHECK(text.find("status=\"401\"") != std::string::npos);
  std::vector<record::Exchange> ex;
  REQUIRE(record::LoadRecording(file, &ex, &err));
  REQUIRE(ex.size() == calls.size());
  for (size_t i = 0; i < ex.size(); ++i) {
    CHECK(ex[i].seq == static_cast<long long>(i + 1));
    CHECK(ex[i].response_body == recorded[i].body);
    CHECK(ex[i].status == recorded[i].status);
  }
  CHECK(ex[0].user.empty());
  CHECK(ex[0].operation == "getZoneInfo");
  CHECK(ex[2].operation == "GetFieldInfo");
  CHECK(ex[2].soap_action == "\"" + kNs + "GetFieldInfo\"");
  CHECK(ex[7].user == kUser);
  CHECK(ex[7].www_authenticate == "Basic Realm=\"127.0.0.1\"");

  // C: replays the file.
  record::ReplayerOptions po;
  po.file = file;
  po.admin_fallback = admin;
  po.log = false;
  auto replayer = record::Replayer::Create(po, &err);
  REQUIRE(replayer);
  CHECK(replayer->exchanges() == calls.size());
  Running c = Serve(nullptr, [&](const service::HttpRequest& r) { return replayer->Handle(r); });

  for (size_t i = 0; i < calls.size(); ++i) {
    HttpResult r = Do(c.port, calls[i]);
    INFO(calls[i].name);
    CHECK(r.status == recorded[i].status);
    CHECK(r.body == recorded[i].body);
    CHECK(r.headers["content-type"] == recorded[i].headers["content-type"]);
    CHECK(r.headers["x-replayed-exchange"] == std::to_string(i + 1));
  }
  CHECK(Do(c.port, calls[7]).headers["www-authenticate"] == "Basic Realm=\"127.0.0.1\"");
  CHECK(replayer->near_misses() == 0);
  CHECK(replayer->matched() == calls.size() + 1);

  // The repeated request was served in recorded order; once both are used, the last again.
  CHECK(Do(c.port, calls[4]).body == recorded[6].body);

  // Another client's spelling of page 1 (prefixes, indentation, another integration code, the
  // QueryXML in CDATA) is the same request.
  std::string other =
      "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:ns1=\"" +
      kNs +
      "\">\n  <SOAP-ENV:Header>\n    <ns1:AutotaskIntegrations>\n"
      "      <ns1:IntegrationCode>ANOTHER-CODE</ns1:IntegrationCode>\n"
      "    </ns1:AutotaskIntegrations>\n  </SOAP-ENV:Header>\n  <SOAP-ENV:Body>\n"
      "    <ns1:query><ns1:sXML><![CDATA[<queryxml><entity>Ticket</entity><query><field>id "
      "<expression op=\"GreaterThan\">0</expression></field></query></queryxml>]]></ns1:sXML>"
      "</ns1:query>\n  </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n";
  HttpResult same = Soap(c.port, "/WebServices5/ATServices/1.6/atws.asmx", other);
  CHECK(same.status == 200);
  CHECK(same.body == recorded[3].body);
  CHECK(replayer->near_misses() == 0);

  // The local mock's admin API still answers beside the replay's.
  CHECK(HttpCall(c.port, "GET", "/__admin/health").status == 200);
  auto state = nlohmann::json::parse(HttpCall(c.port, "GET", "/__admin/replay").body);
  CHECK(state["mode"] == "replay");
  CHECK(state["near_misses"] == 0);
  CHECK(state["unused_exchanges"] == 0);

  // A changed request: a fault naming the nearest exchange and the difference.
  HttpResult miss = Soap(c.port, kZone5, TicketsAfter(12345));
  CHECK(miss.status == 500);
  CHECK(miss.body.find("<faultcode>soap:Server</faultcode>") != std::string::npos);
  INFO(miss.body);
  CHECK(miss.body.find("No recorded exchange matches this request; nearest: exchange 4 (at "
                       "query/sXML/queryxml/query/field/expression the request has "
                       "&quot;12345&quot; where the recording has &quot;0&quot;)") !=
        std::string::npos);
  CHECK(replayer->near_misses() == 1);

  auto nm = nlohmann::json::parse(HttpCall(c.port, "GET", "/__admin/replay/near-misses").body);
  REQUIRE(nm["count"] == 1);
  const auto& m = nm["near_misses"][0];
  CHECK(m["request"]["operation"] == "query");
  CHECK(m["request"]["user"] == kUser);
  CHECK(m["request"]["path"] == kZone5);
  CHECK(m["request"]["body"].get<std::string>().find("SANDBOX-INTEGRATION") == std::string::npos);
  CHECK(m["nearest"]["exchange"] == 4);
  CHECK(m["nearest"]["operation"] == "query");
  CHECK(m["nearest"]["score"].get<double>() > 0.9);
  CHECK(m["difference"].get<std::string>().find("\"12345\" where the recording has \"0\"") !=
        std::string::npos);

  // A call the recording never saw: the nearest is another operation.
  HttpResult entity = Soap(c.port, kZone5, Envelope("<GetEntityInfo xmlns=\"" + kNs + "\"/>"));
  CHECK(entity.status == 500);
  CHECK(entity.body.find("operation GetEntityInfo where the recording has") != std::string::npos);
  // A WSDL of another version.
  HttpResult wsdl15 = HttpCall(c.port, "GET", "/atservices/1.5/atws.asmx?wsdl");
  CHECK(wsdl15.status == 500);
  CHECK(wsdl15.body.find("nearest: exchange 2 (path /atservices/1.5/atws.asmx where the "
                         "recording has /webservices5/atservices/1.6/atws.asmx)") !=
        std::string::npos);

  CHECK(replayer->Summary() == "replay: " + std::to_string(calls.size() + 6) + " requests, " +
                                   std::to_string(calls.size() + 3) + " matched, 3 near misses");

  // Rewind: the repeated request starts from its first answer again.
  CHECK(HttpCall(c.port, "POST", "/__admin/replay/reset").status == 200);
  CHECK(Do(c.port, calls[4]).body == recorded[4].body);
  CHECK(replayer->near_misses() == 0);

  c.server->Stop();
  b.server->Stop();
  a.server->Stop();
  std::remove(file.c_str());
}

TEST_CASE("The recorder answers 502 when the upstream is down, and records nothing", "[record]") {
  xml::InitParser();
  std::string file = "/tmp/atws_record_down_" + std::to_string(getpid()) + ".xml";
  std::remove(file.c_str());
  // A port nobody listens on.
  const uint16_t dead = FreeLoopbackPort();
  REQUIRE(dead != 0);
  record::RecorderOptions ro;
  ro.file = file;
  ro.upstream = "http://127.0.0.1:" + std::to_string(dead);
  ro.timeout_s = 5;
  ro.log = false;
  std::string err;
  auto recorder = record::Recorder::Create(ro, &err);
  REQUIRE(recorder);
  Running b = Serve(nullptr, [&](const service::HttpRequest& r) { return recorder->Handle(r); });
  HttpResult r = Soap(b.port, kNeutral, Envelope("<getZoneInfo xmlns=\"" + kNs + "\"/>", ""));
  CHECK(r.status == 502);
  CHECK(r.body.find("did not answer") != std::string::npos);
  CHECK(recorder->recorded() == 0);
  auto state = nlohmann::json::parse(HttpCall(b.port, "GET", "/__admin/record").body);
  CHECK(state["upstream_failures"] == 1);
  CHECK(state["exchanges"] == 0);
  // Not an http(s) URL.
  ro.upstream = "ftp://example.invalid/";
  CHECK_FALSE(record::Recorder::Create(ro, &err));
  CHECK(err.find("http://") != std::string::npos);
  b.server->Stop();
  std::remove(file.c_str());
}

TEST_CASE(
    "Record mode with --rewrite-urls: the URLs a recorded answer hands out point at the recorder",
    "[record][replay][rewrite]") {
  xml::InitParser();
  auto svc = std::make_shared<service::Service>(service::Options{});
  Running a = Serve(svc, nullptr);
  std::string file = "/tmp/atws_record_rewrite_" + std::to_string(getpid()) + ".xml";
  std::remove(file.c_str());
  record::RecorderOptions ro;
  ro.file = file;
  ro.upstream = "http://127.0.0.1:" + std::to_string(a.port);
  ro.rewrite_urls = true;
  ro.log = false;
  std::string err;
  auto recorder = record::Recorder::Create(ro, &err);
  REQUIRE(recorder);
  Running b = Serve(nullptr, [&](const service::HttpRequest& r) { return recorder->Handle(r); });
  const std::string on_b = "http://127.0.0.1:" + std::to_string(b.port);

  // getZoneInfo through the recorder: URL and WebUrl on the recorder, not on the upstream.
  std::string zone_info = ZoneInfoEnvelope();
  HttpResult z = Soap(b.port, kNeutral, zone_info, "", "");
  REQUIRE(z.status == 200);
  const std::string url = Between(z.body, "<URL>", "</URL>");
  CHECK(url == on_b + "/webservices5/ATServices/1.6/atws.asmx");
  CHECK(Between(z.body, "<WebUrl>", "</WebUrl>") == on_b + "/ww5/");
  CHECK(z.body.find(":" + std::to_string(a.port)) == std::string::npos);
  // The WSDL of that URL names the recorder as its address.
  const std::string path = url.substr(on_b.size());
  HttpResult wsdl = HttpCall(b.port, "GET", path + "?WSDL");
  REQUIRE(wsdl.status == 200);
  CHECK(Between(wsdl.body, "<soap:address location=\"", "\"") == url);
  // The client follows the URL and stays on the recorder, which forwards to the upstream.
  HttpResult q = Soap(b.port, path, TicketsAfter(0));
  CHECK(Between(q.body, "<ReturnCode>", "</ReturnCode>") == "1");
  CHECK(Count(q.body, "<Entity ") == 500);
  // The recording holds what the client got.
  std::vector<record::Exchange> ex;
  REQUIRE(record::LoadRecording(file, &ex, &err));
  REQUIRE(ex.size() == 3);
  CHECK(ex[0].response_body == z.body);
  CHECK(ex[2].path == path);

  // Replayed with --rewrite-urls, the recorded URLs point at the replayer.
  record::ReplayerOptions po;
  po.file = file;
  po.log = false;
  po.rewrite_urls = true;
  auto replayer = record::Replayer::Create(po, &err);
  REQUIRE(replayer);
  Running c = Serve(nullptr, [&](const service::HttpRequest& r) { return replayer->Handle(r); });
  const std::string on_c = "http://127.0.0.1:" + std::to_string(c.port);
  HttpResult rz = Soap(c.port, kNeutral, zone_info, "", "");
  CHECK(rz.headers["x-replayed-exchange"] == "1");
  CHECK(Between(rz.body, "<URL>", "</URL>") == on_c + "/webservices5/ATServices/1.6/atws.asmx");
  CHECK(Between(rz.body, "<WebUrl>", "</WebUrl>") == on_c + "/ww5/");
  HttpResult rw = HttpCall(c.port, "GET", path + "?WSDL");
  CHECK(Between(rw.body, "<soap:address location=\"", "\"") ==
        on_c + "/webservices5/ATServices/1.6/atws.asmx");
  CHECK(Soap(c.port, path, TicketsAfter(0)).body == q.body);
  CHECK(replayer->near_misses() == 0);
  c.server->Stop();
  b.server->Stop();
  a.server->Stop();
  std::remove(file.c_str());
}

TEST_CASE(
    "Record mode with --rewrite-urls maps zone hosts to paths on the mock and forwards them there",
    "[record][rewrite]") {
  // Zone hosts as the real service names them: rewritten to /webservicesN and /wwN, with routes.
  record::UrlRewriter rw;
  rw.mock_base = "http://127.0.0.1:9000/";
  rw.upstream = "https://webservices.autotask.net";
  std::string body =
      "<soap:Envelope><soap:Body><getZoneInfoResponse><getZoneInfoResult>"
      "<a:URL>https://webservices5.autotask.net/ATServices/1.6/atws.asmx</a:URL>"
      "<ErrorCode>0</ErrorCode><CI>1</CI><WebUrl>https://ww5.autotask.net/</WebUrl>"
      "<Note>https://webservices5.autotask.net/elsewhere</Note><URL>ftp://x/</URL>"
      "</getZoneInfoResult></getZoneInfoResponse></soap:Body></soap:Envelope>";
  std::vector<record::UrlRoute> routes;
  CHECK(rw.Rewrite(&body, &routes) == 2);
  CHECK(Between(body, "<a:URL>", "</a:URL>") ==
        "http://127.0.0.1:9000/webservices5/ATServices/1.6/atws.asmx");
  CHECK(Between(body, "<WebUrl>", "</WebUrl>") == "http://127.0.0.1:9000/ww5/");
  CHECK(Between(body, "<Note>", "</Note>") == "https://webservices5.autotask.net/elsewhere");
  CHECK(Between(body, "<URL>", "</URL>") == "ftp://x/");
  REQUIRE(routes.size() == 2);
  CHECK(routes[0].prefix == "/webservices5");
  CHECK(routes[0].origin == "https://webservices5.autotask.net");
  CHECK(routes[1].prefix == "/ww5");
  CHECK(routes[1].origin == "https://ww5.autotask.net");
  // A WSDL on the upstream itself keeps its path (less the upstream's base path).
  rw.upstream = "https://webservices.autotask.net/base";
  std::string wsdl =
      "<wsdl:definitions><wsdl:service><wsdl:port><soap12:address "
      "location=\"https://webservices.autotask.net/base/ATServices/1.6/atws.asmx\"/>"
      "</wsdl:port></wsdl:service></wsdl:definitions>";
  CHECK(rw.Rewrite(&wsdl, nullptr) == 1);
  CHECK(wsdl.find("location=\"http://127.0.0.1:9000/ATServices/1.6/atws.asmx\"") !=
        std::string::npos);

  // End to end: an upstream that hands out a zone host (webservices5.localhost, which libcurl
  // resolves to the loopback address) is reached through the route the recorder learnt.
  const uint16_t a_port = FreeLoopbackPort();
  REQUIRE(a_port != 0);
  xml::InitParser();
  service::Options o;
  o.public_url = "http://webservices5.localhost:" + std::to_string(a_port);
  auto svc = std::make_shared<service::Service>(o);
  http::ServerOptions so;
  so.port = a_port;
  so.threads = 2;
  http::Server a(svc, so);
  std::string err;
  REQUIRE(a.Start(&err));
  std::string file = "/tmp/atws_record_routes_" + std::to_string(getpid()) + ".xml";
  std::remove(file.c_str());
  record::RecorderOptions ro;
  ro.file = file;
  ro.upstream = "http://127.0.0.1:" + std::to_string(a_port);
  ro.rewrite_urls = true;
  ro.log = false;
  auto recorder = record::Recorder::Create(ro, &err);
  REQUIRE(recorder);
  Running b = Serve(nullptr, [&](const service::HttpRequest& r) { return recorder->Handle(r); });
  HttpResult z = Soap(b.port, kNeutral, ZoneInfoEnvelope(), "", "");
  const std::string on_b = "http://127.0.0.1:" + std::to_string(b.port);
  // The upstream said http://webservices5.localhost:A/webservices5/…: its zone host becomes the
  // /webservices5 prefix on the recorder.
  const std::string url = Between(z.body, "<URL>", "</URL>");
  CHECK(url == on_b + "/webservices5/webservices5/ATServices/1.6/atws.asmx");
  HttpResult q = Soap(b.port, url.substr(on_b.size()), TicketsAfter(0));
  CHECK(Between(q.body, "<ReturnCode>", "</ReturnCode>") == "1");
  // It went to the zone host: the upstream journaled it on its zone-5 endpoint.
  service::JournalFilter f;
  f.operation = "query";
  auto j = svc->journal().Query(f);
  REQUIRE(j.size() == 1);
  CHECK(j[0].zone == 5);
  CHECK_FALSE(j[0].off_zone);
  b.server->Stop();
  a.Stop();
  std::remove(file.c_str());
}
