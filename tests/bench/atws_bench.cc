// atws-bench: the benchmark's own client (scripts/bench, docs/performance.md).
//
//   atws-bench sync --url ZONE_URL [--user U --password P --code C --entity Ticket]
//                   [--after ID] [--max-pages N]
//       Pages through every row of an entity the way the best-practices page says (query
//       `id > last`, 500 rows a page, until a page has fewer), over one keep-alive connection
//       (libcurl), parsing each answer while it arrives with libxml2's SAX2 push parser (no
//       tree): it counts the <Entity> elements and reads their <id>. Prints one JSON object: pages,
//       rows, seconds, rows per second, and the time per page at the start, middle and end.
//
//   atws-bench ready --port PORT [--path P] -- COMMAND ARGS...
//       Starts COMMAND and measures the time until it answers getZoneInfo on
//       http://127.0.0.1:PORT/P with HTTP 200 (polled every millisecond), then stops it
//       (SIGTERM). Prints the milliseconds.
#include <curl/curl.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

size_t Collect(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

const char* kEnvelopeHead =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
    "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">";

std::string QueryEnvelope(const std::string& code, const std::string& entity, long long last) {
  std::string b = kEnvelopeHead;
  b += "<soap:Header><AutotaskIntegrations xmlns=\"http://autotask.net/ATWS/v1_6/\">"
       "<IntegrationCode>" +
       code +
       "</IntegrationCode></AutotaskIntegrations></soap:Header><soap:Body><query "
       "xmlns=\"http://autotask.net/ATWS/v1_6/\"><sXML>&lt;queryxml&gt;&lt;entity&gt;" +
       entity +
       "&lt;/entity&gt;&lt;query&gt;&lt;field&gt;id&lt;expression "
       "op=\"GreaterThan\"&gt;" +
       std::to_string(last) +
       "&lt;/expression&gt;&lt;/field&gt;&lt;/query&gt;&lt;/queryxml&gt;</sXML></query>"
       "</soap:Body></soap:Envelope>";
  return b;
}

struct PageResult {
  long long rows = 0;
  long long first_id = 0;
  long long last_id = 0;
  std::string return_code;
  std::string error;
};

// A streaming parse of a query answer while it arrives (libxml2's SAX2 push parser, fed from
// libcurl's write callback; no tree): counts the <Entity> elements, keeps the last <id> directly
// in one, reads ReturnCode and the first error Message.
class PageParser {
 public:
  PageParser() {
    std::memset(&sax_, 0, sizeof sax_);
    sax_.initialized = XML_SAX2_MAGIC;
    sax_.startElementNs = &PageParser::Start;
    sax_.endElementNs = &PageParser::End;
    sax_.characters = &PageParser::Text;
  }
  ~PageParser() { Reset(); }

  void Begin(PageResult* r) {
    Reset();
    r_ = r;
    depth_ = 0;
    entity_depth_ = -1;
    capture_ = kNone;
    text_.clear();
    ctx_ = xmlCreatePushParserCtxt(&sax_, this, nullptr, 0, nullptr);
    xmlCtxtUseOptions(ctx_, XML_PARSE_NONET | XML_PARSE_COMPACT);
  }
  bool Feed(const char* data, size_t n) {
    return ctx_ && xmlParseChunk(ctx_, data, static_cast<int>(n), 0) == 0;
  }
  bool Finish() {
    if (!ctx_) return false;
    bool ok = xmlParseChunk(ctx_, nullptr, 0, 1) == 0 && ctx_->wellFormed;
    Reset();
    if (!ok && r_->error.empty()) r_->error = "malformed XML answer";
    return ok;
  }

 private:
  enum Capture { kNone, kId, kReturnCode, kMessage };
  void Reset() {
    if (ctx_) xmlFreeParserCtxt(ctx_);
    ctx_ = nullptr;
  }
  static void Start(void* self, const xmlChar* local, const xmlChar*, const xmlChar*, int,
                    const xmlChar**, int, int, const xmlChar**) {
    auto* p = static_cast<PageParser*>(self);
    const char* name = reinterpret_cast<const char*>(local);
    ++p->depth_;
    if (std::strcmp(name, "Entity") == 0) {
      ++p->r_->rows;
      p->entity_depth_ = p->depth_;
    } else if (p->depth_ == p->entity_depth_ + 1 && std::strcmp(name, "id") == 0) {
      p->capture_ = kId;
    } else if (p->entity_depth_ < 0 && std::strcmp(name, "ReturnCode") == 0) {
      p->capture_ = kReturnCode;
    } else if (p->r_->error.empty() && std::strcmp(name, "Message") == 0) {
      p->capture_ = kMessage;
    }
  }
  static void End(void* self, const xmlChar*, const xmlChar*, const xmlChar*) {
    auto* p = static_cast<PageParser*>(self);
    if (p->capture_ != kNone) {
      if (p->capture_ == kId) {
        p->r_->last_id = std::strtoll(p->text_.c_str(), nullptr, 10);
        if (p->r_->first_id == 0) p->r_->first_id = p->r_->last_id;
      }
      if (p->capture_ == kReturnCode) p->r_->return_code = p->text_;
      if (p->capture_ == kMessage) p->r_->error = p->text_;
      p->capture_ = kNone;
      p->text_.clear();
    }
    if (p->depth_ == p->entity_depth_) p->entity_depth_ = -1;
    --p->depth_;
  }
  static void Text(void* self, const xmlChar* ch, int len) {
    auto* p = static_cast<PageParser*>(self);
    if (p->capture_ != kNone) p->text_.append(reinterpret_cast<const char*>(ch), len);
  }

  xmlSAXHandler sax_;
  xmlParserCtxtPtr ctx_ = nullptr;
  PageResult* r_ = nullptr;
  int depth_ = 0, entity_depth_ = -1;
  Capture capture_ = kNone;
  std::string text_;
};

size_t FeedParser(char* data, size_t size, size_t n, void* user) {
  auto* p = static_cast<PageParser*>(user);
  return p->Feed(data, size * n) ? size * n : 0;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Median over `n` pages starting at `from` (clamped to the pages there are).
double MedianOf(const std::vector<double>& v, long long from, long long n) {
  if (v.empty()) return 0;
  from = std::max(0LL, std::min(from, static_cast<long long>(v.size()) - 1));
  long long to = std::min(static_cast<long long>(v.size()), from + n);
  return Median(std::vector<double>(v.begin() + from, v.begin() + to));
}

int Sync(int argc, char** argv) {
  std::string url, user = "api@contoso.example", password = "sandbox", code = "SANDBOX-INTEGRATION",
                   entity = "Ticket";
  long long max_pages = 0, last_start = 0;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--url")
      url = next();
    else if (a == "--user")
      user = next();
    else if (a == "--password")
      password = next();
    else if (a == "--code")
      code = next();
    else if (a == "--entity")
      entity = next();
    else if (a == "--after")
      last_start = std::atoll(next().c_str());
    else if (a == "--max-pages")
      max_pages = std::atoll(next().c_str());
    else {
      std::fprintf(stderr, "atws-bench sync: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  if (url.empty()) {
    std::fprintf(stderr, "atws-bench sync: --url is required\n");
    return 2;
  }
  CURL* curl = curl_easy_init();
  std::string request;
  PageParser parser;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: text/xml; charset=utf-8");
  headers = curl_slist_append(headers, "SOAPAction: \"http://autotask.net/ATWS/v1_6/query\"");
  headers = curl_slist_append(headers, "Expect:");
  std::string userpwd = user + ":" + password;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, FeedParser);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &parser);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);

  std::vector<double> page_ms, fetch_ms;
  long long rows = 0, last = last_start, pages = 0, first_id = 0;
  auto start = Clock::now();
  for (;;) {
    request = QueryEnvelope(code, entity, last);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.size()));
    PageResult p;
    parser.Begin(&p);
    auto t0 = Clock::now();
    CURLcode rc = curl_easy_perform(curl);
    auto t1 = Clock::now();
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200) {
      std::fprintf(stderr, "atws-bench sync: page %lld (id > %lld): %s, HTTP %ld\n", pages + 1,
                   last, curl_easy_strerror(rc), status);
      return 1;
    }
    if (!parser.Finish() || p.return_code != "1") {
      std::fprintf(stderr, "atws-bench sync: page %lld (id > %lld): ReturnCode %s %s\n", pages + 1,
                   last, p.return_code.c_str(), p.error.c_str());
      return 1;
    }
    auto t2 = Clock::now();
    ++pages;
    if (p.rows > 0) {
      page_ms.push_back(Ms(t2 - t0));
      fetch_ms.push_back(Ms(t1 - t0));
    }
    rows += p.rows;
    if (p.rows > 0 && p.last_id <= last) {
      std::fprintf(stderr, "atws-bench sync: page %lld does not move past id %lld\n", pages, last);
      return 1;
    }
    if (p.rows > 0 && first_id == 0) first_id = p.first_id;
    if (p.rows > 0) last = p.last_id;
    if (p.rows < 500 || (max_pages > 0 && pages >= max_pages)) break;
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  long long n = static_cast<long long>(page_ms.size());
  // Start, middle and end: the median of 10 full pages at each place (the last page may be
  // short, so the end is the 10 full pages before it).
  long long full = n;
  if (full > 1 && rows % 500 != 0) --full;
  double first = MedianOf(page_ms, 0, 10), middle = MedianOf(page_ms, full / 2 - 5, 10),
         end = MedianOf(page_ms, full - 10, 10);
  std::printf(
      "{\"entity\": \"%s\", \"pages\": %lld, \"rows\": %lld, \"seconds\": %.3f, "
      "\"rows_per_second\": %.0f, \"page_ms_start\": %.3f, \"page_ms_middle\": %.3f, "
      "\"page_ms_end\": %.3f, \"page_ms_median\": %.3f, \"first_id\": %lld, "
      "\"last_id\": %lld}\n",
      entity.c_str(), pages, rows, seconds, seconds > 0 ? static_cast<double>(rows) / seconds : 0,
      first, middle, end, Median(page_ms), first_id, last);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return 0;
}

