#include "xml/xml.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <climits>

#include "common/text.h"
#include "xml/access.h"

namespace atws::xml {

using detail::Access;

namespace {

constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";

std::string_view Str(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

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

int g_doctype_marker;  // address stored in xmlParserCtxt::_private when a DOCTYPE is seen

// SAX internalSubset callback: called for every <!DOCTYPE …> before its internal subset is
// read. Stops the parse at once, so no entity declaration is ever processed.
void StopAtDoctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  ctxt->_private = &g_doctype_marker;
  xmlStopParser(ctxt);
}

void StripNamespaces(xmlNode* node) {
  for (xmlNode* n = node; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    n->ns = nullptr;
    for (xmlAttr* a = n->properties; a; a = a->next) a->ns = nullptr;
    if (n->nsDef) {
      xmlFreeNsList(n->nsDef);
      n->nsDef = nullptr;
    }
    StripNamespaces(n->children);
  }
}

bool Matches(const xmlNode* c, std::string_view local) {
  return c->type == XML_ELEMENT_NODE && (local.empty() || AsciiIEquals(Str(c->name), local));
}

void AppendDeepText(const xmlNode* n, std::string* out) {
  for (const xmlNode* c = n->children; c; c = c->next) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
      out->append(reinterpret_cast<const char*>(c->content));
    else if (c->type == XML_ELEMENT_NODE)
      AppendDeepText(c, out);
  }
}

void AppendAttrValue(const xmlAttr* a, std::string* out) {
  for (const xmlNode* c = a->children; c; c = c->next)
    if (c->content) out->append(reinterpret_cast<const char*>(c->content));
}

// True when some start tag in the raw text `d` carries more than `limit` attributes.
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

}  // namespace

void InitParser() {
  xmlInitParser();
  xmlSetStructuredErrorFunc(nullptr, SilentErrors);
}

