// A helper of the hardening tests (hostile_test.cc, isolation_test.cc): a digest of every row of
// every tenant, to prove a request changed nothing. The raw socket (RawConn) and the server with
// short HTTP timeouts (HardenedServer) are in test_env.h.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "service/service.h"

namespace atws::testing {

// Rows and a hash of their contents, per tenant (every non-empty table, the sandbox's own
// included).
struct TenantDigest {
  long long rows = 0;
  uint64_t hash = 1469598103934665603ULL;
  std::map<std::string, std::pair<long long, uint64_t>> tables;  // rows and hash per table
  bool operator==(const TenantDigest& o) const { return rows == o.rows && hash == o.hash; }
  bool operator!=(const TenantDigest& o) const { return !(*this == o); }
};

// "tenant 29683500: Ticket rows 1300 -> 1301" lines for the tables that differ.
inline std::string DigestDiff(const std::map<long long, TenantDigest>& a,
                              const std::map<long long, TenantDigest>& b) {
  std::string out;
  for (const auto& [id, da] : a) {
    auto it = b.find(id);
    if (it == b.end()) {
      out += "tenant " + std::to_string(id) + " is gone\n";
      continue;
    }
    for (const auto& [table, v] : da.tables) {
      auto t = it->second.tables.find(table);
      if (t == it->second.tables.end())
        out += "tenant " + std::to_string(id) + ": table " + table + " is gone\n";
      else if (t->second != v)
        out += "tenant " + std::to_string(id) + ": " + table + " rows " + std::to_string(v.first) +
               " -> " + std::to_string(t->second.first) + "\n";
    }
    for (const auto& [table, v] : it->second.tables)
      if (!da.tables.count(table))
        out += "tenant " + std::to_string(id) + ": new table " + table + "\n";
  }
  return out;
}

inline void HashBytes(uint64_t* h, const void* p, size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) {
    *h ^= b[i];
    *h *= 1099511628211ULL;
  }
}

inline std::map<long long, TenantDigest> DigestTenants(service::Service& svc) {
  std::map<long long, TenantDigest> out;
  for (const auto& t : svc.tenants()) {
    std::lock_guard<std::mutex> lock(t->db->mutex());
    store::TenantDb& db = *t->db;
    TenantDigest d;
    std::vector<std::string> tables;
    // One-use statements: the digest leaves the tenant's statement cache as it was.
    if (auto st = db.PrepareOnce("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name");
        st.ok())
      while (st->Next()) tables.emplace_back(st->Text(0));
    for (const auto& table : tables) {
      long long rows_before = d.rows;
      uint64_t table_hash = 1469598103934665603ULL;
      auto st = db.PrepareOnce("SELECT * FROM \"" + table + "\" ORDER BY rowid");
      if (!st.ok()) continue;
      while (st->Next()) {
        ++d.rows;
        int n = st->ColumnCount();
        for (int c = 0; c < n; ++c) {
          int type = static_cast<int>(st->Type(c));  // the storage class
          HashBytes(&table_hash, &type, sizeof type);
          std::string_view bytes = st->Blob(c);  // any value's bytes, as SQLite gives them
          HashBytes(&table_hash, bytes.data(), bytes.size());
        }
      }
      // Empty tables do not count: the sandbox creates some of its own on first use.
      if (d.rows == rows_before) continue;
      HashBytes(&d.hash, table.data(), table.size());
      HashBytes(&d.hash, &table_hash, sizeof table_hash);
      d.tables[table] = {d.rows - rows_before, table_hash};
    }
    out[t->spec.id] = d;
  }
  return out;
}

}  // namespace atws::testing
