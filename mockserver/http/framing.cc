#include "http/framing.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common/text.h"

namespace atws::http {

namespace {

constexpr size_t kMaxChunkLine = 1024;  // chunk-size line with extensions, or a trailer line

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Decimal digits only; false when empty, not digits, or above `max` (*too_big set then).
bool ParseLength(std::string_view s, size_t max, size_t* out, bool* too_big) {
  *too_big = false;
  if (s.empty()) return false;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (v > (max - static_cast<size_t>(c - '0')) / 10) {
      *too_big = true;
      return false;
    }
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  *out = v;
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits a header section ("line\r\nline\r\n\r\n") into its lines, without the CRLFs and
// without the final empty line.
std::vector<std::string_view> Lines(std::string_view head) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string_view::npos) e = head.size();
    if (e == pos) break;  // the blank line that ends the section
    lines.push_back(head.substr(pos, e - pos));
    pos = e + 2;
  }
  return lines;
}

}  // namespace

bool RequestFramer::Refuse(FramingError* error, int status, std::string reason) {
  phase_ = Phase::kRefused;
  head_.clear();
  head_.shrink_to_fit();
  chunked_body_.clear();
  chunked_body_.shrink_to_fit();
  if (error) {
    error->status = status;
    error->reason = std::move(reason);
  }
  return false;
}

bool RequestFramer::Feed(std::string_view data, const Sink& sink, FramingError* error) {
  if (phase_ == Phase::kRefused) {
    if (error) *error = {400, "The connection was refused earlier."};
    return false;
  }
  size_t i = 0;
  const size_t n = data.size();
  while (i < n) {
    switch (phase_) {
      case Phase::kHead: {
        if (head_.empty()) {  // empty lines before a request line are ignored (RFC 9112 2.2)
          while (i < n && (data[i] == '\r' || data[i] == '\n')) ++i;
          if (i == n) return true;
        }
        const size_t old = head_.size();
        // Never hold more than the limit plus the blank line that may end it.
        size_t room = limits_.max_header_bytes + 4 > old ? limits_.max_header_bytes + 4 - old : 0;
        size_t take = std::min(n - i, room);
        head_.append(data.data() + i, take);
        size_t end = head_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
        if (end == std::string::npos) {
          size_t line_end = head_.find("\r\n");
          if ((line_end == std::string::npos ? head_.size() : line_end) > limits_.max_request_line)
            return Refuse(
                error, 414,
                fmt::format("The request line is longer than {} bytes.", limits_.max_request_line));
          if (head_.size() > limits_.max_header_bytes)
            return Refuse(error, 431,
                          fmt::format("The request header section is larger than {} bytes.",
                                      limits_.max_header_bytes));
          i += take;
          break;
        }
        i += end + 4 - old;
        head_.resize(end + 4);
        if (!StartRequest(sink, error)) return false;
        break;
      }
      case Phase::kBody: {
        size_t take = std::min(n - i, body_left_);
        body_left_ -= take;
        if (body_left_ == 0) phase_ = Phase::kHead;
        sink(data.substr(i, take), body_left_ == 0);
        i += take;
        break;
      }
      case Phase::kChunkSize:
      case Phase::kTrailer: {
        size_t nl = data.find('\n', i);
        size_t take = (nl == std::string_view::npos ? n : nl + 1) - i;
        if (line_.size() + take > kMaxChunkLine)
          return Refuse(error, 400, "A chunk-size or trailer line is too long.");
        line_.append(data.data() + i, take);
        i += take;
        if (line_.back() != '\n') break;
        line_.pop_back();
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        if (phase_ == Phase::kTrailer) {
          // Trailer fields are dropped; an empty line ends the request.
          trailer_bytes_ += line_.size() + 2;
          if (trailer_bytes_ > limits_.max_header_bytes)
            return Refuse(error, 431,
                          fmt::format("The request's trailer section is larger than {} bytes.",
                                      limits_.max_header_bytes));
          bool last = line_.empty();
          line_.clear();
          if (last && !EndChunked(sink, error)) return false;
          break;
        }
        std::string_view size_text = TrimSpace(std::string_view(line_).substr(0, line_.find(';')));
        if (size_text.empty()) return Refuse(error, 400, "Invalid chunk size.");
        size_t size = 0;
        for (char c : size_text) {
          int d = HexDigit(c);
          if (d < 0) return Refuse(error, 400, "Invalid chunk size.");
          if (size > (limits_.max_body_bytes >> 4))
            return Refuse(
                error, 413,
                fmt::format("The request body is larger than {} bytes.", limits_.max_body_bytes));
          size = size * 16 + static_cast<size_t>(d);
        }
        line_.clear();
        if (size > limits_.max_body_bytes - chunked_body_.size())
          return Refuse(
              error, 413,
              fmt::format("The request body is larger than {} bytes.", limits_.max_body_bytes));
        if (size == 0) {
          phase_ = Phase::kTrailer;
          trailer_bytes_ = 0;
        } else {
          chunk_left_ = size;
          phase_ = Phase::kChunkData;
        }
        break;
      }
      case Phase::kChunkData: {
        size_t take = std::min(n - i, chunk_left_);
        chunked_body_.append(data.data() + i, take);
        chunk_left_ -= take;
        i += take;
        if (chunk_left_ == 0) {
          phase_ = Phase::kChunkDataEnd;
          chunk_end_seen_ = 0;
        }
        break;
      }
      case Phase::kChunkDataEnd: {
        char want = chunk_end_seen_ == 0 ? '\r' : '\n';
        if (data[i] != want) return Refuse(error, 400, "Chunk data is not followed by CRLF.");
        ++i;
        if (++chunk_end_seen_ == 2) phase_ = Phase::kChunkSize;
        break;
      }
      case Phase::kRefused:
        return false;
    }
  }
  return true;
}

