// Recording: forward to the upstream with libcurl, answer with its answer, append the exchange.
#include <curl/curl.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <type_traits>

#include "common/text.h"
#include "record/internal.h"
#include "record/record.h"

namespace atws::record {

namespace {

// libcurl is loaded when recording starts (dlopen), not linked: it brings about fifteen
// libraries (TLS, Kerberos, LDAP, SSH …) whose pages cost ~4 MB of resident memory and a few
// milliseconds of start-up in every atws-mock, while only --record-to uses it
// (docs/performance.md). <curl/curl.h> still gives the types and constants.
struct CurlApi {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  void (*easy_reset)(CURL*);
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

// The library, loaded and initialised once; nullptr + *error when it cannot be.
const CurlApi* Curl(std::string* error = nullptr) {
  static CurlApi api;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* why = dlerror();
      failure = fmt::format("recording needs libcurl (Debian package libcurl4): {}",
                            why ? why : "cannot load libcurl.so.4");
      return;
    }
    bool ok = true;
    auto get = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (!fn) ok = false;
    };
    get(api.global_init, "curl_global_init");
    get(api.easy_init, "curl_easy_init");
    get(api.easy_reset, "curl_easy_reset");
    get(api.easy_cleanup, "curl_easy_cleanup");
    get(api.easy_setopt, "curl_easy_setopt");
    get(api.easy_perform, "curl_easy_perform");
    get(api.easy_getinfo, "curl_easy_getinfo");
    get(api.easy_strerror, "curl_easy_strerror");
    get(api.slist_append, "curl_slist_append");
    get(api.slist_free_all, "curl_slist_free_all");
    if (!ok) {
      failure = "libcurl.so.4 lacks a function recording needs";
      return;
    }
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) failure = "libcurl failed to start";
  });
  if (!failure.empty()) {
    if (error) *error = failure;
    return nullptr;
  }
  return &api;
}

struct CurlDeleter {
  void operator()(CURL* c) const { Curl()->easy_cleanup(c); }
};

// One easy handle per worker thread, so that connections to the upstream are kept alive and
// reused between calls.
CURL* ThreadHandle() {
  if (!Curl()) return nullptr;
  thread_local std::unique_ptr<CURL, CurlDeleter> handle;
  if (!handle)
    handle.reset(Curl()->easy_init());
  else
    Curl()->easy_reset(handle.get());
  return handle.get();
}

struct Upstream {
  long status = 0;
  std::string content_type, www_authenticate, body;
};

size_t OnBody(char* p, size_t size, size_t n, void* user) {
  static_cast<Upstream*>(user)->body.append(p, size * n);
  return size * n;
}

size_t OnHeader(char* p, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upstream*>(user);
  std::string_view line(p, size * n);
  if (AsciiIStartsWith(line, "HTTP/")) {  // a new response (after 100 Continue …)
    u->content_type.clear();
    u->www_authenticate.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string_view name = Trim(line.substr(0, colon));
  std::string_view value = Trim(line.substr(colon + 1));
  if (AsciiIEquals(name, "Content-Type")) {
    u->content_type = std::string(value);
  } else if (AsciiIEquals(name, "WWW-Authenticate")) {
    if (!u->www_authenticate.empty()) u->www_authenticate += ", ";
    u->www_authenticate.append(value);
  }
  return size * n;
}

bool SafeHeaderValue(const std::string& v) { return v.find_first_of("\r\n") == std::string::npos; }

bool Forward(const std::string& url, const service::HttpRequest& req, long timeout_s, Upstream* out,
             std::string* error) {
  const CurlApi* curl = Curl(error);
  if (!curl) return false;
  CURL* c = ThreadHandle();
  if (!c) {
    *error = "cannot create a libcurl handle";
    return false;
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl->easy_setopt(c, CURLOPT_URL, url.c_str());
  curl->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl->easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
  curl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // redirects go back to the client as sent
  curl->easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl->easy_setopt(c, CURLOPT_WRITEDATA, out);
  curl->easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl->easy_setopt(c, CURLOPT_HEADERDATA, out);

  struct curl_slist* headers = nullptr;
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty() || !SafeHeaderValue(value)) {
      // An empty "Name:" removes a header libcurl would add by itself.
      headers = curl->slist_append(headers, fmt::format("{}:", name).c_str());
    } else {
      headers = curl->slist_append(headers, fmt::format("{}: {}", name, value).c_str());
    }
  };
  if (!req.authorization.empty()) add("Authorization", req.authorization);
  if (!req.soap_action.empty()) add("SOAPAction", req.soap_action);
  add("Content-Type", req.content_type);
  add("Expect", "");  // no 100-continue round trip
  curl->easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  if (req.method == "GET") {
    curl->easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl->easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    if (req.method != "POST") curl->easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl->easy_setopt(c, CURLOPT_POST, 1L);
    curl->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl->easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
  }
  CURLcode rc = curl->easy_perform(c);
  curl->easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl->slist_free_all(headers);
  if (rc != CURLE_OK) {
    *error = errbuf[0] ? std::string(Trim(errbuf)) : curl->easy_strerror(rc);
    return false;
  }
  curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
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
  if (!Curl(error)) return nullptr;
  std::unique_ptr<Recorder> r(new Recorder(std::move(opt)));
  r->file_ = RecordFile::Open(r->opt_.file, r->opt_.upstream, error);
  if (!r->file_) return nullptr;
  return r;
}

Recorder::~Recorder() = default;

service::HttpResponse Recorder::Handle(const service::HttpRequest& req) {
  if (internal::IsAdminPath(req.path)) return HandleAdmin(req);
  Exchange e;
  e.time = internal::NowIso();
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
    return internal::SoapFault(502, "atws-mock (recording): " + msg);
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
  r.content_type = internal::SendableContentType(u.content_type);
  r.body = std::move(u.body);
  if (!u.www_authenticate.empty()) r.headers.emplace_back("WWW-Authenticate", u.www_authenticate);
  return r;
}

service::HttpResponse Recorder::HandleAdmin(const service::HttpRequest& req) {
  std::string path = internal::AdminPath(req.path);
  if (path == "/__admin/record" || path.rfind("/__admin/record/", 0) == 0) {
    service::HttpResponse refusal;
    if (!internal::AdminAllowed(opt_.admin, req, &refusal)) return refusal;
    if (path != "/__admin/record")
      return internal::JsonError(404, "no such record endpoint (GET /__admin/record)");
    if (req.method != "GET") return internal::JsonError(405, "GET only");
    size_t failures;
    {
      std::lock_guard<std::mutex> lock(mu_);
      failures = failures_;
    }
    return internal::Json(200, {{"mode", "record"},
                                {"file", opt_.file},
                                {"upstream", ScrubUrl(opt_.upstream)},
                                {"exchanges", file_->appended()},
                                {"upstream_failures", failures}});
  }
  if (opt_.admin_fallback) return opt_.admin_fallback(req);
  return internal::JsonError(404, "not served while recording");
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
