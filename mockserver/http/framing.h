// Request framing in front of Pistache's HTTP parser. Pistache 0.0.5 (Debian 12) spins a worker
// thread on some inputs: a chunked body of many small chunks, or the bytes that follow a body
// larger than its buffer (it answers 413, then parses the rest of the body as the next request
// line, rescanning its whole buffer on every read). A spinning worker stalls every connection it
// serves. The framer sees the bytes first and hands Pistache one request at a time, always with
// a Content-Length body: it checks the sizes, decodes chunked bodies itself and refuses what it
// cannot frame with a status and a reason; the connection is then closed (docs/reliability.md).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace atws::http {

struct FramingLimits {
  size_t max_request_line = 8 << 10;   // request line (method, target, version)
  size_t max_header_bytes = 64 << 10;  // request line and header fields together
  size_t max_header_fields = 256;
  size_t max_body_bytes = 16 << 20;  // decoded body (Content-Length or the chunks' sum)
};

struct FramingError {
  int status = 0;      // 400, 413, 414, 431 or 501
  std::string reason;  // one line, for the response body
};

class RequestFramer {
 public:
  explicit RequestFramer(FramingLimits limits = {}) : limits_(limits) {}

  // Called with the bytes of one request, in order: `end` is true on the call that ends it.
  // A request whose body came chunked arrives as one call with a Content-Length header instead
  // of Transfer-Encoding.
  using Sink = std::function<void(std::string_view bytes, bool end)>;

  // Consumes the next bytes read from the connection. Returns false once the stream is refused
  // (*error says why; the caller answers and closes); every later call returns false at once.
  bool Feed(std::string_view data, const Sink& sink, FramingError* error);

  bool refused() const { return phase_ == Phase::kRefused; }
  // Refuses the rest of the stream (the caller found the current request unusable).
  void Stop() { Refuse(nullptr, 0, ""); }
  // True between requests (nothing of a next request seen yet).
  bool idle() const { return phase_ == Phase::kHead && head_.empty(); }

 private:
  enum class Phase { kHead, kBody, kChunkSize, kChunkData, kChunkDataEnd, kTrailer, kRefused };

  bool Refuse(FramingError* error, int status, std::string reason);
  // The header section in head_ is complete: decides how the body is framed.
  bool StartRequest(const Sink& sink, FramingError* error);
  bool EndChunked(const Sink& sink, FramingError* error);

  FramingLimits limits_;
  Phase phase_ = Phase::kHead;
  std::string head_;           // header section of the current request, up to the blank line
  size_t body_left_ = 0;       // Content-Length bytes still to pass on
  std::string line_;           // chunk-size or trailer line being read
  size_t chunk_left_ = 0;      // bytes of the current chunk still to read
  size_t chunk_end_seen_ = 0;  // bytes of the CRLF after a chunk's data seen so far
  size_t trailer_bytes_ = 0;   // bytes of trailer fields seen so far
  std::string chunked_body_;   // decoded chunked body, passed on once complete
};

}  // namespace atws::http
