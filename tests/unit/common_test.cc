#include <catch2/catch.hpp>

#include "common/text.h"
#include "common/timeutil.h"
#include "service/usage.h"

using namespace atws;

TEST_CASE("FoldCase folds non-ASCII letters", "[text]") {
  CHECK(FoldCase("Müller") == FoldCase("MÜLLER"));
  CHECK(FoldCase("ÉCOLE") == FoldCase("école"));
  CHECK(FoldCompare("straße", "STRASSE") != 0);  // simple folding: ß stays one letter
  CHECK(FoldCompare("Müller", "MÜLLER") == 0);
  CHECK(FoldCompare("a", "B") < 0);
}

TEST_CASE("FoldCase keeps invalid UTF-8 bytes", "[text]") {
  std::string bad =
      "a\xff"
      "B";
  CHECK(FoldCase(bad) ==
        "a\xff"
        "b");
  CHECK_FALSE(IsValidUtf8(bad));
  CHECK(IsValidUtf8("Grüße"));
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));  // overlong
}

TEST_CASE("XML escaping covers the five entities", "[text]") {
  CHECK(XmlEscape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;'");
}

TEST_CASE("Base64 round trip and bad input", "[text]") {
  std::string out;
  REQUIRE(Base64Decode(Base64Encode("api@contoso.example:sandbox"), &out));
  CHECK(out == "api@contoso.example:sandbox");
  CHECK_FALSE(Base64Decode("a$b", &out));
}

TEST_CASE("ParseInt64 rejects junk and overflow", "[text]") {
  long long v;
  CHECK(ParseInt64(" 42 ", &v));
  CHECK(v == 42);
  CHECK_FALSE(ParseInt64("4x", &v));
  CHECK_FALSE(ParseInt64("99999999999999999999", &v));
  CHECK_FALSE(ParseInt64("", &v));
}

TEST_CASE("API date-times parse in every client spelling", "[time]") {
  CivilTime t;
  REQUIRE(ParseApiDateTime("2026-11-30 07:30:24", &t));
  CHECK(FormatApiDateTime(t) == "2026-11-30T07:30:24");
  REQUIRE(ParseApiDateTime("2018-07-10T12:19:28.840", &t));
  CHECK(FormatApiDateTime(t) == "2018-07-10T12:19:28.84");
  CHECK(StorageDateTime(t) == "2018-07-10T12:19:28.840");
  REQUIRE(ParseApiDateTime("2026-01-02", &t));
  CHECK(FormatApiDateTime(t) == "2026-01-02T00:00:00");
  CHECK_FALSE(ParseApiDateTime("2026-02-30", &t));
  CHECK_FALSE(ParseApiDateTime("2026-13-01", &t));
  CHECK_FALSE(ParseApiDateTime("yesterday", &t));
}

TEST_CASE("Eastern time follows the US DST rules", "[time]") {
  CivilTime t;
  Micros utc;
  // 2026-03-08 02:30 does not exist in New York (spring forward).
  REQUIRE(ParseApiDateTime("2026-03-08T02:30:00", &t));
  CHECK(InSpringForwardGap(t, ApiTimeZone::kEastern));
  CHECK_FALSE(FromLocal(t, ApiTimeZone::kEastern, &utc));
  CHECK(FromLocal(t, ApiTimeZone::kUtc, &utc));
  // Summer: UTC-4; winter: UTC-5.
  REQUIRE(ParseApiDateTime("2026-07-01T12:00:00", &t));
  REQUIRE(FromLocal(t, ApiTimeZone::kEastern, &utc));
  CHECK(FormatApiDateTime(ToLocal(utc, ApiTimeZone::kUtc)) == "2026-07-01T16:00:00");
  REQUIRE(ParseApiDateTime("2026-12-01T12:00:00", &t));
  REQUIRE(FromLocal(t, ApiTimeZone::kEastern, &utc));
  CHECK(FormatApiDateTime(ToLocal(utc, ApiTimeZone::kUtc)) == "2026-12-01T17:00:00");
  CHECK(FormatApiDateTime(ToLocal(utc, ApiTimeZone::kEastern)) == "2026-12-01T12:00:00");
  // Autumn: 01:30 happens twice; the first (daylight) instant is chosen.
  REQUIRE(ParseApiDateTime("2026-11-01T01:30:00", &t));
  REQUIRE(FromLocal(t, ApiTimeZone::kEastern, &utc));
  CHECK(FormatApiDateTime(ToLocal(utc, ApiTimeZone::kUtc)) == "2026-11-01T05:30:00");
}

TEST_CASE("Usage window counts a rolling hour", "[usage]") {
  service::UsageWindow w;
  const Micros s = 1000000;
  Micros t0 = 1'800'000'000LL * s;
  w.Add(t0);
  w.Add(t0 + 10 * s, 4);
  CHECK(w.Count(t0 + 20 * s) == 5);
  CHECK(w.Count(t0 + 3600 * s) == 4);  // the first call left the window
  CHECK(w.Count(t0 + 3611 * s) == 0);
  w.Set(t0 + 4000 * s, 7500);
  CHECK(w.Count(t0 + 4000 * s) == 7500);
  CHECK(w.Count(t0 + 5800 * s) == 3750);  // half of the spread calls remain
}
