// The pieces that make the read path fast must not change what it answers: the query-result
// cache goes stale on every write, the journal keeps its entries' queries and a bounded amount
// of raw bodies, the scale generator copies tickets faithfully.
#include <catch2/catch.hpp>
#include <string>

#include "catalog/catalog.h"
#include "fixtures/fixtures.h"
#include "fixtures/scale.h"
#include "journal/journal.h"
#include "store/store.h"
#include "tenant/query_cache.h"

using atws::service::Journal;
using atws::service::JournalEntry;
using atws::service::JournalFilter;
using atws::service::QueryCache;
using atws::store::TenantDb;
using atws::store::Value;

namespace {

std::unique_ptr<TenantDb> EmptyDb() {
  std::string err;
  auto db = TenantDb::Open(":memory:", atws::catalog::Catalog::Default(), &err);
  REQUIRE(db);
  return db;
}

QueryCache::Result ResultOf(const std::string& xml, long long rows) {
  QueryCache::Result r;
  r.xml = std::make_shared<const std::string>(xml);
  r.rows = rows;
  r.last_id = rows;
  return r;
}

}  // namespace

TEST_CASE("Query cache: keys tell queries apart", "[perf][cache]") {
  std::vector<Value> a = {Value::Int(5)}, b = {Value::Text("5")}, c = {Value::Int(6)};
  std::string k = QueryCache::MakeKey(3, 1, "id > ?", a);
  CHECK(k == QueryCache::MakeKey(3, 1, "id > ?", a));
  CHECK(k != QueryCache::MakeKey(3, 1, "id > ?", b));  // an integer is not its text
  CHECK(k != QueryCache::MakeKey(3, 1, "id > ?", c));
  CHECK(k != QueryCache::MakeKey(4, 1, "id > ?", a));  // another entity
  CHECK(k != QueryCache::MakeKey(3, 2, "id > ?", a));  // another flavour
  CHECK(k != QueryCache::MakeKey(3, 1, "id >= ?", a));
  // A text parameter cannot pass for the next part of the key.
  CHECK(QueryCache::MakeKey(1, 1, "x", {Value::Text("a|t1:b")}) !=
        QueryCache::MakeKey(1, 1, "x", {Value::Text("a"), Value::Text("b")}));
}

TEST_CASE("Query cache: only keys asked again are admitted", "[perf][cache]") {
  QueryCache cache;
  CHECK_FALSE(cache.Admit("a"));
  CHECK(cache.Admit("a"));
  CHECK_FALSE(cache.Admit("b"));
}

TEST_CASE("Query cache: any write makes every entry stale", "[perf][cache]") {
  auto db = EmptyDb();
  QueryCache cache;
  cache.Put(*db, "k", ResultOf("<Entity/>", 1));
  QueryCache::Result r;
  REQUIRE(cache.Find(*db, "k", &r));
  CHECK(*r.xml == "<Entity/>");
  CHECK(r.rows == 1);
  CHECK_FALSE(cache.Find(*db, "other", &r));

  // A row written through the store …
  const auto* account = atws::catalog::Catalog::Default().Find("Account");
  REQUIRE(account);
  std::string err;
  REQUIRE(db->Insert(*account, {{account->FieldIndex("AccountName"), Value::Text("A")}}, {}, 0,
                     &err) != 0);
  CHECK_FALSE(cache.Find(*db, "k", &r));
  CHECK(cache.size() == 0);

  // … and one written with plain SQL, which does not move the generation.
  cache.Put(*db, "k", ResultOf("<Entity/>", 1));
  REQUIRE(cache.Find(*db, "k", &r));
  REQUIRE(db->Exec("UPDATE \"Account\" SET \"AccountName\" = 'B'", &err));
  CHECK_FALSE(cache.Find(*db, "k", &r));

  // A generation bump alone (a reset swaps the data in) as well.
  cache.Put(*db, "k", ResultOf("<Entity/>", 1));
  db->BumpGeneration();
  CHECK_FALSE(cache.Find(*db, "k", &r));
}

TEST_CASE("Query cache: bounded in entries and bytes, least recently used out first",
          "[perf][cache]") {
  auto db = EmptyDb();
  QueryCache cache(3, 100);
  QueryCache::Result r;
  cache.Put(*db, "a", ResultOf(std::string(30, 'a'), 1));
  cache.Put(*db, "b", ResultOf(std::string(30, 'b'), 1));
  cache.Put(*db, "c", ResultOf(std::string(30, 'c'), 1));
  REQUIRE(cache.Find(*db, "a", &r));  // a is now the most recently used
  cache.Put(*db, "d", ResultOf(std::string(30, 'd'), 1));
  CHECK(cache.size() == 3);
  CHECK_FALSE(cache.Find(*db, "b", &r));
  CHECK(cache.Find(*db, "a", &r));
  cache.Put(*db, "e", ResultOf(std::string(80, 'e'), 1));  // needs room: others go
  CHECK(cache.bytes() <= 100);
  CHECK(cache.Find(*db, "e", &r));
  cache.Put(*db, "huge", ResultOf(std::string(101, 'h'), 1));  // larger than the budget
  CHECK_FALSE(cache.Find(*db, "huge", &r));
}

