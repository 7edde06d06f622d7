#include "conformance/cli/scenario_cli.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>

namespace atws::conformance::scenario {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string FirstOf(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

}  // namespace

void TargetOptions::Add(CLI::App* app, const std::string& prefix, bool with_endpoint_flags) {
  std::string p = "--" + prefix;
  std::string who = prefix.empty() ? "" : fmt::format(" of endpoint {}", prefix.substr(0, 1));
  if (with_endpoint_flags && prefix.empty()) {
    app->add_option("--endpoint", endpoint,
                    "zone endpoint URL (…/atws.asmx); getZoneInfo there gives the tenant");
    app->add_option("--zone-discovery", discovery,
                    "zone-neutral URL: getZoneInfo there gives the zone URL used (default: "
                    "ATWS_URL)");
  } else if (with_endpoint_flags) {
    app->add_option("--" + prefix.substr(0, prefix.size() - 1), url,
                    "endpoint " + prefix.substr(0, 1) +
                        ": a zone-neutral URL (zone discovery) or a zone URL (…/webservicesN/…)")
        ->required();
  }
  app->add_option(p + "user", user, "API user" + who + " (default: ATWS_USERNAME)");
  app->add_option(p + "password", password, "password" + who + " (default: ATWS_PASSWORD)");
  app->add_option(
      p + "integration-code", integration_code,
      "IntegrationCode (tracking identifier)" + who + " (default: ATWS_INTEGRATION_CODE)");
  // One admin URL cannot serve two endpoints: diff takes it per side only.
  if (with_endpoint_flags)
    app->add_option(p + "admin", admin,
                    "admin API base URL" + who +
                        " (default: <endpoint origin>/__admin/, used when GET health answers)");
  app->add_flag(p + "no-admin", no_admin,
                "never use an admin API" + who + " (mock-only scenarios are skipped)");
  app->add_option(p + "admin-token", admin_token,
                  "bearer token of the admin API" + who + " (default: ATWS_ADMIN_TOKEN)");
  if (prefix.empty())
    app->add_option("--timeout", timeout, "seconds per HTTP request (default 120)")
        ->check(CLI::Range(1.0, 3600.0));
}

Target TargetOptions::Resolve(const TargetOptions* fb, const std::string& label) const {
  Target t;
  t.label = label;
  static const TargetOptions kEmpty;
  const TargetOptions& f = fb ? *fb : kEmpty;
  if (!url.empty()) {
    if (ZoneOfUrl(url) == 0)
      t.discovery_url = url;
    else
      t.endpoint = url;
  } else {
    t.endpoint = endpoint;
    t.discovery_url = discovery;
    if (t.endpoint.empty() && t.discovery_url.empty()) t.discovery_url = Env("ATWS_URL");
  }
  t.username = FirstOf(FirstOf(user, f.user), Env("ATWS_USERNAME"));
  t.password = FirstOf(FirstOf(password, f.password), Env("ATWS_PASSWORD"));
  t.integration_code =
      FirstOf(FirstOf(integration_code, f.integration_code), Env("ATWS_INTEGRATION_CODE"));
  t.admin_url = admin;
  t.no_admin = no_admin || (fb && f.no_admin);
  t.admin_token = FirstOf(FirstOf(admin_token, f.admin_token), Env("ATWS_ADMIN_TOKEN"));
  t.timeout_seconds = fb ? f.timeout : timeout;
  return t;
}

bool LoadSelectedScenarios(const std::string& dir_flag, const RunFilter& filter,
                           std::vector<Scenario>* out) {
  std::string dir = dir_flag.empty() ? DefaultScenarioDir() : dir_flag;
  std::string schema_file = FindSchemaFile(dir);
  std::string error;
  auto schema = Schema::FromFile(schema_file, &error);
  if (!schema) {
    std::cerr << "atws-conformance: " << error << "\n";
    return false;
  }
  std::vector<Scenario> all;
  std::vector<LoadError> errors;
  if (!LoadScenarioDir(*schema, dir, &all, &errors)) {
    for (const auto& e : errors) std::cerr << e.ToString() << "\n";
    std::cerr << fmt::format("atws-conformance: {} error(s) in the scenarios of {}\n",
                             errors.size(), dir);
    return false;
  }
  for (auto& sc : all)
    if (Selected(sc, filter)) out->push_back(std::move(sc));
  if (out->empty()) {
    std::cerr << fmt::format("atws-conformance: no scenario of {} matches the --tag/--id filter\n",
                             dir);
    return false;
  }
  return true;
}

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

bool WriteReports(const report::Report& rep, const std::string& junit, const std::string& json,
                  const std::string& html) {
  bool ok = true;
  std::string error;
  auto write = [&](const std::string& path, const std::string& content) {
    if (path.empty()) return;
    if (!report::WriteFile(path, content, &error)) {
      std::cerr << "atws-conformance: " << error << "\n";
      ok = false;
    }
  };
  write(junit, report::ToJunitXml(rep));
  write(json, json.empty() ? "" : report::ToJson(rep).dump(2) + "\n");
  write(html, html.empty() ? "" : report::ToHtml(rep));
  return ok;
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
