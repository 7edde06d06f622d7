// libFuzzer target: the request framer in front of Pistache (http/framing.h). The input is fed
// in pieces whose sizes come from its first bytes. Checked: every request handed on is a
// header section ending in a blank line followed by exactly Content-Length bytes, without
// Transfer-Encoding, within the limits; the framer never hands on more bytes than it got plus
// the Content-Length header it writes for a chunked body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/text.h"
#include "http/framing.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

void CheckRequest(const std::string& r, const atws::http::FramingLimits& lim) {
  size_t end = r.find("\r\n\r\n");
  Check(end != std::string::npos);
  std::string_view head(r.data(), end + 2);
  size_t length = 0;
  bool has_length = false;
  size_t pos = head.find("\r\n") + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, e - pos);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view name = line.substr(0, colon);
      Check(!atws::AsciiIEquals(name, "Transfer-Encoding"));
      if (atws::AsciiIEquals(name, "Content-Length")) {
        std::string_view v = atws::Trim(line.substr(colon + 1));
        length = std::strtoull(std::string(v).c_str(), nullptr, 10);
        has_length = true;
      }
    }
    pos = e + 2;
  }
  size_t body = r.size() - end - 4;
  Check(body == (has_length ? length : 0));
  Check(body <= lim.max_body_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  atws::http::FramingLimits lim;
  lim.max_body_bytes = 4096;  // small limits so that the fuzzer reaches them
  lim.max_header_bytes = 1024;
  lim.max_request_line = 256;
  lim.max_header_fields = 16;
  atws::http::RequestFramer f(lim);
  size_t step = 1 + data[0] % 64, step2 = 1 + data[1] % 7;
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::string current;
  size_t passed = 0, requests = 0;
  auto sink = [&](std::string_view bytes, bool end) {
    current.append(bytes);
    passed += bytes.size();
    if (end) {
      CheckRequest(current, lim);
      current.clear();
      ++requests;
    }
  };
  atws::http::FramingError err;
  bool ok = true;
  for (size_t i = 0, k = 0; i < in.size() && ok; ++k) {
    size_t n = k % 2 ? step2 : step;
    ok = f.Feed(in.substr(i, n), sink, &err);
    i += n;
  }
  if (!ok) Check(err.status >= 400 && err.status <= 501 && !err.reason.empty());
  Check(passed <= in.size() + requests * 40);
  return 0;
}
