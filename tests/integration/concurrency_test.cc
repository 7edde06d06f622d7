// Concurrency: several tenants' calls, writes, admin changes, tenant resets and delayed answers
// at the same time, through real HTTP. Tagged [concurrency]: scripts/test also runs these under
// ThreadSanitizer (build-tsan/, suppressions in tests/tsan.supp).
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "test_env.h"

using namespace atws;
using namespace atws::testing;

namespace {

struct TenantUser {
  long long id;
  std::string user, path;
};
const TenantUser kA{kContoso, kUser, kZone5};
const TenantUser kB{kGermanTenant, kGermanUser, kZone18};

HttpResult Call(uint16_t port, const TenantUser& t, const std::string& inner) {
  return HttpCall(
      port, "POST", t.path, Envelope(inner),
      {{"Content-Type", "text/xml; charset=utf-8"}, {"Authorization", BasicAuth(t.user, kPass)}});
}

std::string Query(const std::string& criteria) {
  return "<query xmlns=\"" + kNs + "\"><sXML>" +
         Esc("<queryxml><entity>Ticket</entity><query>" + criteria + "</query></queryxml>") +
         "</sXML></query>";
}

std::string CreateTicket(const std::string& title) {
  return "<create xmlns=\"" + kNs +
         "\"><Entities><Entity xsi:type=\"Ticket\"><AccountID>0</AccountID><Title>" + Esc(title) +
         "</Title><Status>1</Status><Priority>2</Priority><DueDateTime>2026-12-01T10:00:00"
         "</DueDateTime></Entity></Entities></create>";
}

struct Errors {
  std::mutex mu;
  std::vector<std::string> list;
  void Add(std::string e) {
    std::lock_guard<std::mutex> l(mu);
    if (list.size() < 20) list.push_back(std::move(e));
  }
};

}  // namespace

TEST_CASE("Concurrent calls of two tenants with writes and admin changes", "[concurrency]") {
  TestServer m(service::Options{}, 4);
  for (const auto& t : {kA, kB})
    REQUIRE(m.Admin("PUT", "/__admin/tenants/" + std::to_string(t.id) + "/settings",
                    "{\"thread_limit\": 0, \"settle_delay_ms\": 50}")
                .status == 200);
  std::atomic<bool> stop{false};
  Errors errors;
  std::mutex ids_mu;
  std::map<long long, std::set<long long>> ids;  // tenant -> ticket ids created
  std::map<long long, int> created;
  auto writer = [&](const TenantUser& t, int n) {
    for (int i = 0; i < 30 && !stop; ++i) {
      std::string title = "conc-" + std::to_string(n) + "-" + std::to_string(i);
      auto r = Call(m.port, t, CreateTicket(title));
      std::string id = Between(r.body, "<EntityId>", "</EntityId>");
      if (r.status != 200 || id.empty()) {
        errors.Add("create " + title + ": " + r.body.substr(0, 300));
        continue;
      }
      auto u = Call(m.port, t,
                    "<update xmlns=\"" + kNs + "\"><Entities><Entity xsi:type=\"Ticket\"><id>" +
                        id + "</id><Title>" + title + "-u</Title></Entity></Entities></update>");
      if (Between(u.body, "<ReturnCode>", "</ReturnCode>") != "1")
        errors.Add("update " + id + ": " + u.body.substr(0, 300));
      auto q = Call(m.port, t, Query(Field("id", "Equals", id)));
      if (Between(q.body, "<Title xsi:type=\"xsd:string\">", "</Title>") != title + "-u")
        errors.Add("read back " + id + ": " + q.body.substr(0, 300));
      std::lock_guard<std::mutex> l(ids_mu);
      if (!ids[t.id].insert(std::stoll(id)).second) errors.Add("id twice: " + id);
      ++created[t.id];
    }
  };
  auto reader = [&](const TenantUser& t) {
    while (!stop) {
      auto r = Call(m.port, t, Query(Field("id", "GreaterThan", "0")));
      if (r.status != 200 || Rows(r.body) != 500) errors.Add("page: " + r.body.substr(0, 300));
    }
  };
  auto admin = [&] {
    for (int i = 0; !stop; ++i) {
      m.Admin("GET", "/__admin/journal?limit=50");
      m.Admin("GET", "/__admin/tenants");
      m.Admin("PUT", "/__admin/tenants/29684700/usage",
              "{\"calls\": " + std::to_string(i % 50) + "}");
      m.Admin("PUT", "/__admin/tenants/29684700/settings",
              "{\"latency_tier1_ms\": " + std::to_string(i % 7) + "}");
      m.Admin("GET", "/__admin/tenants/29683500/usage");
    }
  };
  auto hostile = [&] {
    while (!stop) {
      auto r = HttpCall(m.port, "POST", kA.path, "<soap:Envelope", {});
      if (r.status != 500) errors.Add("hostile: " + std::to_string(r.status));
    }
  };
  std::vector<std::thread> threads;
  for (int n = 0; n < 3; ++n) threads.emplace_back(writer, kA, n);
  threads.emplace_back(writer, kB, 10);
  threads.emplace_back(reader, kA);
  threads.emplace_back(reader, kB);
  threads.emplace_back(admin);
  threads.emplace_back(hostile);
  for (size_t i = 0; i < 4; ++i) threads[i].join();
  stop = true;
  for (size_t i = 4; i < threads.size(); ++i) threads[i].join();
  INFO((errors.list.empty() ? std::string() : errors.list.front()));
  CHECK(errors.list.empty());
  CHECK(created[kA.id] == 90);
  CHECK(created[kB.id] == 30);
  CHECK(ids[kA.id].size() == 90);
  // Each tenant holds exactly its own new tickets.
  auto a = Call(m.port, kA, Query(Field("Title", "BeginsWith", "conc-")));
  auto b = Call(m.port, kB, Query(Field("Title", "BeginsWith", "conc-")));
  CHECK(Rows(a.body) == 90);
  CHECK(Rows(b.body) == 30);
}

