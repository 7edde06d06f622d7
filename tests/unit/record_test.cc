// Record and replay: the recording format (CDATA splitting, tolerant loading, appends), the
// scrubbing of credentials, and the normaliser that replay matching rests on.
#include "record/record.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "record/http_util.h"
#include "test_util.h"
#include "xml/xml.h"

using namespace atws;
using namespace atws::record;
using atws::testing::ReadFile;

namespace {

std::string TempPath(const std::string& name) {
  return "/tmp/atws_record_unit_" + std::to_string(getpid()) + "_" + name;
}

Exchange Sample(const std::string& req_body, const std::string& resp_body) {
  Exchange e;
  e.seq = 1;
  e.time = "2026-01-01T09:00:00.000Z";
  e.method = "POST";
  e.path = "/atservices/1.6/atws.asmx";
  e.soap_action = "\"http://autotask.net/ATWS/v1_6/query\"";
  e.content_type = "text/xml; charset=utf-8";
  e.user = "api@contoso.example";
  e.operation = "query";
  e.request_body = req_body;
  e.status = 200;
  e.response_content_type = "text/xml; charset=utf-8";
  e.response_body = resp_body;
  e.elapsed_ms = 12;
  return e;
}

std::string Recording(const std::vector<Exchange>& ex) {
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<recording version=\"1\">\n";
  for (const auto& e : ex) s += ExchangeXml(e);
  return s + "</recording>\n";
}

Exchange RoundTrip(const Exchange& e) {
  std::vector<Exchange> out;
  std::string err;
  REQUIRE(ParseRecording(Recording({e}), &out, &err));
  REQUIRE(out.size() == 1);
  return out[0];
}

const char* kQueryEnvelope =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
    "<soap:Header><AutotaskIntegrations xmlns=\"http://autotask.net/ATWS/v1_6/\">"
    "<IntegrationCode>SANDBOX-INTEGRATION</IntegrationCode></AutotaskIntegrations></soap:Header>"
    "<soap:Body><query xmlns=\"http://autotask.net/ATWS/v1_6/\"><sXML>"
    "&lt;queryxml&gt;&lt;entity&gt;Ticket&lt;/entity&gt;&lt;query&gt;&lt;field&gt;id"
    "&lt;expression op=\"greaterthan\"&gt;0&lt;/expression&gt;&lt;/field&gt;&lt;/query&gt;"
    "&lt;/queryxml&gt;</sXML></query></soap:Body></soap:Envelope>";

// The same request as another client writes it: other prefixes, indentation, another
// integration code, the QueryXML in CDATA with other letter case and spacing.
const char* kQueryEnvelopeOtherClient =
    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"\n"
    "    xmlns:ns1=\"http://autotask.net/ATWS/v1_6/\">\n"
    "  <SOAP-ENV:Header>\n"
    "    <ns1:AutotaskIntegrations>\n"
    "      <ns1:IntegrationCode>SOMETHING-ELSE</ns1:IntegrationCode>\n"
    "    </ns1:AutotaskIntegrations>\n"
    "  </SOAP-ENV:Header>\n"
    "  <SOAP-ENV:Body>\n"
    "    <ns1:query>\n"
    "      <ns1:sXML><![CDATA[ <queryxml>\n  <entity> Ticket </entity>\n  <query><field>id\n"
    "        <expression op=\"GreaterThan\">0</expression></field></query></queryxml> ]]>"
    "</ns1:sXML>\n"
    "    </ns1:query>\n"
    "  </SOAP-ENV:Body>\n"
    "</SOAP-ENV:Envelope>\n";

}  // namespace

TEST_CASE("CDATA: the end marker inside a body is split across sections", "[record]") {
  std::string out;
  REQUIRE(AppendCdata(&out, "a]]>b"));
  CHECK(out == "<![CDATA[a]]]]><![CDATA[>b]]>");
  out.clear();
  REQUIRE(AppendCdata(&out, "]]>"));
  CHECK(out == "<![CDATA[]]]]><![CDATA[>]]>");
  out.clear();
  REQUIRE(AppendCdata(&out, "x\r\ny"));
  CHECK(out == "<![CDATA[x]]>&#13;<![CDATA[\ny]]>");
  out.clear();
  CHECK_FALSE(AppendCdata(&out, std::string("bad\x01", 4)));
  CHECK_FALSE(AppendCdata(&out, "\xff\xfe"));
  CHECK(out.empty());
}

