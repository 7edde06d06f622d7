// A small blocking HTTP(S) client on libcurl, used by every atws-conformance command.
// One HttpClient per thread; it reuses its connection (keep-alive) between requests.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace atws::conformance {

struct HttpRequest {
  std::string method = "POST";  // GET, POST, PUT, DELETE
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string username;                                      // Basic auth when non-empty
  std::string password;
  double timeout_seconds = 120;
};

struct HttpResponse {
  long status = 0;    // 0 when the transfer failed (see error)
  std::string error;  // transport error (connection refused, timeout …); empty on success
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  double seconds = 0;                                        // wall time of the exchange

  // The first header with this (lower-case) name, or "".
  std::string Header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Send(const HttpRequest& request);

  // Convenience: a SOAP 1.1 POST of `envelope` with SOAPAction "http://autotask.net/ATWS/v1_6/<op>"
  // (the namespace is taken from `soap_action` as given).
  HttpResponse PostSoap(const std::string& url, const std::string& soap_action,
                        const std::string& envelope, const std::string& username,
                        const std::string& password, double timeout_seconds = 120);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Calls curl_global_init once (main does it; tests may call it too). Thread-safe.
void InitHttpOnce();

}  // namespace atws::conformance
