// The entity writer (soap/entity_writer.h): rows as <Entity> elements, the query page's hot path.
// Its own escaping (sixteen bytes at a time) must write what AppendXmlEscaped writes.
#include "soap/entity_writer.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/text.h"
#include "store/store.h"

using atws::catalog::Flavour;
using atws::store::TenantDb;
using atws::store::Value;

namespace {

struct Fixture {
  Fixture() {
    std::string err;
    db = TenantDb::Open(":memory:", atws::catalog::Catalog::Default(), &err);
    REQUIRE(db);
    ticket = db->catalog().Find("Ticket");
    REQUIRE(ticket);
  }
  // The text of every <name …>…</name> element of `xml`, in order ("" for <name …/>).
  static std::vector<std::string> Texts(const std::string& xml, const std::string& name) {
    std::vector<std::string> out;
    const std::string open = "<" + name + " ", close = "</" + name + ">";
    for (size_t at = xml.find(open); at != std::string::npos; at = xml.find(open, at + 1)) {
      size_t gt = xml.find('>', at);
      if (xml[gt - 1] == '/') {
        out.emplace_back();
        continue;
      }
      size_t end = xml.find(close, gt);
      out.push_back(xml.substr(gt + 1, end - gt - 1));
    }
    return out;
  }
  std::unique_ptr<TenantDb> db;
  const atws::catalog::Entity* ticket = nullptr;
};

}  // namespace

TEST_CASE("The entity writer escapes text as AppendXmlEscaped does", "[soap][writer]") {
  Fixture f;
  const int title = f.ticket->FieldIndex("Title");
  REQUIRE(title >= 0);
  // Every length up to 48 with each special byte at each place, then random texts over an
  // alphabet of special bytes, ASCII and UTF-8.
  std::vector<std::string> titles;
  const std::string specials = "&<>\"\r";
  for (size_t len = 0; len <= 48; ++len)
    for (char sp : specials)
      for (size_t at = 0; at < len; at += 7) {
        std::string s(len, 'a');
        s[at] = sp;
        titles.push_back(s);
      }
  std::mt19937 rng(13);
  const std::vector<std::string> alphabet = {"&", "<", ">",  "\"", "\r",       "'",
                                             "a", "Z", " ",  "\n", "\xC3\xBC", "0",
                                             "x", "y", "\t", ";",  "&amp;",    "\xE2\x82\xAC"};
  for (int i = 0; i < 400; ++i) {
    std::string s;
    const size_t n = rng() % 70;
    for (size_t k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    titles.push_back(s);
  }
  std::string err;
  for (size_t i = 0; i < titles.size(); ++i)
    REQUIRE(f.db->Insert(*f.ticket, {{title, Value::Text(titles[i])}}, {},
                         static_cast<long long>(i + 1), &err) != 0);

  std::vector<std::string> written;
  for (long long after = 0; after < static_cast<long long>(titles.size()); after += 500) {
    std::string out;
    auto page = atws::soap::AppendEntities(&out, *f.db, *f.ticket, Flavour::kCurrent, "id > ?",
                                           {Value::Int(after)});
    REQUIRE(page.ok());
    auto texts = Fixture::Texts(out, "Title");
    CHECK(static_cast<long long>(texts.size()) == page->rows);
    written.insert(written.end(), texts.begin(), texts.end());
  }
  REQUIRE(written.size() == titles.size());
  for (size_t i = 0; i < titles.size(); ++i) {
    INFO("title " << i << ": " << titles[i]);
    CHECK(written[i] == atws::XmlEscape(titles[i]));
  }
}

TEST_CASE("The entity writer leaves out NULL and hidden fields and reports the page",
          "[soap][writer]") {
  Fixture f;
  const int title = f.ticket->FieldIndex("Title");
  const int priority = f.ticket->FieldIndex("Priority");
  REQUIRE(title >= 0);
  REQUIRE(priority >= 0);
  std::string err;
  REQUIRE(f.db->Insert(*f.ticket, {{title, Value::Text("")}, {priority, Value::Int(3)}}, {}, 7,
                       &err) == 7);
  REQUIRE(f.db->Insert(*f.ticket, {{title, Value::Text("x")}}, {}, 9, &err) == 9);
  std::string out;
  auto page = atws::soap::AppendEntities(&out, *f.db, *f.ticket, Flavour::kCurrent, "1", {});
  REQUIRE(page.ok());
  CHECK(page->rows == 2);
  CHECK(page->last_id == 9);
  CHECK(out.find("<Entity xsi:type=\"Ticket\"><id>7</id><UserDefinedFields/>") == 0);
  CHECK(out.find("<Title xsi:type=\"xsd:string\"/>") != std::string::npos);  // empty text
  CHECK(Fixture::Texts(out, "Priority") == std::vector<std::string>{"3"});   // NULL left out
  const std::vector<int> hidden = {priority};
  std::string without;
  page =
      atws::soap::AppendEntities(&without, *f.db, *f.ticket, Flavour::kCurrent, "1", {}, &hidden);
  REQUIRE(page.ok());
  CHECK(Fixture::Texts(without, "Priority").empty());
  CHECK(Fixture::Texts(without, "Title") == Fixture::Texts(out, "Title"));

  // SQL SQLite refuses: its message, for the caller to word.
  std::string bad;
  auto failed =
      atws::soap::AppendEntities(&bad, *f.db, *f.ticket, Flavour::kCurrent, "NoSuchColumn = 1", {});
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().message() == "no such column: NoSuchColumn");
}
