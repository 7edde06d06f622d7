// Normalised answers for `atws-conformance diff`: what two endpoints answered to the same step,
// as lines of text in which everything that legitimately differs (ids, date-times, ticket
// numbers, the run's token, hosts and ports, usage counts, durations) is masked, so that equal
// behaviour gives equal lines. Pure functions of their arguments (thread-safe).
#pragma once

#include <string>
#include <vector>

#include "conformance/runner/runner.h"

namespace atws::conformance::scenario {

enum class NormaliseLevel {
  // Every element and value, masked (two mocks with the same data).
  kStrict,
  // Structure and the API's own texts: which elements and fields appear with which xsi:type,
  // ReturnCode, error and fault texts, entity counts by class (0, 1, 2–499, 500); the values of
  // entities, fields and picklists are left out (a mock against a real sandbox: different data).
  kShape,
};

// The step's answer as normalised lines ("HTTP 200", then the body).
std::vector<std::string> NormaliseAnswer(const StepResult& step, NormaliseLevel level);

// Lines only in `a` ("- …") and only in `b` ("+ …"), in order, with up to `context` equal lines
// around each change ("  …"). Empty when equal. At most `max_lines` lines (then "…").
std::vector<std::string> DiffLines(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b, size_t max_lines = 40);

}  // namespace atws::conformance::scenario
