// The check-client rules (conformance/client_rules.h) on synthetic journals: for each rule a
// client that follows it and one that breaks it, with the evidence pointing at the right entries.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/rules/client_journal.h"
#include "conformance/rules/client_report.h"
#include "conformance/rules/client_rules.h"
#include "conformance/rules/client_scenarios.h"

namespace cc = atws::conformance::clientcheck;
using nlohmann::json;

namespace {

// "2026-11-28T10:00:00Z" + t seconds, in the journal's format.
std::string At(double t) {
  int whole = static_cast<int>(t);
  int ms = static_cast<int>((t - whole) * 1000 + 0.5);
  return fmt::format("2026-11-28T10:{:02d}:{:02d}.{:03d}Z", whole / 60, whole % 60, ms);
}

json Entry(unsigned seq, double t, const std::string& op, const std::string& entity = "") {
  return {{"seq", seq},
          {"time", At(t)},
          {"tenant", 29683500},
          {"zone", op == "getZoneInfo" ? 0 : 5},
          {"off_zone", false},
          {"user", "api@contoso.example"},
          {"integration_code", op == "getZoneInfo" ? "" : "SANDBOX-INTEGRATION"},
          {"integration_code_sent", op != "getZoneInfo"},
          {"api_version", "1.6"},
          {"operation", op},
          {"entity", entity},
          {"rows", -1},
          {"errors", json::array()},
          {"http_status", 200},
          {"latency_added_ms", 0},
          {"latency_reason", ""}};
}

json Cond(const std::string& field, const std::string& op, const std::string& value) {
  return {{"field", field}, {"udf", false}, {"op", op},
          {"value", value}, {"depth", 0},   {"in_or", false}};
}

// A successful query; id_gt < 0: no "id GreaterThan" bound.
json Query(unsigned seq, double t, const std::string& entity, std::vector<json> conds,
           long long rows, long long last_id, long long id_gt = -1) {
  json e = Entry(seq, t, "query", entity);
  if (id_gt >= 0) conds.push_back(Cond("id", "GreaterThan", std::to_string(id_gt)));
  e["query"] = {{"entity", entity}, {"conditions", conds}, {"or_conditions", 0}};
  if (id_gt >= 0) e["query"]["id_greater_than"] = id_gt;
  e["rows"] = rows;
  e["last_id"] = last_id;
  return e;
}

json Failed(json e, const std::string& error) {
  e["errors"] = json::array({error});
  return e;
}

json Write(unsigned seq, double t, const std::string& op, json records) {
  json e = Entry(seq, t, op, records.empty() ? "" : records[0].value("entity", ""));
  e["written"] = records;
  e["rows"] = static_cast<long long>(records.size());
  return e;
}

json Record(const std::string& entity, long long id, json fields) {
  return {
      {"record", 0}, {"entity", entity}, {"id", id}, {"fields", fields}, {"outcome", "written"}};
}

std::vector<cc::Call> Calls(const std::vector<json>& entries) {
  return cc::CallsFromJson(json(entries));
}

cc::RuleResult Judge(const std::string& rule, const std::vector<json>& entries,
                     const cc::RuleParams& params = {}, const cc::Metadata& meta = {}) {
  cc::RuleResult r = cc::JudgeRule(rule, Calls(entries), meta, params);
  REQUIRE(r.spec != nullptr);
  return r;
}

std::vector<unsigned long long> EvidenceSeqs(const cc::RuleResult& r) {
  std::vector<unsigned long long> out;
  for (const auto& e : r.evidence) out.push_back(e.seq);
  return out;
}

using Seqs = std::vector<unsigned long long>;
const std::string kSuspended =
    "Your request could not be processed because the API call threshold of 10000 calls per 60 "
    "minutes has been exceeded. Try again later.";

}  // namespace

