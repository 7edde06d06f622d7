// The fast paths answer exactly what the slow ones did: a repeated query served from the result
// cache sees every write made since, keep-alive answers are well-formed HTTP, and a service that
// fills its tenants in the background answers calls on their data only once they are filled.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "test_env.h"

using namespace atws;
using namespace atws::testing;

namespace {

// One persistent HTTP/1.1 connection (no Connection header: keep-alive by default), reading
// each answer by its Content-Length.
class Connection {
 public:
  // rcvbuf > 0: the client's receive buffer in bytes (set before connecting), so that a large
  // answer cannot be taken by the socket at once while the client does not read.
  explicit Connection(uint16_t port, int rcvbuf = 0) : fd_(ConnectLoopback(port, 10000, rcvbuf)) {}
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  // Sends a request and reads its answer: status line, headers (lower-case names), body.
  bool Call(const std::string& method, const std::string& target, const std::string& body,
            const std::string& auth, std::string* status_line,
            std::map<std::string, std::string>* headers, std::string* out) {
    return Send(Request(method, target, body, auth)) && Receive(status_line, headers, out);
  }
  static std::string Request(const std::string& method, const std::string& target,
                             const std::string& body, const std::string& auth) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!auth.empty()) req += "Authorization: " + auth + "\r\n";
    req +=
        "Content-Type: text/xml; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    return req;
  }
  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Reads one answer.
  bool Receive(std::string* status_line, std::map<std::string, std::string>* headers,
               std::string* out) {
    size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!Read()) return false;
    std::string head = buf_.substr(0, head_end);
    buf_.erase(0, head_end + 4);
    *status_line = head.substr(0, head.find("\r\n"));
    *headers = HeaderFields(head);
    size_t len = std::stoul((*headers)["content-length"]);
    while (buf_.size() < len)
      if (!Read()) return false;
    *out = buf_.substr(0, len);
    buf_.erase(0, len);
    return true;
  }

 private:
  bool Read() {
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buf_;
};

std::string Page() {
  return QueryEnvelope(
      "<queryxml><entity>Ticket</entity><query><field>id<expression op=\"GreaterThan\">0"
      "</expression></field></query></queryxml>");
}

}  // namespace

TEST_CASE("A repeated query sees every write made since", "[perf][cache]") {
  TestServer m;
  auto first = m.Soap(kZone5, Page(), kUser, kPass);
  auto second = m.Soap(kZone5, Page(), kUser, kPass);
  auto third = m.Soap(kZone5, Page(), kUser, kPass);  // from the cache
  REQUIRE(first.status == 200);
  CHECK(Count(first.body, "<Entity ") == 500);
  CHECK(second.body == first.body);
  CHECK(third.body == first.body);

  // Update the first ticket of the page: the next identical query shows the new title.
  std::string id = Between(first.body, "<id>", "</id>");
  REQUIRE_FALSE(id.empty());
  auto upd = m.Soap(kZone5,
                    Envelope("<update xmlns=\"http://autotask.net/ATWS/v1_6/\"><Entities><Entity "
                             "xsi:type=\"Ticket\" xmlns:xsi=\"http://www.w3.org/2001/"
                             "XMLSchema-instance\"><id>" +
                             id +
                             "</id><Title>changed after caching</Title></Entity></Entities>"
                             "</update>"),
                    kUser, kPass);
  REQUIRE(Between(upd.body, "<ReturnCode>", "</ReturnCode>") == "1");
  auto after = m.Soap(kZone5, Page(), kUser, kPass);
  REQUIRE(after.status == 200);
  CHECK(after.body != first.body);
  CHECK(after.body.find("changed after caching") != std::string::npos);
  CHECK(Count(after.body, "<Entity ") == 500);
  // And again (cached anew): still the new title.
  auto again = m.Soap(kZone5, Page(), kUser, kPass);
  auto again2 = m.Soap(kZone5, Page(), kUser, kPass);
  CHECK(again.body == after.body);
  CHECK(again2.body == after.body);

  // A restricted user asking the same query gets their own answer, not the cached one.
  auto restricted = m.Soap(kZone5, Page(), "restricted@contoso.example", kPass);
  REQUIRE(restricted.status == 200);
  CHECK(restricted.body != after.body);
}

TEST_CASE("Keep-alive answers carry the status, headers and exact body", "[perf][http]") {
  TestServer m;
  // The reference: the same call answered on a connection that closes.
  auto closing = HttpCall(
      m.port, "POST", kZone5, Page(),
      {{"Authorization", BasicAuth(kUser, kPass)}, {"Content-Type", "text/xml; charset=utf-8"}});
  REQUIRE(closing.status == 200);

  Connection c(m.port);
  REQUIRE(c.ok());
  std::string status, body;
  std::map<std::string, std::string> headers;
  // Several answers in turn on one connection: a page, an error with an extra header, a page.
  for (int round = 0; round < 2; ++round) {
    REQUIRE(c.Call("POST", kZone5, Page(), BasicAuth(kUser, kPass), &status, &headers, &body));
    CHECK(status == "HTTP/1.1 200 OK");
    CHECK(headers["content-type"] == "text/xml; charset=utf-8");
    CHECK(headers["connection"] == "Keep-Alive");
    CHECK(body == closing.body);

    REQUIRE(c.Call("GET", kZone5, "", "", &status, &headers, &body));
    CHECK(status == "HTTP/1.1 405 Method Not Allowed");
    CHECK(headers["allow"] == "POST");
    CHECK(headers["content-type"] == "text/plain; charset=utf-8");
    CHECK(body.find("POSTed") != std::string::npos);

    REQUIRE(c.Call("POST", kZone5, Page(), "", &status, &headers, &body));
    CHECK(status == "HTTP/1.1 401 Unauthorized");
    CHECK(headers.count("www-authenticate") == 1);
  }
}

