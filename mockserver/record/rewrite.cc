// URL rewriting for --rewrite-urls (record.h, docs/record-replay.md): the URLs an answer hands
// out (getZoneInfo's URL and WebUrl, a WSDL's soap:address) are made to point at the mock.
#include <fmt/format.h>

#include "common/text.h"
#include "record/record.h"

namespace atws::record {

namespace {

struct Url {
  std::string scheme, authority, path;  // path includes the query; may be empty
};

bool ParseUrl(std::string_view u, Url* out) {
  u = Trim(u);
  size_t sep = u.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  out->scheme = AsciiLower(u.substr(0, sep));
  if (out->scheme != "http" && out->scheme != "https") return false;
  std::string_view rest = u.substr(sep + 3);
  size_t slash = rest.find_first_of("/?#");
  out->authority = AsciiLower(rest.substr(0, slash));
  if (size_t at = out->authority.rfind('@'); at != std::string::npos)
    out->authority = out->authority.substr(at + 1);  // no user information
  out->path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  return !out->authority.empty();
}

std::string HostOf(const std::string& authority) {
  if (!authority.empty() && authority[0] == '[')
    return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

// "webservices5.autotask.net" → "/webservices5"; "ww5.autotask.net" → "/ww5"; else "".
std::string ZonePrefix(const std::string& host) {
  for (std::string_view stem : {"webservices", "ww"}) {
    if (host.compare(0, stem.size(), stem) != 0) continue;
    size_t i = stem.size();
    while (i < host.size() && host[i] >= '0' && host[i] <= '9') ++i;
    if (i > stem.size() && i < host.size() && host[i] == '.')
      return "/" + std::string(stem) + host.substr(stem.size(), i - stem.size());
  }
  return "";
}

// The new value of one URL, or "" to leave it.
std::string RewriteOne(std::string_view value, const UrlRewriter& r,
                       std::vector<UrlRoute>* routes) {
  Url u, up;
  if (!ParseUrl(value, &u)) return "";
  std::string mock = r.mock_base;
  while (!mock.empty() && mock.back() == '/') mock.pop_back();
  if (!r.upstream.empty() && ParseUrl(r.upstream, &up) && up.scheme == u.scheme &&
      up.authority == u.authority) {
    // On the upstream itself: the same path on the mock (without the upstream's base path,
    // which the recorder adds again when it forwards).
    std::string base = up.path;
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::string path = u.path;
    if (!base.empty() && AsciiIStartsWith(path, base)) path = path.substr(base.size());
    return mock + path;
  }
  if (r.any_origin && (u.scheme + "://" + u.authority) == AsciiLower(mock)) return "";
  std::string prefix = ZonePrefix(HostOf(u.authority));
  if (prefix.empty()) return r.any_origin ? mock + u.path : "";
  if (routes) routes->push_back({prefix, u.scheme + "://" + u.authority});
  return mock + prefix + u.path;
}

// Replaces the text of every element `local` (any prefix) that holds a URL.
void RewriteElements(std::string* body, std::string_view local, const UrlRewriter& r,
                     std::vector<UrlRoute>* routes, int* count) {
  const std::string close = std::string(local) + ">";
  size_t pos = 0;
  while ((pos = body->find(close, pos)) != std::string::npos) {
    size_t name = pos;
    pos += close.size();
    // An opening tag: '<' + optional "prefix:" right before the name, and not "</".
    size_t lt = body->rfind('<', name);
    if (lt == std::string::npos || lt + 1 > name) continue;
    std::string_view between(body->data() + lt + 1, name - lt - 1);
    if (!between.empty() && (between.front() == '/' || between.back() != ':' ||
                             between.find_first_of(" \t\r\n/\"'<>") != std::string_view::npos))
      continue;
    size_t end = body->find('<', pos);
    if (end == std::string::npos) break;
    std::string value = RewriteOne(std::string_view(*body).substr(pos, end - pos), r, routes);
    if (value.empty()) continue;
    std::string escaped;
    AppendXmlEscaped(&escaped, value);
    body->replace(pos, end - pos, escaped);
    pos += escaped.size();
    ++*count;
  }
}

// Replaces location="…" of every <…:address> element (the WSDL's soap:address and
// soap12:address).
void RewriteAddresses(std::string* body, const UrlRewriter& r, std::vector<UrlRoute>* routes,
                      int* count) {
  size_t pos = 0;
  while ((pos = body->find("location=", pos)) != std::string::npos) {
    size_t attr = pos;
    pos += 9;
    if (pos >= body->size() || ((*body)[pos] != '"' && (*body)[pos] != '\'')) continue;
    char quote = (*body)[pos++];
    size_t lt = body->rfind('<', attr);
    if (lt == std::string::npos) continue;
    std::string_view tag(body->data() + lt + 1, attr - lt - 1);
    std::string_view name = tag.substr(0, tag.find_first_of(" \t\r\n"));
    if (name.find(':') != std::string_view::npos) name = name.substr(name.find(':') + 1);
    if (name != "address") continue;
    size_t end = body->find(quote, pos);
    if (end == std::string::npos) break;
    std::string value = RewriteOne(std::string_view(*body).substr(pos, end - pos), r, routes);
    if (value.empty()) continue;
    std::string escaped;
    AppendXmlEscaped(&escaped, value);
    body->replace(pos, end - pos, escaped);
    pos += escaped.size();
    ++*count;
  }
}

}  // namespace

int UrlRewriter::Rewrite(std::string* body, std::vector<UrlRoute>* routes) const {
  int count = 0;
  if (body->find("getZoneInfoResult") != std::string::npos) {
    RewriteElements(body, "URL", *this, routes, &count);
    RewriteElements(body, "WebUrl", *this, routes, &count);
  }
  if (body->find("definitions") != std::string::npos) RewriteAddresses(body, *this, routes, &count);
  return count;
}

std::string MockBase(const std::string& public_url, const service::HttpRequest& req) {
  if (!public_url.empty()) {
    std::string u = public_url;
    while (!u.empty() && u.back() == '/') u.pop_back();
    return u;
  }
  return req.scheme + "://" + (req.host.empty() ? std::string("127.0.0.1") : req.host);
}

}  // namespace atws::record
