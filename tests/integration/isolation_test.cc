// Tenant isolation: a user of one tenant tries to read and change another tenant's rows by id,
// by query, through attachments, through the other tenant's zone, and the admin API is tried
// without its token and from a remote peer. Every attempt fails and no row changes.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "common/text.h"
#include "control/admin.h"
#include "hardening_util.h"
#include "test_env.h"
#include "xml/xml.h"

using namespace atws;
using namespace atws::testing;

namespace {

const std::string& kA = kUser;        // tenant A: 29683500, zone 5
const std::string& kB = kGermanUser;  // tenant B: 29684100, zone 18

std::vector<long long> Ids(const std::string& body) {
  std::vector<long long> ids;
  static const std::regex re("<Entity xsi:type=\"[A-Za-z]+\"><id>([0-9]+)</id>");
  for (std::sregex_iterator it(body.begin(), body.end(), re), end; it != end; ++it)
    ids.push_back(std::stoll((*it)[1].str()));
  return ids;
}

struct Isolation : TestServer {
  Isolation() : TestServer(service::Options{}, 2) {
    for (long long t : {kContoso, kGermanTenant}) svc->FindTenant(t)->settings.settle_delay_ms = 0;
  }
  HttpResult As(const std::string& user, const std::string& path, const std::string& inner,
                const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    std::vector<std::pair<std::string, std::string>> h = {
        {"Content-Type", "text/xml; charset=utf-8"}, {"Authorization", BasicAuth(user, kPass)}};
    h.insert(h.end(), extra.begin(), extra.end());
    return HttpCall(port, "POST", path, Envelope(inner), h);
  }
  HttpResult Query(const std::string& user, const std::string& path, const std::string& entity,
                   const std::string& criteria) {
    return As(user, path,
              "<query xmlns=\"" + kNs + "\"><sXML>" +
                  Esc("<queryxml><entity>" + entity + "</entity><query>" + criteria +
                      "</query></queryxml>") +
                  "</sXML></query>");
  }
};

}  // namespace

