#include "common/timeutil.h"

#include <cstdio>

#include "common/text.h"

namespace atws {

bool ParseApiTimeZone(std::string_view s, ApiTimeZone* out) {
  if (AsciiIEquals(s, "eastern") || AsciiIEquals(s, "America/New_York")) {
    *out = ApiTimeZone::kEastern;
    return true;
  }
  if (AsciiIEquals(s, "utc")) {
    *out = ApiTimeZone::kUtc;
    return true;
  }
  return false;
}

std::string_view ApiTimeZoneName(ApiTimeZone z) {
  return z == ApiTimeZone::kEastern ? "eastern" : "utc";
}

long long DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

void CivilFromDays(long long z, int* y, int* m, int* d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long yy = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yy + (*m <= 2));
}

namespace {

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2) {
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[m - 1];
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Day-of-month of the n-th Sunday of (y, m), n >= 1.
int NthSunday(int y, int m, int n) {
  long long days = DaysFromCivil(y, m, 1);
  int weekday = static_cast<int>((days + 4) % 7);  // 1970-01-01 was a Thursday (4)
  if (weekday < 0) weekday += 7;
  int first_sunday = 1 + (7 - weekday) % 7;
  return first_sunday + 7 * (n - 1);
}

// US rules since 2007: DST from the second Sunday of March 02:00 local standard time to the
// first Sunday of November 02:00 local daylight time.
struct DstBounds {
  long long start_local_min;  // local minutes since epoch at which clocks jump 02:00 -> 03:00
  long long end_local_min;    // local (daylight) minutes at which clocks fall 02:00 -> 01:00
};

DstBounds BoundsFor(int year) {
  DstBounds b;
  b.start_local_min = DaysFromCivil(year, 3, NthSunday(year, 3, 2)) * 1440 + 120;
  b.end_local_min = DaysFromCivil(year, 11, NthSunday(year, 11, 1)) * 1440 + 120;
  return b;
}

long long LocalMinutes(const CivilTime& t) {
  return DaysFromCivil(t.year, t.month, t.day) * 1440 + t.hour * 60 + t.minute;
}

}  // namespace

bool ParseApiDateTime(std::string_view s, CivilTime* out) {
  s = Trim(s);
  CivilTime t;
  if (!Digits(s, 0, 4, &t.year) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &t.month) ||
      s[7] != '-' || !Digits(s, 8, 2, &t.day))
    return false;
  if (t.year < 1753 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1 ||
      t.day > DaysInMonth(t.year, t.month))
    return false;
  size_t p = 10;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != ' ') return false;
    ++p;
    if (!Digits(s, p, 2, &t.hour) || p + 2 >= s.size() || s[p + 2] != ':' ||
        !Digits(s, p + 3, 2, &t.minute))
      return false;
    p += 5;
    if (p < s.size() && s[p] == ':') {
      if (!Digits(s, p + 1, 2, &t.second)) return false;
      p += 3;
      if (p < s.size() && s[p] == '.') {
        ++p;
        int ms = 0, nd = 0;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          if (nd < 3) ms = ms * 10 + (s[p] - '0');
          ++nd;
          ++p;
        }
        if (nd == 0) return false;
        for (int i = nd; i < 3; ++i) ms *= 10;
        t.millis = ms;
      }
    }
    if (p < s.size() && s[p] == 'Z') ++p;
    if (p != s.size()) return false;
    if (t.hour > 23 || t.minute > 59 || t.second > 59) return false;
  }
  *out = t;
  return true;
}

