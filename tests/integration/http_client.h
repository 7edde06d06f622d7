// What the integration tests share: the mock served in-process on a free loopback port
// (TestServer), and a small blocking HTTP/1.1 client over a raw socket to talk to it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/server.h"
#include "service/service.h"

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

// The mock in-process: Pistache on 127.0.0.1 port 0 (the OS picks a free one) with `threads`
// workers (0 = one per core), serving `svc`, or `handler` instead when given (record and
// replay). Started by the constructor (std::runtime_error when it cannot listen), stopped by
// the destructor. The members are public so that a test can reach the service behind it.
class TestServer {
 public:
  // A fresh service::Service with `options` (the default data in memory).
  explicit TestServer(service::Options options = {}, int threads = 2,
                      http::HeldCalls held_calls = http::HeldCalls::kLow);
  TestServer(std::shared_ptr<service::Service> svc, int threads,
             std::function<service::HttpResponse(const service::HttpRequest&)> handler = nullptr,
             http::HeldCalls held_calls = http::HeldCalls::kLow);
  TestServer(TestServer&&) = default;
  TestServer& operator=(TestServer&&) = default;

  // POST `body` to `path` as text/xml, with HTTP Basic credentials when `user` is not empty.
  HttpResult Soap(const std::string& path, const std::string& body, const std::string& user,
                  const std::string& password) const;
  // An admin request with a JSON body.
  HttpResult Admin(const std::string& method, const std::string& path,
                   const std::string& body = "") const;

  std::shared_ptr<service::Service> svc;  // null when a handler serves instead
  std::unique_ptr<http::Server> server;
  uint16_t port = 0;
};

}  // namespace atws::testing
