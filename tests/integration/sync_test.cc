// An incremental-sync client over HTTP (docs/change-tracking.md): it polls
// `LastActivityDate > T` (paging by id) and DeletedTicketActivityLog `DeletedDateTime > T`
// while creates, updates and deletes happen between its polls, with the clock frozen, moving by
// milliseconds or not at all, and across the autumn DST hour. It must miss nothing.
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "test_env.h"

using namespace atws;
using namespace atws::testing;

namespace {

struct Row {
  long long id = 0;
  std::string stamp;     // the polled date field
  long long parent = 0;  // TicketID for log rows
};

struct SyncMock : TestServer {
  SyncMock() : TestServer(service::Options{}, 0) {
    for (const auto& t : svc->tenants())
      for (const auto& u : t->spec.users)
        if (u.username == kUser) resource = u.resource_id;
  }
  std::string Call(const std::string& inner) {
    auto r = HttpCall(server->port(), "POST", kZone5, Envelope(inner),
                      {{"Authorization", BasicAuth(kUser, kPass)}});
    return r.body;
  }
  long long Write(const char* op, const std::string& entity) {
    std::string b = Call(std::string("<") + op + " xmlns=\"" + kNs + "\"><Entities>" + entity +
                         "</Entities></" + op + ">");
    INFO(b.substr(0, 600));
    REQUIRE(Between(b, "<ReturnCode>", "</ReturnCode>") == "1");
    std::string id = Between(b, "<EntityId>", "</EntityId>");
    return id.empty() ? 0 : std::stoll(id);
  }
  long long NewTicket(const std::string& title) {
    return Write("create", "<Entity xsi:type=\"Ticket\"><AccountID>0</AccountID><Title>" + title +
                               "</Title><Status>1</Status><Priority>2</Priority></Entity>");
  }
  // Every row of `entity` with `field` > t (and the extra condition), paging by id as the
  // best-practices page says.
  std::vector<Row> Poll(const std::string& entity, const std::string& field, const std::string& t,
                        const std::string& extra = "") {
    std::vector<Row> rows;
    long long last = 0;
    for (;;) {
      std::string q = "<queryxml><entity>" + entity + "</entity><query><field>" + field +
                      "<expression op=\"GreaterThan\">" + t +
                      "</expression></field><field>id<expression op=\"GreaterThan\">" +
                      std::to_string(last) + "</expression></field>" + extra +
                      "</query></queryxml>";
      std::string b =
          Call(std::string("<query xmlns=\"") + kNs + "\"><sXML>" + Esc(q) + "</sXML></query>");
      REQUIRE(Between(b, "<ReturnCode>", "</ReturnCode>") == "1");
      size_t p = 0, n = 0;
      while ((p = b.find("<Entity ", p)) != std::string::npos) {
        Row r;
        r.id = std::stoll(Between(b, "<id>", "</id>", p));
        size_t end = b.find("</Entity>", p);
        std::string one = b.substr(p, end - p);
        r.stamp = Between(one, "<" + field + " xsi:type=\"xsd:dateTime\">", "<");
        std::string parent = Between(one, "<TicketID xsi:type=\"xsd:int\">", "<");
        if (!parent.empty()) r.parent = std::stoll(parent);
        rows.push_back(r);
        last = r.id;
        p = end;
        ++n;
      }
      if (n < 500) break;
    }
    return rows;
  }
  void Advance(long long ms) { svc->clock().Advance(ms * 1000); }
  long long resource = 0;
};

std::string MaxStamp(const std::vector<Row>& rows, std::string hwm) {
  for (const auto& r : rows) hwm = std::max(hwm, r.stamp);  // API form keeps the order
  return hwm;
}

}  // namespace

