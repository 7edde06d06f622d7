#include "query/query.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/text.h"
#include "store/store.h"

using namespace atws;
using store::Value;

namespace {

// A Ticket table with six rows and three UDFs (one protected, one numeric), plus two Contract
// UDFs for the "VB" limit.
class QueryFixture {
 public:
  QueryFixture() : cat_(catalog::Catalog::Default()) {
    std::string err;
    db_ = store::TenantDb::Open(":memory:", cat_, &err);
    REQUIRE(db_);
    ticket_ = cat_.Find("Ticket");
    REQUIRE(ticket_);
    int ti = cat_.EntityIndex(ticket_);
    AddUdf(ti, "Room Number", store::UdfDataType::kString, false);
    AddUdf(ti, "Secret Code", store::UdfDataType::kString, true);
    AddUdf(ti, "Score", store::UdfDataType::kNumber, false);
    const catalog::Entity* contract = cat_.Find("Contract");
    REQUIRE(contract);
    AddUdf(cat_.EntityIndex(contract), "Region", store::UdfDataType::kString, false);
    AddUdf(cat_.EntityIndex(contract), "Tier", store::UdfDataType::kString, false);

    const std::string room = Col("Room Number"), secret = Col("Secret Code"), score = Col("Score");
    auto T = [](const char* s) { return s ? Value::Text(s) : Value::Null(); };
    struct Row {
      const char* title;
      long long status;  // 0 = null
      const char* due;
      double hours;  // <0 = null
      int sla;       // -1 = null
      const char* desc;
      const char* room;
      const char* secret;
      double score;  // <0 = null
    } rows[] = {
        {"Printer broken", 1, "2026-03-08T03:30:00.000", 1.5, 1, "Müller", "A-101", "AbC", 10},
        {"printer jam", 5, "2026-03-09T00:00:00.000", 2.0, 0, "MÜLLER", "a-101", "abc", 20},
        {"Email down", 1, "2026-03-09T23:59:59.999", -1, -1, "Smith", nullptr, nullptr, -1},
        {"50% off_sale\\x", 8, nullptr, 10.25, 1, "Smyth", "B-7", "XYZ", 5},
        {nullptr, 0, nullptr, -1, -1, "'; DROP TABLE \"Ticket\"; --", nullptr, nullptr, -1},
        {"Mühle", 2, "2026-11-01T01:30:00.000", 3, 0, "Jones", "C-1", "x", 1},
    };
    long long id = 0;
    for (const Row& r : rows) {
      std::vector<std::pair<int, Value>> v = {
          {F("Title"), T(r.title)},
          {F("Status"), r.status ? Value::Int(r.status) : Value::Null()},
          {F("DueDateTime"), T(r.due)},
          {F("EstimatedHours"), r.hours >= 0 ? Value::Real(r.hours) : Value::Null()},
          {F("ServiceLevelAgreementHasBeenMet"), r.sla >= 0 ? Value::Int(r.sla) : Value::Null()},
          {F("Description"), T(r.desc)},
      };
      std::vector<std::pair<std::string, Value>> u = {
          {room, T(r.room)},
          {secret, T(r.secret)},
          {score, r.score >= 0 ? Value::Real(r.score) : Value::Null()},
      };
      REQUIRE(db_->Insert(*ticket_, v, u, ++id, &err) == id);
    }
  }

  // The ids matching <query>inner</query> on `entity`; fails the test when compiling fails.
  std::vector<long long> Ids(const std::string& inner, const std::string& entity = "Ticket") {
    query::Compiled c;
    std::string err;
    bool ok = query::Compile(Doc(inner, entity), cat_, *db_, opt, &c, &err);
    INFO(err);
    REQUIRE(ok);
    return Run(c);
  }

  std::vector<long long> Run(const query::Compiled& c) {
    std::string err;
    // As the service runs it.
    std::string sql = "SELECT id FROM " + store::TenantDb::Quote(c.entity->name) + " WHERE (" +
                      c.where + ") ORDER BY id LIMIT 500";
    auto st = db_->Prepare(sql);
    INFO(sql << ": " << st.status().message());
    REQUIRE(st.ok());
    for (size_t i = 0; i < c.params.size(); ++i)
      REQUIRE(st->Bind(static_cast<int>(i + 1), c.params[i]));
    std::vector<long long> ids;
    store::StepResult rc;
    while ((rc = st->Step()) == store::StepResult::kRow) ids.push_back(st->Int(0));
    CHECK(rc == store::StepResult::kDone);
    return ids;
  }