TEST_CASE("Journal: queries and writes come back as they were added", "[perf][journal]") {
  Journal j;
  JournalEntry e;
  e.operation = "query";
  e.query = {{"entity", "Ticket"}, {"conditions", nlohmann::json::array({{{"op", "Equals"}}})}};
  e.written = nlohmann::json::array({{{"entity", "Ticket"}, {"id", 7}}});
  j.Add(e);
  auto out = j.Query(JournalFilter{});
  REQUIRE(out.size() == 1);
  CHECK(out[0].query == e.query);
  CHECK(out[0].written == e.written);
  CHECK(out[0].ToJson(false)["query"] == e.query);
}

TEST_CASE("Journal: raw bodies are cut and bounded in bytes", "[perf][journal]") {
  Journal j(10000, 16 * 1024, 1000);
  const std::string big(64 * 1024, 'x');  // a large answer: cut at 16 KiB
  for (int i = 0; i < 600; ++i) {
    JournalEntry e;
    e.operation = "query";
    e.request = "<q/>";
    e.response = big;
    j.Add(e);
  }
  JournalFilter all;
  all.limit = 100000;
  auto out = j.Query(all);
  REQUIRE(out.size() == 600);
  size_t bytes = 0, with_bodies = 0;
  for (const auto& e : out) {
    bytes += e.request.size() + e.response.size();
    if (!e.response.empty()) {
      ++with_bodies;
      CHECK(e.response.size() < 16 * 1024 + 32);
      CHECK(e.response.find("[truncated]") != std::string::npos);
    }
  }
  CHECK(bytes <= (4u << 20));
  CHECK(with_bodies >= 200);  // ~16 KiB each: about 250 fit
  CHECK(with_bodies < 600);
  // The newest keep theirs, the oldest lost them.
  CHECK_FALSE(out.back().response.empty());
  CHECK(out.front().response.empty());
  // Small bodies: the count bounds them (1,000).
  for (int i = 0; i < 1500; ++i) {
    JournalEntry e;
    e.request = "<q/>";
    e.response = "<a/>";
    j.Add(e);
  }
  out = j.Query(all);
  size_t small = 0;
  for (const auto& e : out)
    if (e.response == "<a/>") ++small;
  CHECK(small == 1000);
}

