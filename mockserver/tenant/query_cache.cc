#include "tenant/query_cache.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <iterator>

namespace atws::service {

std::string QueryCache::MakeKey(int entity_index, int flavour, std::string_view where,
                                const std::vector<store::Value>& params) {
  std::string k;
  k.reserve(where.size() + 32 + params.size() * 16);
  fmt::format_to(std::back_inserter(k), "{}|{}|{}|", entity_index, flavour, where.size());
  k.append(where);
  for (const auto& p : params) {
    switch (p.kind) {
      case store::Value::Kind::kNull:
        k += "|n";
        break;
      case store::Value::Kind::kInt:
        fmt::format_to(std::back_inserter(k), "|i{}", p.i);
        break;
      case store::Value::Kind::kReal:
        // Exact bits: two doubles that print alike may still differ.
        fmt::format_to(std::back_inserter(k), "|r{:a}", p.d);
        break;
      case store::Value::Kind::kText:
        fmt::format_to(std::back_inserter(k), "|t{}:", p.s.size());
        k += p.s;
        break;
    }
  }
  return k;
}

void QueryCache::Revalidate(const store::DataVersion& v) {
  if (v == version_) return;
  Clear();
  version_ = v;
}

bool QueryCache::Find(const store::TenantDb& db, const std::string& key, Result* out) {
  Revalidate(db.data_version());
  for (auto& e : entries_) {
    if (e.key != key) continue;
    e.used = ++clock_;
    *out = e.result;
    ++hits_;
    return true;
  }
  ++misses_;
  return false;
}

bool QueryCache::Admit(const std::string& key) {
  size_t h = std::hash<std::string>()(key);
  if (std::find(seen_.begin(), seen_.end(), h) != seen_.end()) return true;
  constexpr size_t kSeen = 64;
  if (seen_.size() < kSeen)
    seen_.push_back(h);
  else
    seen_[seen_next_++ % kSeen] = h;
  return false;
}

void QueryCache::Put(const store::TenantDb& db, std::string key, Result r) {
  Revalidate(db.data_version());
  if (!r.xml || r.xml->size() > max_bytes_ || max_entries_ == 0) return;
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->key == key) {
      bytes_ -= it->result.xml->size();
      entries_.erase(it);
      break;
    }
  while (!entries_.empty() &&
         (entries_.size() >= max_entries_ || bytes_ + r.xml->size() > max_bytes_)) {
    auto lru = std::min_element(entries_.begin(), entries_.end(),
                                [](const Entry& a, const Entry& b) { return a.used < b.used; });
    bytes_ -= lru->result.xml->size();
    entries_.erase(lru);
  }
  bytes_ += r.xml->size();
  entries_.push_back(Entry{std::move(key), std::move(r), ++clock_});
}

void QueryCache::Clear() {
  entries_.clear();
  bytes_ = 0;
}

}  // namespace atws::service
