// The store's own API (store/database.h, statement.h, value.h, savepoint.h): the only way the
// rest of the sandbox reaches SQLite, so what it promises is checked here directly.
#include "store/store.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/text.h"
#include "store/database.h"
#include "store/savepoint.h"

using atws::store::Cell;
using atws::store::CellPlan;
using atws::store::CellRead;
using atws::store::ColumnType;
using atws::store::Database;
using atws::store::StepResult;
using atws::store::TenantDb;
using atws::store::Value;

namespace {

std::unique_ptr<Database> MemoryDb() {
  auto db = Database::Open(":memory:");
  REQUIRE(db.ok());
  return std::move(*db);
}

std::unique_ptr<TenantDb> EmptyTenant() {
  std::string err;
  auto db = TenantDb::Open(":memory:", atws::catalog::Catalog::Default(), &err);
  INFO(err);
  REQUIRE(db);
  return db;
}

}  // namespace

TEST_CASE("Statements bind and read every kind of value", "[store]") {
  auto db = MemoryDb();
  REQUIRE(
      db->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, r REAL, s TEXT, b BLOB)").ok());
  auto ins = db->Prepare("INSERT INTO t (n, r, s, b) VALUES (?, ?, ?, ?)");
  REQUIRE(ins.ok());
  CHECK(ins->ParameterCount() == 4);
  CHECK(ins->BindInt(1, -7));
  CHECK(ins->BindReal(2, 2.5));
  CHECK(ins->BindText(3, std::string_view("a\0b", 3)));  // text keeps its length
  const std::string bytes("\x01\x00\x02", 3);
  CHECK(ins->BindBlob(4, bytes));
  REQUIRE(ins->Run().ok());
  CHECK(db->Changes() == 1);
  CHECK(db->LastInsertId() == 1);
  ins->Reset();  // bindings cleared: NULLs
  REQUIRE(ins->Run().ok());
  CHECK_FALSE(ins->BindInt(9, 1));  // no such position

  auto sel = db->Prepare("SELECT id, n, r, s, b FROM t ORDER BY id");
  REQUIRE(sel.ok());
  REQUIRE(sel->Step() == StepResult::kRow);
  CHECK(sel->ColumnCount() == 5);
  CHECK(sel->ColumnName(3) == "s");
  CHECK(sel->Type(1) == ColumnType::kInt);
  CHECK(sel->Type(2) == ColumnType::kReal);
  CHECK(sel->Type(3) == ColumnType::kText);
  CHECK(sel->Type(4) == ColumnType::kBlob);
  CHECK(sel->Int(1) == -7);
  CHECK(sel->Real(2) == 2.5);
  CHECK(sel->Text(3) == std::string_view("a\0b", 3));
  CHECK(sel->Blob(4) == bytes);
  CHECK(sel->Text(1) == "-7");  // converted as SQLite converts
  std::vector<Value> row;
  sel->ReadRow(&row);
  REQUIRE(row.size() == 5);
  CHECK(row[1].kind == Value::Kind::kInt);
  CHECK(row[2].kind == Value::Kind::kReal);
  CHECK(row[3].s == std::string("a\0b", 3));
  REQUIRE(sel->Next());
  CHECK(sel->IsNull(1));
  CHECK(sel->Int(1) == 0);
  CHECK(sel->Text(3).empty());
  CHECK(sel->ValueAt(4).is_null());
  CHECK(sel->Step() == StepResult::kDone);
  CHECK(sel->error().ok());
}

TEST_CASE("Failures carry SQLite's own message", "[store]") {
  auto db = MemoryDb();
  auto bad = db->Prepare("SELEKT 1");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "near \"SELEKT\": syntax error");
  CHECK(db->Exec("INSERT INTO nowhere VALUES (1)").message() == "no such table: nowhere");
  REQUIRE(db->Exec("CREATE TABLE u (k TEXT UNIQUE)").ok());
  REQUIRE(db->Exec("INSERT INTO u VALUES ('x')").ok());
  auto dup = db->Prepare("INSERT INTO u VALUES (?)");
  REQUIRE(dup.ok());
  dup->BindText(1, "x");
  atws::Status s = dup->Run();
  CHECK(s.message() == "UNIQUE constraint failed: u.k");
  dup->BindText(1, "x");
  CHECK(dup->Step() == StepResult::kError);
  CHECK(dup->error().message() == "UNIQUE constraint failed: u.k");
}

TEST_CASE("The statement cache hands out one statement per SQL text and can be cleared",
          "[store]") {
  auto db = MemoryDb();
  const int before = db->StatementCount();
  {
    auto a = db->Prepare("SELECT 1");
    REQUIRE(a.ok());
    REQUIRE(a->Next());  // left in the middle: the destructor resets it
  }
  {
    auto again = db->Prepare("SELECT 1");
    REQUIRE(again.ok());
    CHECK(again->Next());
  }
  CHECK(db->StatementCount() == before + 1);
  {
    auto once = db->PrepareOnce("SELECT 2");
    REQUIRE(once.ok());
    CHECK(db->StatementCount() == before + 2);
  }
  CHECK(db->StatementCount() == before + 1);  // the one-use statement is finalized
  // A Statement still held when the cache is cleared is not touched again by its destructor.
  auto held = db->Prepare("SELECT 3");
  REQUIRE(held.ok());
  db->ClearStatementCache();
  CHECK(db->StatementCount() == before);
}

