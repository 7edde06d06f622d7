#include "xml/schema.h"

#include <fmt/format.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "common/text.h"
#include "xml/access.h"

namespace atws::xml {
namespace {

std::string Message(const xmlError* e) {
  return e->message ? std::string(Trim(e->message)) : std::string();
}

extern "C" void CollectCompileProblems(void* user, xmlErrorPtr e) {
  if (!e) return;
  static_cast<std::vector<std::string>*>(user)->push_back(
      fmt::format("line {}: {}", e->line, Message(e)));
}

extern "C" void CollectValidationProblems(void* user, xmlErrorPtr e) {
  if (!e) return;
  static_cast<std::vector<Schema::Problem>*>(user)->push_back(Schema::Problem{e->line, Message(e)});
}

}  // namespace

Result<Schema> Schema::Compile(std::string_view xsd, std::vector<std::string>* problems) {
  xmlSchemaParserCtxtPtr pctxt =
      xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size()));
  if (!pctxt) return Status::Internal("cannot create a schema parser");
  std::vector<std::string> msgs;
  xmlSchemaSetParserStructuredErrors(pctxt, CollectCompileProblems, &msgs);
  xmlSchemaPtr schema = xmlSchemaParse(pctxt);
  xmlSchemaFreeParserCtxt(pctxt);
  if (problems) problems->insert(problems->end(), msgs.begin(), msgs.end());
  if (!schema) return Status::InvalidArgument("not a valid XSD");
  return Result<Schema>(Schema(schema));
}

Schema& Schema::operator=(Schema&& other) noexcept {
  if (this != &other) {
    if (schema_) xmlSchemaFree(static_cast<xmlSchemaPtr>(schema_));
    schema_ = other.schema_;
    other.schema_ = nullptr;
  }
  return *this;
}

Schema::~Schema() {
  if (schema_) xmlSchemaFree(static_cast<xmlSchemaPtr>(schema_));
}

Status Schema::Validate(const Document& doc, std::vector<Problem>* problems) const {
  xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(static_cast<xmlSchemaPtr>(schema_));
  std::vector<Problem> found;
  xmlSchemaSetValidStructuredErrors(vctxt, CollectValidationProblems, &found);
  int rc = xmlSchemaValidateDoc(vctxt, detail::Access::Doc(doc));
  xmlSchemaFreeValidCtxt(vctxt);
  if (problems) problems->insert(problems->end(), found.begin(), found.end());
  if (rc != 0) return Status::InvalidArgument("the document does not match the schema");
  return Status::OK();
}

}  // namespace atws::xml
