#include "soap/soap.h"

#include <fmt/format.h>

#include <vector>

#include "common/text.h"
#include "xml/xml.h"

namespace atws::soap {

using xml::Node;

std::string_view Namespace(ApiVersion v) {
  return v == ApiVersion::k15 ? "http://autotask.net/ATWS/v1_5/" : "http://autotask.net/ATWS/v1_6/";
}

const std::string* Request::Arg(std::string_view name) const {
  for (const auto& a : args)
    if (a.first == name) return &a.second;
  for (const auto& a : args)
    if (AsciiIEquals(a.first, name)) return &a.second;
  return nullptr;
}

namespace {

// An attribute named exactly "nil" (any namespace) marks the element nil when the first
// attribute named so in any case says "true" or "1".
bool IsNil(Node n) {
  for (xml::Attribute a = n.FirstAttribute(); a; a = a.Next()) {
    if (a.LocalName() != "nil") continue;
    std::string v;
    (void)n.AttributeValue("nil", &v);
    return v == "true" || v == "1";
  }
  return false;
}

void DecodeEntity(Node e, EntityArg* out) {
  out->type = e.XsiTypeLocal();
  for (Node c = e.FirstElement(); c; c = c.NextElement()) {
    std::string_view name = c.LocalName();
    if (name == "UserDefinedFields") {
      for (Node u = c.FirstElement("UserDefinedField"); u; u = u.NextElement("UserDefinedField")) {
        FieldArg f;
        f.name = std::string(Trim(u.FirstElement("Name").DirectText()));
        Node v = u.FirstElement("Value");
        if (!v || IsNil(v))
          f.nil = true;
        else
          f.text = v.DirectText();
        out->udfs.push_back(std::move(f));
      }
      continue;
    }
    if (name == "Fields") continue;  // declared by the WSDL, unused by the API
    FieldArg f;
    f.name = std::string(name);
    f.nil = IsNil(c);
    if (!f.nil) f.text = c.DirectText();
    out->fields.push_back(std::move(f));
  }
}

xml::ParseOptions Options(const DecodeLimits& limits) {
  xml::ParseOptions o;
  o.max_bytes = limits.max_bytes;
  o.max_depth = limits.max_depth;
  return o;
}

}  // namespace

bool Decode(std::string_view body, const DecodeLimits& limits, Request* out, std::string* error) {
  Result<xml::Document> doc = xml::Document::Parse(body, Options(limits));
  if (!doc.ok()) return doc.status().Into(error);
  const Node env = doc->Root();
  if (env.LocalName() != "Envelope") {
    *error = fmt::format("The root element is '{}'; a SOAP 1.1 Envelope is expected.",
                         env.LocalName().substr(0, 100));
    return false;
  }
  if (env.NamespaceUri() == kSoap12EnvelopeNs) {
    *error =
        "SOAP 1.2 is not supported by this endpoint; send a SOAP 1.1 envelope "
        "(namespace http://schemas.xmlsoap.org/soap/envelope/).";
    return false;
  }
  if (env.NamespaceUri() != kEnvelopeNs) {
    *error =
        "The Envelope is not in the SOAP 1.1 namespace http://schemas.xmlsoap.org/soap/envelope/.";
    return false;
  }
  Node header;
  Node bodyel;
  for (Node c = env.FirstElement(); c; c = c.NextElement()) {
    if (c.NamespaceUri() != kEnvelopeNs) continue;
    if (c.LocalName() == "Header" && !header) header = c;
    if (c.LocalName() == "Body" && !bodyel) bodyel = c;
  }
  if (!bodyel) {
    *error = "The SOAP Envelope has no Body.";
    return false;
  }
  const Node op = bodyel.FirstElement();
  if (!op) {
    *error = "The SOAP Body is empty.";
    return false;
  }
  out->operation = std::string(op.LocalName());
  out->body_ns = std::string(op.NamespaceUri());
  if (header) {
    if (const Node ai = header.FirstElement("AutotaskIntegrations")) {
      out->has_integrations_header = true;
      if (const Node ic = ai.FirstElement("IntegrationCode")) {
        out->has_integration_code = true;
        out->integration_code = std::string(Trim(ic.DirectText()));
      }
      if (const Node p = ai.FirstElement("PartnerID"))
        out->partner_id = std::string(Trim(p.DirectText()));
      if (const Node im = ai.FirstElement("ImpersonateAsResourceID")) {
        long long v = 0;
        out->has_impersonate_as = true;
        out->impersonate_as_text = std::string(Trim(im.DirectText()));
        if (ParseInt64(out->impersonate_as_text, &v)) out->impersonate_as = v;
      }
    }
  }
  for (Node c = op.FirstElement(); c; c = c.NextElement()) {
    std::string_view name = c.LocalName();
    if (name == "Entities") {
      for (Node e = c.FirstElement(); e; e = e.NextElement()) {
        if (out->entities.size() >= limits.max_entities) {
          *error = fmt::format("Too many entities in one request (limit {}).", limits.max_entities);
          return false;
        }
        EntityArg ea;
        DecodeEntity(e, &ea);
        out->entities.push_back(std::move(ea));
      }
      continue;
    }
    if (name == "attachment") {
      out->has_attachment = true;
      if (const Node info = c.FirstElement("Info")) DecodeEntity(info, &out->attachment_info);
      if (const Node data = c.FirstElement("Data")) out->attachment_data = data.DirectText();
      continue;
    }
    // Text of the whole element: python-atws nests <psObjectType> inside <psObjectType>.
    out->args.emplace_back(std::string(name), c.DeepText());
  }
  return true;
}

bool DecodeEntityDocument(std::string_view text, const DecodeLimits& limits,
                          std::vector<EntityArg>* out, std::string* error) {
  Result<xml::Document> doc = xml::Document::Parse(text, Options(limits));
  if (!doc.ok()) return doc.status().Into(error);
  // Depth-first, without recursion: an Entity's own children are not searched.
  std::vector<Node> stack = {doc->Root()};
  while (!stack.empty()) {
    const Node n = stack.back();
    stack.pop_back();
    if (n.LocalName() == "Entity" && !n.XsiTypeLocal().empty()) {
      if (out->size() >= limits.max_entities) {
        *error = fmt::format("Too many entities in one document (limit {}).", limits.max_entities);
        return false;
      }
      EntityArg ea;
      DecodeEntity(n, &ea);
      out->push_back(std::move(ea));
      continue;
    }
    std::vector<Node> children;
    for (Node c = n.FirstElement(); c; c = c.NextElement()) children.push_back(c);
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
  return true;
}

std::string Fault(std::string_view code, std::string_view message) {
  std::string out;
  out.reserve(400 + message.size());
  out +=
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
      "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body><soap:Fault><faultcode>";
  AppendXmlEscaped(&out, code);
  out += "</faultcode><faultstring>";
  AppendXmlEscaped(&out, message);
  out += "</faultstring><detail/></soap:Fault></soap:Body></soap:Envelope>";
  return out;
}

void BeginResponse(std::string* out, std::string_view op, ApiVersion v) {
  out->append(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
      "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body><");
  out->append(op);
  out->append("Response xmlns=\"");
  out->append(Namespace(v));
  out->append("\">");
}

void EndResponse(std::string* out, std::string_view op) {
  out->append("</");
  out->append(op);
  out->append("Response></soap:Body></soap:Envelope>");
}

void Element(std::string* out, std::string_view name, std::string_view text) {
  out->push_back('<');
  out->append(name);
  if (text.empty()) {
    out->append("/>");
    return;
  }
  out->push_back('>');
  AppendXmlEscaped(out, text);
  out->append("</");
  out->append(name);
  out->push_back('>');
}

void BoolElement(std::string* out, std::string_view name, bool v) {
  Element(out, name, v ? "true" : "false");
}

void IntElement(std::string* out, std::string_view name, long long v) {
  Element(out, name, fmt::format("{}", v));
}

}  // namespace atws::soap
