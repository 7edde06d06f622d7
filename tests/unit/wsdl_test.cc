// The generated WSDLs against the real Autotask WSDLs (tests/data/wsdl), compared structurally:
// operations, bindings (SOAPAction, headers), messages and parts, named types with their element
// order, top-level elements. Documentation text and the soap:address location are ignored.
#include "wsdl/wsdl.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "test_util.h"
#include "xml/xml.h"

namespace {

using atws::catalog::Catalog;
using atws::catalog::Flavour;
using atws::testing::ReadFile;
using atws::wsdl::GenerateWsdl;

constexpr const char* kXsdNs = "http://www.w3.org/2001/XMLSchema";
constexpr const char* kWsdlNs = "http://schemas.xmlsoap.org/wsdl/";
constexpr const char* kSoapNs = "http://schemas.xmlsoap.org/wsdl/soap/";

using Doc = atws::Result<atws::xml::Document>;
using atws::xml::Node;

// Parses without network access, without entity substitution or DTD loading (a DOCTYPE is
// refused), without the server's size and depth limits.
Doc Parse(const std::string& text, std::string* error) {
  atws::xml::ParseOptions options;
  options.max_bytes = text.size();
  options.max_depth = 0;
  options.max_attributes = 0;
  Doc doc = atws::xml::Document::Parse(text, options);
  if (!doc.ok()) *error = doc.status().message();
  return doc;
}

std::string RealWsdl(const char* name) {
  return ReadFile(std::string(ATWS_TEST_DATA) + "/wsdl/" + name);
}

std::string Ns(Node n) { return std::string(n.NamespaceUri()); }
std::string Local(Node n) { return std::string(n.LocalName()); }
bool Is(Node n, const char* ns, const char* local) {
  return n.IsElement() && Ns(n) == ns && Local(n) == local;
}
// The first attribute named `name` (any namespace); "" when none.
std::string Attr(Node n, const std::string& name) {
  for (atws::xml::Attribute a = n.FirstAttribute(); a; a = a.Next())
    if (a.LocalName() == name) return a.Value();
  return "";
}
std::vector<Node> Children(Node n) {
  std::vector<Node> out;
  for (Node c = n.FirstElement(); c; c = c.NextElement()) out.push_back(c);
  return out;
}

std::string Prefix(Node n) {
  const std::string ns = Ns(n);
  if (ns == kXsdNs) return "s:";
  if (ns == kWsdlNs) return "wsdl:";
  if (ns == kSoapNs) return "soap:";
  return "{" + ns + "}";
}

// One line per element of the subtree: indentation, prefixed name, attributes sorted by name.
// Skips wsdl:documentation and the soap:address location; text content is not compared.
void Canonical(Node n, int depth, std::vector<std::string>* lines) {
  if (Is(n, kWsdlNs, "documentation")) return;
  std::map<std::string, std::string> attrs;
  for (atws::xml::Attribute a = n.FirstAttribute(); a; a = a.Next()) {
    const std::string name(a.LocalName());
    attrs[name] = Attr(n, name);
  }
  if (Is(n, kSoapNs, "address")) attrs.erase("location");
  std::string line(static_cast<size_t>(depth) * 2, ' ');
  line += Prefix(n) + Local(n);
  for (const auto& [k, v] : attrs) line += " " + k + "=\"" + v + "\"";
  lines->push_back(line);
  for (const Node c : Children(n)) Canonical(c, depth + 1, lines);
}

// The contract as a map "kind name" -> canonical lines of that item. Kinds: element,
// complexType, simpleType (schema children), message, operation (portType), binding-operation,
// binding, portType, service, definitions (root attributes), schema (schema attributes).
using Contract = std::map<std::string, std::vector<std::string>>;

Contract Describe(const atws::xml::Document& doc) {
  Contract c;
  const Node root = doc.Root();
  REQUIRE(root);
  REQUIRE(Is(root, kWsdlNs, "definitions"));
  c["definitions"] = {"targetNamespace=" + Attr(root, "targetNamespace")};
  for (const Node top : Children(root)) {
    const std::string name = Attr(top, "name");
    if (Is(top, kWsdlNs, "types")) {
      for (const Node schema : Children(top)) {
        REQUIRE(Is(schema, kXsdNs, "schema"));
        c["schema"] = {"targetNamespace=" + Attr(schema, "targetNamespace"),
                       "elementFormDefault=" + Attr(schema, "elementFormDefault")};
        for (const Node item : Children(schema)) {
          std::vector<std::string> lines;
          Canonical(item, 0, &lines);
          const std::string key = Local(item) + " " + Attr(item, "name");
          INFO("duplicate schema item " << key);
          REQUIRE(c.count(key) == 0);
          c[key] = std::move(lines);
        }
      }
    } else if (Is(top, kWsdlNs, "message")) {
      Canonical(top, 0, &c["message " + name]);
    } else if (Is(top, kWsdlNs, "portType")) {
      c["portType"] = {"name=" + name};
      for (const Node op : Children(top)) Canonical(op, 0, &c["operation " + Attr(op, "name")]);
    } else if (Is(top, kWsdlNs, "binding")) {
      std::vector<std::string>& b = c["binding"];
      b.push_back("name=" + name + " type=" + Attr(top, "type"));
      for (const Node op : Children(top)) {
        if (Is(op, kWsdlNs, "operation")) {
          Canonical(op, 0, &c["binding-operation " + Attr(op, "name")]);
        } else {
          Canonical(op, 1, &b);
        }
      }
    } else if (Is(top, kWsdlNs, "service")) {
      Canonical(top, 0, &c["service " + name]);
    } else {
      Canonical(top, 0, &c["other " + Local(top) + " " + name]);
    }
  }
  return c;
}

std::string Join(const std::vector<std::string>& names, size_t max) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > max) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

