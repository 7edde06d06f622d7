#include "test_env.h"

#include <stdexcept>
#include <utility>

#include "common/text.h"
#include "xml/xml.h"

namespace atws::testing {

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

std::string QueryEnvelope(const std::string& queryxml, const std::string& code,
                          const std::string& ns) {
  return Envelope("<query xmlns=\"" + ns + "\"><sXML>" + Esc(queryxml) + "</sXML></query>", code,
                  ns);
}

std::string Query(const std::string& entity, const std::string& field, const std::string& op,
                  const std::string& value, const std::string& code, const std::string& ns) {
  return QueryEnvelope("<queryxml><entity>" + entity + "</entity><query><field>" + field +
                           "<expression op=\"" + op + "\">" + value +
                           "</expression></field></query></queryxml>",
                       code, ns);
}

std::string Field(const std::string& name, const std::string& op, const std::string& value) {
  return "<field>" + name + "<expression op=\"" + op + "\">" + Esc(value) + "</expression></field>";
}

std::string ZoneInfoEnvelope(const std::string& user, const std::string& ns) {
  return Envelope(
      "<getZoneInfo xmlns=\"" + ns + "\"><UserName>" + user + "</UserName></getZoneInfo>", "", ns);
}

std::string ReturnCode(const HttpResult& r) {
  return Between(r.body, "<ReturnCode>", "</ReturnCode>");
}

size_t Rows(const std::string& body) { return Count(body, "<Entity xsi:type="); }

long long ReportedUsage(const HttpResult& r) {
  std::string msg = Between(r.body, "<Message>", "</Message>");
  size_t p = msg.find("numberOfExternalRequest: ");
  return p == std::string::npos ? -1 : std::stoll(msg.substr(p + 25));
}

std::string XmlUnescape(const std::string& s) {
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

Micros UtcAt(const char* text) {
  CivilTime ct;
  ParseApiDateTime(text, &ct);
  Micros t = 0;
  FromLocal(ct, ApiTimeZone::kUtc, &t);
  return t;
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
    : TestServer(std::move(s), [&] {
        http::ServerOptions so;
        so.threads = threads;
        so.held_calls = held_calls;
        so.handler = std::move(handler);
        return so;
      }()) {}

TestServer::TestServer(std::shared_ptr<service::Service> s, http::ServerOptions so)
    : svc(std::move(s)) {
  xml::InitParser();
  so.port = 0;
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

HardenedServer::HardenedServer(int header_timeout_s, int body_timeout_s, service::Options options)
    : TestServer(
          [&options] {
            xml::InitParser();
            return std::make_shared<service::Service>(std::move(options));
          }(),
          [&] {
            http::ServerOptions so;
            so.threads = 2;
            so.header_timeout_s = header_timeout_s;
            so.body_timeout_s = body_timeout_s;
            return so;
          }()) {}

}  // namespace atws::testing
