// The admin page (/__admin/ui) and its data endpoints over HTTP, against an in-process server
// of its own with an admin token (the page's files answer without it, the data needs it).
// The page itself is driven in Chromium by tests/e2e/ui_test.sh.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_env.h"

using namespace atws;
using namespace atws::testing;

namespace {

const std::string kToken = "ui-test-token";

service::Options UiOptions() {
  service::Options o;
  o.admin_token = kToken;
  return o;
}

struct UiMock : TestServer {
  UiMock() : TestServer(UiOptions(), 2) {}
  HttpResult Get(const std::string& target, bool with_token = true) {
    std::vector<std::pair<std::string, std::string>> h;
    if (with_token) h.emplace_back("Authorization", "Bearer " + kToken);
    return HttpCall(port, "GET", target, "", h);
  }
};

UiMock& TheUiMock() {
  static UiMock m;
  return m;
}

}  // namespace

TEST_CASE("The admin page and its files are served from the binary", "[admin][ui]") {
  auto& m = TheUiMock();
  for (const std::string path : {"/__admin/ui", "/__admin/ui/", "/__admin/ui/index.html"}) {
    HttpResult r = m.Get(path, false);  // no token: the files carry no data
    INFO(path);
    REQUIRE(r.status == 200);
    CHECK(r.headers["content-type"].rfind("text/html", 0) == 0);
    CHECK(r.body.find("<!doctype html>") == 0);
    CHECK(r.body.find("/__admin/ui/app.js") != std::string::npos);
    // Nothing from another host, and a policy that says so.
    CHECK(r.body.find("http://") == std::string::npos);
    CHECK(r.body.find("https://") == std::string::npos);
    CHECK(r.headers["content-security-policy"].find("default-src 'none'") != std::string::npos);
    CHECK(r.headers["x-content-type-options"] == "nosniff");
  }
  HttpResult js = m.Get("/__admin/ui/app.js", false);
  REQUIRE(js.status == 200);
  CHECK(js.headers["content-type"].find("javascript") != std::string::npos);
  CHECK(js.body.find("'use strict'") != std::string::npos);
  CHECK(js.body.find("innerHTML") == std::string::npos);  // text nodes only
  HttpResult css = m.Get("/__admin/ui/style.css", false);
  REQUIRE(css.status == 200);
  CHECK(css.headers["content-type"].rfind("text/css", 0) == 0);
  CHECK(css.body.find("@import") == std::string::npos);

  CHECK(m.Get("/__admin/ui/nothing.js", false).status == 404);
  CHECK(HttpCall(m.port, "POST", "/__admin/ui", "x").status == 405);
  // The data behind the page still wants the token.
  CHECK(m.Get("/__admin/tenants", false).status == 401);
  CHECK(m.Get("/__admin/journal/1", false).status == 401);
  CHECK(m.Get("/__admin/tenants/29683500/usage/history", false).status == 401);
}

TEST_CASE("GET /__admin/journal/{seq} answers one entry with its bodies", "[admin][ui]") {
  auto& m = TheUiMock();
  const std::string marker = "AdminUiMarker-7731";
  HttpResult q = m.Soap(kZone5, Query("Account", "AccountName", "equals", marker));
  REQUIRE(q.status == 200);
  auto list = nlohmann::json::parse(m.Get("/__admin/journal?operation=query").body);
  REQUIRE(!list.empty());
  const auto& last = list.back();
  REQUIRE(last.dump().find(marker) != std::string::npos);
  CHECK(!last.contains("request"));  // the list has no bodies unless asked
  long long seq = last["seq"];

  HttpResult one = m.Get("/__admin/journal/" + std::to_string(seq));
  REQUIRE(one.status == 200);
  auto e = nlohmann::json::parse(one.body);
  CHECK(e["seq"] == seq);
  CHECK(e["operation"] == "query");
  CHECK(e["request"].get<std::string>().find(marker) != std::string::npos);
  CHECK(e["response"].get<std::string>().find("<ReturnCode>1</ReturnCode>") != std::string::npos);
  // An earlier entry is found as well (not only the newest).
  if (seq > 1) {
    auto earlier = nlohmann::json::parse(m.Get("/__admin/journal/" + std::to_string(seq - 1)).body);
    CHECK(earlier["seq"] == seq - 1);
  }

  CHECK(m.Get("/__admin/journal/" + std::to_string(seq + 1000)).status == 404);
  CHECK(m.Get("/__admin/journal/0").status == 400);
  CHECK(m.Get("/__admin/journal/abc").status == 400);
  // The list endpoint is unchanged by the new path.
  CHECK(m.Get("/__admin/journal/").status == 200);
}

TEST_CASE("GET /__admin/tenants/{id}/usage/history answers the sampled usage", "[admin][ui]") {
  auto& m = TheUiMock();
  // The service samples when it starts and then every 10 s; the first sample is there at once.
  HttpResult r = m.Get("/__admin/tenants/" + std::to_string(kContoso) + "/usage/history");
  REQUIRE(r.status == 200);
  auto h = nlohmann::json::parse(r.body);
  CHECK(h["tenant"] == kContoso);
  CHECK(h["interval_seconds"] == 10.0);
  CHECK(h["threshold"] == 10000);
  CHECK(h["latency_tier1_pct"] == 50);
  CHECK(h["latency_tier2_pct"] == 75);
  REQUIRE(h["samples"].is_array());
  REQUIRE(!h["samples"].empty());
  const auto& s = h["samples"][0];
  CHECK(s["calls"].is_number_integer());
  CHECK(s["threshold"] == 10000);
  CHECK(s["time"].get<std::string>().back() == 'Z');
  CHECK(s["time_ms"].get<long long>() > 1600000000000LL);

  CHECK(m.Get("/__admin/tenants/" + std::to_string(kContoso) + "/usage/history?minutes=5").status ==
        200);
  CHECK(m.Get("/__admin/tenants/" + std::to_string(kContoso) + "/usage/history?minutes=0").status ==
        400);
  CHECK(m.Get("/__admin/tenants/12345/usage/history").status == 404);
  // The neighbouring endpoints still answer.
  CHECK(m.Get("/__admin/tenants/" + std::to_string(kContoso) + "/usage").status == 200);
}
