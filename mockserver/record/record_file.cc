// The recording file: writing exchanges as readable XML (CDATA bodies), reading them back,
// scrubbing credentials, and the thread-safe appender.
#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "common/text.h"
#include "record/http_util.h"
#include "record/record.h"
#include "xml/xml.h"

namespace atws::record {

using http_util::NowIso;

namespace {

constexpr std::string_view kClosing = "</recording>\n";

// Text for a double-quoted attribute value: & < > " escaped, and tab, line feed and carriage
// return as character references (attribute-value normalisation would turn them into spaces).
void AppendAttr(std::string* out, std::string_view name, std::string_view value) {
  *out += ' ';
  out->append(name);
  *out += "=\"";
  for (char c : value) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\t':
        *out += "&#9;";
        break;
      case '\n':
        *out += "&#10;";
        break;
      case '\r':
        *out += "&#13;";
        break;
      default:
        *out += c;
    }
  }
  *out += '"';
}

void AppendOptAttr(std::string* out, std::string_view name, std::string_view value) {
  if (!value.empty()) AppendAttr(out, name, value);
}

// True when every character of valid UTF-8 `s` may appear in XML 1.0 character data (CR is
// allowed here: AppendCdata writes it as a character reference).
bool XmlChars(std::string_view s) {
  if (!IsValidUtf8(s)) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters.
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(s[i + 2]) == 0xBE ||
         static_cast<unsigned char>(s[i + 2]) == 0xBF))
      return false;
  }
  return true;
}

void AppendBody(std::string* out, std::string_view body, std::string_view indent) {
  out->append(indent);
  if (body.empty()) {
    *out += "<body/>\n";
    return;
  }
  std::string cdata;
  if (AppendCdata(&cdata, body)) {
    *out += "<body>";
    *out += cdata;
  } else {
    *out += "<body encoding=\"base64\">";
    *out += Base64Encode(body);
  }
  *out += "</body>\n";
}

using xml::Node;

std::string Attr(Node n, std::string_view name) {
  std::string v;
  (void)n.AttributeValue(name, &v);
  return v;
}

bool WhitespaceOnly(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n') return false;
  return true;
}

// The text of a <body> element: CDATA sections and text (the character references between
// them), without the indentation a person may have put around the sections when editing.
bool BodyText(Node body, std::string* out, std::string* error) {
  out->clear();
  if (!body) return true;
  std::string enc = Attr(body, "encoding");
  if (AsciiIEquals(enc, "base64")) {
    if (!Base64Decode(body.DeepText(), out)) {
      *error = "a base64 body is not valid base64";
      return false;
    }
    return true;
  }
  if (!enc.empty()) {
    *error = fmt::format("unknown body encoding '{}' (only base64 is known)", enc);
    return false;
  }
  bool has_cdata = false;
  for (Node c = body.FirstChild(); c; c = c.Next())
    if (c.IsCData()) has_cdata = true;
  for (Node c = body.FirstChild(); c; c = c.Next()) {
    std::string_view t = c.Content();  // text and CDATA only
    if (c.IsCData() || (c.IsText() && !(has_cdata && WhitespaceOnly(t)))) out->append(t);
  }
  return true;
}

bool ParseLong(const std::string& s, long long* out) { return ParseInt64(s, out); }

// Where the closing tag of a recording starts (or, when it is missing, where it belongs: after
// the last complete exchange, else after the <recording> start tag). npos: not a recording.
size_t TailOffset(std::string_view text) {
  size_t pos = text.rfind("</recording>");
  if (pos != std::string_view::npos) return pos;
  pos = text.rfind("</exchange>");
  if (pos != std::string_view::npos) {
    pos += std::strlen("</exchange>");
    if (pos < text.size() && text[pos] == '\n') ++pos;
    return pos;
  }
  size_t start = text.find("<recording");
  if (start == std::string_view::npos) return std::string_view::npos;
  size_t gt = text.find('>', start);
  if (gt == std::string_view::npos || text[gt - 1] == '/') return std::string_view::npos;
  ++gt;
  if (gt < text.size() && text[gt] == '\n') ++gt;
  return gt;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

bool AppendCdata(std::string* out, std::string_view text) {
  if (!XmlChars(text)) return false;
  out->reserve(out->size() + text.size() + 12);
  *out += "<![CDATA[";
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "]]>") == 0) {
      // "]]" ends this section, ">" starts the next one.
      *out += "]]]]><![CDATA[>";
      i += 3;
    } else if (text[i] == '\r') {
      *out += "]]>";
      while (i < text.size() && text[i] == '\r') {
        *out += "&#13;";
        ++i;
      }
      *out += "<![CDATA[";
    } else {
      *out += text[i++];
    }
  }
  *out += "]]>";
  return true;
}

