// atws-bench: the benchmark's own client (scripts/bench, docs/performance.md).
//
//   atws-bench sync --url ZONE_URL [--user U --password P --code C --entity Ticket]
//                   [--after ID] [--max-pages N] [--parser scan|libxml2]
//       Pages through every row of an entity the way the best-practices page says (query
//       `id > last`, 500 rows a page, until a page has fewer), over one keep-alive connection
//       (libcurl), reading each answer while it arrives, without a tree: it counts the <Entity>
//       elements and reads their <id>. `scan` (default) is a streaming tokenizer for these
//       answers (PageScanner), `libxml2` libxml2's SAX2 push parser. Prints one JSON object:
//       pages, rows, seconds, rows per second, and the time per page at the start, middle and
//       end.
//
//   atws-bench ready --port PORT [--path P] [--query ZONE_PATH] -- COMMAND ARGS...
//       Starts COMMAND and measures the time until it answers getZoneInfo on
//       http://127.0.0.1:PORT/P with HTTP 200 (polled every millisecond), then stops it
//       (SIGTERM). Prints the milliseconds. With --query, also the time until a 500-row Ticket
//       query of api@contoso.example on ZONE_PATH is answered with rows (the tenant's data
//       loaded): two numbers.
//
//   atws-bench probe --url ZONE_URL --load-pid PID [--user U --password P --code C --id N]
//                    [--seconds S] [--phase S] [--settle S] [--pace-ms MS]
//       Another tenant's client beside a load (issue 6's isolation figure): calls a one-row
//       Ticket query (id N) over one keep-alive connection, waiting MS ms after each answer,
//       for S seconds (default 48), while it pauses (SIGSTOP) and resumes (SIGCONT) the load
//       generator PID in turn, `--phase` seconds each (default 4), starting paused. Calls sent
//       in the first `--settle` seconds of a phase (default 1: held answers still going out,
//       or the load starting again) are not counted. Prints one JSON object: calls, p50, p90
//       and p99 with the load paused ("alone") and running ("loaded"), and the p99 change.
//       Alternating every few seconds, rather than one long run of each, keeps the machine's
//       own drift out of the comparison. Leaves the load running.
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
#include <initializer_list>
#include <memory>
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
// What reads a query answer while it arrives. The readers differ in how they find elements and
// text; what they take from them is here: the <Entity> elements counted, the <id> directly in
// each, the ReturnCode and the first error Message.
class PageReader {
 public:
  virtual ~PageReader() = default;
  virtual void Begin(PageResult* r) = 0;
  virtual bool Feed(const char* data, size_t n) = 0;
  virtual bool Finish() = 0;

 protected:
  void Reset(PageResult* r) {
    r_ = r;
    depth_ = 0;
    entity_depth_ = -1;
    capture_ = kNone;
    text_.clear();
  }
  void StartElement(std::string_view local) {
    ++depth_;
    if (local == "Entity") {
      ++r_->rows;
      entity_depth_ = depth_;
    } else if (depth_ == entity_depth_ + 1 && local == "id") {
      capture_ = kId;
    } else if (entity_depth_ < 0 && local == "ReturnCode") {
      capture_ = kReturnCode;
    } else if (r_->error.empty() && local == "Message") {
      capture_ = kMessage;
    }
  }
  void EndElement() {
    if (capture_ != kNone) {
      if (capture_ == kId) {
        r_->last_id = std::strtoll(text_.c_str(), nullptr, 10);
        if (r_->first_id == 0) r_->first_id = r_->last_id;
      }
      if (capture_ == kReturnCode) r_->return_code = text_;
      if (capture_ == kMessage) r_->error = text_;
      capture_ = kNone;
      text_.clear();
    }
    if (depth_ == entity_depth_) entity_depth_ = -1;
    --depth_;
  }
  void Text(const char* p, size_t n) {
    if (capture_ != kNone) text_.append(p, n);
  }

  enum Capture { kNone, kId, kReturnCode, kMessage };
  PageResult* r_ = nullptr;
  int depth_ = 0, entity_depth_ = -1;
  Capture capture_ = kNone;
  std::string text_;
};

