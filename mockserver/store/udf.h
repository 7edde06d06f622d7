// User-defined fields (UDFs) of a tenant: their definitions as TenantDb loads them from the
// UserDefinedFieldDefinition / UserDefinedFieldListItem rows. A UDF's values are the column
// "udf_<definition id>" of its entity's table (store.h). Plain data; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"

namespace atws::store {

// UDF data types (UserDefinedFieldDefinition.DataType).
enum class UdfDataType : int { kString = 1, kNumber = 2, kDateTime = 3, kList = 4 };

struct UdfDef {
  long long id = 0;
  std::string name;
  int entity_index = -1;  // catalog entity the UDF belongs to
  UdfDataType data_type = UdfDataType::kString;
  bool is_protected = false;
  bool is_required = false;
  bool is_active = true;
  int sort_order = 0;
  int decimal_places = 0;
  std::string default_value;
  std::string description;
  std::string column;                        // "udf_<id>"
  std::vector<catalog::PicklistValue> list;  // list items (value = ValueForExport)
  // The field type the UDF's values have in queries and GetFieldInfo.
  catalog::FieldType field_type() const;
};

// UdfType (UserDefinedFieldDefinition.UdfType) <-> catalog entity name. Only the entities
// whose HasUserDefinedFields flag is set have a number.
int UdfTypeForEntity(std::string_view entity);
std::string_view EntityForUdfType(int udf_type);

}  // namespace atws::store
