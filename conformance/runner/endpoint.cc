#include "conformance/runner/endpoint.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>

#include "common/text.h"
#include "xml/xpath.h"

namespace atws::conformance::scenario {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr const char* kPrefix = "[atws-conformance]";

std::string VersionOfUrl(const std::string& url) {
  static const std::regex k15(R"(/1\.5/)", std::regex::icase);
  return std::regex_search(url, k15) ? "1.5" : "1.6";
}

// The body element with the version's namespace as its default namespace.
std::string WithNamespace(const std::string& body, const std::string& ns) {
  if (body.size() < 2 || body[0] != '<') return body;
  size_t end = body.find_first_of(" \t\r\n/>", 1);
  if (end == std::string::npos) return body;
  return body.substr(0, end) + " xmlns=\"" + ns + "\"" + body.substr(end);
}

// First text of an XPath in a namespace-stripped document, "" when none.
std::string First(const xml::Document& doc, const std::string& xpath) {
  Result<xml::XPathValue> v = xml::EvaluateXPath(doc, xpath);
  if (!v.ok() || v->values.empty()) return "";
  return v->values.front();
}

std::string RandomToken() {
  std::random_device rd;
  std::mt19937 gen(rd() ^ static_cast<unsigned>(SteadyClock::now().time_since_epoch().count()));
  return fmt::format("atc-{:08x}", static_cast<unsigned>(gen()));
}

}  // namespace

std::string NamespaceFor(const std::string& version) {
  return version == "1.5" ? "http://autotask.net/ATWS/v1_5/" : "http://autotask.net/ATWS/v1_6/";
}

std::string SoapEnvelope(const std::string& body, const std::string& ns, bool header,
                         const std::string& code, const std::string& impersonate) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">";
  if (header) {
    out += "<soap:Header><AutotaskIntegrations xmlns=\"" + ns + "\"><IntegrationCode>" +
           xml::EscapeAll(code) + "</IntegrationCode>";
    if (!impersonate.empty())
      out +=
          "<ImpersonateAsResourceID>" + xml::EscapeAll(impersonate) + "</ImpersonateAsResourceID>";
    out += "</AutotaskIntegrations></soap:Header>";
  }
  out += "<soap:Body>" + WithNamespace(body, ns) + "</soap:Body></soap:Envelope>";
  return out;
}

