#include "http/server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <thread>
#include <vector>

#include "common/text.h"
#include "http/delay_queue.h"
#include "http/framing.h"

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

// Per connection, made with its framer on its reactor thread when its first bytes arrive
// (onInput; Peer's data map is not locked, so other threads only ever look it up):
// - `pending`: answers handed to Pistache's write queue and not yet written;
// - `closed`: set under `mu` by onDisconnection, which Pistache calls on the reactor thread
//   before it closes the socket. A thread other than the reactor may hold a Peer after its
//   connection is gone, and the socket's number may by then belong to a new connection:
//   ShutdownIfOpen shuts a socket down only under `mu` and while `closed` is false, so never
//   someone else's.
struct Connection {
  std::atomic<int> pending{0};
  std::mutex mu;
  bool closed = false;
};
constexpr const char* kConnectionData = "atws-connection";

std::shared_ptr<Connection> ConnectionOf(const std::shared_ptr<Tcp::Peer>& peer) {
  return std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionData));
}

void ShutdownIfOpen(const std::shared_ptr<Tcp::Peer>& peer, int how) {
  auto c = ConnectionOf(peer);
  if (!c) return;  // not one of ours (no bytes read): nothing was answered on it
  std::lock_guard<std::mutex> l(c->mu);
  if (!c->closed) ::shutdown(peer->fd(), how);
}

// Fault injection (faults/faults.h): the answer written by hand, its head at once and its body
// in `chunks` pieces spread over `duration_ms`, all sent from the delay queue's thread through
// Peer::send (Transport::asyncWrite: queued to the connection's reactor, as ResponseWriter::send
// does). Pistache 0.0.5's ResponseStream would chunk the body with Transfer-Encoding: chunked,
// but its flush() writes the transport's queue from the calling thread, which is only safe on
// the reactor's own thread; a raw answer with Content-Length is what a slow server sends anyway.
void SendSlowly(DelayQueue& delays, const std::shared_ptr<Tcp::Peer>& peer, int status,
                const std::string& content_type,
                const std::vector<std::pair<std::string, std::string>>& headers,
                const std::string& body, bool keep, long long delay_ms, long long duration_ms,
                int chunks, std::shared_ptr<void> hold) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                     Http::codeString(static_cast<Http::Code>(status)) + "\r\n";
  for (const auto& [k, v] : headers) head += k + ": " + v + "\r\n";
  head += "Content-Type: " + content_type + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  head += keep ? "Connection: Keep-Alive\r\n\r\n" : "Connection: Close\r\n\r\n";
  // The pieces: the head, then the body in `chunks` parts (fewer when it is shorter); the head
  // goes alone at `delay_ms`, each part after another duration_ms / parts.
  std::vector<std::string> parts;
  size_t n = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(chunks), body.size()));
  for (size_t i = 0; i < n && !body.empty(); ++i)
    parts.push_back(
        body.substr(body.size() * i / n, body.size() * (i + 1) / n - body.size() * i / n));
  std::weak_ptr<Tcp::Peer> weak = peer;
  const auto start = DelayQueue::Clock::now() + std::chrono::milliseconds(delay_ms);
  if (parts.empty()) {
    parts.push_back(std::move(head));  // no body: the head is all there is
  } else {
    delays.Schedule(start, [weak, head = std::move(head)]() mutable {
      if (auto p = weak.lock()) {
        size_t len = head.size();
        p->send(RawBuffer(std::move(head), len));
      }
    });
  }
  const long long count = static_cast<long long>(parts.size());
  for (long long i = 0; i < count; ++i) {
    bool last = i + 1 == count;
    auto due = start + std::chrono::milliseconds(duration_ms * (i + 1) / count);
    delays.Schedule(due, [weak, last, keep, bytes = std::move(parts[static_cast<size_t>(i)]),
                          hold = last ? hold : nullptr]() mutable {
      if (last) hold.reset();  // the slot is free before the end of the answer goes
      auto p = weak.lock();
      if (!p) return;  // the client has gone
      size_t len = bytes.size();
      auto sent = p->send(RawBuffer(std::move(bytes), len));
      if (!last) return;
      // What ResponseWriter::send does besides writing: the connection is idle again (the
      // keep-alive timer runs), and after a "Connection: close" answer its write side closes.
      p->setIdle(true);
      if (!keep)
        sent.then(
            [weak](ssize_t) {
              if (auto q = weak.lock()) ShutdownIfOpen(q, SHUT_WR);
            },
            Async::NoExcept);
    });
  }
}

