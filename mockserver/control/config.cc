// The start-up configuration file (config.h, docs/configuration.md).
#include "control/config.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "common/text.h"
#include "control/admin.h"

namespace atws::control {

using nlohmann::json;

namespace {

const char* const kTopKeys[] = {"clock", "zones", "tenants", "faults"};
const char* const kTenantKeys[] = {"language",       "zone",  "settings", "sources",
                                   "default_source", "users", "usage",    "fixtures"};
const char* const kClockKeys[] = {"set", "advance_seconds", "frozen"};

// Keys that start with '_' are comments ("_comment": "…") wherever the file's own objects are.
bool IsComment(const std::string& key) { return !key.empty() && key[0] == '_'; }

std::string KnownList(const char* const* keys, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += std::string(i ? ", " : "") + keys[i];
  return s;
}

template <size_t N>
bool CheckKeys(const json& obj, const char* const (&keys)[N], const std::string& file,
               const std::string& where, std::string* error) {
  for (const auto& [key, v] : obj.items()) {
    if (IsComment(key)) continue;
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    if (!known) {
      *error = fmt::format("{}: unknown key '{}'{} (known here: {})", file, key.substr(0, 100),
                           where.empty() ? "" : " in " + where, KnownList(keys, N));
      return false;
    }
  }
  return true;
}

// `j` without its comment keys (objects passed on to the admin API).
json WithoutComments(const json& j) {
  if (!j.is_object()) return j;
  json out = json::object();
  for (const auto& [k, v] : j.items())
    if (!IsComment(k)) out[k] = v;
  return out;
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return static_cast<bool>(in) || in.eof();
}

// Path segment encoding for user names ("api@contoso.example" stays as it is).
std::string PathSegment(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '@' || c == '.' || c == '-' || c == '_' || c == '+')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

// Calls the admin API in-process.
class AdminClient {
 public:
  AdminClient(Admin& admin, const std::string& file) : admin_(admin), file_(file) {}
  // The answer's JSON in *out (optional). False + *error naming the file and `where` when the
  // status is not 2xx; *status (optional) gets it.
  bool Call(const std::string& where, const std::string& method, const std::string& path,
            const std::string& body, json* out, std::string* error, int* status = nullptr,
            const std::string& content_type = "application/json") {
    HttpRequest r;
    r.method = method;
    size_t q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = path.substr(q + 1);
    r.host = "127.0.0.1";
    r.body = body;
    r.content_type = content_type;
    r.peer = "127.0.0.1";
    const service::Options& opt = admin_.service().options();
    if (!opt.admin_token.empty()) r.authorization = "Bearer " + opt.admin_token;
    HttpResponse resp = admin_.Handle(r);
    if (status) *status = resp.status;
    json j = json::parse(resp.body, nullptr, false);
    if (resp.status < 200 || resp.status >= 300) {
      std::string msg =
          !j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_string()
              ? j["error"].get<std::string>()
              : fmt::format("HTTP {}", resp.status);
      *error = fmt::format("{}: {}: {}", file_, where, msg);
      return false;
    }
    if (out) *out = j.is_discarded() ? json() : j;
    return true;
  }

