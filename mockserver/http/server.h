// The HTTP edge: Pistache endpoint → control::Admin for /__admin/…, service::Service for
// everything else. Knows nothing of SOAP.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "control/admin.h"
#include "service/service.h"

namespace atws::http {

// Where the calls of a tenant that the threshold holds back (latency tier, suspension) run.
enum class HeldCalls {
  kLow,      // a thread of their own at nice 19: other tenants' calls go first (default)
  kIdle,     // the same at SCHED_IDLE: they run only on an otherwise idle core
  kReactor,  // on the reactor threads, like every other call (the behaviour before issue 6)
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port
  int threads = 0;       // 0 = one per core
  size_t max_request_bytes = 16 << 20;
  int header_timeout_s = 10;
  int body_timeout_s = 30;
  HeldCalls held_calls = HeldCalls::kLow;
  // When set, answers every request instead of the service (record and replay modes,
  // mockserver/record); the service may then be null.
  std::function<service::HttpResponse(const service::HttpRequest&)> handler;
  // Answers /__admin/… (any case). Null: the server makes one for the service it is given
  // (without a start-up configuration).
  std::shared_ptr<control::Admin> admin;
};

class Server {
 public:
  Server(std::shared_ptr<service::Service> svc, ServerOptions opt);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Binds and starts serving on background threads. False + *error when the address cannot
  // be bound.
  bool Start(std::string* error);
  uint16_t port() const;
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace atws::http
