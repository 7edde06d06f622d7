// Matching and substitution for conformance scenarios: ${name} references, the matchers of a
// check (equals, contains, matches, type, absent, gt …) applied to the values a check selects,
// and the normalisation that lets `diff` compare two endpoints' answers. Pure functions of their
// arguments (thread-safe; Substitute reads the clock when not given `now`). A value that does
// not match or cannot be substituted is reported through the return value and *why / *missing.
#pragma once

#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "conformance/scenario/scenario.h"

namespace atws::conformance::scenario {

using Vars = std::map<std::string, std::string>;

// Replaces every ${name} in `text` with its value from `vars` (or a function: datetime:+7d is
// now + 7 days as 2026-12-05T10:00:00 in UTC, date:+0d today as 2026-11-28). With `escape_xml`
// the values are XML-escaped (bodies of calls). False + *missing = the first unknown name.
// `now` is seconds since 1970 (tests pass a fixed one; 0 = the current time).
bool Substitute(const std::string& text, const Vars& vars, bool escape_xml, std::string* out,
                std::string* missing, std::time_t now = 0);

// Applies a check's matchers to `values` (what the check selected: node texts, one header per
// entry, one status …). `is_set` says whether `values` is a node-set (absent = empty) or a single
// scalar. Matchers must already be substituted. Returns true when every matcher holds; else
// *why says which did not and what was found.
bool ApplyMatchers(const Check& check, const std::vector<std::string>& values, std::string* why);

// The kind's default selection: any for error, first otherwise.
std::string DefaultSelect(const std::string& kind);

// Comparison of two values as numbers, else as date-times (2026-01-02T03:04:05.12, with T or a
// space, fraction optional), else refused. *result < 0, 0, > 0. False when not comparable.
bool CompareValues(const std::string& a, const std::string& b, int* result);

bool IsInteger(const std::string& s);
bool IsNumber(const std::string& s, double* value = nullptr);
bool IsDateTime(const std::string& s);

// Normalisation for `diff`: masks what legitimately differs between two endpoints or two runs
// (ids, date-times, ticket and project numbers, the run token, URLs' origins, usage counts,
// large numbers), so that equal behaviour gives equal text.
std::string MaskText(const std::string& text);
// Whether an element's text is an id by its name (id, …ID, …Id, EntityId, CI …).
bool IsIdElement(const std::string& name);

}  // namespace atws::conformance::scenario
