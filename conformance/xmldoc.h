// XML documents for the conformance runner: hardened parsing (libxml2, no network, no DTD, no
// entity expansion), namespace stripping so that scenario authors write plain XPath
// (//EntityResults/Entity[1]/Status), and XPath 1.0 evaluation returning strings.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

struct _xmlDoc;

namespace atws::conformance::xmldoc {

class Doc {
 public:
  // Parses `text`. A DOCTYPE is refused. With `strip_namespaces`, every element and attribute
  // loses its namespace (xsi:type becomes @type) and namespace declarations are dropped.
  // nullptr + *error ("line 3: …") when the text is not well-formed XML.
  static std::unique_ptr<Doc> Parse(const std::string& text, bool strip_namespaces,
                                    std::string* error);
  ~Doc();
  Doc(const Doc&) = delete;
  Doc& operator=(const Doc&) = delete;

  // Evaluates an XPath 1.0 expression. A node-set gives the text of each node, in document
  // order (an attribute its value); a number, string or boolean gives one string ("3", "2.5",
  // "true"). *is_nodeset tells which. False + *error when the expression is invalid.
  bool Eval(const std::string& xpath, std::vector<std::string>* values, bool* is_nodeset,
            std::string* error) const;

  // The document as a list of elements in document order, for normalised comparison.
  struct FlatNode {
    int depth = 0;
    std::string name;                                        // local name
    std::vector<std::pair<std::string, std::string>> attrs;  // sorted by name
    std::string text;  // the element's own text (trimmed); for leaves only
    bool leaf = true;
  };
  std::vector<FlatNode> Flatten() const;

  _xmlDoc* get() const { return doc_; }

 private:
  explicit Doc(_xmlDoc* doc) : doc_(doc) {}
  _xmlDoc* doc_;
};

// Whether `xpath` compiles as XPath 1.0 (functions are looked up only when evaluated). Quiet:
// the reason goes to *error.
bool XPathCompiles(const std::string& xpath, std::string* error);

// XML-escapes text for element content and attribute values (& < > " ').
std::string Escape(const std::string& text);

}  // namespace atws::conformance::xmldoc