TEST_CASE("Scale generator: copies of the default tickets, dated back, with new ids",
          "[perf][scale]") {
  auto db = EmptyDb();
  auto specs = atws::fixtures::DefaultTenants();
  const auto& spec = specs.front();
  std::string err;
  REQUIRE(atws::fixtures::Populate(spec, *db, atws::fixtures::DefaultBaseTime(), &err));
  const auto* ticket = atws::catalog::Catalog::Default().Find("Ticket");
  long long before = db->Count(*ticket);
  REQUIRE(before > 0);
  atws::fixtures::ScaleStats stats;
  REQUIRE(atws::fixtures::AddTickets(*db, before * 2 + 10, 3, &stats, &err));
  CHECK(stats.tickets_before == before);
  CHECK(stats.tickets_added == before + 10);
  CHECK(db->Count(*ticket) == before * 2 + 10);
  // Indexes are back.
  auto st = db->Prepare(
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Ticket'");
  REQUIRE(st.ok());
  REQUIRE(st->Step() == atws::store::StepResult::kRow);
  CHECK(st->Int(0) > 5);
  st->Reset();
  // The first copy of the first default ticket: same title and status, three days earlier,
  // another ticket number.
  auto first_copy = db->Prepare(
      "SELECT a.Title = b.Title, a.Status = b.Status, julianday(substr(a.CreateDate, 1, 10)) - "
      "julianday(substr(b.CreateDate, 1, 10)), a.TicketNumber <> b.TicketNumber FROM "
      "\"Ticket\" a, \"Ticket\" b WHERE a.id = (SELECT MIN(id) FROM \"Ticket\") AND b.id = "
      "(SELECT id FROM \"Ticket\" ORDER BY id LIMIT 1 OFFSET ?)");
  REQUIRE(first_copy.ok());
  first_copy->BindInt(1, before);
  REQUIRE(first_copy->Step() == atws::store::StepResult::kRow);
  CHECK(first_copy->Int(0) == 1);
  CHECK(first_copy->Int(1) == 1);
  CHECK(first_copy->Real(2) == Approx(3.0));
  CHECK(first_copy->Int(3) == 1);
  first_copy->Reset();
  // Asking for fewer tickets than there are adds none.
  REQUIRE(atws::fixtures::AddTickets(*db, 10, 3, &stats, &err));
  CHECK(db->Count(*ticket) == before * 2 + 10);
}

TEST_CASE("Tables are made when SQL first names them, also inside a rolled-back call",
          "[perf][store]") {
  std::string err;
  const auto& cat = atws::catalog::Catalog::Default();
  auto db = TenantDb::Open(":memory:", cat, &err);
  REQUIRE(db);
  const auto* ticket = cat.Find("Ticket");
  const auto* cost = cat.Find("TicketCost");
  REQUIRE(ticket);
  REQUIRE(cost);
  // A fresh tenant holds no entity table until one is used.
  CHECK_FALSE(db->HasTable(*ticket));
  CHECK(db->Count(*ticket) == 0);
  CHECK(db->HasTable(*ticket));
  // With its indexes.
  {
    auto st = db->Prepare(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Ticket'");
    REQUIRE(st.ok());
    REQUIRE(st->Step() == atws::store::StepResult::kRow);
    CHECK(st->Int(0) > 5);
  }

  // Made inside a savepoint that is rolled back: the table goes, and so do the statements
  // cached meanwhile, so the next insert makes the table again instead of failing.
  CHECK_FALSE(db->HasTable(*cost));
  REQUIRE(db->Exec("SAVEPOINT t"));
  REQUIRE(db->Insert(*cost, {}, {}, 0, &err) > 0);
  CHECK(db->HasTable(*cost));
  REQUIRE(db->Exec("ROLLBACK TO t"));
  REQUIRE(db->Exec("RELEASE t"));
  CHECK_FALSE(db->HasTable(*cost));
  INFO(err);
  CHECK(db->Insert(*cost, {}, {}, 0, &err) > 0);
  CHECK(db->Count(*cost) == 1);

  // A name that is not an entity is still an error, and makes nothing.
  auto missing = db->Prepare("SELECT * FROM \"NoSuchEntity\"");
  CHECK_FALSE(missing.ok());
  CHECK(missing.status().message().find("no such table") != std::string::npos);
  CHECK_FALSE(db->Exec("SELECT * FROM sqlite_nothing", &err));
}

TEST_CASE("Indexes skip NULL values and still serve comparisons on their field", "[perf][store]") {
  std::string err;
  const auto& cat = atws::catalog::Catalog::Default();
  auto db = TenantDb::Open(":memory:", cat, &err);
  REQUIRE(db);
  const auto* ticket = cat.Find("Ticket");
  REQUIRE(ticket);
  REQUIRE(db->Count(*ticket) == 0);  // makes the table and its indexes
  auto plan = [&](const std::string& where) {
    auto st = db->Prepare("EXPLAIN QUERY PLAN SELECT id FROM Ticket WHERE " + where);
    REQUIRE(st.ok());
    std::string out;
    while (st->Next()) out += std::string(st->Text(3)) + "\n";
    return out;
  };
  // Each comparison a query can compile to uses the partial index of its field.
  for (const std::string where :
       {"AccountID = 5", "ProblemTicketId IN (1, 2)", "CreateDate >= '2026-01-01'",
        "CreateDate BETWEEN '2026-01-01' AND '2026-02-01'",
        "(Status = 1 OR Status = 8) AND CreateDate > '2026-01-01'"}) {
    INFO(where << "\n" << plan(where));
    CHECK(plan(where).find("SEARCH Ticket USING ") != std::string::npos);
    CHECK(plan(where).find("INDEX ix_Ticket_") != std::string::npos);
  }
  // IsNull is answered by a scan, with the same rows.
  CHECK(plan("ProblemTicketId IS NULL").find("SCAN") != std::string::npos);

  // Every index of the table is partial.
  int indexes = 0;
  {
    auto ix = db->Prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Ticket'");
    REQUIRE(ix.ok());
    while (ix->Next()) {
      ++indexes;
      std::string sql(ix->Text(1));
      INFO(sql);
      CHECK(sql.find(" IS NOT NULL") != std::string::npos);
    }
  }
  CHECK(indexes > 5);

  // Rows whose field is NULL have no entry: 3 tickets, one with a problem ticket.
  REQUIRE(db->Exec("INSERT INTO Ticket (id, ProblemTicketId) VALUES (1, NULL), (2, NULL), (3, 42)",
                   &err));
  auto st = db->Prepare(
      "SELECT COUNT(*) FROM Ticket INDEXED BY ix_Ticket_ProblemTicketId WHERE "
      "ProblemTicketId > 0");
  REQUIRE(st.ok());
  REQUIRE(st->Step() == atws::store::StepResult::kRow);
  CHECK(st->Int(0) == 1);
  st = db->Prepare("SELECT COUNT(*) FROM Ticket WHERE ProblemTicketId IS NULL");
  REQUIRE(st.ok());
  REQUIRE(st->Step() == atws::store::StepResult::kRow);
  CHECK(st->Int(0) == 2);
}
