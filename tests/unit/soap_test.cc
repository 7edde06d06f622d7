#include "soap/soap.h"

#include <dirent.h>

#include <catch2/catch.hpp>

#include "test_util.h"
#include "xml/xml.h"

using namespace atws;
using atws::testing::ReadFile;

namespace {

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The operation and arguments each captured step must decode to.
void CheckStep(const std::string& client, const std::string& step, const soap::Request& r) {
  INFO(client << "/" << step);
  CHECK(r.body_ns == "http://autotask.net/ATWS/v1_6/");
  std::string base = step.substr(0, step.find('.'));
  if (base == "getZoneInfo") {
    CHECK(r.operation == "getZoneInfo");
    REQUIRE(r.Arg("UserName"));
    CHECK(*r.Arg("UserName") == "api.user@example.com");
    return;
  }
  // Every other call carries the integration code.
  CHECK(r.has_integration_code);
  CHECK(r.integration_code == "INTEGRATIONCODE0123456789AB");
  if (base == "getEntityInfo") {
    CHECK(r.operation == "GetEntityInfo");
  } else if (base == "getFieldInfo_Ticket") {
    CHECK(r.operation == "GetFieldInfo");
    REQUIRE(r.Arg("psObjectType"));
    CHECK(*r.Arg("psObjectType") == "Ticket");
  } else if (base == "getUDFInfo_Ticket") {
    CHECK(r.operation == "getUDFInfo");
    REQUIRE(r.Arg("psTable"));
    CHECK(*r.Arg("psTable") == "Ticket");
  } else if (base == "getThresholdAndUsageInfo" || base == "badCredentials") {
    CHECK(r.operation == "getThresholdAndUsageInfo");
  } else if (base.rfind("query_", 0) == 0 || base == "update_Ticket_prefetch") {
    CHECK(r.operation == "query");
    REQUIRE(r.Arg("sXML"));
    CHECK(r.Arg("sXML")->find("<queryxml") != std::string::npos);
    CHECK(r.Arg("sXML")->find("<entity>") != std::string::npos);
  } else if (base == "create_Ticket" || base == "update_Ticket") {
    CHECK(r.operation == (base == "create_Ticket" ? "create" : "update"));
    REQUIRE(r.entities.size() == 1);
    CHECK(r.entities[0].type == "Ticket");
    bool has_title = false;
    for (const auto& f : r.entities[0].fields)
      if (f.name == "Title" && f.text.find("clientkit") != std::string::npos) has_title = true;
    CHECK(has_title);
  } else {
    FAIL("no expectation for step " << base);
  }
}

}  // namespace

TEST_CASE("Every captured client envelope decodes to its operation and arguments", "[soap]") {
  xml::InitParser();
  std::string root = std::string(ATWS_TEST_DATA) + "/client-requests";
  int decoded = 0;
  for (const auto& client : ListDir(root)) {
    if (client.find('.') != std::string::npos) continue;  // README.md
    for (const auto& file : ListDir(root + "/" + client)) {
      if (file.size() < 4 || file.substr(file.size() - 4) != ".xml") continue;
      soap::Request r;
      std::string err;
      bool ok = soap::Decode(ReadFile(root + "/" + client + "/" + file), {}, &r, &err);
      INFO(client << "/" << file << ": " << err);
      REQUIRE(ok);
      CheckStep(client, file, r);
      ++decoded;
    }
  }
  CHECK(decoded >= 90);
}

TEST_CASE("Malformed and hostile envelopes are refused with a reason", "[soap]") {
  soap::Request r;
  std::string err;
  CHECK_FALSE(soap::Decode("<soap:Envelope", {}, &r, &err));
  CHECK(err.find("not well-formed") != std::string::npos);
  CHECK_FALSE(soap::Decode("<x/>", {}, &r, &err));
  CHECK(err.find("Envelope") != std::string::npos);
  CHECK_FALSE(soap::Decode(
      "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      "<query xmlns=\"http://autotask.net/ATWS/v1_6/\"><sXML>&x;</sXML></query></s:Body>"
      "</s:Envelope>",
      {}, &r, &err));
  CHECK(err == "DTD is not allowed.");
  CHECK_FALSE(soap::Decode(
      "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body/></e:Envelope>", {},
      &r, &err));
  CHECK(err.find("SOAP 1.2") != std::string::npos);
  std::string deep = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>";
  for (int i = 0; i < 200; ++i) deep += "<a>";
  for (int i = 0; i < 200; ++i) deep += "</a>";
  deep += "</s:Body></s:Envelope>";
  CHECK_FALSE(soap::Decode(deep, {}, &r, &err));
  CHECK(err.find("deeper") != std::string::npos);
  soap::DecodeLimits small;
  small.max_bytes = 100;
  CHECK_FALSE(soap::Decode(std::string(200, ' '), small, &r, &err));
  CHECK(err.find("too large") != std::string::npos);
}

TEST_CASE("Fault envelopes escape the message", "[soap]") {
  std::string f = soap::Fault("soap:Client", "bad <thing> & more");
  CHECK(f.find("<faultcode>soap:Client</faultcode>") != std::string::npos);
  CHECK(f.find("bad &lt;thing&gt; &amp; more") != std::string::npos);
}
