// ExecuteCommand pages on a zone's web URL (docs/contract.md, A-EXECUTECOMMAND-*):
//   GET /wwN/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketNumber=…
//   GET /Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=… with Host: wwN.autotask.net
// The real page opens the record in the web UI after an interactive login; the sandbox answers
// a small HTML page naming the record (no login), or an error page. Every value that comes
// from the request or the database is escaped; nothing from the request reaches a URL.
#include <fmt/format.h>

#include <cctype>
#include <mutex>
#include <shared_mutex>

#include "common/query_string.h"
#include "common/text.h"
#include "ops/call.h"
#include "ops/markup.h"
#include "ops/row_lookup.h"

namespace atws::service {

using store::Value;

namespace {

constexpr std::string_view kPagePath = "/autotask/autotaskextend/executecommand.aspx";

// Query string → (lower-case name, decoded value); the first occurrence of a name wins
// (ASP.NET's Request.QueryString is case-insensitive).
std::map<std::string, std::string> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  auto decode = [](std::string_view v) { return PercentDecode(v, /*plus_is_space=*/true); };
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view kv = q.substr(0, amp);
    size_t eq = kv.find('=');
    std::string key = AsciiLower(decode(kv.substr(0, eq)));
    if (!key.empty() && !out.count(key))
      out.emplace(key, eq == std::string_view::npos ? "" : decode(kv.substr(eq + 1)));
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
  }
  return out;
}

