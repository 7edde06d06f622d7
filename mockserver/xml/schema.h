// XML Schema (XSD 1.0) validation: the conformance tool checks scenario files with it.
//
// Ownership and lifetime: a Schema owns the compiled schema (move-only) and keeps no reference
// to the XSD text nor to the documents it validates.
// Thread safety: thread-compatible; one Schema validates one document at a time.
// Errors: Compile returns Result<Schema> (Internal when libxml2 cannot start, InvalidArgument
// for an invalid XSD, with libxml2's problems as "line N: message"); Validate returns OK or
// InvalidArgument, with every problem libxml2 reported in *problems.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "xml/xml.h"

namespace atws::xml {

class Schema {
 public:
  struct Problem {
    int line = 0;
    std::string message;  // libxml2's, trimmed ("" when it gave none)
  };

  // `problems` (when given) receives libxml2's complaints about the XSD, "line N: message".
  static Result<Schema> Compile(std::string_view xsd, std::vector<std::string>* problems = nullptr);
  Schema(Schema&& other) noexcept : schema_(other.schema_) { other.schema_ = nullptr; }
  Schema& operator=(Schema&& other) noexcept;
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  ~Schema();

  // OK when `doc` is valid. Problems are appended in the order libxml2 reports them.
  Status Validate(const Document& doc, std::vector<Problem>* problems) const;

 private:
  explicit Schema(void* schema) : schema_(schema) {}
  void* schema_;  // xmlSchema
};

}  // namespace atws::xml