// "" when both contracts are the same; otherwise a description of the first difference.
std::string FirstDifference(const Contract& generated, const Contract& real) {
  std::vector<std::string> missing, extra;
  for (const auto& [key, lines] : real) {
    if (generated.count(key) == 0) missing.push_back(key);
  }
  for (const auto& [key, lines] : generated) {
    if (real.count(key) == 0) extra.push_back(key);
  }
  if (!missing.empty()) return "missing from the generated WSDL: " + Join(missing, 12);
  if (!extra.empty()) return "not in the real WSDL: " + Join(extra, 12);
  for (const auto& [key, want] : real) {
    const std::vector<std::string>& got = generated.at(key);
    for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
      const std::string w = i < want.size() ? want[i] : "(nothing)";
      const std::string g = i < got.size() ? got[i] : "(nothing)";
      if (w != g) {
        return key + ", line " + std::to_string(i + 1) + ":\n  real:      " + w +
               "\n  generated: " + g;
      }
    }
  }
  return "";
}

Contract DescribeText(const std::string& text) {
  std::string error;
  Doc doc = Parse(text, &error);
  INFO(error);
  REQUIRE(doc.ok());
  return Describe(*doc);
}

std::vector<std::string> Keys(const Contract& c, const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& [key, lines] : c) {
    if (key.rfind(kind + " ", 0) == 0) out.push_back(key.substr(kind.size() + 1));
  }
  return out;
}

// Names of the s:element descendants of an item, in document order.
std::vector<std::string> ElementNames(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& l : lines) {
    // Skip the item's own line (depth 0): a top-level s:element names itself.
    if (l.empty() || l[0] != ' ' || l.find("s:element ") == std::string::npos) continue;
    size_t p = l.find(" name=\"");
    if (p == std::string::npos) continue;
    p += 7;
    out.push_back(l.substr(p, l.find('"', p) - p));
  }
  return out;
}

bool IsSubsequence(const std::vector<std::string>& small, const std::vector<std::string>& big) {
  size_t j = 0;
  for (const std::string& s : big) {
    if (j < small.size() && small[j] == s) ++j;
  }
  return j == small.size();
}

const char kAddress[] = "http://127.0.0.1:8080/ATServices/1.6/atws.asmx";

}  // namespace

TEST_CASE("the 2018 flavour has the structure of the real 2018 1.6 WSDL", "[unit][wsdl]") {
  const Contract real = DescribeText(RealWsdl("atws-1.6.wsdl"));
  const Contract gen = DescribeText(GenerateWsdl(Catalog::Default(), Flavour::kV2018, kAddress));
  REQUIRE(Keys(real, "operation").size() == 14);
  REQUIRE(Keys(real, "complexType").size() > 128);
  const std::string diff = FirstDifference(gen, real);
  INFO(diff);
  CHECK(diff.empty());
}

TEST_CASE("the 1.5 flavour has the structure of the real 1.5 WSDL", "[unit][wsdl]") {
  const Contract real = DescribeText(RealWsdl("atws-1.5.wsdl"));
  const Contract gen = DescribeText(GenerateWsdl(Catalog::Default(), Flavour::kV15, kAddress));
  REQUIRE(Keys(real, "operation").size() == 14);
  const std::string diff = FirstDifference(gen, real);
  INFO(diff);
  CHECK(diff.empty());
}

