// The start-up configuration file (docs/configuration.md): `atws-sandbox.json` in the --data
// directory, or the file --config names. Everything in it is something the admin API can set;
// it is applied through the admin API's own handlers (Admin::Handle with admin requests), so
// a value means at start-up what it means in a PUT or POST, and an invalid one fails the same
// way. The admin reset applies it again: a reset returns to the start-up state.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace atws::control {

class Admin;

// The file's name inside the --data directory.
constexpr const char* kConfigFileName = "atws-sandbox.json";

struct StartupConfig {
  std::string file;    // as given (for messages)
  nlohmann::json doc;  // the parsed file, its structure checked
  // Fixture sets by the path the file names, read when the file was loaded.
  std::map<std::string, std::string> fixture_sets;
};

// Reads `path`, checks its structure (every key known, values of the right JSON type; the
// values themselves are checked when applied) and reads the fixture sets it names (paths
// relative to the file's directory). False + *error naming the file and the key.
bool LoadStartupConfig(const std::string& path, StartupConfig* out, std::string* error);

// Which part to apply and when.
struct ConfigScope {
  long long tenant = 0;  // 0: everything; else only that tenant (and faults naming it)
  // Start-up: fixture sets only into tenants whose data was created at this start
  // (Tenant::created). Reset: into every tenant applied (its data is fresh).
  bool at_startup = true;
};

// Applies `cfg` through `admin` (its own requests). False + *error ("FILE:
// tenants.29683500.settings: <the admin API's message>") at the first failure; what came before it
// stays applied.
bool ApplyStartupConfig(Admin& admin, const StartupConfig& cfg, const ConfigScope& scope,
                        std::string* error);

}  // namespace atws::control