TEST_CASE("Tenant isolation: rows of another tenant cannot be read or changed", "[isolation]") {
  Isolation m;
  const std::string marker = "ISOLATION-MARKER-7f3a";
  // Tenant A's rows: a new ticket with a marker title, an existing contact.
  auto c =
      m.As(kA, kZone5,
           "<create xmlns=\"" + kNs +
               "\"><Entities><Entity xsi:type=\"Ticket\"><AccountID>0</AccountID><Title>" + marker +
               "</Title><Status>1</Status><Priority>2</Priority><DueDateTime>2026-12-01T10:00:00"
               "</DueDateTime></Entity></Entities></create>");
  REQUIRE(Between(c.body, "<ReturnCode>", "</ReturnCode>") == "1");
  const std::string ticket = Between(c.body, "<EntityId>", "</EntityId>");
  REQUIRE_FALSE(ticket.empty());
  auto contacts = Ids(m.Query(kA, kZone5, "Contact", Field("id", "GreaterThan", "0")).body);
  REQUIRE_FALSE(contacts.empty());
  const std::string contact = std::to_string(contacts.front());
  std::set<long long> a_tickets;
  for (std::string last = "0";;) {
    auto ids = Ids(m.Query(kA, kZone5, "Ticket", Field("id", "GreaterThan", last)).body);
    a_tickets.insert(ids.begin(), ids.end());
    if (ids.size() < 500) break;
    last = std::to_string(ids.back());
  }
  REQUIRE(a_tickets.count(std::stoll(ticket)) == 1);

  auto before = DigestTenants(*m.svc);

  SECTION("by id and by query") {
    for (const std::string& criteria :
         {Field("id", "Equals", ticket), Field("Title", "Equals", marker),
          Field("Title", "Contains", "MARKER"),
          "<condition operator=\"OR\">" + Field("id", "Equals", ticket) +
              "</condition><condition operator=\"OR\">" +
              Field("Title", "BeginsWith", "ISOLATION") + "</condition>"}) {
      INFO(criteria);
      auto r = m.Query(kB, kZone18, "Ticket", criteria);
      CHECK(Between(r.body, "<ReturnCode>", "</ReturnCode>") == "1");
      CHECK(Ids(r.body).empty());
      CHECK(r.body.find(marker) == std::string::npos);
    }
    auto r = m.Query(kB, kZone18, "Contact", Field("id", "Equals", contact));
    CHECK(Ids(r.body).empty());
    // Every ticket tenant B can page through is its own.
    size_t seen = 0;
    for (std::string last = "0";;) {
      auto page = m.Query(kB, kZone18, "Ticket", Field("id", "GreaterThan", last));
      auto ids = Ids(page.body);
      for (long long id : ids) CHECK(a_tickets.count(id) == 0);
      CHECK(page.body.find(marker) == std::string::npos);
      seen += ids.size();
      if (ids.size() < 500) break;
      last = std::to_string(ids.back());
    }
    CHECK(seen > 0);
  }

  SECTION("update and delete by id") {
    auto u = m.As(kB, kZone18,
                  "<update xmlns=\"" + kNs + "\"><Entities><Entity xsi:type=\"Ticket\"><id>" +
                      ticket + "</id><Title>hijacked</Title></Entity></Entities></update>");
    CHECK(Between(u.body, "<ReturnCode>", "</ReturnCode>") == "-1");
    auto uc =
        m.As(kB, kZone18,
             "<update xmlns=\"" + kNs + "\"><Entities><Entity xsi:type=\"Contact\"><id>" + contact +
                 "</id><FirstName>hijacked</FirstName></Entity></Entities></update>");
    CHECK(Between(uc.body, "<ReturnCode>", "</ReturnCode>") == "-1");
    auto d = m.As(kB, kZone18,
                  "<delete xmlns=\"" + kNs + "\"><Entities><Entity xsi:type=\"Contact\"><id>" +
                      contact + "</id></Entity></Entities></delete>");
    CHECK(Between(d.body, "<ReturnCode>", "</ReturnCode>") == "-1");
  }

  SECTION("through the other tenant's zone") {
    // B's user on A's zone endpoint, by path and by Host name.
    auto r = m.Query(kB, kZone5, "Ticket", Field("id", "Equals", ticket));
    CHECK(Between(r.body, "<ReturnCode>", "</ReturnCode>") == "-1");
    CHECK(r.body.find("belongs to zone 18, not to zone 5") != std::string::npos);
    auto h = m.As(kB, kNeutral,
                  "<query xmlns=\"" + kNs + "\"><sXML>" +
                      Esc("<queryxml><entity>Ticket</entity><query>" +
                          Field("id", "Equals", ticket) + "</query></queryxml>") +
                      "</sXML></query>",
                  {{"Host", "webservices5.autotask.net"}});
    CHECK(h.body.find("belongs to zone 18, not to zone 5") != std::string::npos);
    CHECK(h.body.find(marker) == std::string::npos);
    // On the zone-neutral endpoint B is served as B: its own rows only.
    auto n = m.Query(kB, kNeutral, "Ticket", Field("id", "Equals", ticket));
    CHECK(Ids(n.body).empty());
    // A's user name with a wrong password is no way in either.
    auto w = HttpCall(m.port, "POST", kZone5,
                      QueryEnvelope("<queryxml><entity>Ticket</entity></queryxml>"),
                      {{"Authorization", BasicAuth(kA, "sandbox ")}});
    CHECK(w.status == 401);
  }

  SECTION("impersonating a resource of the other tenant") {
    auto res = Ids(m.Query(kB, kZone18, "Resource", Field("id", "GreaterThan", "0")).body);
    REQUIRE_FALSE(res.empty());
    std::string env =
        "<?xml version=\"1.0\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/"
        "envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Header>"
        "<AutotaskIntegrations xmlns=\"" +
        kNs + "\"><IntegrationCode>SANDBOX-INTEGRATION</IntegrationCode><ImpersonateAsResourceID>" +
        std::to_string(res.front()) +
        "</ImpersonateAsResourceID></AutotaskIntegrations></soap:Header><soap:Body><update "
        "xmlns=\"" +
        kNs + "\"><Entities><Entity xsi:type=\"Ticket\"><id>" + ticket +
        "</id><Title>impersonated</Title></Entity></Entities></update></soap:Body></soap:Envelope>";
    auto r = HttpCall(m.port, "POST", kZone5, env, {{"Authorization", BasicAuth(kA, kPass)}});
    CHECK(Between(r.body, "<ReturnCode>", "</ReturnCode>") == "-1");
    CHECK(r.body.find("ImpersonateAsResourceID") != std::string::npos);
  }

  SECTION("through attachments") {
    auto att =
        m.As(kA, kZone5,
             "<CreateAttachment xmlns=\"" + kNs + "\"><attachment><Info><ParentID>" + ticket +
                 "</ParentID><ParentType>4</ParentType><Type>FILE_ATTACHMENT</Type>"
                 "<Title>secret.txt</Title><FullPath>secret.txt</FullPath><Publish>1"
                 "</Publish></Info><Data>" +
                 Base64Encode("tenant A secret") + "</Data></attachment></CreateAttachment>");
    REQUIRE(att.status == 200);
    std::string id = Between(att.body, "<CreateAttachmentResult>", "</CreateAttachmentResult>");
    REQUIRE_FALSE(id.empty());
    before = DigestTenants(*m.svc);  // with the attachment
    auto g = m.As(kB, kZone18,
                  "<GetAttachment xmlns=\"" + kNs + "\"><attachmentId>" + id +
                      "</attachmentId></GetAttachment>");
    CHECK(g.status == 500);
    CHECK(g.body.find("<faultcode>") != std::string::npos);
    CHECK(g.body.find(Base64Encode("tenant A secret")) == std::string::npos);
    auto d = m.As(kB, kZone18,
                  "<DeleteAttachment xmlns=\"" + kNs + "\"><attachmentId>" + id +
                      "</attachmentId></DeleteAttachment>");
    CHECK(d.status == 500);
    auto q = m.Query(kB, kZone18, "AttachmentInfo", Field("id", "Equals", id));
    CHECK(Ids(q.body).empty());
    // An attachment of B's pointing at A's ticket: the parent does not exist for B.
    auto p = m.As(kB, kZone18,
                  "<CreateAttachment xmlns=\"" + kNs + "\"><attachment><Info><ParentID>" + ticket +
                      "</ParentID><ParentType>4</ParentType><Type>FILE_ATTACHMENT</Type><Title>x"
                      "</Title><FullPath>x.txt</FullPath><Publish>1</Publish></Info><Data>" +
                      Base64Encode("x") + "</Data></attachment></CreateAttachment>");
    CHECK(p.status == 500);
    // A still gets its attachment.
    auto mine = m.As(kA, kZone5,
                     "<GetAttachment xmlns=\"" + kNs + "\"><attachmentId>" + id +
                         "</attachmentId></GetAttachment>");
    CHECK(mine.body.find(Base64Encode("tenant A secret")) != std::string::npos);
  }

  auto after = DigestTenants(*m.svc);
  INFO(DigestDiff(before, after));
  CHECK(after == before);
  // A's ticket still has its title.
  auto mine = m.Query(kA, kZone5, "Ticket", Field("id", "Equals", ticket));
  CHECK(mine.body.find(marker) != std::string::npos);
}

