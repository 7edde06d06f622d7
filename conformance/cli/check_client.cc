// atws-conformance check-client [options] -- COMMAND ARGS...
//
// Starts atws-mock (or uses --mock URL), resets the tenant, applies the client scenarios, runs
// the command with ATWS_URL / ATWS_USERNAME / ATWS_PASSWORD / ATWS_INTEGRATION_CODE set, reads
// the tenant's journal and judges the client by the rules of client_rules.h. See
// docs/conformance.md ("Judging a client").
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "conformance/cli/command_setup.h"
#include "conformance/cli/commands.h"
#include "conformance/report/report.h"
#include "conformance/rules/client_journal.h"
#include "conformance/rules/client_report.h"
#include "conformance/rules/client_rules.h"
#include "conformance/rules/client_scenarios.h"
#include "conformance/runner/client_process.h"
#include "conformance/runner/endpoint.h"
#include "net/http_client.h"
#include "xml/xml.h"

namespace atws::conformance {
namespace {

using clientcheck::Call;
using clientcheck::ClientScenario;
using clientcheck::RunRecord;
using SteadyClock = std::chrono::steady_clock;

constexpr long long kDefaultTenant = 29683500;  // zone 5, English
constexpr const char* kNs = "http://autotask.net/ATWS/v1_6/";

struct Options {
  std::string mock_url;
  std::string mock_binary;
  std::vector<std::string> mock_args;
  std::string admin_token;
  long long tenant = 0;
  std::string username, password = "sandbox", integration_code;
  std::vector<std::string> scenarios;
  int trigger_after = 5;
  double suspend_seconds = 3;
  double timeout = 600;
  ReportFiles reports;
  bool quiet = false, verbose = false, fail_on_warning = false;
  bool list_rules = false, list_scenarios = false;
  double min_backoff = 2.0, latency_tolerance = 0.9;
  int max_calls_after_auth_failure = 2;
  std::vector<std::string> severity;
  std::vector<std::string> command;
};

// JSON calls to the mock's admin API. One per thread (net::HttpClient is not shared).
class Admin {
 public:
  Admin(std::string base, std::string token) : base_(std::move(base)), token_(std::move(token)) {}

  bool Call(const std::string& method, const std::string& path, const std::string& body,
            nlohmann::json* out, std::string* error) {
    net::HttpRequest r;
    r.method = method;
    r.url = base_ + path;
    r.body = body;
    r.timeout_seconds = 30;
    r.headers = {{"Content-Type", "application/json"}};
    if (!token_.empty()) r.headers.push_back({"Authorization", "Bearer " + token_});
    net::HttpResponse resp = http_.Send(r);
    if (!resp.transport.ok()) {
      *error = fmt::format("{} {}: {}", method, path, resp.transport.message());
      return false;
    }
    nlohmann::json j = nlohmann::json::parse(resp.body, nullptr, false);
    if (resp.status < 200 || resp.status >= 300) {
      std::string why = j.is_object() && j.contains("error") && j["error"].is_string()
                            ? j["error"].get<std::string>()
                            : resp.body.substr(0, 200);
      *error = fmt::format("{} {}: HTTP {}: {}", method, path, resp.status, why);
      return false;
    }
    if (j.is_discarded()) {
      *error = fmt::format("{} {}: the answer is not JSON", method, path);
      return false;
    }
    if (out) *out = std::move(j);
    return true;
  }

  const std::string& base() const { return base_; }

