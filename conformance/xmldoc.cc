#include "conformance/xmldoc.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>

#include <algorithm>
#include <cmath>

namespace atws::conformance::xmldoc {
namespace {

void StripNode(xmlNode* node) {
  for (xmlNode* n = node; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    n->ns = nullptr;
    for (xmlAttr* a = n->properties; a; a = a->next) a->ns = nullptr;
    StripNode(n->children);
  }
}

void FreeNsDefs(xmlNode* node) {
  for (xmlNode* n = node; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (n->nsDef) {
      xmlFreeNsList(n->nsDef);
      n->nsDef = nullptr;
    }
    FreeNsDefs(n->children);
  }
}

std::string NodeText(xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string out = c ? reinterpret_cast<const char*>(c) : "";
  if (c) xmlFree(c);
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

void FlattenInto(xmlNode* node, int depth, std::vector<Doc::FlatNode>* out) {
  for (xmlNode* n = node; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    Doc::FlatNode f;
    f.depth = depth;
    f.name = reinterpret_cast<const char*>(n->name);
    for (xmlAttr* a = n->properties; a; a = a->next) {
      xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
      f.attrs.emplace_back(reinterpret_cast<const char*>(a->name),
                           v ? reinterpret_cast<const char*>(v) : "");
      if (v) xmlFree(v);
    }
    std::sort(f.attrs.begin(), f.attrs.end());
    for (xmlNode* c = n->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE) f.leaf = false;
    if (f.leaf) f.text = Trim(NodeText(n));
    out->push_back(std::move(f));
    if (!out->back().leaf) FlattenInto(n->children, depth + 1, out);
  }
}

// Keeps libxml2's XPath errors off stderr; the caller reports them.
extern "C" void QuietXPathError(void* user, xmlErrorPtr e) {
  auto* out = static_cast<std::string*>(user);
  if (out && e && e->message && out->empty()) *out = Trim(e->message);
}

extern "C" void QuietGeneric(void*, const char*, ...) {}

// Silences libxml2's generic error output (XPath evaluation prints unknown functions there)
// on this thread while it lives; libxml2 keeps the handler per thread.
class QuietGenericErrors {
 public:
  QuietGenericErrors() : old_(xmlGenericError), old_ctx_(xmlGenericErrorContext) {
    xmlSetGenericErrorFunc(nullptr, QuietGeneric);
  }
  ~QuietGenericErrors() { xmlSetGenericErrorFunc(old_ctx_, old_); }
  QuietGenericErrors(const QuietGenericErrors&) = delete;
  QuietGenericErrors& operator=(const QuietGenericErrors&) = delete;

 private:
  xmlGenericErrorFunc old_;
  void* old_ctx_;
};

}  // namespace

bool XPathCompiles(const std::string& xpath, std::string* error) {
  xmlXPathContextPtr ctx = xmlXPathNewContext(nullptr);
  if (!ctx) return false;
  std::string msg;
  ctx->error = QuietXPathError;
  ctx->userData = &msg;
  QuietGenericErrors quiet;
  xmlXPathCompExprPtr comp = xmlXPathCtxtCompile(ctx, BAD_CAST xpath.c_str());
  xmlXPathFreeContext(ctx);
  if (!comp) {
    if (error) *error = msg.empty() ? "invalid expression" : msg;
    return false;
  }
  xmlXPathFreeCompExpr(comp);
  return true;
}

std::unique_ptr<Doc> Doc::Parse(const std::string& text, bool strip_namespaces,
                                std::string* error) {
  if (text.size() > static_cast<size_t>(INT32_MAX)) {
    if (error) *error = "document too large";
    return nullptr;
  }
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (!ctxt) {
    if (error) *error = "out of memory";
    return nullptr;
  }
  // No network, no entity substitution (XML_PARSE_NOENT is not set), no DTD loading, quiet.
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt, text.data(), static_cast<int>(text.size()), nullptr,
                                    nullptr, options);
  if (!doc) {
    if (error) {
      const xmlError* e = xmlCtxtGetLastError(ctxt);
      std::string msg = e && e->message ? Trim(e->message) : "not well-formed XML";
      *error = e ? fmt::format("line {}: {}", e->line, msg) : msg;
    }
    xmlFreeParserCtxt(ctxt);
    return nullptr;
  }
  xmlFreeParserCtxt(ctxt);
  if (doc->intSubset || doc->extSubset) {
    if (error) {
      int line = doc->intSubset
                     ? static_cast<int>(xmlGetLineNo(reinterpret_cast<xmlNodePtr>(doc->intSubset)))
                     : 0;
      *error = line > 0 ? fmt::format("line {}: a DOCTYPE is not allowed", line)
                        : "a DOCTYPE is not allowed";
    }
    xmlFreeDoc(doc);
    return nullptr;
  }
  if (!xmlDocGetRootElement(doc)) {
    if (error) *error = "no root element";
    xmlFreeDoc(doc);
    return nullptr;
  }
  if (strip_namespaces) {
    StripNode(xmlDocGetRootElement(doc));
    FreeNsDefs(xmlDocGetRootElement(doc));
  }
  return std::unique_ptr<Doc>(new Doc(doc));
}

Doc::~Doc() {
  if (doc_) xmlFreeDoc(doc_);
}

bool Doc::Eval(const std::string& xpath, std::vector<std::string>* values, bool* is_nodeset,
               std::string* error) const {
  values->clear();
  if (is_nodeset) *is_nodeset = false;
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc_);
  if (!ctx) {
    if (error) *error = "out of memory";
    return false;
  }
  std::string msg;
  ctx->error = QuietXPathError;
  ctx->userData = &msg;
  QuietGenericErrors quiet;
  xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST xpath.c_str(), ctx);
  if (!obj) {
    if (error)
      *error = fmt::format("XPath expression '{}' failed{}", xpath, msg.empty() ? "" : ": " + msg);
    xmlXPathFreeContext(ctx);
    return false;
  }
  switch (obj->type) {
    case XPATH_NODESET:
      if (is_nodeset) *is_nodeset = true;
      if (obj->nodesetval) {
        for (int i = 0; i < obj->nodesetval->nodeNr; ++i)
          values->push_back(NodeText(obj->nodesetval->nodeTab[i]));
      }
      break;
    case XPATH_BOOLEAN:
      values->push_back(obj->boolval ? "true" : "false");
      break;
    case XPATH_NUMBER:
      values->push_back(FormatNumber(obj->floatval));
      break;
    case XPATH_STRING:
      values->push_back(obj->stringval ? reinterpret_cast<const char*>(obj->stringval) : "");
      break;
    default:
      if (error) *error = fmt::format("XPath expression '{}' gives an unsupported result", xpath);
      xmlXPathFreeObject(obj);
      xmlXPathFreeContext(ctx);
      return false;
  }
  xmlXPathFreeObject(obj);
  xmlXPathFreeContext(ctx);
  return true;
}

std::vector<Doc::FlatNode> Doc::Flatten() const {
  std::vector<FlatNode> out;
  FlattenInto(xmlDocGetRootElement(doc_), 0, &out);
  return out;
}

std::string Escape(const std::string& text) {
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

}  // namespace atws::conformance::xmldoc