std::string ExchangeXml(const Exchange& e) {
  std::string out;
  out.reserve(e.request_body.size() + e.response_body.size() + 512);
  out += "  <exchange";
  AppendAttr(&out, "seq", std::to_string(e.seq));
  AppendOptAttr(&out, "time", e.time);
  out += ">\n    <request";
  AppendAttr(&out, "method", e.method);
  AppendAttr(&out, "path", e.path);
  AppendOptAttr(&out, "query", e.query);
  AppendOptAttr(&out, "soapaction", e.soap_action);
  AppendOptAttr(&out, "content-type", e.content_type);
  AppendOptAttr(&out, "user", e.user);
  AppendOptAttr(&out, "operation", e.operation);
  if (e.request_body.empty()) {
    out += "/>\n";
  } else {
    out += ">\n";
    AppendBody(&out, e.request_body, "      ");
    out += "    </request>\n";
  }
  out += "    <response";
  AppendAttr(&out, "status", std::to_string(e.status));
  AppendOptAttr(&out, "content-type", e.response_content_type);
  AppendOptAttr(&out, "www-authenticate", e.www_authenticate);
  if (e.elapsed_ms >= 0) AppendAttr(&out, "elapsed-ms", std::to_string(e.elapsed_ms));
  out += ">\n";
  AppendBody(&out, e.response_body, "      ");
  out += "    </response>\n  </exchange>\n";
  return out;
}

