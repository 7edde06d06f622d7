#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "common/text.h"
#include "xml/xml.h"

namespace atws::testing {

HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    throw std::runtime_error("connect");
  }
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
      if (header_end != std::string::npos) {
        std::string lower = AsciiLower(raw.substr(0, header_end));
        size_t p = lower.find("\r\ncontent-length:");
        if (p != std::string::npos)
          content_length = std::stoul(lower.substr(p + 17, lower.find("\r\n", p + 2) - p - 17));
      }
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
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos) {
    size_t next = head.find("\r\n", pos + 2);
    std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    size_t c = line.find(':');
    if (c != std::string::npos)
      r.headers[AsciiLower(line.substr(0, c))] = std::string(Trim(line.substr(c + 1)));
    pos = next;
  }
  return r;
}

std::string Envelope(const std::string& inner, const std::string& code, const std::string& ns) {
  std::string h;
  if (!code.empty())
    h = "<soap:Header><AutotaskIntegrations xmlns=\"" + ns + "\"><IntegrationCode>" + code +
        "</IntegrationCode></AutotaskIntegrations></soap:Header>";
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
         "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">" +
         h + "<soap:Body>" + inner + "</soap:Body></soap:Envelope>";
}

std::string Esc(const std::string& s) { return XmlEscape(s); }

std::string QueryEnvelope(const std::string& queryxml, const std::string& code) {
  return Envelope(
      "<query xmlns=\"http://autotask.net/ATWS/v1_6/\"><sXML>" + Esc(queryxml) + "</sXML></query>",
      code);
}

std::string BasicAuth(const std::string& user, const std::string& password) {
  return "Basic " + Base64Encode(user + ":" + password);
}

TestServer::TestServer(service::Options options, int threads, http::HeldCalls held_calls)
    : TestServer(
          [&options] {
            xml::InitParser();  // before the service parses anything
            return std::make_shared<service::Service>(std::move(options));
          }(),
          threads, nullptr, held_calls) {}

TestServer::TestServer(std::shared_ptr<service::Service> s, int threads,
                       std::function<service::HttpResponse(const service::HttpRequest&)> handler,
                       http::HeldCalls held_calls)
    : svc(std::move(s)) {
  xml::InitParser();
  http::ServerOptions so;
  so.port = 0;
  so.threads = threads;
  so.held_calls = held_calls;
  so.handler = std::move(handler);
  server = std::make_unique<http::Server>(svc, so);
  std::string err;
  if (!server->Start(&err)) throw std::runtime_error(err);
  port = server->port();
}

HttpResult TestServer::Soap(const std::string& path, const std::string& body,
                            const std::string& user, const std::string& password) const {
  std::vector<std::pair<std::string, std::string>> h = {
      {"Content-Type", "text/xml; charset=utf-8"}};
  if (!user.empty()) h.emplace_back("Authorization", BasicAuth(user, password));
  return HttpCall(port, "POST", path, body, h);
}

HttpResult TestServer::Admin(const std::string& method, const std::string& path,
                             const std::string& body) const {
  return HttpCall(port, method, path, body, {{"Content-Type", "application/json"}});
}

}  // namespace atws::testing