Result<Document> Document::Parse(std::string_view data, const ParseOptions& options,
                                 ParseError* error) {
  ParseError unused;
  ParseError& why = error ? *error : unused;
  why = ParseError{};
  auto fail = [&why](ParseError::Kind kind, std::string message) {
    why.kind = kind;
    return Status::InvalidArgument(std::move(message));
  };
  if (data.size() > options.max_bytes || data.size() > static_cast<size_t>(INT_MAX))
    return fail(ParseError::Kind::kTooLarge,
                fmt::format("XML document too large ({} bytes; the limit is {}).", data.size(),
                            options.max_bytes));
  if (options.max_attributes > 0 && TooManyAttributes(data, options.max_attributes))
    return fail(ParseError::Kind::kAttributes,
                fmt::format("An XML element has more than {} attributes.", options.max_attributes));
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (!ctxt || !ctxt->sax) {
    if (ctxt) xmlFreeParserCtxt(ctxt);
    return fail(ParseError::Kind::kOutOfMemory, "out of memory");
  }
  if (options.stop_at_doctype) {
    ctxt->sax->internalSubset = StopAtDoctype;
    ctxt->_private = nullptr;
  }
  xmlSetStructuredErrorFunc(nullptr, SilentErrors);
  xmlDoc* doc = xmlCtxtReadMemory(ctxt, data.data(), static_cast<int>(data.size()), nullptr,
                                  options.force_utf8 ? "UTF-8" : nullptr,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  // Owned from here on: freed by the Document, also when a check below refuses it.
  Document owned(doc);
  const bool doctype_seen = options.stop_at_doctype && ctxt->_private == &g_doctype_marker;
  if (doctype_seen || (doc && !ctxt->wellFormed)) owned = Document(nullptr);
  if (doctype_seen) {
    xmlFreeParserCtxt(ctxt);
    return fail(ParseError::Kind::kDtd, "DTD is not allowed.");
  }
  if (!owned.doc_) {
    const xmlError* e = xmlCtxtGetLastError(ctxt);
    why.located = e != nullptr;
    if (e && e->message) why.reason = std::string(Trim(e->message));
    why.line = e ? e->line : 0;
    xmlFreeParserCtxt(ctxt);
    return fail(ParseError::Kind::kSyntax,
                fmt::format("XML is not well-formed: {} (line {}).",
                            why.reason.value_or("unknown error"), why.line));
  }
  xmlFreeParserCtxt(ctxt);
  // SOAP 1.1 forbids a DTD, and a DTD is the door to XXE and entity-expansion attacks: the
  // parser neither loads nor substitutes entities, and any document that declares one is
  // refused here before anything reads its content.
  if (doc->intSubset || doc->extSubset) {
    why.line =
        doc->intSubset
            ? static_cast<int>(xmlGetLineNo(reinterpret_cast<const xmlNode*>(doc->intSubset)))
            : 0;
    return fail(ParseError::Kind::kDtd, "DTD is not allowed.");
  }
  xmlNode* root = xmlDocGetRootElement(doc);
  if (!root) return fail(ParseError::Kind::kNoRoot, "XML document has no root element.");
  if (options.max_depth > 0 && Depth(root, options.max_depth, 1) > options.max_depth)
    return fail(ParseError::Kind::kDepth,
                fmt::format("XML nesting is deeper than {} levels.", options.max_depth));
  if (options.strip_namespaces) StripNamespaces(root);
  return Result<Document>(std::move(owned));
}

Document& Document::operator=(Document&& other) noexcept {
  if (this != &other) {
    if (doc_) xmlFreeDoc(static_cast<xmlDoc*>(doc_));
    doc_ = other.doc_;
    other.doc_ = nullptr;
  }
  return *this;
}

Document::~Document() {
  if (doc_) xmlFreeDoc(static_cast<xmlDoc*>(doc_));
}

Node Document::Root() const {
  return Access::MakeNode(doc_ ? xmlDocGetRootElement(static_cast<xmlDoc*>(doc_)) : nullptr);
}

// Attribute

std::string_view Attribute::LocalName() const {
  return attr_ ? Str(Access::Raw(*this)->name) : std::string_view();
}

std::string_view Attribute::NamespaceUri() const {
  const xmlAttr* a = Access::Raw(*this);
  return a && a->ns ? Str(a->ns->href) : std::string_view();
}

std::string Attribute::Value() const {
  std::string v;
  if (attr_) AppendAttrValue(Access::Raw(*this), &v);
  return v;
}

Attribute Attribute::Next() const { return Attribute(attr_ ? Access::Raw(*this)->next : nullptr); }

// Node

bool Node::IsElement() const { return node_ && Access::Raw(*this)->type == XML_ELEMENT_NODE; }
bool Node::IsText() const { return node_ && Access::Raw(*this)->type == XML_TEXT_NODE; }
bool Node::IsCData() const { return node_ && Access::Raw(*this)->type == XML_CDATA_SECTION_NODE; }

std::string_view Node::LocalName() const {
  return node_ ? Str(Access::Raw(*this)->name) : std::string_view();
}

std::string_view Node::NamespaceUri() const {
  const xmlNode* n = Access::Raw(*this);
  return n && n->ns ? Str(n->ns->href) : std::string_view();
}

bool Node::HasNamespace() const { return node_ && Access::Raw(*this)->ns; }

std::string_view Node::LookupNamespaceUri(std::string_view prefix) const {
  const xmlNode* n = Access::Raw(*this);
  if (!n) return {};
  std::string p(prefix);
  xmlNs* ns = xmlSearchNs(n->doc, const_cast<xmlNode*>(n),
                          p.empty() ? nullptr : reinterpret_cast<const xmlChar*>(p.c_str()));
  return ns ? Str(ns->href) : std::string_view();
}

int Node::Line() const { return node_ ? static_cast<int>(xmlGetLineNo(Access::Raw(*this))) : 0; }

Node Node::FirstChild() const { return Node(node_ ? Access::Raw(*this)->children : nullptr); }
Node Node::Next() const { return Node(node_ ? Access::Raw(*this)->next : nullptr); }

Node Node::FirstElement(std::string_view local) const {
  if (!node_) return Node();
  for (const xmlNode* c = Access::Raw(*this)->children; c; c = c->next)
    if (Matches(c, local)) return Node(c);
  return Node();
}

Node Node::NextElement(std::string_view local) const {
  if (!node_) return Node();
  for (const xmlNode* c = Access::Raw(*this)->next; c; c = c->next)
    if (Matches(c, local)) return Node(c);
  return Node();
}

std::string_view Node::Content() const {
  const xmlNode* n = Access::Raw(*this);
  return n && (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) ? Str(n->content)
                                                                              : std::string_view();
}

std::string Node::DirectText() const {
  std::string r;
  if (!node_) return r;
  for (const xmlNode* c = Access::Raw(*this)->children; c; c = c->next)
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
      r.append(reinterpret_cast<const char*>(c->content));
  return r;
}

std::string Node::DeepText() const {
  std::string r;
  if (node_) AppendDeepText(Access::Raw(*this), &r);
  return r;
}

Attribute Node::FirstAttribute() const {
  const xmlNode* n = Access::Raw(*this);
  return Attribute(n && n->type == XML_ELEMENT_NODE ? n->properties : nullptr);
}

bool Node::AttributeValue(std::string_view local, std::string* out) const {
  const xmlNode* n = Access::Raw(*this);
  if (!n || n->type != XML_ELEMENT_NODE) return false;
  for (const xmlAttr* a = n->properties; a; a = a->next) {
    if (a->name && AsciiIEquals(Str(a->name), local)) {
      out->clear();
      AppendAttrValue(a, out);
      return true;
    }
  }
  return false;
}

std::string Node::XsiTypeLocal() const {
  const xmlNode* n = Access::Raw(*this);
  if (!n || n->type != XML_ELEMENT_NODE) return {};
  for (const xmlAttr* a = n->properties; a; a = a->next) {
    if (Str(a->name) != "type") continue;
    if (a->ns && a->ns->href && Str(a->ns->href) != kXsiNs) continue;
    std::string v;
    AppendAttrValue(a, &v);
    size_t colon = v.find(':');
    return colon == std::string::npos ? v : v.substr(colon + 1);
  }
  return {};
}

std::string Node::Serialize() const {
  const xmlNode* n = Access::Raw(*this);
  if (!n) return {};
  xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
  xmlNodePtr copy = xmlDocCopyNode(const_cast<xmlNode*>(n), doc, 1);
  xmlDocSetRootElement(doc, copy);
  xmlReconciliateNs(doc, copy);
  xmlBufferPtr buf = xmlBufferCreate();
  xmlNodeDump(buf, doc, copy, 0, 0);
  std::string out(Str(xmlBufferContent(buf)));
  xmlBufferFree(buf);
  xmlFreeDoc(doc);
  return out;
}

std::string EscapeAll(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace atws::xml
