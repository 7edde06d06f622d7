// Recording: forward to the upstream with libcurl, answer with its answer, append the exchange.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "common/text.h"
#include "net/http_client.h"
#include "record/http_util.h"
#include "record/record.h"

namespace atws::record {

namespace {

struct Upstream {
  long status = 0;
  std::string content_type, www_authenticate, body;
};

// Sends the client's request to `url` (libcurl is loaded when recording starts: net/).
bool Forward(const std::string& url, const service::HttpRequest& req, long timeout_s, Upstream* out,
             std::string* error) {
  net::HttpRequest r;
  r.method = req.method;
  r.url = url;
  r.body = req.body;
  r.timeout_seconds = static_cast<double>(timeout_s);
  // An empty Content-Type goes out as "Content-Type:", which keeps libcurl from adding its own.
  if (!req.authorization.empty()) r.headers.emplace_back("Authorization", req.authorization);
  if (!req.soap_action.empty()) r.headers.emplace_back("SOAPAction", req.soap_action);
  r.headers.emplace_back("Content-Type", req.content_type);
  // One client per worker thread, so that connections to the upstream are kept alive.
  thread_local net::HttpClient client;
  net::HttpResponse resp = client.Send(r);
  if (!resp.transport.ok()) {
    *error = std::string(Trim(resp.transport.message()));
    return false;
  }
  out->status = resp.status;
  for (const auto& [name, value] : resp.headers) {
    std::string_view n = Trim(name);
    if (n == "content-type") {
      out->content_type = value;  // the last one wins
    } else if (n == "www-authenticate") {
      if (!out->www_authenticate.empty()) out->www_authenticate += ", ";
      out->www_authenticate += value;
    }
  }
  out->body = std::move(resp.body);
  return true;
}

}  // namespace

std::unique_ptr<Recorder> Recorder::Create(RecorderOptions opt, std::string* error) {
  std::string_view up = Trim(opt.upstream);
  if (!AsciiIStartsWith(up, "http://") && !AsciiIStartsWith(up, "https://")) {
    *error = fmt::format("--upstream wants an http:// or https:// URL, got '{}'",
                         ScrubUrl(opt.upstream));
    return nullptr;
  }
  if (up.find_first_of("?#") != std::string_view::npos) {
    *error = "--upstream is a base URL: no query string or fragment";
    return nullptr;
  }
  opt.upstream = std::string(up);
  while (!opt.upstream.empty() && opt.upstream.back() == '/') opt.upstream.pop_back();
  if (!net::LoadCurl("recording").Into(error)) return nullptr;
  std::unique_ptr<Recorder> r(new Recorder(std::move(opt)));
  r->file_ = RecordFile::Open(r->opt_.file, r->opt_.upstream, error);
  if (!r->file_) return nullptr;
  return r;
}

Recorder::~Recorder() = default;

service::HttpResponse Recorder::Handle(const service::HttpRequest& req) {
  if (http_util::IsAdminPath(req.path)) return HandleAdmin(req);
  Exchange e;
  e.time = http_util::NowIso();
  std::string query = CleanQuery(req.query);
  std::string url = opt_.upstream + req.path;
  {
    // A zone host learnt by --rewrite-urls: /webservices5/… goes to that host.
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& r : routes_)
      if (AsciiIStartsWith(req.path, r.prefix + "/"))
        url = r.origin + req.path.substr(r.prefix.size());
  }
  if (!query.empty()) url += "?" + query;
  Upstream u;
  std::string err;
  auto t0 = std::chrono::steady_clock::now();
  if (!Forward(url, req, opt_.timeout_s, &u, &err)) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++failures_;
    }
    std::string msg = fmt::format("the upstream {} did not answer {} {}: {}",
                                  ScrubUrl(opt_.upstream), req.method, req.path, err);
    if (opt_.log) std::fprintf(stderr, "record: %s (not recorded)\n", msg.c_str());
    return http_util::SoapFault(502, "atws-mock (recording): " + msg);
  }
  e.elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  e.method = req.method;
  e.path = req.path;
  e.query = query;
  e.soap_action = req.soap_action;
  e.content_type = req.content_type;
  e.user = BasicAuthUser(req.authorization);
  e.request_body = ScrubIntegrationCodes(req.body);
  if (req.method != "GET" && !req.body.empty()) e.operation = Normalise(req.body).operation;
  if (opt_.rewrite_urls) {
    UrlRewriter rw;
    rw.mock_base = MockBase(opt_.public_url, req);
    rw.upstream = opt_.upstream;
    std::vector<UrlRoute> found;
    rw.Rewrite(&u.body, &found);
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& f : found) {
      bool known = false;
      for (auto& r : routes_)
        if (AsciiIEquals(r.prefix, f.prefix)) {
          r.origin = f.origin;  // the latest answer wins
          known = true;
        }
      if (!known) routes_.push_back(std::move(f));
    }
  }
  e.status = static_cast<int>(u.status);
  e.response_content_type = u.content_type;
  e.www_authenticate = u.www_authenticate;
  e.response_body = ScrubIntegrationCodes(u.body);
  if (!file_->Append(e, &err) && opt_.log)
    std::fprintf(stderr, "record: exchange not recorded: %s\n", err.c_str());

  service::HttpResponse r;
  r.status = static_cast<int>(u.status);
  r.content_type = http_util::SendableContentType(u.content_type);
  r.body = std::move(u.body);
  if (!u.www_authenticate.empty()) r.headers.emplace_back("WWW-Authenticate", u.www_authenticate);
  return r;
}

service::HttpResponse Recorder::HandleAdmin(const service::HttpRequest& req) {
  std::string path = http_util::AdminPath(req.path);
  if (path == "/__admin/record" || path.rfind("/__admin/record/", 0) == 0) {
    service::HttpResponse refusal;
    if (!http_util::AdminAllowed(opt_.admin, req, &refusal)) return refusal;
    if (path != "/__admin/record")
      return http_util::JsonError(404, "no such record endpoint (GET /__admin/record)");
    if (req.method != "GET") return http_util::JsonError(405, "GET only");
    size_t failures;
    {
      std::lock_guard<std::mutex> lock(mu_);
      failures = failures_;
    }
    return http_util::Json(200, {{"mode", "record"},
                                 {"file", opt_.file},
                                 {"upstream", ScrubUrl(opt_.upstream)},
                                 {"exchanges", file_->appended()},
                                 {"upstream_failures", failures}});
  }
  if (opt_.admin_fallback) return opt_.admin_fallback(req);
  return http_util::JsonError(404, "not served while recording");
}

std::string Recorder::Summary() const {
  size_t failures;
  {
    std::lock_guard<std::mutex> lock(mu_);
    failures = failures_;
  }
  return fmt::format("record: {} exchanges appended to {} ({} upstream failures)",
                     file_->appended(), opt_.file, failures);
}

}  // namespace atws::record
