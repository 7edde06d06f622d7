#include "zones/zones.h"

namespace atws::service {

ZoneTable::ZoneTable() {
  // The localized zones (Spanish 12, German 18) run the contract one release behind
  // (Flavour::kLocalized); every other zone the current one. The admin API changes this.
  zones_ = {
      {1, "Limited Release"},
      {2, "Pre-release"},
      {3, "America East"},
      {4, "UK"},
      {5, "America West"},
      {6, "Australia / New Zealand"},
      {11, "UK Pre-release"},
      {12, "Español (Spanish)", catalog::Flavour::kLocalized},
      {14, "America East 2"},
      {15, "America West 2"},
      {16, "UK2"},
      {17, "UK Limited Release"},
      {18, "Deutsch (German)", catalog::Flavour::kLocalized},
      {19, "EU1 (English Europe and Asia)"},
      {22, "America East 3"},
      {24, "America West 3"},
      {25, "America West 4"},
      {26, "Australia 2"},
      {28, "UK3"},
      {29, "Australia 3"},
  };
}

const Zone* ZoneTable::Find(int number) const {
  for (const auto& z : zones_)
    if (z.number == number) return &z;
  return nullptr;
}

bool ZoneTable::SetFlavour(int number, catalog::Flavour f) {
  for (auto& z : zones_)
    if (z.number == number) {
      z.flavour = f;
      return true;
    }
  return false;
}

}  // namespace atws::service
