#include "auth/directory.h"

#include <mutex>

#include "common/text.h"

namespace atws::service {

bool Directory::FindUser(std::string_view username, UserRef* out) const {
  std::string key = AsciiLower(username);
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = users_.find(key);
  if (it == users_.end()) return false;
  out->tenant = it->second.first;
  out->user = it->second.second;
  out->zone = it->second.first->spec.zone;
  out->language = it->second.first->spec.language;
  return true;
}

catalog::Flavour Directory::ZoneFlavour(int zone) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  const Zone* z = zones_.Find(zone);
  return z ? z->flavour : catalog::Flavour::kCurrent;
}

void Directory::Reset(Tenant* t) {
  int zone = 0;  // the default zone; 0: a tenant not in the default data keeps its zone
  for (const auto& spec : fixtures::DefaultTenants())
    if (spec.id == t->spec.id) zone = spec.zone;
  std::unique_lock<std::shared_mutex> l(mu_);  // spec.zone is only read under it
  if (zone == 0) zone = t->spec.zone;
  for (auto it = users_.begin(); it != users_.end();)
    it = it->second.first == t ? users_.erase(it) : std::next(it);
  for (const auto& u : t->spec.users)
    users_[AsciiLower(u.username)] = {t, std::make_shared<const fixtures::ApiUser>(u)};
  t->spec.zone = zone;
}

std::vector<std::string> Directory::UsernamesLocked(const Tenant* t) const {
  std::vector<std::string> out;
  for (const auto& u : t->spec.users) {
    auto it = users_.find(AsciiLower(u.username));
    if (it != users_.end() && it->second.first == t) out.push_back(it->second.second->username);
  }
  for (const auto& [key, entry] : users_) {
    if (entry.first != t) continue;
    bool listed = false;
    for (const auto& u : t->spec.users) listed = listed || AsciiIEquals(u.username, key);
    if (!listed) out.push_back(entry.second->username);
  }
  return out;
}

catalog::Language Directory::TenantLanguage(const Tenant& t) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return t.spec.language;
}

void Directory::AddDefaultUsers(Tenant* t) {
  std::unique_lock<std::shared_mutex> l(mu_);
  for (const auto& u : t->spec.users)
    users_[AsciiLower(u.username)] = {t, std::make_shared<const fixtures::ApiUser>(u)};
}

void Directory::ResetLanguage(Tenant* t) {
  for (const auto& spec : fixtures::DefaultTenants()) {
    if (spec.id != t->spec.id) continue;
    std::lock_guard<std::mutex> db(t->db->mutex());
    std::unique_lock<std::shared_mutex> l(mu_);
    t->spec.language = spec.language;
  }
}

std::vector<std::shared_ptr<const fixtures::ApiUser>> Directory::UsersLocked(
    const Tenant* t) const {
  std::vector<std::shared_ptr<const fixtures::ApiUser>> out;
  for (const auto& [key, entry] : users_)
    if (entry.first == t) out.push_back(entry.second);
  return out;
}

bool Directory::AddUserLocked(Tenant* t, const fixtures::ApiUser& u) {
  std::string key = AsciiLower(u.username);
  if (users_.count(key)) return false;
  users_[key] = {t, std::make_shared<const fixtures::ApiUser>(u)};
  return true;
}

bool Directory::ReplaceUserLocked(const std::shared_ptr<const fixtures::ApiUser>& old,
                                  const fixtures::ApiUser& u) {
  auto it = users_.find(AsciiLower(u.username));
  if (it == users_.end() || it->second.second != old) return false;
  it->second.second = std::make_shared<const fixtures::ApiUser>(u);
  return true;
}

void Directory::SetLanguage(Tenant* t, catalog::Language language) {
  // Calls of the tenant read the language under either lock: hold both to change it.
  std::lock_guard<std::mutex> db(t->db->mutex());
  std::unique_lock<std::shared_mutex> l(mu_);
  t->spec.language = language;
}

}  // namespace atws::service
