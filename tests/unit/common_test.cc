#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/text.h"
#include "common/timeutil.h"
#include "throttle/usage_window.h"

using namespace atws;

TEST_CASE("FoldCase folds non-ASCII letters", "[text]") {
  CHECK(FoldCase("Müller") == FoldCase("MÜLLER"));
  CHECK(FoldCase("ÉCOLE") == FoldCase("école"));
  CHECK(FoldCompare("straße", "STRASSE") != 0);  // simple folding: ß stays one letter
  CHECK(FoldCompare("Müller", "MÜLLER") == 0);
  CHECK(FoldCompare("a", "B") < 0);
}

TEST_CASE("FoldCompare orders as the folded strings do, ASCII or not", "[text]") {
  // For valid UTF-8, byte order is code point order: FoldCompare(a, b) must have the sign of
  // FoldCase(a) compared with FoldCase(b), whatever mix of ASCII and other letters.
  const std::vector<std::string> pieces = {"a",    "A", "z", "Z", "0", "9", ".", "_", "~",
                                           "\x7f", "ü", "Ü", "é", "É", "ß", "€", "Ω", "ω"};
  uint32_t seed = 12345;
  auto next = [&seed]() {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fff;
  };
  auto random_string = [&]() {
    std::string out;
    size_t n = next() % 6;
    for (size_t k = 0; k < n; ++k) out += pieces[next() % pieces.size()];
    return out;
  };
  auto sign = [](int v) { return (v > 0) - (v < 0); };
  for (int k = 0; k < 20000; ++k) {
    std::string a = random_string(), b = next() % 4 == 0 ? a : random_string();
    if (next() % 3 == 0 && !b.empty() && static_cast<unsigned char>(b[0]) < 0x80)
      b[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(b[0])));
    INFO("a=" << a << " b=" << b);
    REQUIRE(sign(FoldCompare(a, b)) == sign(FoldCase(a).compare(FoldCase(b))));
  }
  CHECK(FoldCompare("T20261207.0010", "t20261207.0009") > 0);
  CHECK(FoldCompare("abc", "ABCD") < 0);
  CHECK(FoldCompare("", "") == 0);
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

TEST_CASE("Storage date-times are printf's fixed-width text", "[time]") {
  auto printf_form = [](const CivilTime& t) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", t.year, t.month, t.day,
                  t.hour, t.minute, t.second, t.millis);
    return std::string(buf);
  };
  std::vector<CivilTime> cases;
  auto make = [](int y, int mo, int d, int h, int mi, int s, int ms) {
    CivilTime t;
    t.year = y;
    t.month = mo;
    t.day = d;
    t.hour = h;
    t.minute = mi;
    t.second = s;
    t.millis = ms;
    return t;
  };
  cases.push_back(make(1, 1, 1, 0, 0, 0, 0));
  cases.push_back(make(9999, 12, 31, 23, 59, 59, 999));
  cases.push_back(make(2026, 3, 8, 2, 30, 0, 5));
  cases.push_back(make(10000, 1, 1, 0, 0, 0, 0));  // outside the fixed width: printf's text
  cases.push_back(make(-1, 1, 1, 0, 0, 0, 0));
  unsigned seed = 12345;
  auto next = [&seed](int n) {
    seed = seed * 1103515245u + 12345u;
    return static_cast<int>((seed >> 8) % static_cast<unsigned>(n));
  };
  for (int i = 0; i < 2000; ++i)
    cases.push_back(make(1900 + next(300), 1 + next(12), 1 + next(31), next(24), next(60), next(60),
                         next(1000)));
  for (const auto& t : cases) {
    INFO(printf_form(t));
    CHECK(StorageDateTime(t) == printf_form(t));
  }
}
