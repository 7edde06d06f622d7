#include "zones/zones.h"

#include <fmt/format.h>

#include "common/text.h"

namespace atws::service {

ZoneTable::ZoneTable() {
  // The localized zones (Spanish 12, German 18) run the contract one release behind
  // (Flavour::kLocalized); every other zone the current one. The admin API changes this.
  zones_ = {
      {1, "Limited Release"},
      {2, "Pre-release"},
      {3, "America East"},
      {4, "UK"},
      {5, "America West"},
      {6, "Australia / New Zealand"},
      {11, "UK Pre-release"},
      {12, "Español (Spanish)", catalog::Flavour::kLocalized},
      {14, "America East 2"},
      {15, "America West 2"},
      {16, "UK2"},
      {17, "UK Limited Release"},
      {18, "Deutsch (German)", catalog::Flavour::kLocalized},
      {19, "EU1 (English Europe and Asia)"},
      {22, "America East 3"},
      {24, "America West 3"},
      {25, "America West 4"},
      {26, "Australia 2"},
      {28, "UK3"},
      {29, "Australia 3"},
  };
}

const Zone* ZoneTable::Find(int number) const {
  for (const auto& z : zones_)
    if (z.number == number) return &z;
  return nullptr;
}

bool ZoneTable::SetFlavour(int number, catalog::Flavour f) {
  for (auto& z : zones_)
    if (z.number == number) {
      z.flavour = f;
      return true;
    }
  return false;
}

namespace {

std::string PortSuffix(std::string_view host) {
  size_t start = 0;
  if (!host.empty() && host[0] == '[') start = host.find(']');
  if (start == std::string_view::npos) return "";
  size_t c = host.find(':', start);
  return c == std::string_view::npos ? "" : std::string(host.substr(c));
}

// Parses "webservicesN.autotask.net" (N may be empty) → zone (0 for the zone-neutral host).
bool ZoneFromHost(std::string_view host, int* zone) {
  std::string h = AsciiLower(HostWithoutPort(host));
  constexpr std::string_view kPrefix = "webservices", kSuffix = ".autotask.net";
  if (h.size() < kPrefix.size() + kSuffix.size() || h.compare(0, kPrefix.size(), kPrefix) != 0 ||
      h.compare(h.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return false;
  std::string_view num(h.data() + kPrefix.size(), h.size() - kPrefix.size() - kSuffix.size());
  if (num.empty()) {
    *zone = 0;
    return true;
  }
  long long n;
  if (!ParseInt64(num, &n) || n <= 0 || n > 999) return false;
  *zone = static_cast<int>(n);
  return true;
}

}  // namespace

std::string HostWithoutPort(std::string_view host) {
  if (!host.empty() && host[0] == '[') {
    size_t e = host.find(']');
    return std::string(host.substr(0, e == std::string_view::npos ? host.size() : e + 1));
  }
  size_t c = host.find(':');
  return std::string(host.substr(0, c));
}

bool ParseEndpoint(const HttpRequest& req, const ZoneTable& zones, Endpoint* ep) {
  std::string p = AsciiLower(req.path);
  int host_zone = -1;
  if (ZoneFromHost(req.host, &host_zone)) ep->by_host = true;
  std::string_view rest = p;
  int zone = 0;
  if (rest.compare(0, 12, "/webservices") == 0) {
    size_t i = 12;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    long long n = 0;
    if (i == 12 || !ParseInt64(rest.substr(12, i - 12), &n) || n <= 0 || n > 999) return false;
    zone = static_cast<int>(n);
    rest.remove_prefix(i);
  } else if (ep->by_host) {
    zone = host_zone;
  }
  if (rest == "/atservices/1.6/atws.asmx" || rest == "/atservices/1.6/atws.wsdl") {
    ep->version = soap::ApiVersion::k16;
  } else if (rest == "/atservices/1.5/atws.asmx" || rest == "/atservices/1.5/atws.wsdl") {
    ep->version = soap::ApiVersion::k15;
  } else {
    return false;
  }
  if (zone != 0 && !zones.Find(zone)) return false;
  ep->zone = zone;
  ep->wsdl = AsciiIEndsWith(rest, ".wsdl");
  // ?WSDL (any case, with or without "=", among other parameters).
  std::string_view q = req.query;
  while (!q.empty() && !ep->wsdl) {
    size_t amp = q.find('&');
    std::string_view kv = q.substr(0, amp);
    ep->wsdl = AsciiIEquals(kv.substr(0, kv.find('=')), "wsdl");
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
  }
  ep->valid = true;
  return true;
}

std::string BaseUrl(const HttpRequest& req, std::string_view public_url) {
  if (!public_url.empty()) {
    std::string u(public_url);
    while (!u.empty() && u.back() == '/') u.pop_back();
    return u;
  }
  return req.scheme + "://" + (req.host.empty() ? std::string("127.0.0.1") : req.host);
}

std::string ZoneUrl(const HttpRequest& req, const Endpoint& ep, int zone,
                    std::string_view public_url) {
  const char* ver = ep.version == soap::ApiVersion::k15 ? "1.5" : "1.6";
  if (ep.by_host && public_url.empty())
    return fmt::format("{}://webservices{}.autotask.net{}/ATServices/{}/atws.asmx", req.scheme,
                       zone, PortSuffix(req.host), ver);
  return fmt::format("{}/webservices{}/ATServices/{}/atws.asmx", BaseUrl(req, public_url), zone,
                     ver);
}

std::string WebUrl(const HttpRequest& req, const Endpoint& ep, int zone,
                   std::string_view public_url) {
  if (ep.by_host && public_url.empty())
    return fmt::format("{}://ww{}.autotask.net{}/", req.scheme, zone, PortSuffix(req.host));
  return fmt::format("{}/ww{}/", BaseUrl(req, public_url), zone);
}

}  // namespace atws::service