TEST_CASE("Journal times parse with and without fractions, and garbage is refused",
          "[check-client]") {
  double s = 0;
  REQUIRE(cc::ParseUtcTime("2026-11-28T13:44:52.6Z", &s));
  double t = 0;
  REQUIRE(cc::ParseUtcTime("2026-11-28T13:44:52Z", &t));
  CHECK(s - t == Approx(0.6));
  REQUIRE(cc::ParseUtcTime("1970-01-02T00:00:00Z", &t));
  CHECK(t == Approx(86400));
  CHECK_FALSE(cc::ParseUtcTime("2026-13-01T00:00:00Z", &t));
  CHECK_FALSE(cc::ParseUtcTime("yesterday", &t));
}

TEST_CASE("A journal entry with missing or mistyped keys still parses", "[check-client]") {
  cc::Call c = cc::CallFromJson({{"seq", 7}, {"operation", "query"}, {"rows", "many"}});
  CHECK(c.seq == 7);
  CHECK(c.operation == "query");
  CHECK(c.rows == -1);
  CHECK(c.http_status == 200);
  CHECK(cc::CallsFromJson(json::object()).empty());
}

TEST_CASE("A failed query names its entity through the raw request", "[check-client]") {
  cc::Call c = cc::CallFromJson(Failed(Entry(3, 1, "query"), "x"));
  CHECK(c.EntityName().empty());
  c.request = "<sXML>&lt;queryxml&gt;&lt;entity&gt;Ticket&lt;/entity&gt;</sXML>";
  CHECK(c.EntityName() == "Ticket");
  c.request = "<sXML><![CDATA[<queryxml><entity> Account </entity>]]></sXML>";
  CHECK(c.EntityName() == "Account");
}

TEST_CASE("CC-ZONE-FIRST: getZoneInfo first passes, another call first fails", "[check-client]") {
  auto good = Judge("CC-ZONE-FIRST", {Entry(1, 0, "getZoneInfo"), Entry(2, 1, "query", "Ticket")});
  CHECK(good.verdict == cc::Verdict::kPass);

  auto late = Judge("CC-ZONE-FIRST", {Entry(4, 0, "query", "Ticket"), Entry(5, 1, "getZoneInfo")});
  CHECK(late.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(late) == Seqs{4});
  CHECK(late.summary.find("#5") != std::string::npos);

  auto never = Judge("CC-ZONE-FIRST", {Entry(1, 0, "query", "Ticket")});
  CHECK(never.verdict == cc::Verdict::kFail);
  CHECK(never.summary.find("never") != std::string::npos);

  CHECK(Judge("CC-ZONE-FIRST", {}).verdict == cc::Verdict::kNotApplicable);
}

TEST_CASE("CC-ZONE-URL: calls on the zone-neutral endpoint fail the rule", "[check-client]") {
  json off = Entry(3, 2, "query", "Ticket");
  off["zone"] = 0;
  off["off_zone"] = true;
  auto bad = Judge("CC-ZONE-URL", {Entry(1, 0, "getZoneInfo"), Entry(2, 1, "query"), off});
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(bad) == Seqs{3});
  auto good = Judge("CC-ZONE-URL", {Entry(1, 0, "getZoneInfo"), Entry(2, 1, "query")});
  CHECK(good.verdict == cc::Verdict::kPass);
  CHECK(Judge("CC-ZONE-URL", {Entry(1, 0, "getZoneInfo")}).verdict == cc::Verdict::kNotApplicable);
}

TEST_CASE("CC-ZONE-REDISCOVER: a wrong-zone error must be followed by getZoneInfo",
          "[check-client]") {
  json wrong = Failed(Entry(2, 1, "query", "Ticket"),
                      "The user api@contoso.example belongs to zone 4, not to zone 5; call the "
                      "URL that getZoneInfo returns.");
  auto good =
      Judge("CC-ZONE-REDISCOVER", {Entry(1, 0, "getZoneInfo"), wrong, Entry(3, 2, "getZoneInfo"),
                                   Entry(4, 3, "query", "Ticket")});
  CHECK(good.verdict == cc::Verdict::kPass);
  json again = wrong;
  again["seq"] = 3;
  auto bad = Judge("CC-ZONE-REDISCOVER", {Entry(1, 0, "getZoneInfo"), wrong, again});
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(bad) == Seqs{3});
  CHECK(Judge("CC-ZONE-REDISCOVER", {Entry(1, 0, "query")}).verdict == cc::Verdict::kNotApplicable);
}

