// A small blocking HTTP/1.1 client over a raw socket, for tests against the in-process server.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace atws::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

// A SOAP 1.1 envelope around `inner` (the operation element), with the AutotaskIntegrations
// header when `code` is not empty.
std::string Envelope(const std::string& inner, const std::string& code = "SANDBOX-INTEGRATION",
                     const std::string& ns = "http://autotask.net/ATWS/v1_6/");
std::string QueryEnvelope(const std::string& queryxml,
                          const std::string& code = "SANDBOX-INTEGRATION");
std::string BasicAuth(const std::string& user, const std::string& password);
// Escapes text for XML content.
std::string Esc(const std::string& s);

}  // namespace atws::testing