// "wwN.autotask.net[:port]" → N.
bool WebZoneFromHost(std::string_view host, int* zone) {
  std::string h = AsciiLower(host);
  size_t colon = h.find(':');
  if (colon != std::string::npos) h.resize(colon);
  constexpr std::string_view kSuffix = ".autotask.net";
  if (h.size() <= 2 + kSuffix.size() || h.compare(0, 2, "ww") != 0 ||
      h.compare(h.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return false;
  std::string_view num(h.data() + 2, h.size() - 2 - kSuffix.size());
  long long n;
  for (char c : num)
    if (c < '0' || c > '9') return false;
  if (!ParseInt64(num, &n) || n <= 0 || n > 999) return false;
  *zone = static_cast<int>(n);
  return true;
}

// The commands the sandbox knows (A-EXECUTECOMMAND-CODES).
struct Command {
  const char* code;
  const char* entity;     // nullptr: NewTicket
  const char* id_param;   // AccountID, TicketID …
  const char* alt_param;  // TicketNumber …, or nullptr
  const char* alt_field;  // the field alt_param matches
  bool phone;             // Phone= selects an account
};
constexpr Command kCommands[] = {
    {"OpenTicketDetail", "Ticket", "TicketID", "TicketNumber", "TicketNumber", false},
    {"NewTicket", nullptr, "AccountID", nullptr, nullptr, true},
    {"OpenAccount", "Account", "AccountID", nullptr, nullptr, true},
    {"OpenContact", "Contact", "ContactID", nullptr, nullptr, false},
    {"OpenProject", "Project", "ProjectID", "ProjectNumber", "ProjectNumber", false},
    {"OpenTaskDetail", "Task", "TaskID", "TaskNumber", "TaskNumber", false},
    {"OpenContract", "Contract", "ContractID", nullptr, nullptr, false},
    {"OpenOpportunity", "Opportunity", "OpportunityID", nullptr, nullptr, false},
    {"OpenInstalledProduct", "InstalledProduct", "InstalledProductID", nullptr, nullptr, false},
};

std::string Digits(std::string_view s) {
  std::string d;
  for (char c : s)
    if (c >= '0' && c <= '9') d.push_back(c);
  return d;
}

struct Page {
  int status = 200;
  std::string title;     // <title> and <h1>
  std::string subtitle;  // tenant / database line
  std::vector<std::pair<std::string, std::string>> facts;
  std::string entity;                                   // data-entity
  long long id = 0;                                     // data-id
  std::vector<std::pair<long long, std::string>> list;  // (account id, label): several matches
  std::string message;                                  // error text
};

HttpResponse Render(const Page& p, long long database, bool head) {
  std::string b;
  b.reserve(2048);
  b += "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>";
  AppendEscaped(&b, p.status == 200 ? p.title + (p.subtitle.empty() ? "" : " (" + p.subtitle + ")")
                                    : "Autotask - " + p.title);
  b += "</title><style>body{font-family:Arial,Helvetica,sans-serif;font-size:13px;margin:24px}"
       "h1{font-size:20px}th{text-align:left;padding:2px 12px 2px 0}td{padding:2px 0}"
       ".error{color:#b00}</style></head><body>";
  if (p.status == 200) {
    b += "<main class=\"record\"";
    if (!p.entity.empty()) {
      b += " data-entity=\"";
      AppendEscaped(&b, p.entity);
      b += '"';
    }
    if (p.id) b += fmt::format(" data-id=\"{}\"", p.id);
    if (database) b += fmt::format(" data-database=\"{}\"", database);
    b += "><h1>";
    AppendEscaped(&b, p.title);
    b += "</h1>";
    if (!p.subtitle.empty()) {
      b += "<p class=\"database\">";
      AppendEscaped(&b, p.subtitle);
      b += "</p>";
    }
    if (!p.facts.empty()) {
      b += "<table class=\"facts\">";
      for (const auto& [k, v] : p.facts) {
        b += "<tr><th>";
        AppendEscaped(&b, k);
        b += "</th><td>";
        AppendEscaped(&b, v);
        b += "</td></tr>";
      }
      b += "</table>";
    }
    if (!p.list.empty()) {
      b += "<ul class=\"matches\">";
      for (const auto& [id, label] : p.list) {
        // The link carries only a number from the database, never request text.
        b += fmt::format("<li><a href=\"ExecuteCommand.aspx?Code=OpenAccount&amp;AccountID={}\">",
                         id);
        AppendEscaped(&b, label);
        b += "</a></li>";
      }
      b += "</ul>";
    }
    b += "</main>";
  } else {
    b += "<main class=\"error\"><h1>";
    AppendEscaped(&b, p.title);
    b += "</h1><p class=\"message\">";
    AppendEscaped(&b, p.message);
    b += "</p></main>";
  }
  b += "</body></html>\n";
  HttpResponse r;
  r.status = p.status;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  r.headers.emplace_back("Cache-Control", "no-store");
  if (!head) r.body = std::move(b);
  return r;
}

Page Error(int status, std::string title, std::string message) {
  Page p;
  p.status = status;
  p.title = std::move(title);
  p.message = std::move(message);
  return p;
}

std::string Label(const catalog::Catalog& cat, std::string_view entity, std::string_view field,
                  const std::string& value, catalog::Language l) {
  const catalog::Entity* e = cat.Find(entity);
  const catalog::Field* f = e ? e->FindField(field) : nullptr;
  const catalog::PicklistValue* pv = f && !value.empty() ? f->FindPicklistValue(value) : nullptr;
  return pv ? pv->Label(l) : value;
}

}  // namespace

bool HandleExecuteCommand(const OpsEnv& env, const HttpRequest& req, HttpResponse* out) {
  // Which zone's web URL: /wwN/… or Host wwN.autotask.net.
  if (!AsciiIEndsWith(req.path, kPagePath)) return false;
  std::string path = AsciiLower(req.path);
  int zone = 0;
  if (path.size() > 3 && path.compare(0, 3, "/ww") == 0) {
    size_t i = 3;
    while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
    long long n = 0;
    if (i == 3 || std::string_view(path).substr(i) != kPagePath ||
        !ParseInt64(std::string_view(path).substr(3, i - 3), &n) || n <= 0 || n > 999)
      return false;
    zone = static_cast<int>(n);
  } else if (path == kPagePath && WebZoneFromHost(req.host, &zone)) {
  } else {
    return false;
  }
  const bool head = req.method == "HEAD";
  JournalEntry j;
  j.time = env.clock.Now();
  j.zone = zone;
  j.operation = "ExecuteCommand";
  j.request = req.query.substr(0, env.journal.body_limit());
  auto finish = [&](const Page& p, long long database) {
    *out = Render(p, database, head);
    j.tenant = database;
    j.http_status = out->status;
    if (p.status != 200) j.errors.push_back(p.message);
    env.journal.Add(std::move(j));
    return true;
  };
  if (req.method != "GET" && !head) {
    *out = Render(Error(405, "Method not allowed", "ExecuteCommand pages answer GET requests."), 0,
                  false);
    out->headers.emplace_back("Allow", "GET, HEAD");
    return true;
  }
  if (!env.directory.zones().Find(zone))
    return finish(
        Error(404, "Page not found", fmt::format("There is no Autotask zone ww{}.", zone)), 0);

  auto params = ParseQuery(req.query);
  auto param = [&](std::string_view name) -> const std::string* {
    auto it = params.find(AsciiLower(name));
    return it == params.end() ? nullptr : &it->second;
  };

  // Which database: the one in this zone, or the one named by DB= (A-EXECUTECOMMAND-DB).
  Tenant* tenant = nullptr;
  {
    std::shared_lock<std::shared_mutex> dl(env.directory.mutex());
    std::vector<Tenant*> in_zone;
    for (auto& t : env.tenants)
      if (t->spec.zone == zone) in_zone.push_back(t.get());
    if (const std::string* db = param("DB")) {
      long long id = 0;
      ParseInt64(*db, &id);
      for (Tenant* t : in_zone)
        if (t->spec.id == id) tenant = t;
      if (!tenant)
        return finish(Error(404, "Database not found",
                            fmt::format("No database {} lives in zone ww{}.",
                                        Digits(*db).substr(0, 20), zone)),
                      0);
    } else if (in_zone.size() == 1) {
      tenant = in_zone[0];
    } else if (in_zone.empty()) {
      return finish(
          Error(404, "Database not found", fmt::format("No database lives in zone ww{}.", zone)),
          0);
    } else {
      std::string ids;
      for (Tenant* t : in_zone) ids += (ids.empty() ? "" : ", ") + std::to_string(t->spec.id);
      return finish(Error(400, "Database required",
                          fmt::format("Several databases live in zone ww{} ({}); add "
                                      "&DB=<database id> to the URL.",
                                      zone, ids)),
                    0);
    }
  }
  const long long database = tenant->spec.id;
  const catalog::Language lang = env.directory.TenantLanguage(*tenant);

  const std::string* code = param("Code");
  const Command* cmd = nullptr;
  for (const auto& c : kCommands)
    if (code && AsciiIEquals(Trim(*code), c.code)) cmd = &c;
  if (!cmd) {
    std::string known;
    for (const auto& c : kCommands) known += (known.empty() ? "" : ", ") + std::string(c.code);
    return finish(Error(404, "Command not found",
                        code ? fmt::format("The command '{}' is not recognized. Commands: {}.",
                                           std::string(Trim(*code)).substr(0, 100), known)
                             : fmt::format("The Code parameter is missing. Commands: {}.", known)),
                  database);
  }
  j.entity = cmd->entity ? cmd->entity : "Ticket";

  store::TenantDb& db = *tenant->db;
  std::lock_guard<std::mutex> lock(db.mutex());
  auto account_name = [&](long long id) {
    RowValues a;
    return FetchRow(db, env.cat, "Account", id, &a) ? a.Text("AccountName") : std::string();
  };

  // The row named by the id parameter, the alternative parameter, or (accounts) the phone.
  RowValues row;
  long long id = 0;
  const std::string* idp = param(cmd->id_param);
  const std::string* alt = cmd->alt_param ? param(cmd->alt_param) : nullptr;
  const std::string* phone = cmd->phone ? param("Phone") : nullptr;
  const char* entity = cmd->entity ? cmd->entity : "Account";
  std::vector<std::pair<long long, std::string>> matches;
  if (idp && !Trim(*idp).empty()) {
    if (!ParseInt64(*idp, &id) || id <= 0)
      return finish(Error(400, "Invalid parameter",
                          fmt::format("{} must be a number, not '{}'.", cmd->id_param,
                                      std::string(Trim(*idp)).substr(0, 100))),
                    database);
    if (!FetchRow(db, env.cat, entity, id, &row))
      return finish(Error(404, "Record not found",
                          fmt::format("No {} with {} {} exists in this database.", entity,
                                      cmd->id_param, id)),
                    database);
  } else if (alt && !Trim(*alt).empty()) {
    const catalog::Entity* e = env.cat.Find(entity);
    auto rows = e ? FetchRows(db, *e, store::TenantDb::Quote(cmd->alt_field) + " = ?",
                              {Value::Text(std::string(Trim(*alt)))}, 1)
                  : std::vector<RowValues>{};
    if (rows.empty())
      return finish(Error(404, "Record not found",
                          fmt::format("No {} with {} '{}' exists in this database.", entity,
                                      cmd->alt_param, std::string(Trim(*alt)).substr(0, 100))),
                    database);
    row = std::move(rows[0]);
    id = row.Int("id");
  } else if (phone && !Digits(*phone).empty()) {
    // Digits only, matched as a prefix of the accounts' phone digits (A-EXECUTECOMMAND-PHONE).
    std::string want = Digits(*phone).substr(0, 30);
    if (const catalog::Entity* ae = env.cat.Find("Account"))
      for (const RowValues& a : FetchRows(db, *ae, "Phone IS NOT NULL", {}, 100000))
        if (Digits(a.Text("Phone")).compare(0, want.size(), want) == 0)
          matches.emplace_back(a.Int("id"), a.Text("AccountName") + " \u2013 " + a.Text("Phone"));
    if (matches.empty())
      return finish(Error(404, "Record not found",
                          fmt::format("No Account with a phone number starting {} exists in "
                                      "this database.",
                                      want)),
                    database);
    if (matches.size() == 1) {
      id = matches[0].first;
      FetchRow(db, env.cat, "Account", id, &row);
      matches.clear();
    }
  } else if (cmd->entity) {
    std::string needs = cmd->id_param;
    if (cmd->alt_param) needs += std::string(" or ") + cmd->alt_param;
    if (cmd->phone) needs += " or Phone";
    return finish(
        Error(400, "Missing parameter", fmt::format("The command {} needs {}.", cmd->code, needs)),
        database);
  }

  Page p;
  p.subtitle = tenant->spec.name;
  if (!matches.empty()) {
    p.title = fmt::format("{} accounts match the phone number", matches.size());
    p.list = std::move(matches);
    p.entity = "Account";
    return finish(p, database);
  }
  const std::string e = cmd->entity ? cmd->entity : "";
  p.entity = cmd->entity ? e : "Ticket";
  p.id = cmd->entity ? id : 0;
  auto account_fact = [&](const RowValues& r) {
    if (r.Int("AccountID")) p.facts.emplace_back("Account", account_name(r.Int("AccountID")));
  };
  if (!cmd->entity) {  // NewTicket
    p.title = "New Ticket";
    if (id) {
      p.title += " \u2014 " + row.Text("AccountName");
      p.facts.emplace_back("Account", row.Text("AccountName"));
      p.facts.emplace_back("Account ID", std::to_string(id));
    }
  } else if (e == "Ticket") {
    p.title = "Ticket " + row.Text("TicketNumber") + " \u2014 " + row.Text("Title");
    account_fact(row);
    p.facts.emplace_back("Status", Label(env.cat, "Ticket", "Status", row.Text("Status"), lang));
    p.facts.emplace_back("Priority",
                         Label(env.cat, "Ticket", "Priority", row.Text("Priority"), lang));
  } else if (e == "Account") {
    p.title = "Account " + row.Text("AccountName");
    p.facts.emplace_back("Account Number", row.Text("AccountNumber"));
    p.facts.emplace_back("Phone", row.Text("Phone"));
    p.facts.emplace_back("City", row.Text("City"));
  } else if (e == "Contact") {
    p.title = "Contact " + row.Text("FirstName") + " " + row.Text("LastName");
    account_fact(row);
    p.facts.emplace_back("Email", row.Text("EMailAddress"));
    p.facts.emplace_back("Phone", row.Text("Phone"));
  } else if (e == "Project") {
    p.title = "Project " + row.Text("ProjectNumber") + " \u2014 " + row.Text("ProjectName");
    account_fact(row);
  } else if (e == "Task") {
    p.title = "Task " + row.Text("TaskNumber") + " \u2014 " + row.Text("Title");
    RowValues project;
    if (FetchRow(db, env.cat, "Project", row.Int("ProjectID"), &project)) {
      p.facts.emplace_back("Project", project.Text("ProjectName"));
      account_fact(project);
    }
  } else if (e == "Contract") {
    p.title = "Contract " + row.Text("ContractName");
    account_fact(row);
  } else if (e == "Opportunity") {
    p.title = "Opportunity " + row.Text("Title");
    account_fact(row);
  } else if (e == "InstalledProduct") {
    std::string what = row.Text("ReferenceTitle");
    RowValues product;
    if (what.empty() && FetchRow(db, env.cat, "Product", row.Int("ProductID"), &product))
      what = product.Text("Name");
    p.title = "Installed Product " + what;
    if (!row.Text("SerialNumber").empty())
      p.facts.emplace_back("Serial Number", row.Text("SerialNumber"));
    account_fact(row);
  }
  // Facts without a value are left out.
  std::vector<std::pair<std::string, std::string>> facts;
  for (auto& f : p.facts)
    if (!f.second.empty()) facts.push_back(std::move(f));
  p.facts = std::move(facts);
  return finish(p, database);
}

}  // namespace atws::service
