// The HTTP request and answer as the sandbox's modules see them, independent of the HTTP
// library: the http module (Pistache) fills an HttpRequest for each call and sends the
// HttpResponse it gets back. Plain values; no thread-safety of their own.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace atws {

struct HttpRequest {
  std::string method;  // "GET", "POST" …
  std::string path;    // without the query string
  std::string query;   // raw query string without '?'
  std::string host;    // Host header as sent (may carry a port)
  std::string scheme = "http";
  std::string authorization;
  std::string soap_action;
  std::string content_type;
  std::string body;
  std::string peer;  // client address
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/xml; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Added latency (threshold tiers): the HTTP layer sends the answer this much later, without
  // holding a worker thread.
  long long delay_ms = 0;
  // Kept until the answer has been handed to the socket (the call's thread-limit slot).
  std::shared_ptr<void> hold;
  // Fault injection (faults/faults.h): close the connection without answering (after
  // delay_ms), or send the body in slow_chunks pieces spread over slow_body_ms once the headers
  // have gone.
  bool drop_connection = false;
  int slow_chunks = 0;
  long long slow_body_ms = 0;
};

// The most an answer may be held back in all (threshold latency + fault latency + slow body):
// Pistache 0.0.5 answers 408 and drops a connection whose request has waited longer than its
// 10 s header timeout.
constexpr long long kMaxHoldMs = 8000;

}  // namespace atws
