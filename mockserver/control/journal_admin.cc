// The journal: GET|DELETE /__admin/journal[?tenant&operation&fault&limit&after&since&bodies
// &format=jsonl] and GET /__admin/journal/{seq} (one entry with its raw request and response).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/query_string.h"
#include "common/text.h"
#include "common/timeutil.h"
#include "control/admin.h"
#include "control/handlers.h"
#include "control/json.h"

namespace atws::control {

bool HandleJournal(Admin& admin, const HttpRequest& req, const std::string&, HttpResponse* out) {
  Journal& journal = admin.service().journal();
  const std::string& m = req.method;
  if (m == "DELETE") {
    journal.Clear();
    *out = Json(200, {{"cleared", true}});
    return true;
  }
  if (m != "GET") {
    *out = JsonError(405, "use GET or DELETE");
    return true;
  }
  JournalFilter f;
  std::string v;
  long long n;
  if (QueryParam(req.query, "tenant", &v)) {
    if (!ParseInt64(v, &n)) {
      *out = JsonError(400, "tenant must be a number");
      return true;
    }
    f.tenant = n;
  }
  if (QueryParam(req.query, "operation", &v)) f.operation = v;
  if (QueryParam(req.query, "fault", &v)) f.fault = v;  // a rule id, or "any"
  if (QueryParam(req.query, "limit", &v)) {
    if (!ParseInt64(v, &n) || n <= 0) {
      *out = JsonError(400, "limit must be a positive number");
      return true;
    }
    f.limit = static_cast<size_t>(n);
  }
  if (QueryParam(req.query, "after", &v)) {
    if (!ParseInt64(v, &n) || n < 0) {
      *out = JsonError(400, "after must be a sequence number");
      return true;
    }
    f.after_seq = static_cast<uint64_t>(n);
  }
  if (QueryParam(req.query, "since", &v)) {
    CivilTime ct;
    Micros t;
    if (!ParseApiDateTime(v, &ct) || !FromLocal(ct, ApiTimeZone::kUtc, &t)) {
      *out = JsonError(400, "since must be a UTC date-time such as 2026-11-28T10:00:00Z");
      return true;
    }
    f.since = t;
  }
  bool bodies = QueryParam(req.query, "bodies", &v) && (v == "1" || v == "true");
  auto entries = journal.Query(f);
  if (QueryParam(req.query, "format", &v) && v == "jsonl") {
    HttpResponse r;
    r.content_type = "application/x-ndjson";
    for (const auto& e : entries) {
      r.body += e.ToJson(bodies).dump();
      r.body += '\n';
    }
    *out = std::move(r);
    return true;
  }
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& e : entries) arr.push_back(e.ToJson(bodies));
  *out = Json(200, arr);
  return true;
}

bool HandleJournalEntry(Admin& admin, const HttpRequest& req, const std::string& path,
                        HttpResponse* out) {
  constexpr std::string_view kJournal = "/__admin/journal/";
  long long seq;
  if (!ParseInt64(std::string_view(path).substr(kJournal.size()), &seq) || seq <= 0) {
    *out = JsonError(400, "the journal entry must be named by its seq (a positive number)");
    return true;
  }
  if (req.method != "GET") {
    *out = JsonError(405, "use GET");
    return true;
  }
  JournalFilter f;
  f.after_seq = static_cast<uint64_t>(seq - 1);
  f.until_seq = static_cast<uint64_t>(seq);
  f.limit = 1;
  auto entries = admin.service().journal().Query(f);
  if (entries.empty()) {
    *out =
        JsonError(404, fmt::format("journal entry {} is not (or no longer) in the journal", seq));
    return true;
  }
  *out = Json(200, entries.front().ToJson(true));
  return true;
}

}  // namespace atws::control
