// A blocking HTTP(S) client over libcurl, for the recorder (forwarding to an upstream) and the
// conformance tool (talking to an endpoint like any client).
//
// libcurl is loaded with dlopen("libcurl.so.4") the first time it is needed, not linked: it
// brings about fifteen libraries (TLS, Kerberos, LDAP, SSH …) whose pages cost ~4 MB of
// resident memory and a few milliseconds of start-up in every atws-mock, while only
// --record-to uses it (docs/performance.md). LoadCurl() loads and initialises it once.
//
// What every request does: http and https only; redirects are not followed (a 3xx is the
// answer); TLS certificates are verified as libcurl does by default; the proxy environment
// variables (http_proxy, https_proxy, no_proxy …) apply as libcurl reads them; no signals
// (CURLOPT_NOSIGNAL); no "Expect: 100-continue" round trip.
//
// Ownership and threads: an HttpClient owns one libcurl handle, made on its first request and
// reused, so that connections are kept alive between its requests. One HttpClient per thread
// (it is not shared); distinct clients may be used from distinct threads. LoadCurl() is
// thread-safe.
//
// Errors: an answer of any HTTP status is a response. HttpResponse::transport is an error only
// when no answer came (connection refused, timeout, TLS failure …: libcurl's message) or when
// libcurl cannot be loaded (LoadCurl's message).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace atws::net {

struct HttpRequest {
  std::string method = "GET";  // GET and HEAD send no body; any other method sends `body`
  std::string url;
  // Sent as given, in order. A header whose value is empty or holds CR or LF is sent as
  // "Name:", which makes libcurl leave out the header of that name it would add by itself
  // (Content-Type on a POST, say).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string username;  // HTTP Basic when not empty
  std::string password;
  std::string body;
  double timeout_seconds = 120;  // the whole exchange; 0 = no limit
};

struct HttpResponse {
  // OK when an answer came; otherwise why none came (status is then 0, while body and headers
  // hold whatever arrived before the failure).
  Status transport;
  long status = 0;  // the HTTP status
  // The final response's headers in order (those of a 100 Continue are dropped): names in
  // ASCII lower case, values without surrounding spaces, tabs, CR and LF.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  double seconds = 0;  // wall time of the exchange, failed or not

  // The value of the first header with this (lower-case) name, or "".
  std::string Header(std::string_view lower_name) const;
};

class HttpClient {
 public:
  HttpClient() = default;
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` and waits for the whole answer (at most request.timeout_seconds).
  HttpResponse Send(const HttpRequest& request);

 private:
  void* handle_ = nullptr;  // the CURL easy handle, made by the first Send
};

// Loads libcurl.so.4 and runs curl_global_init, once per process; later calls give the same
// outcome. `user` names what needs libcurl in the error messages: NotFound "<user> needs
// libcurl (Debian package libcurl4): <the loader's reason>" when the library is missing,
// Internal "libcurl.so.4 lacks a function <user> needs" or "libcurl failed to start".
Status LoadCurl(std::string_view user = "an HTTP(S) request");

}  // namespace atws::net