  // The error text of compiling a whole sXML document ("" when it compiles).
  std::string ErrDoc(const std::string& sxml) {
    query::Compiled c;
    std::string err;
    if (query::Compile(sxml, cat_, *db_, opt, &c, &err)) return "";
    return err;
  }
  std::string Err(const std::string& inner, const std::string& entity = "Ticket") {
    return ErrDoc(Doc(inner, entity));
  }
  query::Compiled Compiled(const std::string& inner) {
    query::Compiled c;
    std::string err;
    bool ok = query::Compile(Doc(inner, "Ticket"), cat_, *db_, opt, &c, &err);
    INFO(err);
    REQUIRE(ok);
    return c;
  }

  static std::string Doc(const std::string& inner, const std::string& entity) {
    return "<queryxml><entity>" + entity + "</entity><query>" + inner + "</query></queryxml>";
  }

  store::TenantDb& db() { return *db_; }
  const catalog::Entity& ticket() { return *ticket_; }
  query::Options opt;

 private:
  int F(const char* name) {
    int i = ticket_->FieldIndex(name);
    REQUIRE(i >= 0);
    return i;
  }
  std::string Col(const char* udf) {
    const store::UdfDef* d = db_->FindUdf(cat_.EntityIndex(ticket_), udf);
    REQUIRE(d);
    return d->column;
  }
  void AddUdf(int entity_index, const char* name, store::UdfDataType type, bool prot) {
    store::UdfDef d;
    d.name = name;
    d.entity_index = entity_index;
    d.data_type = type;
    d.is_protected = prot;
    std::string err;
    INFO(err);
    REQUIRE(db_->AddUdf(d, &err));
  }

  const catalog::Catalog& cat_;
  std::unique_ptr<store::TenantDb> db_;
  const catalog::Entity* ticket_ = nullptr;
};

std::string Fld(const std::string& name, const std::string& op, const std::string& value,
                bool udf = false) {
  return std::string(udf ? "<field udf=\"true\">" : "<field>") + name + "<expression op=\"" + op +
         "\">" + value + "</expression></field>";
}

std::string Cond(const std::string& op, const std::string& inner) {
  return "<condition operator=\"" + op + "\">" + inner + "</condition>";
}

using Ids = std::vector<long long>;

}  // namespace

TEST_CASE("query: no criteria returns every row", "[query]") {
  QueryFixture f;
  CHECK(f.Ids("") == Ids{1, 2, 3, 4, 5, 6});
  CHECK(f.ErrDoc("<queryxml><entity>Ticket</entity><query/></queryxml>").empty());
  CHECK(f.ErrDoc("<queryxml><entity> Ticket </entity></queryxml>").empty());
  CHECK(f.ErrDoc("  \n<?xml version=\"1.0\"?><queryxml><entity>ticket</entity></queryxml>\n ")
            .empty());
  query::Compiled c = f.Compiled("");
  CHECK(c.where == "1");
  CHECK(c.params.empty());
  CHECK(c.entity == &f.ticket());
  CHECK(c.id_greater_than == -1);
}

TEST_CASE("query: comparison operators on integers", "[query]") {
  QueryFixture f;
  CHECK(f.Ids(Fld("Status", "Equals", "1")) == Ids{1, 3});
  CHECK(f.Ids(Fld("status", "equals", " 1 ")) == Ids{1, 3});
  CHECK(f.Ids(Fld("Status", "NotEqual", "1")) == Ids{2, 4, 6});  // null excluded
  CHECK(f.Ids(Fld("Status", "GreaterThan", "1")) == Ids{2, 4, 6});
  CHECK(f.Ids(Fld("Status", "greaterthan", "1")) == Ids{2, 4, 6});
  CHECK(f.Ids(Fld("Status", "GREATERTHAN", "1")) == Ids{2, 4, 6});
  CHECK(f.Ids(Fld("Status", "LessThan", "5")) == Ids{1, 3, 6});
  CHECK(f.Ids(Fld("Status", "GreaterThanorEquals", "5")) == Ids{2, 4});
  CHECK(f.Ids(Fld("Status", "GreaterThanOrEquals", "5")) == Ids{2, 4});
  CHECK(f.Ids(Fld("Status", "LessThanOrEquals", "2")) == Ids{1, 3, 6});
  CHECK(f.Ids(Fld("Status", "IsNull", "")) == Ids{5});
  CHECK(f.Ids(Fld("Status", "IsNotNull", "")) == Ids{1, 2, 3, 4, 6});
  CHECK(f.Ids(Fld("id", "GreaterThan", "4")) == Ids{5, 6});
}

