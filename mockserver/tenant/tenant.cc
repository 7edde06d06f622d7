#include "tenant/tenant.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "fixtures/images.h"

namespace atws::service {

namespace {

// Writes `bytes` to `path` through a temporary file renamed into place once it is synced: a
// process killed meanwhile leaves no half-written database behind.
bool WriteFileAtomically(const std::string& path, std::string_view bytes, std::string* error) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  size_t done = 0;
  while (ok && done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  ok = ok && std::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    *error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
    std::remove(tmp.c_str());
  }
  return ok;
}

}  // namespace

LoadedTenants LoadDefaultTenants(const catalog::Catalog& cat, const std::string& data_dir,
                                 const TenantSettings& settings) {
  // Tenants are independent SQLite databases: open and fill them in parallel (start-up time).
  // Each loader opens its database and locks the database's mutex before it says so; it fills
  // the database under that lock, so a call that needs the data waits for it (every use of a
  // TenantDb holds its mutex). Default tenants are copies of their build-time images, so there
  // is little to wait for; a tenant without an image has its rows generated.
  auto specs = fixtures::DefaultTenants();
  if (!data_dir.empty()) mkdir(data_dir.c_str(), 0755);
  std::vector<std::unique_ptr<Tenant>> made;
  std::vector<std::future<void>> opened, filled;
  for (const auto& spec : specs) {
    auto t = std::make_unique<Tenant>();
    t->spec = spec;
    t->settings = settings;
    auto open = std::make_shared<std::promise<void>>();
    opened.push_back(open->get_future());
    filled.push_back(std::async(std::launch::async, [&cat, data_dir, t = t.get(), open]() {
      const auto& spec = t->spec;
      std::string err;
      bool fresh = true;
      std::string path = ":memory:";
      if (!data_dir.empty()) {
        path = fmt::format("{}/tenant-{}.sqlite", data_dir, spec.id);
        struct stat sb;
        fresh = stat(path.c_str(), &sb) != 0;
      }
      const bool created = fresh;
      // A default tenant starts as a copy of its database image, made at build time from the
      // same Populate (fixtures/images.h); without one, its rows are generated below.
      std::string_view image = fixtures::DefaultImage(spec.id);
      if (fresh && !image.empty() && path == ":memory:") {
        t->db = store::TenantDb::OpenImage(image, cat, &err);
        fixtures::ReleaseImagePages(image);
        fresh = false;
      } else {
        if (fresh && !image.empty() && WriteFileAtomically(path, image, &err)) fresh = false;
        fixtures::ReleaseImagePages(image);
        if (err.empty()) t->db = store::TenantDb::Open(path, cat, &err);
      }
      if (!t->db) {
        open->set_exception(std::make_exception_ptr(
            std::runtime_error(fmt::format("tenant {}: {}", spec.id, err))));
        return;
      }
      t->created = created;
      std::unique_lock<std::mutex> lock(t->db->mutex());
      open->set_value();
      if (fresh && !fixtures::Populate(spec, *t->db, fixtures::DefaultBaseTime(), &err)) {
        if (path != ":memory:") std::remove(path.c_str());
        throw std::runtime_error(fmt::format("tenant {}: default data: {}", spec.id, err));
      }
    }));
    made.push_back(std::move(t));
  }
  std::exception_ptr failure;
  for (auto& f : opened) {
    try {
      f.get();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) {
    for (auto& f : filled) f.wait();
    std::rethrow_exception(failure);
  }
  return LoadedTenants{std::move(made), std::move(filled)};
}

bool ResetTenantData(Tenant& tenant, const catalog::Catalog& cat, const std::string& data_dir,
                     const TenantSettings& settings, std::string* error) {
  Tenant* t = &tenant;
  const long long id = t->spec.id;
  {
    // Requests hold this mutex while they use the database; the TenantDb object stays the
    // same, only its contents (connection, caches) are exchanged.
    std::lock_guard<std::mutex> l(t->db->mutex());
    std::string err;
    if (data_dir.empty()) {
      auto fresh = store::TenantDb::Open(":memory:", cat, &err);
      if (!fresh || !fixtures::Populate(t->spec, *fresh, fixtures::DefaultBaseTime(), &err)) {
        *error = fmt::format("tenant {}: default data: {}", id, err);
        return false;
      }
      t->db->SwapContents(*fresh);
    } else {
      // Close the file's connection before deleting the file: SQLite removes the WAL file by
      // name when the last connection closes. Meanwhile the tenant holds an empty database.
      std::string path = fmt::format("{}/tenant-{}.sqlite", data_dir, id);
      auto placeholder = store::TenantDb::Open(":memory:", cat, &err);
      if (!placeholder) {
        *error = fmt::format("tenant {}: {}", id, err);
        return false;
      }
      t->db->SwapContents(*placeholder);
      placeholder.reset();  // closes the file
      for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        std::remove((path + suffix).c_str());
      auto fresh = store::TenantDb::Open(path, cat, &err);
      if (!fresh || !fixtures::Populate(t->spec, *fresh, fixtures::DefaultBaseTime(), &err)) {
        *error = fmt::format("tenant {}: cannot write the default data to {}: {}", id, path, err);
        return false;
      }
      t->db->SwapContents(*fresh);
    }
    t->settings = settings;
    // Settle queue, stamps and added picklist values belonged to the old data. (WriteState
    // also notices a new connection by its handle, but a freed handle's address can be reused.)
    t->writes = WriteState();
  }
  return true;
}

bool EnsureWriteState(Tenant& t, std::string* error) {
  WriteState& s = t.writes;
  store::TenantDb& db = *t.db;
  if (s.db_handle != db.connection_id()) {
    s = WriteState();
    s.db_handle = db.connection_id();
  }
  if (s.tables_ready) return true;
  if (!db.Exec("CREATE TABLE IF NOT EXISTS atws_settle (entity TEXT NOT NULL, row_id INTEGER NOT "
               "NULL, field TEXT NOT NULL, value, due INTEGER NOT NULL, PRIMARY KEY (entity, "
               "row_id, field))",
               error) ||
      !db.Exec("CREATE INDEX IF NOT EXISTS atws_settle_due ON atws_settle(due)", error) ||
      !db.Exec("CREATE TABLE IF NOT EXISTS atws_picklist (entity TEXT NOT NULL, field TEXT NOT "
               "NULL, value TEXT NOT NULL, label TEXT NOT NULL, sort INTEGER NOT NULL, PRIMARY "
               "KEY (entity, field, value))",
               error))
    return false;
  s.tables_ready = true;
  return true;
}

}  // namespace atws::service
