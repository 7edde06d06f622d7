#include "conformance/cli/command_setup.h"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

#include "conformance/scenario/loader.h"

namespace atws::conformance {
namespace {

std::string FirstOf(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

}  // namespace

std::string ValueOrEnv(const std::string& value, const char* name) {
  if (!value.empty()) return value;
  const char* v = std::getenv(name);
  return v ? v : "";
}

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

scenario::Target TargetOptions::Resolve(const TargetOptions* fb, const std::string& label) const {
  scenario::Target t;
  t.label = label;
  static const TargetOptions kEmpty;
  const TargetOptions& f = fb ? *fb : kEmpty;
  if (!url.empty()) {
    if (scenario::ZoneOfUrl(url) == 0)
      t.discovery_url = url;
    else
      t.endpoint = url;
  } else {
    t.endpoint = endpoint;
    t.discovery_url = discovery;
    if (t.endpoint.empty()) t.discovery_url = ValueOrEnv(t.discovery_url, kEnvUrl);
  }
  t.username = ValueOrEnv(FirstOf(user, f.user), kEnvUsername);
  t.password = ValueOrEnv(FirstOf(password, f.password), kEnvPassword);
  t.integration_code =
      ValueOrEnv(FirstOf(integration_code, f.integration_code), kEnvIntegrationCode);
  t.admin_url = admin;
  t.no_admin = no_admin || (fb && f.no_admin);
  t.admin_token = ValueOrEnv(FirstOf(admin_token, f.admin_token), kEnvAdminToken);
  t.timeout_seconds = fb ? f.timeout : timeout;
  return t;
}

void ScenarioSelection::AddOptions(CLI::App* cmd, const std::string& dir_help,
                                   const std::string& tag_help, const std::string& id_help) {
  cmd->add_option("--scenarios", dir, dir_help);
  cmd->add_option("--tag", tags, tag_help);
  cmd->add_option("--id", ids, id_help);
  cmd->add_flag("--read-only", read_only, "skip every scenario that writes");
}

bool ScenarioSelection::Load(std::vector<scenario::Scenario>* out) const {
  using namespace scenario;
  std::string dir = this->dir.empty() ? DefaultScenarioDir() : this->dir;
  RunFilter filter = Filter();
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

void ReportFiles::AddOptions(CLI::App* cmd, const std::string& junit_help,
                             const std::string& json_help, const std::string& html_help) {
  cmd->add_option("--junit", junit, junit_help);
  cmd->add_option("--json", json, json_help);
  cmd->add_option("--html", html, html_help);
}

void ReportFiles::ComplainPlainly(const char*, const std::string&, const std::string& error) {
  std::cerr << "atws-conformance: " << error << "\n";
}

bool ReportFiles::Write(const report::Report& rep, const std::function<nlohmann::json()>& json,
                        const Complaint& complain) const {
  bool ok = true;
  auto write = [&](const char* kind, const std::string& path, const auto& content) {
    if (path.empty()) return;
    if (atws::Status written = report::WriteFile(path, content()); !written.ok()) {
      complain(kind, path, written.message());
      ok = false;
    }
  };
  write("JUnit", junit, [&] { return report::ToJunitXml(rep); });
  write("JSON", this->json, [&] { return json().dump(2) + "\n"; });
  write("HTML", html, [&] { return report::ToHtml(rep); });
  return ok;
}

}  // namespace atws::conformance