TEST_CASE("CDATA: bodies come back byte for byte", "[record]") {
  xml::InitParser();
  for (std::string body :
       {std::string("<a>]]></a>"), std::string("]]>"), std::string("]]]]>>"), std::string("]]"),
        std::string("<x><![CDATA[inner]]></x>"), std::string("line\r\nline\r\n"),
        std::string("\r\r\r"), std::string("  leading and trailing  \n"),
        std::string("Müller ✓ 日本"), std::string("ctl\x01\x02 byte"),
        std::string("\xc3\x28 invalid utf-8"), std::string("")}) {
    Exchange e = Sample(body, body + "]]>" + body);
    Exchange back = RoundTrip(e);
    CHECK(back.request_body == e.request_body);
    CHECK(back.response_body == e.response_body);
  }
  // Binary bodies are written as base64.
  CHECK(ExchangeXml(Sample("a\x01", "ok")).find("encoding=\"base64\"") != std::string::npos);
}

TEST_CASE("The recording format keeps every attribute", "[record]") {
  xml::InitParser();
  Exchange e = Sample(kQueryEnvelope, "<r/>");
  e.query = "WSDL";
  e.www_authenticate = "Basic Realm=\"webservices5.autotask.net\"";
  e.status = 401;
  Exchange b = RoundTrip(e);
  CHECK(b.seq == 1);
  CHECK(b.time == e.time);
  CHECK(b.method == "POST");
  CHECK(b.path == e.path);
  CHECK(b.query == "WSDL");
  CHECK(b.soap_action == e.soap_action);
  CHECK(b.content_type == e.content_type);
  CHECK(b.user == e.user);
  CHECK(b.operation == "query");
  CHECK(b.status == 401);
  CHECK(b.response_content_type == e.response_content_type);
  CHECK(b.www_authenticate == e.www_authenticate);
  CHECK(b.elapsed_ms == 12);
}

TEST_CASE("A hand-edited recording reads: indentation around CDATA, escaped text", "[record]") {
  xml::InitParser();
  std::string text =
      "<recording version=\"1\">\n"
      "  <exchange>\n"
      "    <request method=\"get\" path=\"/atservices/1.6/atws.asmx\" query=\"WSDL\"/>\n"
      "    <response status=\"200\" content-type=\"text/xml\">\n"
      "      <body>\n        <![CDATA[<a/>]]>\n      </body>\n"
      "    </response>\n"
      "  </exchange>\n"
      "  <exchange seq=\"7\">\n"
      "    <request path=\"/x\"><body>&lt;b/&gt;</body></request>\n"
      "    <response status=\"500\"><body>x</body></response>\n"
      "  </exchange>\n"
      "</recording>\n";
  std::vector<Exchange> out;
  std::string err;
  REQUIRE(ParseRecording(text, &out, &err));
  REQUIRE(out.size() == 2);
  CHECK(out[0].seq == 1);
  CHECK(out[0].method == "GET");
  CHECK(out[0].request_body.empty());
  CHECK(out[0].response_body == "<a/>");
  CHECK(out[1].seq == 7);
  CHECK(out[1].method == "POST");
  CHECK(out[1].request_body == "<b/>");

  CHECK_FALSE(ParseRecording("<recording version=\"2\"/>", &out, &err));
  CHECK(err.find("version 2") != std::string::npos);
  CHECK_FALSE(ParseRecording("<recording><exchange><request path=\"/x\"/></exchange></recording>",
                             &out, &err));
  CHECK(err.find("no <response>") != std::string::npos);
  // The hardened parser: no DTDs.
  CHECK_FALSE(ParseRecording("<!DOCTYPE r [<!ENTITY e \"x\">]><recording/>", &out, &err));
}

