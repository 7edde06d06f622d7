#include "fixtures/fixtures.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/timeutil.h"
#include "fixtures/images.h"
#include "store/store.h"

namespace {

using atws::fixtures::DefaultBaseTime;
using atws::fixtures::DefaultTenants;
using atws::fixtures::Populate;
using atws::fixtures::SecurityLevel;
using atws::fixtures::TenantSpec;
using atws::store::TenantDb;

const atws::catalog::Catalog& Cat() { return atws::catalog::Catalog::Default(); }

std::unique_ptr<TenantDb> Populated(const TenantSpec& spec) {
  std::string error;
  auto db = TenantDb::Open(":memory:", Cat(), &error);
  REQUIRE(db);
  INFO(error);
  REQUIRE(Populate(spec, *db, DefaultBaseTime(), &error));
  return db;
}

// Runs `sql` and returns every row as text cells ("\x01" for NULL).
std::vector<std::vector<std::string>> Rows(TenantDb& db, const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  // PrepareOnce: an entity without rows may have no table yet (made when SQL names it).
  auto st = db.PrepareOnce(sql);
  REQUIRE(st.ok());
  while (st->Next()) {
    std::vector<std::string> row;
    for (int c = 0; c < st->ColumnCount(); ++c) {
      if (st->IsNull(c))
        row.emplace_back("\x01");
      else
        row.emplace_back(st->Text(c));
    }
    out.push_back(std::move(row));
  }
  return out;
}

long long Scalar(TenantDb& db, const std::string& sql) {
  auto rows = Rows(db, sql);
  REQUIRE(rows.size() == 1);
  return std::stoll(rows[0][0]);
}

// FNV-1a over every cell of the result (with separators), so row order, NULLs and types count.
uint64_t Hash(TenantDb& db, const std::string& sql) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  };
  for (const auto& row : Rows(db, sql))
    for (const auto& cell : row) mix(cell);
  return h;
}

const TenantSpec& Spec(size_t i) {
  static const std::vector<TenantSpec> specs = DefaultTenants();
  return specs.at(i);
}

}  // namespace

TEST_CASE("default tenants are the documented ones", "[unit][fixtures]") {
  auto tenants = DefaultTenants();
  REQUIRE(tenants.size() >= 2);
  CHECK(tenants[0].id == 29683500);
  CHECK(tenants[0].name == "Contoso Managed Services");
  CHECK(tenants[0].zone == 5);
  CHECK(tenants[0].language == atws::catalog::Language::kEnglish);
  CHECK(tenants[1].id == 29684100);
  CHECK(tenants[1].name == "Beispiel IT-Service GmbH");
  CHECK(tenants[1].zone == 18);
  CHECK(tenants[1].language == atws::catalog::Language::kGerman);
  CHECK(tenants[1].users.at(0).username == "api@beispiel.example");

  const auto& users = tenants[0].users;
  REQUIRE(users.size() == 4);
  CHECK(users[0].username == "api@contoso.example");
  CHECK(users[0].password == "sandbox");
  CHECK(users[0].integration_codes == std::vector<std::string>{"SANDBOX-INTEGRATION"});
  CHECK(users[0].level == SecurityLevel::kApiOnly);
  CHECK(users[1].level == SecurityLevel::kApiOnlyRestricted);
  CHECK(users[1].lines_of_business.size() == 1);
  CHECK(users[2].password_expires == "2026-01-01T00:00:00.000");
  CHECK(users[3].level == SecurityLevel::kFullAccess);

  std::set<std::string> names;
  for (const auto& t : tenants)
    for (const auto& u : t.users) CHECK(names.insert(u.username).second);
}

TEST_CASE("the default base time is 2026-11-02 09:00 Eastern", "[unit][fixtures]") {
  auto local = atws::ToLocal(DefaultBaseTime(), atws::ApiTimeZone::kEastern);
  CHECK(atws::StorageDateTime(local) == "2026-11-02T09:00:00.000");
  auto utc = atws::ToLocal(DefaultBaseTime(), atws::ApiTimeZone::kUtc);
  CHECK(atws::StorageDateTime(utc) == "2026-11-02T14:00:00.000");
}