TEST_CASE("Admin API: without its token nothing is read or changed", "[isolation][admin]") {
  service::Options o;
  o.admin_token = "s3cret-token";
  TestServer m(o, 2);
  auto before = DigestTenants(*m.svc);
  auto clock_before = m.svc->clock().Now();
  struct Req {
    std::string method, path, body;
  } reqs[] = {{"GET", "/__admin/health", ""},
              {"GET", "/__admin/tenants", ""},
              {"GET", "/__admin/journal", ""},
              {"DELETE", "/__admin/journal", ""},
              {"POST", "/__admin/reset", ""},
              {"POST", "/__admin/reset?tenant=29683500", ""},
              {"PUT", "/__admin/tenants/29683500/usage", "{\"calls\": 10000}"},
              {"PUT", "/__admin/tenants/29683500/settings", "{\"threshold\": 1}"},
              {"POST", "/__admin/clock", "{\"advance_seconds\": 86400}"},
              {"POST", "/__admin/tenants/29683500/sources", "{\"label\": \"evil\"}"},
              {"DELETE", "/__admin/tenants/29683500/tickets/8751", ""},
              {"GET", "/__admin/tenants/29683500/users", ""}};
  for (const std::string& auth :
       {std::string(), std::string("Bearer wrong"), std::string("Bearer s3cret-token-and-more"),
        std::string("Bearer S3CRET-TOKEN"), std::string("Basic czNjcmV0LXRva2Vu"),
        std::string("s3cret-token")}) {
    for (const auto& r : reqs) {
      INFO(r.method << " " << r.path << " with '" << auth << "'");
      std::vector<std::pair<std::string, std::string>> h = {{"Content-Type", "application/json"}};
      if (!auth.empty()) h.emplace_back("Authorization", auth);
      auto res = HttpCall(m.port, r.method, r.path, r.body, h);
      CHECK(res.status == 401);
      CHECK(res.body.find("Bearer") != std::string::npos);
    }
  }
  CHECK(DigestTenants(*m.svc) == before);
  CHECK(m.svc->clock().Now() - clock_before < 60LL * 1000000);
  auto usage = HttpCall(m.port, "GET", "/__admin/tenants/29683500/usage", "",
                        {{"Authorization", "Bearer s3cret-token"}});
  REQUIRE(usage.status == 200);
  CHECK(nlohmann::json::parse(usage.body).value("calls", -1) == 0);
  // With the token it answers.
  auto ok =
      HttpCall(m.port, "GET", "/__admin/tenants", "", {{"Authorization", "Bearer s3cret-token"}});
  CHECK(ok.status == 200);
}