TEST_CASE("A recording cut off in the middle of an exchange still loads", "[record]") {
  xml::InitParser();
  std::string full = Recording({Sample("<a/>", "<b/>"), Sample("<c/>", "<d/>")});
  size_t second = full.find("<exchange", full.find("</exchange>"));
  std::string cut = full.substr(0, second + 40);  // half of the second exchange
  std::vector<Exchange> out;
  std::string err, warning;
  REQUIRE(ParseRecording(cut, &out, &err, &warning));
  CHECK(out.size() == 1);
  CHECK(warning.find("no closing") != std::string::npos);
  // Only the start tag.
  REQUIRE(ParseRecording("<recording version=\"1\">\n", &out, &err, &warning));
  CHECK(out.empty());
}

TEST_CASE("RecordFile: concurrent appends, complete after each, continued on reopen", "[record]") {
  xml::InitParser();
  std::string path = TempPath("append.xml");
  std::remove(path.c_str());
  std::string err;
  {
    auto f = RecordFile::Open(path, "https://user:secret@upstream.example/", &err);
    REQUIRE(f);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&f, t] {
        for (int i = 0; i < 10; ++i) {
          Exchange e = Sample("<r t=\"" + std::to_string(t) + "\"/>", "<ok>]]></ok>");
          std::string e2;
          REQUIRE(f->Append(e, &e2));
        }
      });
    for (auto& th : threads) th.join();
    CHECK(f->appended() == 80);
  }
  std::string text = ReadFile(path);
  CHECK(text.find("secret") == std::string::npos);  // the upstream's user info is scrubbed
  CHECK(text.find("upstream=\"https://upstream.example/\"") != std::string::npos);
  std::vector<Exchange> out;
  bool loaded = LoadRecording(path, &out, &err);
  INFO(err);
  REQUIRE(loaded);
  REQUIRE(out.size() == 80);
  std::set<long long> seqs;
  for (const auto& e : out) seqs.insert(e.seq);
  CHECK(seqs.size() == 80);
  CHECK(*seqs.rbegin() == 80);

  {
    auto f = RecordFile::Open(path, "https://upstream.example/", &err);
    REQUIRE(f);
    Exchange e = Sample("<again/>", "<ok/>");
    REQUIRE(f->Append(e, &err));
    CHECK(e.seq == 81);
  }
  REQUIRE(LoadRecording(path, &out, &err));
  CHECK(out.size() == 81);
  CHECK(out.back().request_body == "<again/>");

  // A file that is not a recording is left alone.
  std::string other = TempPath("other.txt");
  { std::ofstream(other) << "not xml"; }
  CHECK_FALSE(RecordFile::Open(other, "http://x", &err));
  CHECK(err.find("is not a recording") != std::string::npos);
  CHECK(ReadFile(other) == "not xml");
  std::remove(path.c_str());
  std::remove(other.c_str());
}

TEST_CASE("Scrubbing: integration codes, Basic credentials, URLs", "[record]") {
  CHECK(ScrubIntegrationCodes(kQueryEnvelope).find("SANDBOX-INTEGRATION") == std::string::npos);
  CHECK(ScrubIntegrationCodes(kQueryEnvelope).find("<IntegrationCode>***</IntegrationCode>") !=
        std::string::npos);
  CHECK(ScrubIntegrationCodes("<a:IntegrationCode x=\"1>\">C</a:IntegrationCode><b>keep</b>") ==
        "<a:IntegrationCode x=\"1>\">***</a:IntegrationCode><b>keep</b>");
  CHECK(ScrubIntegrationCodes("<IntegrationCode><![CDATA[C]]></IntegrationCode>") ==
        "<IntegrationCode>***</IntegrationCode>");
  CHECK(ScrubIntegrationCodes("<IntegrationCode/><IntegrationCode> </IntegrationCode>") ==
        "<IntegrationCode/><IntegrationCode> </IntegrationCode>");
  CHECK(ScrubIntegrationCodes("<IntegrationCodeX>k</IntegrationCodeX>") ==
        "<IntegrationCodeX>k</IntegrationCodeX>");
  CHECK(ScrubIntegrationCodes("<IntegrationCode>unterminated") == "<IntegrationCode>***");
  CHECK(ScrubIntegrationCodes("<UserName>api@x</UserName>") == "<UserName>api@x</UserName>");

  CHECK(BasicAuthUser("Basic YXBpQGNvbnRvc28uZXhhbXBsZTpzYW5kYm94") == "api@contoso.example");
  CHECK(BasicAuthUser("basic   YXBpQGNvbnRvc28uZXhhbXBsZTpzYW5kYm94 ") == "api@contoso.example");
  CHECK(BasicAuthUser("Bearer abc") == "");
  CHECK(BasicAuthUser("Basic !!!") == "");

  CHECK(ScrubUrl("https://u:p@webservices5.autotask.net/x") ==
        "https://webservices5.autotask.net/x");
  CHECK(ScrubUrl("http://127.0.0.1:8080") == "http://127.0.0.1:8080");
  CHECK(ScrubUrl("http://h/p@q") == "http://h/p@q");
}

