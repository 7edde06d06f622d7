// The zone table (data): Autotask zone numbers, their labels, and the contract flavour each
// zone serves. Numbers and labels from the reference's zone table (autotask-soap-api.md §1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"

namespace atws::service {

struct Zone {
  int number;
  std::string label;
  catalog::Flavour flavour = catalog::Flavour::kCurrent;
};

class ZoneTable {
 public:
  ZoneTable();  // the default table
  const Zone* Find(int number) const;
  const std::vector<Zone>& zones() const { return zones_; }
  // Changes the flavour served by a zone (admin API / configuration).
  bool SetFlavour(int number, catalog::Flavour f);

 private:
  std::vector<Zone> zones_;
};

}  // namespace atws::service
