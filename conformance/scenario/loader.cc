#include "conformance/scenario/loader.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "xml/schema.h"
#include "xml/xml.h"
#include "xml/xpath.h"

namespace atws::conformance::scenario {
namespace {

namespace fs = std::filesystem;

// Entities a writing scenario may create without the [atws-conformance] title prefix, because
// it deletes them again (GetEntityInfo CanDelete). Everything else it creates must carry
// ${prefix} in a field (a title or name) so that people can tell it apart on a real sandbox.
const std::set<std::string> kDeletable = {"AccountToDo", "Appointment",  "ContactGroup",
                                          "Holiday",     "HolidaySet",   "ServiceCall",
                                          "TicketCost",  "TimeEntry",    "TicketChecklistItem",
                                          "ActionType",  "ProjectCost",  "ContractCost",
                                          "QuoteItem",   "Subscription", "AccountPhysicalLocation"};

using xml::Node;

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Collapses runs of white space into one space (titles and descriptions span lines).
std::string Collapse(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : Trim(s)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<std::string> SplitWords(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// The first attribute named exactly `name` (any namespace), as libxml2's xmlGetProp finds it.
xml::Attribute FindAttr(Node n, std::string_view name) {
  for (xml::Attribute a = n.FirstAttribute(); a; a = a.Next())
    if (a.LocalName() == name) return a;
  return {};
}

std::string Attr(Node n, std::string_view name) { return FindAttr(n, name).Value(); }

bool HasAttr(Node n, std::string_view name) { return static_cast<bool>(FindAttr(n, name)); }

std::string Content(Node n) { return n.DeepText(); }

std::string Name(Node n) { return std::string(n.LocalName()); }

int Line(Node n) { return n.Line(); }

std::vector<Node> Elements(Node parent) {
  std::vector<Node> out;
  for (Node c = parent.FirstElement(); c; c = c.NextElement()) out.push_back(c);
  return out;
}

struct Errors {
  std::string file;
  std::vector<LoadError>* out;
  void Add(int line, std::string message) const {
    out->push_back(LoadError{file, line, std::move(message)});
  }
};

const char* const kMatcherOps[] = {"equals",  "not-equals", "contains", "not-contains",
                                   "matches", "type",       "absent",   "gt",
                                   "ge",      "lt",         "le",       "ascending"};

bool IsMatcherOp(const std::string& name) {
  for (const char* op : kMatcherOps)
    if (name == op) return true;
  return false;
}

bool XPathCompiles(const std::string& xpath) {
  // ${name} parts are replaced at run time; compile with a placeholder.
  std::string probe = std::regex_replace(xpath, std::regex(R"(\$\{[^}]*\})"), "1");
  return xml::CheckXPath(probe).ok();
}

class Builder {
 public:
  Builder(Scenario* sc, const Errors& errs) : sc_(sc), errs_(errs) {}

  void Build(Node root) {
    sc_->id = Attr(root, "id");
    sc_->mock_only = Attr(root, "mock-only") == "true" || Attr(root, "mock-only") == "1";
    sc_->mock_only_reason = Collapse(Attr(root, "mock-only-reason"));
    for (Node c : Elements(root)) {
      std::string n = Name(c);
      if (n == "title") {
        sc_->title = Collapse(Content(c));
      } else if (n == "proves") {
        sc_->proves = Collapse(Content(c));
      } else if (n == "tags") {
        sc_->tags = SplitWords(Content(c));
      } else if (n == "covers") {
        sc_->covers = SplitWords(Content(c));
      } else if (n == "setup") {
        int i = 0;
        for (Node a : Elements(c)) {
          Step s;
          s.id = fmt::format("setup {}", ++i);
          s.line = Line(a);
          ParseAdmin(a, &s);
          sc_->setup.push_back(std::move(s));
        }
      } else if (n == "step") {
        Step s;
        ParseStep(c, fmt::format("step {}", ++step_no_), 0, &s);
        sc_->steps.push_back(std::move(s));
      } else if (n == "parallel") {
        ++group_;
        for (Node p : Elements(c)) {
          Step s;
          ParseStep(p, fmt::format("step {}", ++step_no_), group_, &s);
          sc_->steps.push_back(std::move(s));
        }
      } else if (n == "cleanup") {
        int i = 0;
        for (Node p : Elements(c)) {
          Step s;
          ParseStep(p, fmt::format("cleanup {}", ++i), 0, &s);
          sc_->cleanup.push_back(std::move(s));
        }
      }
    }
    bool admin = !sc_->setup.empty();
    for (const auto* list : {&sc_->steps, &sc_->cleanup})
      for (const auto& s : *list) admin = admin || s.kind == StepKind::kAdmin;
    if (admin) {
      sc_->mock_only = true;
      if (sc_->mock_only_reason.empty())
        sc_->mock_only_reason = "sets the mock up through its admin API";
    }
    if (sc_->mock_only && sc_->mock_only_reason.empty())
      sc_->mock_only_reason = "needs the mock's default data";
    for (const auto& s : sc_->steps) sc_->writes = sc_->writes || s.Writes();
    CheckNames();
    CheckIds();
  }

 private:
  void ParseStep(Node node, const std::string& default_id, int group, Step* s) {
    s->id = HasAttr(node, "id") ? Attr(node, "id") : default_id;
    s->title = Collapse(Attr(node, "title"));
    s->line = Line(node);
    s->parallel_group = group;
    if (HasAttr(node, "delay-ms")) s->delay_ms = std::stol(Attr(node, "delay-ms"));
    if (s->delay_ms > 0 && group == 0)
      errs_.Add(s->line, "delay-ms is for steps inside <parallel>");
    for (Node c : Elements(node)) {
      std::string n = Name(c);
      if (n == "call") {
        ParseCall(c, s);
      } else if (n == "admin") {
        ParseAdmin(c, s);
      } else if (n == "http") {
        s->kind = StepKind::kHttp;
        s->method = HasAttr(c, "method") ? Attr(c, "method") : "GET";
        s->url = Attr(c, "url");
        s->http_with_credentials = Attr(c, "credentials") == "run";
      } else if (n == "wait") {
        s->kind = StepKind::kWait;
        s->wait_seconds = std::stod(Attr(c, "seconds"));
      } else if (n == "expect") {
        s->has_expect = true;
        for (Node e : Elements(c)) ParseCheck(e, s);
      } else if (n == "capture") {
        ParseCapture(c, s);
      }
    }
    if (s->kind == StepKind::kWait && (s->has_expect || !s->captures.empty()))
      errs_.Add(s->line, "a <wait> step has no answer to expect or capture anything from");
  }

  void ParseCall(Node c, Step* s) {
    s->kind = StepKind::kCall;
    int line = Line(c);
    if (HasAttr(c, "endpoint")) s->endpoint = Attr(c, "endpoint");
    if (HasAttr(c, "version")) s->version = Attr(c, "version");
    if (HasAttr(c, "credentials")) s->credentials = Attr(c, "credentials");
    s->username = Attr(c, "username");
    s->password = Attr(c, "password");
    if (s->credentials == "custom" && (s->username.empty() || !HasAttr(c, "password")))
      errs_.Add(line, "credentials=\"custom\" needs username and password");
    if (s->credentials != "custom" && (HasAttr(c, "username") || HasAttr(c, "password")))
      errs_.Add(line, "username/password are used only with credentials=\"custom\"");
    s->send_header = Attr(c, "header") != "omit";
    if (HasAttr(c, "integration-code")) {
      s->has_integration_code = true;
      s->integration_code = Attr(c, "integration-code");
    }
    s->impersonate = Attr(c, "impersonate");
    s->soap_action = Attr(c, "soap-action");
    if (HasAttr(c, "timeout-seconds")) s->timeout_seconds = std::stod(Attr(c, "timeout-seconds"));
    s->raw_body = Attr(c, "body") == "raw";
    std::vector<Node> kids = Elements(c);
    std::string text;
    for (Node k = c.FirstChild(); k; k = k.Next())
      if (k.IsText() || k.IsCData()) text += k.Content();
    if (s->raw_body) {
      if (!kids.empty()) errs_.Add(line, "a body=\"raw\" call holds the request as text (CDATA)");
      s->body = Trim(text);
      if (s->body.empty()) errs_.Add(line, "a body=\"raw\" call needs the request body");
      if (!s->soap_action.empty()) {
        size_t slash = s->soap_action.find_last_of('/');
        s->operation =
            slash == std::string::npos ? s->soap_action : s->soap_action.substr(slash + 1);
      } else {
        s->operation = "raw";
      }
      return;
    }
    if (kids.size() != 1 || !Trim(text).empty()) {
      errs_.Add(line,
                "a <call> holds exactly one element: the operation's body element (e.g. "
                "<query>), and no text");
      return;
    }
    Node body = kids[0];
    if (body.HasNamespace()) {
      errs_.Add(Line(body), fmt::format("write <{}> without a namespace: the runner puts it in the "
                                        "namespace of the endpoint's API version",
                                        Name(body)));
    }
    s->operation = Name(body);
    s->body = body.Serialize();
    if (s->operation == "create") created_entities_.push_back(body);
  }

  void ParseAdmin(Node c, Step* s) {
    s->kind = StepKind::kAdmin;
    s->method = Attr(c, "method");
    s->path = Attr(c, "path");
    s->admin_body = Trim(Content(c));
    if (s->line == 0) s->line = Line(c);
  }

  void ParseCheck(Node e, Step* s) {
    Check ch;
    ch.kind = Name(e);
    ch.line = Line(e);
    if (ch.kind == "value") ch.arg = Attr(e, "path");
    if (ch.kind == "header") ch.arg = Attr(e, "name");
    if (ch.kind == "json") ch.arg = Attr(e, "pointer");
    for (xml::Attribute a = e.FirstAttribute(); a; a = a.Next()) {
      std::string n(a.LocalName());
      std::string v = Attr(e, n);
      if (n == "select") {
        ch.select = v;
      } else if (n == "ignore-case") {
        ch.ignore_case = v == "true" || v == "1";
      } else if (IsMatcherOp(n)) {
        if ((n == "absent" || n == "ascending") && v != "true" && v != "1") {
          if (n == "absent") ch.matchers.push_back({"present", ""});
          continue;
        }
        ch.matchers.push_back({n, v});
      }
    }
    std::string text = Trim(Content(e));
    if (!text.empty()) {
      if (HasAttr(e, "equals"))
        errs_.Add(ch.line, "give the expected value as text or as equals=\"…\", not both");
      ch.matchers.insert(ch.matchers.begin(), {"equals", text});
    }
    static const std::set<std::string> kNeedMatcher = {"http-status", "return-code", "rows",
                                                       "duration-ms", "body"};
    if (ch.matchers.empty() && kNeedMatcher.count(ch.kind))
      errs_.Add(ch.line, fmt::format("<{}> needs a matcher (text, equals, gt …)", ch.kind));
    for (const auto& m : ch.matchers) {
      if (m.op == "matches" && m.value.find("${") == std::string::npos) {
        try {
          std::regex re(m.value, std::regex::ECMAScript);
        } catch (const std::regex_error& ex) {
          errs_.Add(ch.line, fmt::format("matches=\"{}\" is not a valid regular expression: {}",
                                         m.value, ex.what()));
        }
      }
      if ((m.op == "absent" || m.op == "present") &&
          (ch.kind == "http-status" || ch.kind == "return-code" || ch.kind == "rows" ||
           ch.kind == "duration-ms"))
        errs_.Add(ch.line, fmt::format("absent does not apply to <{}>", ch.kind));
    }
    if (ch.kind == "value" && !XPathCompiles(ch.arg))
      errs_.Add(ch.line, fmt::format("path=\"{}\" is not a valid XPath 1.0 expression", ch.arg));
    if (ch.kind == "json" && !ch.arg.empty() && ch.arg[0] != '/')
      errs_.Add(ch.line, "a JSON pointer starts with '/'");
    if (ch.kind == "json" && s->kind != StepKind::kAdmin)
      errs_.Add(ch.line, "<json> checks the answer of an <admin> step");
    if ((ch.kind == "return-code" || ch.kind == "error" || ch.kind == "fault" ||
         ch.kind == "rows") &&
        s->kind != StepKind::kCall)
      errs_.Add(ch.line, fmt::format("<{}> checks the answer of a SOAP <call>", ch.kind));
    s->checks.push_back(std::move(ch));
  }

  void ParseCapture(Node c, Step* s) {
    Capture cap;
    cap.name = Attr(c, "name");
    cap.path = Attr(c, "path");
    cap.json = Attr(c, "json");
    cap.header = Attr(c, "header");
    cap.skip_if_missing = Attr(c, "if-missing") == "skip";
    cap.ignore_if_missing = Attr(c, "if-missing") == "ignore";
    cap.reason = Collapse(Attr(c, "reason"));
    cap.line = Line(c);
    int sources = HasAttr(c, "path") + HasAttr(c, "json") + HasAttr(c, "header");
    if (sources != 1)
      errs_.Add(cap.line, "a <capture> takes its value from exactly one of path, json, header");
    if (HasAttr(c, "path") && !XPathCompiles(cap.path))
      errs_.Add(cap.line, fmt::format("path=\"{}\" is not a valid XPath 1.0 expression", cap.path));
    if (HasAttr(c, "json") && s->kind != StepKind::kAdmin)
      errs_.Add(cap.line, "json= captures from the answer of an <admin> step");
    if (HasAttr(c, "json") && (cap.json.empty() || cap.json[0] != '/'))
      errs_.Add(cap.line, "a JSON pointer starts with '/'");
    if (IsBuiltinName(cap.name))
      errs_.Add(cap.line,
                fmt::format("'{}' is a built-in variable; choose another name", cap.name));
    if (cap.skip_if_missing && cap.reason.empty())
      cap.reason = fmt::format("no value for {}", cap.name);
    s->captures.push_back(std::move(cap));
  }

  // ${name} must be built in or captured by an earlier step (clean-up: by any step).
  void CheckNames() {
    std::set<std::string> known;
    auto check = [&](const Step& s, const std::set<std::string>& defined) {
      std::vector<std::string> texts = {s.body,        s.username, s.password,   s.integration_code,
                                        s.impersonate, s.path,     s.admin_body, s.url,
                                        s.soap_action};
      for (const auto& ch : s.checks) {
        texts.push_back(ch.arg);
        for (const auto& m : ch.matchers) texts.push_back(m.value);
      }
      for (const auto& cap : s.captures) texts.push_back(cap.path);
      for (const auto& t : texts) {
        for (const auto& name : ReferencedNames(t)) {
          if (IsBuiltinName(name) || defined.count(name)) continue;
          errs_.Add(s.line, fmt::format("${{{}}} is used before a step captures it", name));
        }
      }
    };
    for (const auto& s : sc_->setup) check(s, known);
    size_t i = 0;
    while (i < sc_->steps.size()) {
      size_t j = i + 1;
      int group = sc_->steps[i].parallel_group;
      if (group != 0)
        while (j < sc_->steps.size() && sc_->steps[j].parallel_group == group) ++j;
      for (size_t k = i; k < j; ++k) check(sc_->steps[k], known);
      for (size_t k = i; k < j; ++k)
        for (const auto& cap : sc_->steps[k].captures) known.insert(cap.name);
      i = j;
    }
    for (const auto& s : sc_->cleanup) {
      check(s, known);
      for (const auto& cap : s.captures) known.insert(cap.name);
    }
    // Safety on a real sandbox: records that cannot be deleted carry the prefix and are closed.
    if (sc_->mock_only) return;
    bool creates_tickets = false;
    for (Node create : created_entities_) {
      for (Node ents : Elements(create)) {
        for (Node ent : Elements(ents)) {
          std::string type = Attr(ent, "type");
          size_t colon = type.find(':');
          if (colon != std::string::npos) type = type.substr(colon + 1);
          if (type == "Ticket") creates_tickets = true;
          if (kDeletable.count(type)) continue;
          if (Content(ent).find("${prefix}") == std::string::npos)
            errs_.Add(Line(ent),
                      fmt::format("a {} cannot be deleted: give it a title or name that starts "
                                  "with ${{prefix}} ([atws-conformance]) so that people can tell "
                                  "it apart on a real sandbox (or make the scenario mock-only)",
                                  type.empty() ? "record" : type));
        }
      }
    }
    if (creates_tickets) {
      bool closes = false;
      for (const auto& s : sc_->cleanup)
        if (s.kind == StepKind::kCall && s.operation == "update") closes = true;
      if (!closes)
        errs_.Add(sc_->steps.empty() ? 0 : sc_->steps.front().line,
                  "the scenario creates tickets: its <cleanup> must close them (update Status 5)");
    }
  }

  void CheckIds() {
    std::set<std::string> ids;
    for (const auto* list : {&sc_->steps, &sc_->cleanup}) {
      for (const auto& s : *list) {
        if (!ids.insert(s.id).second)
          errs_.Add(s.line, fmt::format("two steps are called '{}'", s.id));
      }
    }
  }

  Scenario* sc_;
  const Errors& errs_;
  int step_no_ = 0;
  int group_ = 0;
  std::vector<Node> created_entities_;
};

std::string ReadFile(const std::string& path, bool* ok) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *ok = false;
    return {};
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  *ok = true;
  return ss.str();
}

}  // namespace

std::string LoadError::ToString() const {
  if (line > 0) return fmt::format("{}:{}: {}", file, line, message);
  return fmt::format("{}: {}", file, message);
}

struct Schema::Impl {
  std::optional<xml::Schema> schema;
};

Schema::Schema() : impl_(std::make_unique<Impl>()) {}

Schema::~Schema() = default;

std::unique_ptr<Schema> Schema::FromString(const std::string& xsd, std::string* error) {
  std::vector<std::string> msgs;
  Result<xml::Schema> schema = xml::Schema::Compile(xsd, &msgs);
  if (!schema.ok()) {
    if (error) {
      if (schema.status().IsInternal()) {
        *error = schema.status().message();
      } else {
        *error = "the scenario schema is not a valid XSD";
        for (const auto& m : msgs) *error += "\n  " + m;
      }
    }
    return nullptr;
  }
  std::unique_ptr<Schema> out(new Schema());
  out->impl_->schema.emplace(std::move(schema).value());
  return out;
}

std::unique_ptr<Schema> Schema::FromFile(const std::string& path, std::string* error) {
  bool ok = false;
  std::string text = ReadFile(path, &ok);
  if (!ok) {
    if (error) *error = fmt::format("cannot read the scenario schema {}", path);
    return nullptr;
  }
  auto s = FromString(text, error);
  if (!s && error) *error = path + ": " + *error;
  return s;
}

bool LoadScenario(const Schema& schema, const std::string& file, const std::string& content,
                  Scenario* out, std::vector<LoadError>* errors) {
  *out = Scenario{};
  out->file = file;
  size_t before = errors->size();
  Errors errs{file, errors};
  if (content.size() > 4 * 1024 * 1024) {
    errs.Add(0, "larger than 4 MiB");
    return false;
  }
  // Hardened as any parse (no network, no DTD, no entity expansion); the size is limited above,
  // and the schema limits the rest.
  xml::ParseOptions options;
  options.max_bytes = content.size();
  options.max_depth = 0;
  options.max_attributes = 0;
  xml::ParseError why;
  Result<xml::Document> doc = xml::Document::Parse(content, options, &why);
  if (!doc.ok()) {
    if (why.kind == xml::ParseError::Kind::kSyntax)
      errs.Add(why.line,
               fmt::format("not well-formed XML: {}", why.located ? why.reason.value_or("") : "?"));
    else if (why.kind == xml::ParseError::Kind::kDtd)
      errs.Add(why.line, "a DOCTYPE is not allowed in a scenario");
    else
      errs.Add(0, doc.status().message());
    return false;
  }
  std::vector<xml::Schema::Problem> problems;
  Status valid = schema.impl()->schema->Validate(*doc, &problems);
  for (const auto& p : problems) errs.Add(p.line, p.message.empty() ? "invalid" : p.message);
  if (!valid.ok()) {
    if (errors->size() == before) errs.Add(0, "does not match conformance/scenario.xsd");
    return false;
  }
  Builder(out, errs).Build(doc->Root());
  return errors->size() == before;
}

bool LoadScenarioFile(const Schema& schema, const std::string& path, Scenario* out,
                      std::vector<LoadError>* errors) {
  bool ok = false;
  std::string text = ReadFile(path, &ok);
  if (!ok) {
    errors->push_back(LoadError{path, 0, "cannot read the file"});
    return false;
  }
  return LoadScenario(schema, path, text, out, errors);
}

bool LoadScenarioDir(const Schema& schema, const std::string& dir, std::vector<Scenario>* out,
                     std::vector<LoadError>* errors) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".xml")
      files.push_back(entry.path().string());
  }
  if (ec) {
    errors->push_back(LoadError{dir, 0, "cannot read the directory: " + ec.message()});
    return false;
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    errors->push_back(LoadError{dir, 0, "holds no *.xml scenario"});
    return false;
  }
  size_t before = errors->size();
  std::map<std::string, std::string> ids;
  for (const auto& f : files) {
    Scenario sc;
    if (!LoadScenarioFile(schema, f, &sc, errors)) continue;
    auto [it, fresh] = ids.emplace(sc.id, f);
    if (!fresh) {
      errors->push_back(
          LoadError{f, 0, fmt::format("scenario id '{}' is also used by {}", sc.id, it->second)});
      continue;
    }
    out->push_back(std::move(sc));
  }
  return errors->size() == before;
}

std::string DefaultScenarioDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed =
        exe.parent_path().parent_path() / "share" / "atws-sandbox" / "conformance" / "scenarios";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
#ifdef ATWS_CONFORMANCE_SOURCE_DIR
  return std::string(ATWS_CONFORMANCE_SOURCE_DIR) + "/scenarios";
#else
  return "conformance/scenarios";
#endif
}

std::string FindSchemaFile(const std::string& scenario_dir) {
  std::error_code ec;
  fs::path beside = fs::path(scenario_dir).parent_path() / "scenario.xsd";
  if (fs::path(scenario_dir).filename().empty())  // "dir/" form
    beside = fs::path(scenario_dir).parent_path().parent_path() / "scenario.xsd";
  if (fs::is_regular_file(beside, ec)) return beside.string();
#ifdef ATWS_CONFORMANCE_SOURCE_DIR
  return std::string(ATWS_CONFORMANCE_SOURCE_DIR) + "/scenario.xsd";
#else
  return "conformance/scenario.xsd";
#endif
}

}  // namespace atws::conformance::scenario