class PageParser : public PageReader {
 public:
  PageParser() {
    std::memset(&sax_, 0, sizeof sax_);
    sax_.initialized = XML_SAX2_MAGIC;
    sax_.startElementNs = &PageParser::Start;
    sax_.endElementNs = &PageParser::End;
    sax_.characters = &PageParser::OnText;
  }
  ~PageParser() override { FreeContext(); }

  void Begin(PageResult* r) override {
    FreeContext();
    Reset(r);
    ctx_ = xmlCreatePushParserCtxt(&sax_, this, nullptr, 0, nullptr);
    xmlCtxtUseOptions(ctx_, XML_PARSE_NONET | XML_PARSE_COMPACT);
  }
  bool Feed(const char* data, size_t n) override {
    return ctx_ && xmlParseChunk(ctx_, data, static_cast<int>(n), 0) == 0;
  }
  bool Finish() override {
    if (!ctx_) return false;
    bool ok = xmlParseChunk(ctx_, nullptr, 0, 1) == 0 && ctx_->wellFormed;
    FreeContext();
    if (!ok && r_->error.empty()) r_->error = "malformed XML answer";
    return ok;
  }

 private:
  void FreeContext() {
    if (ctx_) xmlFreeParserCtxt(ctx_);
    ctx_ = nullptr;
  }
  static void Start(void* self, const xmlChar* local, const xmlChar*, const xmlChar*, int,
                    const xmlChar**, int, int, const xmlChar**) {
    static_cast<PageParser*>(self)->StartElement(reinterpret_cast<const char*>(local));
  }
  static void End(void* self, const xmlChar*, const xmlChar*, const xmlChar*) {
    static_cast<PageParser*>(self)->EndElement();
  }
  static void OnText(void* self, const xmlChar* ch, int len) {
    static_cast<PageParser*>(self)->Text(reinterpret_cast<const char*>(ch),
                                         static_cast<size_t>(len));
  }

  xmlSAXHandler sax_;
  xmlParserCtxtPtr ctx_ = nullptr;
};

// The same reading done by a streaming tokenizer written for these answers: it splits the
// bytes into tags and text as they arrive (a tag cut between two reads is carried over), keeps
// the stack of open elements and checks that every end tag closes the element open at that
// level and that the document ends with its root closed. It relies on what the answers of an
// atws.asmx hold and a general XML parser must not assume: no comments, CDATA sections or DTD,
// and no '>' inside attribute values (the server escapes it). libxml2's SAX2 push parser reads
// about 140 MB/s here, which made the client, not the server, the limit of a sync
// (docs/performance.md); `--parser libxml2` measures with it.
class PageScanner : public PageReader {
 public:
  void Begin(PageResult* r) override {
    Reset(r);
    carry_.clear();
    closed_root_ = false;
    bad_ = false;
    names_.clear();
    starts_.clear();
  }
  bool Feed(const char* data, size_t n) override {
    if (bad_) return false;
    if (carry_.empty()) {
      size_t used = Scan(data, data + n);
      carry_.assign(data + used, n - used);
    } else {
      carry_.append(data, n);
      size_t used = Scan(carry_.data(), carry_.data() + carry_.size());
      carry_.erase(0, used);
    }
    return !bad_;
  }
  bool Finish() override {
    bool ok = !bad_ && carry_.empty() && depth_ == 0 && closed_root_;
    if (!ok && r_->error.empty()) r_->error = "malformed XML answer";
    return ok;
  }