TEST_CASE("query: canonical operator names", "[query]") {
  CHECK(query::CanonicalOperator("greaterthanorequals") == "GreaterThanorEquals");
  CHECK(query::CanonicalOperator("ISTHISDAY") == "IsThisDay");
  CHECK(query::CanonicalOperator("soundslike") == "SoundsLike");
  CHECK(query::CanonicalOperator("Between").empty());
  QueryFixture f;
  query::Compiled c = f.Compiled(Fld("Status", "greaterthanorequals", "1"));
  REQUIRE(c.conditions.size() == 1);
  CHECK(c.conditions[0].op == "GreaterThanorEquals");
  CHECK(c.conditions[0].field == "Status");
}

TEST_CASE("query: string operators", "[query]") {
  QueryFixture f;
  CHECK(f.Ids(Fld("Title", "Equals", "PRINTER JAM")) == Ids{2});
  CHECK(f.Ids(Fld("Title", "NotEqual", "printer jam")) == Ids{1, 3, 4, 6});
  CHECK(f.Ids(Fld("Title", "BeginsWith", "printer")) == Ids{1, 2});
  CHECK(f.Ids(Fld("Title", "EndsWith", "DOWN")) == Ids{3});
  CHECK(f.Ids(Fld("Title", "Contains", "jam")) == Ids{2});
  CHECK(f.Ids(Fld("Title", "GreaterThan", "n")) == Ids{1, 2});
  CHECK(f.Ids(Fld("Title", "LessThan", "F")) == Ids{3, 4});
  // %, _ and \ in BeginsWith/EndsWith/Contains values are literal characters.
  CHECK(f.Ids(Fld("Title", "Contains", "%")) == Ids{4});
  CHECK(f.Ids(Fld("Title", "Contains", "_")) == Ids{4});
  CHECK(f.Ids(Fld("Title", "Contains", "\\")) == Ids{4});
  CHECK(f.Ids(Fld("Title", "BeginsWith", "50%")) == Ids{4});
  CHECK(f.Ids(Fld("Title", "EndsWith", "_sale\\x")) == Ids{4});
  // Like: % and _ are wildcards, a backslash is literal.
  CHECK(f.Ids(Fld("Title", "Like", "print%")) == Ids{1, 2});
  CHECK(f.Ids(Fld("Title", "Like", "_rinter jam")) == Ids{2});
  CHECK(f.Ids(Fld("Title", "Like", "%\\x")) == Ids{4});
  CHECK(f.Ids(Fld("Title", "like", "%DOWN")) == Ids{3});
  CHECK(f.Ids(Fld("Title", "NotLike", "print%")) == Ids{3, 4, 6});  // null excluded
  CHECK(f.Ids(Fld("Description", "SoundsLike", "Smith")) == Ids{3, 4});
  CHECK(f.Ids(Fld("Title", "IsNull", "")) == Ids{5});
  CHECK(f.Ids(Fld("Title", "IsNotNull", "")) == Ids{1, 2, 3, 4, 6});
  // A whitespace-only value is the empty string.
  CHECK(f.Ids(Fld("Title", "Equals", "   ")).empty());
}

TEST_CASE("query: non-ASCII text compares case-insensitively", "[query]") {
  QueryFixture f;
  CHECK(f.Ids(Fld("Description", "Equals", "Müller")) == Ids{1, 2});
  CHECK(f.Ids(Fld("Description", "Equals", "müller")) == Ids{1, 2});
  CHECK(f.Ids(Fld("Description", "BeginsWith", "mü")) == Ids{1, 2});
  CHECK(f.Ids(Fld("Title", "BeginsWith", "MÜ")) == Ids{6});
  CHECK(f.Ids(Fld("Description", "Contains", "ÜLL")) == Ids{1, 2});
}

TEST_CASE("query: SQL-looking values are data", "[query]") {
  QueryFixture f;
  const std::string evil = "'; DROP TABLE &quot;Ticket&quot;; --";
  CHECK(f.Ids(Fld("Description", "Equals", evil)) == Ids{5});
  CHECK(f.Ids(Fld("Description", "Contains", "DROP TABLE")) == Ids{5});
  CHECK(f.Ids(Fld("Title", "Equals", "x' OR '1'='1")).empty());
  CHECK(f.Err(Fld("Status", "Equals", "1 OR 1=1")) ==
        "Value '1 OR 1=1' is not valid for field Status of type integer.");
  CHECK(f.db().Count(f.ticket()) == 6);
  query::Compiled c = f.Compiled(Fld("Description", "Equals", evil));
  CHECK(c.where.find("DROP") == std::string::npos);
  CHECK(c.conditions[0].value == "'; DROP TABLE \"Ticket\"; --");
}