TEST_CASE("Admin API: remote peers are refused unless --admin-remote", "[isolation][admin]") {
  // The peer address comes from the socket; the service is asked directly with the addresses a
  // remote client would have (the tests listen on loopback only).
  service::Options o;
  o.admin_token = "tok";
  xml::InitParser();
  service::Service svc(o);
  control::Admin admin(svc);
  auto ask = [&](const std::string& peer, const std::string& auth) {
    service::HttpRequest r;
    r.method = "GET";
    r.path = "/__admin/tenants";
    r.host = "127.0.0.1";
    r.peer = peer;
    r.authorization = auth;
    return admin.Handle(r).status;
  };
  for (const std::string& peer : {"203.0.113.7", "10.0.0.1", "192.168.1.20", "::ffff:10.1.2.3",
                                  "2001:db8::1", "128.0.0.1", "0.0.0.0"}) {
    INFO(peer);
    CHECK(ask(peer, "Bearer tok") == 403);
    CHECK(ask(peer, "") == 403);
  }
  for (const std::string& peer : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
    INFO(peer);
    CHECK(ask(peer, "Bearer tok") == 200);
    CHECK(ask(peer, "") == 401);
  }
  o.admin_remote = true;
  service::Service remote_svc(o);
  control::Admin remote(remote_svc);
  service::HttpRequest r;
  r.method = "GET";
  r.path = "/__admin/tenants";
  r.peer = "203.0.113.7";
  CHECK(remote.Handle(r).status == 401);
  r.authorization = "Bearer tok";
  CHECK(remote.Handle(r).status == 200);
}