 private:
  static std::string_view Local(std::string_view name) {
    size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
  }
  // Consumes whole tags and text from [p, end); returns how many bytes it used (an unfinished
  // tag at the end is left for the next read).
  size_t Scan(const char* begin, const char* end) {
    const char* p = begin;
    while (p < end && !bad_) {
      if (*p != '<') {
        const char* lt = static_cast<const char*>(std::memchr(p, '<', end - p));
        const char* stop = lt ? lt : end;
        Text(p, static_cast<size_t>(stop - p));
        p = stop;
        continue;
      }
      const char* gt = static_cast<const char*>(std::memchr(p, '>', end - p));
      if (!gt) break;
      std::string_view tag(p + 1, gt - p - 1);
      p = gt + 1;
      if (tag.empty()) {
        bad_ = true;
      } else if (tag[0] == '?') {
        if (depth_ != 0 || tag.back() != '?') bad_ = true;  // only the XML declaration
      } else if (tag[0] == '!') {
        bad_ = true;  // comments, CDATA and DOCTYPE are not in these answers
      } else if (tag[0] == '/') {
        End(tag.substr(1));
      } else {
        bool empty = tag.back() == '/';
        if (empty) tag.remove_suffix(1);
        size_t n = 0;
        while (n < tag.size() && tag[n] != ' ' && tag[n] != '\t' && tag[n] != '\r' &&
               tag[n] != '\n')
          ++n;
        Start(tag.substr(0, n));
        if (empty) End(tag.substr(0, n));
      }
    }
    return static_cast<size_t>(p - begin);
  }
  void Start(std::string_view name) {
    if (name.empty() || closed_root_) {
      bad_ = true;
      return;
    }
    starts_.push_back(static_cast<uint32_t>(names_.size()));
    names_.append(name.data(), name.size());
    StartElement(Local(name));
  }
  void End(std::string_view name) {
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '\r' ||
                             name.back() == '\n'))
      name.remove_suffix(1);
    if (starts_.empty()) {
      bad_ = true;
      return;
    }
    size_t at = starts_.back();
    if (names_.size() - at != name.size() ||
        std::memcmp(names_.data() + at, name.data(), name.size()) != 0) {
      bad_ = true;
      return;
    }
    names_.resize(at);
    starts_.pop_back();
    EndElement();
    if (depth_ == 0) closed_root_ = true;
  }

  std::string carry_;
  std::string names_;             // the open elements' names, one after the other
  std::vector<uint32_t> starts_;  // where each open element's name starts in names_
  bool closed_root_ = false, bad_ = false;
};

