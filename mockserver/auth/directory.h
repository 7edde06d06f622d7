// The directory: which API user belongs to which tenant, and, under the same lock, each
// tenant's zone and language and each zone's contract flavour. Requests read it (shared lock);
// the admin API changes it (exclusive lock), replacing a user's record rather than changing it,
// so that a call keeps a consistent snapshot of its user (UserRef holds it).
//
// Thread safety: the member functions lock for themselves; *Locked functions and the users()
// and zones() references expect the caller to hold mutex() (shared to read, exclusive to
// change).
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "fixtures/fixtures.h"
#include "tenant/tenant.h"
#include "zones/zones.h"

namespace atws::service {

// A user found in the directory, with its tenant's zone and language when looked up.
struct UserRef {
  Tenant* tenant = nullptr;
  std::shared_ptr<const fixtures::ApiUser> user;
  int zone = 0;
  catalog::Language language = catalog::Language::kEnglish;
};

class Directory {
 public:
  // user name (ASCII lower case) -> (tenant, user)
  using Users = std::map<std::string, std::pair<Tenant*, std::shared_ptr<const fixtures::ApiUser>>>;

  Directory() = default;
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  // The user named `username` (ASCII case-insensitive); false when there is none.
  bool FindUser(std::string_view username, UserRef* out) const;
  // The flavour zone `zone` serves (kCurrent for a zone not in the table).
  catalog::Flavour ZoneFlavour(int zone) const;
  // The tenant's language (the admin API may change it at run time).
  catalog::Language TenantLanguage(const Tenant& t) const;
  // Adds the tenant's default users (start-up).
  void AddDefaultUsers(Tenant* t);
  // Back to the default users and zone of a tenant (admin reset): admin-made users go away.
  void Reset(Tenant* t);
  // Back to the default data's language (admin reset); takes the tenant's store mutex too.
  void ResetLanguage(Tenant* t);
  // Sets the tenant's language (under the tenant's store mutex and the directory lock).
  void SetLanguage(Tenant* t, catalog::Language language);

  // The caller holds mutex(). The tenant's user names: default ones in their order, then those
  // the admin API added; the tenant's users (ASCII lower-case name order).
  std::vector<std::string> UsernamesLocked(const Tenant* t) const;
  std::vector<std::shared_ptr<const fixtures::ApiUser>> UsersLocked(const Tenant* t) const;
  // The caller holds mutex() exclusively. Adds a user to the directory only (the tenant's
  // default users stay what a reset repopulates); false when the name is taken.
  bool AddUserLocked(Tenant* t, const fixtures::ApiUser& u);
  // Replaces `old` by `u` (same name); false when the directory no longer holds `old`.
  bool ReplaceUserLocked(const std::shared_ptr<const fixtures::ApiUser>& old,
                         const fixtures::ApiUser& u);

  std::shared_mutex& mutex() const { return mu_; }
  Users& users() { return users_; }
  const Users& users() const { return users_; }
  ZoneTable& zones() { return zones_; }
  const ZoneTable& zones() const { return zones_; }

 private:
  mutable std::shared_mutex mu_;
  Users users_;
  ZoneTable zones_;
};

}  // namespace atws::service
