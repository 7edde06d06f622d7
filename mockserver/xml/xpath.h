// XPath 1.0 over a parsed Document (the conformance tool's checks and captures).
//
// Parse the document with ParseOptions::strip_namespaces so that plain paths
// (//EntityResults/Entity[1]/Status) find namespaced elements; xsi:type is then @type.
// Lifetime: the values are copies; nothing refers to the document after the call.
// Thread safety: as for the Document (xml.h). libxml2's generic error output is silenced on the
// calling thread while an expression compiles or runs.
// Errors: Status / Result with one-line messages ("XPath expression '…' failed: …").
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "xml/xml.h"

namespace atws::xml {

struct XPathValue {
  // A node-set gives the text of each node in document order (an attribute: its value); a
  // number, string or boolean gives one string ("3", "2.5", "true").
  bool is_nodeset = false;
  std::vector<std::string> values;
};

Result<XPathValue> EvaluateXPath(const Document& doc, const std::string& expression);

// OK when `expression` compiles as XPath 1.0 (functions are looked up only when evaluated);
// else the reason (libxml2's words, or "invalid expression").
Status CheckXPath(const std::string& expression);

}  // namespace atws::xml
