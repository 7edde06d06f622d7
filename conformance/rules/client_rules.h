// The client rules of `atws-conformance check-client`: what an integration did (the mock's
// journal) judged against the API's published best practices. Each rule has an id, a severity,
// an explanation, the fix, a good and a bad example (the texts are data: kRules in
// client_rules.cc; docs/conformance.md shows them), and a check that turns journal entries into
// a verdict with the entries as evidence. The checks are pure functions of the calls, the field
// metadata and the parameters, so tests feed them synthetic journals; with the constant rule
// texts they are thread-safe. A rule that has nothing to judge is "not applicable", never an
// error.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "conformance/rules/client_journal.h"

namespace atws::conformance::clientcheck {

enum class Severity { kError, kWarning, kOff };
enum class Verdict { kPass, kFail, kNotApplicable };

const char* SeverityName(Severity s);  // "error", "warning", "off"
bool ParseSeverity(const std::string& text, Severity* out);
const char* VerdictName(Verdict v);  // "pass", "fail", "not applicable"

struct RuleSpec {
  const char* id;           // "CC-ZONE-FIRST"
  Severity severity;        // default severity
  const char* title;        // one line
  const char* explanation;  // why the API wants it (best-practices page)
  const char* fix;          // what to change in the client
  const char* good;         // a short example of doing it right
  const char* bad;          // … and wrong
};

// Every rule, in report order.
const std::vector<RuleSpec>& AllRules();
const RuleSpec* FindRule(const std::string& id);

// What check-client knows of an entity's fields (from GetFieldInfo after the run).
struct FieldMeta {
  bool picklist = false;
  bool read_only = false;
  std::string type;
};
struct Metadata {
  // entity name (ASCII lower case) -> field name (lower case) -> meta
  std::map<std::string, std::map<std::string, FieldMeta>> entities;
  bool HasEntity(const std::string& entity) const;
  const FieldMeta* Find(const std::string& entity, const std::string& field) const;
  void Add(const std::string& entity, const std::string& field, const FieldMeta& meta);
};

// The measurable criteria. Defaults are documented in docs/conformance.md; check-client has
// options for them.
struct RuleParams {
  int page_size = 500;  // a query that returned this many rows has more
  // Under added latency, the next call must come at least this share of the latency later
  // (a client that waits for each answer is always above 1.0).
  double latency_tolerance = 0.9;
  // After a call refused for suspension, the next call that counts against the threshold must
  // wait at least this long.
  double min_backoff_seconds = 2.0;
  // After the first 401 for the client's user (wrong or expired password), at most this many
  // further calls.
  int max_calls_after_auth_failure = 2;
  // Condition fields that make a poll incremental (prefix match, ASCII case-insensitive).
  std::vector<std::string> change_tracking_prefixes = {"LastModified", "LastActivity",
                                                       "StatusLastModified", "LastTracked"};
  // Fields the integration must leave to the customer (prefix match).
  std::string external_prefix = "External";
  // False when the mock's clock was frozen or moved during the run: the timing rules are then
  // not applicable (the journal's times do not show real gaps).
  bool timing_reliable = true;
  // Severity overrides by rule id (kOff drops the rule).
  std::map<std::string, Severity> severity;
};

struct Evidence {
  unsigned long long seq = 0;  // the journal entry (0: none in particular)
  std::string note;            // what it shows
};

struct RuleResult {
  const RuleSpec* spec = nullptr;
  Severity severity = Severity::kError;  // after overrides
  Verdict verdict = Verdict::kPass;
  std::string summary;  // one line: what was checked / what went wrong
  std::vector<Evidence> evidence;
  size_t evidence_total = 0;  // evidence found, of which at most kMaxEvidence are kept
  static constexpr size_t kMaxEvidence = 25;
};

// Judges every rule (those switched off are left out) on the calls, oldest first.
std::vector<RuleResult> Judge(const std::vector<Call>& calls, const Metadata& meta,
                              const RuleParams& params);
// One rule by id; an unknown id gives a result with spec == nullptr.
RuleResult JudgeRule(const std::string& id, const std::vector<Call>& calls, const Metadata& meta,
                     const RuleParams& params);

// True when any judged rule of error severity failed.
bool AnyErrorFailed(const std::vector<RuleResult>& results);

// Entities whose field metadata the picklist check would use (from failed writes and queries).
std::vector<std::string> EntitiesNeedingMetadata(const std::vector<Call>& calls);

}  // namespace atws::conformance::clientcheck
