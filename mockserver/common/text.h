// Small text helpers shared by every module: ASCII case handling, Unicode case folding for
// the API's case-insensitive comparisons, XML escaping, Base64.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace atws {

char AsciiLower(char c);
std::string AsciiLower(std::string_view s);
bool AsciiIEquals(std::string_view a, std::string_view b);
// <0, 0, >0 like strcmp, ignoring ASCII case.
int AsciiICompare(std::string_view a, std::string_view b);
bool AsciiIStartsWith(std::string_view s, std::string_view prefix);
bool AsciiIEndsWith(std::string_view s, std::string_view suffix);
std::string_view Trim(std::string_view s);
// The first `n` bytes of `s`, then "…" when it was longer (messages that quote client input).
std::string Truncated(std::string_view s, size_t n = 200);

// Full Unicode simple case folding of UTF-8 text (ICU u_foldCase per code point), so that
// "Müller" and "MÜLLER" fold to the same string. Invalid UTF-8 bytes are kept as they are.
std::string FoldCase(std::string_view utf8);
// Compares as FoldCase(a) <=> FoldCase(b) without allocating.
int FoldCompare(std::string_view a, std::string_view b);
// True when the whole input is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);
// Number of characters (code points) of UTF-8 text, as the API's field lengths count them: the
// bytes that do not continue a sequence.
inline size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}
// Length of the UTF-8 sequence starting at s[i] (i < s.size()): 1 to 4 for a lead byte
// (00-7F, C2-DF, E0-EF, F0-F4) followed by as many continuation bytes as it announces; 0 when
// the bytes there are not such a sequence.
size_t Utf8SequenceLength(std::string_view s, size_t i);

// Appends `s` escaped for XML text content and double-quoted attribute values (& < > " and
// CR); apostrophes stay as they are, as ASP.NET writes them.
void AppendXmlEscaped(std::string* out, std::string_view s);
std::string XmlEscape(std::string_view s);
namespace detail {
constexpr std::array<const char*, 256> MakeXmlEscapes() {
  std::array<const char*, 256> of{};
  of[static_cast<unsigned char>('&')] = "&amp;";
  of[static_cast<unsigned char>('<')] = "&lt;";
  of[static_cast<unsigned char>('>')] = "&gt;";
  of[static_cast<unsigned char>('"')] = "&quot;";
  of[static_cast<unsigned char>('\r')] = "&#xD;";
  return of;
}
inline constexpr std::array<const char*, 256> kXmlEscapes = MakeXmlEscapes();
constexpr std::array<bool, 256> MakeXmlSpecial() {
  std::array<bool, 256> t{};
  for (size_t i = 0; i < 256; ++i) t[i] = kXmlEscapes[i] != nullptr;
  return t;
}
// The same as a byte table: a scan over text tests one byte per character.
inline constexpr std::array<bool, 256> kXmlSpecial = MakeXmlSpecial();
}  // namespace detail
// The escape AppendXmlEscaped writes for byte `c`, or nullptr when `c` stays as it is (at most
// kMaxXmlEscapeBytes long). Inline: writers that escape into their own buffer call it per byte.
inline const char* XmlEscapeOf(unsigned char c) { return detail::kXmlEscapes[c]; }
inline bool NeedsXmlEscape(unsigned char c) { return detail::kXmlSpecial[c]; }
constexpr size_t kMaxXmlEscapeBytes = 6;

// Base64 (RFC 4648, standard alphabet). Decode ignores whitespace; returns false on bad input.
bool Base64Decode(std::string_view in, std::string* out);
std::string Base64Encode(std::string_view in);

// Parses a decimal integer (optional sign, surrounding spaces allowed). False on anything else
// or overflow.
bool ParseInt64(std::string_view s, long long* out);
bool ParseDouble(std::string_view s, double* out);
// Shortest text that reads back as the same double ("12.5", "3", "0.1").
std::string FormatDouble(double v);

}  // namespace atws
