// Zones: the zone table (Autotask zone numbers, their labels and the contract flavour each
// zone serves; numbers and labels from the reference's zone table, autotask-soap-api.md §1),
// the endpoints (which zone and API version a request's path and Host name), and the URLs
// the sandbox hands out for a zone (getZoneInfo, the WSDL's soap:address).
//
// ZoneTable is not synchronised: the service guards flavour changes with its directory lock.
// The endpoint and URL functions are pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/http_message.h"
#include "soap/soap.h"

namespace atws::service {

struct Zone {
  int number;
  std::string label;
  catalog::Flavour flavour = catalog::Flavour::kCurrent;
};

class ZoneTable {
 public:
  ZoneTable();  // the default table
  const Zone* Find(int number) const;
  const std::vector<Zone>& zones() const { return zones_; }
  // Changes the flavour served by a zone (admin API / configuration).
  bool SetFlavour(int number, catalog::Flavour f);

 private:
  std::vector<Zone> zones_;
};

// What a request's path (and Host name) address.
struct Endpoint {
  bool valid = false;
  bool wsdl = false;     // atws.wsdl or ?WSDL
  int zone = 0;          // 0 = zone-neutral
  bool by_host = false;  // the zone came from a Host name webservicesN.autotask.net
  soap::ApiVersion version = soap::ApiVersion::k16;
};

// The endpoint of `req`: /atservices/1.6/atws.asmx (zone-neutral), /webservicesN/... or a Host
// name webservicesN.autotask.net, API 1.6 or 1.5, ?WSDL (any case) or atws.wsdl. Paths match
// ASCII case-insensitively. False when the path names no endpoint or an unknown zone.
bool ParseEndpoint(const HttpRequest& req, const ZoneTable& zones, Endpoint* ep);

// The URLs handed out are built from the scheme and Host of the request being answered;
// `public_url` (--public-url), when not empty, replaces scheme://host.
std::string BaseUrl(const HttpRequest& req, std::string_view public_url);
// The zone's endpoint, e.g. http://127.0.0.1:8080/webservices5/ATServices/1.6/atws.asmx (or
// on the Host name webservicesN.autotask.net when the request came by Host name).
std::string ZoneUrl(const HttpRequest& req, const Endpoint& ep, int zone,
                    std::string_view public_url);
// The zone's web URL (/wwN/ on the same host, or wwN.autotask.net).
std::string WebUrl(const HttpRequest& req, const Endpoint& ep, int zone,
                   std::string_view public_url);
// A Host header without its port ("[::1]:80" -> "[::1]").
std::string HostWithoutPort(std::string_view host);

}  // namespace atws::service