 private:
  Admin& admin_;
  const std::string& file_;
};

bool ApplyTenant(AdminClient& api, service::Service& svc, const StartupConfig& cfg, long long id,
                 const json& t, bool at_startup, std::string* error) {
  const std::string base = fmt::format("/__admin/tenants/{}", id);
  const std::string at = fmt::format("tenants.{}", id);
  service::Tenant* tenant = svc.FindTenant(id);
  if (t.contains("language") && !api.Call(at + ".language", "PUT", base + "/language",
                                          json{{"language", t["language"]}}.dump(), nullptr, error))
    return false;
  if (t.contains("zone") && !api.Call(at + ".zone", "PUT", base + "/zone",
                                      json{{"zone", t["zone"]}}.dump(), nullptr, error))
    return false;
  if (t.contains("fixtures") && (!at_startup || tenant->created)) {
    for (const auto& f : t["fixtures"]) {
      const std::string& name = f.get<std::string>();
      if (!api.Call(fmt::format("{}.fixtures ({})", at, name), "POST", base + "/fixtures",
                    cfg.fixture_sets.at(name), nullptr, error, nullptr, "application/xml"))
        return false;
    }
  }
  if (t.contains("sources")) {
    for (const auto& s : t["sources"]) {
      int status = 0;
      std::string err;
      // 409: the tenant has it already (a --data tenant keeps the sources of earlier starts).
      if (!api.Call(at + ".sources", "POST", base + "/sources", json{{"label", s}}.dump(), nullptr,
                    &err, &status) &&
          status != 409) {
        *error = err;
        return false;
      }
    }
  }
  json settings = t.contains("settings") ? WithoutComments(t["settings"]) : json::object();
  if (t.contains("default_source")) {
    const json& d = t["default_source"];
    if (d.is_number_integer()) {
      settings["default_ticket_source"] = d;
    } else {
      json sources;
      if (!api.Call(at + ".default_source", "GET", base + "/sources", "", &sources, error))
        return false;
      long long value = -1;
      for (const auto& v : sources["values"])
        for (const auto& [lang, label] : v["labels"].items())
          if (label.is_string() && AsciiIEquals(label.get<std::string>(), d.get<std::string>()))
            value = v["value"].get<long long>();
      if (value < 0) {
        *error = fmt::format(
            "{}: {}.default_source: tenant {} has no Ticket source labelled '{}' (add it under "
            "\"sources\")",
            cfg.file, at, id, d.get<std::string>().substr(0, 100));
        return false;
      }
      settings["default_ticket_source"] = value;
    }
  }
  if (!settings.empty() &&
      !api.Call(at + ".settings", "PUT", base + "/settings", settings.dump(), nullptr, error))
    return false;
  if (t.contains("users")) {
    for (size_t i = 0; i < t["users"].size(); ++i) {
      json u = WithoutComments(t["users"][i]);
      const std::string where = fmt::format("{}.users[{}]", at, i);
      const std::string name = u["username"].get<std::string>();
      json existing;
      std::string err;
      int status = 0;
      if (api.Call(where, "GET", "/__admin/users/" + PathSegment(name), "", &existing, &err,
                   &status)) {
        if (existing["tenant"] != id) {
          *error = fmt::format("{}: {}: the user {} belongs to tenant {}", cfg.file, where, name,
                               existing["tenant"].dump());
          return false;
        }
        if (!api.Call(where, "PUT", "/__admin/users/" + PathSegment(name), u.dump(), nullptr,
                      error))
          return false;
      } else if (status == 404) {
        if (!api.Call(where, "POST", base + "/users", u.dump(), nullptr, error)) return false;
      } else {
        *error = err;
        return false;
      }
    }
  }
  if (t.contains("usage") && !api.Call(at + ".usage", "PUT", base + "/usage",
                                       WithoutComments(t["usage"]).dump(), nullptr, error))
    return false;
  return true;
}

}  // namespace

bool LoadStartupConfig(const std::string& path, StartupConfig* out, std::string* error) {
  out->file = path;
  std::string text;
  if (!ReadFile(path, &text)) {
    *error = fmt::format("{}: cannot read the file", path);
    return false;
  }
  try {
    out->doc = json::parse(text);
  } catch (const json::parse_error& e) {
    *error = fmt::format("{}: not valid JSON: {}", path, e.what());
    return false;
  }
  const json& d = out->doc;
  const std::string& f = path;
  if (!d.is_object()) {
    *error = fmt::format("{}: the file must hold one JSON object", f);
    return false;
  }
  if (!CheckKeys(d, kTopKeys, f, "", error)) return false;
  auto type_error = [&](const std::string& where, const char* what) {
    *error = fmt::format("{}: {} must be {}", f, where, what);
    return false;
  };
  if (d.contains("clock")) {
    const json& c = d["clock"];
    if (!c.is_object()) return type_error("clock", "an object");
    if (!CheckKeys(c, kClockKeys, f, "clock", error)) return false;
    if (c.contains("set") == c.contains("advance_seconds"))
      return type_error("clock", "an object with one of \"set\" or \"advance_seconds\"");
    if (c.contains("frozen") && !c["frozen"].is_boolean())
      return type_error("clock.frozen", "true or false");
  }
  if (d.contains("zones")) {
    const json& z = d["zones"];
    if (!z.is_object()) return type_error("zones", "an object: {\"18\": {\"flavour\": \"2018\"}}");
    for (const auto& [num, v] : z.items()) {
      if (IsComment(num)) continue;
      long long n;
      if (!ParseInt64(num, &n)) return type_error("zones." + num.substr(0, 50), "a zone number");
      if (!v.is_object()) return type_error("zones." + num, "an object");
      static const char* const kZoneKeys[] = {"flavour"};
      if (!CheckKeys(v, kZoneKeys, f, "zones." + num, error)) return false;
    }
  }
  if (d.contains("faults") && !d["faults"].is_array())
    return type_error("faults", "an array of fault rules");
  if (d.contains("faults"))
    for (size_t i = 0; i < d["faults"].size(); ++i)
      if (!d["faults"][i].is_object())
        return type_error(fmt::format("faults[{}]", i), "an object (a fault rule)");
  if (d.contains("tenants")) {
    const json& ts = d["tenants"];
    if (!ts.is_object()) return type_error("tenants", "an object keyed by tenant id");
    for (const auto& [key, t] : ts.items()) {
      if (IsComment(key)) continue;
      const std::string at = "tenants." + key.substr(0, 50);
      long long id;
      if (!ParseInt64(key, &id) || id <= 0)
        return type_error(at, "keyed by a tenant id (a number)");
      if (!t.is_object()) return type_error(at, "an object");
      if (!CheckKeys(t, kTenantKeys, f, at, error)) return false;
      for (const char* k : {"settings", "usage"})
        if (t.contains(k) && !t[k].is_object()) return type_error(at + "." + k, "an object");
      if (t.contains("language") && !t["language"].is_string())
        return type_error(at + ".language", "a language code (en, de, es, fr)");
      if (t.contains("zone") && !t["zone"].is_number_integer())
        return type_error(at + ".zone", "a zone number");
      if (t.contains("default_source") && !t["default_source"].is_string() &&
          !t["default_source"].is_number_integer())
        return type_error(at + ".default_source", "a source's label or value");
      if (t.contains("sources")) {
        if (!t["sources"].is_array()) return type_error(at + ".sources", "an array of labels");
        for (const auto& s : t["sources"])
          if (!s.is_string()) return type_error(at + ".sources", "an array of labels");
      }
      if (t.contains("users")) {
        if (!t["users"].is_array()) return type_error(at + ".users", "an array of users");
        for (size_t i = 0; i < t["users"].size(); ++i) {
          const json& u = t["users"][i];
          if (!u.is_object() || !u.contains("username") || !u["username"].is_string())
            return type_error(fmt::format("{}.users[{}]", at, i),
                              "an object with \"username\" (and the keys of the users endpoint)");
        }
      }
      if (t.contains("fixtures")) {
        if (!t["fixtures"].is_array())
          return type_error(at + ".fixtures", "an array of file names");
        for (const auto& fx : t["fixtures"]) {
          if (!fx.is_string() || fx.get<std::string>().empty())
            return type_error(at + ".fixtures", "an array of file names");
          const std::string name = fx.get<std::string>();
          const std::string full = name[0] == '/' ? name : DirOf(path) + "/" + name;
          std::string xml;
          if (!ReadFile(full, &xml)) {
            *error = fmt::format("{}: {}.fixtures: cannot read {}", f, at, full);
            return false;
          }
          out->fixture_sets[name] = std::move(xml);
        }
      }
    }
  }
  return true;
}

bool ApplyStartupConfig(Admin& admin, const StartupConfig& cfg, const ConfigScope& scope,
                        std::string* error) {
  service::Service& svc = admin.service();
  AdminClient api(admin, cfg.file);
  const json& d = cfg.doc;
  if (scope.tenant == 0) {
    if (d.contains("clock")) {
      const json& c = d["clock"];
      json cmd = c.contains("set") ? json{{"set", c["set"]}}
                                   : json{{"advance_seconds", c["advance_seconds"]}};
      if (!api.Call("clock", "POST", "/__admin/clock", cmd.dump(), nullptr, error)) return false;
      if (c.contains("frozen") && c["frozen"] == false &&
          !api.Call("clock.frozen", "POST", "/__admin/clock", R"({"resume": true})", nullptr,
                    error))
        return false;
    }
    if (d.contains("zones")) {
      for (const auto& [num, z] : d["zones"].items()) {
        if (IsComment(num)) continue;
        if (!api.Call("zones." + num, "PUT", "/__admin/zones/" + num, WithoutComments(z).dump(),
                      nullptr, error))
          return false;
      }
    }
  }
  if (d.contains("tenants")) {
    for (const auto& [key, t] : d["tenants"].items()) {
      if (IsComment(key)) continue;
      long long id = 0;
      ParseInt64(key, &id);
      if (scope.tenant != 0 && id != scope.tenant) continue;
      if (!svc.FindTenant(id)) {
        *error = fmt::format("{}: tenants.{}: no tenant {} (the default data holds {})", cfg.file,
                             key, id, [&] {
                               std::string ids;
                               for (const auto& x : svc.tenants())
                                 ids += (ids.empty() ? "" : ", ") + std::to_string(x->spec.id);
                               return ids;
                             }());
        return false;
      }
      if (!ApplyTenant(api, svc, cfg, id, t, scope.at_startup, error)) return false;
    }
  }
  if (d.contains("faults")) {
    for (size_t i = 0; i < d["faults"].size(); ++i) {
      json rule = WithoutComments(d["faults"][i]);
      if (scope.tenant != 0 && (!rule.contains("tenant") || rule["tenant"] != scope.tenant))
        continue;
      if (!api.Call(fmt::format("faults[{}]", i), "POST", "/__admin/faults", rule.dump(), nullptr,
                    error))
        return false;
    }
  }
  return true;
}

}  // namespace atws::control