 private:
  std::string base_, token_;
  net::HttpClient http_;
};

std::string Envelope(const std::string& body, const std::string& code) {
  std::string header;
  if (!code.empty())
    header = fmt::format(
        "<soap:Header><AutotaskIntegrations xmlns=\"{}\"><IntegrationCode>{}</IntegrationCode>"
        "</AutotaskIntegrations></soap:Header>",
        kNs, xml::EscapeAll(code));
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
      "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">{}<soap:Body>{}</soap:Body>"
      "</soap:Envelope>",
      header, body);
}

// Text of the first child element of `node` with local name `name`.
std::string ChildText(xml::Node node, std::string_view name) {
  for (xml::Node c = node.FirstElement(); c; c = c.NextElement())
    if (c.LocalName() == name) return c.DeepText();
  return {};
}

// Elements named `name` (local name) among `node`, its following siblings and their
// descendants, in document order.
void CollectElements(xml::Node node, std::string_view name, std::vector<xml::Node>* out) {
  for (xml::Node c = node; c; c = c.Next()) {
    if (c.IsElement() && c.LocalName() == name) out->push_back(c);
    if (c.FirstChild()) CollectElements(c.FirstChild(), name, out);
  }
}

// An answer as libxml2 reads it, without the server's size, depth and attribute limits.
Result<xml::Document> ParseAnswer(const std::string& body) {
  xml::ParseOptions options;
  options.max_bytes = body.size();
  options.max_depth = 0;
  options.max_attributes = 0;
  return xml::Document::Parse(body, options);
}

// An answer's elements named `name`; none when the answer is not XML.
std::vector<xml::Node> AnswerElements(const Result<xml::Document>& doc, std::string_view name) {
  std::vector<xml::Node> out;
  if (doc.ok()) CollectElements(doc->Root(), name, &out);
  return out;
}

// Field metadata of `entities` by GetFieldInfo, as the client's user (like any client). The
// calls go to the tenant's journal after the snapshot check-client has judged.
void FetchMetadata(const RunRecord& run, const std::string& password,
                   const std::vector<std::string>& entities, clientcheck::Metadata* meta,
                   std::vector<std::string>* notes) {
  if (entities.empty()) return;
  net::HttpClient http;
  net::HttpResponse zi = http.Send(scenario::SoapRequest(
      run.neutral_url, std::string(kNs) + "getZoneInfo",
      Envelope(fmt::format("<getZoneInfo xmlns=\"{}\"><UserName>{}</UserName></getZoneInfo>", kNs,
                           xml::EscapeAll(run.user)),
               ""),
      "", "", 30));
  Result<xml::Document> zdoc = ParseAnswer(zi.body);
  std::vector<xml::Node> urls = AnswerElements(zdoc, "URL");
  if (urls.empty()) {
    notes->push_back(
        "could not read field metadata: getZoneInfo gave no URL (" +
        (zi.transport.ok() ? fmt::format("HTTP {}", zi.status) : zi.transport.message()) + ")");
    return;
  }
  std::string zone_url = urls.front().DeepText();
  for (const auto& entity : entities) {
    net::HttpResponse r = http.Send(scenario::SoapRequest(
        zone_url, std::string(kNs) + "GetFieldInfo",
        Envelope(fmt::format("<GetFieldInfo xmlns=\"{}\"><psObjectType>{}</psObjectType>"
                             "</GetFieldInfo>",
                             kNs, xml::EscapeAll(entity)),
                 run.integration_code),
        run.user, password, 30));
    Result<xml::Document> doc = ParseAnswer(r.body);
    std::vector<xml::Node> fields;
    if (r.status == 200) fields = AnswerElements(doc, "Field");
    if (fields.empty()) {
      notes->push_back(fmt::format("could not read field metadata of {} (HTTP {}{})", entity,
                                   r.status, r.transport.ok() ? "" : ": " + r.transport.message()));
      continue;
    }
    for (xml::Node f : fields) {
      clientcheck::FieldMeta m;
      m.picklist = ChildText(f, "IsPickList") == "true";
      m.read_only = ChildText(f, "IsReadOnly") == "true";
      m.type = ChildText(f, "Type");
      meta->Add(entity, ChildText(f, "Name"), m);
    }
  }
}

std::string NormaliseBase(std::string url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) url = "http://" + url, scheme = 4;
  auto slash = url.find('/', scheme + 3);
  if (slash != std::string::npos) url.erase(slash);
  return url;
}

double SecondsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// Polls the journal while the command runs: counts the client's calls (for the scenarios'
// after_calls actions) and samples the tenant's threshold usage for the timeline.
class Watcher {
 public:
  Watcher(const std::string& base, const std::string& token, long long tenant,
          unsigned long long after_seq, int trigger_after,
          std::vector<clientcheck::AdminAction> actions, clientcheck::PlaceholderValues values,
          SteadyClock::time_point start)
      : admin_(base, token),
        tenant_(tenant),
        last_seq_(after_seq),
        trigger_after_(trigger_after),
        actions_(std::move(actions)),
        values_(std::move(values)),
        start_(start) {}

  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    Sample();
  }
  std::vector<clientcheck::UsageSample> usage() {
    std::lock_guard<std::mutex> l(mu_);
    return usage_;
  }
  std::vector<std::string> events() {
    std::lock_guard<std::mutex> l(mu_);
    return events_;
  }
  void Sample() {
    nlohmann::json u;
    std::string err;
    if (!admin_.Call("GET", fmt::format("/__admin/tenants/{}/usage", tenant_), "", &u, &err))
      return;
    std::lock_guard<std::mutex> l(mu_);
    usage_.push_back({SecondsSince(start_), u.value("percent", 0.0), u.value("calls", 0LL)});
  }

 private:
  void Loop() {
    auto last_sample = SteadyClock::now() - std::chrono::seconds(1);
    while (!stop_) {
      if (!triggered_ && !actions_.empty()) CountCalls();
      if (SecondsSince(last_sample) >= 0.25) {
        Sample();
        last_sample = SteadyClock::now();
      }
      // Fast while a mid-run action waits, so that it lands right after the Nth call.
      bool pending = !triggered_ && !actions_.empty();
      std::this_thread::sleep_for(std::chrono::milliseconds(pending ? 15 : 50));
    }
  }

  void CountCalls() {
    nlohmann::json arr;
    std::string err;
    if (!admin_.Call(
            "GET",
            fmt::format("/__admin/journal?tenant={}&after={}&limit=1000000", tenant_, last_seq_),
            "", &arr, &err) ||
        !arr.is_array())
      return;
    for (const auto& e : arr) {
      last_seq_ = std::max<unsigned long long>(last_seq_, e.value("seq", 0ULL));
      std::string op = e.value("operation", "");
      if (op != "getZoneInfo" && op != "getThresholdAndUsageInfo") ++calls_;
    }
    if (calls_ < trigger_after_) return;
    triggered_ = true;
    nlohmann::json clock;
    if (admin_.Call("GET", "/__admin/clock", "", &clock, &err))
      values_.now = clock.value("now", values_.now);
    for (const auto& a : actions_) {
      std::string path = clientcheck::ExpandPlaceholders(a.path, values_, true);
      std::string body = clientcheck::ExpandPlaceholders(a.body, values_, false);
      bool ok = admin_.Call(a.method, path, body, nullptr, &err);
      std::lock_guard<std::mutex> l(mu_);
      events_.push_back(fmt::format("+{:.1f} s, after the client's call #{} ({} calls): {}{}",
                                    SecondsSince(start_), last_seq_, calls_, a.what,
                                    ok ? "" : " FAILED: " + err));
    }
  }

  Admin admin_;
  long long tenant_;
  unsigned long long last_seq_;
  int trigger_after_;
  int calls_ = 0;
  bool triggered_ = false;
  std::vector<clientcheck::AdminAction> actions_;
  clientcheck::PlaceholderValues values_;
  SteadyClock::time_point start_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<clientcheck::UsageSample> usage_;
  std::vector<std::string> events_;
};

void PrintRules() {
  for (const auto& r : clientcheck::AllRules()) {
    std::cout << fmt::format("{:<22} {:<8} {}\n", r.id, clientcheck::SeverityName(r.severity),
                             r.title);
  }
}

void PrintScenarios() {
  for (const auto& s : clientcheck::AllClientScenarios()) {
    std::cout << fmt::format("{:<18} {}\n", s.name, s.title);
    std::cout << fmt::format("{:<18} state: {}\n{:<18} the client must: {}\n\n", "", s.state, "",
                             s.client_must);
  }
}