TEST_CASE("query: doubles and booleans", "[query]") {
  QueryFixture f;
  CHECK(f.Ids(Fld("EstimatedHours", "GreaterThan", "2")) == Ids{4, 6});
  CHECK(f.Ids(Fld("EstimatedHours", "Equals", "1.5")) == Ids{1});
  CHECK(f.Ids(Fld("EstimatedHours", "LessThanOrEquals", "2")) == Ids{1, 2});
  CHECK(f.Ids(Fld("ServiceLevelAgreementHasBeenMet", "Equals", "true")) == Ids{1, 4});
  CHECK(f.Ids(Fld("ServiceLevelAgreementHasBeenMet", "Equals", "TRUE")) == Ids{1, 4});
  CHECK(f.Ids(Fld("ServiceLevelAgreementHasBeenMet", "Equals", "0")) == Ids{2, 6});
  CHECK(f.Ids(Fld("ServiceLevelAgreementHasBeenMet", "NotEqual", "False")) == Ids{1, 4});
  CHECK(f.Ids(Fld("ServiceLevelAgreementHasBeenMet", "IsNull", "")) == Ids{3, 5});
  CHECK(f.Err(Fld("ServiceLevelAgreementHasBeenMet", "Equals", "yes")) ==
        "Value 'yes' is not valid for field ServiceLevelAgreementHasBeenMet of type boolean.");
  CHECK(f.Err(Fld("EstimatedHours", "Equals", "abc")) ==
        "Value 'abc' is not valid for field EstimatedHours of type double.");
}

TEST_CASE("query: date-times", "[query]") {
  QueryFixture f;
  // A date alone is that day's midnight.
  CHECK(f.Ids(Fld("DueDateTime", "Equals", "2026-03-09")) == Ids{2});
  CHECK(f.Ids(Fld("DueDateTime", "Equals", "2026-03-09T00:00:00.000")) == Ids{2});
  CHECK(f.Ids(Fld("DueDateTime", "GreaterThan", "2026-03-09 00:00:00")) == Ids{3, 6});
  CHECK(f.Ids(Fld("DueDateTime", "GreaterThanorEquals", "2026-03-09")) == Ids{2, 3, 6});
  CHECK(f.Ids(Fld("DueDateTime", "LessThan", "2026-03-09T00:00:00.001")) == Ids{1, 2});
  CHECK(f.Ids(Fld("DueDateTime", "NotEqual", "2026-03-09")) == Ids{1, 3, 6});
  CHECK(f.Ids(Fld("DueDateTime", "IsNull", "")) == Ids{4, 5});
  CHECK(f.Ids(Fld("DueDateTime", "IsThisDay", "2026-03-09")) == Ids{2, 3});
  CHECK(f.Ids(Fld("DueDateTime", "isthisday", " 2026-03-09T15:45:00 ")) == Ids{2, 3});
  CHECK(f.Ids(Fld("DueDateTime", "IsThisDay", "2026-03-10")).empty());
  CHECK(f.Ids(Fld("DueDateTime", "IsThisDay", "2026-11-01")) == Ids{6});
  // Spring-forward gap (US Eastern): 02:00-02:59 on 2026-03-08 does not exist.
  CHECK(f.Err(Fld("DueDateTime", "Equals", "2026-03-08 02:30:00")) ==
        "The date-time '2026-03-08 02:30:00' does not exist in the API time zone (daylight "
        "saving time gap).");
  CHECK(f.Ids(Fld("DueDateTime", "Equals", "2026-03-08 03:30:00")) == Ids{1});
  // In UTC there is no gap.
  f.opt.time_zone = ApiTimeZone::kUtc;
  CHECK(f.Ids(Fld("DueDateTime", "Equals", "2026-03-08 02:30:00")).empty());
  CHECK(f.Err(Fld("DueDateTime", "Equals", "2026-02-30")) ==
        "Value '2026-02-30' is not valid for field DueDateTime of type datetime.");
  CHECK(f.Err(Fld("DueDateTime", "Equals", "yesterday")) ==
        "Value 'yesterday' is not valid for field DueDateTime of type datetime.");
}

