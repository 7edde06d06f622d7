// Private to mockserver/xml/: the libxml2 pointers behind Document, Node and Attribute.
#pragma once

#include <libxml/tree.h>

#include "xml/xml.h"

namespace atws::xml::detail {

struct Access {
  static xmlDoc* Doc(const Document& d) { return static_cast<xmlDoc*>(d.doc_); }
  static const xmlNode* Raw(Node n) { return static_cast<const xmlNode*>(n.node_); }
  static Node MakeNode(const xmlNode* n) { return Node(n); }
  static const xmlAttr* Raw(Attribute a) { return static_cast<const xmlAttr*>(a.attr_); }
};

}  // namespace atws::xml::detail
