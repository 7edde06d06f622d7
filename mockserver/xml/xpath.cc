#include "xml/xpath.h"

#include <fmt/format.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>

#include <cmath>

#include "common/text.h"
#include "xml/access.h"

namespace atws::xml {
namespace {

std::string NodeText(xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string out = c ? reinterpret_cast<const char*>(c) : "";
  if (c) xmlFree(c);
  return out;
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

// Keeps libxml2's XPath errors off stderr; the caller reports them.
extern "C" void QuietXPathError(void* user, xmlErrorPtr e) {
  auto* out = static_cast<std::string*>(user);
  if (out && e && e->message && out->empty()) *out = std::string(Trim(e->message));
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

Status CheckXPath(const std::string& expression) {
  xmlXPathContextPtr ctx = xmlXPathNewContext(nullptr);
  if (!ctx) return Status::Internal("out of memory");
  std::string msg;
  ctx->error = QuietXPathError;
  ctx->userData = &msg;
  QuietGenericErrors quiet;
  xmlXPathCompExprPtr comp = xmlXPathCtxtCompile(ctx, BAD_CAST expression.c_str());
  xmlXPathFreeContext(ctx);
  if (!comp) return Status::InvalidArgument(msg.empty() ? "invalid expression" : msg);
  xmlXPathFreeCompExpr(comp);
  return Status::OK();
}

Result<XPathValue> EvaluateXPath(const Document& doc, const std::string& expression) {
  xmlXPathContextPtr ctx = xmlXPathNewContext(detail::Access::Doc(doc));
  if (!ctx) return Status::Internal("out of memory");
  std::string msg;
  ctx->error = QuietXPathError;
  ctx->userData = &msg;
  QuietGenericErrors quiet;
  xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST expression.c_str(), ctx);
  if (!obj) {
    xmlXPathFreeContext(ctx);
    return Status::InvalidArgument(
        fmt::format("XPath expression '{}' failed{}", expression, msg.empty() ? "" : ": " + msg));
  }
  XPathValue out;
  bool supported = true;
  switch (obj->type) {
    case XPATH_NODESET:
      out.is_nodeset = true;
      if (obj->nodesetval) {
        for (int i = 0; i < obj->nodesetval->nodeNr; ++i)
          out.values.push_back(NodeText(obj->nodesetval->nodeTab[i]));
      }
      break;
    case XPATH_BOOLEAN:
      out.values.push_back(obj->boolval ? "true" : "false");
      break;
    case XPATH_NUMBER:
      out.values.push_back(FormatNumber(obj->floatval));
      break;
    case XPATH_STRING:
      out.values.push_back(obj->stringval ? reinterpret_cast<const char*>(obj->stringval) : "");
      break;
    default:
      supported = false;
  }
  xmlXPathFreeObject(obj);
  xmlXPathFreeContext(ctx);
  if (!supported)
    return Status::InvalidArgument(
        fmt::format("XPath expression '{}' gives an unsupported result", expression));
  return out;
}

}  // namespace atws::xml