TEST_CASE("query: type matrix", "[query]") {
  QueryFixture f;
  CHECK(f.Err(Fld("Status", "Contains", "1")) ==
        "Operator Contains is not supported for field Status of type integer.");
  CHECK(f.Err(Fld("ServiceLevelAgreementHasBeenMet", "GreaterThan", "true")) ==
        "Operator GreaterThan is not supported for field ServiceLevelAgreementHasBeenMet of "
        "type boolean.");
  CHECK(f.Err(Fld("Status", "Equals", "abc")) ==
        "Value 'abc' is not valid for field Status of type integer.");
  CHECK(f.Err(Fld("Status", "Equals", "1.5")) ==
        "Value '1.5' is not valid for field Status of type integer.");
  CHECK(f.Err(Fld("Title", "IsThisDay", "2026-01-01")) ==
        "Operator IsThisDay is not supported for field Title of type string.");
  CHECK(f.Err(Fld("DueDateTime", "Like", "2026%")) ==
        "Operator Like is not supported for field DueDateTime of type datetime.");
  CHECK(f.Err(Fld("EstimatedHours", "SoundsLike", "x")) ==
        "Operator SoundsLike is not supported for field EstimatedHours of type double.");
  CHECK(f.Err(Fld("ServiceLevelAgreementHasBeenMet", "IsNotNull", "")).empty());
}

TEST_CASE("query: unknown names and malformed fields", "[query]") {
  QueryFixture f;
  CHECK(f.Err(Fld("Nope", "Equals", "1")) == "Unable to find field Nope in the Ticket entity.");
  CHECK(f.Err("", "NoSuchEntity") == "Unable to find the entity NoSuchEntity.");
  CHECK(f.Err(Fld("Status", "Between", "1")) == "Invalid operator 'Between' for field Status.");
  CHECK(f.Err(Fld("creatortype", "Equals", "1")) == "Field CreatorType is not queryable.");
  CHECK(f.Err(Fld("LastActivityPersonType", "IsNull", "")) ==
        "Field LastActivityPersonType is not queryable.");
  CHECK(f.Err("<field>Status</field>").find("field Status has no expression") != std::string::npos);
  CHECK(f.Err("<field>Status<expression>1</expression></field>")
            .find("the expression of field Status has no op attribute") != std::string::npos);
  CHECK(f.Err("<field>Status<expression op=\"Equals\">1</expression><expression "
              "op=\"Equals\">2</expression></field>")
            .find("field Status has more than one <expression>") != std::string::npos);
  CHECK(f.Err("<field><expression op=\"Equals\">1</expression></field>").find("no field name") !=
        std::string::npos);
  CHECK(f.Err("<bogus/>").find("unexpected element <bogus> in <query>") != std::string::npos);
  CHECK(f.Err(Cond("XOR", Fld("Status", "Equals", "1"))).find("invalid condition operator 'XOR'") !=
        std::string::npos);
  CHECK(f.ErrDoc("<query/>").find("root element must be <queryxml>") != std::string::npos);
  CHECK(f.ErrDoc("<queryxml><query/></queryxml>").find("does not name an entity") !=
        std::string::npos);
  CHECK(f.ErrDoc("<queryxml><entity>Ticket</entity>").find("Invalid query XML:") == 0);
  CHECK(f.ErrDoc("<queryxml><entity>&bogus;</entity></queryxml>").find("Invalid query XML:") == 0);
  // Element names are matched case-insensitively; whitespace around names is tolerated.
  CHECK(f.ErrDoc("<QueryXML><Entity>Ticket</Entity><Query><Field>\n  Status\n  <Expression "
                 "OP=\"equals\">1</Expression></Field></Query></QueryXML>")
            .empty());
}

TEST_CASE("query: error messages clip long user input", "[query]") {
  QueryFixture f;
  std::string longname(5000, 'x');
  std::string e = f.Err(Fld(longname, "Equals", "1"));
  CHECK(e.size() < 300);
  CHECK(e.find("…") != std::string::npos);
  e = f.Err(Fld("Status", "Equals", std::string(5000, '9') + "z"));
  CHECK(e.size() < 300);
  e = f.Err(Fld("Status", std::string(3000, 'Q'), "1"));
  CHECK(e.size() < 300);
  // Multi-byte characters are not cut in the middle.
  std::string umlauts;
  for (int i = 0; i < 300; ++i) umlauts += "ü";
  e = f.Err(Fld(umlauts, "Equals", "1"));
  CHECK(IsValidUtf8(e));
}