TEST_CASE("Content types the HTTP layer can send", "[record]") {
  using record::http_util::SendableContentType;
  CHECK(SendableContentType("text/xml; charset=utf-8") == "text/xml; charset=utf-8");
  CHECK(SendableContentType("application/soap+xml") == "application/soap+xml");
  CHECK(SendableContentType("") == "text/plain");
  CHECK(SendableContentType("weird") == "application/octet-stream");
  CHECK(SendableContentType("foo/bar") == "application/octet-stream");
  CHECK(SendableContentType("text/") == "application/octet-stream");
}

TEST_CASE("Query strings: as the client wrote them, matched without case or order", "[record]") {
  CHECK(CleanQuery("WSDL=") == "WSDL");
  CHECK(CleanQuery("a=1&b=") == "a=1&b");
  CHECK(CleanQuery("") == "");
  CHECK(QueryKey("WSDL=") == QueryKey("wsdl"));
  CHECK(QueryKey("b=2&A=1") == "a=1&b=2");
  CHECK(QueryKey("wsdl") != QueryKey("wsdl=1"));
}

TEST_CASE("Normaliser: the same request from two clients is the same", "[record]") {
  xml::InitParser();
  Normalised a = Normalise(kQueryEnvelope);
  Normalised b = Normalise(kQueryEnvelopeOtherClient);
  CHECK(a.xml);
  CHECK(a.operation == "query");
  CHECK(b.operation == "query");
  CHECK(a.items == b.items);
  CHECK(FirstDifference(a, b).empty());
  CHECK(Similarity(a, b) == 1.0);

  // The QueryXML is listed element by element under sXML.
  bool saw_expression = false;
  for (const auto& i : a.items)
    if (i.path == "Envelope/Body/query/sXML/queryxml/query/field/expression") {
      saw_expression = true;
      CHECK(i.attrs == "op=\"greaterthan\"");
      CHECK(i.text == "0");
    }
  CHECK(saw_expression);

  // xsi:type naming an XML Schema type is how a client encodes; an entity type is what it asks.
  const char* typed =
      "<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:t=\"http://autotask.net/ATWS/v1_6/\" "
      "e:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><e:Body><t:create>"
      "<t:Entities><t:Entity xsi:type=\"t:Ticket\"><t:Title xsi:type=\"xsd:string\">T</t:Title>"
      "<t:DueDateTime xsi:nil=\"1\"/></t:Entity></t:Entities></t:create></e:Body></e:Envelope>";
  const char* plain =
      "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Header/><Body>"
      "<create xmlns=\"http://autotask.net/ATWS/v1_6/\" "
      "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><Entities>"
      "<Entity i:type=\"Ticket\"><Title>T</Title><DueDateTime i:nil=\"true\"/></Entity>"
      "</Entities></create></Body></Envelope>";
  CHECK(Normalise(typed).items == Normalise(plain).items);
  std::string account = plain;
  account.replace(account.find("\"Ticket\""), 8, "\"Account\"");
  std::string d = FirstDifference(Normalise(account), Normalise(plain));
  CHECK(d ==
        "at create/Entities/Entity the request has attributes [type=\"Account\"] where the "
        "recording has [type=\"Ticket\"]");
}

