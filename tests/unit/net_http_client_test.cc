// net::HttpClient against a scripted HTTP server on 127.0.0.1 (one thread, raw sockets): what
// goes out on the wire and how answers and failures come back.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"

namespace {

using atws::net::HttpClient;
using atws::net::HttpRequest;
using atws::net::HttpResponse;

// Answers each request it reads with the next of `answers` (raw HTTP), on as many connections
// as the client opens; an empty answer means "never answer" (the connection stays silent).
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> answers) : answers_(std::move(answers)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(listen(listener_, 8) == 0);
    socklen_t len = sizeof a;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  int connections() const { return connections_; }

 private:
  void Serve() {
    size_t next = 0;
    while (!stop_) {
      int c = accept(listener_, nullptr, nullptr);
      if (c < 0) return;
      ++connections_;
      std::string buf;
      char chunk[4096];
      while (!stop_) {
        size_t end = buf.find("\r\n\r\n");
        if (end == std::string::npos) {
          ssize_t n = read(c, chunk, sizeof chunk);
          if (n <= 0) break;
          buf.append(chunk, static_cast<size_t>(n));
          continue;
        }
        size_t length = 0;
        size_t cl = buf.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(buf.substr(cl + 16));
        while (buf.size() < end + 4 + length) {
          ssize_t n = read(c, chunk, sizeof chunk);
          if (n <= 0) break;
          buf.append(chunk, static_cast<size_t>(n));
        }
        {
          std::lock_guard<std::mutex> l(mu_);
          requests_.push_back(buf.substr(0, end + 4 + length));
        }
        buf.erase(0, end + 4 + length);
        std::string answer = next < answers_.size() ? answers_[next++] : "";
        if (answer.empty()) {
          while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
          break;
        }
        if (write(c, answer.data(), answer.size()) < 0) break;
      }
      close(c);
    }
  }

  std::vector<std::string> answers_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::string> requests_;
};

bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("net: libcurl loads", "[net]") { CHECK(atws::net::LoadCurl().ok()); }

TEST_CASE("net: a POST as sent and its answer as read", "[net]") {
  ScriptedServer server(
      {"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
       "HTTP/1.1 500 Internal Server Error\r\nContent-Type:  text/xml \r\n"
       "X-Two: a\r\nx-two: b\r\nContent-Length: 5\r\n\r\nfault"});
  HttpClient client;
  HttpRequest r;
  r.method = "POST";
  r.url = server.Url("/atservices/1.6/atws.asmx");
  r.headers = {{"SOAPAction", "\"http://autotask.net/ATWS/v1_6/query\""},
               {"Content-Type", ""},
               {"X-Injected", "a\r\nEvil: 1"}};
  r.username = "api@contoso.example";
  r.password = "secret";
  r.body = "<x/>";
  HttpResponse resp = client.Send(r);
  REQUIRE(resp.transport.ok());
  CHECK(resp.status == 500);
  CHECK(resp.body == "fault");
  CHECK(resp.Header("content-type") == "text/xml");
  CHECK(resp.Header("x-two") == "a");
  CHECK(resp.Header("x-interim").empty());  // the 100 Continue's headers are dropped
  CHECK(resp.seconds >= 0);
  REQUIRE(server.requests().size() == 1);
  std::string sent = server.requests()[0];
  CHECK(sent.rfind("POST /atservices/1.6/atws.asmx HTTP/1.1\r\n", 0) == 0);
  CHECK(Has(sent, "SOAPAction: \"http://autotask.net/ATWS/v1_6/query\"\r\n"));
  CHECK(Has(sent, "Authorization: Basic YXBpQGNvbnRvc28uZXhhbXBsZTpzZWNyZXQ=\r\n"));
  CHECK_FALSE(Has(sent, "Content-Type"));  // an empty value removes libcurl's own
  CHECK_FALSE(Has(sent, "Evil"));          // a value with CR/LF is not sent
  CHECK_FALSE(Has(sent, "X-Injected: a"));
  CHECK_FALSE(Has(sent, "Expect"));
  CHECK(Has(sent, "Content-Length: 4\r\n\r\n<x/>"));
}

TEST_CASE("net: GET, HEAD, PUT and a redirect over one kept-alive connection", "[net]") {
  ScriptedServer server(
      {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
       "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n",  // HEAD: no body follows
       "HTTP/1.1 204 No Content\r\n\r\n",
       "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"});
  HttpClient client;
  HttpRequest get;
  get.url = server.Url("/a?WSDL");
  get.body = "ignored";
  HttpResponse a = client.Send(get);
  REQUIRE(a.transport.ok());
  CHECK(a.body == "ok");
  HttpRequest head;
  head.method = "HEAD";
  head.url = server.Url("/b");
  head.timeout_seconds = 5;
  HttpResponse b = client.Send(head);
  REQUIRE(b.transport.ok());
  CHECK(b.status == 200);
  CHECK(b.body.empty());
  HttpRequest put;
  put.method = "PUT";
  put.url = server.Url("/c");
  put.headers = {{"Content-Type", "application/json"}};
  put.body = "{}";
  HttpResponse c = client.Send(put);
  REQUIRE(c.transport.ok());
  CHECK(c.status == 204);
  HttpResponse d = client.Send(get);  // redirects are not followed
  REQUIRE(d.transport.ok());
  CHECK(d.status == 302);
  CHECK(d.Header("location") == "/elsewhere");
  auto sent = server.requests();
  REQUIRE(sent.size() == 4);
  CHECK(sent[0].rfind("GET /a?WSDL HTTP/1.1\r\n", 0) == 0);
  CHECK_FALSE(Has(sent[0], "ignored"));
  CHECK(sent[1].rfind("HEAD /b HTTP/1.1\r\n", 0) == 0);
  CHECK(sent[2].rfind("PUT /c HTTP/1.1\r\n", 0) == 0);
  CHECK(Has(sent[2], "Content-Type: application/json\r\n"));
  CHECK(Has(sent[2], "\r\n\r\n{}"));
  CHECK(server.connections() == 1);
}

TEST_CASE("net: no answer is a transport error", "[net]") {
  HttpClient client;
  HttpRequest r;
  SECTION("connection refused") {
    int port;
    {
      ScriptedServer closed({});
      port = std::stoi(closed.Url("").substr(17));
    }
    r.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    HttpResponse resp = client.Send(r);
    CHECK_FALSE(resp.transport.ok());
    CHECK(resp.status == 0);
    CHECK_FALSE(resp.transport.message().empty());
  }
  SECTION("timeout") {
    ScriptedServer silent({""});
    r.url = silent.Url("/slow");
    r.timeout_seconds = 0.3;
    HttpResponse resp = client.Send(r);
    CHECK_FALSE(resp.transport.ok());
    CHECK(resp.status == 0);
    CHECK(Has(resp.transport.message(), "timed out"));
    CHECK(resp.seconds < 5);
  }
  SECTION("a scheme other than http and https") {
    r.url = "ftp://127.0.0.1/";
    HttpResponse resp = client.Send(r);
    CHECK_FALSE(resp.transport.ok());
  }
}
