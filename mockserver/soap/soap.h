// SOAP 1.1 envelopes as real Autotask clients send them (any prefixes, Body prefix different
// from the Envelope's, values with or without xsi:type, SOAP::Lite's encodingStyle …), decoded
// into an operation and its arguments; and the pieces of the responses' envelopes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atws::soap {

enum class ApiVersion { k15, k16 };
std::string_view Namespace(ApiVersion v);  // "http://autotask.net/ATWS/v1_6/"

constexpr std::string_view kEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kSoap12EnvelopeNs = "http://www.w3.org/2003/05/soap-envelope";

struct FieldArg {
  std::string name;
  std::string text;
  bool nil = false;  // xsi:nil="true"
};

// One <Entity> of create/update/delete (or an attachment's Info).
struct EntityArg {
  std::string type;              // xsi:type without prefix ("Ticket"); empty when absent
  std::vector<FieldArg> fields;  // in document order; includes id when sent
  std::vector<FieldArg> udfs;    // UserDefinedFields/UserDefinedField {Name, Value}
};

struct Request {
  std::string operation;  // body element's local name as sent ("query", "GetEntityInfo" …)
  std::string body_ns;    // its namespace
  // AutotaskIntegrations header.
  bool has_integrations_header = false;
  bool has_integration_code = false;
  std::string integration_code;
  std::string partner_id;
  long long impersonate_as = 0;
  bool has_impersonate_as = false;  // the ImpersonateAsResourceID element was sent
  std::string impersonate_as_text;  // its text as sent (trimmed)
  // Simple arguments: (local name, text), e.g. ("sXML", "<queryxml>…"), ("psObjectType", …).
  std::vector<std::pair<std::string, std::string>> args;
  std::vector<EntityArg> entities;  // create / update / delete
  bool has_attachment = false;
  EntityArg attachment_info;
  std::string attachment_data;  // base64 text as sent

  // The text of a simple argument (exact local name first, then ASCII case-insensitive).
  const std::string* Arg(std::string_view name) const;
};

struct DecodeLimits {
  size_t max_bytes = 16 << 20;
  int max_depth = 64;
  size_t max_entities = 10000;
};

// Decodes an envelope. On failure returns false and sets *error to the faultstring.
bool Decode(std::string_view body, const DecodeLimits& limits, Request* out, std::string* error);

// Every <Entity> element with an xsi:type, anywhere in a document of the API's own entity XML
// (a saved query response, the Entities of a create, or <Entity> elements under any root), in
// document order: fixture sets. False + *error when the document is not well-formed XML or
// holds more than limits.max_entities entities.
bool DecodeEntityDocument(std::string_view xml, const DecodeLimits& limits,
                          std::vector<EntityArg>* out, std::string* error);

// A complete SOAP 1.1 fault envelope (HTTP 500). `code` is "soap:Client" or "soap:Server".
std::string Fault(std::string_view code, std::string_view message);

// Appends the opening of a response envelope up to and including `<{op}Response xmlns="ns">`.
void BeginResponse(std::string* out, std::string_view op, ApiVersion v);
// Appends `</{op}Response></soap:Body></soap:Envelope>`.
void EndResponse(std::string* out, std::string_view op);

// Appends <name>escaped text</name>; an empty text gives <name/>.
void Element(std::string* out, std::string_view name, std::string_view text);
void BoolElement(std::string* out, std::string_view name, bool v);
void IntElement(std::string* out, std::string_view name, long long v);

}  // namespace atws::soap
