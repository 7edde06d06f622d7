#include "conformance/rules/client_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>

namespace atws::conformance::clientcheck {
namespace {

// The rule texts. Quotes in `explanation` follow the seed's best-practices page.
const std::vector<RuleSpec> kRules = {
    {"CC-ZONE-FIRST", Severity::kError, "getZoneInfo is the first call",
     "Autotask customers live in different zones, each with its own web-services URL, and "
     "releases reach the zones at different times. The best-practices page asks integrations to "
     "make getZoneInfo(userName) on the zone-neutral endpoint the first call and to use the URL "
     "it returns for everything else. getZoneInfo needs no credentials and no tracking "
     "identifier.",
     "Call getZoneInfo with the API user's name on ATWS_URL (the zone-neutral endpoint) before "
     "any other call, and build the client on the URL it returns (its WSDL is URL?WSDL).",
     "getZoneInfo(\"api@contoso.example\") on .../atservices/1.6/atws.asmx, then every other call "
     "on the returned .../webservices5/ATServices/1.6/atws.asmx",
     "query(...) on ATWS_URL straight away, or a zone URL copied into the configuration"},
    {"CC-ZONE-URL", Severity::kError, "every call except getZoneInfo goes to the zone URL",
     "The zone-neutral endpoint exists for getZoneInfo. The sandbox serves other calls there for "
     "the user's zone but marks them off-zone; a real server (and atws-mock --strict-zones) "
     "refuses them.",
     "Send every call except getZoneInfo to the URL that getZoneInfo returned; do not reuse "
     "ATWS_URL for them.",
     "zone_url = getZoneInfo(user).URL; client = SoapClient(zone_url + \"?WSDL\")",
     "client = SoapClient(ATWS_URL + \"?WSDL\") used for query/create/update"},
    {"CC-ZONE-REDISCOVER", Severity::kError, "after a wrong-zone error, getZoneInfo again",
     "A customer's database can move to another zone. Calls to the old zone URL then fail with "
     "an error that names the new zone. An integration that cached the zone URL must ask "
     "getZoneInfo again and continue on the new URL instead of retrying the old one.",
     "When a call fails with \"The user ... belongs to zone N ... call the URL that getZoneInfo "
     "returns\", call getZoneInfo, rebuild the client on the returned URL and repeat the call "
     "there.",
     "error \"belongs to zone 4\" -> getZoneInfo -> the same query on .../webservices4/...",
     "error \"belongs to zone 4\" -> the same query again on .../webservices5/..."},
    {"CC-INTEGRATION-CODE", Severity::kError, "an IntegrationCode on every call",
     "API 1.6 requires the AutotaskIntegrations SOAP header with the integration's tracking "
     "identifier (IntegrationCode) on every call except getZoneInfo. Calls without it, or with a "
     "code that is not activated for the user, fail with \"IntegrationCode is invalid.\"",
     "Set the AutotaskIntegrations header (IntegrationCode from ATWS_INTEGRATION_CODE) as a "
     "default header of every client object you create, helpers and second clients included.",
     "<soap:Header><AutotaskIntegrations xmlns=\"http://autotask.net/ATWS/v1_6/\">"
     "<IntegrationCode>SANDBOX-INTEGRATION</IntegrationCode></AutotaskIntegrations></soap:Header>",
     "a report module that builds its own SoapClient without the header"},
    {"CC-PAGING", Severity::kError, "queries that return 500 rows are continued with id > last",
     "A query answers at most 500 rows, sorted by id. When a page is full there may be more: the "
     "next query must repeat the same conditions plus id GreaterThan the largest id received. A "
     "larger bound skips rows, a smaller one reads rows twice, and stopping after 500 rows "
     "silently loses the rest.",
     "Loop: add <field>id<expression op=\"GreaterThan\">LAST</expression></field> to the same "
     "query, LAST being the largest id of the previous page, until a page has fewer than 500 "
     "rows.",
     "Ticket page 1 (500 rows, last id 9250) -> same query + id GreaterThan 9250 (500 rows, last "
     "9750) -> + id GreaterThan 9750 (350 rows): done",
     "Ticket query returns 500 rows and the client stops; or continues with id GreaterThan 9300 "
     "(rows 9251-9300 lost)"},
    {"CC-SETTLE", Severity::kError, "no update sends back computed fields it never re-read",
     "Some fields are computed after create and update (Ticket.TicketNumber, SLA due dates, "
     "TimeEntry.HoursToBill, cost totals ...); the entity the call returns does not carry their "
     "real values. The best-practices page: use the returned entity for the id and query the "
     "entity again for anything else. An update that sends such a field back before the client "
     "re-read it overwrites the computed value with a stale or empty one.",
     "After create keep only the id. Query the entity again (once the computation has settled) "
     "before you use or send back other fields, and send only the fields you change.",
     "create Ticket -> id 10101; later query id Equals 10101 (TicketNumber T20261128.0001); "
     "update with id, Title, Status only",
     "create Ticket -> id 10101; update the returned object with TicketNumber empty"},
    {"CC-BACKOFF-LATENCY", Severity::kError, "no extra calls while the API adds latency",
     "From 50 % and 75 % of the hourly threshold, the API holds each answer back (0.5 s and 1 s "
     "in the sandbox). A client that fires more calls in parallel, or retries on a timeout "
     "shorter than the delay, while answers are held back uses the allowance up faster and runs "
     "into suspension. Measured: after a call that got latency L, the client's next call that "
     "counts against the threshold comes no sooner than latency_tolerance x L.",
     "Wait for each answer (no client timeout below the added latency), make calls one after "
     "another while latency is added, and slow a batch down when getThresholdAndUsageInfo shows "
     "more than 50 %.",
     "one call at a time: query (answered after 1 s) -> next query",
     "Promise.all over 10 ticket queries while each answer is held back 1 s"},
    {"CC-BACKOFF-SUSPENSION", Severity::kError, "back off after a threshold suspension",
     "Past the hourly threshold the database is suspended and calls are refused until the "
     "rolling hour drops below the limit. Retrying at once only adds refused calls (which may "
     "count too) and keeps every integration of the customer locked out. Measured: after a call "
     "refused for the threshold, the next call that counts against it comes no sooner than "
     "min_backoff_seconds later (getThresholdAndUsageInfo, which does not count, is allowed).",
     "On \"the API call threshold ... has been exceeded\", stop the batch, watch "
     "getThresholdAndUsageInfo, and retry after a pause that grows with each refusal (start with "
     "several seconds).",
     "refused -> getThresholdAndUsageInfo -> sleep 5 s -> retry",
     "refused -> retry -> refused -> retry ... within the same second"},
    {"CC-THREAD-LIMIT", Severity::kError, "at most 3 calls at once per entity",
     "Autotask allows at most three concurrent calls per integration (tracking identifier) and "
     "entity; a fourth is refused with \"Thread Threshold Exceeded\".",
     "Limit the client's concurrency per entity to three (a semaphore or a work queue), or make "
     "the calls one after another.",
     "a queue with 2 workers for Ticket queries",
     "Promise.all(ids.map(id => queryTicket(id))) with 10 ids"},
    {"CC-THRESHOLD-MONITOR", Severity::kWarning,
     "watch the usage with getThresholdAndUsageInfo when the API slows down",
     "\"You can avoid a service suspension by monitoring your usage\": getThresholdAndUsageInfo "
     "reports the threshold and the calls of the last hour, and does not count against them. A "
     "client that got added latency, a threshold warning or a suspension and never asked for its "
     "usage cannot pace itself.",
     "Call getThresholdAndUsageInfo at the start of a batch and whenever calls slow down or are "
     "refused; pause the batch above 75 %.",
     "getThresholdAndUsageInfo -> \"numberOfExternalRequest: 7600\" of 10000 -> batch paced",
     "a batch that runs into 1 s latency and a suspension without ever asking"},
    {"CC-AUTH-STOP", Severity::kError, "stop after an authentication failure",
     "\"If the password actually expires, the integration will stop working!\" Every call then "
     "gets HTTP 401. Retrying does not help, and a loop of failing logins can lock the account; "
     "the integration must stop and tell someone.",
     "Treat HTTP 401 as fatal for the run: stop, report the user name and that its password was "
     "refused or has expired, and exit with a failure status.",
     "HTTP 401 -> \"API user api@contoso.example: password refused or expired\" -> exit 1",
     "HTTP 401 -> retry every call of the batch, each getting 401"},
    {"CC-EXTERNAL-FIELDS", Severity::kError, "no writes to External* fields",
     "Fields such as Ticket.ExternalID or AllocationCode.ExternalNumber belong to the customer, "
     "who uses them to map records to other systems (accounting ...). The best-practices page "
     "asks integrations not to fill them with their own data, and to use a user-defined field "
     "instead.",
     "Keep your own reference in a user-defined field (UserDefinedFieldDefinition, agreed with "
     "the customer) and leave External* fields out of create and update.",
     "create Ticket with UserDefinedFields [{Name: \"Sync Reference\", Value: \"SYNC-42\"}]",
     "create Ticket with ExternalID \"SYNC-42\""},
    {"CC-READONLY", Severity::kWarning, "no read-only fields in writes",
     "Read-only fields (CreateDate, LastActivityDate, CompletedDate ...) are ignored when sent. "
     "A client that sends them believes it set something it did not, and usually sends whole "
     "entities back, which also carries computed and External* fields.",
     "Send only the fields you mean to set; GetFieldInfo's IsReadOnly tells which to leave out.",
     "update Ticket: id, Status",
     "update Ticket: the whole entity as queried, CreateDate and LastActivityDate included"},
    {"CC-TICKET-SOURCE", Severity::kWarning, "tickets are created with a Source",
     "Ticket.Source is optional but defaults to the customer's default source (Client Portal "
     "unless changed). The best-practices page suggests that the customer adds a Source for the "
     "integration and that the integration sets it on the tickets it creates, so that they can "
     "be told apart and routed by workflow rules.",
     "Set Source on create to the value (not the label) of your integration's source; let the "
     "customer pick it in your configuration from GetFieldInfo's Source picklist.",
     "create Ticket with Source 12 (\"My Integration\", added by the customer)",
     "create Ticket without Source (it becomes Client Portal)"},
    {"CC-PICKLIST-VALUE", Severity::kError, "picklists are set by value, not by label",
     "Picklist fields store and compare the value (an id). Labels differ between languages "
     "(\"New\", \"Neu\", \"Nuevo\") and customers rename them, so an integration that sends "
     "labels, or looks values up by an English label, breaks in a localized tenant. "
     "\"System provided picklist string values can change based on the language supported.\"",
     "Send picklist values. Configure values (or let the customer pick them from GetFieldInfo), "
     "never English labels; test in a localized sandbox (check-client --scenario german).",
     "Status 5 (Complete in every language)",
     "Status \"Complete\", or the value found by the label \"Complete\" (absent in German)"},
    {"CC-INCREMENTAL-SYNC", Severity::kWarning,
     "incremental sync by LastModifiedDate / LastActivityDate, not repeated full scans",
     "Reading everything again to find what changed costs many calls (1,350 tickets are three "
     "pages) and taxes the API. The best-practices page recommends querying only the records "
     "changed since the last poll, by the entity's LastModifiedDate or LastActivityDate field. "
     "Measured: the same query (ignoring id GreaterThan) of an entity, without a condition on a "
     "change-tracking field, started more than once.",
     "After the first full read, poll with <field>LastActivityDate<expression "
     "op=\"GreaterThan\">T</expression></field> (T the largest value seen) and page by id.",
     "full read once, then LastActivityDate GreaterThan 2026-11-28T10:00:00.000",
     "the full three-page ticket read repeated on every poll"},
};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IStartsWith(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && Lower(s.substr(0, prefix.size())) == Lower(prefix);
}

bool IEquals(const std::string& a, const std::string& b) { return Lower(a) == Lower(b); }

bool IsInteger(const std::string& s) {
  static const std::regex re(R"(^\s*[-+]?\d+(\.0*)?\s*$)");
  return std::regex_match(s, re);
}

std::string JsonText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::string Clip(const std::string& s, size_t n = 80) { return Printable(s, n); }

void AddEvidence(RuleResult* r, unsigned long long seq, std::string note) {
  ++r->evidence_total;
  if (r->evidence.size() < RuleResult::kMaxEvidence) r->evidence.push_back({seq, std::move(note)});
}

// How the checks end. A rule is not applicable when the run gave it nothing to judge; otherwise
// it fails when evidence was found and passes when none was. Each outcome has its summary.
void NotApplicable(RuleResult* r, std::string why) {
  r->verdict = Verdict::kNotApplicable;
  r->summary = std::move(why);
}

void FailOnEvidence(RuleResult* r, std::string failed, std::string passed) {
  if (r->evidence_total > 0) r->verdict = Verdict::kFail;
  r->summary = r->evidence_total > 0 ? std::move(failed) : std::move(passed);
}

// `judged`: how many calls (pages, refusals, writes …) the rule looked at.
void Conclude(RuleResult* r, size_t judged, std::string none, std::string failed,
              std::string passed) {
  if (judged == 0) return NotApplicable(r, std::move(none));
  FailOnEvidence(r, std::move(failed), std::move(passed));
}

// The timing rules measure gaps on the mock's clock: when it was frozen or moved during the run,
// they are not applicable and their evidence is dropped.
void NotApplicableForClock(RuleResult* r) {
  r->evidence.clear();
  r->evidence_total = 0;
  NotApplicable(r, "the mock's clock was frozen or moved during the run, so gaps cannot be judged");
}

struct Ctx {
  const std::vector<Call>& calls;
  const Metadata& meta;
  const RuleParams& p;
};

// The conditions of a parsed query, without "id GreaterThan N" (the paging bound), as a sorted
// list of "field|op|value|udf" strings: queries with equal keys ask for the same rows.
struct QueryShape {
  std::string key;
  bool change_tracking = false;  // a condition on a LastModified/LastActivity ... field
  bool id_lookup = false;        // another condition on id (Equals, In ...): a point lookup
  long long id_gt = -1;
};

QueryShape ShapeOf(const Call& c, const RuleParams& p) {
  QueryShape s;
  std::vector<std::string> parts;
  if (!c.query.is_object()) return s;
  if (auto it = c.query.find("conditions"); it != c.query.end() && it->is_array()) {
    for (const auto& cond : *it) {
      std::string field = JsonText(cond.value("field", nlohmann::json()));
      std::string op = JsonText(cond.value("op", nlohmann::json()));
      bool udf = cond.value("udf", false);
      if (!udf && IEquals(field, "id")) {
        if (IEquals(op, "GreaterThan")) continue;
        s.id_lookup = true;
      }
      if (!udf)
        for (const auto& prefix : p.change_tracking_prefixes)
          if (IStartsWith(field, prefix)) s.change_tracking = true;
      parts.push_back(fmt::format("{}|{}|{}|{}|{}", Lower(field), Lower(op),
                                  JsonText(cond.value("value", nlohmann::json())), udf ? 1 : 0,
                                  cond.value("in_or", false) ? 1 : 0));
    }
  }
  std::sort(parts.begin(), parts.end());
  s.key = Lower(c.EntityName());
  for (const auto& part : parts) s.key += "\n" + part;
  s.id_gt = c.query.value("id_greater_than", -1LL);
  return s;
}

bool QueryOk(const Call& c) {
  return c.operation == "query" && !c.Failed() && c.query.is_object() && c.rows >= 0;
}

bool IsWrite(const Call& c) {
  return c.operation == "create" || c.operation == "update" || c.operation == "delete";
}

std::string RecordLabel(const nlohmann::json& rec) {
  std::string entity = Clip(JsonText(rec.value("entity", nlohmann::json())), 60);
  if (rec.contains("id")) return fmt::format("{} {}", entity, Clip(JsonText(rec["id"]), 30));
  return fmt::format("{} (record {})", entity,
                     Clip(JsonText(rec.value("record", nlohmann::json())), 30));
}

// --- the checks ------------------------------------------------------------------------------

void ZoneFirst(const Ctx& x, RuleResult* r) {
  if (x.calls.empty()) return NotApplicable(r, "the client made no call");
  const Call& first = x.calls.front();
  auto zi = std::find_if(x.calls.begin(), x.calls.end(),
                         [](const Call& c) { return c.operation == "getZoneInfo"; });
  if (zi != x.calls.begin()) AddEvidence(r, first.seq, "first call: " + first.Summary());
  FailOnEvidence(r,
                 zi == x.calls.end()
                     ? fmt::format("the client never called getZoneInfo; its first call was {}",
                                   first.operation)
                     : fmt::format("the first call was {}; getZoneInfo came only at #{}",
                                   first.operation, zi->seq),
                 fmt::format("the first call (#{}) was getZoneInfo", first.seq));
}

void ZoneUrl(const Ctx& x, RuleResult* r) {
  size_t judged = 0;
  for (const auto& c : x.calls) {
    if (c.operation == "getZoneInfo") continue;
    ++judged;
    if (c.zone == 0 || c.off_zone) AddEvidence(r, c.seq, "zone-neutral endpoint: " + c.Summary());
  }
  Conclude(r, judged, "no call besides getZoneInfo",
           fmt::format("{} of {} calls went to the zone-neutral endpoint instead of the zone URL",
                       r->evidence_total, judged),
           fmt::format("all {} calls went to a zone endpoint", judged));
}

void ZoneRediscover(const Ctx& x, RuleResult* r) {
  size_t refusals = 0;
  for (size_t i = 0; i < x.calls.size(); ++i) {
    if (!x.calls[i].WrongZone()) continue;
    ++refusals;
    // The next call must be getZoneInfo (or the client stops).
    for (size_t j = i + 1; j < x.calls.size(); ++j) {
      const Call& n = x.calls[j];
      if (n.operation == "getZoneInfo") break;
      AddEvidence(r, n.seq,
                  fmt::format("after the wrong-zone error of #{}, without getZoneInfo: {}",
                              x.calls[i].seq, n.Summary()));
      break;
    }
  }
  Conclude(r, refusals, "no call was refused for the wrong zone",
           fmt::format("{} of {} wrong-zone errors were followed by another call instead of "
                       "getZoneInfo",
                       r->evidence_total, refusals),
           fmt::format("each of the {} wrong-zone errors was followed by getZoneInfo", refusals));
}

void IntegrationCode(const Ctx& x, RuleResult* r) {
  size_t judged = 0;
  for (const auto& c : x.calls) {
    if (c.operation == "getZoneInfo") continue;
    if (c.http_status == 401) continue;  // refused before the header mattered
    ++judged;
    bool invalid = std::any_of(c.errors.begin(), c.errors.end(), [](const std::string& e) {
      return e.find("IntegrationCode is invalid") != std::string::npos;
    });
    if (!c.integration_code_sent)
      AddEvidence(r, c.seq, "no IntegrationCode header: " + c.Summary());
    else if (invalid)
      AddEvidence(
          r, c.seq,
          fmt::format("IntegrationCode '{}' refused: {}", Clip(c.integration_code), c.Summary()));
  }
  Conclude(r, judged, "no call that needs an IntegrationCode",
           fmt::format("{} of {} calls had no valid IntegrationCode", r->evidence_total, judged),
           fmt::format("all {} calls carried a valid IntegrationCode", judged));
}

// The index of the next call after i that counts against the threshold, or npos.
size_t NextThrottled(const std::vector<Call>& calls, size_t i) {
  for (size_t j = i + 1; j < calls.size(); ++j)
    if (calls[j].Throttled()) return j;
  return std::string::npos;
}

void Paging(const Ctx& x, RuleResult* r) {
  size_t full_pages = 0, interrupted = 0;
  for (size_t i = 0; i < x.calls.size(); ++i) {
    const Call& q = x.calls[i];
    if (!QueryOk(q) || q.rows < x.p.page_size) continue;
    ++full_pages;
    QueryShape shape = ShapeOf(q, x.p);
    const Call* next = nullptr;
    for (size_t j = i + 1; j < x.calls.size() && !next; ++j)
      if (QueryOk(x.calls[j]) && ShapeOf(x.calls[j], x.p).key == shape.key) next = &x.calls[j];
    std::string entity = q.EntityName();
    if (!next) {
      // The continuation was tried but refused (an expired password, say) and never came
      // through: the next call is a failed query of the same entity. Not the client's choice.
      size_t j = NextThrottled(x.calls, i);
      if (j != std::string::npos && x.calls[j].operation == "query" && x.calls[j].Failed() &&
          IEquals(x.calls[j].EntityName(), entity)) {
        ++interrupted;
        continue;
      }
      AddEvidence(r, q.seq,
                  fmt::format("{} rows of {} (last id {}), never continued: {}", q.rows, entity,
                              q.last_id, q.Summary()));
      continue;
    }
    long long bound = ShapeOf(*next, x.p).id_gt;
    if (bound == q.last_id) continue;
    if (bound < 0)
      AddEvidence(r, next->seq,
                  fmt::format("after #{} ({} rows, last id {}) the same {} query ran again "
                              "without id GreaterThan: the first page again",
                              q.seq, q.rows, q.last_id, entity));
    else if (bound > q.last_id)
      AddEvidence(r, next->seq,
                  fmt::format("after #{} (last id {}) the next page asked for id GreaterThan {}: "
                              "rows with ids {}..{} lost",
                              q.seq, q.last_id, bound, q.last_id + 1, bound));
    else
      AddEvidence(r, next->seq,
                  fmt::format("after #{} (last id {}) the next page asked for id GreaterThan {}: "
                              "rows read twice",
                              q.seq, q.last_id, bound));
  }
  if (full_pages > 0 && full_pages == interrupted)
    return NotApplicable(
        r, "the continuation of every full page was refused (e.g. 401) and never came through");
  std::string passed = fmt::format(
      "all {} full pages were continued with id GreaterThan the last id", full_pages - interrupted);
  if (interrupted)
    passed += fmt::format(" ({} continuation(s) refused and not retried)", interrupted);
  Conclude(r, full_pages, fmt::format("no query returned a full page of {} rows", x.p.page_size),
           fmt::format("{} of {} full pages were not continued with id GreaterThan the last id",
                       r->evidence_total, full_pages),
           std::move(passed));
}

struct Created {
  std::string entity;
  long long id = 0;
  std::set<std::string> settle_fields;  // lower case
  std::map<std::string, std::string> names;
  double due = 0;
  unsigned long long seq = 0;
};

void Settle(const Ctx& x, RuleResult* r) {
  std::map<std::pair<std::string, long long>, Created> created;
  size_t updates = 0;
  for (size_t i = 0; i < x.calls.size(); ++i) {
    const Call& c = x.calls[i];
    if (!c.written.is_array()) continue;
    for (const auto& rec : c.written) {
      if (!rec.is_object() || rec.value("outcome", "") != "written" || !rec.contains("id"))
        continue;
      std::string entity = Lower(JsonText(rec.value("entity", nlohmann::json())));
      long long id = rec["id"].is_number() ? rec["id"].get<long long>() : 0;
      if (c.operation == "create") {
        const auto& settle = rec.value("settle", nlohmann::json::object());
        if (!settle.is_object() || !settle.contains("fields")) continue;
        Created cr;
        cr.entity = entity;
        cr.id = id;
        cr.seq = c.seq;
        for (auto it = settle["fields"].begin(); it != settle["fields"].end(); ++it) {
          cr.settle_fields.insert(Lower(it.key()));
          cr.names[Lower(it.key())] = it.key();
        }
        double due = c.time;
        if (settle.value("state", "") == "pending")
          ParseUtcTime(JsonText(settle.value("due", nlohmann::json())), &due);
        cr.due = due;
        created[{entity, id}] = cr;
      } else if (c.operation == "update") {
        auto it = created.find({entity, id});
        if (it == created.end()) continue;
        ++updates;
        std::vector<std::string> sent;
        if (rec.contains("fields") && rec["fields"].is_object())
          for (auto f = rec["fields"].begin(); f != rec["fields"].end(); ++f)
            if (it->second.settle_fields.count(Lower(f.key())))
              sent.push_back(it->second.names[Lower(f.key())]);
        if (rec.contains("ignored") && rec["ignored"].is_array())
          for (const auto& f : rec["ignored"])
            if (f.is_string() && it->second.settle_fields.count(Lower(f.get<std::string>())))
              sent.push_back(it->second.names[Lower(f.get<std::string>())]);
        if (sent.empty()) continue;
        // A re-read: a successful query of the entity, after the values settled, that could
        // have returned the row.
        bool reread = false;
        for (size_t k = 0; k < i && !reread; ++k) {
          const Call& q = x.calls[k];
          if (q.seq <= it->second.seq || !QueryOk(q) || Lower(q.EntityName()) != entity) continue;
          if (q.time + 1e-3 < it->second.due || q.rows < 1 || q.last_id < id) continue;
          QueryShape s = ShapeOf(q, x.p);
          if (s.id_gt >= id) continue;
          bool other_id = false;
          for (const auto& cond : q.query.value("conditions", nlohmann::json::array()))
            if (IEquals(JsonText(cond.value("field", nlohmann::json())), "id") &&
                IEquals(JsonText(cond.value("op", nlohmann::json())), "Equals") &&
                JsonText(cond.value("value", nlohmann::json())) != std::to_string(id))
              other_id = true;
          reread = !other_id;
        }
        if (reread) continue;
        std::string list;
        for (const auto& f : sent) list += (list.empty() ? "" : ", ") + f;
        AddEvidence(r, c.seq,
                    fmt::format("update of {} {} (created in #{}) sent the computed field(s) {} "
                                "without re-reading the {} after it settled",
                                JsonText(rec["entity"]), id, it->second.seq, list,
                                JsonText(rec["entity"])));
      }
    }
  }
  Conclude(r, updates, "no update of an entity the client created with computed fields",
           fmt::format("{} update(s) sent back computed fields the client never re-read",
                       r->evidence_total),
           fmt::format("{} update(s) of created entities sent no unread computed field", updates));
}

void BackoffLatency(const Ctx& x, RuleResult* r) {
  size_t delayed = 0;
  for (size_t i = 0; i < x.calls.size(); ++i) {
    const Call& c = x.calls[i];
    if (c.latency_added_ms <= 0 || !c.Throttled()) continue;
    ++delayed;
    size_t j = NextThrottled(x.calls, i);
    if (j == std::string::npos) continue;
    double gap = x.calls[j].time - c.time;
    double need = x.p.latency_tolerance * static_cast<double>(c.latency_added_ms) / 1000.0;
    if (gap + 1e-6 < need)
      AddEvidence(r, x.calls[j].seq,
                  fmt::format("{:.0f} ms after #{} whose answer was held back {} ms: {}",
                              gap * 1000, c.seq, c.latency_added_ms, x.calls[j].Summary()));
  }
  if (delayed > 0 && !x.p.timing_reliable) return NotApplicableForClock(r);
  Conclude(r, delayed, "no call got added latency",
           fmt::format("{} call(s) came while an earlier answer was still held back ({} calls "
                       "got latency)",
                       r->evidence_total, delayed),
           fmt::format("{} calls got latency; the client waited for each answer", delayed));
}

void BackoffSuspension(const Ctx& x, RuleResult* r) {
  size_t refusals = 0;
  double first = -1;
  size_t after_first = 0;
  for (size_t i = 0; i < x.calls.size(); ++i) {
    const Call& c = x.calls[i];
    if (first >= 0 && c.Throttled() && c.time - first <= 10.0) ++after_first;
    if (!c.Suspended()) continue;
    ++refusals;
    if (first < 0) first = c.time;
    size_t j = NextThrottled(x.calls, i);
    if (j == std::string::npos) continue;
    double gap = x.calls[j].time - c.time;
    if (gap + 1e-6 < x.p.min_backoff_seconds)
      AddEvidence(r, x.calls[j].seq,
                  fmt::format("{:.0f} ms after the suspension refusal #{} (at least {:.1f} s "
                              "expected): {}",
                              gap * 1000, c.seq, x.p.min_backoff_seconds, x.calls[j].Summary()));
  }
  if (refusals > 0 && !x.p.timing_reliable) return NotApplicableForClock(r);
  Conclude(r, refusals, "no call was refused for the threshold",
           fmt::format("{} refusal(s) for the threshold; {} retried sooner than {:.1f} s ({} "
                       "counted calls in the 10 s after the first refusal, {:.1f}/s)",
                       refusals, r->evidence_total, x.p.min_backoff_seconds, after_first,
                       after_first / 10.0),
           fmt::format("{} refusal(s) for the threshold; the client paused at least {:.1f} s "
                       "each time",
                       refusals, x.p.min_backoff_seconds));
}

void ThreadLimit(const Ctx& x, RuleResult* r) {
  size_t judged = 0;
  for (const auto& c : x.calls) {
    if (!c.Throttled()) continue;
    ++judged;
    if (c.ThreadLimited()) AddEvidence(r, c.seq, "refused by the thread limit: " + c.Summary());
  }
  Conclude(r, judged, "no call that the thread limit applies to",
           fmt::format("{} call(s) refused for more than the allowed concurrent calls",
                       r->evidence_total),
           "no call was refused by the thread limit");
}

void ThresholdMonitor(const Ctx& x, RuleResult* r) {
  const Call* trigger = nullptr;
  bool asked = false;
  for (const auto& c : x.calls) {
    if (c.operation == "getThresholdAndUsageInfo") asked = true;
    if (!trigger && c.Throttled() &&
        (c.latency_added_ms > 0 || !c.warning.empty() || c.Suspended()))
      trigger = &c;
  }
  if (!trigger) return NotApplicable(r, "no call got latency, a threshold warning or a suspension");
  if (!asked) AddEvidence(r, trigger->seq, "first slowed-down call: " + trigger->Summary());
  FailOnEvidence(r, "the API slowed the client down, and it never called getThresholdAndUsageInfo",
                 "the client called getThresholdAndUsageInfo");
}

void AuthStop(const Ctx& x, RuleResult* r) {
  size_t first = std::string::npos;
  for (size_t i = 0; i < x.calls.size(); ++i)
    if (x.calls[i].AuthRefused()) {
      first = i;
      break;
    }
  if (first == std::string::npos)
    return NotApplicable(r, "no call was refused with HTTP 401 for the client's user");
  size_t after = 0;
  for (size_t j = first + 1; j < x.calls.size(); ++j) {
    if (x.calls[j].operation == "getZoneInfo") continue;  // needs no credentials
    ++after;
    if (static_cast<int>(after) > x.p.max_calls_after_auth_failure)
      AddEvidence(r, x.calls[j].seq, "after the 401: " + x.calls[j].Summary());
  }
  FailOnEvidence(r,
                 fmt::format("after the 401 of #{} the client made {} more calls (at most {} "
                             "allowed)",
                             x.calls[first].seq, after, x.p.max_calls_after_auth_failure),
                 fmt::format("the client stopped after the 401 of #{} ({} more call(s))",
                             x.calls[first].seq, after));
}

void ExternalFields(const Ctx& x, RuleResult* r) {
  size_t writes = 0;
  for (const auto& c : x.calls) {
    if (c.operation != "create" && c.operation != "update") continue;
    if (!c.written.is_array()) continue;
    for (const auto& rec : c.written) {
      ++writes;
      if (!rec.is_object() || !rec.contains("fields") || !rec["fields"].is_object()) continue;
      for (auto f = rec["fields"].begin(); f != rec["fields"].end(); ++f) {
        if (!IStartsWith(f.key(), x.p.external_prefix)) continue;
        std::string v = JsonText(f.value());
        if (v.find_first_not_of(" \t\r\n") == std::string::npos) continue;  // empty / null
        AddEvidence(r, c.seq,
                    fmt::format("{} of {} set {} = \"{}\"", c.operation, RecordLabel(rec),
                                Clip(f.key(), 60), Clip(v)));
      }
    }
  }
  Conclude(r, writes, "no create or update",
           fmt::format("{} External* value(s) written", r->evidence_total),
           fmt::format("{} entities written, no External* field set", writes));
}

void ReadOnly(const Ctx& x, RuleResult* r) {
  size_t writes = 0;
  for (const auto& c : x.calls) {
    if (c.operation != "create" && c.operation != "update") continue;
    if (!c.written.is_array()) continue;
    for (const auto& rec : c.written) {
      ++writes;
      if (!rec.is_object() || !rec.contains("ignored") || !rec["ignored"].is_array()) continue;
      std::string list;
      for (const auto& f : rec["ignored"]) {
        std::string name = JsonText(f);
        if (IEquals(name, "id")) continue;
        list += (list.empty() ? "" : ", ") + name;
      }
      if (!list.empty())
        AddEvidence(r, c.seq,
                    fmt::format("{} of {} sent read-only field(s) {}", c.operation,
                                RecordLabel(rec), Clip(list, 200)));
    }
  }
  Conclude(
      r, writes, "no create or update",
      fmt::format("{} of {} written entities carried read-only fields", r->evidence_total, writes),
      fmt::format("{} entities written, no read-only field sent", writes));
}

void TicketSource(const Ctx& x, RuleResult* r) {
  size_t tickets = 0;
  for (const auto& c : x.calls) {
    if (c.operation != "create" || !c.written.is_array()) continue;
    for (const auto& rec : c.written) {
      if (!rec.is_object() || !IEquals(JsonText(rec.value("entity", nlohmann::json())), "Ticket"))
        continue;
      if (!rec.contains("fields") || !rec["fields"].is_object()) continue;  // rejected early
      ++tickets;
      bool has = false;
      for (auto f = rec["fields"].begin(); f != rec["fields"].end(); ++f)
        if (IEquals(f.key(), "Source") && !JsonText(f.value()).empty()) has = true;
      if (!has) AddEvidence(r, c.seq, fmt::format("create of {} without Source", RecordLabel(rec)));
    }
  }
  Conclude(r, tickets, "no ticket created",
           fmt::format("{} of {} tickets created without a Source", r->evidence_total, tickets),
           fmt::format("all {} tickets created with a Source", tickets));
}

// "Value 'New' is not valid for field Status of type integer." and
// "Value New is not a valid picklist value for field Status."
struct PicklistError {
  std::string value, field;
  bool picklist_message = false;
};

bool ParsePicklistError(const std::string& text, PicklistError* out) {
  static const std::regex type_re(
      R"(Value '(.*)' is not valid for field ([A-Za-z0-9_]+) of type ([A-Za-z]+)\.)");
  static const std::regex pick_re(
      R"(Value (.*) is not a valid picklist value for field ([A-Za-z0-9_]+)\.)");
  std::smatch m;
  if (std::regex_search(text, m, pick_re)) {
    *out = {m[1].str(), m[2].str(), true};
    return true;
  }
  if (std::regex_search(text, m, type_re)) {
    *out = {m[1].str(), m[2].str(), false};
    return true;
  }
  return false;
}

void PicklistValue(const Ctx& x, RuleResult* r) {
  size_t judged = 0;
  auto judge = [&](const Call& c, const std::string& entity, const std::string& text) {
    PicklistError pe;
    if (!ParsePicklistError(text, &pe)) return;
    bool picklist = pe.picklist_message;
    if (!picklist) {
      const FieldMeta* f = x.meta.Find(entity, pe.field);
      if (f)
        picklist = f->picklist;
      else
        picklist = !IsInteger(pe.value);  // no metadata: text sent for a number looks like a label
    }
    if (!picklist) return;
    std::string what = IsInteger(pe.value) ? "a value the picklist does not have" : "a label";
    AddEvidence(r, c.seq,
                fmt::format("{}: {}.{} = \"{}\" ({})", c.operation, entity.empty() ? "?" : entity,
                            pe.field, Clip(pe.value), what));
  };
  for (const auto& c : x.calls) {
    if (c.operation == "query") {
      ++judged;
      for (const auto& e : c.errors) judge(c, c.EntityName(), e);
    } else if (IsWrite(c) && c.written.is_array()) {
      for (const auto& rec : c.written) {
        ++judged;
        if (rec.is_object() && rec.contains("error"))
          judge(c, JsonText(rec.value("entity", nlohmann::json())), JsonText(rec["error"]));
      }
    }
  }
  Conclude(
      r, judged, "no query or write",
      fmt::format("{} picklist field(s) given a label or an unknown value", r->evidence_total),
      fmt::format("{} queries and written entities: no picklist label or unknown value", judged));
}

void IncrementalSync(const Ctx& x, RuleResult* r) {
  struct Scan {
    std::vector<unsigned long long> starts;
    long long rows = 0;
    std::string entity;
  };
  std::map<std::string, Scan> scans;
  for (const auto& c : x.calls) {
    if (!QueryOk(c)) continue;
    QueryShape s = ShapeOf(c, x.p);
    if (s.change_tracking || s.id_lookup) continue;
    Scan& sc = scans[s.key];
    sc.entity = c.EntityName();
    sc.rows += c.rows;
    if (s.id_gt <= 0) sc.starts.push_back(c.seq);
  }
  size_t repeated = 0;
  for (const auto& [key, sc] : scans) {
    if (sc.starts.size() < 2 || sc.rows == 0) continue;
    ++repeated;
    std::string seqs;
    for (auto s : sc.starts) seqs += (seqs.empty() ? "#" : ", #") + std::to_string(s);
    AddEvidence(r, sc.starts[1],
                fmt::format("the same {} scan started {} times ({}), {} rows read in all, with "
                            "no LastModified/LastActivity condition",
                            sc.entity, sc.starts.size(), seqs, sc.rows));
  }
  // One piece of evidence per repeated scan.
  Conclude(r, scans.size(), "no scan without a change-tracking condition",
           fmt::format("{} scan(s) repeated instead of polling for changes", repeated),
           fmt::format("{} scan(s), none repeated", scans.size()));
}

using CheckFn = void (*)(const Ctx&, RuleResult*);
const std::map<std::string, CheckFn>& Checks() {
  static const std::map<std::string, CheckFn> m = {
      {"CC-ZONE-FIRST", ZoneFirst},
      {"CC-ZONE-URL", ZoneUrl},
      {"CC-ZONE-REDISCOVER", ZoneRediscover},
      {"CC-INTEGRATION-CODE", IntegrationCode},
      {"CC-PAGING", Paging},
      {"CC-SETTLE", Settle},
      {"CC-BACKOFF-LATENCY", BackoffLatency},
      {"CC-BACKOFF-SUSPENSION", BackoffSuspension},
      {"CC-THREAD-LIMIT", ThreadLimit},
      {"CC-THRESHOLD-MONITOR", ThresholdMonitor},
      {"CC-AUTH-STOP", AuthStop},
      {"CC-EXTERNAL-FIELDS", ExternalFields},
      {"CC-READONLY", ReadOnly},
      {"CC-TICKET-SOURCE", TicketSource},
      {"CC-PICKLIST-VALUE", PicklistValue},
      {"CC-INCREMENTAL-SYNC", IncrementalSync},
  };
  return m;
}

}  // namespace

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kOff:
      return "off";
  }
  return "error";
}