TEST_CASE("Incremental sync by LastActivityDate misses nothing", "[write][sync]") {
  SyncMock m;
  m.svc->clock().SetFrozen(UtcAt("2026-11-28T15:00:00"));  // after every row of the default data
  std::mt19937 rng(20261128);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };

  std::vector<long long> tickets;
  for (int i = 0; i < 5; ++i) tickets.push_back(m.NewTicket("sync " + std::to_string(i)));
  // The client's first (full) sync: everything up to now.
  std::string hwm = MaxStamp(m.Poll("Ticket", "LastActivityDate", "2026-11-28T09:00:00"), "");
  std::string hwm_del = "2026-11-28T09:00:00";
  REQUIRE_FALSE(hwm.empty());

  std::set<long long> touched;          // tickets changed since the last poll
  std::multiset<long long> deleted_on;  // tickets whose time entries were deleted since
  std::vector<std::pair<long long, long long>> entries;  // (time entry, ticket)
  int polls = 0, writes = 0;
  for (int round = 0; round < 60; ++round) {
    int ops = 1 + static_cast<int>(pick(4));
    for (int k = 0; k < ops; ++k) {
      long long t = tickets[pick(tickets.size())];
      switch (pick(6)) {
        case 0:
          tickets.push_back(m.NewTicket("sync new " + std::to_string(round)));
          touched.insert(tickets.back());
          break;
        case 1:
          m.Write("update", "<Entity xsi:type=\"Ticket\"><id>" + std::to_string(t) +
                                "</id><Title>sync r" + std::to_string(round) + "</Title></Entity>");
          touched.insert(t);
          break;
        case 2:
          m.Write("create", "<Entity xsi:type=\"TicketNote\"><TicketID>" + std::to_string(t) +
                                "</TicketID><Description>note</Description><NoteType>1"
                                "</NoteType><Publish>1</Publish></Entity>");
          touched.insert(t);
          break;
        case 3:
          entries.emplace_back(
              m.Write("create", "<Entity xsi:type=\"TimeEntry\"><TicketID>" + std::to_string(t) +
                                    "</TicketID><ResourceID>" + std::to_string(m.resource) +
                                    "</ResourceID><HoursWorked>0.5</HoursWorked></Entity>"),
              t);
          touched.insert(t);
          break;
        case 4:
          if (!entries.empty()) {
            size_t i = pick(entries.size());
            m.Write("delete", "<Entity xsi:type=\"TimeEntry\"><id>" +
                                  std::to_string(entries[i].first) + "</id></Entity>");
            touched.insert(entries[i].second);
            deleted_on.insert(entries[i].second);
            entries.erase(entries.begin() + static_cast<long>(i));
          }
          break;
        default: {
          // A time entry edited: LastModifiedDateTime on it, activity on its ticket.
          if (!entries.empty()) {
            auto& e = entries[pick(entries.size())];
            m.Write("update", "<Entity xsi:type=\"TimeEntry\"><id>" + std::to_string(e.first) +
                                  "</id><SummaryNotes>edited</SummaryNotes></Entity>");
            touched.insert(e.second);
          }
        }
      }
      ++writes;
      // The clock: often not at all (same millisecond), sometimes a little, sometimes seconds.
      switch (pick(3)) {
        case 0:
          break;
        case 1:
          m.Advance(1);
          break;
        default:
          m.Advance(static_cast<long long>(pick(5000)));
      }
    }
    if (pick(2) == 0) continue;  // poll every other round or so
    ++polls;
    auto rows = m.Poll("Ticket", "LastActivityDate", hwm);
    std::set<long long> seen;
    for (const auto& r : rows) {
      seen.insert(r.id);
      CHECK(r.stamp > hwm);
    }
    for (long long t : touched) {
      INFO("round " << round << ": ticket " << t << " changed after " << hwm);
      CHECK(seen.count(t) == 1);
    }
    hwm = MaxStamp(rows, hwm);
    auto logs = m.Poll("DeletedTicketActivityLog", "DeletedDateTime", hwm_del);
    std::multiset<long long> logged;
    for (const auto& r : logs) logged.insert(r.parent);
    CHECK(logged == deleted_on);
    hwm_del = MaxStamp(logs, hwm_del);
    touched.clear();
    deleted_on.clear();
  }
  CHECK(polls > 10);
  CHECK(writes > 60);
}

TEST_CASE("Incremental sync across the autumn DST hour misses nothing", "[write][sync][dst]") {
  SyncMock m;
  // Only the test's own tickets: the default data's dates lie after 1 November.
  const std::string mine = "<field>Title<expression op=\"BeginsWith\">dst-</expression></field>";
  // 01:30 EDT (first pass of the repeated hour).
  m.svc->clock().SetFrozen(UtcAt("2026-11-01T05:30:00"));
  long long a = m.NewTicket("dst-a");
  long long b = m.NewTicket("dst-b");
  auto rows = m.Poll("Ticket", "LastActivityDate", "2026-11-01T00:00:00", mine);
  REQUIRE(rows.size() == 2);
  std::string hwm = MaxStamp(rows, "");
  CHECK(hwm == "2026-11-01T01:30:00.001");
  // The client polls again at 01:50 EDT and remembers its own clock as well.
  m.svc->clock().SetFrozen(UtcAt("2026-11-01T05:50:00"));
  CHECK(m.Poll("Ticket", "LastActivityDate", hwm, mine).empty());
  const std::string poll_time = "2026-11-01T01:50:00";

  // 01:10 EST: the naive clock shows an earlier time than before.
  m.svc->clock().SetFrozen(UtcAt("2026-11-01T06:10:00"));
  m.Write("update", "<Entity xsi:type=\"Ticket\"><id>" + std::to_string(a) +
                        "</id><Title>dst-a2</Title>"
                        "</Entity>");
  m.Write("create", "<Entity xsi:type=\"TicketNote\"><TicketID>" + std::to_string(b) +
                        "</TicketID><Description>n</Description><NoteType>1</NoteType>"
                        "<Publish>1</Publish></Entity>");
  for (const std::string& t : {hwm, poll_time}) {
    INFO("polling > " << t);
    auto r = m.Poll("Ticket", "LastActivityDate", t, mine);
    std::set<long long> ids;
    for (const auto& x : r) ids.insert(x.id);
    CHECK(ids == std::set<long long>{a, b});
  }
  rows = m.Poll("Ticket", "LastActivityDate", hwm, mine);
  std::string hwm2 = MaxStamp(rows, hwm);
  CHECK(hwm2 > "2026-11-01T01:59:59");  // above everything the naive clock has shown

  // Later in the repeated hour, and after it: still found, still increasing.
  m.svc->clock().SetFrozen(UtcAt("2026-11-01T06:40:00"));
  m.Write("update", "<Entity xsi:type=\"Ticket\"><id>" + std::to_string(b) +
                        "</id><Title>dst-b2</Title>"
                        "</Entity>");
  rows = m.Poll("Ticket", "LastActivityDate", hwm2, mine);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].id == b);
  std::string hwm3 = MaxStamp(rows, hwm2);
  m.svc->clock().SetFrozen(UtcAt("2026-11-01T07:05:00"));  // 02:05 EST
  m.Write("update", "<Entity xsi:type=\"Ticket\"><id>" + std::to_string(a) +
                        "</id><Title>dst-a3</Title>"
                        "</Entity>");
  rows = m.Poll("Ticket", "LastActivityDate", hwm3, mine);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].id == a);
  CHECK(rows[0].stamp == "2026-11-01T02:05:00");
}
