// Serialised query results (the <Entity> elements of a query answer), reused while the tenant's
// data is unchanged. An entry is valid only for the data version it was made from
// (TenantDb::data_version(): the connection, TenantDb::generation() and the count of rows
// changed on the connection), so every write (API writes, settling, admin changes, a reset,
// even raw SQL) makes every entry stale. Bounded in entries and bytes. Not thread-safe: used under
// the tenant's database mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace atws::service {

class QueryCache {
 public:
  struct Result {
    std::shared_ptr<const std::string> xml;  // the <Entity> elements, as appended to the answer
    long long rows = 0;
    long long last_id = 0;
  };

  explicit QueryCache(size_t max_entries = 16, size_t max_bytes = 8u << 20)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}

  // The key of a query: everything the answer's rows depend on besides the data (entity,
  // flavour, the compiled WHERE clause with its parameters).
  static std::string MakeKey(int entity_index, int flavour, std::string_view where,
                             const std::vector<store::Value>& params);

  // The cached result for `key` when it was made from the data `db` holds now.
  bool Find(const store::TenantDb& db, const std::string& key, Result* out);
  // Whether a result for `key` is worth keeping: only queries asked again are (a sync that pages
  // through a tenant once would otherwise copy every page for nothing). Remembers the key.
  bool Admit(const std::string& key);
  // Remembers a result made from the data `db` holds now.
  void Put(const store::TenantDb& db, std::string key, Result r);
  void Clear();

  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    std::string key;
    Result result;
    uint64_t used = 0;
  };
  // Drops every entry when the data changed since they were made.
  void Revalidate(const store::DataVersion& v);

  size_t max_entries_, max_bytes_;
  store::DataVersion version_;
  std::vector<Entry> entries_;
  std::vector<size_t> seen_;  // hashes of recently asked keys (Admit), a ring
  size_t seen_next_ = 0;
  size_t bytes_ = 0;
  uint64_t clock_ = 0, hits_ = 0, misses_ = 0;
};

}  // namespace atws::service