// The status line and headers of an answer, as ResponseWriter::send writes them.
std::string AnswerHead(Http::Version version, bool keep, const service::HttpResponse& resp,
                       const Http::Mime::MediaType& mime) {
  std::string head;
  head.reserve(160 + resp.headers.size() * 64);
  head += version == Http::Version::Http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(resp.status);
  head += ' ';
  head += Http::codeString(static_cast<Http::Code>(resp.status));
  head += "\r\n";
  if (mime.isValid()) {
    head += "Content-Type: ";
    head += mime.toString();
    head += "\r\n";
  }
  head += keep ? "Connection: Keep-Alive\r\n" : "Connection: Close\r\n";
  for (const auto& [k, v] : resp.headers) {
    head += k;
    head += ": ";
    head += v;
    head += "\r\n";
  }
  head += "Content-Length: ";
  head += std::to_string(resp.body.size());
  head += "\r\n\r\n";
  return head;
}

// A whole answer (head and body) handed to the connection's reactor through Peer::send →
// Transport::asyncWrite, the queue ResponseWriter::send ends in; safe from any thread. The
// connection's Connection (its `pending`) counts it until it is written, so that SendKeepAlive does
// not write a later answer ahead of it. After a "Connection: close" answer the write side is shut
// down once it is out (Pistache 0.0.5 leaves the socket open; a client that reads to the end would
// hang); that runs on the reactor thread, which alone closes the socket, once the bytes are
// written.
void QueueAnswer(const std::shared_ptr<Tcp::Peer>& peer, std::string bytes, bool keep) {
  auto queued = ConnectionOf(peer);
  if (queued) queued->pending.fetch_add(1, std::memory_order_acq_rel);
  peer->setIdle(true);  // as ResponseWriter::send does, before it queues the bytes
  std::weak_ptr<Tcp::Peer> weak = peer;
  size_t len = bytes.size();
  peer->send(RawBuffer(std::move(bytes), len))
      .then(
          [queued, weak, keep](ssize_t) {
            if (queued) queued->pending.fetch_sub(1, std::memory_order_acq_rel);
            if (!keep)
              if (auto p = weak.lock()) ShutdownIfOpen(p, SHUT_WR);
          },
          [queued](std::exception_ptr) {
            if (queued) queued->pending.fetch_sub(1, std::memory_order_acq_rel);
          });
}

