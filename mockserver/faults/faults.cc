// Fault injection: the rules (FaultRules), the admin endpoints POST|GET|DELETE /__admin/faults
// and GET|DELETE /__admin/faults/{id}, and how HandleSoap applies a fault that fired.
// docs/admin-api.md ("Faults") describes the behaviour.
#include "faults/faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/text.h"

namespace atws::service {

using nlohmann::json;

namespace {

struct ActionName {
  FaultAction action;
  const char* name;
};
const ActionName kActions[] = {
    {FaultAction::kHttp500, "http_500"},     {FaultAction::kSoapFault, "soap_fault"},
    {FaultAction::kAtwsError, "atws_error"}, {FaultAction::kDrop, "drop"},
    {FaultAction::kLatency, "latency"},      {FaultAction::kSlowBody, "slow_body"},
};

const char* const kKeys[] = {"id",     "action", "operation",   "entity",     "tenant",
                             "zone",   "user",   "message",     "latency_ms", "duration_ms",
                             "chunks", "count",  "probability", "seed"};

// Default texts (docs/admin-api.md, "Faults").
constexpr const char* kDefaultHttp500 =
    "500 - Internal server error. There is a problem with the resource you are looking for, and "
    "it cannot be displayed.";
constexpr const char* kDefaultSoapFault =
    "Server was unable to process request. ---> An unexpected error occurred.";
constexpr const char* kDefaultAtwsError = "An unexpected error has occurred. Please try again.";

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

// An integer in [lo, hi]; false otherwise.
bool IntIn(const json& v, long long lo, long long hi, long long* out) {
  if (!v.is_number_integer()) return false;
  if (v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(hi))
    return false;
  long long n = v.get<long long>();
  if (n < lo || n > hi) return false;
  *out = n;
  return true;
}

// A double in [0, 1) from the generator, the same on every platform (mt19937_64 is fully
// specified; std::uniform_real_distribution is not).
double Uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

uint64_t RandomSeed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

std::string_view FaultActionName(FaultAction a) {
  for (const auto& n : kActions)
    if (n.action == a) return n.name;
  return "?";
}

// ------------------------------------------------------------------------------ FaultRules

json FaultRules::ToJson(const Rule& r) {
  json j = {{"id", r.id}, {"action", std::string(FaultActionName(r.fault.action))}};
  json match = json::object();
  if (!r.operation.empty()) match["operation"] = r.operation;
  if (!r.entity.empty()) match["entity"] = r.entity;
  if (r.tenant) match["tenant"] = r.tenant;
  if (r.zone >= 0) match["zone"] = r.zone;
  if (!r.user.empty()) match["user"] = r.user;
  j["match"] = match;
  switch (r.fault.action) {
    case FaultAction::kHttp500:
    case FaultAction::kSoapFault:
    case FaultAction::kAtwsError:
      j["message"] = r.fault.message;
      break;
    case FaultAction::kLatency:
      j["latency_ms"] = r.fault.latency_ms;
      break;
    case FaultAction::kSlowBody:
      j["duration_ms"] = r.fault.duration_ms;
      j["chunks"] = r.fault.chunks;
      break;
    case FaultAction::kDrop:
      break;
  }
  j["count"] = r.count > 0 ? json(r.count) : json(nullptr);
  j["remaining"] = r.count > 0 ? json(std::max(0LL, r.count - r.hits)) : json(nullptr);
  j["probability"] = r.probability;
  j["seed"] = r.seed;
  j["matched"] = r.matched;
  j["hits"] = r.hits;
  j["expired"] = r.expired();
  return j;
}

bool FaultRules::Add(const json& j, const NameCheck& check, json* added, int* status,
                     std::string* error) {
  *status = 400;
  if (!j.is_object()) {
    *error = "a fault rule is a JSON object";
    return false;
  }
  for (const auto& [key, v] : j.items()) {
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    if (!known) {
      std::string names;
      for (const char* k : kKeys) names += std::string(names.empty() ? "" : ", ") + k;
      *error =
          fmt::format("unknown key '{}' in a fault rule (keys: {})", key.substr(0, 100), names);
      return false;
    }
  }
  Rule r;
  if (!j.contains("action") || !j["action"].is_string()) {
    *error =
        "a fault rule needs \"action\": http_500, soap_fault, atws_error, drop, latency or "
        "slow_body";
    return false;
  }
  {
    std::string a = AsciiLower(j["action"].get<std::string>());
    bool found = false;
    for (const auto& n : kActions)
      if (a == n.name) {
        r.fault.action = n.action;
        found = true;
      }
    if (!found) {
      *error = fmt::format(
          "unknown action '{}'; use http_500, soap_fault, atws_error, drop, latency or slow_body",
          j["action"].get<std::string>().substr(0, 100));
      return false;
    }
  }
  const FaultAction act = r.fault.action;
  auto name = [&](const char* key, std::string* out) {
    if (!j.contains(key)) return true;
    const json& v = j[key];
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 200) {
      *error = fmt::format("{} must be a non-empty string", key);
      return false;
    }
    *out = v.get<std::string>();
    if (check) {
      std::string canonical;
      std::string why = check(key, v, &canonical);
      if (!why.empty()) {
        *error = why;
        return false;
      }
      if (!canonical.empty()) *out = canonical;
    }
    return true;
  };
  if (!name("operation", &r.operation) || !name("entity", &r.entity) || !name("user", &r.user))
    return false;
  if (j.contains("tenant")) {
    if (!IntIn(j["tenant"], 1, (1LL << 53), &r.tenant)) {
      *error = "tenant must be a tenant id (a positive integer)";
      return false;
    }
    if (check) {
      std::string ignored, why = check("tenant", j["tenant"], &ignored);
      if (!why.empty()) {
        *error = why;
        return false;
      }
    }
  }
  if (j.contains("zone")) {
    long long z;
    if (!IntIn(j["zone"], 0, 999, &z)) {
      *error = "zone must be a zone number (0 = the zone-neutral endpoint)";
      return false;
    }
    if (check && z != 0) {
      std::string ignored, why = check("zone", j["zone"], &ignored);
      if (!why.empty()) {
        *error = why;
        return false;
      }
    }
    r.zone = static_cast<int>(z);
  }
  const bool texts = act == FaultAction::kHttp500 || act == FaultAction::kSoapFault ||
                     act == FaultAction::kAtwsError;
  if (j.contains("message")) {
    if (!texts) {
      *error = "message applies to the actions http_500, soap_fault and atws_error";
      return false;
    }
    const json& v = j["message"];
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 4000 ||
        !IsValidUtf8(v.get<std::string>())) {
      *error = "message must be a non-empty UTF-8 string of at most 4000 bytes";
      return false;
    }
    r.fault.message = v.get<std::string>();
  } else if (act == FaultAction::kHttp500) {
    r.fault.message = kDefaultHttp500;
  } else if (act == FaultAction::kSoapFault) {
    r.fault.message = kDefaultSoapFault;
  } else if (act == FaultAction::kAtwsError) {
    r.fault.message = kDefaultAtwsError;
  }
  if (j.contains("latency_ms") != (act == FaultAction::kLatency)) {
    *error = act == FaultAction::kLatency ? "the latency action needs latency_ms"
                                          : "latency_ms applies to the latency action only";
    return false;
  }
  if (act == FaultAction::kLatency && !IntIn(j["latency_ms"], 1, kMaxHoldMs, &r.fault.latency_ms)) {
    *error = fmt::format(
        "latency_ms must be an integer from 1 to {} (longer waits would run into the HTTP "
        "layer's 10 s timeout)",
        kMaxHoldMs);
    return false;
  }
  if (act != FaultAction::kSlowBody && (j.contains("duration_ms") || j.contains("chunks"))) {
    *error = "duration_ms and chunks apply to the slow_body action only";
    return false;
  }
  if (act == FaultAction::kSlowBody) {
    r.fault.duration_ms = 2000;
    r.fault.chunks = 10;
    if (j.contains("duration_ms") &&
        !IntIn(j["duration_ms"], 1, kMaxHoldMs, &r.fault.duration_ms)) {
      *error = fmt::format("duration_ms must be an integer from 1 to {}", kMaxHoldMs);
      return false;
    }
    long long chunks = r.fault.chunks;
    if (j.contains("chunks") && !IntIn(j["chunks"], 2, 1000, &chunks)) {
      *error = "chunks must be an integer from 2 to 1000";
      return false;
    }
    r.fault.chunks = static_cast<int>(chunks);
  }
  if (j.contains("count") && !IntIn(j["count"], 1, 1000000000, &r.count)) {
    *error = "count must be an integer from 1 to 1000000000 (leave it out for no limit)";
    return false;
  }
  if (j.contains("probability")) {
    const json& v = j["probability"];
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0 ||
        v.get<double>() > 1) {
      *error = "probability must be a number from 0 to 1";
      return false;
    }
    r.probability = v.get<double>();
  }
  if (j.contains("seed")) {
    const json& v = j["seed"];
    if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<long long>() < 0)) {
      *error = "seed must be a non-negative integer";
      return false;
    }
    r.seed = v.get<uint64_t>();
  } else {
    r.seed = RandomSeed();
  }
  r.rng.seed(r.seed);
  std::lock_guard<std::mutex> l(mu_);
  if (j.contains("id")) {
    if (!j["id"].is_string() || !ValidId(j["id"].get<std::string>())) {
      *error = "id must be 1-64 letters, digits, '-', '_' or '.'";
      return false;
    }
    r.id = j["id"].get<std::string>();
  } else {
    do {
      r.id = fmt::format("f{}", next_id_++);
    } while (
        std::any_of(rules_.begin(), rules_.end(), [&](const Rule& o) { return o.id == r.id; }));
  }
  for (const auto& o : rules_)
    if (o.id == r.id) {
      *status = 409;
      *error = fmt::format("a fault rule with id '{}' exists already", r.id);
      return false;
    }
  rules_.push_back(std::move(r));
  *added = ToJson(rules_.back());
  *status = 201;
  return true;
}

