// Reading conformance scenarios: LoadScenarioFile validates a file against conformance/
// scenario.xsd (atws_xml: no network, no DTD, no entity expansion) and then checks what the
// schema cannot say (references, captures, prefixes of what a writing scenario creates). Every
// error names the file and the line; a loader returns false with all the errors it found.
// A Schema is thread-compatible: one may validate many files, one at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "conformance/scenario/scenario.h"

namespace atws::conformance::scenario {

struct LoadError {
  std::string file;
  int line = 0;
  std::string message;
  std::string ToString() const;  // "file:line: message"
};

// The schema, from a file (nullptr + *error when it cannot be read or is not a valid XSD).
// Thread-compatible: one Schema may validate many files, one at a time.
class Schema {
 public:
  static std::unique_ptr<Schema> FromFile(const std::string& path, std::string* error);
  static std::unique_ptr<Schema> FromString(const std::string& xsd, std::string* error);
  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  struct Impl;
  Impl* impl() const { return impl_.get(); }

 private:
  Schema();
  std::unique_ptr<Impl> impl_;
};

// Parses, validates and checks one scenario. `content` is the file's bytes; `file` names it in
// errors. Returns false with every error found (at least one).
bool LoadScenario(const Schema& schema, const std::string& file, const std::string& content,
                  Scenario* out, std::vector<LoadError>* errors);
bool LoadScenarioFile(const Schema& schema, const std::string& path, Scenario* out,
                      std::vector<LoadError>* errors);

// Every *.xml in `dir` (not recursive), sorted by file name. Duplicate ids are errors.
bool LoadScenarioDir(const Schema& schema, const std::string& dir, std::vector<Scenario>* out,
                     std::vector<LoadError>* errors);

// Where the scenarios and the schema are: `--scenarios` when given, else
// <dir of the executable>/../share/atws-sandbox/conformance/scenarios when installed, else the
// source tree's conformance/scenarios (compile definition ATWS_CONFORMANCE_SOURCE_DIR).
std::string DefaultScenarioDir();
// scenario.xsd beside the scenarios directory (its parent), else in the source tree.
std::string FindSchemaFile(const std::string& scenario_dir);

}  // namespace atws::conformance::scenario