// Runs everything; returns the exit status (0 pass, 1 judged and failed, 2 could not judge).
int CheckClient(const Options& opt) {
  if (opt.list_rules) {
    PrintRules();
    return 0;
  }
  if (opt.list_scenarios) {
    PrintScenarios();
    return 0;
  }
  auto fail = [](const std::string& msg) {
    std::cerr << "atws-conformance check-client: " << msg << "\n";
    return 2;
  };
  if (opt.command.empty()) return fail("no command given (check-client [options] -- COMMAND ...)");

  // Rules' parameters.
  clientcheck::RuleParams params;
  params.min_backoff_seconds = opt.min_backoff;
  params.latency_tolerance = opt.latency_tolerance;
  params.max_calls_after_auth_failure = opt.max_calls_after_auth_failure;
  for (const auto& s : opt.severity) {
    auto eq = s.find('=');
    clientcheck::Severity sev;
    if (eq == std::string::npos || !clientcheck::FindRule(s.substr(0, eq)) ||
        !clientcheck::ParseSeverity(s.substr(eq + 1), &sev))
      return fail(
          fmt::format("--severity {}: expected RULE-ID=error|warning|off with a rule of "
                      "--list-rules",
                      s));
    params.severity[clientcheck::FindRule(s.substr(0, eq))->id] = sev;
  }

  // Scenarios.
  std::vector<const ClientScenario*> scenarios;
  long long tenant = opt.tenant;
  std::string username = opt.username;
  for (const auto& name : opt.scenarios) {
    const ClientScenario* sc = clientcheck::FindClientScenario(name);
    if (!sc) return fail(fmt::format("unknown scenario '{}' (see --list-scenarios)", name));
    scenarios.push_back(sc);
    if (sc->tenant) {
      if (opt.tenant && opt.tenant != sc->tenant)
        return fail(fmt::format("scenario {} uses tenant {}, not --tenant {}", sc->name, sc->tenant,
                                opt.tenant));
      tenant = sc->tenant;
      if (username.empty()) username = sc->username;
    }
  }
  if (!tenant) tenant = kDefaultTenant;

  RunRecord run;
  run.command = opt.command;
  run.params = params;
  run.fail_on_warning = opt.fail_on_warning;
  run.started_utc = report::NowIso8601();
  run.tenant = tenant;

  // The mock.
  clientcheck::MockProcess mock;
  std::string err;
  if (!opt.mock_url.empty()) {
    run.mock_url = NormaliseBase(opt.mock_url);
  } else {
    std::string binary = clientcheck::FindMockBinary(opt.mock_binary, &err);
    if (binary.empty()) return fail(err);
    if (!mock.Start(binary, opt.mock_args, 60, &err)) return fail(err);
    run.mock_url = mock.base_url();
    run.mock_started = true;
  }
  run.neutral_url = run.mock_url + "/atservices/1.6/atws.asmx";
  std::string token = ValueOrEnv(opt.admin_token, kEnvAdminToken);
  Admin admin(run.mock_url, token);
  nlohmann::json j;
  if (!admin.Call("GET", "/__admin/health", "", &j, &err))
    return fail("the mock's admin API does not answer: " + err);

  // The tenant, from scratch.
  if (!admin.Call("POST", fmt::format("/__admin/reset?tenant={}", tenant), "", &j, &err))
    return fail("could not reset the tenant: " + err);
  nlohmann::json users;
  if (!admin.Call("GET", fmt::format("/__admin/tenants/{}/users", tenant), "", &users, &err))
    return fail("could not read the tenant's users: " + err);
  std::string default_code;
  for (const auto& u : users) {
    std::string name = u.value("username", "");
    bool usable = u.value("security_level", "") == "api-only" &&
                  !u.value("password_expired", true) && u.contains("integration_codes") &&
                  !u["integration_codes"].empty() &&
                  u.value("lines_of_business", nlohmann::json::array()).empty();
    if (username.empty() && usable) username = name;
    if (name == username && u.contains("integration_codes") && !u["integration_codes"].empty())
      default_code = u["integration_codes"][0].get<std::string>();
  }
  if (username.empty())
    return fail(
        fmt::format("tenant {} has no API-only user with an integration code; name one "
                    "with --username",
                    tenant));
  run.user = username;
  run.integration_code = !opt.integration_code.empty() ? opt.integration_code
                         : !default_code.empty()       ? default_code
                                                       : "SANDBOX-INTEGRATION";

  // Placeholder values and the timing sanity check.
  clientcheck::PlaceholderValues values;
  values.tenant = tenant;
  values.user = username;
  values.suspend_seconds = opt.suspend_seconds;
  nlohmann::json clock, settings, zone;
  if (!admin.Call("GET", "/__admin/clock", "", &clock, &err)) return fail(err);
  if (!admin.Call("GET", fmt::format("/__admin/tenants/{}/settings", tenant), "", &settings, &err))
    return fail(err);
  if (!admin.Call("GET", fmt::format("/__admin/tenants/{}/zone", tenant), "", &zone, &err))
    return fail(err);
  values.now = clock.value("now", "");
  values.threshold = settings.value("threshold", 10000LL);
  values.zone = zone.value("zone", 5);
  bool frozen = clock.value("frozen", false);
  double mock_start = 0;
  clientcheck::ParseUtcTime(clock.value("now_utc", ""), &mock_start);
  if (frozen) {
    params.timing_reliable = false;
    run.notes.push_back(
        "the mock's clock is frozen (POST /__admin/clock): the timing rules are not judged");
  }

  // Scenarios: state at the start.
  auto start = SteadyClock::now();
  std::vector<clientcheck::AdminAction> after_calls, after_run;
  bool must_fail = false;
  for (const auto* sc : scenarios) {
    run.scenarios.push_back(sc->name);
    run.scenario_texts.push_back(
        fmt::format("{}: {} The client must: {}", sc->name, sc->state, sc->client_must));
    for (const auto& a : sc->at_start) {
      std::string path = clientcheck::ExpandPlaceholders(a.path, values, true);
      std::string body = clientcheck::ExpandPlaceholders(a.body, values, false);
      if (!admin.Call(a.method, path, body, nullptr, &err))
        return fail(fmt::format("scenario {}: {}", sc->name, err));
      run.events.push_back("at the start: " + a.what);
    }
    after_calls.insert(after_calls.end(), sc->after_calls.begin(), sc->after_calls.end());
    after_run.insert(after_run.end(), sc->after_run.begin(), sc->after_run.end());
    must_fail = must_fail || sc->command_must_fail;
  }
  run.command_must_fail = must_fail;

  // The journal's position before the client starts.
  nlohmann::json last;
  unsigned long long baseline = 0;
  if (!admin.Call("GET", "/__admin/journal?limit=1", "", &last, &err)) return fail(err);
  if (last.is_array() && !last.empty()) baseline = last[0].value("seq", 0ULL);

  Watcher watcher(run.mock_url, token, tenant, baseline, opt.trigger_after, after_calls, values,
                  start);
  watcher.Sample();
  watcher.Start();
  std::cerr << fmt::format(
      "check-client: running {} with ATWS_URL={} ATWS_USERNAME={} (tenant {}){}\n",
      opt.command.front(), run.neutral_url, username, tenant,
      opt.scenarios.empty() ? ""
                            : ", scenario " + fmt::format("{}", fmt::join(opt.scenarios, ", ")));
  std::vector<std::pair<std::string, std::string>> env = {
      {kEnvUrl, run.neutral_url},
      {kEnvUsername, username},
      {kEnvPassword, opt.password},
      {kEnvIntegrationCode, run.integration_code},
      {"ATWS_SCENARIO", fmt::format("{}", fmt::join(opt.scenarios, ","))}};
  run.result = clientcheck::RunCommand(opt.command, env, opt.timeout, opt.quiet);
  watcher.Stop();
  run.usage = watcher.usage();
  for (const auto& e : watcher.events()) run.events.push_back(e);
  double wall = SecondsSince(start);

  // The client's calls.
  nlohmann::json entries;
  if (!admin.Call(
          "GET", fmt::format("/__admin/journal?tenant={}&after={}&limit=1000000", tenant, baseline),
          "", &entries, &err))
    return fail("could not read the journal: " + err);
  run.calls = clientcheck::CallsFromJson(entries);
  if (run.calls.empty())
    run.notes.push_back(
        "the client made no call to the mock (is it using ATWS_URL?): nothing to judge");
  if (run.calls.size() >= 10000)
    run.notes.push_back(
        "the journal keeps 10,000 entries: the client's oldest calls may be missing");
  // Failed queries carry no parsed query: their raw request names the entity.
  int fetched = 0;
  for (auto& c : run.calls) {
    if (c.operation != "query" || !c.EntityName().empty() || fetched >= 200) continue;
    nlohmann::json one;
    if (admin.Call("GET", fmt::format("/__admin/journal/{}", c.seq), "", &one, &err))
      c.request = one.value("request", "");
    ++fetched;
  }
  if (!frozen && !run.calls.empty()) {
    nlohmann::json clock_end;
    double mock_end = 0;
    if (admin.Call("GET", "/__admin/clock", "", &clock_end, &err) &&
        clientcheck::ParseUtcTime(clock_end.value("now_utc", ""), &mock_end) &&
        std::abs((mock_end - mock_start) - wall) > 2.0) {
      params.timing_reliable = false;
      run.notes.push_back(
          "the mock's clock moved or froze during the run: the timing rules are not judged");
    }
  }
  run.start_mock_time = mock_start;
  run.params = params;

  // Undo what would stop check-client from reading metadata, then judge.
  for (const auto& a : after_run) {
    std::string path = clientcheck::ExpandPlaceholders(a.path, values, true);
    std::string body = clientcheck::ExpandPlaceholders(a.body, values, false);
    if (admin.Call(a.method, path, body, nullptr, &err))
      run.events.push_back("after the run: " + a.what);
    else
      run.notes.push_back("after the run: " + a.what + " failed: " + err);
  }
  clientcheck::Metadata meta;
  FetchMetadata(run, opt.password, clientcheck::EntitiesNeedingMetadata(run.calls), &meta,
                &run.notes);
  run.results = clientcheck::Judge(run.calls, meta, params);

  // Outputs.
  std::cout << clientcheck::TextReport(run, opt.verbose) << std::flush;
  int status = run.Passed() ? 0 : 1;
  report::Report rep = clientcheck::ToReport(run);
  auto complain = [](const char* kind, const std::string& path, const std::string& error) {
    std::cerr << fmt::format(
        "atws-conformance check-client: could not write the {} report {}: {}\n", kind, path, error);
  };
  if (!opt.reports.Write(
          rep, [&] { return clientcheck::JsonReport(run); }, complain))
    status = 2;
  if (run.mock_started) {
    std::string stop_err;
    if (!mock.Stop(&stop_err)) std::cerr << "atws-conformance check-client: " << stop_err << "\n";
  }
  return status;
}

}  // namespace

