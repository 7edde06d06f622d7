// libFuzzer target: the SOAP envelope decoder (soap::Decode over the hardened
// xml::Document::Parse), with the limits the service uses. Any crash, sanitizer report or leak
// is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "soap/soap.h"
#include "xml/xml.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  atws::xml::InitParser();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  atws::soap::DecodeLimits limits;
  atws::soap::Request req;
  std::string error;
  if (atws::soap::Decode(body, limits, &req, &error)) {
    // What the service reads next: the operation, its arguments and entities.
    for (const auto& a : req.args) (void)req.Arg(a.first);
    (void)req.Arg("sXML");
  } else if (error.empty()) {
    __builtin_trap();  // a refusal always says why
  }
  return 0;
}
