// Record and replay (docs/record-replay.md).
//
//   Recorder: forwards every request to an upstream endpoint (libcurl, HTTP or HTTPS), answers
//             the client with the upstream's answer unchanged, and appends the exchange to a
//             recording with credentials and integration codes scrubbed.
//   Replayer: serves a recording: a request gets the answer of the recorded exchange it matches
//             (method, path, operation and the normalised body); requests that match none are
//             answered with a SOAP fault and kept as near misses.
//
// Both stand where service::Service::Handle stands: the http layer calls their Handle instead
// (http::ServerOptions::handler). /__admin/record and /__admin/replay/* are theirs; other
// /__admin/ requests go to an optional fallback (the local mock's admin API).
//
// A recording is a plain XML document:
//   <recording version="1"><exchange seq="1" time="…"><request method="POST" path="…"
//   soapaction="…" user="…" operation="query"><body><![CDATA[…]]></body></request>
//   <response status="200" content-type="…"><body><![CDATA[…]]></body></response></exchange>
//   …</recording>
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "service/service.h"

namespace atws::record {

using Handler = std::function<service::HttpResponse(const service::HttpRequest&)>;

// ---------------------------------------------------------------------------------------------
// The file format.

struct Exchange {
  long long seq = 0;
  std::string time;  // ISO 8601 UTC with milliseconds, when the request arrived
  // Request.
  std::string method = "POST";
  std::string path;   // as the client sent it, without the query string
  std::string query;  // raw query string without '?' ("WSDL"); empty when none
  std::string soap_action, content_type;
  std::string user;       // the HTTP Basic user name (never the password); empty when none
  std::string operation;  // the SOAP body element's local name; empty for GETs
  std::string request_body;
  // Response.
  int status = 0;
  std::string response_content_type, www_authenticate;
  std::string response_body;
  long long elapsed_ms = -1;  // upstream round trip; -1 = not recorded
};

// Appends `text` as the content of an XML element: one CDATA section, split where the text
// holds "]]>" ("]]]]><![CDATA[>") and around carriage returns (written as &#13;, which XML
// line-end normalisation would otherwise turn into line feeds). Returns false, appending
// nothing, when the text cannot be written as XML 1.0 character data (invalid UTF-8, control
// characters); the caller then writes it as base64.
bool AppendCdata(std::string* out, std::string_view text);
// The <exchange> element of `e`, indented, ending in a newline.
std::string ExchangeXml(const Exchange& e);
// Parses a recording. Tolerates a missing </recording> (a recorder that died): the text is cut
// after the last complete </exchange>; *warning (optional) then says so.
bool ParseRecording(std::string_view text, std::vector<Exchange>* out, std::string* error,
                    std::string* warning = nullptr);
bool LoadRecording(const std::string& file, std::vector<Exchange>* out, std::string* error,
                   std::string* warning = nullptr);

// ---------------------------------------------------------------------------------------------
// Scrubbing.

// `body` with the content of every <IntegrationCode> element (any prefix) replaced by "***".
std::string ScrubIntegrationCodes(std::string_view body);
// The user name of an "Authorization: Basic …" header; empty for anything else.
std::string BasicAuthUser(std::string_view authorization);
// `url` without user information ("https://u:p@host/x" -> "https://host/x").
std::string ScrubUrl(std::string_view url);

// A query string as the client most likely wrote it: parameters without a value lose the "="
// that the HTTP library adds when it rebuilds the query ("WSDL=" -> "WSDL").
std::string CleanQuery(std::string_view query);
// The key a query string is matched by: parameters in ASCII lower case, without "=" when they
// have no value, sorted ("WSDL=" and "wsdl" match).
std::string QueryKey(std::string_view query);

// ---------------------------------------------------------------------------------------------
// Normalisation and comparison of request bodies.

// One element of a normalised body: its path of local names from the root, its relevant
// attributes ("name=\"value\"" sorted, space separated) and its text.
struct Item {
  std::string path, attrs, text;
  bool operator==(const Item& o) const {
    return path == o.path && attrs == o.attrs && text == o.text;
  }
  bool operator!=(const Item& o) const { return !(*this == o); }
};

struct Normalised {
  bool xml = false;         // the body parsed as XML (else items holds the raw text)
  std::string operation;    // the first element of the SOAP Body
  std::vector<Item> items;  // in document order
};

// Parses `body` with the hardened parser and lists its elements by local name (prefixes and
// namespaces ignored), leaving out whitespace between elements, namespace declarations, SOAP
// encoding attributes, xsi:type naming XML Schema types, empty SOAP headers and the content of
// IntegrationCode (compared as "***"). The text of sXML is parsed as QueryXML and listed the
// same way (names and attribute values in ASCII lower case, as the API reads them).
Normalised Normalise(std::string_view body);
// 0..1: how much of the two bodies' items are the same (Dice coefficient over the multisets).
double Similarity(const Normalised& a, const Normalised& b);
// The first difference in words ("at query/sXML/queryxml/query/field/expression the request has
// \"5\" where the recording has \"0\""); empty when the item lists are the same.
std::string FirstDifference(const Normalised& request, const Normalised& recorded);

// ---------------------------------------------------------------------------------------------
// URL rewriting (--rewrite-urls).

// A path prefix that the recorder forwards to another origin than the upstream's, learnt from a
// rewritten answer: "/webservices5" → "https://webservices5.autotask.net".
struct UrlRoute {
  std::string prefix, origin;
};

// Makes the URLs an answer hands out point at the mock: getZoneInfo's URL and WebUrl, a WSDL's
// soap:address location. A URL on the upstream's origin keeps its path (less the upstream's base
// path); a URL on a zone host (webservicesN.… or wwN.…) becomes /webservicesN/… or /wwN/… on the
// mock, and its route is reported; with any_origin (replay), a URL on any other origin keeps its
// path on the mock. Other URLs stay as they are.
struct UrlRewriter {
  std::string mock_base;    // scheme://host[:port] of the mock as the client reached it
  std::string upstream;     // the recorder's upstream base URL
  bool any_origin = false;  // replay: every http(s) URL
  // Rewrites `body` in place; returns how many URLs changed. *routes (optional) gets the zone
  // hosts met.
  int Rewrite(std::string* body, std::vector<UrlRoute>* routes) const;
};

// scheme://host of the mock for the client of `req` (the Host it used), or `public_url`.
std::string MockBase(const std::string& public_url, const service::HttpRequest& req);

// Who may use /__admin/record and /__admin/replay (the same rules as the mock's admin API).
struct AdminAccess {
  std::string token;    // when set: "Authorization: Bearer <token>"
  bool remote = false;  // answer non-loopback peers too
};

// ---------------------------------------------------------------------------------------------
// Recording.

// Appends exchanges to a recording file, thread-safe. Each append writes the exchange and the
// closing </recording> in one write at the end of the previous exchange, then syncs, so the
// file is a complete document after every exchange.
class RecordFile {
 public:
  // Creates the file, or continues an existing recording (new exchanges are appended after its
  // last one, numbered on). False + *error when it cannot be opened or is not a recording.
  static std::unique_ptr<RecordFile> Open(const std::string& path, const std::string& upstream,
                                          std::string* error);
  ~RecordFile();
  // Sets e.seq and appends. False + *error when the write fails.
  bool Append(Exchange& e, std::string* error);
  size_t appended() const;
  const std::string& path() const { return path_; }