TEST_CASE("ReadCells reads a row as its plan says", "[store]") {
  auto db = MemoryDb();
  auto st = db->Prepare("SELECT 42, 1.5, 'text', NULL, NULL, NULL, 7, 99");
  REQUIRE(st.ok());
  REQUIRE(st->Next());
  const CellPlan plan({CellRead::kInt, CellRead::kReal, CellRead::kText, CellRead::kInt,
                       CellRead::kReal, CellRead::kText, CellRead::kText, CellRead::kSkip});
  CHECK(plan.size() == 8);
  std::vector<Cell> cells(8);
  st->ReadCells(plan, cells.data());
  CHECK_FALSE(cells[0].is_null);
  CHECK(cells[0].i == 42);
  CHECK(cells[1].d == 1.5);
  CHECK(cells[2].view() == "text");
  CHECK(cells[3].is_null);
  CHECK(cells[4].is_null);
  CHECK(cells[5].is_null);
  CHECK(cells[6].view() == "7");  // an integer read as text: its digits
  CHECK(cells[7].is_null);        // skipped
}

TEST_CASE("A database's bytes open again as an in-memory copy", "[store]") {
  auto db = MemoryDb();
  REQUIRE(db->Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3)").ok());
  auto image = db->Serialize();
  REQUIRE(image.ok());
  auto copy = MemoryDb();
  REQUIRE(copy->Deserialize(*image).ok());
  REQUIRE(copy->Exec("INSERT INTO t VALUES (4)").ok());  // it grows
  auto st = copy->Prepare("SELECT SUM(x) FROM t");
  REQUIRE(st.ok());
  REQUIRE(st->Next());
  CHECK(st->Int(0) == 10);
}

TEST_CASE("LimitSteps stops a statement that runs too long", "[store]") {
  auto db = MemoryDb();
  const std::string sql =
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
      "SELECT COUNT(*) FROM n";
  db->LimitSteps(200000);
  auto st = db->PrepareOnce(sql);
  REQUIRE(st.ok());
  CHECK(st->Step() == StepResult::kError);
  CHECK(st->error().message() == "interrupted");
  db->LimitSteps(0);
  auto small = db->PrepareOnce("SELECT COUNT(*) FROM (SELECT 1 UNION ALL SELECT 2)");
  REQUIRE(small.ok());
  REQUIRE(small->Next());
  CHECK(small->Int(0) == 2);
}

TEST_CASE("A savepoint keeps its writes when released and undoes them otherwise", "[store]") {
  auto db = EmptyTenant();
  const auto& cat = db->catalog();
  const auto* ticket = cat.Find("Ticket");
  REQUIRE(ticket);
  std::string err;
  {
    auto sp = atws::store::Savepoint::Begin(*db, "t1");
    REQUIRE(sp.ok());
    REQUIRE(db->Insert(*ticket, {}, {}, 10, &err) == 10);
    CHECK(sp->Release().ok());
  }
  CHECK(db->RowExists("Ticket", 10));
  {
    auto sp = atws::store::Savepoint::Begin(*db, "t2");
    REQUIRE(sp.ok());
    REQUIRE(db->Insert(*ticket, {}, {}, 11, &err) == 11);
    sp->Rollback();
  }
  CHECK_FALSE(db->RowExists("Ticket", 11));
  {
    auto sp = atws::store::Savepoint::Begin(*db, "t3");
    REQUIRE(sp.ok());
    REQUIRE(db->Insert(*ticket, {}, {}, 12, &err) == 12);
  }  // neither: rolled back
  CHECK_FALSE(db->RowExists("Ticket", 12));
  CHECK_FALSE(db->RowExists("NoSuchEntity", 10));
}

TEST_CASE("A tenant's data version changes with every write", "[store]") {
  auto db = EmptyTenant();
  const auto* ticket = db->catalog().Find("Ticket");
  REQUIRE(ticket);
  auto v0 = db->data_version();
  CHECK(v0 == db->data_version());
  REQUIRE(db->Exec("INSERT INTO Ticket (id) VALUES (5)"));  // raw SQL: the row count moves
  auto v1 = db->data_version();
  CHECK_FALSE(v1 == v0);
  db->BumpGeneration();
  CHECK_FALSE(db->data_version() == v1);
  auto other = EmptyTenant();
  const void* before = db->connection_id();
  db->SwapContents(*other);
  CHECK(db->connection_id() != before);
  CHECK(other->connection_id() == before);
}

TEST_CASE("UTF-8 lengths: characters and sequences", "[text]") {
  CHECK(atws::Utf8Length("") == 0);
  CHECK(atws::Utf8Length("abc") == 3);
  CHECK(atws::Utf8Length("M\xC3\xBCller \xE2\x82\xAC") == 8);  // Müller €
  CHECK(atws::Utf8SequenceLength("a", 0) == 1);
  CHECK(atws::Utf8SequenceLength("\xC3\xBC", 0) == 2);
  CHECK(atws::Utf8SequenceLength("\xE2\x82\xAC", 0) == 3);
  CHECK(atws::Utf8SequenceLength("\xF0\x9F\x98\x80", 0) == 4);
  CHECK(atws::Utf8SequenceLength("\xC3", 0) == 0);      // cut short
  CHECK(atws::Utf8SequenceLength("\xC0\x80", 0) == 0);  // C0/C1 never lead
  CHECK(atws::Utf8SequenceLength("\x80", 0) == 0);      // a continuation byte
}
