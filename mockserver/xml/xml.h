// RAII over libxml2 with the project's hardened parse (no network, no DTD loading, no entity
// substitution, DTDs rejected, depth and size limits), and small navigation helpers.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>

namespace atws::xml {

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

struct ParseLimits {
  size_t max_bytes = 16 << 20;
  int max_depth = 64;
  size_t max_attributes = 256;  // on one element, namespace declarations included
};

// True when some start tag in the raw text `data` carries more than `limit` attributes
// (namespace declarations included). A linear scan that runs before libxml2: libxml2 2.9 checks
// an element's attributes for duplicates pair by pair, so one element with a million attributes
// costs it hours of CPU (docs/reliability.md).
bool TooManyAttributes(std::string_view data, size_t limit);

// Parses `data` safely. On failure returns nullptr and sets *error to a one-line reason
// ("DTD is not allowed.", "XML is not well-formed: … (line N)", "XML nesting too deep." …).
DocPtr ParseSafe(std::string_view data, const ParseLimits& limits, std::string* error);

// Call once from the main thread before any parsing.
void InitParser();

std::string_view LocalName(const xmlNode* n);
std::string_view NamespaceUri(const xmlNode* n);  // empty when none
bool IsElement(const xmlNode* n);
// First element child (optionally with the given local name, ASCII case-insensitive).
const xmlNode* FirstChildElement(const xmlNode* n, std::string_view local = {});
const xmlNode* NextElement(const xmlNode* n, std::string_view local = {});
// Concatenated text and CDATA of the node's direct children.
std::string DirectText(const xmlNode* n);
// Concatenated text and CDATA of all descendants, in document order.
std::string DeepText(const xmlNode* n);
// Value of an attribute by local name (any namespace); false when absent.
bool Attribute(const xmlNode* n, std::string_view local, std::string* out);
// Value of xsi:type, with the prefix removed ("ns0:Ticket" -> "Ticket").
std::string XsiTypeLocal(const xmlNode* n);

}  // namespace atws::xml
