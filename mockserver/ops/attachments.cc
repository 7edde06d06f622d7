// CreateAttachment / GetAttachment / DeleteAttachment (docs/contract.md). The metadata is an
// AttachmentInfo row (queryable with `query` like any entity); the file's bytes live in the
// tenant database's side table atws_attachment_data, and every accepted upload is logged in
// atws_attachment_upload for the per-tenant rolling byte limit. These operations have no
// ATWSResponse: every error is a soap:Fault whose faultstring is the message.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "ops/call.h"
#include "soap/entity_writer.h"
#include "store/savepoint.h"

namespace atws::service {

using catalog::Entity;
using catalog::Field;
using store::TenantDb;
using store::Value;

namespace {

// AttachmentInfo.ParentType values (A-ATTACH-PARENTTYPE) and the entity and *ID field of each.
struct ParentKind {
  int type;
  const char* entity;
  const char* field;
};
constexpr ParentKind kParents[] = {
    {1, "Account", "AccountID"},
    {2, "Opportunity", "OpportunityID"},
    {3, "Project", "ProjectID"},
    {4, "Ticket", "TicketID"},
    {5, "Task", "TaskID"},
    {6, "Contract", "ContractID"},
    {7, "InstalledProduct", "InstalledProductID"},
    {8, "Resource", "ResourceID"},
    {9, "ExpenseReport", "ExpenseReportID"},
    {10, "SalesOrder", "SalesOrderID"},
    {11, "TimeEntry", "TimeEntryID"},
    {12, "AccountNote", "AccountNoteID"},
    {13, "ProjectNote", "ProjectNoteID"},
    {14, "TaskNote", "TaskNoteID"},
    {15, "TicketNote", "TicketNoteID"},
    {16, "ContractNote", "ContractNoteID"},
    {17, "InstalledProductNote", "InstalledProductNoteID"},
};

const ParentKind* ParentByType(long long type) {
  for (const auto& p : kParents)
    if (p.type == type) return &p;
  return nullptr;
}

const ParentKind* ParentByField(std::string_view field) {
  for (const auto& p : kParents)
    if (field == p.field) return &p;
  return nullptr;
}

constexpr const char* kSchema[] = {
    "CREATE TABLE IF NOT EXISTS atws_attachment_data (id INTEGER PRIMARY KEY, data BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS atws_attachment_upload (at INTEGER NOT NULL, bytes INTEGER NOT "
    "NULL)"};

bool EnsureSchema(TenantDb& db, std::string* err) {
  for (const char* sql : kSchema)
    if (!db.Exec(sql, err)) return false;
  return true;
}

// Base64 as .NET's Convert.FromBase64String takes it: whitespace ignored, the rest a multiple
// of four characters from the standard alphabet, '=' padding only at the end.
bool StrictBase64(std::string_view in, std::string* out) {
  std::string clean;
  clean.reserve(in.size());
  for (char c : in) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '=';
    if (!ok) return false;
    clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return false;
  size_t pad = clean.find('=');
  if (pad != std::string::npos) {
    if (clean.size() - pad > 2) return false;
    for (size_t i = pad; i < clean.size(); ++i)
      if (clean[i] != '=') return false;
  }
  return Base64Decode(clean, out);
}

bool ParseId(std::string_view text, long long* out) {
  double d;
  if (ParseInt64(text, out)) return true;
  if (ParseDouble(text, &d) && d == static_cast<double>(static_cast<long long>(d))) {
    *out = static_cast<long long>(d);
    return true;
  }
  return false;
}

// MIME type by file name extension, for FILE_ATTACHMENTs sent without ContentType
// (A-ATTACH-CONTENTTYPE).
std::string ContentTypeFor(std::string_view path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {"pdf", "application/pdf"},
      {"txt", "text/plain"},
      {"log", "text/plain"},
      {"csv", "text/csv"},
      {"htm", "text/html"},
      {"html", "text/html"},
      {"xml", "text/xml"},
      {"json", "application/json"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"bmp", "image/bmp"},
      {"zip", "application/zip"},
      {"eml", "message/rfc822"},
      {"msg", "application/vnd.ms-outlook"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xls", "application/vnd.ms-excel"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"ppt", "application/vnd.ms-powerpoint"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"}};
  size_t slash = path.find_last_of("/\\");
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    std::string ext = AsciiLower(name.substr(dot + 1));
    for (const auto& [e, t] : kTypes)
      if (ext == e) return t;
  }
  return "application/octet-stream";
}

