// A tenant (an Autotask "database"): its default-data description, its SQLite store, its
// settings, and the per-tenant state the modules above keep (usage window, calls in flight,
// write state, query cache). And how the default tenants are opened and filled at start-up and
// how a tenant's data goes back to the default data.
//
// Thread safety: a Tenant's store, settings, write state and query cache are used under the
// store's mutex (TenantDb::mutex()); its usage window and in-flight counter are thread-safe;
// `spec.zone`, `spec.language` and the users are guarded by the service's directory lock.
#pragma once

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "fixtures/fixtures.h"
#include "store/store.h"
#include "tenant/query_cache.h"
#include "tenant/write_state.h"
#include "throttle/throttle.h"
#include "throttle/usage_window.h"

namespace atws::service {

// Per-tenant settings that the admin API and the configuration file can change: the threshold
// settings (throttle/throttle.h) and these.
struct TenantSettings : ThresholdSettings {
  long long settle_delay_ms = 2000;  // computed fields settle this long after a write; 0 = at once
  // Ticket.Source written when a create sends none; 0 = the tenant's own default
  // (TenantSpec.default_ticket_source: Client Portal unless the tenant names another).
  long long default_ticket_source = 0;
  // Multi-currency feature (docs/multi-currency.md): InternalCurrency* fields converted with
  // the account's Currency rate; off = equal to their base fields.
  bool multi_currency = false;
  // Attachments (docs/contract.md): largest file (A-ATTACH-SIZE) and bytes uploaded per
  // rolling window (A-ATTACH-RATE).
  long long attachment_max_bytes = 6LL << 20;
  long long attachment_window_bytes = 10000000;
  int attachment_window_s = 300;
};

struct Tenant {
  fixtures::TenantSpec spec;
  std::unique_ptr<store::TenantDb> db;
  UsageWindow usage;
  TenantSettings settings;
  InFlightCounter in_flight;  // calls in flight per (IntegrationCode, entity): thread limit
  WriteState writes;          // settle queue, stamp high-water mark, added picklist values
  QueryCache query_cache;     // serialised query results of the current data (OpQuery)
  // The threshold held back or refused its last external call (latency tier or suspension).
  // Only a routing hint for the HTTP layer (Service::LikelyHeld): the decision itself is taken
  // for each call by Throttle.
  std::atomic<bool> held_back{false};
  // When the tenant's latest held-back answer is due (steady clock, µs; held_spacing_ms).
  // Guarded by the tenant's db mutex, as the settings.
  long long last_held_due_us = 0;
  // Its database was written from the default data at start-up (in memory: always; with
  // --data: when its file was missing). The configuration file's fixture sets go only there.
  bool created = false;
};

// The default tenants (fixtures::DefaultTenants), each with its store open: in memory (a copy
// of its build-time image, or generated), or with `data_dir` the file tenant-<id>.sqlite there
// (made from the default data when missing). Tenants are filled in parallel; each filler holds
// the store's mutex until its tenant is filled, so `filling` may still run when this returns
// (wait on it, or let callers wait on the store's mutex). Every tenant starts with `settings`.
// Throws std::runtime_error when a store cannot be opened; a filling failure is rethrown by its
// future.
struct LoadedTenants {
  std::vector<std::unique_ptr<Tenant>> tenants;
  std::vector<std::future<void>> filling;
};
LoadedTenants LoadDefaultTenants(const catalog::Catalog& cat, const std::string& data_dir,
                                 const TenantSettings& settings);

// Replaces the tenant's data with the default data (a fresh in-memory store, or with
// `data_dir` the file deleted and written again), its settings with `settings` and its write
// state with a fresh one, all under the store's mutex; the TenantDb object stays (callers may
// hold pointers). Usage and users are the caller's. False + *error when the default data
// cannot be written.
bool ResetTenantData(Tenant& t, const catalog::Catalog& cat, const std::string& data_dir,
                     const TenantSettings& settings, std::string* error);

// Makes t.writes belong to the tenant's current connection (an admin reset replaces it) and
// creates the sandbox's own tables (atws_settle, atws_picklist) when missing. The caller holds
// the store's mutex. False + *error when a table cannot be made.
bool EnsureWriteState(Tenant& t, std::string* error = nullptr);

}  // namespace atws::service