TEST_CASE("query: nested conditions, AND/OR, left-to-right", "[query]") {
  QueryFixture f;
  // operator attribute in any case; default AND.
  CHECK(f.Ids(Fld("Status", "Equals", "1") + Cond("or", Fld("Status", "Equals", "8"))) ==
        Ids{1, 3, 4});
  CHECK(f.Ids(Fld("Status", "Equals", "1") + Cond("Or", Fld("Status", "Equals", "8"))) ==
        Ids{1, 3, 4});
  CHECK(f.Ids(Fld("Status", "Equals", "1") + Cond("and", Fld("Title", "Contains", "printer"))) ==
        Ids{1});
  CHECK(f.Ids(Fld("Status", "Equals", "1") + "<condition>" + Fld("Title", "Contains", "printer") +
              "</condition>") == Ids{1});
  // a AND b OR (c)  ==  ((a AND b) OR c)
  CHECK(f.Ids(Fld("Status", "Equals", "1") + Fld("Title", "BeginsWith", "printer") +
              Cond("OR", Fld("Status", "Equals", "8"))) == Ids{1, 4});
  // a OR (c) AND d  ==  ((a OR c) AND d), not a OR (c AND d)
  CHECK(f.Ids(Fld("Status", "Equals", "1") + Cond("OR", Fld("Status", "Equals", "5")) +
              Fld("Title", "Contains", "printer")) == Ids{1, 2});
  // The fields inside an OR condition are AND-ed with each other.
  CHECK(f.Ids(Fld("Status", "Equals", "8") +
              Cond("OR", Fld("Status", "Equals", "1") + Fld("Title", "Contains", "mail"))) ==
        Ids{3, 4});
  // Three levels: Status=2 OR (EstimatedHours>1 AND (Title BeginsWith printer OR
  // (Description Equals Smyth)))
  std::string q =
      Fld("Status", "Equals", "2") +
      Cond("OR", Fld("EstimatedHours", "GreaterThan", "1") +
                     Cond("AND", Fld("Title", "BeginsWith", "printer") +
                                     Cond("OR", Fld("Description", "Equals", "smyth"))));
  CHECK(f.Ids(q) == Ids{1, 2, 4, 6});
  query::Compiled c = f.Compiled(q);
  REQUIRE(c.conditions.size() == 4);
  CHECK(c.conditions[0].depth == 0);
  CHECK_FALSE(c.conditions[0].in_or);
  CHECK(c.conditions[1].depth == 1);
  CHECK(c.conditions[1].in_or);
  CHECK(c.conditions[2].depth == 2);
  CHECK(c.conditions[3].depth == 3);
  CHECK(c.conditions[3].field == "Description");
  CHECK(c.conditions[3].value == "smyth");
  CHECK(c.params.size() == 4);
  // Two OR conditions, three fields inside OR conditions.
  CHECK(c.or_conditions == 5);
  // Empty conditions contribute nothing.
  CHECK(f.Ids(Fld("Status", "Equals", "5") + Cond("OR", "")) == Ids{2});
  CHECK(f.Ids("<condition><condition/></condition>") == Ids{1, 2, 3, 4, 5, 6});
}

TEST_CASE("query: the 500 OR-condition limit", "[query]") {
  QueryFixture f;
  // One OR condition holding n fields counts 1 + n.
  auto build = [](int n) {
    std::string inner;
    for (int i = 1; i <= n; ++i) inner += Fld("id", "Equals", std::to_string(i));
    return Fld("Status", "Equals", "1") + Cond("OR", inner);
  };
  query::Compiled c = f.Compiled(build(499));
  CHECK(c.or_conditions == 500);
  CHECK(f.Run(c) == Ids{1, 3});
  CHECK(f.Err(build(500)) ==
        "Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions.");
  // Many OR conditions of one field each (python-atws style).
  std::string many;
  for (int i = 0; i < 250; ++i) many += Cond("OR", Fld("Status", "Equals", "8"));
  CHECK(f.Err(many).empty());
  CHECK(f.Err(many + Cond("OR", Fld("Status", "Equals", "8"))) ==
        "Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions.");
  // The number comes from the options.
  f.opt.max_or_conditions = 3;
  CHECK(f.Err(Cond("OR", Fld("Status", "Equals", "1") + Fld("Status", "Equals", "2") +
                             Fld("Status", "Equals", "3"))) ==
        "Invalid query syntax. Queries are limited to 3 or fewer 'OR' conditions.");
  // AND conditions do not count.
  std::string ands;
  for (int i = 0; i < 10; ++i) ands += Cond("AND", Fld("Status", "Equals", "1"));
  CHECK(f.Err(ands).empty());
}

TEST_CASE("query: nesting depth limit", "[query]") {
  QueryFixture f;
  auto nest = [](int levels) {
    std::string q = Fld("Status", "Equals", "5");
    for (int i = 0; i < levels; ++i) q = "<condition>" + q + "</condition>";
    return q;
  };
  CHECK(f.Ids(nest(32)) == Ids{2});
  CHECK(f.Err(nest(33)).find("nested more than 32 levels") != std::string::npos);
  f.opt.max_depth = 2;
  CHECK(f.Err(nest(2)).empty());
  CHECK(f.Err(nest(3)).find("nested more than 2 levels") != std::string::npos);
  // Deep nesting far beyond the limit is refused, not a crash.
  f.opt.max_depth = 32;
  CHECK_FALSE(f.Err(nest(5000)).empty());
}

