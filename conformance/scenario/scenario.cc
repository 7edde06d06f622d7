#include "conformance/scenario/scenario.h"

#include <regex>
#include <set>

namespace atws::conformance::scenario {
namespace {

const std::set<std::string> kBuiltins = {
    "tenant",      "user",    "zone",    "other_zone", "zone_url",
    "neutral_url", "web_url", "origin",  "prefix",     "integration_code",
    "run",         "version", "wsdl_url"};

}  // namespace

std::string Check::Describe() const {
  std::string out = kind;
  if (!arg.empty()) out += " " + arg;
  if (!select.empty()) out += " (" + select + ")";
  for (const auto& m : matchers) {
    out += " " + m.op;
    if (!m.value.empty() || m.op == "equals") out += " '" + m.value + "'";
  }
  if (matchers.empty()) out += kind == "fault" || kind == "error" ? " present" : " exists";
  return out;
}

bool Step::Writes() const {
  if (kind != StepKind::kCall) return false;
  return operation == "create" || operation == "update" || operation == "delete" ||
         operation == "CreateAttachment" || operation == "DeleteAttachment";
}

std::vector<std::string> ReferencedNames(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = text.find("${", pos)) != std::string::npos) {
    size_t end = text.find('}', pos + 2);
    if (end == std::string::npos) break;
    out.push_back(text.substr(pos + 2, end - pos - 2));
    pos = end + 1;
  }
  return out;
}

bool IsBuiltinName(const std::string& name) {
  if (kBuiltins.count(name)) return true;
  // Functions: datetime:+7d, date:-1d, datetime:+2h, datetime:+30m, datetime:+0d.
  static const std::regex kFunction(R"((datetime|date):[+-][0-9]{1,4}[dhm])");
  return std::regex_match(name, kFunction);
}

}  // namespace atws::conformance::scenario