void RegisterCheckClientCommand(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = AddCommand(
      app, "check-client",
      "Run a client command against the mock and judge it by the API's best practices (rules "
      "with ids, severities, explanations and journal evidence). Usage: check-client [options] "
      "-- COMMAND ARGS...  The command gets ATWS_URL (zone-neutral endpoint), ATWS_USERNAME, "
      "ATWS_PASSWORD and ATWS_INTEGRATION_CODE. Exit status 0 only if the command ended as "
      "expected and no error-severity rule failed.",
      exit_code, opt, CheckClient);
  cmd->add_option("--mock", opt->mock_url,
                  "use a running mock (http://HOST:PORT) instead of starting atws-mock");
  cmd->add_option("--mock-binary", opt->mock_binary,
                  "the atws-mock to start (default: beside atws-conformance, else on PATH)");
  cmd->add_option("--mock-arg", opt->mock_args,
                  "an extra argument for the started atws-mock (repeatable), e.g. "
                  "--mock-arg=--strict-zones");
  cmd->add_option("--admin-token", opt->admin_token,
                  "bearer token of a mock started with --admin-token (or ATWS_ADMIN_TOKEN)");
  cmd->add_option("--tenant", opt->tenant, "tenant id (default 29683500, zone 5)");
  cmd->add_option("--username", opt->username,
                  "API user given to the client (default: the tenant's first API-only user)");
  cmd->add_option("--password", opt->password, "its password (default: sandbox)");
  cmd->add_option("--integration-code", opt->integration_code,
                  "IntegrationCode given to the client (default: the user's first)");
  cmd->add_option("--scenario", opt->scenarios,
                  "client scenario (repeatable): german, threshold-75, suspension, "
                  "password-expiring, zone-moved (see --list-scenarios)");
  cmd->add_option("--trigger-after", opt->trigger_after,
                  "mid-run scenarios act after this many client calls that count against the "
                  "threshold (default 5)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--suspend-seconds", opt->suspend_seconds,
                  "how long the suspension scenario keeps the tenant suspended (default 3)")
      ->check(CLI::Range(0.5, 600.0));
  cmd->add_option("--timeout", opt->timeout, "seconds the command may run (default 600)")
      ->check(CLI::Range(1.0, 86400.0));
  opt->reports.AddOptions(cmd, "write a JUnit XML report (one test case per rule)",
                          "write a JSON report",
                          "write a self-contained HTML report with the timeline");
  cmd->add_flag("--quiet", opt->quiet, "do not copy the command's output to stderr");
  cmd->add_flag("--verbose", opt->verbose, "explain every rule, not only the failed ones");
  cmd->add_flag("--fail-on-warning", opt->fail_on_warning,
                "failed warning-severity rules fail the run too");
  cmd->add_option("--min-backoff", opt->min_backoff,
                  "CC-BACKOFF-SUSPENSION: seconds to wait after a suspension (default 2)")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--latency-tolerance", opt->latency_tolerance,
                  "CC-BACKOFF-LATENCY: share of the added latency the next call must wait "
                  "(default 0.9)")
      ->check(CLI::Range(0.0, 10.0));
  cmd->add_option("--max-calls-after-auth-failure", opt->max_calls_after_auth_failure,
                  "CC-AUTH-STOP: calls allowed after the first 401 (default 2)")
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--severity", opt->severity,
                  "change a rule's severity: RULE-ID=error|warning|off (repeatable)");
  cmd->add_flag("--list-rules", opt->list_rules, "list the rules and exit");
  cmd->add_flag("--list-scenarios", opt->list_scenarios, "list the client scenarios and exit");
  cmd->add_option("command", opt->command, "the client command and its arguments (after --)");
}

}  // namespace atws::conformance
