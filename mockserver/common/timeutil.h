// Date-times as the API sees them: naive local times in the API's time zone (US Eastern by
// default, per the SOAP time-data help page; UTC as an option), written without offset and
// with trailing zeros of the fraction trimmed. Stored internally in a fixed-width sortable
// form "YYYY-MM-DDTHH:MM:SS.mmm" so that SQL string comparison orders them.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"

namespace atws {

enum class ApiTimeZone { kEastern, kUtc };
bool ParseApiTimeZone(std::string_view s, ApiTimeZone* out);  // "eastern" | "utc"
std::string_view ApiTimeZoneName(ApiTimeZone z);

struct CivilTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int millis = 0;
};

// Accepts "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.f…]]", "YYYY-MM-DDTHH:MM[:SS[.f…]]" and, for
// round trips with clients that add one, a trailing "Z" (ignored: values are naive). Fraction
// digits beyond milliseconds are truncated. Validates ranges (month 1-12, day in month …).
bool ParseApiDateTime(std::string_view s, CivilTime* out);

// "2018-07-10T12:19:28.84" (fraction trimmed; no fraction when zero).
std::string FormatApiDateTime(const CivilTime& t);
// Fixed-width storage form "2018-07-10T12:19:28.840".
std::string StorageDateTime(const CivilTime& t);
// Storage form → API form, without parsing ranges again.
// The API form of a stored date-time: `stored` without the trailing zeros of its fraction (and
// without the dot when nothing is left of it).
std::string_view ApiFromStorage(std::string_view stored);
void AppendApiFromStorage(std::string* out, std::string_view stored);

// UTC instant → local civil time in `zone`.
CivilTime ToLocal(Micros utc, ApiTimeZone zone);
// Local civil time → UTC instant. Returns false when the local time does not exist (it falls
// in the spring-forward gap). In the autumn overlap the first (daylight) instant is chosen.
bool FromLocal(const CivilTime& local, ApiTimeZone zone, Micros* utc);
bool InSpringForwardGap(const CivilTime& local, ApiTimeZone zone);

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
long long DaysFromCivil(int y, int m, int d);
void CivilFromDays(long long z, int* y, int* m, int* d);

}  // namespace atws
