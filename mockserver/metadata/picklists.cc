// Picklists as the tenant sees them: catalog values merged with the tenant's added values.
// See picklists.h.
#include "metadata/picklists.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/text.h"

namespace atws::service {

using catalog::Entity;
using catalog::Field;
using catalog::FieldType;
using catalog::PicklistValue;

namespace {

bool IsInt(FieldType t) {
  return t == FieldType::kInteger || t == FieldType::kLong || t == FieldType::kShort;
}

const catalog::Catalog& Cat(Tenant& t) { return t.db->catalog(); }

bool IsTicketSourceField(const Entity& e, const Field& f) {
  return e.name == "Ticket" && f.name == "Source";
}

void LoadAddedValues(Tenant& t) {
  WriteState& s = t.writes;
  if (!EnsureWriteState(t) || s.picklists_loaded) return;
  const catalog::Catalog& cat = Cat(t);
  auto st = t.db->Prepare(
      "SELECT entity, field, value, label, sort FROM atws_picklist ORDER BY sort, value");
  if (!st.ok()) return;
  while (st->Next()) {
    const Entity* e = cat.Find(st->Text(0));
    if (!e) continue;
    const Field* f = e->FindField(st->Text(1));
    if (!f) continue;
    PicklistValue v;
    v.value = std::string(st->Text(2));
    for (auto& l : v.labels) l = std::string(st->Text(3));
    v.sort_order = static_cast<int>(st->Int(4));
    s.added_values[{cat.EntityIndex(e), f->index}].push_back(std::move(v));
  }
  s.picklists_loaded = true;
  s.merged.clear();
}

// Catalog value or tenant-added value, without the merged cache (no default marking).
const PicklistValue* FindRaw(Tenant& t, const Entity& e, const Field& f, std::string_view value) {
  if (const PicklistValue* v = f.FindPicklistValue(value)) return v;
  LoadAddedValues(t);
  auto it = t.writes.added_values.find({Cat(t).EntityIndex(&e), f.index});
  if (it == t.writes.added_values.end()) return nullptr;
  for (const auto& v : it->second)
    if (v.value == value) return &v;
  return nullptr;
}

}  // namespace

bool IsTicketSource(Tenant& t, long long value) {
  const Entity* ticket = Cat(t).Find("Ticket");
  const Field* src = ticket ? ticket->FindField("Source") : nullptr;
  if (!src) return false;
  const PicklistValue* v = FindRaw(t, *ticket, *src, std::to_string(value));
  return v && v->is_active;
}

long long DefaultTicketSource(Tenant& t) {
  if (t.settings.default_ticket_source > 0 && IsTicketSource(t, t.settings.default_ticket_source))
    return t.settings.default_ticket_source;
  if (IsTicketSource(t, t.spec.default_ticket_source)) return t.spec.default_ticket_source;
  return 4;  // Client Portal exists in every tenant
}

const std::vector<PicklistValue>& TenantPicklist(Tenant& t, const Entity& e, const Field& f) {
  LoadAddedValues(t);
  WriteState& s = t.writes;
  std::pair<int, int> key{Cat(t).EntityIndex(&e), f.index};
  const bool source = IsTicketSourceField(e, f);
  auto added = s.added_values.find(key);
  if (!source && added == s.added_values.end()) return f.picklist;
  long long def = source ? DefaultTicketSource(t) : -1;
  auto it = s.merged.find(key);
  if (it != s.merged.end() && (!source || s.merged_default_source == def)) return it->second;
  std::vector<PicklistValue> merged = f.picklist;
  if (added != s.added_values.end())
    merged.insert(merged.end(), added->second.begin(), added->second.end());
  if (source) {
    for (auto& v : merged) v.is_default = v.value == std::to_string(def);
    s.merged_default_source = def;
  }
  return s.merged[key] = std::move(merged);
}

const PicklistValue* FindTenantPicklistValue(Tenant& t, const Entity& e, const Field& f,
                                             std::string_view value) {
  return FindRaw(t, e, f, value);
}

bool AddTenantPicklistValue(Tenant& t, const Entity& e, const Field& f, const std::string& label_in,
                            PicklistValue* added, std::string* error) {
  std::string label(Trim(label_in));
  if (!f.is_picklist || !IsInt(f.type)) {
    *error = fmt::format("{}.{} is not a numbered picklist.", e.name, f.name);
    return false;
  }
  if (label.empty() || !IsValidUtf8(label) || Utf8Length(label) > 100) {
    *error = "the label must be 1 to 100 characters of UTF-8 text";
    return false;
  }
  if (!EnsureWriteState(t, error)) return false;
  const auto& current = TenantPicklist(t, e, f);
  long long max_value = 0;
  int max_sort = 0;
  for (const auto& v : current) {
    for (const auto& l : v.labels)
      if (!l.empty() && FoldCompare(l, label) == 0) {
        *error = fmt::format("{}.{} already has a value labelled '{}' ({}).", e.name, f.name, l,
                             v.value);
        return false;
      }
    long long n;
    if (ParseInt64(v.value, &n)) max_value = std::max(max_value, n);
    max_sort = std::max(max_sort, v.sort_order);
  }
  PicklistValue v;
  v.value = std::to_string(max_value + 1);
  for (auto& l : v.labels) l = label;
  v.sort_order = max_sort + 1;
  {
    auto st = t.db->Prepare(
        "INSERT INTO atws_picklist (entity, field, value, label, sort) VALUES (?, ?, ?, ?, ?)");
    if (!st.ok()) return st.status().Into(error);
    st->BindText(1, e.name.c_str());
    st->BindText(2, f.name.c_str());
    st->BindText(3, v.value.c_str());
    st->BindText(4, label.c_str());
    st->BindInt(5, v.sort_order);
    if (Status s = st->Run(); !s.ok()) return s.Into(error);
  }
  std::pair<int, int> key{Cat(t).EntityIndex(&e), f.index};
  t.writes.added_values[key].push_back(v);
  t.writes.merged.erase(key);
  t.db->BumpGeneration();
  *added = v;
  return true;
}

}  // namespace atws::service