TEST_CASE("CC-INTEGRATION-CODE: a call without the header or with a refused code fails",
          "[check-client]") {
  json missing = Failed(Entry(3, 2, "query", "Account"), "IntegrationCode is invalid.");
  missing["integration_code_sent"] = false;
  missing["integration_code"] = "";
  json refused = Failed(Entry(4, 3, "query", "Account"), "IntegrationCode is invalid.");
  auto bad = Judge("CC-INTEGRATION-CODE",
                   {Entry(1, 0, "getZoneInfo"), Entry(2, 1, "query"), missing, refused});
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(bad) == Seqs{3, 4});
  // getZoneInfo needs no code, and a 401 is refused before the header matters.
  json unauthorized = Entry(3, 2, "query");
  unauthorized["http_status"] = 401;
  unauthorized["integration_code_sent"] = false;
  auto good = Judge("CC-INTEGRATION-CODE",
                    {Entry(1, 0, "getZoneInfo"), Entry(2, 1, "query"), unauthorized});
  CHECK(good.verdict == cc::Verdict::kPass);
}

TEST_CASE("CC-PAGING: full pages continue with id GreaterThan the last id", "[check-client]") {
  std::vector<json> open = {Cond("Status", "NotEqual", "5")};
  auto good = Judge("CC-PAGING", {Query(1, 0, "Ticket", open, 500, 9250, 0),
                                  Query(2, 1, "Ticket", open, 500, 9750, 9250),
                                  Query(3, 2, "Ticket", open, 350, 10100, 9750)});
  CHECK(good.verdict == cc::Verdict::kPass);

  SECTION("stopping after 500 rows") {
    auto bad = Judge("CC-PAGING", {Query(1, 0, "Ticket", {}, 500, 9250, 0),
                                   Query(2, 1, "Account", {}, 60, 29683660, 0)});
    CHECK(bad.verdict == cc::Verdict::kFail);
    CHECK(EvidenceSeqs(bad) == Seqs{1});
  }
  SECTION("a bound above the last id loses rows") {
    auto bad = Judge("CC-PAGING", {Query(1, 0, "Ticket", {}, 500, 9250, 0),
                                   Query(2, 1, "Ticket", {}, 300, 9800, 9300)});
    REQUIRE(bad.verdict == cc::Verdict::kFail);
    CHECK(EvidenceSeqs(bad) == Seqs{2});
    CHECK(bad.evidence[0].note.find("9251..9300 lost") != std::string::npos);
  }
  SECTION("a bound below the last id reads rows twice") {
    auto bad = Judge("CC-PAGING", {Query(1, 0, "Ticket", {}, 500, 9250, 0),
                                   Query(2, 1, "Ticket", {}, 500, 9700, 9200)});
    REQUIRE(bad.verdict == cc::Verdict::kFail);
    CHECK(bad.evidence[0].note.find("twice") != std::string::npos);
  }
  SECTION("a query with other conditions is not the continuation") {
    auto bad = Judge("CC-PAGING",
                     {Query(1, 0, "Ticket", {}, 500, 9250, 0),
                      Query(2, 1, "Ticket", {Cond("Status", "Equals", "1")}, 20, 10100, 9250)});
    CHECK(bad.verdict == cc::Verdict::kFail);
  }
  SECTION("a continuation refused with 401 is not held against the client") {
    json refused = Entry(2, 1, "query");
    refused["http_status"] = 401;
    refused["errors"] = json::array({"password expired"});
    refused["request"] = "&lt;entity&gt;Ticket&lt;/entity&gt;";
    auto cut = Judge("CC-PAGING", {Query(1, 0, "Ticket", {}, 500, 9250, 0), refused});
    CHECK(cut.verdict == cc::Verdict::kNotApplicable);
  }
  CHECK(Judge("CC-PAGING", {Query(1, 0, "Ticket", {}, 499, 9250, 0)}).verdict ==
        cc::Verdict::kNotApplicable);
}

