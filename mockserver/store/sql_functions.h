// The SQL functions and the collation every tenant connection has (store.cc describes them).
// Internal to the store module.
#pragma once

#include <sqlite3.h>

namespace atws::store {

// Registers atws_fold, atws_like, atws_like_cs, atws_soundex and the ATWS_NOCASE collation.
void RegisterFunctions(sqlite3* db);

}  // namespace atws::store
