// RequestFramer (mockserver/http/framing.h): requests handed on one at a time, chunked bodies
// decoded, limits refused with their status, whatever way the bytes are split.
#include "http/framing.h"

#include <catch2/catch.hpp>

using atws::http::FramingError;
using atws::http::FramingLimits;
using atws::http::RequestFramer;

namespace {

struct Result {
  std::vector<std::string> requests;  // complete requests as handed on
  bool ok = true;
  FramingError error;
};

// Feeds `stream` in pieces of `step` bytes (0 = all at once).
Result Run(const std::string& stream, size_t step, FramingLimits limits = {}) {
  RequestFramer f(limits);
  Result r;
  std::string current;
  auto sink = [&](std::string_view bytes, bool end) {
    current.append(bytes);
    if (end) {
      r.requests.push_back(current);
      current.clear();
    }
  };
  if (step == 0) step = stream.size() ? stream.size() : 1;
  for (size_t i = 0; i < stream.size() && r.ok; i += step)
    r.ok = f.Feed(std::string_view(stream).substr(i, step), sink, &r.error);
  return r;
}

const std::string kGet = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
const std::string kPost = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";

}  // namespace

TEST_CASE("Framer: requests pass one at a time however the bytes are split", "[http][framing]") {
  std::string stream = "\r\n" + kGet + kPost + kGet;
  for (size_t step : {size_t(0), size_t(1), size_t(2), size_t(7), size_t(64)}) {
    INFO("step " << step);
    Result r = Run(stream, step);
    REQUIRE(r.ok);
    REQUIRE(r.requests.size() == 3);
    CHECK(r.requests[0] == kGet);
    CHECK(r.requests[1] == kPost);
    CHECK(r.requests[2] == kGet);
  }
}

TEST_CASE("Framer: chunked bodies arrive with a Content-Length instead", "[http][framing]") {
  std::string req =
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
      "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: t\r\n\r\n";
  for (size_t step : {size_t(0), size_t(1), size_t(3)}) {
    Result r = Run(req + kGet, step);
    REQUIRE(r.ok);
    REQUIRE(r.requests.size() == 2);
    CHECK(r.requests[0] ==
          "POST /c HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nContent-Length: 11\r\n\r\nhello world");
    CHECK(r.requests[1] == kGet);
  }
}

TEST_CASE("Framer: limits and malformed framing are refused with a status", "[http][framing]") {
  FramingLimits small;
  small.max_body_bytes = 100;
  small.max_header_bytes = 200;
  small.max_request_line = 50;
  small.max_header_fields = 3;
  struct Case {
    std::string stream;
    int status;
  } cases[] = {
      {"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", 413},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + std::string(64, 'a') +
           "\r\n40\r\n",
       413},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXX", 400},
      {"GET /" + std::string(60, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"GET /" + std::string(60, 'a'), 414},
      {"GET / HTTP/1.1\r\nA: " + std::string(300, 'a') + "\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n", 400},
  };
  for (const auto& c : cases) {
    for (size_t step : {size_t(0), size_t(1)}) {
      INFO(c.stream.substr(0, 80) << " step " << step);
      Result r = Run(c.stream, step, small);
      CHECK_FALSE(r.ok);
      CHECK(r.error.status == c.status);
      CHECK_FALSE(r.error.reason.empty());
    }
  }
}

TEST_CASE("Framer: once refused nothing more is handed on", "[http][framing]") {
  RequestFramer f;
  int calls = 0;
  auto sink = [&](std::string_view, bool) { ++calls; };
  FramingError e;
  CHECK_FALSE(f.Feed("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", sink, &e));
  CHECK(f.refused());
  CHECK_FALSE(f.Feed(kGet, sink, &e));
  CHECK(calls == 0);
}
