// libFuzzer target: the conformance scenario loader (conformance/scenario.h LoadScenario:
// parse, XSD validation, checks) with the project's schema.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "conformance/scenario/loader.h"

namespace {

const atws::conformance::scenario::Schema& TheSchema() {
  static std::unique_ptr<atws::conformance::scenario::Schema> s = [] {
    std::string err;
    auto schema = atws::conformance::scenario::Schema::FromFile(ATWS_SCENARIO_XSD, &err);
    if (!schema) {
      std::fprintf(stderr, "schema: %s\n", err.c_str());
      std::abort();
    }
    return schema;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  TheSchema();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string content(reinterpret_cast<const char*>(data), size);
  atws::conformance::scenario::Scenario s;
  std::vector<atws::conformance::scenario::LoadError> errors;
  bool ok =
      atws::conformance::scenario::LoadScenario(TheSchema(), "fuzz.xml", content, &s, &errors);
  if (!ok && errors.empty()) __builtin_trap();  // a refusal always says why
  return 0;
}
