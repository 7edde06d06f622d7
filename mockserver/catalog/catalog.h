// The static contract: entities, fields, types, flags, system picklists with labels per
// language, and the three contract flavours (1.5, 2018, current). Loaded once from the data
// files embedded at build time (mockserver/catalog/data/*.json); immutable afterwards, so it
// is safe to share between threads without locking.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atws::catalog {

enum class FieldType : uint8_t {
  kBoolean,
  kDateTime,
  kDecimal,
  kDouble,
  kFloat,
  kInteger,
  kLong,
  kShort,
  kString
};

// Name as GetFieldInfo reports it ("integer", "datetime" ...).
std::string_view FieldTypeName(FieldType t);
// xsi:type written on values in responses ("xsd:int", "xsd:dateTime" ...).
std::string_view XsdTypeName(FieldType t);
bool IsNumeric(FieldType t);

// Contract flavours. kV15 is API 1.5; kV2018 is the entity set and element order of the real
// 2018 1.6 WSDL; kCurrent is the newest known 1.6 contract (all 167 entities); kLocalized is
// the current contract one release behind, as localized zones (German, Spanish) run it: the
// entities and elements of the newest release are not there yet (catalog.cc, kLocalizedLag).
enum class Flavour : uint8_t { kV15 = 0, kV2018 = 1, kCurrent = 2, kLocalized = 3 };
constexpr int kFlavourCount = 4;
std::string_view FlavourName(Flavour f);  // "1.5", "2018", "current", "localized"
bool ParseFlavour(std::string_view s, Flavour* out);
// The newer 1.6 contract (IntegrationCodeCheck, UserAccessFor*, webhook flags): current and
// localized.
inline bool NewerContract(Flavour f) { return f == Flavour::kCurrent || f == Flavour::kLocalized; }

// Languages of labels. Index into PicklistValue::labels.
enum class Language : uint8_t { kEnglish = 0, kGerman = 1, kSpanish = 2, kFrench = 3 };
constexpr int kLanguageCount = 4;
std::string_view LanguageCode(Language l);  // "en", "de", "es", "fr"
bool ParseLanguage(std::string_view code, Language* out);

struct PicklistValue {
  std::string value;  // the id as text, e.g. "1"
  std::array<std::string, kLanguageCount> labels;
  int sort_order = 0;
  std::string parent_value;  // for dependent picklists, the controlling field's value
  bool is_default = false;
  bool is_system = false;
  bool is_active = true;
  const std::string& Label(Language l) const;  // falls back to English when empty
};

struct Field {
  std::string name;
  std::string label;                               // English label
  std::array<std::string, kLanguageCount> labels;  // localized field labels (fallback English)
  std::string description;
  FieldType type = FieldType::kString;
  int length = 0;
  bool required = false;
  bool read_only = false;
  bool queryable = true;
  bool is_reference = false;
  bool is_picklist = false;
  bool webhook = false;
  bool inferred = false;         // no metadata in the reference; type inferred by name
  std::string reference_entity;  // when is_reference
  std::string picklist_parent;   // PicklistParentValueField
  std::vector<PicklistValue> picklist;
  int index = 0;  // position in Entity::fields (stable; used as column number)
  const std::string& Label(Language l) const;
  // Exact match on PicklistValue::value; nullptr when absent. O(log n) once BuildIndex() ran
  // (the loader does this); falls back to a scan for hand-built fields.
  const PicklistValue* FindPicklistValue(std::string_view value) const;
  void BuildIndex();  // call after changing `picklist`

  // Positions in `picklist` sorted by value (built by BuildIndex).
  std::vector<int> picklist_by_value;
};

struct Entity {
  std::string name;        // "Ticket"
  std::string lower_name;  // "ticket" (EntityResultType)
  bool can_create = false, can_update = false, can_delete = false, can_query = false;
  std::string access_create = "All", access_query = "All", access_update = "All",
              access_delete = "None";
  bool has_udf = false;
  bool webhook_callouts = false;
  std::array<bool, kFlavourCount> in_flavour{};
  // fields[0] is always "id". Other fields in the current contract's WSDL element order,
  // then any field that has metadata but no WSDL element, then fields that exist only in the
  // older (2018 / 1.5) WSDLs (Field::inferred).
  std::vector<Field> fields;
  // Per flavour: indexes into `fields` in that flavour's WSDL element order, without id.
  std::array<std::vector<int>, kFlavourCount> order;
  // Fields computed after a create/update ("settle"): ticket numbers, SLA due dates, totals.
  // Indexes into `fields`, in the data file's order (docs/writes.md).
  std::vector<int> settle_fields;

  // Case-insensitive (ASCII) lookup; nullptr when absent. O(log n) once BuildIndex() ran (the
  // loader does this); falls back to a scan for hand-built entities.
  const Field* FindField(std::string_view name) const;
  int FieldIndex(std::string_view name) const;  // -1 when absent
  bool InFlavour(Flavour f) const { return in_flavour[static_cast<int>(f)]; }
  // Call after changing `fields`: sets Field::index and builds the lookup indexes of the
  // entity and of its fields.
  void BuildIndex();

  // (lower-case field name, index into fields), sorted by name (built by BuildIndex).
  std::vector<std::pair<std::string, int>> fields_by_lower_name;
};

class Catalog {
 public:
  // The catalog built from the embedded data files. Parsed on first call (thread-safe).
  static const Catalog& Default();
  // Parse from JSON texts (entities file, picklists file). Throws std::runtime_error with a
  // message naming the problem when the data is malformed.
  static std::unique_ptr<Catalog> FromJson(std::string_view entities_json,
                                           std::string_view picklists_json);

  // Case-insensitive (ASCII) lookup; nullptr when absent.
  const Entity* Find(std::string_view name) const;
  const std::vector<Entity>& entities() const { return entities_; }
  int EntityIndex(const Entity* e) const { return static_cast<int>(e - entities_.data()); }

 private:
  std::vector<Entity> entities_;
  std::vector<std::pair<std::string, int>> by_lower_name_;  // sorted, for binary search
};

}  // namespace atws::catalog
