#include "wsdl/wsdl.h"

#include <cstddef>
#include <stdexcept>
#include <vector>

#include "common/text.h"

namespace atws::wsdl {
namespace internal {
// Defined in the generated atws_wsdl_template.cc (see embed.cmake).
extern const char kAtwsWsdlTemplate[];
extern const std::size_t kAtwsWsdlTemplateSize;
}  // namespace internal

namespace {

using catalog::Flavour;

// One piece of the parsed template.
enum class Piece : unsigned char {
  kText,         // literal text
  kNamespace,    // {{ns}}
  kVersion,      // {{version}}
  kAddress,      // {{address}}
  kEntityTypes,  // {{entity_types}}
  kOpenV16,      // {{#v16}}
  kOpenCurrent,  // {{#current}}
  kClose,        // {{/v16}} or {{/current}}
};

struct Token {
  Piece piece;
  std::string_view text;  // for kText
};

struct ParsedTemplate {
  std::vector<Token> tokens;
  size_t literal_bytes = 0;
};

[[noreturn]] void TemplateError(const std::string& what) {
  throw std::logic_error("WSDL template: " + what);
}

// Splits the embedded template into literal text and tags. A tag that starts a line and is
// followed by a line break takes the line break with it, so section and comment lines leave no
// blank line behind. Throws std::logic_error on an unknown tag or unbalanced sections.
ParsedTemplate ParseTemplate(std::string_view src) {
  ParsedTemplate out;
  std::vector<std::string_view> open;  // names of the open sections
  size_t pos = 0;
  auto add_text = [&](std::string_view t) {
    if (t.empty()) return;
    out.tokens.push_back({Piece::kText, t});
    out.literal_bytes += t.size();
  };
  while (pos < src.size()) {
    size_t start = src.find("{{", pos);
    if (start == std::string_view::npos) {
      add_text(src.substr(pos));
      break;
    }
    add_text(src.substr(pos, start - pos));
    size_t end;
    std::string_view name;
    if (src.compare(start, 3, "{{!") == 0) {
      size_t close = src.find("!}}", start + 3);
      if (close == std::string_view::npos) TemplateError("unterminated comment");
      end = close + 3;
    } else {
      size_t close = src.find("}}", start + 2);
      if (close == std::string_view::npos) TemplateError("unterminated tag");
      name = src.substr(start + 2, close - start - 2);
      end = close + 2;
      if (name == "ns") {
        out.tokens.push_back({Piece::kNamespace, {}});
      } else if (name == "version") {
        out.tokens.push_back({Piece::kVersion, {}});
      } else if (name == "address") {
        out.tokens.push_back({Piece::kAddress, {}});
      } else if (name == "entity_types") {
        out.tokens.push_back({Piece::kEntityTypes, {}});
      } else if (name == "#v16" || name == "#current") {
        out.tokens.push_back({name == "#v16" ? Piece::kOpenV16 : Piece::kOpenCurrent, {}});
        open.push_back(name.substr(1));
      } else if (name == "/v16" || name == "/current") {
        if (open.empty() || open.back() != name.substr(1)) {
          TemplateError("{{" + std::string(name) + "}} closes no open section");
        }
        open.pop_back();
        out.tokens.push_back({Piece::kClose, {}});
      } else {
        TemplateError("unknown tag {{" + std::string(name) + "}}");
      }
    }
    bool line_start = start == 0 || src[start - 1] == '\n';
    if (line_start && end < src.size() && src[end] == '\n') ++end;
    pos = end;
  }
  if (!open.empty()) TemplateError("section {{#" + std::string(open.back()) + "}} is not closed");
  return out;
}

const ParsedTemplate& Template() {
  static const ParsedTemplate parsed =
      ParseTemplate(std::string_view(internal::kAtwsWsdlTemplate, internal::kAtwsWsdlTemplateSize));
  return parsed;
}

// Entity elements that the real WSDLs declare with a type. Every other entity element is untyped
// (anyType) and optional, but both the 1.5 and the 2018 1.6 WSDL declare these three
// NotificationHistory elements as required s:boolean (non-nullable properties on the server's
// class). Nothing in the field metadata sets them apart, so they are listed here; the newer 1.6
// contract is assumed to keep them.
struct TypedElement {
  std::string_view entity, field, type;
};
constexpr TypedElement kTypedElements[] = {
    {"NotificationHistory", "IsDeleted", "s:boolean"},
    {"NotificationHistory", "IsActive", "s:boolean"},
    {"NotificationHistory", "IsTemplateJob", "s:boolean"},
};

bool HasTypedElements(std::string_view entity) {
  for (const TypedElement& t : kTypedElements) {
    if (t.entity == entity) return true;
  }
  return false;
}

// The XSD type of a typed element, or "" for the usual untyped one.
std::string_view ElementType(std::string_view entity, std::string_view field) {
  for (const TypedElement& t : kTypedElements) {
    if (t.entity == entity && t.field == field) return t.type;
  }
  return {};
}

// Each entity extends tns:Entity with a sequence of untyped (anyType) optional elements, one per
// field in the flavour's WSDL element order (values travel with xsi:type); kTypedElements lists
// the exceptions.
void AppendEntityTypes(const catalog::Catalog& cat, Flavour flavour, std::string* out) {
  const int f = static_cast<int>(flavour);
  for (const catalog::Entity& e : cat.entities()) {
    if (!e.InFlavour(flavour)) continue;
    const bool typed = HasTypedElements(e.name);
    out->append("      <s:complexType name=\"");
    AppendXmlEscaped(out, e.name);
    out->append(
        "\">\n"
        "        <s:complexContent mixed=\"false\">\n"
        "          <s:extension base=\"tns:Entity\">\n");
    const std::vector<int>& order = e.order[f];
    if (order.empty()) {
      out->append("            <s:sequence />\n");
    } else {
      out->append("            <s:sequence>\n");
      for (int index : order) {
        const std::string& field = e.fields.at(static_cast<size_t>(index)).name;
        const std::string_view type = typed ? ElementType(e.name, field) : std::string_view();
        out->append(type.empty() ? "              <s:element minOccurs=\"0\""
                                 : "              <s:element minOccurs=\"1\"");
        out->append(" maxOccurs=\"1\" name=\"");
        AppendXmlEscaped(out, field);
        if (!type.empty()) {
          out->append("\" type=\"");
          out->append(type);
        }
        out->append("\" />\n");
      }
      out->append("            </s:sequence>\n");
    }
    out->append(
        "          </s:extension>\n"
        "        </s:complexContent>\n"
        "      </s:complexType>\n");
  }
}

size_t EstimateEntityBytes(const catalog::Catalog& cat, Flavour flavour) {
  size_t bytes = 0;
  for (const catalog::Entity& e : cat.entities()) {
    if (e.InFlavour(flavour)) bytes += 300 + 80 * e.order[static_cast<int>(flavour)].size();
  }
  return bytes;
}

}  // namespace

std::string_view TargetNamespace(Flavour flavour) {
  return flavour == Flavour::kV15 ? "http://autotask.net/ATWS/v1_5/"
                                  : "http://autotask.net/ATWS/v1_6/";
}

std::string GenerateWsdl(const catalog::Catalog& catalog, Flavour flavour,
                         std::string_view soap_address) {
  const ParsedTemplate& tpl = Template();
  const std::string_view ns = TargetNamespace(flavour);
  const std::string_view version = flavour == Flavour::kV15 ? "1.5" : "1.6";
  const bool v16 = flavour != Flavour::kV15;
  const bool current = catalog::NewerContract(flavour);  // {{#current}}: current and localized

  std::string out;
  out.reserve(tpl.literal_bytes + 64 * ns.size() + 2 * soap_address.size() +
              EstimateEntityBytes(catalog, flavour));
  int skipping = 0;  // > 0 inside a section whose condition is false (nesting depth)
  for (const Token& t : tpl.tokens) {
    if (skipping > 0) {
      if (t.piece == Piece::kOpenV16 || t.piece == Piece::kOpenCurrent) ++skipping;
      if (t.piece == Piece::kClose) --skipping;
      continue;
    }
    switch (t.piece) {
      case Piece::kText:
        out.append(t.text);
        break;
      case Piece::kNamespace:
        out.append(ns);
        break;
      case Piece::kVersion:
        out.append(version);
        break;
      case Piece::kAddress:
        AppendXmlEscaped(&out, soap_address);
        break;
      case Piece::kEntityTypes:
        AppendEntityTypes(catalog, flavour, &out);
        break;
      case Piece::kOpenV16:
        if (!v16) skipping = 1;
        break;
      case Piece::kOpenCurrent:
        if (!current) skipping = 1;
        break;
      case Piece::kClose:
        break;
    }
  }
  return out;
}

}  // namespace atws::wsdl
