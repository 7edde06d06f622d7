// Helpers of the hardening tests (hostile_test.cc, isolation_test.cc): a digest of every row of
// every tenant (to prove a request changed nothing), a raw socket for requests no HTTP client
// would send, and a server with short HTTP timeouts.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/server.h"
#include "service/service.h"
#include "xml/xml.h"

namespace atws::testing {

// Rows and a hash of their contents, per tenant (every non-empty table, the sandbox's own
// included).
struct TenantDigest {
  long long rows = 0;
  uint64_t hash = 1469598103934665603ULL;
  std::map<std::string, std::pair<long long, uint64_t>> tables;  // rows and hash per table
  bool operator==(const TenantDigest& o) const { return rows == o.rows && hash == o.hash; }
  bool operator!=(const TenantDigest& o) const { return !(*this == o); }
};

// "tenant 29683500: Ticket rows 1300 -> 1301" lines for the tables that differ.
inline std::string DigestDiff(const std::map<long long, TenantDigest>& a,
                              const std::map<long long, TenantDigest>& b) {
  std::string out;
  for (const auto& [id, da] : a) {
    auto it = b.find(id);
    if (it == b.end()) {
      out += "tenant " + std::to_string(id) + " is gone\n";
      continue;
    }
    for (const auto& [table, v] : da.tables) {
      auto t = it->second.tables.find(table);
      if (t == it->second.tables.end())
        out += "tenant " + std::to_string(id) + ": table " + table + " is gone\n";
      else if (t->second != v)
        out += "tenant " + std::to_string(id) + ": " + table + " rows " + std::to_string(v.first) +
               " -> " + std::to_string(t->second.first) + "\n";
    }
    for (const auto& [table, v] : it->second.tables)
      if (!da.tables.count(table))
        out += "tenant " + std::to_string(id) + ": new table " + table + "\n";
  }
  return out;
}

inline void HashBytes(uint64_t* h, const void* p, size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) {
    *h ^= b[i];
    *h *= 1099511628211ULL;
  }
}

inline std::map<long long, TenantDigest> DigestTenants(service::Service& svc) {
  std::map<long long, TenantDigest> out;
  for (const auto& t : svc.tenants()) {
    std::lock_guard<std::mutex> lock(t->db->mutex());
    sqlite3* db = t->db->handle();
    TenantDigest d;
    std::vector<std::string> tables;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name", -1,
                       &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW)
      tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    for (const auto& table : tables) {
      long long rows_before = d.rows;
      uint64_t table_hash = 1469598103934665603ULL;
      std::string sql = "SELECT * FROM \"" + table + "\" ORDER BY rowid";
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        sqlite3_finalize(st);
        continue;
      }
      while (sqlite3_step(st) == SQLITE_ROW) {
        ++d.rows;
        int n = sqlite3_column_count(st);
        for (int c = 0; c < n; ++c) {
          int type = sqlite3_column_type(st, c);
          HashBytes(&table_hash, &type, sizeof type);
          const void* p = sqlite3_column_blob(st, c);
          HashBytes(&table_hash, p, static_cast<size_t>(sqlite3_column_bytes(st, c)));
        }
      }
      sqlite3_finalize(st);
      // Empty tables do not count: the sandbox creates some of its own on first use.
      if (d.rows == rows_before) continue;
      HashBytes(&d.hash, table.data(), table.size());
      HashBytes(&d.hash, &table_hash, sizeof table_hash);
      d.tables[table] = {d.rows - rows_before, table_hash};
    }
    out[t->spec.id] = d;
  }
  return out;
}

// The mock in-process with short HTTP timeouts (slow-loris tests).
struct HardenedServer {
  explicit HardenedServer(int header_timeout_s = 2, int body_timeout_s = 3,
                          service::Options options = {}) {
    xml::InitParser();
    svc = std::make_shared<service::Service>(std::move(options));
    http::ServerOptions so;
    so.port = 0;
    so.threads = 2;
    so.header_timeout_s = header_timeout_s;
    so.body_timeout_s = body_timeout_s;
    server = std::make_unique<http::Server>(svc, so);
    std::string err;
    if (!server->Start(&err)) throw std::runtime_error(err);
    port = server->port();
  }
  std::shared_ptr<service::Service> svc;
  std::unique_ptr<http::Server> server;
  uint16_t port = 0;
};

// A TCP connection to the mock for byte-exact requests.
class RawConn {
 public:
  explicit RawConn(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(fd_);
      throw std::runtime_error("connect");
    }
  }
  ~RawConn() {
    if (fd_ >= 0) close(fd_);
  }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  // Sends all of `data` unless the server stops reading for `timeout_ms`; false then (or when
  // the server closed the connection).
  bool Send(const std::string& data, int timeout_ms = 5000) {
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

  // Reads until the server closes the connection or `timeout_ms` passes without data; sets
  // *closed accordingly. Returns what was read.
  std::string ReadAll(int timeout_ms, bool* closed = nullptr) {
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

  // Reads one response: its head and Content-Length body (empty when none arrives in time).
  // Bytes read past it are kept for the next call (pipelined answers).
  std::string ReadResponse(int timeout_ms) {
    std::string out = std::move(pending_);
    pending_.clear();
    char buf[65536];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      size_t he = out.find("\r\n\r\n");
      if (he != std::string::npos) {
        size_t cl = 0;
        std::string head = out.substr(0, he);
        for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t p = head.find("content-length:");
        if (p != std::string::npos) cl = std::stoul(head.substr(p + 15));
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

  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string pending_;
};

// Status code of a raw response ("HTTP/1.1 413 …" → 413), 0 when there is none.
inline int StatusOf(const std::string& response) {
  if (response.compare(0, 5, "HTTP/") != 0) return 0;
  size_t sp = response.find(' ');
  return sp == std::string::npos ? 0 : std::atoi(response.c_str() + sp + 1);
}

// XML text with the five predefined entities replaced (for comparing messages).
inline std::string XmlUnescape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      static const std::pair<const char*, char> kEntities[] = {
          {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}, {"&amp;", '&'}};
      bool done = false;
      for (const auto& [name, c] : kEntities) {
        size_t len = std::char_traits<char>::length(name);
        if (s.compare(i, len, name) == 0) {
          out.push_back(c);
          i += len - 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace atws::testing
