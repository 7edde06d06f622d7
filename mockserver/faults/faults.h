// Fault injection (docs/admin-api.md, "Faults"): rules that make matching SOAP calls fail or
// slow down, so that a test can see how an integration copes with a server error, a SOAP
// fault, an ATWSResponse error, a dropped connection, added latency or a slowly sent answer.
//
// A rule matches a call by operation, entity, tenant, zone and user (each omitted = any). Its
// limits: `count` (fires that many times, then expires) and/or `probability` (0..1 per matching
// call, drawn from the rule's own seeded generator, so a given seed and sequence of calls fire
// the same way on every run). The first rule, in the order they were added, that matches and
// fires is the call's fault; a call gets at most one.
//
// Independent of HTTP and of the Service class (faults.cc also holds the Service glue).
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/http_message.h"

namespace atws::service {

enum class FaultAction {
  kHttp500,    // HTTP 500 with a plain-text body
  kSoapFault,  // HTTP 500 with a soap:Fault (faultstring = message)
  kAtwsError,  // ReturnCode -1 with an ATWSError message (soap:Fault for operations without one)
  kDrop,       // the connection is closed without an answer
  kLatency,    // the call is served, its answer sent latency_ms later
  kSlowBody,   // the call is served, its body sent in `chunks` pieces over `duration_ms`
};

std::string_view FaultActionName(FaultAction a);

// What a call looks like to the rules.
struct FaultCall {
  std::string operation;  // SOAP body element ("query", "getZoneInfo" …)
  std::string entity;     // the entity addressed (any case; "" when none)
  long long tenant = 0;   // 0 = unknown
  int zone = 0;           // zone of the endpoint called; 0 = the zone-neutral endpoint
  std::string user;
};

// A fault that fired for one call.
struct FiredFault {
  bool fired = false;
  std::string id;
  FaultAction action = FaultAction::kHttp500;
  std::string message;        // kHttp500 body, kSoapFault faultstring, kAtwsError message
  long long latency_ms = 0;   // kLatency
  long long duration_ms = 0;  // kSlowBody
  int chunks = 0;             // kSlowBody
  // Whether the fault replaces the operation's answer (the operation does not run).
  bool answers() const {
    return fired && action != FaultAction::kLatency && action != FaultAction::kSlowBody;
  }
};

class FaultRules {
 public:
  // Checks a name a rule refers to: `key` is "operation", "entity", "tenant" or "zone", `value`
  // its value as sent (a string, or an integer for tenant and zone). Returns "" when it is
  // known, else the error; *canonical may get the name's canonical spelling.
  using NameCheck = std::function<std::string(const std::string& key, const nlohmann::json& value,
                                              std::string* canonical)>;
  // Adds the rule described by `j` (docs/admin-api.md lists the keys). False + *error (and
  // *status: 400 invalid, 409 id taken) when it is invalid; nothing changes then. *added gets
  // the rule as GET lists it. `check` (optional) vets the names the rule refers to.
  bool Add(const nlohmann::json& j, const NameCheck& check, nlohmann::json* added, int* status,
           std::string* error);
  // Every rule with its counters, in the order they were added.
  nlohmann::json List() const;
  // One rule; false when there is none with this id.
  bool Get(const std::string& id, nlohmann::json* out) const;
  bool Remove(const std::string& id);
  size_t Clear();
  // Removes the rules that name this tenant (a tenant reset); returns how many.
  size_t RemoveTenant(long long tenant);
  // The fault for `call`, counting the match and the firing; fired == false when none.
  FiredFault Match(const FaultCall& call);

 private:
  struct Rule {
    std::string id;
    std::string operation, entity, user;  // empty = any
    long long tenant = 0;                 // 0 = any
    int zone = -1;                        // -1 = any
    FiredFault fault;                     // what it does (fired stays false)
    long long count = 0;                  // 0 = unlimited
    double probability = 1.0;
    uint64_t seed = 0;
    std::mt19937_64 rng;
    long long matched = 0, hits = 0;
    bool expired() const { return count > 0 && hits >= count; }
  };
  static nlohmann::json ToJson(const Rule& r);

  mutable std::mutex mu_;
  std::vector<Rule> rules_;
  uint64_t next_id_ = 1;
};

}  // namespace atws::service
