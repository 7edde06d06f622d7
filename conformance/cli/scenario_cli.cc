#include "conformance/cli/scenario_cli.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <set>

namespace atws::conformance::scenario {

std::vector<ScenarioResult> RunAll(const std::vector<Scenario>& scenarios, Runner* runner,
                                   const std::string& label, bool quiet) {
  std::vector<ScenarioResult> results;
  bool tty = isatty(STDERR_FILENO) != 0;
  int pass = 0, fail = 0, skip = 0;
  size_t n = scenarios.size();
  std::string tag = label.empty() ? "" : "[" + label + "] ";
  for (size_t i = 0; i < n; ++i) {
    const Scenario& sc = scenarios[i];
    if (tty && !quiet)
      std::cerr << fmt::format("\r\033[K{}[{}/{}] ✓{} ✗{} –{}  {} …", tag, i + 1, n, pass, fail,
                               skip, sc.id)
                << std::flush;
    ScenarioResult r = runner->Run(sc);
    const char* word = "PASS";
    if (r.status == report::Status::kPass) ++pass;
    if (r.status == report::Status::kFail) {
      ++fail;
      word = "FAIL";
    }
    if (r.status == report::Status::kSkip) {
      ++skip;
      word = "SKIP";
    }
    std::string line = fmt::format("{}{} {} ({:.2f} s){}", tag, word, sc.id, r.seconds,
                                   r.message.empty() ? "" : ": " + r.message);
    if (tty && !quiet) {
      std::cerr << "\r\033[K";
      if (r.status == report::Status::kFail) std::cerr << line << "\n";
    } else if (!quiet) {
      std::cerr << line << "\n";
    }
    results.push_back(std::move(r));
  }
  if (tty && !quiet)
    std::cerr << fmt::format("\r\033[K{}{} scenarios: {} passed, {} failed, {} skipped\n", tag, n,
                             pass, fail, skip);
  return results;
}

std::vector<report::Case> AssumptionCases(const std::vector<ScenarioResult>& results,
                                          const std::string& side) {
  struct Acc {
    std::vector<std::string> passed, failed, skipped;
    std::string first_failure;
  };
  std::map<std::string, Acc> by_id;
  for (const auto& r : results) {
    for (const auto& a : r.scenario->covers) {
      Acc& acc = by_id[a];
      if (r.status == report::Status::kPass) acc.passed.push_back(r.scenario->id);
      if (r.status == report::Status::kFail) {
        acc.failed.push_back(r.scenario->id);
        if (acc.first_failure.empty()) acc.first_failure = r.scenario->id + ": " + r.message;
      }
      if (r.status == report::Status::kSkip)
        acc.skipped.push_back(r.scenario->id + " (" + r.message + ")");
    }
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  std::vector<report::Case> out;
  for (const auto& [id, acc] : by_id) {
    report::Case c;
    c.id = id;
    c.classname = "assumptions" + (side.empty() ? "" : " (" + side + ")");
    if (!acc.failed.empty()) {
      c.status = report::Status::kFail;
      c.name = "refuted";
      c.message = "refuted by " + acc.first_failure;
    } else if (!acc.passed.empty()) {
      c.status = report::Status::kPass;
      c.name = "confirmed";
      c.message = "confirmed by " + join(acc.passed);
    } else {
      c.status = report::Status::kSkip;
      c.name = "not tested";
      c.message = "not tested here: every scenario covering it was skipped";
    }
    std::string d;
    if (!acc.passed.empty()) d += "passed: " + join(acc.passed) + "\n";
    if (!acc.failed.empty()) d += "failed: " + join(acc.failed) + "\n";
    if (!acc.skipped.empty()) d += "skipped: " + join(acc.skipped) + "\n";
    c.details = d;
    out.push_back(std::move(c));
  }
  return out;
}

std::string AssumptionText(const report::Suite& suite) {
  std::string out = fmt::format("== {}\n", suite.name);
  int confirmed = 0, refuted = 0, untested = 0;
  for (const auto& c : suite.cases) {
    const char* word = c.status == report::Status::kPass   ? "confirmed "
                       : c.status == report::Status::kFail ? "REFUTED   "
                                                           : "not tested";
    if (c.status == report::Status::kPass) ++confirmed;
    if (c.status == report::Status::kFail) ++refuted;
    if (c.status == report::Status::kSkip) ++untested;
    out += fmt::format("{} {}", word, c.id);
    if (c.status != report::Status::kSkip) out += "  (" + c.message + ")";
    out += "\n";
  }
  out += fmt::format("{} confirmed, {} refuted, {} not tested\n", confirmed, refuted, untested);
  return out;
}

int FinishScenarioReport(const report::Report& rep, const ReportFiles& files, bool verbose,
                         const std::function<std::string(const report::Counts&)>& footer) {
  bool wrote = files.Write(rep, [&] { return report::ToJson(rep); });
  report::Report first_only;
  first_only.suites.push_back(rep.suites.front());
  std::cout << report::ToText(first_only, verbose);
  for (size_t i = 1; i < rep.suites.size(); ++i) std::cout << AssumptionText(rep.suites[i]);
  report::Counts c = report::Count(rep.suites.front());
  if (footer) std::cout << footer(c);
  if (!wrote) return 2;
  return c.failed == 0 ? 0 : 1;
}

std::string DescribeSession(const Target& t, const Session& s) {
  std::string out = fmt::format("endpoint {}", s.zone_url);
  if (!t.discovery_url.empty()) out += fmt::format(" (from getZoneInfo at {})", t.discovery_url);
  if (s.zone) out += fmt::format(", zone {}", s.zone);
  out += s.tenant ? fmt::format(", tenant {}", s.tenant) : ", tenant unknown";
  out += fmt::format(", user {}", t.username);
  out += "; " + s.admin_note;
  out += "; run " + s.run_token;
  return out;
}

}  // namespace atws::conformance::scenario