std::string WithThousands(long long v) {
  std::string s = std::to_string(v), out;
  int n = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (n && n % 3 == 0 && *it != '-') out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++n;
  }
  return out;
}

// The attachmentId argument of GetAttachment / DeleteAttachment.
bool AttachmentIdArg(const soap::Request& req, long long* id, std::string* why) {
  const std::string* a = req.Arg("attachmentId");
  if (!a || Trim(*a).empty()) {
    *why = "attachmentId is required.";
    return false;
  }
  if (!ParseId(*a, id) || *id <= 0) {
    *why = fmt::format("attachmentId '{}' is not a valid attachment id.",
                       std::string(Trim(*a)).substr(0, 50));
    return false;
  }
  return true;
}

}  // namespace

void OpCreateAttachment(CallContext& ctx) {
  const Entity* e = ctx.env.cat.Find("AttachmentInfo");
  TenantDb& db = *ctx.tenant->db;
  const TenantSettings& settings = ctx.tenant->settings;
  ctx.j.entity = "AttachmentInfo";
  if (!e) {
    ctx.Error({"The AttachmentInfo entity is not available."});
    return;
  }
  const soap::Request& req = ctx.req;
  if (!req.has_attachment) {
    ctx.Error(
        {"CreateAttachment needs an attachment element holding Info (an AttachmentInfo) "
         "and Data."});
    return;
  }
  const soap::EntityArg& info = req.attachment_info;
  if (!info.type.empty() && !AsciiIEquals(info.type, "AttachmentInfo")) {
    ctx.Error({fmt::format("The attachment's Info must be an AttachmentInfo, not '{}'.",
                           info.type.substr(0, 100))});
    return;
  }

  // The Info fields sent. Fields the API computes are ignored silently, as create does.
  const auto& order = e->order[static_cast<int>(ctx.flavour)];
  std::vector<std::string> errors;
  std::map<std::string, std::string, std::less<>> sent;  // field name -> trimmed text
  for (const auto& fa : info.fields) {
    const Field* f = e->FindField(fa.name);
    bool in_flavour =
        f && (f->name == "id" || std::find(order.begin(), order.end(), f->index) != order.end());
    if (!in_flavour) {
      errors.push_back(fmt::format("Unable to find field {} in the AttachmentInfo entity.",
                                   fa.name.substr(0, 100)));
      continue;
    }
    if (fa.nil || Trim(fa.text).empty()) continue;
    static const char* kAccepted[] = {"ParentID",    "ParentType",         "Type",
                                      "Title",       "FullPath",           "Publish",
                                      "ContentType", "AttachedByContactID"};
    bool accepted = ParentByField(f->name) != nullptr;
    for (const char* n : kAccepted) accepted = accepted || f->name == n;
    if (!accepted) continue;
    if (f->type == catalog::FieldType::kString) {
      if (!IsValidUtf8(fa.text)) {
        errors.push_back(fmt::format("Field {} is not valid UTF-8 text.", f->name));
        continue;
      }
      if (f->length > 0 && Utf8Length(fa.text) > static_cast<size_t>(f->length)) {
        errors.push_back(fmt::format("Field {} is longer than its maximum of {} characters ({}).",
                                     f->name, f->length, Utf8Length(fa.text)));
        continue;
      }
      sent[f->name] = f->name == "Title" ? fa.text : std::string(Trim(fa.text));
    } else {
      long long v;
      if (!ParseId(fa.text, &v)) {
        errors.push_back(fmt::format("Value '{}' is not valid for field {} of type {}.",
                                     std::string(Trim(fa.text)).substr(0, 100), f->name,
                                     catalog::FieldTypeName(f->type)));
        continue;
      }
      sent[f->name] = std::to_string(v);
    }
  }
  auto get = [&](std::string_view name) -> const std::string* {
    auto it = sent.find(name);
    return it == sent.end() ? nullptr : &it->second;
  };
  auto get_int = [&](std::string_view name) -> long long {
    const std::string* s = get(name);
    long long v = 0;
    return s && ParseInt64(*s, &v) ? v : 0;
  };
  auto picklist_ok = [&](const char* field, const std::string& value) {
    const Field* f = e->FindField(field);
    const catalog::PicklistValue* pv = f ? f->FindPicklistValue(value) : nullptr;
    return pv && pv->is_active;
  };

  // Type, Title, FullPath, Publish: required (the catalog's IsRequired flags).
  std::string type;
  bool type_ok = false;
  if (const std::string* t = get("Type")) {
    type = *t;
    for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    type_ok = picklist_ok("Type", type);
    if (!type_ok)
      errors.push_back(fmt::format(
          "Value {} is not a valid picklist value for field Type (FILE_ATTACHMENT, FILE_LINK, "
          "FOLDER_LINK or URL).",
          t->substr(0, 100)));
  } else {
    errors.push_back("Required field Type is missing.");
  }
  for (const char* req_field : {"Title", "FullPath", "Publish"})
    if (!get(req_field)) errors.push_back(fmt::format("Required field {} is missing.", req_field));
  if (const std::string* p = get("Publish"); p && !picklist_ok("Publish", *p))
    errors.push_back(fmt::format("Value {} is not a valid picklist value for field Publish.", *p));

  // The parent: ParentType + ParentID, or exactly one of the parent id fields.
  const ParentKind* parent = nullptr;
  long long parent_id = 0;
  std::vector<const ParentKind*> by_field;
  for (const auto& p : kParents)
    if (get(p.field)) by_field.push_back(&p);
  if (get("ParentType")) {
    long long pt = get_int("ParentType");
    parent = picklist_ok("ParentType", std::to_string(pt)) ? ParentByType(pt) : nullptr;
    parent_id = get_int("ParentID");
    if (!parent) {
      errors.push_back(
          fmt::format("Value {} is not a valid picklist value for field ParentType.", pt));
    } else if (!get("ParentID") || parent_id < 0) {
      errors.push_back("Required field ParentID is missing.");
    } else {
      for (const ParentKind* p : by_field)
        if (p != parent || get_int(p->field) != parent_id)
          errors.push_back(fmt::format(
              "Field {} does not agree with ParentType {} and ParentID {}; send ParentType and "
              "ParentID, or one parent id field.",
              p->field, pt, parent_id));
    }
  } else if (by_field.size() == 1) {
    parent = by_field[0];
    parent_id = get_int(parent->field);
    if (get("ParentID") && get_int("ParentID") != parent_id)
      errors.push_back(fmt::format("ParentID {} does not agree with {} {}.", get_int("ParentID"),
                                   parent->field, parent_id));
  } else if (by_field.empty()) {
    errors.push_back(
        "The attachment needs a parent: ParentType and ParentID, or one of AccountID, "
        "OpportunityID, ProjectID, TicketID, TaskID, ContractID … (see ParentType's picklist).");
  } else {
    errors.push_back(
        "The attachment names more than one parent; send ParentType and ParentID, or exactly "
        "one parent id field.");
  }
  auto exists = [&](const char* entity, long long id) {
    const Entity* pe = ctx.env.cat.Find(entity);
    if (!pe || id < 0) return false;  // id 0: the tenant's own account
    return db.RowExists(pe->name, id);
  };
  if (errors.empty() && parent && !exists(parent->entity, parent_id))
    errors.push_back(
        fmt::format("The attachment's parent {} {} does not exist.", parent->entity, parent_id));
  long long contact = get_int("AttachedByContactID");
  if (get("AttachedByContactID") && !exists("Contact", contact))
    errors.push_back(fmt::format(
        "Field AttachedByContactID refers to Contact {}, which does not exist.", contact));

  // The data: a file for FILE_ATTACHMENT, nothing for links.
  std::string data;
  bool is_file = type == "FILE_ATTACHMENT";
  if (!StrictBase64(req.attachment_data, &data)) {
    errors.push_back("The attachment's Data is not valid base64.");
  } else if (type_ok && !is_file && !data.empty()) {
    errors.push_back(fmt::format(
        "An attachment of type {} is a link and carries no Data; only FILE_ATTACHMENT does.",
        type));
  }
  if (!errors.empty()) {
    ctx.Error(errors);
    return;
  }

  const long long size = static_cast<long long>(data.size());
  if (is_file && size > settings.attachment_max_bytes) {
    ctx.Error(
        {fmt::format("The attachment is {} bytes; the largest file the API accepts is {} bytes.",
                     WithThousands(size), WithThousands(settings.attachment_max_bytes))});
    return;
  }
  std::string err;
  if (!EnsureSchema(db, &err)) {
    ctx.Error({"The attachment could not be stored: " + err});
    return;
  }
  // Rolling byte limit per tenant, on the service clock (A-ATTACH-RATE).
  const Micros now_us = ctx.env.clock.Now();
  const Micros window_us = static_cast<Micros>(settings.attachment_window_s) * 1000000;
  long long recent = 0;
  if (auto st =
          db.Prepare("SELECT COALESCE(SUM(bytes), 0) FROM atws_attachment_upload WHERE at > ?");
      st.ok()) {
    st->BindInt(1, now_us - window_us);
    if (st->Next()) recent = st->Int(0);
  }
  if (size > 0 && recent + size > settings.attachment_window_bytes) {
    ctx.Error({fmt::format(
        "Attachment upload limit exceeded: at most {} bytes may be attached per {} minutes and "
        "{} bytes were attached in the last {} minutes; this attachment has {} bytes. Try again "
        "later.",
        WithThousands(settings.attachment_window_bytes), settings.attachment_window_s / 60,
        WithThousands(recent), settings.attachment_window_s / 60, WithThousands(size))});
    return;
  }

  // The row.
  const std::string now = StorageDateTime(ToLocal(now_us, ctx.env.time_zone));
  std::vector<std::pair<int, Value>> values;
  auto set = [&](const char* field, Value v) {
    if (const Field* f = e->FindField(field)) values.emplace_back(f->index, std::move(v));
  };
  set("ParentID", Value::Int(parent_id));
  set("ParentType", Value::Int(parent->type));
  set(parent->field, Value::Int(parent_id));
  set("Type", Value::Text(type));
  set("Title", Value::Text(*get("Title")));
  set("FullPath", Value::Text(*get("FullPath")));
  set("AttachDate", Value::Text(now));
  set("FileSize", is_file ? Value::Int(size) : Value::Null());
  // The resource the call acts as; with ImpersonateAsResourceID that resource, and the API
  // user's own resource as the impersonator (A-ATTACH-ATTACHEDBY).
  long long actor = ctx.req.impersonate_as > 0 ? ctx.req.impersonate_as : ctx.user->resource_id;
  set("AttachedByResourceID", Value::Int(actor));
  if (ctx.req.impersonate_as > 0)
    set("ImpersonatorCreatorResourceID", Value::Int(ctx.user->resource_id));
  set("CreatorType", Value::Int(1));  // Resource
  if (get("AttachedByContactID")) set("AttachedByContactID", Value::Int(contact));
  set("Publish", Value::Int(get_int("Publish")));
  if (const std::string* ct = get("ContentType"))
    set("ContentType", Value::Text(*ct));
  else if (is_file)
    set("ContentType", Value::Text(ContentTypeFor(*get("FullPath"))));

  auto savepoint = store::Savepoint::Begin(db, "atws_attachment");
  if (!savepoint.ok()) {
    ctx.Error({"The database is busy; try again."});
    return;
  }
  auto rollback = [&](const std::string& why) {
    savepoint->Rollback();
    ctx.Error({"The attachment could not be stored: " + why});
  };
  long long id = db.Insert(*e, values, {}, 0, &err);
  if (id == 0) return rollback(err);
  if (is_file) {
    {
      auto st = db.Prepare("INSERT INTO atws_attachment_data (id, data) VALUES (?, ?)");
      if (!st.ok()) return rollback(st.status().message());
      st->BindInt(1, id);
      st->BindBlob(2, data);  // not copied: `data` outlives the statement's use
      if (Status s = st->Run(); !s.ok()) return rollback(s.message());
    }
    if (size > 0) {
      {
        auto st = db.Prepare("INSERT INTO atws_attachment_upload (at, bytes) VALUES (?, ?)");
        if (!st.ok()) return rollback(st.status().message());
        st->BindInt(1, now_us);
        st->BindInt(2, size);
        if (Status s = st->Run(); !s.ok()) return rollback(s.message());
      }
      // Uploads older than the window no longer matter.
      if (auto st = db.Prepare("DELETE FROM atws_attachment_upload WHERE at <= ?"); st.ok()) {
        st->BindInt(1, now_us - window_us);
        (void)st->Run();
      }
    }
  }
  (void)savepoint->Release();
  db.BumpGeneration();

  nlohmann::json fields = nlohmann::json::object();
  for (const auto& [k, v] : sent) fields[k] = v;
  ctx.j.written = nlohmann::json::array({{{"entity", "AttachmentInfo"},
                                          {"record", 0},
                                          {"id", id},
                                          {"fields", fields},
                                          {"bytes", size}}});
  ctx.j.rows = 1;
  soap::BeginResponse(&ctx.out, "CreateAttachment", ctx.ep.version);
  soap::IntElement(&ctx.out, "CreateAttachmentResult", id);
  soap::EndResponse(&ctx.out, "CreateAttachment");
}

