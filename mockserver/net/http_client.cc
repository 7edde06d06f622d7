#include "net/http_client.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <chrono>
#include <mutex>
#include <type_traits>

#include "common/text.h"

namespace atws::net {

namespace {

// The functions used, looked up in the loaded library. <curl/curl.h> gives only the types and
// constants.
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

enum class LoadFailure { kNone, kMissing, kIncomplete, kInitFailed };

struct Loaded {
  CurlApi api{};
  LoadFailure failure = LoadFailure::kNone;
  std::string why;  // the loader's reason when kMissing
};

const Loaded& Load() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* why = dlerror();
      loaded.failure = LoadFailure::kMissing;
      loaded.why = why ? why : "cannot load libcurl.so.4";
      return;
    }
    bool ok = true;
    auto get = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (!fn) ok = false;
    };
    CurlApi& api = loaded.api;
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
      loaded.failure = LoadFailure::kIncomplete;
      return;
    }
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) loaded.failure = LoadFailure::kInitFailed;
  });
  return loaded;
}

// The loaded functions, or nullptr when LoadCurl() failed.
const CurlApi* Curl() {
  const Loaded& l = Load();
  return l.failure == LoadFailure::kNone ? &l.api : nullptr;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<HttpResponse*>(user)->body.append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * count);
  if (AsciiIStartsWith(line, "HTTP/")) {  // a new response (after 100 Continue …)
    out->headers.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;  // the blank line at the end
  out->headers.emplace_back(AsciiLower(line.substr(0, colon)),
                            std::string(Trim(line.substr(colon + 1))));
  return size * count;
}

bool SafeHeaderValue(const std::string& v) { return v.find_first_of("\r\n") == std::string::npos; }

}  // namespace

Status LoadCurl(std::string_view user) {
  const Loaded& l = Load();
  switch (l.failure) {
    case LoadFailure::kNone:
      return Status::OK();
    case LoadFailure::kMissing:
      return Status::NotFound(std::string(user) +
                              " needs libcurl (Debian package libcurl4): " + l.why);
    case LoadFailure::kIncomplete:
      return Status::Internal("libcurl.so.4 lacks a function " + std::string(user) + " needs");
    case LoadFailure::kInitFailed:
      break;
  }
  return Status::Internal("libcurl failed to start");
}

std::string HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return {};
}

HttpClient::~HttpClient() {
  if (handle_) Curl()->easy_cleanup(static_cast<CURL*>(handle_));
}

HttpResponse HttpClient::Send(const HttpRequest& request) {
  HttpResponse out;
  const CurlApi* curl = Curl();
  if (!curl) {
    out.transport = LoadCurl();
    return out;
  }
  if (!handle_)
    handle_ = curl->easy_init();
  else
    curl->easy_reset(static_cast<CURL*>(handle_));  // options back to defaults; connections kept
  CURL* c = static_cast<CURL*>(handle_);
  if (!c) {
    out.transport = Status::Internal("cannot create a libcurl handle");
    return out;
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl->easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl->easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_seconds * 1000));
  curl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is the answer
  curl->easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl->easy_setopt(c, CURLOPT_WRITEDATA, &out);
  curl->easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl->easy_setopt(c, CURLOPT_HEADERDATA, &out);
  if (!request.username.empty()) {
    curl->easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl->easy_setopt(c, CURLOPT_USERNAME, request.username.c_str());
    curl->easy_setopt(c, CURLOPT_PASSWORD, request.password.c_str());
  }

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    // "Name:" (no value) removes a header libcurl would add by itself.
    std::string line = value.empty() || !SafeHeaderValue(value) ? name + ":" : name + ": " + value;
    headers = curl->slist_append(headers, line.c_str());
  }
  headers = curl->slist_append(headers, "Expect:");  // no 100-continue round trip
  curl->easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  if (request.method == "GET") {
    curl->easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl->easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    if (request.method != "POST")
      curl->easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl->easy_setopt(c, CURLOPT_POST, 1L);
    curl->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl->easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  }
  auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl->easy_perform(c);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  curl->easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl->slist_free_all(headers);
  if (rc != CURLE_OK) {
    out.transport = Status::IoError(errbuf[0] ? std::string(errbuf) : curl->easy_strerror(rc));
    out.status = 0;
    return out;
  }
  curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

}  // namespace atws::net