TEST_CASE("populating twice gives identical rows", "[unit][fixtures]") {
  for (size_t t = 0; t < 2; ++t) {
    auto a = Populated(Spec(t));
    auto b = Populated(Spec(t));
    for (const char* table : {"Ticket", "TicketNote", "TimeEntry", "Account", "Contact", "Resource",
                              "UserDefinedFieldDefinition"}) {
      INFO(table);
      std::string sql = std::string("SELECT * FROM \"") + table + "\" ORDER BY id";
      CHECK(Hash(*a, sql) == Hash(*b, sql));
    }
  }
  // And the two tenants differ.
  auto a = Populated(Spec(0));
  auto b = Populated(Spec(1));
  CHECK(Hash(*a, "SELECT * FROM \"Ticket\" ORDER BY id") !=
        Hash(*b, "SELECT * FROM \"Ticket\" ORDER BY id"));
}

TEST_CASE("default data is consistent", "[unit][fixtures]") {
  for (size_t t = 0; t < 2; ++t) {
    const TenantSpec& spec = Spec(t);
    INFO("tenant " << spec.id);
    auto db = Populated(spec);
    const std::string base =
        atws::StorageDateTime(atws::ToLocal(DefaultBaseTime(), atws::ApiTimeZone::kEastern));

    SECTION("enough tickets to need paging past 500") {
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Ticket\"") >= 1200);
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Account\"") >= 50);
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Contact\"") >= 150);
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"TicketNote\"") >= 1500);
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"TimeEntry\"") >= 1200);
    }

    SECTION("account 0 is the owner company") {
      auto rows = Rows(*db, "SELECT AccountName FROM \"Account\" WHERE id = 0");
      REQUIRE(rows.size() == 1);
      CHECK(rows[0][0] == spec.name);
    }

    SECTION("every sub-issue type belongs to the ticket's issue type") {
      const auto* ticket = Cat().Find("Ticket");
      const auto* sub = ticket->FindField("SubIssueType");
      auto rows = Rows(*db,
                       "SELECT DISTINCT IssueType, SubIssueType FROM \"Ticket\" "
                       "WHERE SubIssueType IS NOT NULL");
      CHECK(!rows.empty());
      for (const auto& r : rows) {
        INFO("IssueType " << r[0] << " SubIssueType " << r[1]);
        const auto* v = sub->FindPicklistValue(r[1]);
        REQUIRE(v);
        CHECK(v->parent_value == r[0]);
      }
    }

    SECTION("every reference points at an existing row") {
      for (const auto& e : Cat().entities()) {
        for (const auto& f : e.fields) {
          if (!f.is_reference || f.name == "id") continue;
          const auto* target = Cat().Find(f.reference_entity);
          if (!target) continue;
          std::string sql =
              "SELECT COUNT(*) FROM " + TenantDb::Quote(e.name) + " x WHERE " +
              TenantDb::Quote(f.name) + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " +
              TenantDb::Quote(target->name) + " y WHERE y.id = x." + TenantDb::Quote(f.name) + ")";
          INFO(e.name << "." << f.name << " -> " << target->name);
          CHECK(Scalar(*db, sql) == 0);
        }
      }
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Ticket\" WHERE AccountID IS NULL") == 0);
    }

    SECTION("every picklist value used exists in the catalog") {
      for (const auto& e : Cat().entities()) {
        // UDF definition rows are written by TenantDb::AddUdf with the store's own UdfType /
        // DataType numbering (DataType 4 = list), which the catalog's picklist does not carry.
        if (e.name == "UserDefinedFieldDefinition") continue;
        for (const auto& f : e.fields) {
          if (!f.is_picklist) continue;
          auto rows = Rows(*db, "SELECT DISTINCT " + TenantDb::Quote(f.name) + " FROM " +
                                    TenantDb::Quote(e.name) + " WHERE " + TenantDb::Quote(f.name) +
                                    " IS NOT NULL");
          for (const auto& r : rows) {
            INFO(e.name << "." << f.name << " = " << r[0]);
            const auto* v = f.FindPicklistValue(r[0]);
            CHECK(v);
            if (v) CHECK(v->is_active);
          }
        }
      }
    }

    SECTION("no date-time lies after the base time") {
      for (const auto& e : Cat().entities()) {
        std::vector<std::string> cols;
        for (const auto& f : e.fields)
          if (f.type == atws::catalog::FieldType::kDateTime) cols.push_back(f.name);
        for (const auto& u : db->Udfs(Cat().EntityIndex(&e)))
          if (u.data_type == atws::store::UdfDataType::kDateTime) cols.push_back(u.column);
        for (const auto& c : cols) {
          auto rows =
              Rows(*db, "SELECT MAX(" + TenantDb::Quote(c) + ") FROM " + TenantDb::Quote(e.name));
          if (rows.empty() || rows[0][0] == "\x01") continue;
          INFO(e.name << "." << c);
          CHECK(rows[0][0] <= base);
          CHECK(rows[0][0].size() == base.size());  // the fixed-width storage form
        }
      }
    }

    SECTION("tickets are plausible") {
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Ticket\" WHERE LastActivityDate < CreateDate") ==
            0);
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Ticket\" WHERE CompletedDate < CreateDate") == 0);
      CHECK(Scalar(*db, "SELECT COUNT(DISTINCT TicketNumber) FROM \"Ticket\"") ==
            Scalar(*db, "SELECT COUNT(*) FROM \"Ticket\""));
      CHECK(Scalar(*db,
                   "SELECT COUNT(*) FROM \"Ticket\" WHERE TicketNumber NOT GLOB "
                   "'T[0-9][0-9][0-9][0-9][0-1][0-9][0-3][0-9].[0-9][0-9][0-9][0-9]'") == 0);
      // Notes and time entries never postdate their ticket's last activity.
      CHECK(Scalar(*db,
                   "SELECT COUNT(*) FROM \"TicketNote\" n JOIN \"Ticket\" t ON t.id = n.TicketID "
                   "WHERE n.CreateDateTime > t.LastActivityDate OR n.CreateDateTime < "
                   "t.CreateDate") == 0);
      CHECK(Scalar(*db,
                   "SELECT COUNT(*) FROM \"TimeEntry\" e JOIN \"Ticket\" t ON t.id = e.TicketID "
                   "WHERE e.CreateDateTime > t.LastActivityDate") == 0);
      // Some nulls and some empty strings, as real data has.
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Ticket\" WHERE ExternalID IS NULL") > 0);
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Ticket\" WHERE ExternalID = ''") > 0);
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Ticket\" WHERE Description = ''") > 0);
      // Both lines of business carry tickets.
      CHECK(Scalar(*db, "SELECT COUNT(DISTINCT BusinessDivisionSubdivisionID) FROM \"Ticket\"") ==
            2);
      CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Invoice\"") > 0);
      // Invoices carry a line of business when the catalog has the field (the published
      // Invoice entity does not).
      if (Cat().Find("Invoice")->FindField("BusinessDivisionSubdivisionID"))
        CHECK(Scalar(*db,
                     "SELECT COUNT(*) FROM \"Invoice\" WHERE BusinessDivisionSubdivisionID "
                     "IS NULL") == 0);
    }

    SECTION("UDFs are defined and set on a subset of rows") {
      const auto* ticket = Cat().Find("Ticket");
      const auto& udfs = db->Udfs(Cat().EntityIndex(ticket));
      REQUIRE(udfs.size() == 4);
      int lists = 0, protects = 0;
      std::string all_null = "SELECT COUNT(*) FROM \"Ticket\" WHERE 1";
      for (const auto& u : udfs) {
        if (u.data_type == atws::store::UdfDataType::kList) {
          ++lists;
          CHECK(u.list.size() == 2);
        }
        if (u.is_protected) ++protects;
        all_null += " AND " + TenantDb::Quote(u.column) + " IS NULL";
        CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Ticket\" WHERE " + TenantDb::Quote(u.column) +
                              " IS NOT NULL") > 0);
      }
      CHECK(lists == 1);
      CHECK(protects == 1);
      CHECK(Scalar(*db, all_null) > 0);
      CHECK(db->Udfs(Cat().EntityIndex(Cat().Find("Account"))).size() == 2);
      CHECK(db->Udfs(Cat().EntityIndex(Cat().Find("Contact"))).size() == 1);
    }

    SECTION("each API user's resource and lines of business exist") {
      for (const auto& u : spec.users) {
        INFO(u.username);
        CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Resource\" WHERE id = " +
                              std::to_string(u.resource_id)) == 1);
        for (long long lob : u.lines_of_business)
          CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"BusinessDivisionSubdivision\" WHERE id = " +
                                std::to_string(lob)) == 1);
      }
    }

    SECTION("each invoice's billing items add up to its totals (A-INVOICE-LINES)") {
      auto rows = Rows(*db,
                       "SELECT i.id, i.InvoiceTotal, i.TotalTaxValue, COUNT(b.id), "
                       "SUM(b.ExtendedPrice), SUM(b.TaxDollars), SUM(b.TotalAmount) "
                       "FROM \"Invoice\" i LEFT JOIN \"BillingItem\" b ON b.InvoiceID = i.id "
                       "GROUP BY i.id");
      REQUIRE(rows.size() >= 5);
      for (const auto& r : rows) {
        INFO("invoice " << r[0]);
        REQUIRE(std::stoll(r[3]) >= 1);
        const double total = std::stod(r[1]), tax = std::stod(r[2]);
        CHECK(tax > 0);
        CHECK(tax < total);
        CHECK(std::stod(r[4]) + tax == Approx(total).margin(0.005));  // net + tax
        CHECK(std::stod(r[5]) == Approx(tax).margin(0.005));
        CHECK(std::stod(r[6]) == Approx(total).margin(0.005));
      }
    }
  }
}

