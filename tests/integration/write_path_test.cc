// create / update / delete over HTTP against a fresh in-process server.
#include <catch2/catch.hpp>

#include "http/server.h"
#include "http_client.h"
#include "xml/xml.h"

using namespace atws;
using namespace atws::testing;

namespace {

struct WriteMock {
  WriteMock() {
    xml::InitParser();
    svc = std::make_shared<service::Service>(service::Options{});
    http::ServerOptions so;
    so.port = 0;
    server = std::make_unique<http::Server>(svc, so);
    std::string err;
    if (!server->Start(&err)) throw std::runtime_error(err);
  }
  HttpResult Call(const std::string& inner) {
    return HttpCall(server->port(), "POST", "/webservices5/atservices/1.6/atws.asmx",
                    Envelope(inner),
                    {{"Authorization", BasicAuth("api@contoso.example", "sandbox")}});
  }
  std::shared_ptr<service::Service> svc;
  std::unique_ptr<http::Server> server;
};

std::string Between(const std::string& s, const std::string& a, const std::string& b) {
  size_t p = s.find(a);
  if (p == std::string::npos) return "";
  p += a.size();
  return s.substr(p, s.find(b, p) - p);
}

const char* kNs = "http://autotask.net/ATWS/v1_6/";

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

TEST_CASE("update changes only the fields sent; delete is refused where the API refuses it",
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