int Ready(int argc, char** argv) {
  int port = 0;
  std::string path = "/atservices/1.6/atws.asmx";
  double timeout_s = 60;
  int i = 0;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--port")
      port = std::atoi(next().c_str());
    else if (a == "--path")
      path = next();
    else if (a == "--timeout")
      timeout_s = std::atof(next().c_str());
    else {
      std::fprintf(stderr, "atws-bench ready: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  if (port <= 0 || i >= argc) {
    std::fprintf(stderr, "atws-bench ready: --port PORT -- COMMAND ARGS... expected\n");
    return 2;
  }
  std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  std::string request = std::string(kEnvelopeHead) +
                        "<soap:Body><getZoneInfo xmlns=\"http://autotask.net/ATWS/v1_6/\">"
                        "<UserName>api@contoso.example</UserName></getZoneInfo></soap:Body>"
                        "</soap:Envelope>";
  CURL* curl = curl_easy_init();
  std::string body;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: text/xml; charset=utf-8");
  headers = curl_slist_append(headers, "SOAPAction: \"http://autotask.net/ATWS/v1_6/getZoneInfo\"");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 200L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);

  auto t0 = Clock::now();
  pid_t child = fork();
  if (child == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    execvp(argv[i], argv + i);
    _exit(127);
  }
  if (child < 0) {
    std::perror("atws-bench ready: fork");
    return 1;
  }
  bool ok = false;
  int status = 0;
  while (Clock::now() - t0 < std::chrono::duration<double>(timeout_s)) {
    body.clear();
    long code = 0;
    if (curl_easy_perform(curl) == CURLE_OK &&
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code == 200 &&
        body.find("getZoneInfoResult") != std::string::npos) {
      ok = true;
      break;
    }
    if (waitpid(child, &status, WNOHANG) == child) {
      std::fprintf(stderr, "atws-bench ready: %s exited before answering\n", argv[i]);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  double ms = Ms(Clock::now() - t0);
  kill(child, SIGTERM);
  for (int k = 0; k < 1000 && waitpid(child, &status, WNOHANG) == 0; ++k)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (waitpid(child, &status, WNOHANG) == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (!ok) {
    std::fprintf(stderr, "atws-bench ready: no getZoneInfo answer within %.0f s\n", timeout_s);
    return 1;
  }
  std::printf("%.1f\n", ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  xmlInitParser();
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "sync") return Sync(argc - 2, argv + 2);
  if (mode == "ready") return Ready(argc - 2, argv + 2);
  std::fprintf(stderr,
               "usage: atws-bench sync --url ZONE_URL [--user U --password P --code C "
               "--entity E --max-pages N]\n"
               "       atws-bench ready --port PORT [--path P] [--timeout S] -- COMMAND "
               "ARGS...\n");
  return 2;
}