TEST_CASE("A tenant reset while its calls run", "[concurrency]") {
  TestServer m(service::Options{}, 4);
  std::atomic<bool> stop{false};
  Errors errors;
  std::atomic<int> calls{0};
  auto reader = [&] {
    while (!stop) {
      auto r = Call(m.port, kA, Query(Field("id", "GreaterThan", "0")));
      ++calls;
      if (r.status != 200 || Between(r.body, "<ReturnCode>", "</ReturnCode>") != "1" ||
          Rows(r.body) != 500)
        errors.Add("query during reset: " + r.body.substr(0, 300));
    }
  };
  auto writer = [&] {
    for (int i = 0; !stop; ++i) {
      auto r = Call(m.port, kA, CreateTicket("reset-" + std::to_string(i)));
      ++calls;
      if (r.status != 200 || Between(r.body, "<ReturnCode>", "</ReturnCode>") != "1")
        errors.Add("create during reset: " + r.body.substr(0, 300));
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(reader);
  threads.emplace_back(reader);
  threads.emplace_back(writer);
  for (int i = 0; i < 8; ++i) {
    auto r = m.Admin("POST", "/__admin/reset?tenant=29683500");
    if (r.status != 200) errors.Add("reset: " + r.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  for (auto& t : threads) t.join();
  INFO((errors.list.empty() ? std::string() : errors.list.front()));
  CHECK(errors.list.empty());
  CHECK(calls > 10);
}

TEST_CASE("Delayed answers while their clients go away", "[concurrency]") {
  TestServer m(service::Options{}, 2);
  // Tier 1 from the first call: every answer of tenant A waits 80 ms in the delay queue.
  REQUIRE(m.Admin("PUT", "/__admin/tenants/29683500/settings",
                  "{\"threshold\": 100000, \"latency_tier1_pct\": 0, \"latency_tier1_ms\": 80, "
                  "\"thread_limit\": 0}")
              .status == 200);
  std::string body = Envelope(Query(Field("id", "GreaterThan", "0")));
  std::string request =
      "POST " + kA.path +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nAuthorization: " +
      BasicAuth(kA.user, kPass) + "\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  std::atomic<int> answered{0};
  auto quitter = [&] {
    for (int i = 0; i < 40; ++i) {
      RawConn c(m.port);
      c.Send(request);
      if (i % 2) std::this_thread::sleep_for(std::chrono::milliseconds(i % 5 * 20));
    }  // closed before (or while) the answer is sent
  };
  auto patient = [&] {
    for (int i = 0; i < 15; ++i) {
      RawConn c(m.port);
      c.Send(request);
      if (StatusOf(c.ReadResponse(10000)) == 200) ++answered;
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back(quitter);
  threads.emplace_back(patient);
  for (auto& t : threads) t.join();
  CHECK(answered == 15);
  auto h = m.Admin("GET", "/__admin/health");
  CHECK(h.status == 200);
}