bool JsonValueAt(const std::string& body, const std::string& pointer, std::string* value) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return false;
  try {
    const nlohmann::json& v = j.at(nlohmann::json::json_pointer(pointer));
    if (v.is_null()) return false;
    *value = v.is_string() ? v.get<std::string>() : v.dump();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

int ZoneOfUrl(const std::string& url) {
  static const std::regex kZone(R"(webservices([0-9]{1,3})(\.|/))", std::regex::icase);
  std::smatch m;
  if (std::regex_search(url, m, kZone)) return std::stoi(m[1].str());
  return 0;
}

std::string OriginOf(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  size_t path = url.find('/', scheme + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

std::string ZoneUrl(const std::string& zone_url, int zone) {
  static const std::regex kZone(R"(webservices[0-9]{1,3})", std::regex::icase);
  if (std::regex_search(zone_url, kZone))
    return std::regex_replace(zone_url, kZone, fmt::format("webservices{}", zone),
                              std::regex_constants::format_first_only);
  std::string origin = OriginOf(zone_url);
  if (origin.empty()) return "";
  static const std::regex kNeutralHost(R"(//webservices\.)", std::regex::icase);
  if (std::regex_search(origin, kNeutralHost))
    return std::regex_replace(zone_url, kNeutralHost, fmt::format("//webservices{}.", zone),
                              std::regex_constants::format_first_only);
  std::string path = zone_url.substr(origin.size());
  if (AsciiLower(path).rfind("/atservices/", 0) == 0)
    return origin + fmt::format("/webservices{}", zone) + path;
  return "";
}

std::string NeutralUrl(const std::string& zone_url) {
  static const std::regex kHost(R"(//webservices[0-9]{1,3}\.)", std::regex::icase);
  static const std::regex kPath(R"(/webservices[0-9]{1,3}/)", std::regex::icase);
  if (std::regex_search(zone_url, kHost))
    return std::regex_replace(zone_url, kHost, "//webservices.",
                              std::regex_constants::format_first_only);
  if (std::regex_search(zone_url, kPath))
    return std::regex_replace(zone_url, kPath, "/", std::regex_constants::format_first_only);
  if (ZoneOfUrl(zone_url) == 0) return zone_url;  // already zone-neutral
  return "";
}

std::string UrlWithVersion(const std::string& url, const std::string& version) {
  static const std::regex kVersion(R"(/1\.[56]/)");
  return std::regex_replace(url, kVersion, "/" + version + "/",
                            std::regex_constants::format_first_only);
}

Result<xml::Document> ParseAnswer(const std::string& body) {
  xml::ParseOptions options;
  options.max_bytes = static_cast<size_t>(INT32_MAX);
  options.max_depth = 0;
  options.max_attributes = 0;
  options.strip_namespaces = true;
  xml::ParseError why;
  Result<xml::Document> doc = xml::Document::Parse(body, options, &why);
  if (doc.ok()) return doc;
  switch (why.kind) {
    case xml::ParseError::Kind::kTooLarge:
      return Status::InvalidArgument("document too large");
    case xml::ParseError::Kind::kSyntax: {
      std::string reason = why.reason.value_or("not well-formed XML");
      return Status::InvalidArgument(why.located ? fmt::format("line {}: {}", why.line, reason)
                                                 : reason);
    }
    case xml::ParseError::Kind::kDtd:
      return Status::InvalidArgument(
          why.line > 0 ? fmt::format("line {}: a DOCTYPE is not allowed", why.line)
                       : "a DOCTYPE is not allowed");
    case xml::ParseError::Kind::kNoRoot:
      return Status::InvalidArgument("no root element");
    default:  // out of memory
      return doc.status();
  }
}

net::HttpRequest SoapRequest(const std::string& url, const std::string& soap_action,
                             const std::string& envelope, const std::string& username,
                             const std::string& password, double timeout_seconds) {
  net::HttpRequest r;
  r.method = "POST";
  r.url = url;
  r.body = envelope;
  r.headers = {{"Content-Type", "text/xml; charset=utf-8"},
               {"SOAPAction", "\"" + soap_action + "\""}};
  r.username = username;
  r.password = password;
  r.timeout_seconds = timeout_seconds;
  return r;
}

bool Connect(const Target& t, Session* s, std::string* error) {
  *s = Session{};
  std::string start = !t.discovery_url.empty() ? t.discovery_url : t.endpoint;
  if (start.empty()) {
    *error = "no endpoint: give --endpoint URL or --zone-discovery URL (or set ATWS_URL)";
    return false;
  }
  if (t.username.empty()) {
    *error = "no user: give --user (or set ATWS_USERNAME)";
    return false;
  }
  net::HttpClient http;
  std::string ns = NamespaceFor(VersionOfUrl(start));
  std::string env = SoapEnvelope(
      "<getZoneInfo><UserName>" + xml::EscapeAll(t.username) + "</UserName></getZoneInfo>", ns,
      false, "", "");
  net::HttpResponse resp = http.Send(
      SoapRequest(start, ns + "getZoneInfo", env, "", "", std::min(t.timeout_seconds, 60.0)));
  if (!resp.transport.ok()) {
    *error = fmt::format("cannot reach {}: {}", start, resp.transport.message());
    return false;
  }
  Result<xml::Document> doc = ParseAnswer(resp.body);
  std::string url, code, ci, web;
  if (doc.ok()) {
    url = First(*doc, "//getZoneInfoResult/URL");
    code = First(*doc, "//getZoneInfoResult/ErrorCode");
    ci = First(*doc, "//getZoneInfoResult/CI");
    web = First(*doc, "//getZoneInfoResult/WebUrl");
  }
  bool zone_ok = resp.status == 200 && doc.ok() && code == "0" && !url.empty();
  if (!t.discovery_url.empty()) {
    if (!zone_ok) {
      *error =
          fmt::format("getZoneInfo for {} at {} did not give a zone URL (HTTP {}, ErrorCode '{}')",
                      t.username, start, resp.status, code);
      return false;
    }
    s->zone_url = url;
    s->neutral_url = t.discovery_url;
  } else {
    s->zone_url = t.endpoint;
    s->neutral_url = NeutralUrl(t.endpoint);
  }
  if (zone_ok) {
    s->web_url = web;
    try {
      s->tenant = std::stoll(ci);
    } catch (const std::exception&) {
      s->tenant = 0;
    }
  }
  s->zone = ZoneOfUrl(s->zone_url);
  s->origin = OriginOf(s->zone_url);
  s->run_token = RandomToken();

  // The admin API: given, or on the endpoint's origin.
  if (!t.no_admin) {
    std::string base = !t.admin_url.empty() ? t.admin_url : s->origin + "/__admin/";
    if (base.back() != '/') base += '/';
    net::HttpRequest req;
    req.method = "GET";
    req.url = base + "health";
    req.timeout_seconds = 5;
    if (!t.admin_token.empty())
      req.headers.emplace_back("Authorization", "Bearer " + t.admin_token);
    net::HttpResponse h = http.Send(req);
    std::string status;
    bool ok = h.transport.ok() && h.status == 200 && JsonValueAt(h.body, "/status", &status) &&
              status == "ok";
    if (ok) {
      s->admin_base = base;
      s->admin_note = "admin API at " + base;
    } else if (!t.admin_url.empty()) {
      *error =
          fmt::format("no admin API at {} (GET health: {})", base,
                      h.transport.ok() ? fmt::format("HTTP {}", h.status) : h.transport.message());
      return false;
    } else {
      s->admin_note = fmt::format("no admin API at {}", base);
    }
  } else {
    s->admin_note = "admin API not used (--no-admin)";
  }

  Vars& v = s->vars;
  if (s->tenant != 0) v["tenant"] = std::to_string(s->tenant);
  v["user"] = t.username;
  v["integration_code"] = t.integration_code;
  v["zone_url"] = s->zone_url;
  static const std::regex kAsmx(R"(\.asmx$)", std::regex::icase);
  v["wsdl_url"] = std::regex_replace(s->zone_url, kAsmx, ".wsdl");
  if (!s->neutral_url.empty()) v["neutral_url"] = s->neutral_url;
  if (!s->web_url.empty()) v["web_url"] = s->web_url;
  v["origin"] = s->origin;
  if (s->zone != 0) {
    v["zone"] = std::to_string(s->zone);
    v["other_zone"] = std::to_string(s->zone == 4 ? 5 : 4);
  }
  v["prefix"] = kPrefix;
  v["run"] = s->run_token;
  v["version"] = VersionOfUrl(s->zone_url);
  return true;
}

bool ResetMock(const Target& t, const Session& s, std::string* error) {
  if (s.admin_base.empty()) {
    *error = "no admin API to reset";
    return false;
  }
  net::HttpClient http;
  net::HttpRequest req;
  req.method = "POST";
  req.url = s.admin_base + "reset";
  req.timeout_seconds = 60;
  if (!t.admin_token.empty()) req.headers.emplace_back("Authorization", "Bearer " + t.admin_token);
  net::HttpResponse r = http.Send(req);
  if (!r.transport.ok() || r.status != 200) {
    *error =
        fmt::format("POST {} failed: {}", req.url,
                    r.transport.ok() ? fmt::format("HTTP {} {}", r.status, r.body.substr(0, 200))
                                     : r.transport.message());
    return false;
  }
  return true;
}

}  // namespace atws::conformance::scenario
