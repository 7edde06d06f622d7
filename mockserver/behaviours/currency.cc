#include "behaviours/currency.h"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace atws::service {

using catalog::Entity;
using catalog::Field;
using store::TenantDb;
using store::Value;

namespace {

constexpr std::string_view kTwinPrefix = "InternalCurrency";

// Reference fields followed, in this order, from a row towards the account whose currency
// applies: the account itself (AccountID; VendorID for purchase orders), else the parent row.
constexpr const char* kAccountPath[] = {"AccountID", "VendorID", "OrderID",   "QuoteID",
                                        "TicketID",  "TaskID",   "ProjectID", "ContractID"};

bool ReadInt(TenantDb& db, const Entity& e, const Field& f, long long id, long long* out) {
  auto st = db.Prepare("SELECT " + TenantDb::Quote(f.name) + " FROM " + TenantDb::Quote(e.name) +
                       " WHERE id = ?");
  if (!st.ok()) return false;
  st->BindInt(1, id);
  bool ok = st->Next() && !st->IsNull(0);
  if (ok) *out = st->Int(0);
  return ok && *out > 0;
}

// The account a row belongs to; 0 when none.
long long AccountOf(TenantDb& db, const catalog::Catalog& cat, const Entity& e, long long id,
                    int depth) {
  if (depth > 4) return 0;
  for (const char* name : kAccountPath) {
    const Field* f = e.FindField(name);
    if (!f || f->name != name || !f->is_reference) continue;
    long long ref = 0;
    if (!ReadInt(db, e, *f, id, &ref)) continue;
    if (f->reference_entity == "Account") return ref;
    const Entity* parent = cat.Find(f->reference_entity);
    if (!parent) continue;
    long long a = AccountOf(db, cat, *parent, ref, depth + 1);
    if (a) return a;
  }
  return 0;
}

}  // namespace

std::vector<std::pair<const Field*, const Field*>> CurrencyTwins(const Entity& e) {
  std::vector<std::pair<const Field*, const Field*>> out;
  for (const Field& f : e.fields) {
    if (f.name.size() <= kTwinPrefix.size() || f.name.compare(0, kTwinPrefix.size(), kTwinPrefix))
      continue;
    const Field* base = e.FindField(std::string_view(f.name).substr(kTwinPrefix.size()));
    if (base && catalog::IsNumeric(base->type) && catalog::IsNumeric(f.type))
      out.emplace_back(&f, base);
  }
  return out;
}

double CurrencyRate(TenantDb& db, const catalog::Catalog& cat, const Entity& e, long long id) {
  const Entity* account = cat.Find("Account");
  const Entity* currency = cat.Find("Currency");
  if (!account || !currency) return 1.0;
  long long account_id = AccountOf(db, cat, e, id, 0);
  if (!account_id) return 1.0;
  const Field* cf = account->FindField("CurrencyID");
  long long currency_id = 0;
  if (!cf || !ReadInt(db, *account, *cf, account_id, &currency_id)) return 1.0;
  auto st =
      db.Prepare("SELECT ExchangeRate, IsInternalCurrency, Active FROM \"Currency\" WHERE id = ?");
  if (!st.ok()) return 1.0;
  st->BindInt(1, currency_id);
  double rate = 1.0;
  if (st->Next() && !st->IsNull(0) && st->Int(1) == 0 && st->Int(2) != 0) {
    double r = st->Real(0);
    if (r > 0 && std::isfinite(r)) rate = r;
  }
  return rate;
}

namespace {

bool Settles(const Entity& e, const Field& f) {
  return std::find(e.settle_fields.begin(), e.settle_fields.end(), f.index) !=
         e.settle_fields.end();
}

double Internal(double base, double rate) {
  return rate == 1.0 ? base : std::round(base / rate * 10000.0) / 10000.0;
}

bool Numeric(const Value& v, double* d) {
  if (v.kind == Value::Kind::kInt)
    *d = static_cast<double>(v.i);
  else if (v.kind == Value::Kind::kReal)
    *d = v.d;
  else
    return false;
  return true;
}

}  // namespace

void SettleCurrency(bool multi_currency, TenantDb& db, const catalog::Catalog& cat, const Entity& e,
                    long long id, const std::vector<Value>& row,
                    std::vector<std::pair<int, Value>>* computed) {
  std::vector<std::pair<const Field*, const Field*>> twins;
  for (const auto& tb : CurrencyTwins(e))
    if (Settles(e, *tb.first)) twins.push_back(tb);
  if (twins.empty()) return;
  double rate = multi_currency ? CurrencyRate(db, cat, e, id) : 1.0;
  auto find = [&](int fi) -> std::pair<int, Value>* {
    for (auto& p : *computed)
      if (p.first == fi) return &p;
    return nullptr;
  };
  for (const auto& [twin, base] : twins) {
    double d;
    if (auto* c = find(twin->index)) {
      if (Numeric(c->second, &d)) c->second = Value::Real(Internal(d, rate));
      continue;
    }
    const Value* b = nullptr;
    if (auto* cb = find(base->index))
      b = &cb->second;
    else if (static_cast<size_t>(base->index) < row.size())
      b = &row[base->index];
    Value v = b && Numeric(*b, &d) ? Value::Real(Internal(d, rate)) : Value::Null();
    const Value* stored =
        static_cast<size_t>(twin->index) < row.size() ? &row[twin->index] : nullptr;
    double s;
    bool same = stored && ((v.is_null() && stored->is_null()) ||
                           (!v.is_null() && Numeric(*stored, &s) && s == v.d));
    if (!same) computed->emplace_back(twin->index, std::move(v));
  }
}

bool ApplyCurrency(bool multi_currency, TenantDb& db, const catalog::Catalog& cat, const Entity& e,
                   long long id, std::string* error) {
  std::vector<std::pair<const Field*, const Field*>> twins;
  for (const auto& tb : CurrencyTwins(e))
    if (!Settles(e, *tb.first)) twins.push_back(tb);
  if (twins.empty()) return true;
  double rate = multi_currency ? CurrencyRate(db, cat, e, id) : 1.0;
  std::string sql = "SELECT ";
  for (size_t i = 0; i < twins.size(); ++i)
    sql += (i ? ", " : "") + TenantDb::Quote(twins[i].second->name);
  sql += " FROM " + TenantDb::Quote(e.name) + " WHERE id = ?";
  std::vector<std::pair<int, Value>> values;
  {
    auto st = db.Prepare(sql);
    if (!st.ok()) return st.status().Into(error);
    st->BindInt(1, id);
    if (st->Next()) {
      for (size_t i = 0; i < twins.size(); ++i) {
        int col = static_cast<int>(i);
        if (st->IsNull(col)) {
          values.emplace_back(twins[i].first->index, Value::Null());
          continue;
        }
        values.emplace_back(twins[i].first->index, Value::Real(Internal(st->Real(col), rate)));
      }
    }
  }
  if (values.empty()) return true;  // no such row: nothing to do
  return db.Update(e, id, values, {}, error);
}

}  // namespace atws::service