bool ParseRecording(std::string_view text, std::vector<Exchange>* out, std::string* error,
                    std::string* warning) {
  out->clear();
  if (warning) warning->clear();
  xml::ParseOptions limits;
  limits.max_bytes = size_t{1} << 30;
  limits.max_depth = 16;
  Result<xml::Document> doc = xml::Document::Parse(text, limits);
  if (!doc.ok() && text.find("</recording>") == std::string_view::npos) {
    // A recorder that stopped in the middle of an append: keep the complete exchanges.
    size_t cut = TailOffset(text);
    if (cut != std::string_view::npos) {
      std::string repaired(text.substr(0, cut));
      repaired += kClosing;
      Result<xml::Document> second = xml::Document::Parse(repaired, limits);
      if (second.ok()) {
        doc = std::move(second);
        if (warning)
          *warning =
              "the recording has no closing </recording> (the recorder stopped while writing?); "
              "read up to its last complete exchange";
      }
    }
  }
  if (!doc.ok()) return doc.status().Into(error);
  const Node root = doc->Root();
  if (root.LocalName() != "recording") {
    *error = fmt::format("the root element is <{}>, not <recording>", root.LocalName());
    return false;
  }
  std::string version = Attr(root, "version");
  if (!version.empty() && version != "1") {
    *error =
        fmt::format("recording version {} is not supported (this mock reads version 1)", version);
    return false;
  }
  long long index = 0;
  for (Node x = root.FirstElement(); x; x = x.NextElement()) {
    ++index;
    if (x.LocalName() != "exchange") {
      *error =
          fmt::format("element {} of <recording> is <{}>, not <exchange>", index, x.LocalName());
      return false;
    }
    Exchange e;
    std::string seq = Attr(x, "seq");
    if (seq.empty()) {
      e.seq = index;
    } else if (!ParseLong(seq, &e.seq)) {
      *error = fmt::format("exchange {}: seq=\"{}\" is not a number", index, seq);
      return false;
    }
    e.time = Attr(x, "time");
    const Node rq = x.FirstElement("request");
    const Node rs = x.FirstElement("response");
    if (!rq || !rs) {
      *error = fmt::format("exchange {} has no <{}>", e.seq, rq ? "response" : "request");
      return false;
    }
    e.method = Attr(rq, "method");
    for (char& c : e.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (e.method.empty()) e.method = "POST";
    e.path = Attr(rq, "path");
    if (e.path.empty() || e.path[0] != '/') {
      *error = fmt::format("exchange {}: the request's path must start with '/'", e.seq);
      return false;
    }
    e.query = Attr(rq, "query");
    e.soap_action = Attr(rq, "soapaction");
    e.content_type = Attr(rq, "content-type");
    e.user = Attr(rq, "user");
    e.operation = Attr(rq, "operation");
    std::string berr;
    if (!BodyText(rq.FirstElement("body"), &e.request_body, &berr)) {
      *error = fmt::format("exchange {}: request: {}", e.seq, berr);
      return false;
    }
    std::string status = Attr(rs, "status");
    long long st = 0;
    if (!ParseLong(status, &st) || st < 100 || st > 999) {
      *error = fmt::format("exchange {}: the response's status \"{}\" is not an HTTP status", e.seq,
                           status);
      return false;
    }
    e.status = static_cast<int>(st);
    e.response_content_type = Attr(rs, "content-type");
    e.www_authenticate = Attr(rs, "www-authenticate");
    std::string ms = Attr(rs, "elapsed-ms");
    if (!ms.empty() && !ParseLong(ms, &e.elapsed_ms)) e.elapsed_ms = -1;
    if (!BodyText(rs.FirstElement("body"), &e.response_body, &berr)) {
      *error = fmt::format("exchange {}: response: {}", e.seq, berr);
      return false;
    }
    out->push_back(std::move(e));
  }
  return true;
}

bool LoadRecording(const std::string& file, std::vector<Exchange>* out, std::string* error,
                   std::string* warning) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    *error = fmt::format("cannot read {}: {}", file, std::strerror(errno));
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string err;
  if (!ParseRecording(ss.str(), out, &err, warning)) {
    *error = fmt::format("{} is not a readable recording: {}", file, err);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------

std::string ScrubIntegrationCodes(std::string_view body) {
  constexpr std::string_view kName = "IntegrationCode";
  std::string out;
  out.reserve(body.size());
  size_t i = 0;
  while (i < body.size()) {
    size_t lt = body.find('<', i);
    if (lt == std::string_view::npos) break;
    // A start tag's qualified name.
    size_t n = lt + 1;
    while (n < body.size() && !std::isspace(static_cast<unsigned char>(body[n])) &&
           body[n] != '>' && body[n] != '/')
      ++n;
    std::string_view qname = body.substr(lt + 1, n - lt - 1);
    size_t colon = qname.rfind(':');
    std::string_view local = colon == std::string_view::npos ? qname : qname.substr(colon + 1);
    if (qname.empty() || !AsciiIEquals(local, kName)) {
      out.append(body.substr(i, n - i));
      i = n;
      continue;
    }
    // End of the start tag (attribute values may hold '>').
    size_t gt = n;
    char quote = 0;
    for (; gt < body.size(); ++gt) {
      char c = body[gt];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        break;
      }
    }
    if (gt >= body.size()) {  // unterminated: nothing after it can be trusted to be harmless
      out.append(body.substr(i, n - i));
      out += " ***";
      return out;
    }
    out.append(body.substr(i, gt + 1 - i));
    if (body[gt - 1] == '/') {  // <IntegrationCode/>
      i = gt + 1;
      continue;
    }
    std::string close = "</" + std::string(qname);
    size_t end = body.find(close, gt + 1);
    std::string_view content =
        body.substr(gt + 1, end == std::string_view::npos ? std::string_view::npos : end - gt - 1);
    if (!Trim(content).empty()) {
      out += "***";
    } else {
      out.append(content);
    }
    if (end == std::string_view::npos) return out;
    i = end;
  }
  if (i < body.size()) out.append(body.substr(i));
  return out;
}

std::string BasicAuthUser(std::string_view authorization) {
  std::string_view a = Trim(authorization);
  if (!AsciiIStartsWith(a, "basic ")) return "";
  std::string decoded;
  if (!Base64Decode(Trim(a.substr(6)), &decoded)) return "";
  size_t colon = decoded.find(':');
  return decoded.substr(0, colon);
}

std::string ScrubUrl(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = url.size();
  size_t at = url.substr(start, end - start).rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, start)) + std::string(url.substr(start + at + 1));
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<RecordFile> RecordFile::Open(const std::string& path, const std::string& upstream,
                                             std::string* error) {
  std::unique_ptr<RecordFile> f(new RecordFile());
  f->path_ = path;
  // Recordings hold customer data: readable by their owner only.
  f->fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (f->fd_ < 0) {
    *error = fmt::format("cannot open {}: {}", path, std::strerror(errno));
    return nullptr;
  }
  struct stat st {};
  if (fstat(f->fd_, &st) != 0) {
    *error = fmt::format("cannot stat {}: {}", path, std::strerror(errno));
    return nullptr;
  }
  if (st.st_size > 0) {
    std::string text(static_cast<size_t>(st.st_size), '\0');
    ssize_t got = pread(f->fd_, text.data(), text.size(), 0);
    if (got != static_cast<ssize_t>(text.size())) {
      *error = fmt::format("cannot read {}: {}", path, std::strerror(errno));
      return nullptr;
    }
    std::vector<Exchange> existing;
    std::string err;
    if (!ParseRecording(text, &existing, &err)) {
      *error = fmt::format("{} exists and is not a recording ({}); choose another file", path, err);
      return nullptr;
    }
    size_t tail = TailOffset(text);
    if (tail == std::string::npos) {
      *error = fmt::format("{}: cannot find where to append (a self-closing <recording/>?)", path);
      return nullptr;
    }
    for (const auto& e : existing)
      if (e.seq > f->last_seq_) f->last_seq_ = e.seq;
    f->offset_ = static_cast<long long>(tail);
    // Put the closing tag back at once (the file may have lost it).
    if (pwrite(f->fd_, kClosing.data(), kClosing.size(), f->offset_) !=
            static_cast<ssize_t>(kClosing.size()) ||
        ftruncate(f->fd_, f->offset_ + static_cast<off_t>(kClosing.size())) != 0) {
      *error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
      return nullptr;
    }
    return f;
  }
  std::string head =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!-- ATWS Sandbox recording: see docs/record-replay.md. Passwords and integration\n"
      "     codes are not recorded. A person may read and edit it. -->\n"
      "<recording";
  AppendAttr(&head, "version", "1");
  AppendOptAttr(&head, "upstream", ScrubUrl(upstream));
  AppendAttr(&head, "created", NowIso());
  head += ">\n";
  f->offset_ = static_cast<long long>(head.size());
  head += kClosing;
  if (pwrite(f->fd_, head.data(), head.size(), 0) != static_cast<ssize_t>(head.size())) {
    *error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
    return nullptr;
  }
  fdatasync(f->fd_);
  return f;
}

