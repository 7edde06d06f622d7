#include "conformance/rules/client_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>

namespace atws::conformance::clientcheck {
namespace {

// Word-wraps `text` at `width` columns, every line indented by `indent`.
std::string Wrap(const std::string& text, size_t width, const std::string& indent) {
  std::istringstream in(text);
  std::string word, line, out;
  while (in >> word) {
    if (!line.empty() && indent.size() + line.size() + 1 + word.size() > width) {
      out += indent + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += indent + line + "\n";
  return out;
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    bool plain = !a.empty() && a.find_first_of(" \t\"'\\$`") == std::string::npos;
    s += (s.empty() ? "" : " ") + (plain ? a : "'" + a + "'");
  }
  return s;
}

std::string Expected(const RunRecord& run) {
  return run.command_must_fail ? "a failure (the scenario expects the client to stop)"
                               : "success (exit status 0)";
}

bool Counts(const RunRecord& run, const RuleResult& r) {
  if (r.verdict != Verdict::kFail) return false;
  return r.severity == Severity::kError || run.fail_on_warning;
}

std::string CallsByOperation(const std::vector<Call>& calls) {
  std::map<std::string, int> n;
  for (const auto& c : calls) ++n[c.operation];
  std::string s;
  for (const auto& [op, count] : n) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", op, count);
  return s;
}

double UsageAt(const RunRecord& run, double t) {
  double pct = -1;
  for (const auto& s : run.usage) {
    if (s.t > t + 1e-6) break;
    pct = s.percent;
  }
  if (pct < 0 && !run.usage.empty()) pct = run.usage.front().percent;
  return pct;
}

std::string EvidenceText(const RuleResult& r) {
  std::string s;
  for (const auto& e : r.evidence)
    s += (e.seq ? fmt::format("#{}: ", e.seq) : std::string()) + e.note + "\n";
  if (r.evidence_total > r.evidence.size())
    s += fmt::format("... and {} more\n", r.evidence_total - r.evidence.size());
  return s;
}

}  // namespace

bool RunRecord::CommandOk() const {
  if (!result.started || result.timed_out) return false;
  bool ok = result.signal == 0 && result.exit_code == 0;
  return command_must_fail ? !ok : ok;
}

bool RunRecord::Passed() const {
  if (!CommandOk()) return false;
  for (const auto& r : results)
    if (Counts(*this, r)) return false;
  return true;
}

std::string TextReport(const RunRecord& run, bool verbose) {
  std::string out;
  out += fmt::format("atws-conformance check-client: {}\n", CommandLine(run.command));
  out += fmt::format("  mock      {}{}\n", run.mock_url,
                     run.mock_started ? " (started by check-client)" : " (already running)");
  out += fmt::format("  client    ATWS_URL={} ATWS_USERNAME={} (tenant {})\n", run.neutral_url,
                     run.user, run.tenant);
  for (const auto& s : run.scenario_texts) out += Wrap("scenario  " + s, 100, "  ");
  for (const auto& e : run.events) out += fmt::format("  sandbox   {}\n", e);
  out += fmt::format("  command   {} after {:.1f} s; expected {}: {}\n", run.result.Describe(),
                     run.result.seconds, Expected(run), run.CommandOk() ? "ok" : "NOT OK");
  out += fmt::format("  journal   {} calls ({})\n", run.calls.size(), CallsByOperation(run.calls));
  for (const auto& n : run.notes) out += Wrap("note      " + n, 100, "  ");
  out += "\nRules\n";
  int errors = 0, warnings = 0, passed = 0, na = 0;
  for (const auto& r : run.results) {
    const char* tag = "PASS";
    if (r.verdict == Verdict::kNotApplicable) {
      tag = "n/a ";
      ++na;
    } else if (r.verdict == Verdict::kFail) {
      tag = r.severity == Severity::kError ? "FAIL" : "WARN";
      (r.severity == Severity::kError ? errors : warnings)++;
    } else {
      ++passed;
    }
    out += fmt::format("  {}  {:<22} {:<8} {}\n", tag, r.spec->id, SeverityName(r.severity),
                       r.spec->title);
    out += Wrap(r.summary, 100, "        ");
    if (r.verdict == Verdict::kFail || verbose) {
      out += Wrap("why: " + std::string(r.spec->explanation), 100, "        ");
      out += Wrap("fix: " + std::string(r.spec->fix), 100, "        ");
    }
    if (verbose) {
      out += Wrap("good: " + std::string(r.spec->good), 100, "        ");
      out += Wrap("bad: " + std::string(r.spec->bad), 100, "        ");
    }
    if (!r.evidence.empty()) {
      out += "        evidence (journal entries):\n";
      std::istringstream ev(EvidenceText(r));
      std::string line;
      while (std::getline(ev, line)) out += "          " + line + "\n";
    }
  }
  out += fmt::format("\n{} passed, {} failed (error), {} warning(s), {} not applicable\n", passed,
                     errors, warnings, na);
  if (run.Passed()) {
    out += "Verdict: PASS\n";
  } else {
    std::vector<std::string> why;
    if (!run.CommandOk())
      why.push_back(
          fmt::format("the command: {} (expected {})", run.result.Describe(), Expected(run)));
    if (errors) why.push_back(fmt::format("{} error rule(s) failed", errors));
    if (warnings && run.fail_on_warning)
      why.push_back(fmt::format("{} warning rule(s) failed (--fail-on-warning)", warnings));
    std::string w;
    for (const auto& s : why) w += (w.empty() ? "" : "; ") + s;
    out += "Verdict: FAIL: " + w + "\n";
  }
  return out;
}

nlohmann::json JsonReport(const RunRecord& run) {
  nlohmann::json j;
  j["tool"] = "atws-conformance check-client";
  j["passed"] = run.Passed();
  j["started"] = run.started_utc;
  j["command"] = run.command;
  j["command_result"] = {{"started", run.result.started},
                         {"exit_code", run.result.exit_code},
                         {"signal", run.result.signal},
                         {"timed_out", run.result.timed_out},
                         {"seconds", run.result.seconds},
                         {"description", run.result.Describe()},
                         {"expected", run.command_must_fail ? "failure" : "success"},
                         {"ok", run.CommandOk()}};
  j["scenarios"] = run.scenarios;
  j["scenario_texts"] = run.scenario_texts;
  j["sandbox_events"] = run.events;
  j["mock"] = {{"url", run.mock_url}, {"started_by_check_client", run.mock_started}};
  j["client_environment"] = {{"ATWS_URL", run.neutral_url},
                             {"ATWS_USERNAME", run.user},
                             {"ATWS_INTEGRATION_CODE", run.integration_code}};
  j["tenant"] = run.tenant;
  j["params"] = {{"page_size", run.params.page_size},
                 {"latency_tolerance", run.params.latency_tolerance},
                 {"min_backoff_seconds", run.params.min_backoff_seconds},
                 {"max_calls_after_auth_failure", run.params.max_calls_after_auth_failure},
                 {"change_tracking_prefixes", run.params.change_tracking_prefixes},
                 {"external_prefix", run.params.external_prefix},
                 {"timing_reliable", run.params.timing_reliable},
                 {"fail_on_warning", run.fail_on_warning}};
  nlohmann::json rules = nlohmann::json::array();
  std::vector<std::string> failed, failed_errors, failed_warnings;
  for (const auto& r : run.results) {
    nlohmann::json ev = nlohmann::json::array();
    for (const auto& e : r.evidence) ev.push_back({{"seq", e.seq}, {"note", e.note}});
    rules.push_back({{"id", r.spec->id},
                     {"title", r.spec->title},
                     {"severity", SeverityName(r.severity)},
                     {"verdict", VerdictName(r.verdict)},
                     {"summary", r.summary},
                     {"explanation", r.spec->explanation},
                     {"fix", r.spec->fix},
                     {"good", r.spec->good},
                     {"bad", r.spec->bad},
                     {"evidence", ev},
                     {"evidence_total", r.evidence_total}});
    if (r.verdict == Verdict::kFail) {
      failed.push_back(r.spec->id);
      (r.severity == Severity::kError ? failed_errors : failed_warnings).push_back(r.spec->id);
    }
  }
  j["rules"] = rules;
  j["failed_rules"] = failed;
  j["failed_errors"] = failed_errors;
  j["failed_warnings"] = failed_warnings;
  nlohmann::json calls = nlohmann::json::array();
  for (const auto& c : run.calls) {
    nlohmann::json e = {{"seq", c.seq},
                        {"t", c.time > 0 ? c.time - run.start_mock_time : 0.0},
                        {"time", c.time_text},
                        {"operation", c.operation},
                        {"entity", c.EntityName()},
                        {"zone", c.zone},
                        {"off_zone", c.off_zone},
                        {"http_status", c.http_status},
                        {"integration_code_sent", c.integration_code_sent},
                        {"latency_added_ms", c.latency_added_ms},
                        {"errors", c.errors}};
    if (c.rows >= 0) e["rows"] = c.rows;
    if (c.operation == "query" && c.rows >= 0) e["last_id"] = c.last_id;
    if (!c.warning.empty()) e["warning"] = c.warning;
    calls.push_back(std::move(e));
  }
  j["calls"] = calls;
  nlohmann::json usage = nlohmann::json::array();
  for (const auto& u : run.usage)
    usage.push_back({{"t", u.t}, {"percent", u.percent}, {"calls", u.calls}});
  j["usage"] = usage;
  j["notes"] = run.notes;
  j["client_output_tail"] =
      run.result.output_tail.size() > 8192
          ? run.result.output_tail.substr(run.result.output_tail.size() - 8192)
          : run.result.output_tail;
  return j;
}

report::Report ToReport(const RunRecord& run) {
  report::Report rep;
  rep.title = "atws-conformance check-client: " + CommandLine(run.command);
  report::Suite s;
  s.name = "check-client";
  std::string desc =
      fmt::format("Client command judged by the ATWS Sandbox journal: {} calls to tenant {} as {}.",
                  run.calls.size(), run.tenant, run.user);
  for (const auto& t : run.scenario_texts) desc += " Scenario " + t;
  s.description = desc;
  s.timestamp = run.started_utc;
  s.hostname = run.mock_url;
  s.seconds = run.result.seconds;
  s.properties = {{"command", CommandLine(run.command)},
                  {"mock", run.mock_url},
                  {"ATWS_URL", run.neutral_url},
                  {"ATWS_USERNAME", run.user},
                  {"tenant", std::to_string(run.tenant)}};
  for (const auto& sc : run.scenarios) s.properties.push_back({"scenario", sc});

  report::Case cmd;
  cmd.id = "command";
  cmd.name = "the client command ends as expected";
  cmd.classname = "check-client";
  cmd.status = run.CommandOk() ? report::Status::kPass : report::Status::kFail;
  cmd.message = fmt::format("{}; expected {}", run.result.Describe(), Expected(run));
  cmd.details = run.result.output_tail.size() > 4096
                    ? run.result.output_tail.substr(run.result.output_tail.size() - 4096)
                    : run.result.output_tail;
  cmd.seconds = run.result.seconds;
  cmd.severity = "error";
  s.cases.push_back(std::move(cmd));

  for (const auto& r : run.results) {
    report::Case c;
    c.id = r.spec->id;
    c.name = r.spec->title;
    c.classname = "check-client.rules";
    c.severity = SeverityName(r.severity);
    c.message = r.summary;
    std::string details;
    if (r.verdict == Verdict::kFail) {
      details += "Why: " + std::string(r.spec->explanation) + "\n";
      details += "Fix: " + std::string(r.spec->fix) + "\n";
      details += "Good: " + std::string(r.spec->good) + "\n";
      details += "Bad: " + std::string(r.spec->bad) + "\n";
    }
    if (!r.evidence.empty()) details += "Evidence (journal entries):\n" + EvidenceText(r);
    c.details = details;
    if (r.verdict == Verdict::kNotApplicable) {
      c.status = report::Status::kSkip;
      c.message = "not applicable: " + r.summary;
    } else if (r.verdict == Verdict::kFail) {
      c.status = Counts(run, r) ? report::Status::kFail : report::Status::kPass;
      if (c.status == report::Status::kPass) c.message = "warning: " + r.summary;
    }
    c.properties = {{"verdict", VerdictName(r.verdict)}};
    s.cases.push_back(std::move(c));
  }

  for (const auto& call : run.calls) {
    report::TimelineEvent e;
    e.time = call.time > 0 ? call.time - run.start_mock_time : 0;
    e.latency_ms = static_cast<double>(call.latency_added_ms);
    e.usage_percent = UsageAt(run, e.time);
    std::string entity = call.EntityName();
    e.label = call.operation + (entity.empty() ? "" : " " + entity);
    e.detail = call.Summary();
    e.failed = call.Failed();
    s.timeline.push_back(std::move(e));
  }
  rep.suites.push_back(std::move(s));
  return rep;
}

}  // namespace atws::conformance::clientcheck
