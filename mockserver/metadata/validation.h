// Validation of create / update / delete entities against the catalog and the tenant's data
// (docs/writes.md lists every rule with its message). Independent of HTTP and of the Service
// class so that each rule can be unit-tested; the tenant is reached through WriteLookup.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/timeutil.h"
#include "soap/soap.h"
#include "store/store.h"

namespace atws::service {

struct Tenant;

enum class WriteOp { kCreate, kUpdate, kDelete };
constexpr size_t kMaxEntitiesPerCall = 200;

// What validation needs to know about the tenant.
class WriteLookup {
 public:
  virtual ~WriteLookup() = default;
  virtual bool RowExists(const catalog::Entity& e, long long id) = 0;
  // The stored value of field f of row `id` (null when the row or value is absent).
  virtual store::Value StoredValue(const catalog::Entity& e, long long id,
                                   const catalog::Field& f) = 0;
  // A picklist value as the tenant sees it (catalog + values the tenant added).
  virtual const catalog::PicklistValue* FindPicklistValue(const catalog::Entity& e,
                                                          const catalog::Field& f,
                                                          std::string_view value) = 0;
  virtual const std::vector<store::UdfDef>& Udfs(const catalog::Entity& e) = 0;
  virtual const store::UdfDef* FindUdfById(long long id) = 0;
};

// The lookup over a tenant's database (the caller holds its mutex).
class TenantLookup : public WriteLookup {
 public:
  explicit TenantLookup(Tenant& t) : t_(t) {}
  bool RowExists(const catalog::Entity& e, long long id) override;
  store::Value StoredValue(const catalog::Entity& e, long long id,
                           const catalog::Field& f) override;
  const catalog::PicklistValue* FindPicklistValue(const catalog::Entity& e, const catalog::Field& f,
                                                  std::string_view value) override;
  const std::vector<store::UdfDef>& Udfs(const catalog::Entity& e) override;
  const store::UdfDef* FindUdfById(long long id) override;

 private:
  Tenant& t_;
};

// One entity after validation.
struct ValidatedEntity {
  const catalog::Entity* entity = nullptr;
  long long id = 0;  // update / delete: the row named by <id>
  // Accepted field values (field index → value; null for nil or empty non-string values).
  // Read-only fields are not here (ignored), except create-only fields on create.
  std::vector<std::pair<int, store::Value>> values;
  std::vector<std::pair<std::string, store::Value>> udf_values;  // UDF column → value
  std::vector<bool> sent;                                        // by field index
  nlohmann::json fields = nlohmann::json::object();              // name → text as sent (journal)
  nlohmann::json udfs = nlohmann::json::object();  // UDF name → text as sent (journal)
  std::vector<std::string> ignored;                // read-only fields sent and ignored
};

struct ValidateOptions {
  WriteOp op = WriteOp::kCreate;
  catalog::Flavour flavour = catalog::Flavour::kCurrent;
  ApiTimeZone tz = ApiTimeZone::kEastern;
};

// "create" → "creating" …, as in "Error creating entity for record number [N]".
std::string_view WriteVerb(WriteOp op);
// The error line for entity `record` (0-based position in the call).
std::string RecordError(WriteOp op, size_t record, const std::string& reason);
// Call-level rules: at least one entity, at most kMaxEntitiesPerCall. "" when fine.
std::string CheckCallSize(WriteOp op, size_t entities);

// Converts one sent value to its stored form; false + *why when it does not fit the field
// (type, range, date-time in the spring-forward gap, UTF-8, length).
bool ConvertValue(const catalog::Field& f, const std::string& text, ApiTimeZone tz,
                  store::Value* out, std::string* why);

// Validates one entity of a call: "" when it may be written (and *out is filled), else the
// reason (without the "Error … for record number [N]." prefix).
std::string ValidateEntity(const catalog::Catalog& cat, const soap::EntityArg& ea,
                           const ValidateOptions& o, WriteLookup& lookup, ValidatedEntity* out);

// Rules of UserDefinedFieldDefinition / UserDefinedFieldListItem writes beyond the catalog
// (unique names and list values, fixed UdfType / DataType / IsProtected, list items only under
// list fields). `old_row` is the stored row on update (nullptr on create). "" when fine.
std::string ValidateUdfEntity(const catalog::Catalog& cat, const ValidatedEntity& v, WriteOp op,
                              WriteLookup& lookup, const std::vector<store::Value>* old_row);

}  // namespace atws::service