void OpGetAttachment(CallContext& ctx) {
  const Entity* e = ctx.env.cat.Find("AttachmentInfo");
  TenantDb& db = *ctx.tenant->db;
  ctx.j.entity = "AttachmentInfo";
  long long id = 0;
  std::string why;
  if (!AttachmentIdArg(ctx.req, &id, &why)) {
    ctx.Error({why});
    return;
  }
  std::string where = "id = ?", err, info;
  std::vector<Value> params = {Value::Int(id)};
  long long rows = 0;
  if (e && RestrictQuery(*ctx.user, *e, &where, &params)) {
    auto page = soap::AppendEntities(&info, db, *e, ctx.flavour, where, params);
    if (page.ok()) rows = page->rows;
  }
  if (rows == 0) {
    ctx.Error({fmt::format("No attachment with id {} exists.", id)});
    return;
  }
  // <Entity xsi:type="AttachmentInfo">…</Entity> → <Info xsi:type="AttachmentInfo">…</Info>
  constexpr std::string_view kOpen = "<Entity", kClose = "</Entity>";
  if (info.compare(0, kOpen.size(), kOpen) == 0) info.replace(0, kOpen.size(), "<Info");
  if (info.size() >= kClose.size() &&
      info.compare(info.size() - kClose.size(), kClose.size(), kClose) == 0)
    info.replace(info.size() - kClose.size(), kClose.size(), "</Info>");

  std::string& out = ctx.out;
  soap::BeginResponse(&out, "GetAttachment", ctx.ep.version);
  out += "<GetAttachmentResult>";
  if (EnsureSchema(db, &err)) {
    if (auto st = db.Prepare("SELECT data FROM atws_attachment_data WHERE id = ?"); st.ok()) {
      st->BindInt(1, id);
      if (st->Next()) {
        std::string_view bytes = st->Blob(0);
        out.reserve(out.size() + bytes.size() / 3 * 4 + info.size() + 256);
        out += "<Data>";
        out += Base64Encode(bytes);
        out += "</Data>";
        ctx.j.rows = 1;
      }
    }
  }
  out += info;
  out += "</GetAttachmentResult>";
  soap::EndResponse(&out, "GetAttachment");
}