bool RequestFramer::StartRequest(const Sink& sink, FramingError* error) {
  std::vector<std::string_view> lines = Lines(head_);
  if (lines.empty()) return Refuse(error, 400, "The request has no request line.");
  if (lines[0].size() > limits_.max_request_line)
    return Refuse(
        error, 414,
        fmt::format("The request line is longer than {} bytes.", limits_.max_request_line));
  if (lines.size() - 1 > limits_.max_header_fields)
    return Refuse(
        error, 431,
        fmt::format("The request has more than {} header fields.", limits_.max_header_fields));
  bool has_length = false, chunked = false, has_te = false;
  size_t length = 0;
  std::vector<size_t> te_lines;
  for (size_t k = 1; k < lines.size(); ++k) {
    std::string_view line = lines[k];
    if (line.front() == ' ' || line.front() == '\t')
      return Refuse(error, 400, "Obsolete header line folding is not supported.");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // Pistache answers 400 to such a line
    std::string_view name = line.substr(0, colon);
    std::string_view value = TrimSpace(line.substr(colon + 1));
    if (AsciiIEquals(name, "Content-Length")) {
      size_t v = 0;
      bool too_big = false;
      if (!ParseLength(value, limits_.max_body_bytes, &v, &too_big)) {
        if (too_big)
          return Refuse(
              error, 413,
              fmt::format("The request body is larger than {} bytes.", limits_.max_body_bytes));
        return Refuse(error, 400, "Invalid Content-Length.");
      }
      if (has_length && v != length)
        return Refuse(error, 400, "Conflicting Content-Length headers.");
      has_length = true;
      length = v;
    } else if (AsciiIEquals(name, "Transfer-Encoding")) {
      if (has_te) return Refuse(error, 400, "More than one Transfer-Encoding header.");
      has_te = true;
      if (!AsciiIEquals(value, "chunked"))
        return Refuse(error, 501,
                      fmt::format("Transfer-Encoding '{}' is not supported (only chunked).",
                                  value.substr(0, 100)));
      chunked = true;
      te_lines.push_back(k);
    } else if (name.empty() || name.back() == ' ' || name.back() == '\t') {
      return Refuse(error, 400, "Invalid header field name.");
    }
  }
  if (chunked && has_length)
    return Refuse(error, 400, "Content-Length and Transfer-Encoding must not both be sent.");
  if (!chunked) {
    phase_ = length > 0 ? Phase::kBody : Phase::kHead;
    body_left_ = length;
    std::string head = std::move(head_);
    head_.clear();
    sink(head, length == 0);
    return true;
  }
  // Chunked: the header section without Transfer-Encoding; Content-Length follows at the end.
  std::string rewritten;
  rewritten.reserve(head_.size());
  for (size_t k = 0; k < lines.size(); ++k) {
    if (std::find(te_lines.begin(), te_lines.end(), k) != te_lines.end()) continue;
    rewritten.append(lines[k]);
    rewritten.append("\r\n");
  }
  head_ = std::move(rewritten);
  chunked_body_.clear();
  line_.clear();
  phase_ = Phase::kChunkSize;
  return true;
}

bool RequestFramer::EndChunked(const Sink& sink, FramingError*) {
  std::string request = std::move(head_);
  request += fmt::format("Content-Length: {}\r\n\r\n", chunked_body_.size());
  request += chunked_body_;
  head_.clear();
  chunked_body_.clear();
  chunked_body_.shrink_to_fit();
  phase_ = Phase::kHead;
  sink(request, true);
  return true;
}

}  // namespace atws::http