RecordFile::~RecordFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool RecordFile::Append(Exchange& e, std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  e.seq = last_seq_ + 1;
  if (e.time.empty()) e.time = NowIso();
  std::string text = ExchangeXml(e);
  size_t ex_size = text.size();
  text += kClosing;
  // One write holding the exchange and the closing tag, over the previous closing tag: after
  // it the file is complete again.
  size_t done = 0;
  while (done < text.size()) {
    ssize_t w =
        pwrite(fd_, text.data() + done, text.size() - done, offset_ + static_cast<off_t>(done));
    if (w < 0) {
      if (errno == EINTR) continue;
      *error = fmt::format("cannot write {}: {}", path_, std::strerror(errno));
      return false;
    }
    done += static_cast<size_t>(w);
  }
  offset_ += static_cast<long long>(ex_size);
  if (ftruncate(fd_, offset_ + static_cast<off_t>(kClosing.size())) != 0) {
    *error = fmt::format("cannot truncate {}: {}", path_, std::strerror(errno));
    return false;
  }
  fdatasync(fd_);
  last_seq_ = e.seq;
  ++appended_;
  return true;
}

size_t RecordFile::appended() const {
  std::lock_guard<std::mutex> lock(mu_);
  return appended_;
}

}  // namespace atws::record
