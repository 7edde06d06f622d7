#include "xml/xml.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "common/text.h"

namespace atws::xml {

namespace {

constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";

int Depth(const xmlNode* n, int limit, int depth) {
  if (depth > limit) return depth;
  int max = depth;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    int d = Depth(c, limit, depth + 1);
    if (d > max) max = d;
    if (max > limit) break;
  }
  return max;
}

void SilentErrors(void*, xmlErrorPtr) {}

}  // namespace

void InitParser() {
  xmlInitParser();
  xmlSetStructuredErrorFunc(nullptr, SilentErrors);
}

bool TooManyAttributes(std::string_view d, size_t limit) {
  const size_t n = d.size();
  size_t i = 0;
  while (i < n) {
    size_t lt = d.find('<', i);
    if (lt == std::string_view::npos) return false;
    i = lt + 1;
    if (i >= n) return false;
    // Comments, CDATA sections and processing instructions are skipped whole: their text may
    // hold '=' and quotes that are no attributes.
    std::string_view close;
    if (d.compare(i, 3, "!--") == 0)
      close = "-->";
    else if (d.compare(i, 8, "![CDATA[") == 0)
      close = "]]>";
    else if (d[i] == '?')
      close = "?>";
    if (!close.empty()) {
      size_t e = d.find(close, i + 1);
      if (e == std::string_view::npos) return false;
      i = e + close.size();
      continue;
    }
    if (d[i] == '/' || d[i] == '!') continue;  // end tag; a DTD is refused after parsing
    // A start tag: each '=' outside quoted values is one attribute.
    size_t count = 0;
    char quote = 0;
    for (; i < n; ++i) {
      char c = d[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '=') {
        if (++count > limit) return true;
      } else if (c == '>' || c == '<') {
        break;
      }
    }
  }
  return false;
}

DocPtr ParseSafe(std::string_view data, const ParseLimits& limits, std::string* error) {
  if (data.size() > limits.max_bytes) {
    *error = fmt::format("XML document too large ({} bytes; the limit is {}).", data.size(),
                         limits.max_bytes);
    return nullptr;
  }
  if (TooManyAttributes(data, limits.max_attributes)) {
    *error = fmt::format("An XML element has more than {} attributes.", limits.max_attributes);
    return nullptr;
  }
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (!ctxt) {
    *error = "out of memory";
    return nullptr;
  }
  xmlSetStructuredErrorFunc(nullptr, SilentErrors);
  DocPtr doc(xmlCtxtReadMemory(ctxt, data.data(), static_cast<int>(data.size()), nullptr, nullptr,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) {
    xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
    std::string msg = e && e->message ? std::string(Trim(e->message)) : "unknown error";
    *error = fmt::format("XML is not well-formed: {} (line {}).", msg, e ? e->line : 0);
    xmlFreeParserCtxt(ctxt);
    return nullptr;
  }
  xmlFreeParserCtxt(ctxt);
  // SOAP 1.1 forbids a DTD, and a DTD is the door to XXE and entity-expansion attacks: the
  // parser neither loads nor substitutes entities, and any document that declares one is
  // refused here before anything reads its content.
  if (doc->intSubset || doc->extSubset) {
    *error = "DTD is not allowed.";
    return nullptr;
  }
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root) {
    *error = "XML document has no root element.";
    return nullptr;
  }
  if (Depth(root, limits.max_depth, 1) > limits.max_depth) {
    *error = fmt::format("XML nesting is deeper than {} levels.", limits.max_depth);
    return nullptr;
  }
  return doc;
}

std::string_view LocalName(const xmlNode* n) {
  return n && n->name ? std::string_view(reinterpret_cast<const char*>(n->name)) : "";
}

std::string_view NamespaceUri(const xmlNode* n) {
  return n && n->ns && n->ns->href ? std::string_view(reinterpret_cast<const char*>(n->ns->href))
                                   : "";
}

bool IsElement(const xmlNode* n) { return n && n->type == XML_ELEMENT_NODE; }

const xmlNode* FirstChildElement(const xmlNode* n, std::string_view local) {
  if (!n) return nullptr;
  for (const xmlNode* c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && (local.empty() || AsciiIEquals(LocalName(c), local)))
      return c;
  return nullptr;
}

const xmlNode* NextElement(const xmlNode* n, std::string_view local) {
  if (!n) return nullptr;
  for (const xmlNode* c = n->next; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && (local.empty() || AsciiIEquals(LocalName(c), local)))
      return c;
  return nullptr;
}

std::string DirectText(const xmlNode* n) {
  std::string r;
  if (!n) return r;
  for (const xmlNode* c = n->children; c; c = c->next)
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
      r.append(reinterpret_cast<const char*>(c->content));
  return r;
}

std::string DeepText(const xmlNode* n) {
  std::string r;
  if (!n) return r;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
      r.append(reinterpret_cast<const char*>(c->content));
    else if (c->type == XML_ELEMENT_NODE)
      r += DeepText(c);
  }
  return r;
}

bool Attribute(const xmlNode* n, std::string_view local, std::string* out) {
  if (!n) return false;
  for (const xmlAttr* a = n->properties; a; a = a->next) {
    if (AsciiIEquals(reinterpret_cast<const char*>(a->name), local)) {
      out->clear();
      for (const xmlNode* c = a->children; c; c = c->next)
        if (c->content) out->append(reinterpret_cast<const char*>(c->content));
      return true;
    }
  }
  return false;
}

std::string XsiTypeLocal(const xmlNode* n) {
  if (!n) return {};
  for (const xmlAttr* a = n->properties; a; a = a->next) {
    if (std::string_view(reinterpret_cast<const char*>(a->name)) != "type") continue;
    if (a->ns && a->ns->href &&
        std::string_view(reinterpret_cast<const char*>(a->ns->href)) != kXsiNs)
      continue;
    std::string v;
    for (const xmlNode* c = a->children; c; c = c->next)
      if (c->content) v.append(reinterpret_cast<const char*>(c->content));
    size_t colon = v.find(':');
    return colon == std::string::npos ? v : v.substr(colon + 1);
  }
  return {};
}

}  // namespace atws::xml