json FaultRules::List() const {
  std::lock_guard<std::mutex> l(mu_);
  json arr = json::array();
  for (const auto& r : rules_) arr.push_back(ToJson(r));
  return arr;
}

bool FaultRules::Get(const std::string& id, json* out) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& r : rules_)
    if (r.id == id) {
      *out = ToJson(r);
      return true;
    }
  return false;
}

bool FaultRules::Remove(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const Rule& r) { return r.id == id; });
  if (it == rules_.end()) return false;
  rules_.erase(it);
  return true;
}

size_t FaultRules::Clear() {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = rules_.size();
  rules_.clear();
  return n;
}

size_t FaultRules::RemoveTenant(long long tenant) {
  std::lock_guard<std::mutex> l(mu_);
  size_t before = rules_.size();
  rules_.erase(std::remove_if(rules_.begin(), rules_.end(),
                              [&](const Rule& r) { return r.tenant == tenant; }),
               rules_.end());
  return before - rules_.size();
}

FiredFault FaultRules::Match(const FaultCall& call) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& r : rules_) {
    if (r.expired()) continue;
    if (!r.operation.empty() && !AsciiIEquals(r.operation, call.operation)) continue;
    if (!r.entity.empty() && !AsciiIEquals(r.entity, call.entity)) continue;
    if (r.tenant && r.tenant != call.tenant) continue;
    if (r.zone >= 0 && r.zone != call.zone) continue;
    if (!r.user.empty() && !AsciiIEquals(r.user, call.user)) continue;
    ++r.matched;
    // Always draw, so that the sequence depends only on the seed and the matching calls.
    double roll = Uniform01(r.rng);
    if (roll >= r.probability) continue;
    ++r.hits;
    FiredFault f = r.fault;
    f.fired = true;
    f.id = r.id;
    return f;
  }
  return FiredFault{};
}

}  // namespace atws::service
