// A small blocking HTTP/1.1 client over loopback sockets, for the integration tests: whole calls
// on a fresh connection (HttpCall), and a connection kept open for byte-exact requests no HTTP
// client would send (RawConn). The tests include test_env.h, which includes this.
//
// Errors: HttpCall and RawConn throw std::runtime_error when they cannot connect; reads give up
// after their timeouts and return what arrived. Each function may be called from any thread; one
// RawConn is used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace atws::testing {

struct HttpResult {
  int status = 0;                              // 0: no complete head arrived
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// One request to 127.0.0.1:`port` on a fresh connection: `headers` in order, a Host header
// unless they have one, Connection: close and Content-Length, then `body`. Waits up to 30 s per
// read for the answer (read by its Content-Length, or until the server closes).
HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

// The value of an Authorization header for HTTP Basic credentials.
std::string BasicAuth(const std::string& user, const std::string& password);

// A TCP socket connected to 127.0.0.1:`port`, or -1. recv_timeout_ms > 0 sets SO_RCVTIMEO;
// rcvbuf > 0 sets the receive buffer in bytes (before connecting). The caller closes it.
int ConnectLoopback(uint16_t port, int recv_timeout_ms = 0, int rcvbuf = 0);

// A loopback port that was free a moment ago (bound, read and closed again), 0 when none could be
// bound: for a server that must know its port before it starts, or for a port nobody listens on.
uint16_t FreeLoopbackPort();

// The Content-Length of an HTTP head (the bytes before the blank line; the name in any case),
// std::string::npos when it has none.
size_t ContentLength(const std::string& head);
// The header fields of an HTTP head after its first line: lower-case names, trimmed values.
std::map<std::string, std::string> HeaderFields(const std::string& head);
// The status code of a raw response ("HTTP/1.1 413 …" → 413), 0 when there is none.
int StatusOf(const std::string& response);

// A TCP connection to the mock for byte-exact requests. Throws std::runtime_error when it
// cannot connect; closes the socket when destroyed.
class RawConn {
 public:
  explicit RawConn(uint16_t port);
  ~RawConn();
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  // Sends all of `data` unless the server stops reading for `timeout_ms`; false then (or when
  // the server closed the connection).
  bool Send(const std::string& data, int timeout_ms = 5000);
  // Reads until the server closes the connection or `timeout_ms` passes without data; sets
  // *closed accordingly. Returns what was read.
  std::string ReadAll(int timeout_ms, bool* closed = nullptr);
  // Reads one response: its head and Content-Length body (what arrived when it does not arrive
  // whole within `timeout_ms`). Bytes read past it are kept for the next call (pipelined
  // answers).
  std::string ReadResponse(int timeout_ms);

  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string pending_;
};

}  // namespace atws::testing