TEST_CASE("the German tenant has German names with umlauts", "[unit][fixtures]") {
  auto db = Populated(Spec(1));
  CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Contact\" WHERE LastName = 'Müller'") >= 1);
  CHECK(Scalar(*db, "SELECT COUNT(*) FROM \"Account\" WHERE AccountName LIKE 'Müller%'") >= 1);
  // Case-insensitive beyond ASCII, as queries compare.
  CHECK(Scalar(*db,
               "SELECT COUNT(*) FROM \"Contact\" WHERE atws_fold(LastName) = "
               "atws_fold('MÜLLER')") >= 1);
  CHECK(Scalar(*db,
               "SELECT COUNT(*) FROM \"UserDefinedFieldDefinition\" WHERE Name = "
               "'Raumnummer'") == 1);
}

// Timing, not a check: run with `unit_tests "[bench]"` (Release build).
TEST_CASE("populating both default tenants is fast", "[.][bench]") {
  auto t0 = std::chrono::steady_clock::now();
  for (size_t t = 0; t < 2; ++t) {
    std::string error;
    auto db = TenantDb::Open(":memory:", Cat(), &error);
    REQUIRE(db);
    auto t1 = std::chrono::steady_clock::now();
    REQUIRE(Populate(Spec(t), *db, DefaultBaseTime(), &error));
    auto t2 = std::chrono::steady_clock::now();
    using Ms = std::chrono::duration<double, std::milli>;
    double open_ms = Ms(t1 - t0).count();
    double populate_ms = Ms(t2 - t1).count();
    WARN("tenant " << Spec(t).id << ": open " << open_ms << " ms, populate " << populate_ms
                   << " ms");
    t0 = std::chrono::steady_clock::now();
  }
}