void OpDeleteAttachment(CallContext& ctx) {
  const Entity* e = ctx.env.cat.Find("AttachmentInfo");
  TenantDb& db = *ctx.tenant->db;
  ctx.j.entity = "AttachmentInfo";
  long long id = 0;
  std::string why;
  if (!AttachmentIdArg(ctx.req, &id, &why)) {
    ctx.Error({why});
    return;
  }
  std::string where = "id = ?", err;
  std::vector<Value> params = {Value::Int(id)};
  bool found = false;
  if (e && RestrictQuery(*ctx.user, *e, &where, &params)) {
    if (auto st = db.Prepare("SELECT 1 FROM \"AttachmentInfo\" WHERE (" + where + ")"); st.ok()) {
      st->BindAll(params);
      found = st->Next();
    }
  }
  if (!found) {
    ctx.Error({fmt::format("No attachment with id {} exists.", id)});
    return;
  }
  if (!EnsureSchema(db, &err)) {
    ctx.Error({"The attachment could not be deleted: " + err});
    return;
  }
  auto savepoint = store::Savepoint::Begin(db, "atws_attachment");
  if (!savepoint.ok()) {
    ctx.Error({"The attachment could not be deleted: " + savepoint.status().message()});
    return;
  }
  bool ok = db.Delete(*e, id, &err);
  if (ok) {
    auto st = db.Prepare("DELETE FROM atws_attachment_data WHERE id = ?");
    ok = st.ok();
    if (!ok) err = st.status().message();
    if (ok) {
      st->BindInt(1, id);
      Status s = st->Run();
      ok = s.ok();
      if (!ok) err = s.message();
    }
  }
  if (!ok) {
    savepoint->Rollback();
    ctx.Error({"The attachment could not be deleted: " + err});
    return;
  }
  (void)savepoint->Release();
  db.BumpGeneration();
  ctx.j.written = nlohmann::json::array(
      {{{"entity", "AttachmentInfo"}, {"record", 0}, {"id", id}, {"deleted", true}}});
  // Success is an empty string (A-ATTACH-DELETE).
  soap::BeginResponse(&ctx.out, "DeleteAttachment", ctx.ep.version);
  soap::Element(&ctx.out, "DeleteAttachmentResult", "");
  soap::EndResponse(&ctx.out, "DeleteAttachment");
}

}  // namespace atws::service
