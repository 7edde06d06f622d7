// Query strings and URL path segments: %XX decoding and parameter look-up, shared by the admin
// API (mockserver/control) and the ExecuteCommand pages (mockserver/ops).
// Pure functions over their arguments: no state, safe from any thread, no errors (malformed
// escapes stay as they are).
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace atws {

// %XX decoded (a '%' not followed by two hex digits stays); '+' becomes ' ' when
// `plus_is_space` (query strings), else stays (path segments).
inline std::string PercentDecode(std::string_view s, bool plus_is_space = false) {
  auto hex = [](char c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The raw (undecoded) value of the first parameter `name` in `query` ("a=1&b=2", no '?'):
// "" for "name" without '='. False when `query` has no such parameter.
inline bool RawQueryParam(std::string_view query, std::string_view name, std::string_view* out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == name) {
      *out = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
      return true;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

// The same value, %XX and '+' decoded.
inline bool QueryParam(std::string_view query, std::string_view name, std::string* out) {
  std::string_view raw;
  if (!RawQueryParam(query, name, &raw)) return false;
  *out = PercentDecode(raw, /*plus_is_space=*/true);
  return true;
}

}  // namespace atws
