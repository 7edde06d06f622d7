#include "conformance/runner/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "common/text.h"
#include "xml/xpath.h"

namespace atws::conformance::scenario {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string Truncate(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  return s.substr(0, max) + fmt::format("\n… ({} bytes in all)", s.size());
}

// Whether the answer is an error as the API reports them (for the timeline colour).
bool AnswerIsError(const StepResult& r) {
  if (!r.transport_error.empty() || r.http_status >= 400) return true;
  return r.response_body.find("<ReturnCode>-1</ReturnCode>") != std::string::npos;
}

}  // namespace

double UsagePercentFromAnswer(const std::string& body) {
  static const std::regex kUsage(
      R"(ThresholdOfExternalRequest: ([0-9]+);.*numberOfExternalRequest: ([0-9]+);)");
  std::smatch m;
  if (!std::regex_search(body, m, kUsage)) return -1;
  double threshold = std::stod(m[1].str()), used = std::stod(m[2].str());
  if (threshold <= 0) return -1;
  return 100.0 * used / threshold;
}

bool Selected(const Scenario& sc, const RunFilter& f) {
  if (!f.ids.empty()) {
    bool any = false;
    for (const auto& id : f.ids) {
      if (!id.empty() && id.back() == '*') {
        if (sc.id.rfind(id.substr(0, id.size() - 1), 0) == 0) any = true;
      } else if (sc.id == id) {
        any = true;
      }
    }
    if (!any) return false;
  }
  if (!f.tags.empty()) {
    bool any = false;
    for (const auto& t : f.tags)
      for (const auto& have : sc.tags)
        if (t == have) any = true;
    if (!any) return false;
  }
  return true;
}

struct Runner::Impl {
  net::HttpClient http;
  SteadyClock::time_point start = SteadyClock::now();

  double Since() const { return std::chrono::duration<double>(SteadyClock::now() - start).count(); }
};