TEST_CASE("CC-SETTLE: an update may not send back computed fields it never re-read",
          "[check-client]") {
  json created = Record("Ticket", 10101, {{"Title", "x"}, {"Status", "1"}});
  created["settle"] = {{"state", "pending"},
                       {"due", At(2.0)},
                       {"delay_ms", 2000},
                       {"fields", {{"TicketNumber", "T20261128.0001"}}}};
  json create = Write(2, 0, "create", json::array({created}));
  json sends_number =
      Write(4, 3, "update",
            json::array({Record("Ticket", 10101, {{"Title", "y"}, {"TicketNumber", ""}})}));

  SECTION("sending the field back without a re-read fails") {
    auto bad = Judge("CC-SETTLE", {Entry(1, 0, "getZoneInfo"), create, sends_number});
    CHECK(bad.verdict == cc::Verdict::kFail);
    CHECK(EvidenceSeqs(bad) == Seqs{4});
    CHECK(bad.evidence[0].note.find("TicketNumber") != std::string::npos);
  }
  SECTION("a re-read before the values settled does not count") {
    auto bad = Judge(
        "CC-SETTLE",
        {create, Query(3, 0.5, "Ticket", {Cond("id", "Equals", "10101")}, 1, 10101), sends_number});
    CHECK(bad.verdict == cc::Verdict::kFail);
  }
  SECTION("a re-read after they settled makes the update fine") {
    auto good = Judge(
        "CC-SETTLE",
        {create, Query(3, 2.5, "Ticket", {Cond("id", "Equals", "10101")}, 1, 10101), sends_number});
    CHECK(good.verdict == cc::Verdict::kPass);
  }
  SECTION("a re-read of another row does not count") {
    auto bad = Judge(
        "CC-SETTLE",
        {create, Query(3, 2.5, "Ticket", {Cond("id", "Equals", "10100")}, 1, 10100), sends_number});
    CHECK(bad.verdict == cc::Verdict::kFail);
  }
  SECTION("a read-only computed field listed as ignored counts too") {
    json upd = Record("Ticket", 10101, {{"Title", "y"}});
    upd["ignored"] = json::array({"TicketNumber"});
    auto bad = Judge("CC-SETTLE", {create, Write(4, 3, "update", json::array({upd}))});
    CHECK(bad.verdict == cc::Verdict::kFail);
  }
  SECTION("an update with only the changed fields passes") {
    auto good = Judge(
        "CC-SETTLE",
        {create, Write(4, 3, "update", json::array({Record("Ticket", 10101, {{"Status", "8"}})}))});
    CHECK(good.verdict == cc::Verdict::kPass);
  }
  CHECK(Judge("CC-SETTLE", {create}).verdict == cc::Verdict::kNotApplicable);
}

TEST_CASE("CC-BACKOFF-LATENCY: no call while an earlier answer is held back", "[check-client]") {
  auto slow = [](unsigned seq, double t) {
    json e = Query(seq, t, "Ticket", {Cond("id", "Equals", std::to_string(seq))}, 1, seq);
    e["latency_added_ms"] = 1000;
    e["latency_reason"] = "threshold tier 2 (from 75 %): 7600 of 10000 calls";
    return e;
  };
  auto good = Judge("CC-BACKOFF-LATENCY", {slow(1, 0), slow(2, 1.01), slow(3, 2.02)});
  CHECK(good.verdict == cc::Verdict::kPass);

  auto bad = Judge("CC-BACKOFF-LATENCY", {slow(1, 0), slow(2, 0.01), slow(3, 0.02), slow(4, 1.1)});
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(bad) == Seqs{2, 3});

  cc::RuleParams frozen;
  frozen.timing_reliable = false;
  CHECK(Judge("CC-BACKOFF-LATENCY", {slow(1, 0), slow(2, 0.01)}, frozen).verdict ==
        cc::Verdict::kNotApplicable);
  CHECK(Judge("CC-BACKOFF-LATENCY", {Entry(1, 0, "query")}).verdict == cc::Verdict::kNotApplicable);
}