TEST_CASE("query: DTDs and external entities are refused", "[query]") {
  QueryFixture f;
  CHECK(f.ErrDoc("<?xml version=\"1.0\"?><!DOCTYPE queryxml [<!ENTITY xxe SYSTEM "
                 "\"file:///etc/passwd\">]><queryxml><entity>Ticket</entity><query>"
                 "<field>Title<expression op=\"Equals\">&xxe;</expression></field>"
                 "</query></queryxml>") == "DTD is not allowed.");
  CHECK(f.ErrDoc("<!DOCTYPE queryxml SYSTEM \"http://127.0.0.1:1/x.dtd\"><queryxml><entity>"
                 "Ticket</entity></queryxml>") == "DTD is not allowed.");
  std::string lol = "<!DOCTYPE q [<!ENTITY a \"aaaaaaaaaa\">";
  for (char c = 'b'; c <= 'j'; ++c) {
    lol += std::string("<!ENTITY ") + c + " \"";
    for (int i = 0; i < 10; ++i) lol += std::string("&") + static_cast<char>(c - 1) + ";";
    lol += "\">";
  }
  lol += "]><queryxml><entity>Ticket&j;</entity></queryxml>";
  CHECK(f.ErrDoc(lol) == "DTD is not allowed.");
  CHECK(f.ErrDoc("<!DOCTYPE queryxml><queryxml><entity>Ticket</entity></queryxml>") ==
        "DTD is not allowed.");
  // Size limit.
  f.opt.max_sxml_bytes = 100;
  CHECK(f.ErrDoc(QueryFixture::Doc(std::string(200, ' '), "Ticket")).find("too large") !=
        std::string::npos);
}

TEST_CASE("query: CDATA and escaped values", "[query]") {
  QueryFixture f;
  CHECK(f.Ids(Fld("Title", "Equals", "<![CDATA[printer jam]]>")) == Ids{2});
  CHECK(f.Ids(Fld("Title", "Contains", "50&#37;")) == Ids{4});
}

TEST_CASE("query: user-defined fields", "[query]") {
  QueryFixture f;
  CHECK(f.Ids(Fld("Room Number", "Equals", "a-101", true)) == Ids{1, 2});
  CHECK(f.Ids("<field udf=\"True\">room number<expression op=\"BeginsWith\">b</expression>"
              "</field>") == Ids{4});
  CHECK(f.Ids("<field udf=\"1\">Room Number<expression op=\"IsNull\"/></field>") == Ids{3, 5});
  CHECK(f.Ids(Fld("Score", "GreaterThan", "6", true)) == Ids{1, 2});
  CHECK(f.Ids(Fld("Score", "Equals", "5", true)) == Ids{4});
  CHECK(f.Err(Fld("Score", "Equals", "five", true)) ==
        "Value 'five' is not valid for field Score of type decimal.");
  CHECK(f.Err(Fld("Score", "Contains", "5", true)) ==
        "Operator Contains is not supported for field Score of type decimal.");
  // Protected UDFs compare case-sensitively.
  CHECK(f.Ids(Fld("Secret Code", "Equals", "abc", true)) == Ids{2});
  CHECK(f.Ids(Fld("Secret Code", "Equals", "AbC", true)) == Ids{1});
  CHECK(f.Ids(Fld("Secret Code", "BeginsWith", "Ab", true)) == Ids{1});
  CHECK(f.Ids(Fld("Secret Code", "Like", "a%", true)) == Ids{2});
  CHECK(f.Ids(Fld("Secret Code", "NotEqual", "abc", true)) == Ids{1, 4, 6});
  CHECK(f.Ids(Fld("Secret Code", "GreaterThan", "a", true)) == Ids{2, 6});
  // Without udf="true" the name is a catalog field.
  CHECK(f.Err(Fld("Room Number", "Equals", "x")) ==
        "Unable to find field Room Number in the Ticket entity.");
  CHECK(f.Err(Fld("Floor", "Equals", "x", true)) ==
        "Unable to find user-defined field Floor in the Ticket entity.");
  query::Compiled c =
      f.Compiled(Fld("room number", "Equals", "x", true) + Fld("Room Number", "IsNull", "", true) +
                 Fld("Score", "IsNull", "", true));
  CHECK(c.distinct_udfs == 2);
  CHECK(c.conditions[0].field == "Room Number");
  CHECK(c.conditions[0].udf);
}

