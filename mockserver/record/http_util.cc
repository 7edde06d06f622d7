#include "record/http_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>

#include "common/text.h"
#include "soap/soap.h"

namespace atws::record::http_util {

service::HttpResponse Json(int status, const nlohmann::json& j) {
  service::HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  // Bodies and texts from clients need not be UTF-8: replaced, not thrown on.
  r.body = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  r.body += '\n';
  return r;
}

service::HttpResponse JsonError(int status, const std::string& msg) {
  return Json(status, {{"error", msg}});
}

service::HttpResponse SoapFault(int status, const std::string& message) {
  service::HttpResponse r;
  r.status = status;
  r.content_type = "text/xml; charset=utf-8";
  r.body = soap::Fault("soap:Server", message);
  return r;
}

namespace {
bool IsLoopback(const std::string& peer) {
  return peer.empty() || peer.rfind("127.", 0) == 0 || peer == "::1" || peer == "[::1]" ||
         peer.rfind("::ffff:127.", 0) == 0;
}
}  // namespace

bool AdminAllowed(const AdminAccess& access, const service::HttpRequest& req,
                  service::HttpResponse* refusal) {
  if (!access.remote && !IsLoopback(req.peer)) {
    *refusal = JsonError(403, "the admin API answers loopback clients only (see --admin-remote)");
    return false;
  }
  if (!access.token.empty()) {
    std::string_view a = Trim(req.authorization);
    if (!AsciiIStartsWith(a, "bearer ") || Trim(a.substr(7)) != access.token) {
      *refusal = JsonError(401, "the admin API needs 'Authorization: Bearer <token>'");
      return false;
    }
  }
  return true;
}

}  // namespace atws::record::http_util

namespace atws::record {

namespace {
std::vector<std::string> SplitQuery(std::string_view q) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= q.size()) {
    size_t amp = q.find('&', i);
    if (amp == std::string_view::npos) amp = q.size();
    std::string kv(q.substr(i, amp - i));
    if (!kv.empty()) {
      size_t eq = kv.find('=');
      if (eq == kv.size() - 1) kv.pop_back();
      parts.push_back(std::move(kv));
    }
    i = amp + 1;
  }
  return parts;
}
}  // namespace

std::string CleanQuery(std::string_view query) {
  std::string out;
  for (const auto& p : SplitQuery(query)) {
    if (!out.empty()) out += '&';
    out += p;
  }
  return out;
}

std::string QueryKey(std::string_view query) {
  std::vector<std::string> parts = SplitQuery(AsciiLower(query));
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '&';
    out += p;
  }
  return out;
}

}  // namespace atws::record

namespace atws::record::http_util {

bool IsAdminPath(const std::string& path) {
  return AsciiIStartsWith(path, "/__admin/") || AsciiIEquals(path, "/__admin");
}

std::string SendableContentType(std::string_view ct) {
  std::string_view t = Trim(ct);
  if (t.empty()) return "text/plain";
  size_t slash = t.find('/');
  if (slash != std::string_view::npos) {
    std::string top = AsciiLower(Trim(t.substr(0, slash)));
    std::string_view rest = t.substr(slash + 1);
    std::string_view sub = Trim(rest.substr(0, rest.find(';')));
    bool sub_ok = !sub.empty();
    for (char c : sub)
      if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr(".+-_!#$&^", c))
        sub_ok = false;
    if (sub_ok && (top == "text" || top == "application" || top == "image" || top == "audio" ||
                   top == "video" || top == "message" || top == "multipart"))
      return std::string(t);
  }
  return "application/octet-stream";
}

std::string AdminPath(const std::string& path) {
  std::string p = AsciiLower(path);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string NowIso() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

}  // namespace atws::record::http_util