TEST_CASE("CC-BACKOFF-SUSPENSION: pause after a threshold refusal", "[check-client]") {
  json refused = Failed(Entry(2, 1, "query", "Ticket"), kSuspended);
  refused["latency_reason"] = "suspended: 10010 of 10000 calls in the last 60 minutes";
  auto good = Judge("CC-BACKOFF-SUSPENSION",
                    {Entry(1, 0, "query"), refused, Entry(3, 1.1, "getThresholdAndUsageInfo"),
                     Entry(4, 6.1, "query")});
  CHECK(good.verdict == cc::Verdict::kPass);

  json retry = refused;
  retry["seq"] = 3;
  retry["time"] = At(1.05);
  auto bad = Judge("CC-BACKOFF-SUSPENSION",
                   {Entry(1, 0, "query"), refused, retry, Entry(4, 1.2, "query")});
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(bad) == Seqs{3, 4});

  cc::RuleParams strict;
  strict.min_backoff_seconds = 10;
  CHECK(Judge("CC-BACKOFF-SUSPENSION", {refused, Entry(4, 6.1, "query")}, strict).verdict ==
        cc::Verdict::kFail);
  CHECK(Judge("CC-BACKOFF-SUSPENSION", {Entry(1, 0, "query")}).verdict ==
        cc::Verdict::kNotApplicable);
}

TEST_CASE("CC-THREAD-LIMIT: a call refused for concurrency fails the rule", "[check-client]") {
  json limited = Failed(Entry(3, 0, "query", "Ticket"),
                        "Thread Threshold Exceeded \xE2\x80\x94 The Autotask API thread threshold "
                        "of 3 threads has been exceeded.");
  auto bad = Judge("CC-THREAD-LIMIT", {Entry(1, 0, "query"), Entry(2, 0, "query"), limited});
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(bad) == Seqs{3});
  CHECK(Judge("CC-THREAD-LIMIT", {Entry(1, 0, "query")}).verdict == cc::Verdict::kPass);
}

TEST_CASE("CC-THRESHOLD-MONITOR: a slowed-down client should ask for its usage", "[check-client]") {
  json slow = Entry(2, 1, "query");
  slow["latency_added_ms"] = 500;
  CHECK(Judge("CC-THRESHOLD-MONITOR", {Entry(1, 0, "query")}).verdict ==
        cc::Verdict::kNotApplicable);
  auto bad = Judge("CC-THRESHOLD-MONITOR", {Entry(1, 0, "query"), slow});
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(bad) == Seqs{2});
  CHECK(Judge("CC-THRESHOLD-MONITOR", {Entry(1, 0, "getThresholdAndUsageInfo"), slow}).verdict ==
        cc::Verdict::kPass);
  json warned = Entry(3, 2, "query");
  warned["warning"] = "9100 of 10000 calls in the last 60 minutes (91.0 %, warning from 90 %)";
  CHECK(Judge("CC-THRESHOLD-MONITOR", {warned}).verdict == cc::Verdict::kFail);
}

TEST_CASE("CC-AUTH-STOP: stop after the first 401", "[check-client]") {
  json refused = Failed(Entry(3, 1, "query", ""), "password expired");
  refused["http_status"] = 401;
  auto good = Judge("CC-AUTH-STOP", {Entry(1, 0, "getZoneInfo"), Entry(2, 0.5, "query"), refused,
                                     Entry(4, 2, "getZoneInfo")});
  CHECK(good.verdict == cc::Verdict::kPass);

  std::vector<json> hammering = {Entry(1, 0, "query"), refused};
  for (unsigned i = 0; i < 4; ++i) {
    json again = refused;
    again["seq"] = 4 + i;
    hammering.push_back(again);
  }
  auto bad = Judge("CC-AUTH-STOP", hammering);
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(bad) == Seqs{6, 7});  // the first two retries are allowed
  cc::RuleParams none;
  none.max_calls_after_auth_failure = 0;
  CHECK(Judge("CC-AUTH-STOP", hammering, none).evidence_total == 4);
  CHECK(Judge("CC-AUTH-STOP", {Entry(1, 0, "query")}).verdict == cc::Verdict::kNotApplicable);
}