size_t FeedParser(char* data, size_t size, size_t n, void* user) {
  auto* p = static_cast<PageReader*>(user);
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

// The headers of a SOAP call of operation `op` (the caller frees them).
curl_slist* SoapHeaders(const std::string& op) {
  curl_slist* h = curl_slist_append(nullptr, "Content-Type: text/xml; charset=utf-8");
  return curl_slist_append(h, ("SOAPAction: \"http://autotask.net/ATWS/v1_6/" + op + "\"").c_str());
}

// One call with the handle's settings: answered with HTTP 200 and a body holding every one of
// `needles`.
bool AnswersWith(CURL* curl, std::string* body, std::initializer_list<const char*> needles) {
  body->clear();
  long code = 0;
  if (curl_easy_perform(curl) != CURLE_OK ||
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code != 200)
    return false;
  for (const char* n : needles)
    if (body->find(n) == std::string::npos) return false;
  return true;
}

// Who calls where: --url, --user, --password and --code (sync and probe).
struct Caller {
  std::string url, user, password = "sandbox", code = "SANDBOX-INTEGRATION";
};

// True when `a` is one of Caller's options (its value taken with `next`).
template <class Next>
bool CallerOption(const std::string& a, Next next, Caller* c) {
  if (a == "--url")
    c->url = next();
  else if (a == "--user")
    c->user = next();
  else if (a == "--password")
    c->password = next();
  else if (a == "--code")
    c->code = next();
  else
    return false;
  return true;
}

int Sync(int argc, char** argv) {
  Caller caller;
  caller.user = "api@contoso.example";
  std::string &url = caller.url, &user = caller.user, &password = caller.password,
              &code = caller.code;
  std::string entity = "Ticket", parser_name = "scan";
  long long max_pages = 0, last_start = 0;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (CallerOption(a, next, &caller))
      continue;
    else if (a == "--entity")
      entity = next();
    else if (a == "--after")
      last_start = std::atoll(next().c_str());
    else if (a == "--max-pages")
      max_pages = std::atoll(next().c_str());
    else if (a == "--parser")
      parser_name = next();
    else {
      std::fprintf(stderr, "atws-bench sync: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  if (url.empty()) {
    std::fprintf(stderr, "atws-bench sync: --url is required\n");
    return 2;
  }
  if (parser_name != "scan" && parser_name != "libxml2") {
    std::fprintf(stderr, "atws-bench sync: --parser is scan or libxml2\n");
    return 2;
  }
  CURL* curl = curl_easy_init();
  std::string request;
  std::unique_ptr<PageReader> reader;
  if (parser_name == "scan")
    reader = std::make_unique<PageScanner>();
  else
    reader = std::make_unique<PageParser>();
  PageReader& parser = *reader;
  curl_slist* headers = curl_slist_append(SoapHeaders("query"), "Expect:");
  std::string userpwd = user + ":" + password;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, FeedParser);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &parser);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  // Reads of up to 512 KB (libcurl's largest; 16 KB by default): a 1 MB page in a few reads.
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024);

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
  std::string path = "/atservices/1.6/atws.asmx", query_path;
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
    else if (a == "--query")
      query_path = next();
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
  curl_slist* headers = SoapHeaders("getZoneInfo");
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
    if (AnswersWith(curl, &body, {"getZoneInfoResult"})) {
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
  // --query: then the time until a 500-row Ticket page of the default user is answered (its
  // tenant's data loaded), on the zone endpoint at query_path.
  double query_ms = -1;
  const bool zone_ok = ok;
  if (ok && !query_path.empty()) {
    std::string qurl = "http://127.0.0.1:" + std::to_string(port) + query_path;
    std::string qreq = QueryEnvelope("SANDBOX-INTEGRATION", "Ticket", 0);
    curl_slist* qh = SoapHeaders("query");
    curl_easy_setopt(curl, CURLOPT_URL, qurl.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, qh);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, qreq.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, "api@contoso.example:sandbox");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    while (Clock::now() - t0 < std::chrono::duration<double>(timeout_s)) {
      if (AnswersWith(curl, &body, {"<ReturnCode>1</ReturnCode>", "<Entity "})) {
        query_ms = Ms(Clock::now() - t0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    curl_slist_free_all(qh);
    if (query_ms < 0) ok = false;
  }
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
    std::fprintf(stderr, "atws-bench ready: no %s answer within %.0f s\n",
                 zone_ok ? "query" : "getZoneInfo", timeout_s);
    return 1;
  }
  if (query_ms >= 0)
    std::printf("%.1f %.1f\n", ms, query_ms);
  else
    std::printf("%.1f\n", ms);
  return 0;
}

struct Latencies {
  std::vector<double> ms;
  double Quantile(double q) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    size_t i = static_cast<size_t>(q * static_cast<double>(ms.size() - 1) + 0.5);
    return ms[std::min(i, ms.size() - 1)];
  }
};