// A keep-alive answer sent at once. The head and the body go to the socket in one sendmsg from
// the reactor thread that runs the handler (non-blocking): no copy of the body. What the socket
// does not take at once (a slow reader, a full send buffer) goes as one buffer through
// QueueAnswer, and answers after it on the same connection take that queue too until it is
// written, so their order holds. ResponseWriter::send would copy the body into a stream buffer
// that grows by doubling, then into a string, and asyncWrite copies it twice more: for a 1 MB
// query page those copies and their fresh pages cost as much as building the page, and 3 MB of
// memory per answer in flight. Same bytes as ResponseWriter::send. Marks the peer idle as
// ResponseWriter::send does (its header timeout no longer applies). Reactor thread only.
void SendKeepAlive(Http::ResponseWriter& response, Http::Version version,
                   service::HttpResponse& resp, const Http::Mime::MediaType& mime) {
  auto peer = response.getPeer();
  if (!peer) return;
  std::string head = AnswerHead(version, /*keep=*/true, resp, mime);
  peer->setIdle(true);

  auto queued = ConnectionOf(peer);  // made by onInput before any request is dispatched
  const std::string& body = resp.body;
  const size_t total = head.size() + body.size();
  size_t done = 0;
  if (queued && queued->pending.load(std::memory_order_acquire) == 0) {
    while (done < total) {
      iovec iov[2];
      int n_iov = 0;
      if (done < head.size()) {
        iov[n_iov++] = {const_cast<char*>(head.data()) + done, head.size() - done};
        if (!body.empty()) iov[n_iov++] = {const_cast<char*>(body.data()), body.size()};
      } else {
        size_t at = done - head.size();
        iov[n_iov++] = {const_cast<char*>(body.data()) + at, body.size() - at};
      }
      msghdr m{};
      m.msg_iov = iov;
      m.msg_iovlen = static_cast<size_t>(n_iov);
      ssize_t n = ::sendmsg(peer->fd(), &m, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        done += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else {
        return;  // the connection is gone; the reactor sees it on its next read
      }
    }
  }
  if (done == total) return;
  std::string rest;
  rest.reserve(total - done);
  if (done < head.size()) {
    rest.append(head, done, std::string::npos);
    rest += body;
  } else {
    rest.append(body, done - head.size(), std::string::npos);
  }
  std::string().swap(resp.body);
  QueueAnswer(peer, std::move(rest), /*keep=*/true);
}

class Handler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(Handler)
  Handler(std::shared_ptr<service::Service> svc, std::shared_ptr<control::Admin> admin,
          std::shared_ptr<DelayQueue> delays,
          std::function<service::HttpResponse(const service::HttpRequest&)> handle = nullptr)
      : svc_(std::move(svc)),
        admin_(std::move(admin)),
        delays_(std::move(delays)),
        handle_(std::move(handle)) {}

  // /__admin/… to the admin API, everything else to the service.
  service::HttpResponse Serve(const service::HttpRequest& req) {
    if (admin_ && AsciiIStartsWith(req.path, "/__admin")) return admin_->Handle(req);
    return svc_->Handle(req);
  }

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

    // HTTP/1.1 connections persist unless the client sends "Connection: close" (RFC 9112);
    // Pistache 0.0.5 closes them unless the client asked for keep-alive, so its choice is
    // replaced (Answer).
    Call call;
    auto c = request.headers().tryGet<Http::Header::Connection>();
    call.keep = c ? c->control() != Http::ConnectionControl::Close
                  : request.version() == Http::Version::Http11;
    call.version = request.version();
    call.head = request.method() == Http::Method::Head;

    // A call of a tenant that the threshold holds back (or refuses) runs on the held-call
    // thread, which has a low scheduling priority: the reactor thread only reads the request,
    // and goes straight back to the connections of every other tenant (issue 6's isolation
    // target; docs/threshold.md).
    if (held_ && svc_ && !handle_ && svc_->LikelyHeld(req)) {
      auto writer = std::make_shared<Http::ResponseWriter>(std::move(response));
      held_->Post([this, writer, call, req = std::move(req)]() {
        Answer(std::move(*writer), Serve(req), call, /*on_reactor=*/false);
      });
      return;
    }
    Answer(std::move(response), handle_ ? handle_(req) : Serve(req), call,
           /*on_reactor=*/true);
  }

  // Pistache calls this on the reactor thread before it closes the socket (ShutdownIfOpen).
  void onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    if (auto c = ConnectionOf(peer)) {
      {
        std::lock_guard<std::mutex> l(c->mu);
        c->closed = true;
      }
      // Kept a while, so that the last reference to the state drops here, in our code, and not
      // in Pistache's when it frees the Peer (the library is not built for ThreadSanitizer,
      // which would then see the free but not the atomic count before it; tests/tsan.supp).
      // Only this reactor thread touches its handler's list.
      retired_.push_back(std::move(c));
      if (retired_.size() >= 256) retired_.erase(retired_.begin(), retired_.begin() + 128);
    }
    Tcp::Handler::onDisconnection(peer);
  }

  void set_framing(FramingLimits limits) { framing_ = limits; }
  void set_held_queue(std::shared_ptr<DelayQueue> held) { held_ = std::move(held); }

  // Every byte read from a connection passes the framer (http/framing.h) before Pistache's
  // parser sees it: this replaces Http::Handler::onInput (private there, but virtual in
  // Tcp::Handler, so an override is what the transport calls). Each request the framer lets
  // through is parsed and dispatched as Http::Handler::onInput does; a refused stream gets its
  // status and reason, and the connection is closed.
  void onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
    auto framer = std::static_pointer_cast<RequestFramer>(peer->tryGetData(kFramerData));
    // (The framer stays with the connection: Pistache drops the peer's data with the peer.)
    if (!framer) {
      framer = std::make_shared<RequestFramer>(framing_);
      peer->putData(kFramerData, framer);
      peer->putData(kConnectionData, std::make_shared<Connection>());
    }
    if (framer->refused()) return;  // the rest of a refused stream is read and dropped
    FramingError error;
    bool parse_ok = true;
    bool ok = framer->Feed(
        std::string_view(buffer, len),
        [&](std::string_view bytes, bool end) {
          if (parse_ok) parse_ok = ParseRequestBytes(bytes, end, peer);
        },
        &error);
    if (!ok) {
      RefuseConnection(peer, error.status, error.reason);
    } else if (!parse_ok) {
      // Pistache answered an error, or framed a request differently from the framer: no later
      // byte of this connection can be trusted to start a request, so the rest is dropped.
      framer->Stop();
    }
  }

 private:
  static constexpr const char* kFramerData = "atws.framer";

  // What answering a call needs to know of its request, taken before the request is reset.
  struct Call {
    bool keep = true;  // the connection persists after the answer
    Http::Version version = Http::Version::Http11;
    bool head = false;  // a HEAD request
  };

  // Sends the service's answer to a call: held back resp.delay_ms, dropped or sent slowly
  // (fault injection), or at once. On a reactor thread (on_reactor) a keep-alive answer is
  // written to the socket directly (SendKeepAlive); from any other thread, and when held back,
  // the whole answer is queued to the connection's reactor (QueueAnswer).
  void Answer(Http::ResponseWriter response, service::HttpResponse resp, const Call& call,
              bool on_reactor) {
    // The added latency runs from the end of the call's work, as on the reactor threads before
    // the held-call thread existed: a held call takes its work time plus the tier's latency.
    const auto due =
        DelayQueue::Clock::now() + std::chrono::milliseconds(std::max(0LL, resp.delay_ms));
    if (resp.drop_connection) {
      // Fault injection: no answer; the connection is closed (after the added latency). The
      // socket belongs to Pistache, so it is shut down, not closed: the client reads EOF and
      // the reactor drops the peer. The writer goes unused.
      std::weak_ptr<Tcp::Peer> weak = response.getPeer();
      auto drop = [weak, hold = std::move(resp.hold)]() {
        if (auto peer = weak.lock()) ShutdownIfOpen(peer, SHUT_RDWR);
      };
      if (resp.delay_ms > 0 && delays_)
        delays_->Schedule(due, std::move(drop));
      else
        drop();
      return;
    }
    if (resp.slow_chunks > 0 && delays_) {
      if (auto peer = response.getPeer()) {
        long long wait = std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(due - DelayQueue::Clock::now())
                   .count());
        SendSlowly(*delays_, peer, resp.status, resp.content_type, resp.headers, resp.body,
                   call.keep, wait, resp.slow_body_ms, resp.slow_chunks, std::move(resp.hold));
      }
      return;
    }
    auto code = static_cast<Http::Code>(resp.status);
    auto mime = Http::Mime::MediaType::fromString(resp.content_type);
    if (call.head) {
      // HEAD: Pistache writes the status and headers only, from the writer's header objects
      // (every other answer is written by AnswerHead). ResponseWriter::send queues to the
      // reactor from any thread. Only the keep-alive case is rewritten: Pistache closes the
      // socket after a reply only through the Connection header object it put there itself,
      // so a "close" reply keeps it.
      for (const auto& [k, v] : resp.headers)
        response.headers().add(std::make_shared<DynamicHeader>(k, v));
      if (call.keep) {
        response.headers().remove<Http::Header::Connection>();
        response.headers().add<Http::Header::Connection>(Http::ConnectionControl::KeepAlive);
      }
      if (resp.delay_ms > 0 && delays_) {
        auto writer = std::make_shared<Http::ResponseWriter>(std::move(response));
        delays_->Schedule(due, [writer, code, mime, hold = std::move(resp.hold)]() mutable {
          hold.reset();
          if (auto peer = writer->getPeer()) writer->send(code, "", mime);
        });
      } else if (auto peer = response.getPeer()) {
        resp.hold.reset();
        response.send(code, "", mime);
      }
      return;
    }
    if (resp.delay_ms > 0 && delays_) {
      // Added latency without holding this worker: the whole answer is written now (on this
      // thread) and handed to the delay queue's thread, which queues it to the connection's
      // reactor when due (QueueAnswer; docs/threshold.md has the details). The thread-limit
      // slot (hold) is kept until then, and freed just before the answer goes: a client that
      // calls again as soon as it has its answer must find the slot free, whichever thread
      // runs first.
      auto peer = response.getPeer();
      if (!peer) return;
      std::string bytes = AnswerHead(call.version, call.keep, resp, mime);
      bytes += resp.body;
      std::weak_ptr<Tcp::Peer> weak = peer;
      delays_->Schedule(due, [weak, bytes = std::move(bytes), keep = call.keep,
                              hold = std::move(resp.hold)]() mutable {
        hold.reset();
        if (auto p = weak.lock()) QueueAnswer(p, std::move(bytes), keep);  // gone: nothing to do
      });
      return;
    }
    resp.hold.reset();  // the slot is free before the answer goes (see above)
    if (call.keep && on_reactor) {
      SendKeepAlive(response, call.version, resp, mime);
      return;
    }
    auto peer = response.getPeer();
    if (!peer) return;
    std::string bytes = AnswerHead(call.version, call.keep, resp, mime);
    bytes += resp.body;
    QueueAnswer(peer, std::move(bytes), call.keep);
  }

  // Feeds one request's bytes to the connection's Pistache parser; when the request is
  // complete, dispatches it (what Http::Handler::onInput does with the bytes it reads). False
  // when Pistache did not end the request where the framer did.
  bool ParseRequestBytes(std::string_view bytes, bool end, const std::shared_ptr<Tcp::Peer>& peer) {
    auto parser = Http::Handler::getParser(peer);
    auto& request = parser->request;
    try {
      if (!parser->feed(bytes.data(), bytes.size()))  // above the framer's limits: not reached
        throw Http::HttpError(Http::Code::Request_Entity_Too_Large, "Request too large");
      auto state = parser->parse();
      if (state != Http::Private::State::Done) {
        if (!end) return true;
        throw Http::HttpError(Http::Code::Bad_Request, "The request could not be parsed.");
      }
      Http::ResponseWriter response(request.version(), transport(), this, peer);
      request.copyAddress(peer->address());
      auto connection = request.headers().tryGet<Http::Header::Connection>();
      response.headers().add<Http::Header::Connection>(connection ? connection->control()
                                                                  : Http::ConnectionControl::Close);
      peer->setIdle(false);
      onRequest(request, std::move(response));
      parser->reset();
      return end;  // done before the framer's end: Pistache read less than Content-Length
    } catch (const Http::HttpError& e) {
      parser->reset();
      RefuseConnection(peer, e.code(), e.reason());
      return false;
    } catch (const std::exception& e) {
      parser->reset();
      RefuseConnection(peer, 500, e.what());
      return false;
    }
  }

  // Answers `status` with `reason` and closes the connection: the write side once the answer
  // is out; what the client still sends is read and dropped until it closes too, or until the
  // header timeout.
  static void RefuseConnection(const std::shared_ptr<Tcp::Peer>& peer, int status,
                               const std::string& reason) {
    std::weak_ptr<Tcp::Peer> weak = peer;
    auto close_write = [weak](ssize_t) {
      if (auto p = weak.lock()) ShutdownIfOpen(p, SHUT_WR);
    };
    std::string msg = "HTTP/1.1 " + std::to_string(status) + " " +
                      Http::codeString(static_cast<Http::Code>(status)) +
                      "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n" +
                      "Content-Length: " + std::to_string(reason.size() + 1) + "\r\n\r\n" + reason +
                      "\n";
    size_t n = msg.size();
    peer->send(RawBuffer(std::move(msg), n)).then(close_write, Async::NoExcept);
  }

  std::shared_ptr<service::Service> svc_;
  std::shared_ptr<control::Admin> admin_;
  std::shared_ptr<DelayQueue> delays_;
  std::function<service::HttpResponse(const service::HttpRequest&)> handle_;  // record/replay
  std::shared_ptr<DelayQueue> held_;  // runs the calls of held-back tenants (low priority)
  std::vector<std::shared_ptr<Connection>> retired_;  // of connections gone (onDisconnection)
  FramingLimits framing_;
};

}  // namespace