namespace {

struct Exec {
  const Target& target;
  const Session& session;
  net::HttpClient& http;
};

bool Sub(const std::string& in, const Vars& vars, bool xml, std::string* out, StepResult* r) {
  std::string missing;
  if (Substitute(in, vars, xml, out, &missing)) return true;
  r->message = fmt::format("${{{}}} has no value in this run", missing);
  if (missing == "tenant") r->message += " (getZoneInfo did not give the tenant id)";
  return false;
}

net::HttpResponse AdminCall(const Exec& x, const std::string& method, const std::string& path,
                            const std::string& body) {
  net::HttpRequest req;
  req.method = method;
  req.url = x.session.admin_base + path;
  req.body = body;
  req.timeout_seconds = 30;
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  if (!x.target.admin_token.empty())
    req.headers.emplace_back("Authorization", "Bearer " + x.target.admin_token);
  return x.http.Send(req);
}

// Sends the step's request; fills the exchange part of *r. False when the step cannot be sent
// (a reference without a value, no URL for the endpoint asked for …).
bool Send(const Exec& x, const Step& s, const Vars& vars, StepResult* r) {
  r->ran = true;
  auto finish = [&](const net::HttpResponse& resp) {
    r->http_status = resp.status;
    r->transport_error = resp.transport.message();
    r->response_body = resp.body;
    r->response_headers = resp.headers;
    r->seconds = resp.seconds;
  };
  if (s.kind == StepKind::kWait) {
    r->operation = fmt::format("wait {} s", s.wait_seconds);
    auto t0 = SteadyClock::now();
    if (!x.session.admin_base.empty()) {
      net::HttpResponse a =
          AdminCall(x, "POST", "clock", fmt::format("{{\"advance_seconds\": {}}}", s.wait_seconds));
      net::HttpResponse b = AdminCall(x, "POST", "clock", "{\"resume\": true}");
      if (!a.transport.ok() || a.status != 200 || !b.transport.ok() || b.status != 200) {
        r->message = fmt::format("moving the mock's clock failed: HTTP {} {}", a.status,
                                 a.transport.ok() ? a.body.substr(0, 200) : a.transport.message());
        return false;
      }
    } else {
      std::this_thread::sleep_for(std::chrono::duration<double>(s.wait_seconds));
    }
    r->http_status = 200;
    r->seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    return true;
  }
  if (s.kind == StepKind::kAdmin) {
    std::string path, body;
    if (!Sub(s.path, vars, false, &path, r) || !Sub(s.admin_body, vars, false, &body, r))
      return false;
    if (x.session.admin_base.empty()) {
      r->message = "no admin API";
      return false;
    }
    r->operation = s.method + " " + path;
    r->url = x.session.admin_base + path;
    r->request_body = body;
    finish(AdminCall(x, s.method, path, body));
    return true;
  }
  if (s.kind == StepKind::kHttp) {
    std::string url;
    if (!Sub(s.url, vars, false, &url, r)) return false;
    net::HttpRequest req;
    req.method = s.method == "HEAD" ? "HEAD" : "GET";
    req.url = url;
    req.timeout_seconds = x.target.timeout_seconds;
    if (s.http_with_credentials) {
      req.username = x.target.username;
      req.password = x.target.password;
    }
    r->operation = s.method + " " + url;
    r->url = url;
    finish(x.http.Send(req));
    return true;
  }
  // A SOAP call.
  std::string base;
  if (s.endpoint == "zone") {
    base = x.session.zone_url;
  } else if (s.endpoint == "neutral") {
    base = x.session.neutral_url;
    if (base.empty()) {
      r->message = "the zone-neutral URL is not known for this endpoint (use --zone-discovery)";
      return false;
    }
  } else {
    int zone = 0;
    if (s.endpoint == "other-zone") {
      if (x.session.zone == 0) {
        r->message = "the endpoint's URL names no zone, so no other zone can be derived";
        return false;
      }
      zone = x.session.zone == 4 ? 5 : 4;
    } else {
      zone = std::stoi(s.endpoint.substr(5));
    }
    base = ZoneUrl(x.session.zone_url, zone);
    if (base.empty()) {
      r->message =
          fmt::format("no URL for zone {} can be derived from {}", zone, x.session.zone_url);
      return false;
    }
  }
  std::string url = UrlWithVersion(base, s.version);
  std::string ns = NamespaceFor(s.version);
  std::string body, code, impersonate, user, password, action;
  if (!Sub(s.body, vars, !s.raw_body, &body, r)) return false;
  if (!Sub(s.has_integration_code ? s.integration_code : "${integration_code}", vars, false, &code,
           r) ||
      !Sub(s.impersonate, vars, false, &impersonate, r) ||
      !Sub(s.soap_action, vars, false, &action, r))
    return false;
  if (s.credentials == "run") {
    user = x.target.username;
    password = x.target.password;
  } else if (s.credentials == "wrong-password") {
    user = x.target.username;
    password = x.target.password + "-wrong";
  } else if (s.credentials == "custom") {
    if (!Sub(s.username, vars, false, &user, r) || !Sub(s.password, vars, false, &password, r))
      return false;
  }
  std::string envelope =
      s.raw_body ? body : SoapEnvelope(body, ns, s.send_header, code, impersonate);
  if (action.empty()) action = ns + s.operation;
  r->operation = s.operation;
  r->url = url;
  r->request_body = envelope;
  double timeout = std::min(s.timeout_seconds, x.target.timeout_seconds);
  finish(x.http.Send(SoapRequest(url, action, envelope, user, password, timeout)));
  return true;
}

// The values a check looks at.
bool Select(const Check& ch, const StepResult& r, const xml::Document* doc,
            std::vector<std::string>* values, std::string* why) {
  values->clear();
  const std::string& k = ch.kind;
  if (k == "http-status") {
    values->push_back(std::to_string(r.http_status));
    return true;
  }
  if (k == "duration-ms") {
    values->push_back(std::to_string(static_cast<long long>(r.seconds * 1000 + 0.5)));
    return true;
  }
  if (k == "body") {
    values->push_back(r.response_body);
    return true;
  }
  if (k == "header") {
    std::string name = AsciiLower(ch.arg);
    for (const auto& [n, v] : r.response_headers)
      if (n == name) values->push_back(v);
    return true;
  }
  if (k == "json") {
    std::string v;
    if (JsonValueAt(r.response_body, ch.arg, &v)) values->push_back(v);
    return true;
  }
  if (!doc) {
    *why = "the answer is not XML";
    return false;
  }
  std::string xpath;
  if (k == "return-code") xpath = "//ReturnCode";
  if (k == "error") xpath = "//ATWSError/Message";
  if (k == "fault") xpath = "//Fault/faultstring";
  if (k == "rows") xpath = "count(//EntityResults/Entity)";
  if (k == "value") xpath = ch.arg;
  Result<xml::XPathValue> v = xml::EvaluateXPath(*doc, xpath);
  if (!v.ok()) {
    *why = v.status().message();
    return false;
  }
  *values = std::move(v->values);
  if (k == "return-code" && values->empty()) {
    *why = "the answer has no ReturnCode";
    return false;
  }
  return true;
}

// Evaluates checks and captures of a step that was sent.
void Evaluate(const Step& s, const Vars& vars, StepResult* r) {
  if (s.kind == StepKind::kWait) {
    r->passed = true;
    return;
  }
  if (!r->transport_error.empty()) {
    r->passed = false;
    r->message = "no answer: " + r->transport_error;
    return;
  }
  std::optional<xml::Document> doc;
  std::string parse_error;
  if (s.kind != StepKind::kAdmin) {
    Result<xml::Document> parsed = ParseAnswer(r->response_body);
    if (parsed.ok())
      doc.emplace(std::move(parsed).value());
    else
      parse_error = parsed.status().message();
  }
  r->passed = true;
  std::vector<Check> checks = s.checks;
  if (s.kind == StepKind::kAdmin && !s.has_expect) {
    Check ok;
    ok.kind = "http-status";
    ok.matchers.push_back({"matches", "2[0-9][0-9]"});
    ok.line = s.line;
    checks.push_back(ok);
  }
  for (const auto& original : checks) {
    Check ch = original;
    CheckResult cr;
    cr.line = ch.line;
    std::string missing;
    bool subst_ok = true;
    if (!Substitute(original.arg, vars, false, &ch.arg, &missing)) subst_ok = false;
    for (auto& m : ch.matchers) {
      std::string v;
      if (!Substitute(m.value, vars, false, &v, &missing)) subst_ok = false;
      m.value = v;
    }
    cr.description = ch.Describe();
    if (!subst_ok) {
      cr.passed = false;
      cr.why = fmt::format("${{{}}} has no value in this run", missing);
    } else {
      std::vector<std::string> values;
      std::string why;
      if (!Select(ch, *r, doc ? &*doc : nullptr, &values, &why)) {
        cr.passed = false;
        cr.why = why;
        if (!parse_error.empty() && why == "the answer is not XML") cr.why += ": " + parse_error;
      } else {
        cr.passed = ApplyMatchers(ch, values, &cr.why);
      }
    }
    if (!cr.passed && r->passed) {
      r->passed = false;
      r->message = fmt::format("{}: {}", cr.description, cr.why);
    }
    r->checks.push_back(std::move(cr));
  }
  // Captures are taken even when a check failed: clean-up may need the id of a write that
  // should not have happened. A missing value only matters when the checks passed.
  for (const auto& cap : s.captures) {
    std::string value;
    bool found = false;
    if (!cap.json.empty()) {
      found = JsonValueAt(r->response_body, cap.json, &value);
    } else if (!cap.header.empty()) {
      std::string name = AsciiLower(cap.header);
      for (const auto& [n, v] : r->response_headers)
        if (n == name) {
          value = v;
          found = true;
          break;
        }
    } else if (doc) {
      std::string xpath, missing;
      if (Substitute(cap.path, vars, false, &xpath, &missing)) {
        Result<xml::XPathValue> v = xml::EvaluateXPath(*doc, xpath);
        if (v.ok() && !v->values.empty() && !(!v->is_nodeset && v->values.front().empty())) {
          value = v->values.front();
          found = true;
        }
      }
    }
    if (!found) {
      if (cap.ignore_if_missing || !r->passed) continue;
      r->passed = false;
      r->skipped = cap.skip_if_missing;
      r->message = cap.skip_if_missing
                       ? cap.reason
                       : fmt::format("capture {} found no value (line {})", cap.name, cap.line);
      return;
    }
    r->captured[cap.name] = value;
  }
}

}  // namespace