TEST_CASE("An answer the socket cannot take at once arrives whole and in order", "[perf][http]") {
  TestServer m;
  auto auth = BasicAuth(kUser, kPass);
  auto page = HttpCall(m.port, "POST", kZone5, Page(),
                       {{"Authorization", auth}, {"Content-Type", "text/xml; charset=utf-8"}});
  REQUIRE(page.status == 200);
  REQUIRE(page.body.size() > 500000);
  const std::string one = QueryEnvelope(
      "<queryxml><entity>Ticket</entity><query><field>id<expression op=\"Equals\">" +
      Between(page.body, "<id>", "</id>") + "</expression></field></query></queryxml>");
  auto single = HttpCall(m.port, "POST", kZone5, one,
                         {{"Authorization", auth}, {"Content-Type", "text/xml; charset=utf-8"}});
  REQUIRE(single.status == 200);

  // A client with a 4 KB receive buffer sends eight page queries, a one-row query and another
  // page query in one write (pipelined) and reads nothing for a while: the pages fill the
  // server's send buffer (at most 4 MB on Linux), an answer is written in part and the rest
  // waits in Pistache's queue, and the answers after it must queue behind it.
  Connection c(m.port, 4096);
  REQUIRE(c.ok());
  std::string pipelined;
  for (int i = 0; i < 8; ++i) pipelined += Connection::Request("POST", kZone5, Page(), auth);
  pipelined += Connection::Request("POST", kZone5, one, auth) +
               Connection::Request("POST", kZone5, Page(), auth);
  REQUIRE(c.Send(pipelined));
  usleep(300 * 1000);
  std::string status, body;
  std::map<std::string, std::string> headers;
  for (int i = 0; i < 8; ++i) {
    REQUIRE(c.Receive(&status, &headers, &body));
    CHECK(status == "HTTP/1.1 200 OK");
    CHECK(body == page.body);
  }
  REQUIRE(c.Receive(&status, &headers, &body));
  CHECK(status == "HTTP/1.1 200 OK");
  CHECK(body == single.body);
  REQUIRE(c.Receive(&status, &headers, &body));
  CHECK(body == page.body);
  // And the connection goes on as usual afterwards.
  REQUIRE(c.Call("POST", kZone5, one, auth, &status, &headers, &body));
  CHECK(body == single.body);
}

TEST_CASE("Values come out escaped and formatted as the API writes them", "[perf][values]") {
  TestServer m;
  const std::string title = "A&B <tag> \"quoted\" it's\rline two \xC3\xA9t\xC3\xA9";
  auto esc = [](const std::string& s) {
    std::string o;
    for (char ch : s) {
      if (ch == '&')
        o += "&amp;";
      else if (ch == '<')
        o += "&lt;";
      else if (ch == '>')
        o += "&gt;";
      else if (ch == '\r')
        o += "&#xD;";
      else
        o += ch;
    }
    return o;
  };
  auto created = m.Soap(
      kZone5,
      Envelope("<create xmlns=\"http://autotask.net/ATWS/v1_6/\"><Entities><Entity "
               "xsi:type=\"Ticket\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
               "<AccountID>0</AccountID><Title>" +
               esc(title) +
               "</Title><Status>1</Status><Priority>2</Priority><DueDateTime>2026-12-01T10:30:00"
               "</DueDateTime><EstimatedHours>1.25</EstimatedHours></Entity></Entities></create>"),
      kUser, kPass);
  std::string id = Between(created.body, "<id>", "</id>");
  INFO(created.body.substr(0, 2000));
  REQUIRE(Between(created.body, "<ReturnCode>", "</ReturnCode>") == "1");
  REQUIRE_FALSE(id.empty());
  for (int round = 0; round < 2; ++round) {  // computed, then from the query cache
    auto q = m.Soap(kZone5,
                    QueryEnvelope("<queryxml><entity>Ticket</entity><query><field>id<expression "
                                  "op=\"Equals\">" +
                                  id + "</expression></field></query></queryxml>"),
                    kUser, kPass);
    REQUIRE(q.status == 200);
    // '"' is escaped in text too (&quot;), as the API does; the apostrophe is not.
    CHECK(q.body.find("<Title xsi:type=\"xsd:string\">A&amp;B &lt;tag&gt; &quot;quoted&quot; "
                      "it's&#xD;line two \xC3\xA9t\xC3\xA9</Title>") != std::string::npos);
    CHECK(q.body.find("<EstimatedHours xsi:type=\"xsd:double\">1.25</EstimatedHours>") !=
          std::string::npos);
    CHECK(q.body.find("<DueDateTime xsi:type=\"xsd:dateTime\">2026-12-01T10:30:00</DueDateTime>") !=
          std::string::npos);
    CHECK(q.body.find("<Priority xsi:type=\"xsd:int\">2</Priority>") != std::string::npos);
    CHECK(q.body.find("<id>" + id + "</id>") != std::string::npos);
  }
}

TEST_CASE("Background loading: calls on a tenant's data wait until it is filled", "[perf][load]") {
  service::Options opt;
  opt.background_load = true;
  TestServer m(opt);
  // Straight away, before waiting for anything: the first query already sees every ticket.
  auto r = m.Soap(kZone5, Page(), kUser, kPass);
  REQUIRE(r.status == 200);
  CHECK(Count(r.body, "<Entity ") == 500);
  m.svc->WaitLoaded();
  auto again = m.Soap(kZone5, Page(), kUser, kPass);
  CHECK(again.body == r.body);
}
