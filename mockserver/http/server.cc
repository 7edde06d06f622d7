#include "http/server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <sys/socket.h>

#include <thread>

#include "common/text.h"
#include "http/delay_queue.h"

namespace atws::http {

namespace {

using namespace Pistache;

const char* MethodName(Http::Method m) {
  switch (m) {
    case Http::Method::Get:
      return "GET";
    case Http::Method::Post:
      return "POST";
    case Http::Method::Put:
      return "PUT";
    case Http::Method::Delete:
      return "DELETE";
    case Http::Method::Head:
      return "HEAD";
    case Http::Method::Patch:
      return "PATCH";
    case Http::Method::Options:
      return "OPTIONS";
    default:
      return "OTHER";
  }
}

// A response header chosen at run time (Pistache 0.0.5 does not write "raw" response headers).
class DynamicHeader : public Http::Header::Header {
 public:
  DynamicHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void write(std::ostream& os) const override { os << value_; }
#ifdef SAFE_HEADER_CAST
  uint64_t hash() const override { return Http::Header::detail::hash(name_.c_str()); }
#endif

 private:
  std::string name_, value_;
};

class Handler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(Handler)
  Handler(std::shared_ptr<service::Service> svc, std::shared_ptr<DelayQueue> delays,
          std::function<service::HttpResponse(const service::HttpRequest&)> handle = nullptr)
      : svc_(std::move(svc)), delays_(std::move(delays)), handle_(std::move(handle)) {}

  void onRequest(const Http::Request& request, Http::ResponseWriter response) override {
    service::HttpRequest req;
    req.method = MethodName(request.method());
    req.path = request.resource();
    std::string q = request.query().as_str();
    req.query = q.empty() ? q : q.substr(1);
    req.body = request.body();
    const auto& raw = request.headers().rawList();
    for (const auto& [name, h] : raw) {
      if (AsciiIEquals(name, "Host"))
        req.host = h.value();
      else if (AsciiIEquals(name, "Authorization"))
        req.authorization = h.value();
      else if (AsciiIEquals(name, "SOAPAction"))
        req.soap_action = h.value();
      else if (AsciiIEquals(name, "Content-Type"))
        req.content_type = h.value();
    }
    // Pistache parses some headers into typed ones and removes them from the raw list.
    if (req.host.empty()) {
      if (auto h = request.headers().tryGet<Http::Header::Host>())
        req.host = h->host() + (h->port().toString() == "80" ? "" : ":" + h->port().toString());
    }
    if (req.content_type.empty()) {
      if (auto ct = request.headers().tryGet<Http::Header::ContentType>())
        req.content_type = ct->mime().toString();
    }
    if (req.authorization.empty()) {
      if (auto a = request.headers().tryGet<Http::Header::Authorization>())
        req.authorization = a->value();
    }
    req.peer = request.address().host();

    service::HttpResponse resp = handle_ ? handle_(req) : svc_->Handle(req);
    for (const auto& [k, v] : resp.headers)
      response.headers().add(std::make_shared<DynamicHeader>(k, v));
    // HTTP/1.1 connections persist unless the client sends "Connection: close" (RFC 9112);
    // Pistache 0.0.5 closes them unless the client asked for keep-alive, so its choice is
    // replaced here.
    auto c = request.headers().tryGet<Http::Header::Connection>();
    bool keep = c ? c->control() != Http::ConnectionControl::Close
                  : request.version() == Http::Version::Http11;
    // Only the keep-alive case is rewritten: Pistache closes the socket after a reply only
    // through the Connection header object it put there itself, so a "close" reply keeps it.
    if (keep) {
      response.headers().remove<Http::Header::Connection>();
      response.headers().add<Http::Header::Connection>(Http::ConnectionControl::KeepAlive);
    }
    auto code = static_cast<Http::Code>(resp.status);
    auto mime = Http::Mime::MediaType::fromString(resp.content_type);
    if (resp.delay_ms > 0 && delays_) {
      // Added latency without holding this worker: the writer moves to the delay queue's
      // thread, which sends when due. ResponseWriter::send from another thread only queues
      // the bytes to this worker's reactor (Transport::asyncWrite pushes onto a multi-producer
      // queue and wakes the reactor through an eventfd); docs/threshold.md has the details.
      auto writer = std::make_shared<Http::ResponseWriter>(std::move(response));
      auto body = std::make_shared<std::string>(std::move(resp.body));
      delays_->Schedule(DelayQueue::Clock::now() + std::chrono::milliseconds(resp.delay_ms),
                        [writer, body, code, mime, hold = std::move(resp.hold)]() {
                          // Hold the peer while sending: send() checks expired() and then locks,
                          // which races with the reactor dropping a closed connection. Gone:
                          // nothing to send.
                          if (auto peer = writer->getPeer()) writer->send(code, *body, mime);
                        });
      return;
    }
    if (keep) {
      response.send(code, resp.body, mime);
      return;
    }
    // Pistache 0.0.5 writes "Connection: Close" but leaves the socket open, so a client that
    // reads until the server closes (PHP's stream wrapper, HTTP/1.0 clients) would hang: once
    // the reply is written, the write side is shut down here (the reactor then sees the close).
    std::weak_ptr<Tcp::Peer> weak = response.getPeer();
    response.send(code, resp.body, mime)
        .then(
            [weak](ssize_t) {
              if (auto peer = weak.lock()) ::shutdown(peer->fd(), SHUT_WR);
            },
            Async::NoExcept);
  }

 private:
  std::shared_ptr<service::Service> svc_;
  std::shared_ptr<DelayQueue> delays_;
  std::function<service::HttpResponse(const service::HttpRequest&)> handle_;  // record/replay
};

}  // namespace

struct Server::Impl {
  std::shared_ptr<service::Service> svc;
  ServerOptions opt;
  std::unique_ptr<Http::Endpoint> endpoint;
  std::shared_ptr<DelayQueue> delays;  // held-back answers (threshold latency)
  bool running = false;
};

Server::Server(std::shared_ptr<service::Service> svc, ServerOptions opt)
    : impl_(std::make_unique<Impl>()) {
  impl_->svc = std::move(svc);
  impl_->opt = std::move(opt);
}

Server::~Server() { Stop(); }

bool Server::Start(std::string* error) {
  try {
    Address addr(impl_->opt.host, Port(impl_->opt.port));
    impl_->endpoint = std::make_unique<Http::Endpoint>(addr);
    int threads = impl_->opt.threads > 0 ? impl_->opt.threads
                                         : static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 2;
    auto opts = Http::Endpoint::options()
                    .threads(threads)
                    .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
                    .maxRequestSize(impl_->opt.max_request_bytes)
                    .headerTimeout(std::chrono::seconds(impl_->opt.header_timeout_s))
                    .bodyTimeout(std::chrono::seconds(impl_->opt.body_timeout_s));
    impl_->endpoint->init(opts);
    impl_->delays = std::make_shared<DelayQueue>();
    impl_->endpoint->setHandler(
        Http::make_handler<Handler>(impl_->svc, impl_->delays, impl_->opt.handler));
    impl_->endpoint->serveThreaded();
    impl_->running = true;
    return true;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    impl_->endpoint.reset();
    return false;
  }
}

uint16_t Server::port() const {
  return impl_->endpoint ? static_cast<uint16_t>(impl_->endpoint->getPort()) : 0;
}

void Server::Stop() {
  if (impl_ && impl_->running) {
    // Held-back answers go out now, while the endpoint's transports still exist.
    impl_->delays->Stop();
    impl_->endpoint->shutdown();
    impl_->running = false;
  }
}

}  // namespace atws::http