Runner::Runner(Target target, Session session, bool read_only)
    : impl_(std::make_unique<Impl>()),
      target_(std::move(target)),
      session_(std::move(session)),
      read_only_(read_only) {}

Runner::~Runner() = default;

ScenarioResult Runner::Run(const Scenario& sc) {
  ScenarioResult out;
  out.scenario = &sc;
  if (sc.mock_only && session_.admin_base.empty()) {
    out.status = report::Status::kSkip;
    out.message = fmt::format("mock-only ({}): {}", sc.mock_only_reason, session_.admin_note);
    return out;
  }
  if (read_only_ && sc.writes) {
    out.status = report::Status::kSkip;
    out.message = "writes data (--read-only)";
    return out;
  }
  auto t0 = SteadyClock::now();
  Vars vars = session_.vars;
  bool failed = false, skipped = false;
  std::string message;
  auto record = [&](const StepResult& r) {
    if (r.ran && (r.kind == StepKind::kCall || r.kind == StepKind::kHttp)) {
      report::TimelineEvent e;
      e.time = r.started;
      e.latency_ms = r.seconds * 1000;
      e.label = fmt::format("{} ({})", r.operation, sc.id);
      e.detail =
          r.transport_error.empty() ? fmt::format("HTTP {}", r.http_status) : r.transport_error;
      e.failed = AnswerIsError(r);
      if (r.operation == "getThresholdAndUsageInfo")
        e.usage_percent = UsagePercentFromAnswer(r.response_body);
      timeline_.push_back(std::move(e));
    }
    out.steps.push_back(r);
  };
  auto run_one = [&](const Step& s, net::HttpClient& http, StepResult* r) {
    r->id = s.id;
    r->title = s.title;
    r->kind = s.kind;
    r->line = s.line;
    r->started = impl_->Since();
    Exec x{target_, session_, http};
    if (!Send(x, s, vars, r)) {
      r->passed = false;
      return;
    }
    Evaluate(s, vars, r);
  };

  for (const auto& s : sc.setup) {
    StepResult r;
    r.setup = true;
    run_one(s, impl_->http, &r);
    if (!r.passed && !failed) {
      failed = true;
      message = fmt::format("set-up {} failed: {}", s.id, r.message);
    }
    record(r);
    if (failed) break;
  }

  size_t i = 0;
  while (i < sc.steps.size()) {
    size_t j = i + 1;
    int group = sc.steps[i].parallel_group;
    if (group != 0)
      while (j < sc.steps.size() && sc.steps[j].parallel_group == group) ++j;
    if (failed || skipped) {
      for (size_t k = i; k < j; ++k) {
        StepResult r;
        r.id = sc.steps[k].id;
        r.kind = sc.steps[k].kind;
        r.line = sc.steps[k].line;
        r.skipped = true;
        r.message = "not run";
        record(r);
      }
      i = j;
      continue;
    }
    std::vector<StepResult> results(j - i);
    if (j - i == 1) {
      run_one(sc.steps[i], impl_->http, &results[0]);
    } else {
      std::vector<std::thread> threads;
      for (size_t k = i; k < j; ++k) {
        threads.emplace_back([&, k] {
          const Step& s = sc.steps[k];
          if (s.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(s.delay_ms));
          net::HttpClient http;
          run_one(s, http, &results[k - i]);
        });
      }
      for (auto& t : threads) t.join();
    }
    for (auto& r : results) {
      if (!r.passed && !failed && !skipped) {
        if (r.skipped) {
          skipped = true;
          message = r.message;
        } else {
          failed = true;
          message =
              fmt::format("{}{}: {}", r.id, r.title.empty() ? "" : " (" + r.title + ")", r.message);
        }
      }
      for (const auto& [k, v] : r.captured) vars[k] = v;
      record(r);
    }
    i = j;
  }

  // Clean-up always runs; a step whose captures are missing is left out.
  for (const auto& s : sc.cleanup) {
    StepResult r;
    r.cleanup = true;
    std::vector<std::string> texts = {s.body, s.path, s.admin_body, s.url, s.impersonate};
    std::string missing;
    for (const auto& t : texts)
      for (const auto& name : ReferencedNames(t))
        if (missing.empty() && !vars.count(name) && name.find(':') == std::string::npos)
          missing = name;
    if (!missing.empty()) {
      r.id = s.id;
      r.kind = s.kind;
      r.line = s.line;
      r.skipped = true;
      r.message = fmt::format("left out: ${{{}}} has no value", missing);
      record(r);
      continue;
    }
    run_one(s, impl_->http, &r);
    if (!r.passed && !failed) {
      failed = true;
      message = fmt::format("clean-up {} failed: {}", s.id, r.message);
    }
    record(r);
  }
  out.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  out.status = failed    ? report::Status::kFail
               : skipped ? report::Status::kSkip
                         : report::Status::kPass;
  out.message = message;
  return out;
}

