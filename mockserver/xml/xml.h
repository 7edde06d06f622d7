// XML documents: the only code that speaks libxml2 (xpath.h and schema.h are its other parts).
//
// Document::Parse reads text with the project's hardened settings: no network, no DTD loading,
// no entity substitution, any DOCTYPE refused, and size, nesting and attribute limits.
// Ownership and lifetime: a Document owns its tree (move-only; destroying it frees the tree).
// Node and Attribute are views of one pointer, copied freely and valid while their Document
// lives; a null view (false in a test) answers every question with "", null or false.
// Thread safety: call InitParser() once from the main thread before any parse. A Document and
// its views are thread-compatible: distinct documents may be used on distinct threads.
// Errors: Parse returns Result<Document>; the Status message is a one-line text that reaches API
// answers ("DTD is not allowed.", "XML is not well-formed: … (line N)."); ParseError gives its
// parts to callers that word their own.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace atws::xml {

namespace detail {
struct Access;  // xml/*.cc: the libxml2 pointers behind the handles
}

struct ParseOptions {
  size_t max_bytes = 16 << 20;  // longer text is refused before parsing
  int max_depth = 64;           // element nesting; 0: not checked
  // Attributes on one element, namespace declarations included; 0: not checked. A linear scan
  // of the raw text checks it before libxml2 runs: libxml2 2.9 compares an element's attributes
  // pair by pair, so a million attributes cost it hours of CPU (docs/reliability.md).
  size_t max_attributes = 256;
  bool force_utf8 = false;        // the bytes are UTF-8 whatever an encoding declaration says
  bool stop_at_doctype = false;   // a DOCTYPE ends the parse at once (else refused after it)
  bool strip_namespaces = false;  // every element and attribute loses its namespace (for XPath)
};

// Why a parse failed, for callers that word their own message.
struct ParseError {
  enum class Kind { kNone, kTooLarge, kAttributes, kOutOfMemory, kSyntax, kDtd, kNoRoot, kDepth };
  Kind kind = Kind::kNone;
  bool located = false;               // kSyntax: libxml2 reported the error (reason, line)
  std::optional<std::string> reason;  // kSyntax: libxml2's message, trimmed, when it gave one
  int line = 0;  // kSyntax: where libxml2 stopped; kDtd: the DOCTYPE's line (0: unknown)
};

class Node;

class Document {
 public:
  // Parses `text`. On failure the Status says why in one line and *error (when given) holds
  // the parts.
  static Result<Document> Parse(std::string_view text, const ParseOptions& options = {},
                                ParseError* error = nullptr);
  Document(Document&& other) noexcept : doc_(other.doc_) { other.doc_ = nullptr; }
  Document& operator=(Document&& other) noexcept;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;
  ~Document();

  Node Root() const;  // the root element

 private:
  friend struct detail::Access;
  explicit Document(void* doc) : doc_(doc) {}
  void* doc_;  // xmlDoc
};

class Attribute {
 public:
  Attribute() = default;
  explicit operator bool() const { return attr_ != nullptr; }
  std::string_view LocalName() const;
  std::string_view NamespaceUri() const;  // "" when none
  std::string Value() const;
  Attribute Next() const;  // the element's next attribute

 private:
  friend struct detail::Access;
  friend class Node;
  explicit Attribute(const void* attr) : attr_(attr) {}
  const void* attr_ = nullptr;  // xmlAttr
};

class Node {
 public:
  Node() = default;
  explicit operator bool() const { return node_ != nullptr; }
  friend bool operator==(Node a, Node b) { return a.node_ == b.node_; }
  friend bool operator!=(Node a, Node b) { return a.node_ != b.node_; }

  bool IsElement() const;
  bool IsText() const;                    // text (CDATA sections are not text here)
  bool IsCData() const;                   // a CDATA section
  std::string_view LocalName() const;     // an element's name without its prefix
  std::string_view NamespaceUri() const;  // "" when none
  bool HasNamespace() const;
  // The namespace bound to `prefix` ("": the default namespace) here; "" when none is.
  std::string_view LookupNamespaceUri(std::string_view prefix) const;
  int Line() const;  // where the node starts in the text

  // Children and siblings of any kind (text, CDATA, comments, …), in document order.
  Node FirstChild() const;
  Node Next() const;
  // The first element child, and the next element sibling; with `local`, only elements of that
  // local name (ASCII case-insensitive).
  Node FirstElement(std::string_view local = {}) const;
  Node NextElement(std::string_view local = {}) const;

  std::string_view Content() const;  // a text or CDATA node's text
  std::string DirectText() const;    // text and CDATA of the direct children, concatenated
  std::string DeepText() const;      // text and CDATA of all descendants, in document order

  Attribute FirstAttribute() const;
  // Value of the first attribute whose local name is `local` (ASCII case-insensitive, any
  // namespace); false when there is none.
  bool AttributeValue(std::string_view local, std::string* out) const;
  // Value of xsi:type without its prefix ("ns0:Ticket" -> "Ticket"); "" when absent.
  std::string XsiTypeLocal() const;
  // The element as text on its own, with the namespaces it uses declared on it.
  std::string Serialize() const;

 private:
  friend struct detail::Access;
  explicit Node(const void* node) : node_(node) {}
  const void* node_ = nullptr;  // xmlNode
};

// Call once from the main thread before any parsing: initialises libxml2 and keeps its error
// reports off stderr.
void InitParser();

// Text escaped for element content and attribute values with all five predefined entities
// (& < > " '). The server's answers use common/text.h's XmlEscape (ASP.NET's choice).
std::string EscapeAll(std::string_view text);

}  // namespace atws::xml