bool ParseSeverity(const std::string& text, Severity* out) {
  std::string t = Lower(text);
  if (t == "error")
    *out = Severity::kError;
  else if (t == "warning" || t == "warn")
    *out = Severity::kWarning;
  else if (t == "off" || t == "none")
    *out = Severity::kOff;
  else
    return false;
  return true;
}

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "fail";
    case Verdict::kNotApplicable:
      return "not applicable";
  }
  return "pass";
}

const std::vector<RuleSpec>& AllRules() { return kRules; }

const RuleSpec* FindRule(const std::string& id) {
  for (const auto& r : kRules)
    if (IEquals(r.id, id)) return &r;
  return nullptr;
}

bool Metadata::HasEntity(const std::string& entity) const {
  return entities.count(Lower(entity)) > 0;
}

const FieldMeta* Metadata::Find(const std::string& entity, const std::string& field) const {
  auto e = entities.find(Lower(entity));
  if (e == entities.end()) return nullptr;
  auto f = e->second.find(Lower(field));
  return f == e->second.end() ? nullptr : &f->second;
}

void Metadata::Add(const std::string& entity, const std::string& field, const FieldMeta& meta) {
  entities[Lower(entity)][Lower(field)] = meta;
}

RuleResult JudgeRule(const std::string& id, const std::vector<Call>& calls, const Metadata& meta,
                     const RuleParams& params) {
  RuleResult r;
  r.spec = FindRule(id);
  if (!r.spec) return r;
  r.severity = r.spec->severity;
  if (auto it = params.severity.find(r.spec->id); it != params.severity.end())
    r.severity = it->second;
  auto check = Checks().find(r.spec->id);
  if (check == Checks().end()) {
    NotApplicable(&r, "no check implemented");
    return r;
  }
  Ctx x{calls, meta, params};
  check->second(x, &r);
  return r;
}

