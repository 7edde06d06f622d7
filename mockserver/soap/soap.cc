#include "soap/soap.h"

#include <fmt/format.h>

#include <vector>

#include "common/text.h"
#include "xml/xml.h"

namespace atws::soap {

using xml::FirstChildElement;
using xml::LocalName;
using xml::NextElement;

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

bool IsNil(const xmlNode* n) {
  for (const xmlAttr* a = n->properties; a; a = a->next) {
    if (std::string_view(reinterpret_cast<const char*>(a->name)) != "nil") continue;
    std::string v;
    xml::Attribute(n, "nil", &v);
    return v == "true" || v == "1";
  }
  return false;
}

void DecodeEntity(const xmlNode* e, EntityArg* out) {
  out->type = xml::XsiTypeLocal(e);
  for (const xmlNode* c = FirstChildElement(e); c; c = NextElement(c)) {
    std::string_view name = LocalName(c);
    if (name == "UserDefinedFields") {
      for (const xmlNode* u = FirstChildElement(c, "UserDefinedField"); u;
           u = NextElement(u, "UserDefinedField")) {
        FieldArg f;
        f.name = std::string(Trim(xml::DirectText(FirstChildElement(u, "Name"))));
        const xmlNode* v = FirstChildElement(u, "Value");
        if (!v || IsNil(v))
          f.nil = true;
        else
          f.text = xml::DirectText(v);
        out->udfs.push_back(std::move(f));
      }
      continue;
    }
    if (name == "Fields") continue;  // declared by the WSDL, unused by the API
    FieldArg f;
    f.name = std::string(name);
    f.nil = IsNil(c);
    if (!f.nil) f.text = xml::DirectText(c);
    out->fields.push_back(std::move(f));
  }
}

}  // namespace

bool Decode(std::string_view body, const DecodeLimits& limits, Request* out, std::string* error) {
  xml::ParseLimits pl;
  pl.max_bytes = limits.max_bytes;
  pl.max_depth = limits.max_depth;
  xml::DocPtr doc = xml::ParseSafe(body, pl, error);
  if (!doc) return false;
  const xmlNode* env = xmlDocGetRootElement(doc.get());
  if (LocalName(env) != "Envelope") {
    *error = fmt::format("The root element is '{}'; a SOAP 1.1 Envelope is expected.",
                         LocalName(env).substr(0, 100));
    return false;
  }
  if (xml::NamespaceUri(env) == kSoap12EnvelopeNs) {
    *error =
        "SOAP 1.2 is not supported by this endpoint; send a SOAP 1.1 envelope "
        "(namespace http://schemas.xmlsoap.org/soap/envelope/).";
    return false;
  }
  if (xml::NamespaceUri(env) != kEnvelopeNs) {
    *error =
        "The Envelope is not in the SOAP 1.1 namespace http://schemas.xmlsoap.org/soap/envelope/.";
    return false;
  }
  const xmlNode* header = nullptr;
  const xmlNode* bodyel = nullptr;
  for (const xmlNode* c = FirstChildElement(env); c; c = NextElement(c)) {
    if (xml::NamespaceUri(c) != kEnvelopeNs) continue;
    if (LocalName(c) == "Header" && !header) header = c;
    if (LocalName(c) == "Body" && !bodyel) bodyel = c;
  }
  if (!bodyel) {
    *error = "The SOAP Envelope has no Body.";
    return false;
  }
  const xmlNode* op = FirstChildElement(bodyel);
  if (!op) {
    *error = "The SOAP Body is empty.";
    return false;
  }
  out->operation = std::string(LocalName(op));
  out->body_ns = std::string(xml::NamespaceUri(op));
  if (header) {
    if (const xmlNode* ai = FirstChildElement(header, "AutotaskIntegrations")) {
      out->has_integrations_header = true;
      if (const xmlNode* ic = FirstChildElement(ai, "IntegrationCode")) {
        out->has_integration_code = true;
        out->integration_code = std::string(Trim(xml::DirectText(ic)));
      }
      if (const xmlNode* p = FirstChildElement(ai, "PartnerID"))
        out->partner_id = std::string(Trim(xml::DirectText(p)));
      if (const xmlNode* im = FirstChildElement(ai, "ImpersonateAsResourceID")) {
        long long v = 0;
        out->has_impersonate_as = true;
        out->impersonate_as_text = std::string(Trim(xml::DirectText(im)));
        if (ParseInt64(out->impersonate_as_text, &v)) out->impersonate_as = v;
      }
    }
  }
  for (const xmlNode* c = FirstChildElement(op); c; c = NextElement(c)) {
    std::string_view name = LocalName(c);
    if (name == "Entities") {
      for (const xmlNode* e = FirstChildElement(c); e; e = NextElement(e)) {
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
      if (const xmlNode* info = FirstChildElement(c, "Info"))
        DecodeEntity(info, &out->attachment_info);
      if (const xmlNode* data = FirstChildElement(c, "Data"))
        out->attachment_data = xml::DirectText(data);
      continue;
    }
    // Text of the whole element: python-atws nests <psObjectType> inside <psObjectType>.
    out->args.emplace_back(std::string(name), xml::DeepText(c));
  }
  return true;
}

bool DecodeEntityDocument(std::string_view text, const DecodeLimits& limits,
                          std::vector<EntityArg>* out, std::string* error) {
  xml::ParseLimits pl;
  pl.max_bytes = limits.max_bytes;
  pl.max_depth = limits.max_depth;
  xml::DocPtr doc = xml::ParseSafe(text, pl, error);
  if (!doc) return false;
  // Depth-first, without recursion: an Entity's own children are not searched.
  std::vector<const xmlNode*> stack = {xmlDocGetRootElement(doc.get())};
  while (!stack.empty()) {
    const xmlNode* n = stack.back();
    stack.pop_back();
    if (LocalName(n) == "Entity" && !xml::XsiTypeLocal(n).empty()) {
      if (out->size() >= limits.max_entities) {
        *error = fmt::format("Too many entities in one document (limit {}).", limits.max_entities);
        return false;
      }
      EntityArg ea;
      DecodeEntity(n, &ea);
      out->push_back(std::move(ea));
      continue;
    }
    std::vector<const xmlNode*> children;
    for (const xmlNode* c = FirstChildElement(n); c; c = NextElement(c)) children.push_back(c);
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