// Row counts per entity (for docs/default-data.md): run with `unit_tests "[counts]"`.
TEST_CASE("default tenants' row counts", "[.][counts]") {
  for (size_t t = 0; t < 2; ++t) {
    auto db = Populated(Spec(t));
    for (const auto& e : Cat().entities()) {
      long long n = db->Count(e);
      if (n) std::printf("%lld %s %lld\n", Spec(t).id, e.name.c_str(), n);
    }
  }
}

namespace {

// Every schema entry and every row of every table, as text, in a fixed order.
std::vector<std::string> Dump(TenantDb& db) {
  std::vector<std::string> out;
  for (const auto& row :
       Rows(db,
            "SELECT type || ' ' || name || ' ' || IFNULL(sql, '') FROM sqlite_master "
            "ORDER BY type, name"))
    out.push_back(row[0]);
  for (const auto& t :
       Rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    for (const auto& row : Rows(db, "SELECT * FROM " + TenantDb::Quote(t[0]) + " ORDER BY rowid")) {
      std::string line = t[0];
      for (const auto& cell : row) line += "|" + cell;
      out.push_back(std::move(line));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("The embedded database images are the default tenants as Populate makes them",
          "[fixtures][images]") {
  for (const auto& spec : DefaultTenants()) {
    INFO("tenant " << spec.id);
    std::string_view image = atws::fixtures::DefaultImage(spec.id);
    REQUIRE_FALSE(image.empty());
    std::string error;
    auto from_image = TenantDb::OpenImage(image, Cat(), &error);
    INFO(error);
    REQUIRE(from_image);
    auto populated = Populated(spec);
    auto a = Dump(*from_image), b = Dump(*populated);
    CHECK(a.size() == b.size());
    CHECK(a == b);
    // The copy is an ordinary database: it takes writes, also of new tables, and grows.
    const auto* cost = Cat().Find("TicketCost");
    REQUIRE(from_image->Insert(*cost, {}, {}, 0, &error) > 0);
    REQUIRE(from_image->Exec("BEGIN"));
    for (int i = 0; i < 2000; ++i)
      REQUIRE(from_image->Insert(*Cat().Find("Ticket"), {}, {}, 0, &error) > 0);
    REQUIRE(from_image->Exec("COMMIT"));
    CHECK(from_image->Count(*Cat().Find("Ticket")) ==
          populated->Count(*Cat().Find("Ticket")) + 2000);
  }
  CHECK(atws::fixtures::DefaultImage(1).empty());
}