std::vector<RuleResult> Judge(const std::vector<Call>& calls, const Metadata& meta,
                              const RuleParams& params) {
  std::vector<RuleResult> out;
  for (const auto& spec : kRules) {
    RuleResult r = JudgeRule(spec.id, calls, meta, params);
    if (r.severity == Severity::kOff) continue;
    out.push_back(std::move(r));
  }
  return out;
}

bool AnyErrorFailed(const std::vector<RuleResult>& results) {
  for (const auto& r : results)
    if (r.verdict == Verdict::kFail && r.severity == Severity::kError) return true;
  return false;
}

std::vector<std::string> EntitiesNeedingMetadata(const std::vector<Call>& calls) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  auto add = [&](const std::string& e) {
    if (!e.empty() && seen.insert(Lower(e)).second) out.push_back(e);
  };
  for (const auto& c : calls) {
    PicklistError pe;
    if (c.operation == "query") {
      for (const auto& e : c.errors)
        if (ParsePicklistError(e, &pe)) add(c.EntityName());
    } else if (IsWrite(c) && c.written.is_array()) {
      for (const auto& rec : c.written)
        if (rec.is_object() && rec.contains("error") &&
            ParsePicklistError(JsonText(rec["error"]), &pe))
          add(JsonText(rec.value("entity", nlohmann::json())));
    }
  }
  return out;
}

}  // namespace atws::conformance::clientcheck