struct Server::Impl {
  std::shared_ptr<service::Service> svc;
  ServerOptions opt;
  std::unique_ptr<Http::Endpoint> endpoint;
  std::shared_ptr<DelayQueue> delays;  // held-back answers (threshold latency)
  std::shared_ptr<DelayQueue> held;    // calls of held-back tenants, run at a low priority
  bool running = false;
};

Server::Server(std::shared_ptr<service::Service> svc, ServerOptions opt)
    : impl_(std::make_unique<Impl>()) {
  impl_->svc = std::move(svc);
  impl_->opt = std::move(opt);
  if (impl_->svc && !impl_->opt.admin)
    impl_->opt.admin = std::make_shared<control::Admin>(*impl_->svc);
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
                    // Body limit plus room for the header section: the framer enforces both.
                    .maxRequestSize(impl_->opt.max_request_bytes + (128 << 10))
                    .headerTimeout(std::chrono::seconds(impl_->opt.header_timeout_s))
                    .bodyTimeout(std::chrono::seconds(impl_->opt.body_timeout_s));
    impl_->endpoint->init(opts);
    // The delay queue's thread (held answers, fault latency) keeps the normal priority, so
    // that an answer leaves when due even on a busy machine.
    const bool apart = impl_->opt.held_calls != HeldCalls::kReactor;
    impl_->delays = std::make_shared<DelayQueue>();
    auto handler = Http::make_handler<Handler>(impl_->svc, impl_->opt.admin, impl_->delays,
                                               impl_->opt.handler);
    if (apart) {
      impl_->held = std::make_shared<DelayQueue>(impl_->opt.held_calls == HeldCalls::kIdle
                                                     ? DelayQueue::Priority::kIdle
                                                     : DelayQueue::Priority::kLow,
                                                 "atws-held");
      handler->set_held_queue(impl_->held);
    }
    FramingLimits framing;  // requests reach Pistache's parser only through it (framing.h)
    framing.max_body_bytes = impl_->opt.max_request_bytes;
    handler->set_framing(framing);
    impl_->endpoint->setHandler(handler);
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
    // Calls waiting for the held-call thread run now, then the held-back answers go out, while
    // the endpoint's transports still exist.
    if (impl_->held) impl_->held->Stop();
    impl_->delays->Stop();
    impl_->endpoint->shutdown();
    impl_->running = false;
  }
}

}  // namespace atws::http