TEST_CASE("CC-EXTERNAL-FIELDS: no value written to External* fields", "[check-client]") {
  auto bad = Judge(
      "CC-EXTERNAL-FIELDS",
      {Write(1, 0, "create",
             json::array({Record("Ticket", 10101, {{"Title", "x"}, {"ExternalID", "SYNC-42"}})}))});
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(bad) == Seqs{1});
  CHECK(bad.evidence[0].note.find("SYNC-42") != std::string::npos);
  auto good = Judge(
      "CC-EXTERNAL-FIELDS",
      {Write(1, 0, "update",
             json::array(
                 {Record("Ticket", 10101,
                         {{"Title", "x"}, {"ExternalID", nullptr}, {"ExternalNumber", " "}})}))});
  CHECK(good.verdict == cc::Verdict::kPass);
  CHECK(Judge("CC-EXTERNAL-FIELDS", {Entry(1, 0, "query")}).verdict == cc::Verdict::kNotApplicable);
}

TEST_CASE("CC-READONLY: read-only fields in writes are flagged, id is not", "[check-client]") {
  json rec = Record("Ticket", 10101, {{"Title", "x"}});
  rec["ignored"] = json::array({"id", "CreateDate", "LastActivityDate"});
  auto bad = Judge("CC-READONLY", {Write(1, 0, "update", json::array({rec}))});
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(bad.evidence[0].note.find("CreateDate, LastActivityDate") != std::string::npos);
  rec["ignored"] = json::array({"id"});
  CHECK(Judge("CC-READONLY", {Write(1, 0, "create", json::array({rec}))}).verdict ==
        cc::Verdict::kPass);
}

TEST_CASE("CC-TICKET-SOURCE: tickets are created with a Source", "[check-client]") {
  auto bad =
      Judge("CC-TICKET-SOURCE", {Write(1, 0, "create",
                                       json::array({Record("Ticket", 10101, {{"Title", "x"}}),
                                                    Record("Ticket", 10102, {{"Source", "6"}})}))});
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(bad.evidence_total == 1);
  CHECK(bad.evidence[0].note.find("10101") != std::string::npos);
  CHECK(Judge("CC-TICKET-SOURCE",
              {Write(1, 0, "create", json::array({Record("Account", 5, {{"AccountName", "A"}})}))})
            .verdict == cc::Verdict::kNotApplicable);
  // An update without Source is fine: Source matters on create.
  CHECK(Judge("CC-TICKET-SOURCE",
              {Write(1, 0, "create", json::array({Record("Ticket", 1, {{"Source", "12"}})})),
               Write(2, 1, "update", json::array({Record("Ticket", 1, {{"Status", "5"}})}))})
            .verdict == cc::Verdict::kPass);
}