report::Case ToCase(const ScenarioResult& r) {
  const Scenario& sc = *r.scenario;
  report::Case c;
  c.id = sc.id;
  c.name = sc.title;
  c.classname = "scenarios";
  c.status = r.status;
  c.message = r.message;
  c.seconds = r.seconds;
  c.tags = sc.tags;
  if (!sc.covers.empty()) {
    std::string covers;
    for (const auto& a : sc.covers) covers += (covers.empty() ? "" : " ") + a;
    c.properties.emplace_back("covers", covers);
  }
  c.properties.emplace_back("file", sc.file);
  if (sc.mock_only) c.properties.emplace_back("mock-only", sc.mock_only_reason);
  if (sc.writes) c.properties.emplace_back("writes", "yes");
  std::string d = "Proves: " + sc.proves + "\n";
  for (const auto& s : r.steps) {
    std::string mark = s.skipped ? "–" : s.passed ? "✓" : "✗";
    d += fmt::format("\n{} {} {}{}", mark, s.id, s.operation.empty() ? "" : s.operation,
                     s.title.empty() ? "" : " — " + s.title);
    if (s.ran && s.kind != StepKind::kWait)
      d += fmt::format(" (HTTP {}, {:.0f} ms)", s.http_status, s.seconds * 1000);
    if (s.skipped && !s.message.empty()) d += " " + s.message;
    d += "\n";
    for (const auto& ch : s.checks) {
      if (ch.passed) continue;
      d += fmt::format("    ✗ {} (line {}): {}\n", ch.description, ch.line, ch.why);
    }
    if (!s.passed && !s.skipped && s.ran) {
      if (s.checks.empty() || std::all_of(s.checks.begin(), s.checks.end(),
                                          [](const CheckResult& x) { return x.passed; }))
        d += "    " + s.message + "\n";
      d += "    request: " + s.url + "\n";
      if (!s.request_body.empty()) d += "      " + Truncate(s.request_body, 3000) + "\n";
      d += fmt::format("    answer: HTTP {}{}\n", s.http_status,
                       s.transport_error.empty() ? "" : " — " + s.transport_error);
      if (!s.response_body.empty()) d += "      " + Truncate(s.response_body, 4000) + "\n";
    } else if (!s.passed && !s.ran && !s.skipped) {
      d += "    " + s.message + "\n";
    }
  }
  c.details = d;
  return c;
}

}  // namespace atws::conformance::scenario
