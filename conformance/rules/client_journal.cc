#include "conformance/rules/client_journal.h"

#include <fmt/format.h>

#include <cctype>
#include <regex>

#include "common/timeutil.h"

namespace atws::conformance::clientcheck {
namespace {

bool Contains(const std::string& s, const char* needle) {
  return s.find(needle) != std::string::npos;
}

bool AnyError(const Call& c, const char* needle) {
  for (const auto& e : c.errors)
    if (Contains(e, needle)) return true;
  return false;
}

template <typename T>
T Get(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

}  // namespace

bool Call::Suspended() const {
  return latency_reason.rfind("suspended", 0) == 0 || AnyError(*this, "API call threshold");
}

bool Call::ThreadLimited() const { return AnyError(*this, "Thread Threshold Exceeded"); }

bool Call::AuthRefused() const { return http_status == 401 && !user.empty(); }

bool Call::WrongZone() const { return AnyError(*this, "belongs to zone"); }

bool Call::Throttled() const {
  return operation != "getZoneInfo" && operation != "getThresholdAndUsageInfo";
}

std::string Call::EntityName() const {
  if (!entity.empty()) return entity;
  if (query.is_object()) {
    std::string e = Get<std::string>(query, "entity", "");
    if (!e.empty()) return e;
  }
  if (!request.empty()) {
    // sXML arrives escaped (&lt;entity&gt;) or in CDATA / unescaped (<entity>).
    static const std::regex re(R"((?:<|&lt;)entity(?:>|&gt;)\s*([A-Za-z][A-Za-z0-9_]*)\s*)",
                               std::regex::icase);
    std::smatch m;
    if (std::regex_search(request, m, re)) return m[1].str();
  }
  return {};
}

std::string Call::Summary() const {
  std::string s = operation.empty() ? "(unknown)" : operation;
  std::string e = EntityName();
  if (!e.empty()) s += " " + Printable(e, 60);
  std::vector<std::string> notes;
  if (rows >= 0 && operation == "query") notes.push_back(fmt::format("{} rows", rows));
  if (zone == 0 && operation != "getZoneInfo") notes.push_back("zone-neutral endpoint");
  if (http_status != 200) notes.push_back(fmt::format("HTTP {}", http_status));
  if (latency_added_ms > 0) notes.push_back(fmt::format("+{} ms latency", latency_added_ms));
  if (!errors.empty()) notes.push_back("error: " + Printable(errors.front(), 120));
  if (!notes.empty()) {
    s += " (";
    for (size_t i = 0; i < notes.size(); ++i) s += (i ? "; " : "") + notes[i];
    s += ")";
  }
  if (!time_text.empty()) s += " at " + time_text;
  return s;
}

std::string Printable(const std::string& text, size_t max) {
  std::string out = text.size() > max && max > 3 ? text.substr(0, max - 3) + "..." : text;
  for (auto& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

bool ParseUtcTime(const std::string& text, double* seconds) {
  static const std::regex re(
      R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) return false;
  int y = std::stoi(m[1].str());  // four digits
  int mo = std::stoi(m[2].str());
  int d = std::stoi(m[3].str());
  int h = std::stoi(m[4].str()), mi = std::stoi(m[5].str()), s = std::stoi(m[6].str());
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  double frac = 0;
  if (m[7].matched) frac = std::stod("0." + m[7].str());
  *seconds =
      static_cast<double>(DaysFromCivil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + s + frac;
  return true;
}

Call CallFromJson(const nlohmann::json& j) {
  Call c;
  if (!j.is_object()) return c;
  c.seq = Get<unsigned long long>(j, "seq", 0);
  c.time_text = Get<std::string>(j, "time", "");
  if (!ParseUtcTime(c.time_text, &c.time)) c.time = 0;
  c.tenant = Get<long long>(j, "tenant", 0);
  c.zone = Get<int>(j, "zone", 0);
  c.off_zone = Get<bool>(j, "off_zone", false);
  c.user = Get<std::string>(j, "user", "");
  c.integration_code = Get<std::string>(j, "integration_code", "");
  c.integration_code_sent = Get<bool>(j, "integration_code_sent", false);
  c.api_version = Get<std::string>(j, "api_version", "");
  c.operation = Get<std::string>(j, "operation", "");
  c.entity = Get<std::string>(j, "entity", "");
  if (auto it = j.find("query"); it != j.end() && it->is_object()) c.query = *it;
  if (auto it = j.find("written"); it != j.end() && it->is_array()) c.written = *it;
  c.rows = Get<long long>(j, "rows", -1);
  c.last_id = Get<long long>(j, "last_id", 0);
  if (auto it = j.find("errors"); it != j.end() && it->is_array())
    for (const auto& e : *it)
      if (e.is_string()) c.errors.push_back(e.get<std::string>());
  c.http_status = Get<int>(j, "http_status", 200);
  c.latency_added_ms = Get<long long>(j, "latency_added_ms", 0);
  c.latency_reason = Get<std::string>(j, "latency_reason", "");
  c.warning = Get<std::string>(j, "warning", "");
  c.request = Get<std::string>(j, "request", "");
  return c;
}

std::vector<Call> CallsFromJson(const nlohmann::json& array) {
  std::vector<Call> out;
  if (!array.is_array()) return out;
  out.reserve(array.size());
  for (const auto& j : array) out.push_back(CallFromJson(j));
  return out;
}

}  // namespace atws::conformance::clientcheck