 private:
  RecordFile() = default;
  mutable std::mutex mu_;
  std::string path_;
  int fd_ = -1;
  long long offset_ = 0;  // where the closing tag starts
  long long last_seq_ = 0;
  size_t appended_ = 0;
};

struct RecorderOptions {
  std::string file;
  std::string upstream;  // http:// or https:// base URL; the client's path is appended
  long timeout_s = 60;
  AdminAccess admin;
  Handler admin_fallback;  // other /__admin/ requests (may be empty: 404)
  bool log = true;         // upstream failures to stderr
  // --rewrite-urls: URLs in answers point at the recorder (UrlRewriter); what the client gets
  // is what is recorded. public_url overrides the client's Host as the recorder's address.
  bool rewrite_urls = false;
  std::string public_url;
};

class Recorder {
 public:
  static std::unique_ptr<Recorder> Create(RecorderOptions opt, std::string* error);
  ~Recorder();
  service::HttpResponse Handle(const service::HttpRequest& req);
  // "record: N exchanges appended to FILE (F upstream failures)"
  std::string Summary() const;
  size_t recorded() const { return file_->appended(); }

 private:
  explicit Recorder(RecorderOptions opt) : opt_(std::move(opt)) {}
  service::HttpResponse HandleAdmin(const service::HttpRequest& req);
  RecorderOptions opt_;
  std::unique_ptr<RecordFile> file_;
  mutable std::mutex mu_;
  size_t failures_ = 0;
  std::vector<UrlRoute> routes_;  // learnt by --rewrite-urls (guarded by mu_)
};

// ---------------------------------------------------------------------------------------------
// Replay.

struct NearMiss {
  long long seq = 0;  // 1, 2 … in arrival order
  std::string time;
  std::string method, path, query, operation, user;
  std::string body;       // scrubbed, at most 16 KiB
  long long nearest = 0;  // the nearest exchange's seq; 0 when the recording is empty
  std::string nearest_operation, nearest_path;
  double score = 0;
  std::string difference;
};

struct ReplayerOptions {
  std::string file;
  AdminAccess admin;
  Handler admin_fallback;
  bool log = true;                // near misses to stderr
  size_t max_near_misses = 1000;  // the oldest are dropped beyond this
  // --rewrite-urls: URLs in the recorded answers point at the replayer (UrlRewriter with
  // any_origin), so that a client following getZoneInfo stays on the replay.
  bool rewrite_urls = false;
  std::string public_url;
};

class Replayer {
 public:
  static std::unique_ptr<Replayer> Create(ReplayerOptions opt, std::string* error);
  // From exchanges in memory (tests); opt.file is only shown.
  static std::unique_ptr<Replayer> FromExchanges(ReplayerOptions opt,
                                                 std::vector<Exchange> exchanges);
  service::HttpResponse Handle(const service::HttpRequest& req);

  std::vector<NearMiss> NearMisses() const;
  size_t requests() const;
  size_t matched() const;
  size_t near_misses() const;  // all of them, including those dropped from the list
  size_t exchanges() const { return recorded_.size(); }
  // Back to the start: every exchange unserved, counters and near misses cleared.
  void Rewind();
  // "replay: N requests, M matched, K near misses"
  std::string Summary() const;

 private:
  struct Recorded {
    Exchange ex;
    Normalised norm;
    std::string path_key, query_key;  // ASCII lower case
    size_t served = 0;
  };
  explicit Replayer(ReplayerOptions opt) : opt_(std::move(opt)) {}
  service::HttpResponse HandleAdmin(const service::HttpRequest& req);
  ReplayerOptions opt_;
  std::vector<Recorded> recorded_;
  mutable std::mutex mu_;
  size_t requests_ = 0, matched_ = 0, missed_ = 0;
  std::vector<NearMiss> near_;
};

}  // namespace atws::record
