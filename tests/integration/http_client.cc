#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "common/text.h"

namespace atws::testing {

int ConnectLoopback(uint16_t port, int recv_timeout_ms, int rcvbuf) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (recv_timeout_ms > 0) {
    timeval tv{recv_timeout_ms / 1000, (recv_timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

uint16_t FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

size_t ContentLength(const std::string& head) {
  std::string lower = AsciiLower(head);
  size_t p = lower.find("\r\ncontent-length:");
  if (p == std::string::npos) return std::string::npos;
  return std::stoul(lower.substr(p + 17, lower.find("\r\n", p + 2) - p - 17));
}

std::map<std::string, std::string> HeaderFields(const std::string& head) {
  std::map<std::string, std::string> fields;
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos) {
    size_t next = head.find("\r\n", pos + 2);
    std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    size_t c = line.find(':');
    if (c != std::string::npos)
      fields[AsciiLower(line.substr(0, c))] = std::string(Trim(line.substr(c + 1)));
    pos = next;
  }
  return fields;
}

int StatusOf(const std::string& response) {
  if (response.compare(0, 5, "HTTP/") != 0) return 0;
  size_t sp = response.find(' ');
  return sp == std::string::npos ? 0 : std::atoi(response.c_str() + sp + 1);
}

HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  int fd = ConnectLoopback(port, 30000);
  if (fd < 0) throw std::runtime_error("connect");
  std::string req = method + " " + target + " HTTP/1.1\r\n";
  bool has_host = false;
  for (const auto& [k, v] : headers) {
    req += k + ": " + v + "\r\n";
    if (AsciiIEquals(k, "Host")) has_host = true;
  }
  if (!has_host) req += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  req += "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  req += body;
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[65536];
  HttpResult r;
  size_t header_end = std::string::npos, content_length = std::string::npos;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = raw.find("\r\n\r\n");
      if (header_end != std::string::npos)
        content_length = ContentLength(raw.substr(0, header_end));
    }
    if (header_end != std::string::npos && content_length != std::string::npos &&
        raw.size() >= header_end + 4 + content_length)
      break;
  }
  close(fd);
  if (header_end == std::string::npos) return r;
  std::string head = raw.substr(0, header_end);
  r.body = raw.substr(header_end + 4);
  size_t sp = head.find(' ');
  r.status = std::atoi(head.c_str() + sp + 1);
  r.headers = HeaderFields(head);
  return r;
}

std::string BasicAuth(const std::string& user, const std::string& password) {
  return "Basic " + Base64Encode(user + ":" + password);
}

RawConn::RawConn(uint16_t port) : fd_(ConnectLoopback(port)) {
  if (fd_ < 0) throw std::runtime_error("connect");
}

RawConn::~RawConn() {
  if (fd_ >= 0) close(fd_);
}

bool RawConn::Send(const std::string& data, int timeout_ms) {
  size_t sent = 0;
  while (sent < data.size()) {
    pollfd p{fd_, POLLOUT, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;
    }
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string RawConn::ReadAll(int timeout_ms, bool* closed) {
  std::string out;
  char buf[65536];
  if (closed) *closed = false;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return out;
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      if (closed) *closed = true;
      return out;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

std::string RawConn::ReadResponse(int timeout_ms) {
  std::string out = std::move(pending_);
  pending_.clear();
  char buf[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    size_t he = out.find("\r\n\r\n");
    if (he != std::string::npos) {
      size_t cl = ContentLength(out.substr(0, he));
      if (cl == std::string::npos) cl = 0;
      if (out.size() >= he + 4 + cl) {
        pending_ = out.substr(he + 4 + cl);
        return out.substr(0, he + 4 + cl);
      }
    }
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())
                                    .count());
    if (left <= 0) return out;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) return out;
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace atws::testing
