// The operations of the contract (ops/call.h: OpInfo).
#include "common/text.h"
#include "ops/call.h"

namespace atws::service {

namespace {

const OpInfo kOps[] = {
    {"getZoneInfo", false, false, false},
    {"query", true, true, false},
    {"create", true, true, false},
    {"update", true, true, false},
    {"delete", true, true, false},
    {"GetEntityInfo", false, true, false},
    {"GetFieldInfo", false, true, false},
    {"getUDFInfo", false, true, false},
    {"getThresholdAndUsageInfo", true, true, false},
    {"GetWsdlVersion", false, true, false},
    {"GetInvoiceMarkup", false, true, false},
    {"CreateAttachment", false, true, false},
    {"GetAttachment", false, true, false},
    {"DeleteAttachment", false, true, false},
    {"IntegrationCodeCheck", true, true, true},
};

}  // namespace

const OpInfo* FindOperation(std::string_view name, bool any_case) {
  for (const auto& o : kOps)
    if (any_case ? AsciiIEquals(name, o.name) : name == o.name) return &o;
  return nullptr;
}

std::string WsdlVersionString(catalog::Flavour f) {
  switch (f) {
    case catalog::Flavour::kV15:
      return "1.5.16";
    case catalog::Flavour::kV2018:
      return "1.6.3";
    case catalog::Flavour::kCurrent:
      return "1.6.8";
    case catalog::Flavour::kLocalized:
      return "1.6.7";  // one release behind (A-WSDL-VERSION)
  }
  return "1.6.8";
}

}  // namespace atws::service
