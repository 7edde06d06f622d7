// Multi-currency (docs/multi-currency.md): the InternalCurrency* twin fields of financial
// entities. Each twin holds its base field converted into the tenant's internal currency with
// the exchange rate of the Currency of the account the row belongs to. Tenants without the
// multi-currency feature (TenantSettings::multi_currency false) keep every twin equal to its
// base value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "store/store.h"

namespace atws::service {

// (twin field, base field) pairs of an entity: "InternalCurrencyUnitPrice" <- "UnitPrice".
// Empty for entities without twins.
std::vector<std::pair<const catalog::Field*, const catalog::Field*>> CurrencyTwins(
    const catalog::Entity& e);

// The exchange rate that applies to row `id` of `e`: the ExchangeRate of the Currency named by
// the CurrencyID of the account the row belongs to (directly, or through its ticket, project,
// contract, quote, purchase order …). 1.0 when the row has no account, the account no currency,
// or the currency is the internal one, inactive or has no usable rate.
double CurrencyRate(store::TenantDb& db, const catalog::Catalog& cat, const catalog::Entity& e,
                    long long id);

// Recomputes the InternalCurrency* twins of row `id` of `e` after a create or update:
// twin = round(base / rate, 4) with `multi_currency`, twin = base without it; a null base gives
// a null twin. Twins that are settle fields (Entity::settle_fields) are left to SettleCurrency,
// so that they settle with the entity's other computed fields. Does nothing for entities
// without twins. False + *error when the row cannot be written (the caller's transaction then
// fails as a whole).
bool ApplyCurrency(bool multi_currency, store::TenantDb& db, const catalog::Catalog& cat,
                   const catalog::Entity& e, long long id, std::string* error);

// The settle-field twins of row `id`, for the settle pipeline: converts the twin values in
// `computed` (field index, value; ComputeSettled's result) with the rate, and adds the settle
// twins it lacks (from the base value in `computed`, else in `row`, the row as stored, indexed
// by field) when they differ from the stored value.
void SettleCurrency(bool multi_currency, store::TenantDb& db, const catalog::Catalog& cat,
                    const catalog::Entity& e, long long id, const std::vector<store::Value>& row,
                    std::vector<std::pair<int, store::Value>>* computed);

}  // namespace atws::service