TEST_CASE("query: user-defined field limits", "[query]") {
  QueryFixture f;
  std::string three = Fld("Room Number", "IsNull", "", true) +
                      Fld("Secret Code", "IsNull", "", true) + Fld("Score", "IsNull", "", true);
  CHECK(f.Err(three).empty());
  f.opt.max_udfs_csharp = 2;
  CHECK(f.Err(three) == "Queries on the Ticket entity are limited to 2 user-defined field(s).");
  // The same UDF twice counts once.
  CHECK(f.Err(Fld("Score", "IsNull", "", true) + Fld("Score", "IsNotNull", "", true) +
              Fld("Room Number", "IsNull", "", true))
            .empty());
  // "VB" entities: one UDF per query.
  CHECK(query::IsVbEntity("Contract"));
  CHECK_FALSE(query::IsVbEntity("Ticket"));
  CHECK(f.Err(Fld("Region", "IsNull", "", true), "Contract").empty());
  CHECK(f.Err(Fld("Region", "IsNull", "", true) + Fld("Tier", "IsNull", "", true), "Contract") ==
        "Queries on the Contract entity are limited to 1 user-defined field(s).");
}

TEST_CASE("query: id lower bound for paging", "[query]") {
  QueryFixture f;
  CHECK(f.Compiled(Fld("Status", "Equals", "1") + Fld("id", "GreaterThan", "3")).id_greater_than ==
        3);
  // ecitsolutions: lower-case op, AutoTask.Api: spliced AND condition.
  CHECK(f.Compiled(Fld("Status", "Equals", "1") + Fld("id", "greaterthan", "7")).id_greater_than ==
        7);
  CHECK(f.Compiled(Fld("Status", "Equals", "1") + Cond("and", Fld("id", "GreaterThan", "9")))
            .id_greater_than == 9);
  // OR-ed with something that has no bound: no bound.
  CHECK(f.Compiled(Fld("id", "GreaterThan", "3") + Cond("OR", Fld("Status", "Equals", "1")))
            .id_greater_than == -1);
  CHECK(f.Compiled(Cond("OR", Fld("id", "GreaterThan", "3"))).id_greater_than == 3);
  CHECK(f.Compiled(Cond("OR", Fld("Status", "Equals", "1")) + Fld("id", "GreaterThan", "4"))
            .id_greater_than == 4);
  CHECK(f.Compiled(Fld("id", "Equals", "3")).id_greater_than == -1);
  CHECK(f.Compiled(Fld("id", "GreaterThan", "2") + Fld("id", "GreaterThan", "5")).id_greater_than ==
        5);
  CHECK(f.Ids(Fld("Status", "Equals", "1") + Fld("id", "GreaterThan", "1")) == Ids{3});
}

TEST_CASE("query: large queries stay within SQLite's limits", "[query]") {
  QueryFixture f;
  // Thousands of AND-ed fields (a flat AND chain would exceed SQLite's expression depth).
  std::string ands;
  for (int i = 0; i < 3000; ++i) ands += Fld("Status", "NotEqual", std::to_string(100 + i));
  CHECK(f.Ids(ands) == Ids{1, 2, 3, 4, 6});
  // 500 OR conditions of one field each.
  std::string ors = Fld("Status", "Equals", "1");
  for (int i = 0; i < 249; ++i) ors += Cond("OR", Fld("Status", "Equals", std::to_string(100 + i)));
  CHECK(f.Ids(ors) == Ids{1, 3});
  // python-atws shape: a AND b OR (c) OR (d) AND id > n.
  CHECK(f.Ids(Fld("Status", "Equals", "1") + Fld("Title", "Contains", "mail") +
              Cond("OR", Fld("Status", "Equals", "5")) + Cond("OR", Fld("Status", "Equals", "8")) +
              Fld("id", "GreaterThan", "2")) == Ids{3, 4});
  // Alternating AND/OR many times: refused with a message rather than an SQLite error.
  auto alternate = [](int n) {
    std::string q = Fld("Status", "Equals", "1");
    for (int i = 0; i < n; ++i)
      q += Cond("OR", Fld("Status", "Equals", "5")) + Fld("id", "GreaterThan", "0");
    return q;
  };
  CHECK(f.Ids(alternate(25)) == Ids{1, 2, 3});
  CHECK(f.Err(alternate(200)).find("too complex") != std::string::npos);
  // The most complex query accepted still runs (inside conditions nested as deep as allowed).
  int n = 25;
  while (f.Err(alternate(n + 1)).empty()) ++n;
  std::string deep = alternate(n);
  for (int i = 0; i < 31; ++i) deep = "<condition>" + deep + "</condition>";
  CHECK(f.Ids(deep) == Ids{1, 2, 3});
}