TEST_CASE("the current flavour extends the 2018 flavour", "[unit][wsdl]") {
  const Catalog& cat = Catalog::Default();
  const Contract v2018 = DescribeText(GenerateWsdl(cat, Flavour::kV2018, kAddress));
  const Contract cur = DescribeText(GenerateWsdl(cat, Flavour::kCurrent, kAddress));

  SECTION("every item of 2018 is in current, with its elements in the same relative order") {
    for (const auto& [key, lines] : v2018) {
      INFO(key);
      REQUIRE(cur.count(key) == 1);
      const std::vector<std::string> old_names = ElementNames(lines);
      const std::vector<std::string> new_names = ElementNames(cur.at(key));
      INFO("2018:    " << Join(old_names, 200));
      INFO("current: " << Join(new_names, 200));
      CHECK(IsSubsequence(old_names, new_names));
    }
  }
  SECTION("operations unchanged from 2018 are bound the same way") {
    for (const std::string& op : Keys(v2018, "binding-operation")) {
      INFO(op);
      CHECK(cur.at("binding-operation " + op) == v2018.at("binding-operation " + op));
      CHECK(cur.at("operation " + op) == v2018.at("operation " + op));
    }
  }
  SECTION("IntegrationCodeCheck is a 15th operation with the AutotaskIntegrations header") {
    CHECK(Keys(cur, "operation").size() == 15);
    const std::vector<std::string> expected = {
        "wsdl:operation name=\"IntegrationCodeCheck\"",
        "  soap:operation soapAction=\"http://autotask.net/ATWS/v1_6/IntegrationCodeCheck\" "
        "style=\"document\"",
        "  wsdl:input",
        "    soap:body use=\"literal\"",
        "    soap:header message=\"tns:IntegrationCodeCheckAutotaskIntegrations\" "
        "part=\"AutotaskIntegrations\" use=\"literal\"",
        "  wsdl:output",
        "    soap:body use=\"literal\"",
    };
    CHECK(cur.at("binding-operation IntegrationCodeCheck") == expected);
    CHECK(ElementNames(cur.at("element IntegrationCodeCheck")) ==
          std::vector<std::string>{"userName"});
    CHECK(ElementNames(cur.at("element IntegrationCodeCheckResponse")) ==
          std::vector<std::string>{"IntegrationCodeCheckResult"});
    CHECK(ElementNames(cur.at("complexType ATWSIntegrationCodeCheckResponse")) ==
          std::vector<std::string>{"ReturnCode", "Errors", "IsApiUser",
                                   "IsIntegrationCodeAssociated"});
    CHECK(cur.count("message IntegrationCodeCheckSoapIn") == 1);
    CHECK(cur.count("message IntegrationCodeCheckSoapOut") == 1);
    CHECK(cur.count("message IntegrationCodeCheckAutotaskIntegrations") == 1);
  }
  SECTION("EntityInfo and Field carry the newer elements in their places") {
    CHECK(ElementNames(cur.at("complexType EntityInfo")) ==
          std::vector<std::string>{"Name", "CanUpdate", "CanDelete", "CanCreate", "CanQuery",
                                   "UserAccessForCreate", "UserAccessForQuery",
                                   "UserAccessForUpdate", "UserAccessForDelete",
                                   "HasUserDefinedFields", "SupportsWebhookCallouts"});
    CHECK(ElementNames(cur.at("complexType Field")).back() == "IsSupportedWebhookField");
    CHECK(ElementNames(v2018.at("complexType Field")).back() == "DefaultValue");
  }
  SECTION("every entity of the catalog has a type in current (167)") {
    size_t entity_types = 0;
    for (const auto& [key, lines] : cur) {
      if (key.rfind("complexType ", 0) == 0 && lines.size() > 2 &&
          lines[2].find("base=\"tns:Entity\"") != std::string::npos) {
        ++entity_types;
      }
    }
    CHECK(entity_types == cat.entities().size());
    CHECK(entity_types == 167);
  }
}

TEST_CASE("the generated WSDL is well-formed and names the given soap:address", "[unit][wsdl]") {
  const Catalog& cat = Catalog::Default();
  const std::string address = "http://localhost:9/x/atws.asmx?a=1&b=<2>\"";
  for (Flavour f : {Flavour::kV15, Flavour::kV2018, Flavour::kCurrent}) {
    INFO(atws::catalog::FlavourName(f));
    const std::string text = GenerateWsdl(cat, f, address);
    CHECK(text.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<wsdl:definitions ", 0) == 0);
    CHECK(text.find("{{") == std::string::npos);
    std::string error;
    Doc doc = Parse(text, &error);
    INFO(error);
    REQUIRE(doc.ok());
    const Node root = doc->Root();
    CHECK(Attr(root, "targetNamespace") == atws::wsdl::TargetNamespace(f));
    std::vector<std::string> locations;
    for (const Node svc : Children(root)) {
      if (!Is(svc, kWsdlNs, "service")) continue;
      for (const Node port : Children(svc)) {
        for (const Node a : Children(port)) {
          if (Is(a, kSoapNs, "address")) locations.push_back(Attr(a, "location"));
        }
      }
    }
    CHECK(locations == std::vector<std::string>{address});
  }
  CHECK(atws::wsdl::TargetNamespace(Flavour::kV15) == "http://autotask.net/ATWS/v1_5/");
  CHECK(atws::wsdl::TargetNamespace(Flavour::kCurrent) == "http://autotask.net/ATWS/v1_6/");
}

TEST_CASE("generating a WSDL takes well under 50 ms", "[unit][wsdl]") {
  const Catalog& cat = Catalog::Default();
  GenerateWsdl(cat, Flavour::kCurrent, kAddress);  // first use parses the catalog and template
  auto best = std::chrono::nanoseconds::max();
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const std::string text = GenerateWsdl(cat, Flavour::kCurrent, kAddress);
    best = std::min(best, std::chrono::steady_clock::now() - start);
    REQUIRE(!text.empty());
  }
  CHECK(best < std::chrono::milliseconds(50));
}