TEST_CASE("Normaliser: differences are found and said in words", "[record]") {
  xml::InitParser();
  std::string changed = kQueryEnvelope;
  changed.replace(changed.find("&gt;0&lt;"), 9, "&gt;12345&lt;");
  Normalised req = Normalise(changed);
  Normalised rec = Normalise(kQueryEnvelope);
  CHECK(req.items != rec.items);
  CHECK(FirstDifference(req, rec) ==
        "at query/sXML/queryxml/query/field/expression the request has \"12345\" where the "
        "recording has \"0\"");
  double s = Similarity(req, rec);
  CHECK(s > 0.8);
  CHECK(s < 1.0);

  // An extra and a missing element.
  std::string extra = changed;
  extra.replace(extra.find("&lt;/query&gt;"), 0,
                "&lt;field&gt;Status&lt;expression op=\"equals\"&gt;1&lt;/expression&gt;"
                "&lt;/field&gt;");
  std::string base = kQueryEnvelope;
  base.replace(base.find("&gt;0&lt;"), 9, "&gt;12345&lt;");
  CHECK(FirstDifference(Normalise(extra), Normalise(base)) ==
        "the request has an extra query/sXML/queryxml/query/field = \"Status\"");
  CHECK(FirstDifference(Normalise(base), Normalise(extra)) ==
        "the request lacks query/sXML/queryxml/query/field = \"Status\"");

  // Whitespace inside a value counts.
  CHECK(Normalise("<a><b> x</b></a>").items != Normalise("<a><b>x</b></a>").items);
  CHECK(Normalise("<a>\n  <b>x</b>\n</a>").items == Normalise("<a><b>x</b></a>").items);

  // Bodies that are not XML are compared as text.
  Normalised r1 = Normalise("not xml at all");
  Normalised r2 = Normalise("not xml at ALL");
  CHECK_FALSE(r1.xml);
  CHECK(r1.items != r2.items);
  CHECK(FirstDifference(r1, r2).find("at byte 12") != std::string::npos);
  CHECK(Normalise("").items.empty());
}

TEST_CASE("Replayer in memory: order of repeated requests, near misses, odd bodies", "[record]") {
  xml::InitParser();
  std::vector<Exchange> ex = {Sample(kQueryEnvelope, "<first/>"),
                              Sample(kQueryEnvelope, "<second/>")};
  ex[1].seq = 2;
  ReplayerOptions opt;
  opt.log = false;
  auto r = Replayer::FromExchanges(opt, ex);
  service::HttpRequest q;
  q.method = "POST";
  q.path = "/ATServices/1.6/atws.asmx";
  q.body = kQueryEnvelopeOtherClient;
  CHECK(r->Handle(q).body == "<first/>");
  CHECK(r->Handle(q).body == "<second/>");
  CHECK(r->Handle(q).body == "<second/>");
  r->Rewind();
  CHECK(r->Handle(q).body == "<first/>");

  // A body that is neither XML nor UTF-8: a fault, and a near miss that still reads as JSON.
  q.body = std::string("\xff\xfe\x01 not xml ") + std::string(20000, 'x');
  service::HttpResponse miss = r->Handle(q);
  CHECK(miss.status == 500);
  CHECK(miss.body.find("nearest: exchange 1 (the request body is not XML") != std::string::npos);
  service::HttpRequest admin;
  admin.method = "GET";
  admin.path = "/__admin/replay/near-misses";
  service::HttpResponse list = r->Handle(admin);
  CHECK(list.status == 200);
  auto j = nlohmann::json::parse(list.body);
  CHECK(j["count"] == 1);
  CHECK(j["near_misses"][0]["request"]["body"].get<std::string>().size() < 17000);
  CHECK(r->Summary() == "replay: 2 requests, 1 matched, 1 near misses");

  // Admin access: loopback only unless allowed; the token when set.
  admin.peer = "10.0.0.8";
  CHECK(r->Handle(admin).status == 403);
  opt.admin.token = "t0k";
  auto guarded = Replayer::FromExchanges(opt, ex);
  admin.peer = "127.0.0.1";
  CHECK(guarded->Handle(admin).status == 401);
  admin.authorization = "Bearer t0k";
  CHECK(guarded->Handle(admin).status == 200);
  // Other admin paths without a fallback.
  admin.path = "/__admin/health";
  CHECK(guarded->Handle(admin).status == 404);

  // An empty recording.
  auto empty = Replayer::FromExchanges(opt, {});
  q.body = kQueryEnvelope;
  CHECK(empty->Handle(q).body.find("the recording is empty") != std::string::npos);
}