TEST_CASE("CC-PICKLIST-VALUE: labels for picklist fields are flagged", "[check-client]") {
  cc::Metadata meta;
  meta.Add("Ticket", "Status", {true, false, "integer"});
  meta.Add("Ticket", "EstimatedHours", {false, false, "double"});
  json rejected = {{"record", 0},
                   {"entity", "Ticket"},
                   {"outcome", "rejected"},
                   {"error", "Value 'Complete' is not valid for field Status of type integer."}};
  auto bad = Judge("CC-PICKLIST-VALUE", {Write(1, 0, "update", json::array({rejected}))}, {}, meta);
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(bad.evidence[0].note.find("Ticket.Status = \"Complete\" (a label)") != std::string::npos);

  json not_picklist = rejected;
  not_picklist["error"] = "Value 'lots' is not valid for field EstimatedHours of type double.";
  CHECK(Judge("CC-PICKLIST-VALUE", {Write(1, 0, "update", json::array({not_picklist}))}, {}, meta)
            .verdict == cc::Verdict::kPass);

  json unknown = rejected;
  unknown["error"] = "Value 999 is not a valid picklist value for field Status.";
  auto bad_value = Judge("CC-PICKLIST-VALUE", {Write(1, 0, "create", json::array({unknown}))});
  CHECK(bad_value.verdict == cc::Verdict::kFail);
  CHECK(bad_value.evidence[0].note.find("does not have") != std::string::npos);

  json query = Failed(Entry(2, 1, "query"),
                      "Value 'Neu' is not valid for field Status of type "
                      "integer.");
  query["request"] = "&lt;entity&gt;Ticket&lt;/entity&gt;";
  CHECK(Judge("CC-PICKLIST-VALUE", {query}, {}, meta).verdict == cc::Verdict::kFail);
  // Without metadata, text sent for a number looks like a label.
  CHECK(Judge("CC-PICKLIST-VALUE", {query}).verdict == cc::Verdict::kFail);
  CHECK(cc::EntitiesNeedingMetadata(Calls({query, Write(1, 0, "update", json::array({rejected}))}))
            .size() == 1);
  CHECK(Judge("CC-PICKLIST-VALUE", {Query(1, 0, "Ticket", {Cond("Status", "Equals", "1")}, 5, 9)})
            .verdict == cc::Verdict::kPass);
}

TEST_CASE("CC-INCREMENTAL-SYNC: repeated full scans are flagged, change polls are not",
          "[check-client]") {
  std::vector<json> full_twice = {
      Query(1, 0, "Ticket", {}, 500, 9250, 0),     Query(2, 1, "Ticket", {}, 500, 9750, 9250),
      Query(3, 2, "Ticket", {}, 350, 10100, 9750), Query(4, 3, "Ticket", {}, 500, 9250, 0),
      Query(5, 4, "Ticket", {}, 500, 9750, 9250),  Query(6, 5, "Ticket", {}, 351, 10101, 9750)};
  auto bad = Judge("CC-INCREMENTAL-SYNC", full_twice);
  CHECK(bad.verdict == cc::Verdict::kFail);
  CHECK(EvidenceSeqs(bad) == Seqs{4});

  auto good = Judge(
      "CC-INCREMENTAL-SYNC",
      {Query(1, 0, "Ticket", {}, 350, 10100, 0),
       Query(2, 1, "Ticket", {Cond("LastActivityDate", "GreaterThan", "2026-11-02T08:36:47.944")},
             1, 10101, 0),
       Query(3, 2, "Ticket", {Cond("LastActivityDate", "GreaterThan", "2026-11-28T05:00:00.000")},
             1, 10101, 0)});
  CHECK(good.verdict == cc::Verdict::kPass);
  // Point lookups by id are not scans.
  auto lookups = Judge("CC-INCREMENTAL-SYNC",
                       {Query(1, 0, "Ticket", {Cond("id", "Equals", "10101")}, 1, 10101),
                        Query(2, 1, "Ticket", {Cond("id", "Equals", "10101")}, 1, 10101)});
  CHECK(lookups.verdict == cc::Verdict::kNotApplicable);
}

TEST_CASE("Judge applies severity overrides and drops rules switched off", "[check-client]") {
  std::vector<cc::Call> calls = Calls({Entry(1, 0, "query", "Ticket")});
  cc::RuleParams params;
  auto all = cc::Judge(calls, {}, params);
  CHECK(all.size() == cc::AllRules().size());
  CHECK(cc::AnyErrorFailed(all));  // CC-ZONE-FIRST, CC-ZONE-URL (zone 5 here: only the first)
  params.severity["CC-ZONE-FIRST"] = cc::Severity::kWarning;
  auto relaxed = cc::Judge(calls, {}, params);
  CHECK_FALSE(cc::AnyErrorFailed(relaxed));
  params.severity["CC-ZONE-FIRST"] = cc::Severity::kOff;
  CHECK(cc::Judge(calls, {}, params).size() == cc::AllRules().size() - 1);
  cc::Severity s;
  CHECK(cc::ParseSeverity("WARNING", &s));
  CHECK(s == cc::Severity::kWarning);
  CHECK_FALSE(cc::ParseSeverity("fatal", &s));
  CHECK(cc::FindRule("cc-paging") == cc::FindRule("CC-PAGING"));
  for (const auto& r : cc::AllRules()) {
    INFO(r.id);
    CHECK(std::string(r.explanation).size() > 40);
    CHECK(std::string(r.fix).size() > 20);
    CHECK(std::string(r.good).size() > 5);
    CHECK(std::string(r.bad).size() > 5);
  }
}