int Probe(int argc, char** argv) {
  Caller caller;
  caller.user = "api@beispiel.example";
  std::string &url = caller.url, &user = caller.user, &password = caller.password,
              &code = caller.code;
  long long id = 10251;
  double seconds = 48, phase_s = 4, settle_s = 1, pace_ms = 1;
  long load_pid = 0;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (CallerOption(a, next, &caller))
      continue;
    else if (a == "--id")
      id = std::atoll(next().c_str());
    else if (a == "--load-pid")
      load_pid = std::atol(next().c_str());
    else if (a == "--seconds")
      seconds = std::atof(next().c_str());
    else if (a == "--phase")
      phase_s = std::atof(next().c_str());
    else if (a == "--settle")
      settle_s = std::atof(next().c_str());
    else if (a == "--pace-ms")
      pace_ms = std::atof(next().c_str());
    else {
      std::fprintf(stderr, "atws-bench probe: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  if (url.empty() || load_pid <= 0 || phase_s <= settle_s || seconds < 2 * phase_s) {
    std::fprintf(stderr,
                 "atws-bench probe: --url and --load-pid wanted; --phase must exceed --settle "
                 "and --seconds hold two phases\n");
    return 2;
  }
  const pid_t load = static_cast<pid_t>(load_pid);
  std::string request = std::string(kEnvelopeHead) +
                        "<soap:Header><AutotaskIntegrations "
                        "xmlns=\"http://autotask.net/ATWS/v1_6/\"><IntegrationCode>" +
                        code +
                        "</IntegrationCode></AutotaskIntegrations></soap:Header><soap:Body><query "
                        "xmlns=\"http://autotask.net/ATWS/v1_6/\"><sXML>&lt;queryxml&gt;&lt;"
                        "entity&gt;Ticket&lt;/entity&gt;&lt;query&gt;&lt;field&gt;id&lt;"
                        "expression op=\"Equals\"&gt;" +
                        std::to_string(id) +
                        "&lt;/expression&gt;&lt;/field&gt;&lt;/query&gt;&lt;/queryxml&gt;</sXML>"
                        "</query></soap:Body></soap:Envelope>";
  CURL* curl = curl_easy_init();
  std::string body;
  curl_slist* headers = SoapHeaders("query");
  std::string userpwd = user + ":" + password;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);

  // The first call opens the connection; not counted.
  if (!AnswersWith(curl, &body, {"<ReturnCode>1</ReturnCode>", "<Entity"})) {
    std::fprintf(stderr, "atws-bench probe: the query is not answered with a row\n");
    return 1;
  }
  Latencies alone, loaded;
  long long failed = 0;
  int phases = 0;
  bool running = true;  // the load's state
  auto set_load = [&](bool run) {
    if (kill(load, run ? SIGCONT : SIGSTOP) != 0) return false;
    running = run;
    return true;
  };
  const auto t0 = Clock::now();
  const auto pace = std::chrono::duration<double, std::milli>(pace_ms);
  bool ok = true;
  for (;;) {
    double t = std::chrono::duration<double>(Clock::now() - t0).count();
    if (t >= seconds) break;
    int k = static_cast<int>(t / phase_s);
    bool want_run = k % 2 == 1;  // even phases: load paused
    if (want_run != running || phases == 0) {
      if (!set_load(want_run)) {
        std::fprintf(stderr, "atws-bench probe: the load (pid %d) is gone\n", load);
        ok = false;
        break;
      }
      phases = k + 1;
    }
    bool counted = t - k * phase_s >= settle_s;
    auto s = Clock::now();
    bool good = AnswersWith(curl, &body, {"<ReturnCode>1</ReturnCode>", "<Entity"});
    double ms = Ms(Clock::now() - s);
    if (!good) ++failed;
    if (counted && good) (running ? loaded : alone).ms.push_back(ms);
    if (pace_ms > 0) std::this_thread::sleep_for(pace);
  }
  if (!running) set_load(true);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (!ok) return 1;
  if (failed > 0 || alone.ms.empty() || loaded.ms.empty()) {
    std::fprintf(stderr, "atws-bench probe: %lld calls failed (alone %zu, loaded %zu counted)\n",
                 failed, alone.ms.size(), loaded.ms.size());
    return 1;
  }
  double a99 = alone.Quantile(0.99), l99 = loaded.Quantile(0.99);
  std::printf(
      "{\"phases\": %d, \"alone\": {\"calls\": %zu, \"p50_ms\": %.3f, \"p90_ms\": %.3f, "
      "\"p99_ms\": %.3f}, \"loaded\": {\"calls\": %zu, \"p50_ms\": %.3f, \"p90_ms\": %.3f, "
      "\"p99_ms\": %.3f}, \"p99_change_pct\": %.1f}\n",
      phases, alone.ms.size(), alone.Quantile(0.5), alone.Quantile(0.9), a99, loaded.ms.size(),
      loaded.Quantile(0.5), loaded.Quantile(0.9), l99, (l99 - a99) / a99 * 100);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  xmlInitParser();
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "sync") return Sync(argc - 2, argv + 2);
  if (mode == "ready") return Ready(argc - 2, argv + 2);
  if (mode == "probe") return Probe(argc - 2, argv + 2);
  std::fprintf(stderr,
               "usage: atws-bench sync --url ZONE_URL [--user U --password P --code C "
               "--entity E --after ID --max-pages N --parser scan|libxml2]\n"
               "       atws-bench ready --port PORT [--path P] [--timeout S] [--query PATH] -- "
               "COMMAND ARGS...\n"
               "       atws-bench probe --url ZONE_URL --load-pid PID [--user U --password P "
               "--code C --id N --seconds S --phase S --settle S --pace-ms MS]\n");
  return 2;
}
