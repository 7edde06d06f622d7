// Normalised request bodies for replay matching: what a request asks, without what differs
// between two clients (or two runs of one client) asking the same thing.
#include <fmt/format.h>

#include <algorithm>

#include "common/text.h"
#include "record/record.h"
#include "xml/xml.h"

namespace atws::record {

namespace {

bool OneOf(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (v == s) return true;
  return false;
}

bool IsSoapNs(std::string_view ns) {
  return OneOf(
      ns, {"http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope",
           "http://schemas.xmlsoap.org/soap/encoding/", "http://www.w3.org/2003/05/soap-encoding"});
}

bool IsXsiNs(std::string_view ns) {
  return OneOf(
      ns, {"http://www.w3.org/2001/XMLSchema-instance", "http://www.w3.org/1999/XMLSchema-instance",
           "http://www.w3.org/2000/10/XMLSchema-instance"});
}

bool IsXsdNs(std::string_view ns) {
  return OneOf(ns, {"http://www.w3.org/2001/XMLSchema", "http://www.w3.org/1999/XMLSchema",
                    "http://www.w3.org/2000/10/XMLSchema"});
}

using xml::Node;

// The relevant attributes of `n`, sorted, as name="value" separated by spaces.
std::string Attributes(Node n, bool in_query) {
  std::vector<std::string> parts;
  for (xml::Attribute a = n.FirstAttribute(); a; a = a.Next()) {
    std::string_view ns = a.NamespaceUri();
    std::string name(a.LocalName());
    std::string value = a.Value();
    if (IsSoapNs(ns)) continue;  // encodingStyle, mustUnderstand, arrayType …
    if (IsXsiNs(ns)) {
      if (name == "type") {
        std::string_view v = Trim(value);
        size_t colon = v.find(':');
        std::string prefix(colon == std::string_view::npos ? "" : v.substr(0, colon));
        std::string_view local = colon == std::string_view::npos ? v : v.substr(colon + 1);
        std::string_view href = n.LookupNamespaceUri(prefix);
        if (IsXsdNs(href)) continue;  // xsd:string, xsd:int …: how a client encodes, not what
        parts.push_back(fmt::format("type=\"{}\"", local));
      } else if (name == "nil") {
        std::string v = AsciiLower(Trim(value));
        if (v == "true" || v == "1") parts.push_back("nil=\"true\"");
      }
      continue;
    }
    if (in_query) {
      name = AsciiLower(name);
      value = AsciiLower(Trim(value));
    }
    parts.push_back(fmt::format("{}=\"{}\"", name, value));
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ' ';
    out += p;
  }
  return out;
}

void Walk(Node n, const std::string& parent, bool in_query, int depth, std::vector<Item>* items) {
  std::string local(n.LocalName());
  if (in_query) local = AsciiLower(local);
  std::string path = parent.empty() ? local : parent + "/" + local;
  const Node first = n.FirstElement();
  // An empty SOAP header says nothing.
  if (!in_query && depth == 1 && local == "Header" && !first) return;
  Item it;
  it.path = path;
  it.attrs = Attributes(n, in_query);
  std::string text = n.DirectText();
  // Whitespace between elements does not count; a leaf's text counts as it is (in QueryXML
  // trimmed, except an expression's value, as the API reads it).
  if (first || (in_query && local != "expression"))
    it.text = std::string(Trim(text));
  else
    it.text = std::move(text);
  if (!in_query && AsciiIEquals(local, "IntegrationCode") && !Trim(it.text).empty())
    it.text = "***";  // scrubbed in recordings: any code matches
  if (!in_query && !first && AsciiIEquals(local, "sXML")) {
    Result<xml::Document> q = xml::Document::Parse(Trim(it.text));
    if (q.ok()) {
      it.text.clear();
      items->push_back(std::move(it));
      Walk(q->Root(), path, true, depth + 1, items);
      return;
    }
  }
  bool query_children = in_query || AsciiIEquals(local, "sXML");
  items->push_back(std::move(it));
  for (Node c = first; c; c = c.NextElement()) Walk(c, path, query_children, depth + 1, items);
}

// An item's path as shown to people: from the operation element (or Header) on.
std::string Shown(const std::string& path) {
  size_t slash = path.find('/');
  if (slash == std::string::npos) return path;
  std::string rest = path.substr(slash + 1);  // without the Envelope
  if (rest.rfind("Body/", 0) == 0) return rest.substr(5);
  return rest;
}

// `s` in double quotes for a message: at most `limit` characters, control characters and
// bytes that are not UTF-8 made visible, never cut inside a character.
std::string Quote(std::string_view s, size_t limit = 80) {
  std::string out = "\"";
  size_t chars = 0;
  for (size_t i = 0; i < s.size();) {
    if (chars++ == limit) {
      out += "…";
      break;
    }
    char c = s[i];
    size_t len = Utf8SequenceLength(s, i);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (len == 0 || static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    ++i;
  }
  return out + "\"";
}

std::string Describe(const Item& it) {
  std::string s = Shown(it.path);
  if (!it.attrs.empty()) s += " [" + it.attrs + "]";
  if (!it.text.empty()) s += " = " + Quote(it.text);
  return s;
}

std::string RawDifference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  size_t from = i > 20 ? i - 20 : 0;
  while (from > 0 && (static_cast<unsigned char>(a[from]) & 0xC0) == 0x80) --from;
  return fmt::format(
      "the request body differs from the recording's at byte {}: {} where the recording has {}",
      i + 1, Quote(std::string_view(a).substr(from), 60),
      Quote(std::string_view(b).substr(from), 60));
}

}  // namespace

Normalised Normalise(std::string_view body) {
  Normalised out;
  if (Trim(body).empty()) {
    out.xml = true;
    return out;
  }
  Result<xml::Document> doc = xml::Document::Parse(body);
  if (!doc.ok()) {
    out.items.push_back(Item{"(body)", "", std::string(body)});
    return out;
  }
  out.xml = true;
  const Node root = doc->Root();
  Walk(root, "", false, 0, &out.items);
  if (const Node b = root.FirstElement("Body"))
    if (const Node op = b.FirstElement()) out.operation = op.LocalName();
  return out;
}

double Similarity(const Normalised& a, const Normalised& b) {
  if (a.items.empty() && b.items.empty()) return 1.0;
  auto less = [](const Item* x, const Item* y) {
    if (x->path != y->path) return x->path < y->path;
    if (x->attrs != y->attrs) return x->attrs < y->attrs;
    return x->text < y->text;
  };
  std::vector<const Item*> pa, pb;
  for (const auto& i : a.items) pa.push_back(&i);
  for (const auto& i : b.items) pb.push_back(&i);
  std::sort(pa.begin(), pa.end(), less);
  std::sort(pb.begin(), pb.end(), less);
  size_t i = 0, j = 0, common = 0;
  while (i < pa.size() && j < pb.size()) {
    if (*pa[i] == *pb[j]) {
      ++common, ++i, ++j;
    } else if (less(pa[i], pb[j])) {
      ++i;
    } else {
      ++j;
    }
  }
  return 2.0 * static_cast<double>(common) / static_cast<double>(pa.size() + pb.size());
}

std::string FirstDifference(const Normalised& request, const Normalised& recorded) {
  if (request.xml != recorded.xml)
    return request.xml ? "the request body is XML where the recording's is not"
                       : "the request body is not XML where the recording's is";
  if (!request.xml) return RawDifference(request.items[0].text, recorded.items[0].text);
  const auto& a = request.items;
  const auto& b = recorded.items;
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i].path != b[i].path)
      return fmt::format("the request has {} where the recording has {}", Describe(a[i]),
                         Describe(b[i]));
    if (a[i].attrs != b[i].attrs)
      return fmt::format("at {} the request has attributes [{}] where the recording has [{}]",
                         Shown(a[i].path), a[i].attrs, b[i].attrs);
    return fmt::format("at {} the request has {} where the recording has {}", Shown(a[i].path),
                       Quote(a[i].text), Quote(b[i].text));
  }
  if (a.size() > n) return fmt::format("the request has an extra {}", Describe(a[n]));
  if (b.size() > n) return fmt::format("the request lacks {}", Describe(b[n]));
  return "";
}

}  // namespace atws::record