TEST_CASE("Client scenario placeholders expand from the tenant's figures", "[check-client]") {
  cc::PlaceholderValues v;
  v.tenant = 29683500;
  v.user = "api@contoso.example";
  v.now = "2026-11-28T09:00:00.000";
  v.threshold = 10000;
  v.suspend_seconds = 3;
  v.zone = 5;
  CHECK(cc::ExpandPlaceholders("/__admin/users/{user}", v, true) ==
        "/__admin/users/api%40contoso.example");
  CHECK(cc::ExpandPlaceholders(R"({"calls": {pct:78}, "z": {other_zone}})", v, false) ==
        R"({"calls": 7800, "z": 4})");
  CHECK(cc::ExpandPlaceholders(R"({"calls": {suspend_calls}})", v, false) == R"({"calls": 10009})");
  CHECK(cc::ExpandPlaceholders(R"({"t": "{now}", "x": "{nope}"})", v, false) ==
        R"({"t": "2026-11-28T09:00:00.000", "x": "{nope}"})");
  v.zone = 4;
  CHECK(cc::ExpandPlaceholders("{other_zone}", v, false) == "3");
  REQUIRE(cc::FindClientScenario("german") != nullptr);
  CHECK(cc::FindClientScenario("german")->tenant == 29684100);
  CHECK(cc::FindClientScenario("password-expiring")->command_must_fail);
  CHECK(cc::FindClientScenario("nonsense") == nullptr);
  for (const auto& s : cc::AllClientScenarios())
    for (const auto& id : s.rules) {
      INFO(s.name << " names " << id);
      CHECK(cc::FindRule(id) != nullptr);
    }
}

TEST_CASE("A run passes only when the command ended as expected and no error rule failed",
          "[check-client]") {
  cc::RunRecord run;
  run.command = {"python3", "sync.py"};
  run.result.started = true;
  run.result.exit_code = 0;
  run.results = cc::Judge(Calls({Entry(1, 0, "getZoneInfo"), Entry(2, 1, "query")}), {}, {});
  CHECK(run.CommandOk());
  CHECK(run.Passed());
  run.command_must_fail = true;  // password-expiring: the client should have stopped
  CHECK_FALSE(run.Passed());
  run.result.exit_code = 1;
  CHECK(run.Passed());
  run.result.timed_out = true;
  CHECK_FALSE(run.CommandOk());
  run.result.timed_out = false;

  run.calls = Calls({Entry(1, 0, "query", "Ticket")});
  run.results = cc::Judge(run.calls, {}, {});
  CHECK_FALSE(run.Passed());
  json j = cc::JsonReport(run);
  CHECK(j["failed_rules"] == json::array({"CC-ZONE-FIRST"}));
  CHECK(j["passed"] == false);
  std::string text = cc::TextReport(run, false);
  CHECK(text.find("FAIL  CC-ZONE-FIRST") != std::string::npos);
  CHECK(text.find("fix: ") != std::string::npos);
  CHECK(text.find("Verdict: FAIL") != std::string::npos);
  auto rep = cc::ToReport(run);
  REQUIRE(rep.suites.size() == 1);
  CHECK(rep.suites[0].cases.size() == 1 + run.results.size());
  CHECK(rep.suites[0].timeline.size() == 1);
}