std::string StorageDateTime(const CivilTime& t) {
  // "%04d-%02d-%02dT%02d:%02d:%02d.%03d" by hand: the default data formats ~100,000 of these at
  // start-up, and snprintf was a tenth of that time. Years outside 0-9999 keep snprintf's text.
  if (t.year < 0 || t.year > 9999 || t.month < 0 || t.month > 99 || t.day < 0 || t.day > 99 ||
      t.hour < 0 || t.hour > 99 || t.minute < 0 || t.minute > 99 || t.second < 0 || t.second > 99 ||
      t.millis < 0 || t.millis > 999) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", t.year, t.month, t.day,
                  t.hour, t.minute, t.second, t.millis);
    return buf;
  }
  std::string s(23, '0');
  auto put = [&s](size_t at, int v, int digits) {
    for (int i = digits - 1; i >= 0; --i, v /= 10)
      s[at + static_cast<size_t>(i)] = char('0' + v % 10);
  };
  put(0, t.year, 4);
  s[4] = '-';
  put(5, t.month, 2);
  s[7] = '-';
  put(8, t.day, 2);
  s[10] = 'T';
  put(11, t.hour, 2);
  s[13] = ':';
  put(14, t.minute, 2);
  s[16] = ':';
  put(17, t.second, 2);
  s[19] = '.';
  put(20, t.millis, 3);
  return s;
}

std::string_view ApiFromStorage(std::string_view stored) {
  size_t dot = stored.find('.');
  if (dot == std::string_view::npos) return stored;
  size_t n = stored.size();
  while (n > dot + 1 && stored[n - 1] == '0') --n;
  if (n == dot + 1) n = dot;
  return stored.substr(0, n);
}

void AppendApiFromStorage(std::string* out, std::string_view stored) {
  out->append(ApiFromStorage(stored));
}

std::string FormatApiDateTime(const CivilTime& t) {
  std::string s;
  AppendApiFromStorage(&s, StorageDateTime(t));
  return s;
}

CivilTime ToLocal(Micros utc, ApiTimeZone zone) {
  long long ms = utc / 1000 - (utc % 1000 < 0 ? 1 : 0);
  long long utc_min = ms / 60000 - (ms % 60000 < 0 ? 1 : 0);
  long long offset_min = 0;
  if (zone == ApiTimeZone::kEastern) {
    int y, m, d;
    CivilFromDays(utc_min / 1440 - (utc_min % 1440 < 0 ? 1 : 0), &y, &m, &d);
    DstBounds b = BoundsFor(y);
    // Start: 02:00 EST = 07:00 UTC; end: 02:00 EDT = 06:00 UTC.
    long long start_utc = b.start_local_min + 300;
    long long end_utc = b.end_local_min + 240;
    bool dst = utc_min >= start_utc && utc_min < end_utc;
    offset_min = dst ? -240 : -300;
  }
  long long local_ms = ms + offset_min * 60000;
  long long days = local_ms / 86400000 - (local_ms % 86400000 < 0 ? 1 : 0);
  long long rem = local_ms - days * 86400000;
  CivilTime t;
  CivilFromDays(days, &t.year, &t.month, &t.day);
  t.hour = static_cast<int>(rem / 3600000);
  t.minute = static_cast<int>(rem / 60000 % 60);
  t.second = static_cast<int>(rem / 1000 % 60);
  t.millis = static_cast<int>(rem % 1000);
  return t;
}

bool InSpringForwardGap(const CivilTime& t, ApiTimeZone zone) {
  if (zone != ApiTimeZone::kEastern) return false;
  long long lm = LocalMinutes(t);
  DstBounds b = BoundsFor(t.year);
  return lm >= b.start_local_min && lm < b.start_local_min + 60;
}

bool FromLocal(const CivilTime& t, ApiTimeZone zone, Micros* utc) {
  long long lm = LocalMinutes(t);
  long long offset_min = 0;
  if (zone == ApiTimeZone::kEastern) {
    if (InSpringForwardGap(t, zone)) return false;
    DstBounds b = BoundsFor(t.year);
    bool dst = lm >= b.start_local_min + 60 && lm < b.end_local_min;
    offset_min = dst ? -240 : -300;
  }
  long long ms = (lm - offset_min) * 60000LL + t.second * 1000LL + t.millis;
  *utc = ms * 1000;
  return true;
}

}  // namespace atws
