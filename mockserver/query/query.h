// QueryXML (the `sXML` argument of `query`) -> a parameterised SQL WHERE clause over the
// store's schema (see store/store.h). Field and entity names come only from the catalog and
// the tenant's UDF definitions; every value is a bound parameter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/timeutil.h"
#include "store/store.h"

namespace atws::query {

// One <field> condition as parsed (for the journal and the client rules).
struct Condition {
  std::string field;  // as the catalog / UDF definition spells it
  bool udf = false;
  std::string op;      // canonical operator name, e.g. "GreaterThan"
  std::string value;   // raw text
  int depth = 0;       // nesting depth of the enclosing <condition> (0 = directly in <query>)
  bool in_or = false;  // some enclosing condition (or this level) is OR'ed
};

struct Compiled {
  const catalog::Entity* entity = nullptr;
  // SQL boolean expression over the entity's table ("1" when the query has no criteria).
  std::string where;
  std::vector<store::Value> params;   // bound in order, positions 1..n
  std::vector<Condition> conditions;  // every <field>, in document order
  int or_conditions = 0;              // number of OR'ed conditions counted for the 500 limit
  int distinct_udfs = 0;
  // Largest id bound below by an "id GreaterThan N" criterion that every matching row must
  // satisfy (AND-ed at the top level, possibly inside AND conditions; when OR-ed, the smaller
  // bound of both sides if both have one), for the client rule "paged by id"; -1 when none.
  long long id_greater_than = -1;
};

struct Options {
  ApiTimeZone time_zone = ApiTimeZone::kEastern;
  int max_or_conditions = 500;
  int max_depth = 32;       // nesting of <condition> elements
  int max_udfs_vb = 1;      // "VB" entities: UDFs per query
  int max_udfs_csharp = 5;  // other entities
  size_t max_sxml_bytes = 1 << 20;
};

// Entities that the emulation treats as "VB" (1 UDF per query); the others allow 5. Which
// entities are "VB" in the real API is not published: the emulation picks Contract and
// AccountLocation (assumption A-QUERY-UDF-LIMIT).
bool IsVbEntity(std::string_view entity);

// Compiles `sxml`. On error returns false and sets *error to the message an ATWSError
// carries (the exact texts are listed in docs/query-language.md).
bool Compile(std::string_view sxml, const catalog::Catalog& cat, const store::TenantDb& db,
             const Options& opt, Compiled* out, std::string* error);

// Canonical operator name for a case-insensitive spelling ("greaterthan" -> "GreaterThan");
// empty when unknown.
std::string_view CanonicalOperator(std::string_view op);

}  // namespace atws::query
